"""Load and validate a study: the study-design file and its site registry.

The format is documented in ``docs/config.md``. :func:`load_study` checks
everything and raises one :class:`~samorg.errors.ConfigError` listing every
problem with its file and key, so a researcher fixes them in one pass. The municipalities and the
site registry are read by :mod:`samorg._config_sites` (:class:`Municipality`, :class:`Site` and the
role rule are importable from here), the YAML files by :mod:`samorg._yaml`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from samorg._config_sites import COUNTING_METHODS, KINDS, Municipality, Site, load_sites, parse_municipalities
from samorg._yaml import check_keys, read_yaml
from samorg.errors import ConfigError, Problem
from samorg.study_design import (
    NationalDesign,
    Text,
    Window,
    parse_date_key,
    parse_national,
    parse_primary,
    parse_text,
    parse_window,
    parse_windows,
    parse_words,
)

__all__ = ["COUNTING_METHODS", "KINDS", "SOURCE_KINDS", "Municipality", "PrivacySettings", "Site", "SourceSpec",
           "Study", "Window", "load_study"]

_STUDY_KEYS = {
    "title": True,
    "demo": False,
    "raw_dir": True,
    "processed_dir": True,
    "reports_dir": True,
    "sites_file": True,
    "data_start": True,
    "data_end": True,
    "periods": True,
    "covid_windows": False,
    "washout_windows": False,
    "sensitivity_windows": False,
    "baseline_year": False,
    "national": False,
    "words": False,
    "columns": False,
    "municipalities": True,
    "primary_outcomes": False,
    "analysis_plan": False,
    "sources": True,
    "privacy": False,
}
_PRIVACY_KEYS = {"min_cell": False, "names_file": False, "key_file": False}
#: the raw-data kinds `samorg data` reads (`sources:` keys); see samorg.pipeline for which are required
SOURCE_KINDS = ("nb_library_stats", "branch_counts", "inquiries", "surveys", "population", "qualitative",
                "active_borrowers", "counter_hours")
_PERIODS = ("pre", "transition", "post")


@dataclass(frozen=True)
class PrivacySettings:
    """The study's ``privacy:`` settings: the smallest count a table shows, and names never to show."""

    min_cell: int = 5
    names_file: Path | None = None
    names: tuple[str, ...] = ()
    key_file: Path | None = None


@dataclass(frozen=True)
class SourceSpec:
    """One ``sources:`` entry: a glob pattern under ``raw_dir``; ``optional`` lets it match nothing."""

    pattern: str
    optional: bool = False


@dataclass(frozen=True)
class Study:
    """A validated study design with its site registry. Paths are absolute."""

    path: Path
    title: str
    demo: bool
    raw_dir: Path
    processed_dir: Path
    reports_dir: Path
    data_start: dt.date
    data_end: dt.date
    periods: dict[str, Window]
    covid_windows: tuple[Window, ...]
    municipalities: dict[str, Municipality]
    primary_outcomes: tuple[str, ...]
    sources: dict[str, SourceSpec]
    sites: tuple[Site, ...] = field(default_factory=tuple)
    sites_path: Path | None = None
    analysis_plan: dict[str, str] = field(default_factory=dict)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    sensitivity_windows: tuple[Window, ...] = ()
    baseline: int | None = None
    national: NationalDesign = field(default_factory=NationalDesign)
    primary_by_aim: dict[int, str] = field(default_factory=dict)
    words: dict[str, Text] = field(default_factory=dict)
    columns: dict[str, Any] = field(default_factory=dict)

    @property
    def washout_windows(self) -> tuple[Window, ...]:
        """The windows left out of time-series models (``washout_windows``; ``covid_windows`` is the old name)."""
        return self.covid_windows

    @property
    def baseline_year(self) -> int:
        """The year descriptive before/after comparisons start from: ``baseline_year``, else the pre-period's last year."""
        if self.baseline is not None:
            return self.baseline
        pre = self.periods.get("pre")
        return pre.end.year if pre else self.data_start.year

    def title_in(self, lang: str) -> str:
        """The study's title in ``lang``."""
        return self.title.in_lang(lang) if isinstance(self.title, Text) else str(self.title)

    def treated_municipalities(self) -> dict[str, Municipality]:
        """The municipalities whose reorganisation is evaluated (role ``treated``)."""
        return {c: m for c, m in self.municipalities.items() if m.role == "treated"}

    def sites_with_role(self, role: str) -> tuple[Site, ...]:
        """The sites with this role: ``treated``, ``comparison`` or ``excluded``."""
        return tuple(s for s in self.sites if s.role == role)

    @property
    def national_intervention(self) -> int | None:
        """First "after" year in the national annual statistics: as configured, else the earliest co-organisation."""
        if self.national.intervention is not None:
            return self.national.intervention
        years = [m.co_organised.year for m in self.treated_municipalities().values() if m.co_organised]
        return min(years) if years else None

    def site(self, site_id: str) -> Site:
        """The site with this id; a clear error naming the known ids otherwise."""
        for s in self.sites:
            if s.site_id == site_id:
                return s
        known = ", ".join(s.site_id for s in self.sites)
        raise ConfigError(
            [Problem(f"site {site_id!r}", "is not in the site registry", f"one of: {known}",
                     f"Add it to {self.sites_path} or correct the id.")]
        )

    @property
    def site_ids(self) -> tuple[str, ...]:
        return tuple(s.site_id for s in self.sites)


