"""Load and validate a study: the study-design file and its site registry.

The format is documented in ``docs/config.md``. :func:`load_study` checks
everything and raises one :class:`~samorg.errors.ConfigError` listing every
problem with its file and key, so a researcher fixes them in one pass.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from samorg.errors import ConfigError, Problem
from samorg.components import Components, parse_components
from samorg.study_design import (
    MUNICIPALITY_ROLES,
    SITE_ROLES,
    NationalDesign,
    Text,
    Window,
    parse_date_key,
    parse_national,
    parse_primary,
    parse_text,
    parse_windows,
    parse_words,
)

KINDS = ("library", "service_centre", "combined")
COUNTING_METHODS = ("people_counter", "sample_weeks", "manual")
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
_CODE = re.compile(r"^\d{4}$")

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
SOURCE_KINDS = ("nb_library_stats", "branch_counts", "inquiries", "surveys", "population", "qualitative")
_SITE_KEYS = {
    "name": True,
    "kind": True,
    "municipality_code": True,
    "former_municipality_code": False,
    "co_organised": False,
    "co_located": False,
    "counting_method": False,
    "aliases": False,
    "catchment_population": False,
    "role": False,
    "components": False,
}
_PERIODS = ("pre", "transition", "post")


@dataclass(frozen=True)
class Municipality:
    """A treated municipality, keyed by its current code, with its earlier codes."""

    code: str
    name: str
    codes: dict[int, tuple[str, ...]]
    co_organised: dt.date | None
    role: str = "treated"

    def codes_in(self, year: int) -> tuple[str, ...]:
        """The code(s) this municipality had in ``year``."""
        valid = [y for y in self.codes if y <= year]
        if not valid:
            return ()
        return self.codes[max(valid)]

    @property
    def all_codes(self) -> frozenset[str]:
        return frozenset(c for cs in self.codes.values() for c in cs) | {self.code}


@dataclass(frozen=True)
class Site:
    """One physical place serving the public (DESIGN.md §1)."""

    site_id: str
    name: str
    kind: str
    municipality_code: str
    former_municipality_code: str | None = None
    co_organised: dt.date | None = None
    co_located: dt.date | None = None
    counting_method: str = "people_counter"
    aliases: tuple[str, ...] = ()
    catchment_population: int | None = None
    role: str = ""
    components: Components | None = None  # what the site changed (samorg.components); None: not recorded

    def __post_init__(self) -> None:
        if not self.role:  # the default follows the registry's dates (docs/config.md: roles)
            default = ("treated" if self.co_located else "excluded" if self.kind == "service_centre"
                       else "comparison")
            object.__setattr__(self, "role", default)


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


class _UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses duplicate keys instead of silently keeping the last."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            loader.duplicates.append((key, seen[key], key_node.start_mark.line + 1))
        else:
            seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=deep)


def _construct_timestamp(loader: _UniqueKeyLoader, node: yaml.ScalarNode) -> Any:
    # An impossible date such as 2020-02-30 stays text, so validation can name it.
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_UniqueKeyLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def _read_yaml(path: Path, problems: list[Problem]) -> dict | None:
    if not path.is_file():
        problems.append(Problem(str(path), "the file does not exist", "a YAML file",
                                "Check the path (relative paths are relative to the study file)."))
        return None
    text = path.read_text(encoding="utf-8")
    loader = _UniqueKeyLoader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}, line {mark.line + 1}" if mark else str(path)
        problems.append(Problem(where, f"is not valid YAML ({getattr(exc, 'problem', exc)})",
                                "valid YAML", "Check indentation and quoting on that line."))
        return None
    finally:
        loader.dispose()
    for key, first, again in loader.duplicates:
        problems.append(Problem(f"{path}, line {again}", f"the key {key!r} appears again (first on line {first})",
                                "each key once", "Remove or rename one of them: ids must be unique."))
    if not isinstance(data, dict):
        problems.append(Problem(str(path), f"holds a {type(data).__name__}", "a mapping of keys to values"))
        return None
    return data


_date = parse_date_key  # one date parser for the study file and the estimators (samorg.dates)


def _check_keys(mapping: dict, allowed: dict[str, bool], where: str, problems: list[Problem]) -> None:
    for key in mapping:
        if key not in allowed:
            import difflib

            close = difflib.get_close_matches(str(key), list(allowed), n=1)
            hint = f"Did you mean {close[0]!r}?" if close else ""
            problems.append(Problem(f"{where}.{key}", "is not a known key", "one of " + ", ".join(allowed), hint))
    for key, required in allowed.items():
        if required and key not in mapping:
            problems.append(Problem(f"{where}.{key}", "is missing", "a value (see docs/config.md)"))


def _window(raw: Any, where: str, problems: list[Problem]) -> Window | None:
    from samorg.study_design import parse_window

    return parse_window(raw, where, problems)


def _codes(raw: Any, where: str, problems: list[Problem]) -> dict[int, tuple[str, ...]]:
    out: dict[int, tuple[str, ...]] = {}
    if not isinstance(raw, dict):
        problems.append(Problem(where, f"is {raw!r}", 'a mapping from year to code(s), e.g. {"2020": "3005"}'))
        return out
    for year, codes in raw.items():
        try:
            y = int(year)
        except (TypeError, ValueError):
            problems.append(Problem(f"{where}.{year}", "is not a year", "a year such as 2020"))
            continue
        items = codes if isinstance(codes, list) else [codes]
        clean = []
        for c in items:
            c = str(c).strip()
            if not _CODE.match(c):
                problems.append(Problem(f"{where}.{year}", f"code {c!r}", 'a 4-digit municipality code in quotes, e.g. "0602"'))
            else:
                clean.append(c)
        out[y] = tuple(clean)
    return out


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
    raw = _read_yaml(path, problems)
    if raw is None:
        raise ConfigError(problems)
    _check_keys(raw, _STUDY_KEYS, str(path), problems)
    base = path.parent

    def p(key: str) -> Path:
        return (base / str(raw.get(key, ""))).resolve()

    data_start = _date(raw.get("data_start"), f"{path}: data_start", problems, required=True)
    data_end = _date(raw.get("data_end"), f"{path}: data_end", problems, required=True)
    if data_start and data_end and data_end <= data_start:
        problems.append(Problem(f"{path}: data_end", f"{data_end} is not after data_start {data_start}",
                                "data_end after data_start"))

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
        win = _window(w, f"{path}: periods.{name}", problems)
        if win:
            periods[name] = win

    if "covid_windows" in raw and "washout_windows" in raw:
        problems.append(Problem(f"{path}: covid_windows", "is given beside washout_windows",
                                "one of them (covid_windows is the older name of washout_windows)"))
    washout_key = "washout_windows" if "washout_windows" in raw else "covid_windows"
    covid = list(parse_windows(raw.get(washout_key), f"{path}: {washout_key}", problems))
    sensitivity = parse_windows(raw.get("sensitivity_windows"), f"{path}: sensitivity_windows", problems)
    baseline = raw.get("baseline_year")
    if baseline is not None and (isinstance(baseline, bool) or not isinstance(baseline, int)
                                 or (data_start and data_end and not data_start.year <= baseline <= data_end.year)):
        problems.append(Problem(f"{path}: baseline_year", f"{baseline!r}",
                                "a year inside the data period (the last year before the change, e.g. 2019)"))
        baseline = None

    municipalities: dict[str, Municipality] = {}
    raw_muni = raw.get("municipalities") or {}
    if not isinstance(raw_muni, dict) or not raw_muni:
        problems.append(Problem(f"{path}: municipalities", f"is {raw_muni!r}",
                                "a mapping from current municipality code to name, codes and co_organised"))
        raw_muni = {}
    for code, m in raw_muni.items():
        code = str(code)
        where = f"{path}: municipalities.{code}"
        if not _CODE.match(code):
            problems.append(Problem(where, f"code {code!r}", 'a 4-digit municipality code in quotes, e.g. "3301"'))
            continue
        if not isinstance(m, dict):
            problems.append(Problem(where, f"is {m!r}", "a mapping with name, codes and co_organised"))
            continue
        _check_keys(m, {"name": True, "codes": False, "co_organised": False, "role": False}, where, problems)
        co_organised = _date(m.get("co_organised"), f"{where}.co_organised", problems, required=False)
        role = m.get("role", "treated" if co_organised else "comparison")
        if role not in MUNICIPALITY_ROLES:
            problems.append(Problem(f"{where}.role", f"{role!r}", "one of " + ", ".join(MUNICIPALITY_ROLES)))
        elif role == "treated" and co_organised is None:
            problems.append(Problem(f"{where}.role", "is 'treated' but co_organised is empty",
                                    "a co_organised date for a treated municipality",
                                    "Give the date, or write role: comparison for a comparison municipality."))
        elif role == "comparison" and co_organised is not None:
            problems.append(Problem(f"{where}.co_organised", f"{co_organised} is set for a comparison municipality",
                                    "no co_organised date for a comparison municipality",
                                    "Remove the date, or write role: treated."))
        municipalities[code] = Municipality(
            code=code,
            name=str(m.get("name", code)),
            codes=_codes(m.get("codes", {}), f"{where}.codes", problems) if "codes" in m else {},
            co_organised=co_organised,
            role=str(role),
        )

    sources = _sources(raw.get("sources"), f"{path}: sources", problems)
    plan = raw.get("analysis_plan") or {}
    if not isinstance(plan, dict):
        problems.append(Problem(f"{path}: analysis_plan", f"is {plan!r}",
                                "a mapping from each primary outcome to its pre-specified method, e.g. visits: its"))
        plan = {}
    primary = parse_primary(raw.get("primary_outcomes"), f"{path}: primary_outcomes", problems)
    outcomes = list(dict.fromkeys(primary.values()))
    title = parse_text(raw.get("title"), f"{path}: title", problems)
    plan_texts = {str(k): parse_text(v, f"{path}: analysis_plan.{k}", problems) for k, v in plan.items()}
    national = parse_national(raw.get("national"), f"{path}: national", problems)
    words = parse_words(raw.get("words"), f"{path}: words", problems)
    columns = raw.get("columns") or {}
    if not isinstance(columns, dict):
        problems.append(Problem(f"{path}: columns", f"is {columns!r}",
                                "a mapping from source kind to {column: [header names]} (docs/sources.md)"))
        columns = {}

    privacy = _privacy(raw.get("privacy"), base, f"{path}: privacy", problems)
    sites_path = p("sites_file") if raw.get("sites_file") else None
    sites: list[Site] = []
    if sites_path is not None:
        sites = _load_sites(sites_path, municipalities, data_start, data_end, problems)

    if problems:
        raise ConfigError(problems)
    return Study(
        path=path,
        title=title if title is not None else Text(""),
        demo=bool(raw.get("demo", False)),
        raw_dir=p("raw_dir"),
        processed_dir=p("processed_dir"),
        reports_dir=p("reports_dir"),
        data_start=data_start,
        data_end=data_end,
        periods=periods,
        covid_windows=tuple(covid),
        municipalities=municipalities,
        primary_outcomes=tuple(str(o) for o in outcomes),
        analysis_plan={k: v for k, v in plan_texts.items() if v is not None},
        sources=sources,
        sites=tuple(sites),
        sites_path=sites_path,
        privacy=privacy,
        sensitivity_windows=sensitivity,
        baseline=baseline,
        national=national,
        primary_by_aim=primary,
        words=words,
        columns=columns,
    )


def _sources(raw: Any, where: str, problems: list[Problem]) -> dict[str, SourceSpec]:
    """``sources:``: kind → ``"pattern"`` (must match files with rows) or ``{pattern: ..., optional: true}``."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(Problem(where, f"is {raw!r}", "a mapping from source kind to a file pattern"))
        return {}
    out: dict[str, SourceSpec] = {}
    _check_keys(raw, dict.fromkeys(SOURCE_KINDS, False), where, problems)
    expected = 'a glob pattern under raw_dir such as "filialer/*.csv", or {pattern: "...", optional: true}'
    for kind, value in raw.items():
        key = f"{where}.{kind}"
        if isinstance(value, dict):
            _check_keys(value, {"pattern": True, "optional": False}, key, problems)
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
    _check_keys(raw, _PRIVACY_KEYS, where, problems)
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


