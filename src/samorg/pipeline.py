"""Raw files → validated processed tables: the one command behind ``samorg data``.

:func:`build_processed` reads every raw file the study's ``sources`` patterns match, cleans them
(:mod:`samorg.clean`), validates them (:mod:`samorg.schemas`) and writes them with a manifest
(:mod:`samorg.store`). It skips the work when no input, config or samorg version changed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from samorg import clean, schemas, store
from samorg import columns as C
from samorg._version import __version__
from samorg.sources import (read_branch_counts, read_inquiries, read_jsonstat, read_nb_library_stats,
                            read_statbank_csv, read_survey, study_column_mapping)
from samorg.sources.mapping import COLUMNS_FILE
from samorg.sources.surveys import ITEMS

SOURCE_KINDS = ("nb_library_stats", "branch_counts", "inquiries", "surveys", "population")
SALT_ENV = "SAMORG_PSEUDONYM_SALT"


def _inputs(study: Any) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    for kind in SOURCE_KINDS:
        spec = study.sources.get(kind)
        if spec is None:
            found[kind] = []
            continue
        pattern = spec.pattern
        found[kind] = sorted(p for p in Path(study.raw_dir).glob(pattern)
                             if p.is_file() and not p.name.startswith((".", "~$")) and p.suffix.lower() != ".md")
    return found


def _rel(path: Path | str, base: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(base).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def input_hashes(study: Any) -> dict[str, str]:
    """sha256 of every raw input (keyed by path under raw_dir) and of the study's config files."""
    hashes = {}
    for paths in _inputs(study).values():
        for p in paths:
            hashes[_rel(p, study.raw_dir)] = store.sha256_file(p)
    columns_file = Path(study.path).parent / COLUMNS_FILE if getattr(study, "path", None) else None
    for cfg in (getattr(study, "path", None), getattr(study, "sites_path", None), columns_file):
        if cfg is not None and Path(cfg).is_file():
            hashes[f"config:{Path(cfg).name}"] = store.sha256_file(cfg)
    return dict(sorted(hashes.items()))


def _up_to_date(old: store.Manifest | None, hashes: dict[str, str], processed_dir: Path) -> bool:
    if old is None or old.inputs != hashes or old.samorg_version != __version__:
        return False
    for table in store.TABLES:
        info = old.tables.get(table)
        path = processed_dir / f"{table}.parquet"
        if info is None or not path.is_file() or store.sha256_file(path) != info.get("sha256"):
            return False
    return True


def _salt(study: Any) -> str:
    return os.environ.get(SALT_ENV) or f"samorg:{study.title}"


def _relative_sources(frame: pd.DataFrame, base: Path) -> pd.DataFrame:
    unique = {p: _rel(p, base) for p in frame["source"].unique()}  # resolve each path once, not per row
    return frame.assign(source=frame["source"].map(unique).astype("str"))


def sites_table(study: Any) -> pd.DataFrame:
    """The site registry as a table (DESIGN.md §3); aliases joined by ``" | "``."""
    rows = [{
        C.SITE_ID: s.site_id, C.NAME: s.name, C.KIND: s.kind, C.MUNICIPALITY_CODE: s.municipality_code,
        C.FORMER_MUNICIPALITY_CODE: s.former_municipality_code, C.CO_ORGANISED: s.co_organised,
        C.CO_LOCATED: s.co_located, C.COUNTING_METHOD: s.counting_method,
        C.CATCHMENT_POPULATION: float(s.catchment_population) if s.catchment_population else np.nan,
        C.ALIASES: " | ".join(s.aliases) if s.aliases else np.nan,
    } for s in study.sites]
    frame = pd.DataFrame(rows, columns=list(schemas.SITES.columns))
    for col in (C.CO_ORGANISED, C.CO_LOCATED):
        frame[col] = pd.to_datetime(frame[col]).astype("datetime64[us]")
    for col in (C.SITE_ID, C.NAME, C.KIND, C.MUNICIPALITY_CODE, C.FORMER_MUNICIPALITY_CODE, C.COUNTING_METHOD,
                C.ALIASES):
        frame[col] = frame[col].astype("str")
    frame[C.CATCHMENT_POPULATION] = frame[C.CATCHMENT_POPULATION].astype("float64")
    return frame.sort_values(C.SITE_ID, kind="stable").reset_index(drop=True)