def load_study(path: str | Path) -> Study:
    """Read and validate a study-design file and the site registry it names.

    Parameters
    ----------
    path
        The study-design YAML file (see ``docs/config.md``).

    Returns
    -------
    Study
        Absolute paths, parsed dates, and the sites.

    Raises
    ------
    ConfigError
        Listing every problem found in either file, with file and key.

    Examples
    --------
    >>> study = load_study("config/demo/study.yaml")  # doctest: +SKIP
    >>> study.site("askim").co_located  # doctest: +SKIP
    datetime.date(2020, 1, 1)
    """
    path = Path(path).resolve()
    problems: list[Problem] = []
    raw = read_yaml(path, problems)
    if raw is None:
        raise ConfigError(problems)
    check_keys(raw, _STUDY_KEYS, str(path), problems)
    base = path.parent

    def p(key: str) -> Path:
        return (base / str(raw.get(key, ""))).resolve()

    data_start, data_end = _data_period(raw, path, problems)
    washout, sensitivity = _windows(raw, path, problems)
    municipalities = parse_municipalities(raw.get("municipalities"), f"{path}: municipalities", problems)
    primary = parse_primary(raw.get("primary_outcomes"), f"{path}: primary_outcomes", problems)
    title = parse_text(raw.get("title"), f"{path}: title", problems)
    plan = _mapping(raw, "analysis_plan", path, problems,
                    "a mapping from each primary outcome to its pre-specified method, e.g. visits: its")
    plan_texts = {str(k): parse_text(v, f"{path}: analysis_plan.{k}", problems) for k, v in plan.items()}
    fields = dict(
        periods=_periods(raw, path, problems),
        baseline=_baseline(raw.get("baseline_year"), data_start, data_end, f"{path}: baseline_year", problems),
        sources=_sources(raw.get("sources"), f"{path}: sources", problems),
        national=parse_national(raw.get("national"), f"{path}: national", problems),
        words=parse_words(raw.get("words"), f"{path}: words", problems),
        columns=_mapping(raw, "columns", path, problems,
                         "a mapping from source kind to {column: [header names]} (docs/sources.md)"),
        privacy=_privacy(raw.get("privacy"), base, f"{path}: privacy", problems),
    )
    sites_path = p("sites_file") if raw.get("sites_file") else None
    sites = load_sites(sites_path, municipalities, data_start, data_end, problems) if sites_path else []
    if problems:
        raise ConfigError(problems)
    return Study(
        path=path, title=title if title is not None else Text(""), demo=bool(raw.get("demo", False)),
        raw_dir=p("raw_dir"), processed_dir=p("processed_dir"), reports_dir=p("reports_dir"),
        data_start=data_start, data_end=data_end, covid_windows=washout, sensitivity_windows=sensitivity,
        municipalities=municipalities, primary_outcomes=tuple(str(o) for o in dict.fromkeys(primary.values())),
        primary_by_aim=primary, analysis_plan={k: v for k, v in plan_texts.items() if v is not None},
        sites=tuple(sites), sites_path=sites_path, **fields,
    )


def _data_period(raw: dict, path: Path, problems: list[Problem]) -> tuple[dt.date | None, dt.date | None]:
    """``data_start`` and ``data_end`` (required; the end after the start)."""
    data_start = parse_date_key(raw.get("data_start"), f"{path}: data_start", problems, required=True)
    data_end = parse_date_key(raw.get("data_end"), f"{path}: data_end", problems, required=True)
    if data_start and data_end and data_end <= data_start:
        problems.append(Problem(f"{path}: data_end", f"{data_end} is not after data_start {data_start}",
                                "data_end after data_start"))
    return data_start, data_end


def _periods(raw: dict, path: Path, problems: list[Problem]) -> dict[str, Window]:
    """``periods:``: the pre, transition and post windows (all three required)."""
    periods: dict[str, Window] = {}
    raw_periods = raw.get("periods") or {}
    if not isinstance(raw_periods, dict):
        problems.append(Problem(f"{path}: periods", f"is {raw_periods!r}", "a mapping of pre/transition/post"))
        raw_periods = {}
    for name in _PERIODS:
        if name not in raw_periods:
            problems.append(Problem(f"{path}: periods.{name}", "is missing", "start and end dates"))
    for name, w in raw_periods.items():
        if name not in _PERIODS:
            problems.append(Problem(f"{path}: periods.{name}", "is not a known period", "pre, transition or post"))
            continue
        win = parse_window(w, f"{path}: periods.{name}", problems)
        if win:
            periods[name] = win
    return periods