def _load_sites(
    path: Path,
    municipalities: dict[str, Municipality],
    data_start: dt.date | None,
    data_end: dt.date | None,
    problems: list[Problem],
) -> list[Site]:
    raw = _read_yaml(path, problems)
    if raw is None:
        return []
    entries = raw.get("sites")
    if not isinstance(entries, dict) or not entries:
        problems.append(Problem(f"{path}: sites", f"is {entries!r}", "a mapping from site id to its description"))
        return []
    known_codes = {c for m in municipalities.values() for c in m.all_codes}
    sites = []
    names: dict[str, str] = {}
    for site_id, s in entries.items():
        where = f"{path}: sites.{site_id}"
        site_id = str(site_id)
        if not _SLUG.match(site_id):
            problems.append(Problem(where, f"site id {site_id!r}",
                                    "a lower-case slug of letters, digits and _ (e.g. 'mjondalen')",
                                    "Use ASCII: write æ, ø, å as ae, o, a."))
        if not isinstance(s, dict):
            problems.append(Problem(where, f"is {s!r}", "a mapping with name, kind, municipality_code, ..."))
            continue
        _check_keys(s, _SITE_KEYS, where, problems)
        kind = s.get("kind")
        if kind is not None and kind not in KINDS:
            problems.append(Problem(f"{where}.kind", f"{kind!r}", "one of " + ", ".join(KINDS)))
        method = s.get("counting_method", "people_counter")
        if method not in COUNTING_METHODS:
            problems.append(Problem(f"{where}.counting_method", f"{method!r}", "one of " + ", ".join(COUNTING_METHODS)))
        code = str(s.get("municipality_code", "")).strip()
        if "municipality_code" in s and code not in municipalities:
            problems.append(Problem(f"{where}.municipality_code", f"{code!r} is not a municipality of this study",
                                    "the current code of one of: " + ", ".join(
                                        f"{c} {m.name}" for c, m in municipalities.items()),
                                    "Add the municipality to the study file or correct the code."))
        former = s.get("former_municipality_code")
        former = str(former).strip() if former is not None else None
        if former is not None and former not in known_codes:
            problems.append(Problem(f"{where}.former_municipality_code", f"{former!r} is unknown",
                                    "one of the codes listed under the study's municipalities",
                                    "Use the 4-digit code valid before 2020, in quotes."))
        co_org = _date(s.get("co_organised"), f"{where}.co_organised", problems, required=False)
        co_loc = _date(s.get("co_located"), f"{where}.co_located", problems, required=False)
        for label, d in (("co_organised", co_org), ("co_located", co_loc)):
            if d is None:
                continue
            if data_start and d < data_start:
                problems.append(Problem(f"{where}.{label}", f"{d} is before the data start {data_start}",
                                        "a date inside the data period, so there is a before to compare with",
                                        "Check the date, or set data_start earlier if you have older data."))
            if data_end and d > data_end:
                problems.append(Problem(f"{where}.{label}", f"{d} is after the data end {data_end}",
                                        "a date inside the data period"))
        role = s.get("role")
        if role is not None and role not in SITE_ROLES:
            problems.append(Problem(f"{where}.role", f"{role!r}", "one of " + ", ".join(SITE_ROLES)))
            role = None
        elif role == "treated" and co_loc is None:
            problems.append(Problem(f"{where}.role", "is 'treated' but co_located is empty",
                                    "a co_located date for a treated site",
                                    "Give the co-location date, or write role: comparison or role: excluded."))
        elif role == "comparison" and co_loc is not None:
            problems.append(Problem(f"{where}.role", f"is 'comparison' but the site was co-located {co_loc}",
                                    "no co_located date for a comparison site",
                                    "A co-located site cannot be a comparison: write role: treated or excluded."))
        aliases = s.get("aliases") or []
        if isinstance(aliases, str):
            aliases = [aliases]
        for n in [s.get("name"), *aliases]:
            if n is None:
                continue
            key = str(n).strip().casefold()
            if key in names and names[key] != site_id:
                problems.append(Problem(f"{where}", f"the name {n!r} is also used by site {names[key]!r}",
                                        "each name and alias to belong to one site"))
            names[key] = site_id
        pop = s.get("catchment_population")
        if pop is not None and (not isinstance(pop, int) or pop <= 0):
            problems.append(Problem(f"{where}.catchment_population", f"{pop!r}", "a positive whole number"))
            pop = None
        sites.append(
            Site(
                site_id=site_id,
                name=str(s.get("name", site_id)),
                kind=str(kind),
                municipality_code=code,
                former_municipality_code=former,
                co_organised=co_org,
                co_located=co_loc,
                counting_method=str(method),
                aliases=tuple(str(a) for a in aliases),
                catchment_population=pop,
                role=str(role or ""),
                components=parse_components(s.get("components"), f"{where}.components", problems),
            )
        )
    return sites