def _empty(table: str) -> pd.DataFrame:
    dtypes = {
        "observations": {C.SITE_ID: "str", C.MUNICIPALITY_CODE: "str", C.PERIOD_START: "datetime64[us]",
                         C.FREQ: "str", C.INDICATOR: "str", C.VALUE: "float64", C.STATUS: "str", C.SOURCE: "str"},
        "inquiries": {C.SITE_ID: "str", C.TIMESTAMP: "datetime64[us]", C.CHANNEL: "str", C.TOPIC: "str",
                      C.RESOLVED_FIRST_CONTACT: "boolean", C.WAIT_MINUTES: "float64", C.HANDLED_BY: "str",
                      C.SOURCE: "str"},
        "survey_responses": {C.RESPONDENT_ID: "str", C.SITE_ID: "str", C.WAVE: "int64", C.DATE: "datetime64[us]",
                             C.ITEM: "str", C.RESPONSE: "Int8", C.DONT_KNOW: "bool", C.WEIGHT: "float64",
                             C.AGE_GROUP: "str", C.SEX: "str"},
        "population": {C.MUNICIPALITY_CODE: "str", C.YEAR: "int64", C.AGE_GROUP: "str", C.POPULATION: "float64",
                       C.STATUS: "str", C.SOURCE: "str"},
    }[table]
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


def _read_all(kind: str, reader: Any, files: list[Path], study: Any, decisions: list[dict], **kw: Any) -> list[pd.DataFrame]:
    """Read every file of one kind, recording rows read (data rows, or cells for statbank tables) per file."""
    frames = []
    for p in files:
        frame = reader(p, **kw)
        rows = int(frame["row"].nunique()) if "row" in frame else int(len(frame))
        decisions.append({"step": "read_source", "kind": kind, "source": _rel(p, study.raw_dir), "rows": rows,
                          "encoding": frame.attrs.get("encoding") or "", "reason": "rows read from the raw file"})
        for d in frame.attrs.get("dropped", []):
            decisions.append({"step": "drop_rows_without_unit", "kind": kind, "source": _rel(p, study.raw_dir),
                              "rows": 1, "row": int(d["row"]), "reason": d["reason"]})
        for d in frame.attrs.get("shared_rows", []):
            decisions.append({"step": "flag_shared_row", "kind": kind, "source": _rel(p, study.raw_dir), "rows": 1,
                              "row": int(d["row"]), "municipality_code": d["municipality_code"], "covers": d["covers"],
                              "reason": f"one row ({d['municipality_name']}) reports for {d['covers']}; kept under "
                                        f"{d['municipality_code']}, not divided"})
        frames.append(frame)
    return frames


def _observations(study: Any, files: dict[str, list[Path]], decisions: list[dict]) -> pd.DataFrame:
    parts = []
    mapping = study_column_mapping(study)
    if files["branch_counts"]:
        raw = pd.concat(_read_all("branch_counts", read_branch_counts, files["branch_counts"], study, decisions,
                                  columns=mapping.get("branch_counts")), ignore_index=True)
        raw = _relative_sources(raw, study.raw_dir)
        dropped = clean.find_duplicate_exports(raw)
        for (src, kept, identical), g in dropped.groupby(["source", "kept_source", "identical"], sort=True):
            decisions.append({"step": "drop_duplicate_exports", "table": "observations", "source": src,
                              "rows": int(len(g)), "kept_source": kept, "identical": bool(identical),
                              "reason": "the same branches and months are already in " + kept})
        branch = (raw.pipe(clean.drop_duplicate_exports)
                  .pipe(clean.map_site_ids, study.sites)
                  .pipe(clean.derive_visits)
                  .pipe(clean.flag_counter_outages))
        for r in branch[branch["counter_outage"]].sort_values(["site_id", "period_start"]).itertuples():
            decisions.append({"step": "flag_counter_outages", "table": "observations", "source": r.source,
                              "rows": 1, "site_id": r.site_id, "period_start": r.period_start.date().isoformat(),
                              "reason": "both counter beams read 0 while the branch was open; "
                                        f"visits set missing with status {C.STATUS_COUNTER_OUTAGE!r}"})
        parts.append(clean.branch_observations(branch))
    if files["nb_library_stats"]:
        nb = pd.concat(_read_all("nb_library_stats", read_nb_library_stats, files["nb_library_stats"], study, decisions,
                                 columns=mapping.get("nb_library_stats")), ignore_index=True)
        parts.append(clean.nb_observations(_relative_sources(nb, study.raw_dir)))
    if not parts:
        return _empty("observations")
    return clean.sort_observations(pd.concat(parts, ignore_index=True))