def _windows(raw: dict, path: Path, problems: list[Problem]) -> tuple[tuple[Window, ...], tuple[Window, ...]]:
    """The washout windows (``washout_windows``, or its older name ``covid_windows``) and the sensitivity windows."""
    if "covid_windows" in raw and "washout_windows" in raw:
        problems.append(Problem(f"{path}: covid_windows", "is given beside washout_windows",
                                "one of them (covid_windows is the older name of washout_windows)"))
    washout_key = "washout_windows" if "washout_windows" in raw else "covid_windows"
    washout = tuple(parse_windows(raw.get(washout_key), f"{path}: {washout_key}", problems))
    sensitivity = parse_windows(raw.get("sensitivity_windows"), f"{path}: sensitivity_windows", problems)
    return washout, sensitivity


def _baseline(baseline: Any, data_start: dt.date | None, data_end: dt.date | None, where: str,
              problems: list[Problem]) -> int | None:
    """``baseline_year``: a year inside the data period, or None (not given, or not valid)."""
    if baseline is not None and (isinstance(baseline, bool) or not isinstance(baseline, int)
                                 or (data_start and data_end and not data_start.year <= baseline <= data_end.year)):
        problems.append(Problem(where, f"{baseline!r}",
                                "a year inside the data period (the last year before the change, e.g. 2019)"))
        return None
    return baseline


def _mapping(raw: dict, key: str, path: Path, problems: list[Problem], expected: str) -> dict:
    """An optional key whose value must be a mapping (``{}`` when left out or not a mapping)."""
    value = raw.get(key) or {}
    if not isinstance(value, dict):
        problems.append(Problem(f"{path}: {key}", f"is {value!r}", expected))
        return {}
    return value
def _sources(raw: Any, where: str, problems: list[Problem]) -> dict[str, SourceSpec]:
    """``sources:``: kind → ``"pattern"`` (must match files with rows) or ``{pattern: ..., optional: true}``."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(Problem(where, f"is {raw!r}", "a mapping from source kind to a file pattern"))
        return {}
    out: dict[str, SourceSpec] = {}
    check_keys(raw, dict.fromkeys(SOURCE_KINDS, False), where, problems)
    expected = 'a glob pattern under raw_dir such as "filialer/*.csv", or {pattern: "...", optional: true}'
    for kind, value in raw.items():
        key = f"{where}.{kind}"
        if isinstance(value, dict):
            check_keys(value, {"pattern": True, "optional": False}, key, problems)
            pattern, optional = value.get("pattern"), value.get("optional", False)
            if not isinstance(optional, bool):
                problems.append(Problem(f"{key}.optional", f"{optional!r}", "true or false"))
                optional = False
        else:
            pattern, optional = value, False
        if not isinstance(pattern, str) or not pattern.strip():
            if not (isinstance(value, dict) and "pattern" not in value):  # a missing pattern is reported above
                problems.append(Problem(key, f"is {value!r}", expected))
            continue
        if kind in SOURCE_KINDS:
            out[str(kind)] = SourceSpec(pattern.strip(), optional)
    return out


def _privacy(raw: Any, base: Path, where: str, problems: list[Problem]) -> PrivacySettings:
    """``privacy: {min_cell: 5, names_file: names.txt}`` (both optional; the file relative to the study file)."""
    if raw is None:
        return PrivacySettings()
    if not isinstance(raw, dict):
        problems.append(Problem(where, f"is {raw!r}", "a mapping with min_cell and/or names_file"))
        return PrivacySettings()
    check_keys(raw, _PRIVACY_KEYS, where, problems)
    min_cell = raw.get("min_cell", 5)
    if isinstance(min_cell, bool) or not isinstance(min_cell, int) or min_cell < 2:
        problems.append(Problem(f"{where}.min_cell", f"{min_cell!r}", "a whole number of at least 2 (default 5)",
                                "Counts below it are hidden in every table and figure."))
        min_cell = 5
    names_file, names = None, ()
    key_file = (base / str(raw["key_file"])).resolve() if raw.get("key_file") is not None else None
    if raw.get("names_file") is not None:
        from samorg.errors import SamorgError
        from samorg.privacy import load_names

        names_file = (base / str(raw["names_file"])).resolve()
        expected = "a UTF-8 text file with one name per line"
        if not names_file.is_file():
            problems.append(Problem(f"{where}.names_file", f"{names_file} does not exist", expected,
                                    "Paths are relative to the study file."))
        else:
            try:
                names = load_names(names_file)
            except SamorgError:
                problems.append(Problem(f"{where}.names_file", f"{names_file} is not UTF-8 text", expected,
                                        "Save it as UTF-8 (in Excel: 'CSV UTF-8')."))
            from samorg.privacy.keys import would_be_committed

            if would_be_committed(names_file):  # it lists real people: never in git
                problems.append(Problem(f"{where}.names_file", f"{names_file} is inside a git repository and not "
                                        "git-ignored", "the names file in a git-ignored folder",
                                        "Move it to config/<study>/private/ (ignored by the repository's "
                                        ".gitignore) or add its folder to .gitignore."))
    return PrivacySettings(min_cell=min_cell, names_file=names_file, names=names, key_file=key_file)
