"""Study-aware entry points: the model a report fits for a site, one call away in a notebook.

:func:`fit_site` takes the study (its file or the loaded :class:`~samorg.config.Study`) and a site id,
and applies everything the study file says about the design: the intervention date from the site
registry, the washout windows, the comparison sites (role ``comparison``) as a control series, and
optionally the study's sensitivity windows. The site report calls the same function, so a researcher
who runs it gets the number the report prints.

>>> import samorg
>>> result = samorg.fit_site("config/demo/study.yaml", "askim")  # doctest: +SKIP
>>> print(result.sentence(lang="en", outcome_label="visits"))  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from samorg import columns as C
from samorg.config import Municipality, Site, Study, load_study
from samorg.errors import SamorgError

log = logging.getLogger("samorg.analysis")

__all__ = [
    "ESTIMANDS",
    "Estimand",
    "NoEstimateError",
    "comparison_series",
    "comparison_sites",
    "estimand",
    "fit_site",
    "primary_family",
    "intervention",
    "site_series",
    "washout_caveats",
]

#: Name of the control column in the data handed to ``its()``; results name it in their sentences.
CONTROL = {"nb": "sammenligningsstedene", "en": "the comparison sites"}


class NoEstimateError(SamorgError):
    """The study's design gives no effect to estimate for this site (and the message says why)."""

    def __init__(self, message: str, *, reason: str):
        self.reason = reason
        super().__init__(message)


def _study(study: Study | str | Path) -> Study:
    return study if isinstance(study, Study) else load_study(study)


def intervention(site: Site) -> tuple[str, dt.date] | None:
    """The change a site's time series is interrupted by: ``("co_located", date)``, or ``None``.

    Only sites with role ``treated`` (a co-location date in the registry) have one; a site that was
    co-organised but never co-located is a comparison, and is described, not given an effect.
    """
    if site.role == "treated" and site.co_located:
        return "co_located", site.co_located
    return None


#: What a site's data can estimate (EVIDENCE.md §1), by the registry's dates and roles.
ESTIMANDS = ("co_location", "bundle", "comparison", "service_centre", "excluded")


@dataclass(frozen=True)
class Estimand:
    """What a site's data can estimate, and against which comparison sites (EVIDENCE.md §1).

    ``kind`` is one of :data:`ESTIMANDS`:

    - ``co_location``: co-located *after* its municipality was co-organised; the effect of co-location
      given co-organisation, against the municipality's own comparison sites (co-organised on the same
      date, not co-located). When the municipality has none, sites elsewhere are used and
      ``comparison_outside`` says so.
    - ``bundle``: co-located on (or before) the municipality's co-organisation date; merger (when the
      municipality's codes changed that year), co-organisation and co-location cannot be separated;
      only comparison sites outside the municipality can serve (none may exist).
    - ``comparison``: never co-located; it *is* a comparison, and is described, not given an effect.
    - ``service_centre``/``excluded``: described only.
    """

    kind: str
    site: Site
    comparison: tuple[Site, ...] = ()
    municipality: Municipality | None = None
    merged: bool = False
    comparison_outside: bool = False

    @property
    def has_effect(self) -> bool:
        """Whether the design gives this site an effect to estimate."""
        return self.kind in ("co_location", "bundle")


def _merged_in(muni: Municipality | None, year: int) -> bool:
    """Whether the municipality was formed by a merger in ``year`` (several codes before, one from then on)."""
    if muni is None or year not in muni.codes:
        return False
    earlier = [y for y in muni.codes if y < year]
    return bool(earlier) and len(muni.codes[max(earlier)]) > 1