def _inquiries(study: Any, files: list[Path], decisions: list[dict], salt: str) -> pd.DataFrame:
    if not files:
        return _empty("inquiries")
    raw = pd.concat(_read_all("inquiries", read_inquiries, files, study, decisions,
                              columns=study_column_mapping(study).get("inquiries")), ignore_index=True)
    raw = _relative_sources(raw, study.raw_dir).pipe(clean.map_site_ids, study.sites)
    decisions.append({"step": "drop_free_text", "table": "inquiries", "column": "note",
                      "rows": int((raw["note"].str.strip() != "").sum()),
                      "reason": "free text may identify people; processed data hold none"})
    decisions.append({"step": "pseudonymise", "table": "inquiries", "column": C.HANDLED_BY, "rows": int(len(raw)),
                      "reason": "staff initials replaced by keyed pseudonyms"})
    return clean.inquiries_table(raw, salt=salt)


def _surveys(study: Any, files: list[Path], decisions: list[dict], salt: str) -> pd.DataFrame:
    if not files:
        return _empty("survey_responses")
    frames = [_relative_sources(f, study.raw_dir) for f in _read_all(
        "surveys", read_survey, files, study, decisions, columns=study_column_mapping(study).get("surveys"))]
    wide = pd.concat(frames, ignore_index=True)
    item_cols = [i for i in ITEMS if i in wide]
    wide[item_cols] = wide[item_cols].fillna("")
    dropped = clean.find_duplicate_submissions(wide)
    for r in dropped.itertuples():
        decisions.append({"step": "drop_duplicate_submissions", "table": "survey_responses", "source": r.source,
                          "rows": 1, "row": int(r.row),
                          "reason": "identical to an earlier submission except the respondent number"})
    wide = wide.pipe(clean.drop_duplicate_submissions).pipe(clean.map_site_ids, study.sites)
    decisions.append({"step": "drop_free_text", "table": "survey_responses", "column": "comment",
                      "rows": int((wide["comment"].str.strip() != "").sum()),
                      "reason": "free text may identify people; processed data hold none"})
    return clean.survey_responses(wide, item_cols, salt=salt)


def _read_statbank(path: Path) -> pd.DataFrame:
    return read_statbank_csv(path) if path.suffix.lower() == ".csv" else read_jsonstat(path)


def _population(study: Any, files: list[Path], decisions: list[dict]) -> pd.DataFrame:
    if not files:
        return _empty("population")
    frames = _read_all("population", _read_statbank, files, study, decisions)
    parts = [clean.population_table(f, source=_rel(p, study.raw_dir)) for f, p in zip(frames, files)]
    return pd.concat(parts, ignore_index=True).sort_values([C.MUNICIPALITY_CODE, C.YEAR], kind="stable",
                                                           ignore_index=True)


def build_processed(study: Any, *, force: bool = False) -> store.Manifest:
    """Build (or confirm up to date) every processed table of ``study``.

    Parameters
    ----------
    study
        A :class:`samorg.config.Study` (``samorg.config.load_study(path)``).
    force
        Rebuild even when the manifest says every input is unchanged.

    Returns
    -------
    Manifest
        Input hashes, table row counts and hashes, cleaning decisions; ``skipped`` tells whether
        the build was skipped. Raw files are only read.

    Raises
    ------
    SourceFormatError
        A raw file cannot be read (file, row and column named).
    DataValidationError
        A table breaks its contract.

    Examples
    --------
    >>> from samorg.config import load_study  # doctest: +SKIP
    >>> build_processed(load_study("config/demo/study.yaml")).rows("observations")  # doctest: +SKIP
    """
    processed = Path(study.processed_dir)
    hashes = input_hashes(study)
    old = store.read_manifest(processed)
    if not force and _up_to_date(old, hashes, processed):
        old.skipped = True
        return old
    store.remove_stale_temporaries(processed)  # left by a build killed mid-write
    files = _inputs(study)
    salt = _salt(study)
    decisions: list[dict] = []
    tables = {
        "sites": sites_table(study),
        "observations": _observations(study, files, decisions),
        "inquiries": _inquiries(study, files["inquiries"], decisions, salt),
        "survey_responses": _surveys(study, files["surveys"], decisions, salt),
        "population": _population(study, files["population"], decisions),
    }
    for name, frame in tables.items():
        schemas.validate(frame, name)
    manifest = store.Manifest(samorg_version=__version__, study=str(study.path), built_at=store.now_iso(),
                              inputs=hashes, decisions=decisions)
    for name, frame in tables.items():
        digest = store.write_table(frame, processed / f"{name}.parquet")
        manifest.tables[name] = {"file": f"{name}.parquet", "rows": int(len(frame)), "sha256": digest}
    store.write_manifest(manifest, processed)
    return manifest


def load_site_monthly(processed_dir: str | Path, site_id: str, indicator: str = "visits") -> pd.DataFrame:
    """One site's monthly series of one indicator, for notebooks and models.

    Returns
    -------
    DataFrame
        ``period_start`` (datetime64), ``value`` (float, NaN when missing), ``status`` (why it is
        missing, e.g. ``counter_outage``), sorted by month, index 0..n-1.

    Raises
    ------
    SamorgError
        The site or indicator has no monthly rows (the message lists what there is).
    """
    obs = store.read_processed(processed_dir, "observations")
    part = obs[(obs[C.SITE_ID] == site_id) & (obs[C.FREQ] == "M") & (obs[C.INDICATOR] == indicator)]
    if part.empty:
        from samorg.errors import SamorgError

        sites = sorted(obs.loc[obs[C.FREQ] == "M", C.SITE_ID].dropna().unique())
        inds = sorted(obs.loc[obs[C.FREQ] == "M", C.INDICATOR].unique())
        raise SamorgError(f"No monthly {indicator!r} for site {site_id!r} in {processed_dir}. "
                          f"Sites with monthly data: {', '.join(sites)}. Indicators: {', '.join(inds)}.")
    return part[[C.PERIOD_START, C.VALUE, C.STATUS]].sort_values(C.PERIOD_START).reset_index(drop=True)


def load_survey_responses(processed_dir: str | Path, *, ordered: bool = True) -> pd.DataFrame:
    """The processed survey answers; with ``ordered=True`` ``response`` becomes an ordered categorical.

    The stored ``response`` is a nullable Int8 code 1–5 (``samorg.columns.RESPONSE_LEVELS``; 5 =
    "Svært fornøyd"), missing for "Vet ikke" (``dont_know`` True) and blank answers. ``ordered=True``
    maps the codes to the bokmål labels as an ordered ``Categorical`` (worst → best), as cumulative-link
    models expect. The file is only read.
    """
    frame = store.read_processed(processed_dir, "survey_responses")
    if ordered:
        levels = list(C.RESPONSE_LEVELS.values())
        labels = frame[C.RESPONSE].map(C.RESPONSE_LEVELS, na_action="ignore")
        frame = frame.assign(**{C.RESPONSE: pd.Categorical(labels, categories=levels, ordered=True)})
    return frame