def estimand(study: Study, site: Site | str) -> Estimand:
    """The site's estimand and comparison sites, derived from the registry (EVIDENCE.md §1)."""
    unit = study.site(site) if isinstance(site, str) else site
    muni = study.municipalities.get(unit.municipality_code)
    if unit.role == "comparison":
        return Estimand("comparison", unit, municipality=muni)
    if unit.role == "excluded" or not unit.co_located:
        return Estimand("service_centre" if unit.kind == "service_centre" else "excluded", unit, municipality=muni)
    pool = [s for s in study.sites if s.role == "comparison" and s.site_id != unit.site_id
            and s.kind != "service_centre"]
    inside = tuple(s for s in pool if s.municipality_code == unit.municipality_code)
    outside = tuple(s for s in pool if s.municipality_code != unit.municipality_code)
    organised = muni.co_organised if muni is not None else None
    if organised is not None and unit.co_located <= organised:
        return Estimand("bundle", unit, outside, muni, merged=_merged_in(muni, organised.year),
                        comparison_outside=True)
    if inside:
        return Estimand("co_location", unit, inside, muni)
    return Estimand("co_location", unit, outside, muni, comparison_outside=bool(outside))


def comparison_sites(study: Study, site_id: str | None = None) -> tuple[Site, ...]:
    """The comparison sites of ``site_id`` by its estimand; without a site, every comparison site."""
    if site_id is not None:
        return estimand(study, site_id).comparison
    return tuple(s for s in study.sites if s.role == "comparison" and s.kind != "service_centre")


def _monthly(study: Study, indicator: str, site_ids: list[str]) -> pd.DataFrame:
    from samorg.store import read_processed

    # one cached read per indicator (read_processed keeps it per process), a quarter of filtering the whole table
    obs = read_processed(study.processed_dir, "observations", filters=[(C.FREQ, "==", "M"), (C.INDICATOR, "==", indicator)])
    return obs[obs[C.SITE_ID].isin(site_ids)]


def site_series(study: Study | str | Path, site_id: str, indicator: str = "visits") -> pd.DataFrame:
    """One site's monthly series of one indicator, good months only (no outage, no missing value)."""
    s = _study(study)

    def build() -> pd.DataFrame:
        obs = _monthly(s, indicator, [site_id])
        obs = obs[obs[C.STATUS].fillna("") == ""].dropna(subset=[C.VALUE])
        return obs[[C.PERIOD_START, C.VALUE]].sort_values(C.PERIOD_START).reset_index(drop=True)

    return _kept(s, ("site", site_id, indicator), build)


def comparison_series(study: Study | str | Path, site_id: str, indicator: str = "visits", *,
                      lang: str = "nb", leave_out: tuple[str, ...] = ()) -> pd.DataFrame | None:
    """The summed monthly series of the comparison sites; ``None`` when the study has none with data.

    Only months in which every comparison site has a good count are kept, so the sum is comparable
    over time. Columns: ``period_start`` and the summed series, named for the report language
    (``sammenligningsstedene`` / ``the comparison sites``).
    """
    s = _study(study)
    ids = [c.site_id for c in comparison_sites(s, site_id) if c.site_id not in leave_out]
    if not ids:
        return None

    def build() -> pd.DataFrame | None:
        obs = _monthly(s, indicator, ids)
        obs = obs[obs[C.STATUS].fillna("") == ""].dropna(subset=[C.VALUE])
        if obs.empty:
            return None
        counts = obs.groupby(C.PERIOD_START)[C.SITE_ID].nunique()
        complete = counts[counts == obs[C.SITE_ID].nunique()].index
        total = obs[obs[C.PERIOD_START].isin(complete)].groupby(C.PERIOD_START)[C.VALUE].sum()
        return total.rename(CONTROL.get(lang, CONTROL["nb"])).reset_index()

    return _kept(s, ("comparison", tuple(ids), indicator, lang), build)


#: Series built in this process, keyed on the observations file's identity (a rewritten table is a new
#: key) and the arguments. A treated site's report builds the same site and comparison series for its
#: headline and for each sensitivity variant (issue 17); every call returns its own copy.
_SERIES: OrderedDict[tuple, pd.DataFrame | None] = OrderedDict()
_SERIES_SIZE = 32
_SERIES_LOCK = threading.Lock()


def _kept(study: Study, args: tuple, build: Callable[[], pd.DataFrame | None]) -> pd.DataFrame | None:
    """``build()``, or a copy of what it gave before for the same observations file and ``args``."""
    from samorg.store import file_identity

    identity = file_identity(Path(study.processed_dir) / "observations.parquet")
    key = None if identity is None else (identity, *args)
    with _SERIES_LOCK:
        found = key is not None and key in _SERIES
        frame = _SERIES.get(key) if found else None
    if not found:
        frame = build()
        if key is not None:
            with _SERIES_LOCK:
                _SERIES[key] = frame
                while len(_SERIES) > _SERIES_SIZE:
                    _SERIES.popitem(last=False)
    return None if frame is None else frame.copy()


def fit_site(
    study: Study | str | Path,
    site: str,
    indicator: str = "visits",
    *,
    comparison: bool = True,
    washout: bool = True,
    sensitivity: bool = False,
    leave_out: tuple[str, ...] = (),
    lang: str = "nb",
) -> Any:
    """Fit the site's comparative interrupted time series exactly as the site report does.

    Parameters
    ----------
    study
        The study file or a loaded study.
    site
        A site id of the registry with role ``treated``.
    indicator
        The monthly indicator (``visits`` by default).
    comparison
        Use the study's comparison sites as a control series (when it has any).
    washout
        Leave the study's washout windows out of the fit (``washout_windows`` in the study file).
    sensitivity
        Also leave out the study's ``sensitivity_windows``.
    leave_out
        Comparison site ids to leave out of the control series (the leave-one-out robustness check).
    lang
        Language of the window labels carried by the result.

    Returns
    -------
    ITSResult
        From :func:`samorg.models.its`: quasi-Poisson, month-of-year seasonality, a trend, the
        intervention at the registry's co-location date, HAC standard errors.

    Raises
    ------
    NoEstimateError
        The site is not treated (a comparison or excluded site), or has no monthly data.
    ModelError
        The model cannot be fitted (too few months before or after, for example).

    Nothing is modified: the processed tables are only read.
    """
    from samorg.models import its

    s = _study(study)
    unit = s.site(site)
    when = intervention(unit)
    if when is None:
        raise NoEstimateError(
            f"Site {site!r} has role {unit.role!r} in {s.sites_path}: the design gives no effect to estimate "
            "for it (only sites with role 'treated' and a co_located date do); it is described instead.",
            reason="not_treated")
    data = site_series(s, site, indicator)
    if data.empty:
        raise NoEstimateError(f"Site {site!r} has no monthly {indicator!r} in {s.processed_dir}.", reason="no_data")
    control = comparison_series(s, site, indicator, lang=lang, leave_out=leave_out) if comparison else None
    if control is not None:
        data = data.merge(control, on=C.PERIOD_START, how="inner")
    windows = list(s.washout_windows) if washout else []
    if sensitivity:
        windows += list(s.sensitivity_windows)
    return its(
        data,
        outcome=C.VALUE,
        time=C.PERIOD_START,
        intervention=when[1],  # the registry's date, as the site report's model cell passes it
        family="quasipoisson",
        seasonality="month",
        exclude=[w.as_tuple(lang) for w in windows],
        comparison=control.columns[1] if control is not None else None,
        inference="hac",
        caveats=washout_caveats(s) if washout else (),
    )


def washout_caveats(study: Study) -> tuple[str, ...]:
    """The estimators' caveat tags for a study's washout windows (the pandemic caveat when it has any)."""
    return ("covid",) if study.washout_windows else ()


def _family_key(study: Study) -> str:
    """What the primary family's p-values depend on: the processed tables, the study files, samorg's code."""
    import hashlib
    import json

    from samorg.provenance import _file_sha256, code_hash
    from samorg.store import read_manifest

    manifest = read_manifest(study.processed_dir)
    tables = {k: v.get("sha256") for k, v in (manifest.tables if manifest else {}).items()}
    parts = {"tables": tables, "study": _file_sha256(study.path), "sites": _file_sha256(study.sites_path)
             if study.sites_path else None, "code": code_hash()}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:20]


def primary_family(study: Study | str | Path, indicator: str = "visits", *,
                   cached_only: bool = False) -> dict[str, dict[str, Any]]:
    """Holm-adjusted p-values of the primary indicator's headline at every treated site (EVIDENCE.md §5).

    The family is the pre-specified primary indicator across the study's treated sites; each site's
    p-value is that of its headline (the average effect after the washout). Returns
    ``{site_id: {"p": p, "p_holm": adjusted, "estimate", "ci_low", "ci_high", "level", "link",
    "period_start", "period_end"}}`` (the headline itself, so a page that lists the sites need not refit).
    Fitting every site takes a few seconds, so the result is kept in ``processed_dir/.results/`` under a
    key of the processed tables, the study files and samorg's code, written atomically (reports running in
    parallel may share it; one of them fits while the others wait for its file); any change refits.
    ``cached_only=True`` never fits: ``{}`` when nothing is kept.
    """
    import json
    import os
    import tempfile

    s = _study(study)
    folder = s.processed_dir / ".results"
    path = folder / f"primary_{indicator}_{_family_key(s)}.json"
    kept = _read_family(path)
    if kept is not None or cached_only:
        return kept or {}
    # Reports running side by side would each fit every treated site; the first to get here fits, the others
    # wait for its file (a cold cache: 3 report kernels at once in a demo build, ~0.8 s of fitting each).
    with _exclusive(folder / f"{path.stem}.lock"):
        kept = _read_family(path)
        if kept is not None:
            return kept
        out = _fit_family(s, indicator)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(out, fh, sort_keys=True)
            os.replace(tmp, path)
        except OSError:
            pass  # a read-only processed folder: recompute next time
    return out


def _read_family(path: Path) -> dict[str, dict[str, Any]] | None:
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (OSError, ValueError):
        return None


@contextlib.contextmanager
def _exclusive(lock: Path):
    """Hold an exclusive lock on ``lock`` (created if need be) while the block runs; no lock where files cannot
    be locked (no fcntl, a read-only folder): then processes may fit the same family side by side, as before."""
    try:
        import fcntl

        lock.parent.mkdir(parents=True, exist_ok=True)
        fh = open(lock, "a")  # noqa: SIM115 - closed below, which also releases the lock
    except (ImportError, OSError):
        yield
        return
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)  # released when the holder ends, even if it is killed
        yield
    finally:
        fh.close()


def _fit_family(s: Study, indicator: str) -> dict[str, dict[str, Any]]:
    """Fit every treated site's headline and Holm-adjust their p-values (see :func:`primary_family`)."""
    from samorg.models.adjust import adjust
    from samorg.models.post_effect import post_washout_effect

    effects = {}
    for site in s.sites_with_role("treated"):
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                effects[site.site_id] = post_washout_effect(fit_site(s, site.site_id, indicator))
        except SamorgError:
            continue
        finally:
            # Each fit is the headline of its site's own report, which fits it again and shows its
            # warnings; here they are logged (info: not printed). Printed, they would land in whichever
            # report happened to fill the cache, so a report's output would depend on the run order.
            for w in caught:
                log.info("primary family, %s: %s: %s", site.site_id, w.category.__name__, w.message)
    out: dict[str, dict[str, Any]] = {}
    if effects:
        adjusted = adjust(list(effects.values()), method="holm")
        for (site_id, eff), p_holm in zip(effects.items(), adjusted["p_adjusted"]):
            out[site_id] = {"p": float(eff.p_value), "p_holm": float(p_holm), "estimate": float(eff.estimate),
                            "ci_low": float(eff.ci_low), "ci_high": float(eff.ci_high), "level": float(eff.level),
                            "link": str(eff.link), "period_start": str(eff.period_start)[:10],
                            "period_end": str(eff.period_end)[:10]}
    return out
