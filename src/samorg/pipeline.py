"""Raw files → validated processed tables: the one command behind ``samorg data``.

:func:`build_processed` reads every raw file the study's ``sources`` patterns match, cleans them
(:mod:`samorg.clean`), validates them (:mod:`samorg.schemas`) and writes them with a manifest
(:mod:`samorg.store`). What it refuses, rather than publish silently wrong tables:

* a source the reports need left out of ``sources:``, a pattern that matches no file, or files
  that give no rows inside the study period, unless the entry is ``optional: true``
  (:mod:`samorg.sources.inputs`);
* a file matched by ``sources.branch_counts`` that is an export of active borrowers or of hourly counts
  with the opening mode: an error naming the file and the ``sources:`` key to declare it under;
* a row of a site-level export (branch counts, inquiries, surveys) dated outside the study period
  ``data_start``..``data_end``: an error naming file, row, column and value. National files (the
  National Library's statistics, SSB's population) cover more years by nature: their rows outside
  the study's years are left out and listed in the manifest (``drop_outside_study_period``).
  See :mod:`samorg.clean.period`;
* replacing a table that has rows with an empty one (unless ``force``);
* pseudonymising personal data of a real study without a secret key (:mod:`samorg.privacy.keys`).

Every table is built and validated in memory and written to temporary files before any file is
renamed into place (:func:`samorg.store.write_processed`): on any failure the last good tables and
manifest stay byte-identical. The work is skipped when no input, configuration, samorg code,
output library or pseudonym key changed (:func:`samorg.provenance.build_key`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from samorg import clean, provenance, schemas, store
from samorg import columns as C
from samorg._version import __version__
from samorg.config import SOURCE_KINDS
from samorg.privacy.keys import KEY_ENV, PseudonymKey, pseudonym_key
from samorg.sources import (read_branch_counts, read_inquiries, read_jsonstat, read_nb_library_stats,
                            read_qualitative, read_statbank_csv, read_survey, study_column_mapping)
from samorg.sources.inputs import REQUIRED_KINDS, check_branch_files, check_rows, check_sources, find_inputs
from samorg.sources.mapping import COLUMNS_FILE
from samorg.clean.place import borrower_observations, errand_observations, hourly_observations
from samorg.sources.place import read_active_borrowers, read_counter_hours, read_survey_errands
from samorg.sources.surveys import ITEMS
from samorg.store import load_survey_responses  # noqa: F401 - part of this module's API (__all__)

__all__ = ["REQUIRED_KINDS", "SALT_ENV", "SOURCE_KINDS", "build_processed", "input_hashes", "load_site_monthly",
           "load_survey_responses", "sites_table"]

#: the environment variable that may hold the pseudonymisation key (:data:`samorg.privacy.keys.KEY_ENV`)
SALT_ENV = KEY_ENV
#: site-level kinds: the column holding each row's date, and how it is compared with the study period
SITE_LEVEL_DATES = {"branch_counts": ("period_start", "month"), "inquiries": ("timestamp", "datetime"),
                    "surveys": ("date", "date"), "qualitative": ("date", "date"),
                    "counter_hours": ("period_start", "datetime")}


def _rel(path: Path | str, base: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(base).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def input_hashes(study: Any, files: dict[str, list[Path]] | None = None) -> dict[str, str]:
    """sha256 of every raw input (keyed by path under raw_dir) and of the study's config files."""
    hashes = {}
    for paths in (files if files is not None else find_inputs(study)).values():
        for p in paths:
            hashes[_rel(p, study.raw_dir)] = store.sha256_file(p)
    columns_file = Path(study.path).parent / COLUMNS_FILE if getattr(study, "path", None) else None
    for cfg in (getattr(study, "path", None), getattr(study, "sites_path", None), columns_file):
        if cfg is not None and Path(cfg).is_file():
            hashes[f"config:{Path(cfg).name}"] = store.sha256_file(cfg)
    return dict(sorted(hashes.items()))


def _up_to_date(old: store.Manifest | None, hashes: dict[str, str], key: dict, processed_dir: Path) -> bool:
    if old is None or old.inputs != hashes or old.samorg_version != __version__ or old.build_key != key:
        return False
    for table in store.TABLES:
        info = old.tables.get(table)
        path = processed_dir / f"{table}.parquet"
        if info is None or not path.is_file() or store.sha256_file(path) != info.get("sha256"):
            return False
    return True


def _pseudonym_key(study: Any, files: dict[str, list[Path]]) -> PseudonymKey | None:
    """The study's secret key when it has personal data to pseudonymise (inquiries, surveys, quotes); else None."""
    if not (files.get("inquiries") or files.get("surveys") or files.get("qualitative")):
        return None
    privacy = getattr(study, "privacy", None)
    return pseudonym_key(demo=bool(getattr(study, "demo", False)), key_file=getattr(privacy, "key_file", None),
                         study_path=getattr(study, "path", None))


@dataclass
class _Log:
    """What a build read and decided: cleaning decisions, rows read and rows kept per source kind."""

    study: Any
    decisions: list[dict] = field(default_factory=list)
    read: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)
    survey_duplicates: set = field(default_factory=set)  # (source, row) of repeated survey submissions


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
        "qualitative_segments": {C.SITE_ID: "str", C.SOURCE_TYPE: "str", C.DATE: "datetime64[us]",
                                 C.INFORMANT_ROLE: "str", C.INFORMANT_ID: "str", C.THEME: "str", C.AIM: "int64",
                                 C.DIRECTION: "str", C.QUOTE_ID: "str", C.QUOTE: "str", C.CONSENT: "bool",
                                 C.SOURCE: "str"},
    }[table]
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})


def _read_all(kind: str, reader: Any, files: list[Path], log: _Log, **kw: Any) -> list[pd.DataFrame]:
    """Read every file of one kind, recording rows read (data rows, or cells for statbank tables) per file.

    Site-level files are checked against the study period here, file by file, so the message can
    name the column as the file spells it.
    """
    study, frames = log.study, []
    for p in files:
        frame = reader(p, **kw)
        rows = int(frame["row"].nunique()) if "row" in frame else int(len(frame))
        log.read[kind] = log.read.get(kind, 0) + rows
        log.decisions.append({"step": "read_source", "kind": kind, "source": _rel(p, study.raw_dir), "rows": rows,
                              "encoding": frame.attrs.get("encoding") or "", "reason": "rows read from the raw file"})
        for d in frame.attrs.get("dropped", []):
            log.decisions.append({"step": "drop_rows_without_unit", "kind": kind, "source": _rel(p, study.raw_dir),
                                  "rows": 1, "row": int(d["row"]), "reason": d["reason"]})
        for d in frame.attrs.get("shared_rows", []):
            log.decisions.append({
                "step": "flag_shared_row", "kind": kind, "source": _rel(p, study.raw_dir), "rows": 1,
                "row": int(d["row"]), "municipality_code": d["municipality_code"], "covers": d["covers"],
                "reason": f"one row ({d['municipality_name']}) reports for {d['covers']}; kept under "
                          f"{d['municipality_code']}, not divided"})
        if kind in SITE_LEVEL_DATES:
            column, resolution = SITE_LEVEL_DATES[kind]
            clean.check_study_period(frame, column=column, start=study.data_start, end=study.data_end,
                                     resolution=resolution, shown_column=frame.attrs.get("columns", {}).get(column),
                                     study_file=str(study.path))
        frames.append(frame)
    return frames


def _drop_outside_period(frame: pd.DataFrame, kind: str, table: str, year: str, log: _Log) -> pd.DataFrame:
    """National rows outside the study's years: left out, one decision per file (see samorg.clean.period)."""
    study = log.study
    outside = clean.find_years_outside_period(frame, column=year, start=study.data_start, end=study.data_end)
    for src, g in outside.groupby("source", sort=True):
        years = pd.to_numeric(g[year])
        span = f"{years.min()}" if years.min() == years.max() else f"{years.min()}–{years.max()}"
        log.decisions.append({
            "step": "drop_outside_study_period", "kind": kind, "table": table, "source": str(src),
            "rows": int(g["row"].nunique()) if "row" in g else int(len(g)), "years": span,
            "reason": f"a national file covering {span}, outside the study period "
                      f"{study.data_start.year}–{study.data_end.year} (data_start..data_end); "
                      "those rows are not kept"})
    return clean.drop_years_outside_period(frame, column=year, start=study.data_start, end=study.data_end)


def _observations(files: dict[str, list[Path]], log: _Log) -> pd.DataFrame:
    study, decisions, parts = log.study, log.decisions, []
    mapping = study_column_mapping(study)
    if files["branch_counts"]:
        raw = pd.concat(_read_all("branch_counts", read_branch_counts, files["branch_counts"], log,
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
        log.kept["branch_counts"] = int(len(branch))
        parts.append(clean.branch_observations(branch))
    if files["nb_library_stats"]:
        nb = pd.concat(_read_all("nb_library_stats", read_nb_library_stats, files["nb_library_stats"], log,
                                 columns=mapping.get("nb_library_stats")), ignore_index=True)
        nb = _drop_outside_period(_relative_sources(nb, study.raw_dir), "nb_library_stats", "observations",
                                  "year", log)
        log.kept["nb_library_stats"] = int(len(nb))
        parts.append(clean.nb_observations(nb))
    if not parts:
        return _empty("observations")
    return clean.sort_observations(pd.concat(parts, ignore_index=True))


def _inquiries(files: list[Path], log: _Log, salt: str) -> pd.DataFrame:
    study, decisions = log.study, log.decisions
    if not files:
        return _empty("inquiries")
    raw = pd.concat(_read_all("inquiries", read_inquiries, files, log,
                              columns=study_column_mapping(study).get("inquiries")), ignore_index=True)
    raw = _relative_sources(raw, study.raw_dir).pipe(clean.map_site_ids, study.sites)
    decisions.append({"step": "drop_free_text", "table": "inquiries", "column": "note",
                      "rows": int((raw["note"].str.strip() != "").sum()),
                      "reason": "free text may identify people; processed data hold none"})
    decisions.append({"step": "pseudonymise", "table": "inquiries", "column": C.HANDLED_BY, "rows": int(len(raw)),
                      "reason": "staff initials replaced by keyed pseudonyms"})
    log.kept["inquiries"] = int(len(raw))
    return clean.inquiries_table(raw, salt=salt)


def _surveys(files: list[Path], log: _Log, salt: str) -> pd.DataFrame:
    study, decisions = log.study, log.decisions
    if not files:
        return _empty("survey_responses")
    frames = [_relative_sources(f, study.raw_dir) for f in _read_all(
        "surveys", read_survey, files, log, columns=study_column_mapping(study).get("surveys"))]
    wide = pd.concat(frames, ignore_index=True)
    item_cols = [i for i in ITEMS if i in wide]
    wide[item_cols] = wide[item_cols].fillna("")
    dropped = clean.find_duplicate_submissions(wide)
    for r in dropped.itertuples():
        decisions.append({"step": "drop_duplicate_submissions", "table": "survey_responses", "source": r.source,
                          "rows": 1, "row": int(r.row),
                          "reason": "identical to an earlier submission except the respondent number"})
    log.survey_duplicates = {(r.source, int(r.row)) for r in dropped.itertuples()}
    wide = wide.pipe(clean.drop_duplicate_submissions).pipe(clean.map_site_ids, study.sites)
    decisions.append({"step": "drop_free_text", "table": "survey_responses", "column": "comment",
                      "rows": int((wide["comment"].str.strip() != "").sum()),
                      "reason": "free text may identify people; processed data hold none"})
    log.kept["surveys"] = int(len(wide))
    return clean.survey_responses(wide, item_cols, salt=salt)


def _qualitative(files: list[Path], log: _Log, salt: str) -> pd.DataFrame:
    """Coded qualitative segments: quotes kept only with consent and redacted, ids pseudonymised."""
    study, decisions = log.study, log.decisions
    if not files:
        return _empty("qualitative_segments")
    frames = [_relative_sources(f, study.raw_dir) for f in _read_all(
        "qualitative", read_qualitative, files, log, columns=study_column_mapping(study).get("qualitative"))]
    raw = pd.concat(frames, ignore_index=True)
    for r in clean.find_duplicate_segments(raw).itertuples():
        decisions.append({"step": "drop_duplicate_segments", "table": "qualitative_segments", "source": r.source,
                          "rows": 1, "row": int(r.row), "reason": "the same quote id, theme and aim as an earlier row"})
    privacy = getattr(study, "privacy", None)
    names = tuple(getattr(privacy, "names", ()) or ())
    table = clean.qualitative_segments(raw, study.sites, salt=salt, names=names)
    quoted = raw["quote"].astype("str").str.strip() != ""
    decisions.append({"step": "drop_quotes_without_consent", "table": "qualitative_segments", "column": C.QUOTE,
                      "rows": int((quoted & ~raw["consent"].astype("bool")).sum()),
                      "reason": "no consent to quote: the text is dropped, the segment still counts"})
    decisions.append({"step": "redact_quotes", "table": "qualitative_segments", "column": C.QUOTE,
                      "rows": int(table[C.QUOTE].str.contains(clean.REDACTED, regex=False).sum()),
                      "reason": "names, identity numbers, phone numbers and e-mail addresses in quoted text "
                                "replaced by " + clean.REDACTED})
    decisions.append({"step": "pseudonymise", "table": "qualitative_segments", "column": f"{C.QUOTE_ID}, "
                      f"{C.INFORMANT_ID}", "rows": int(len(table)), "reason": "quote ids and informant codes "
                      "replaced by keyed pseudonyms"})
    log.kept["qualitative"] = int(len(table))
    return table


def _place_observations(files: dict[str, list[Path]], log: _Log) -> list[pd.DataFrame]:
    """The optional place exports (samorg.sources.place) as observation rows: active borrowers and hourly
    counts from their own ``sources:`` entries, the errand questions of the surveys."""
    study, parts = log.study, []
    mapping = study_column_mapping(study)
    if files["active_borrowers"]:
        frames = _read_all("active_borrowers", read_active_borrowers, files["active_borrowers"], log,
                           columns=mapping.get("active_borrowers"))
        for p, f in zip(files["active_borrowers"], frames):
            for d in f.attrs.get("outside_catchments", []):
                log.decisions.append({"step": "drop_areas_outside_catchments", "kind": "active_borrowers",
                                      "source": _rel(p, study.raw_dir), "rows": 1, "row": int(d["row"]),
                                      "reason": d["reason"]})
        raw = pd.concat(frames, ignore_index=True)
        raw = _drop_outside_period(_relative_sources(raw, study.raw_dir), "active_borrowers", "observations",
                                   "year", log)
        parts.append(borrower_observations(raw, study.sites))
        log.kept["active_borrowers"] = int(len(parts[-1]))
    if files["counter_hours"]:
        raw = pd.concat(_read_all("counter_hours", read_counter_hours, files["counter_hours"], log,
                                  columns=mapping.get("counter_hours")), ignore_index=True)
        parts.append(hourly_observations(_relative_sources(raw, study.raw_dir), study.sites))
        log.kept["counter_hours"] = int(len(parts[-1]))
    errands = [f for f in (read_survey_errands(p) for p in files["surveys"]) if f.attrs.get("asked")]
    if errands:
        raw = _relative_sources(pd.concat(errands, ignore_index=True), study.raw_dir)
        repeated = [(s, int(r)) in log.survey_duplicates for s, r in zip(raw["source"], raw["row"])]
        parts.append(errand_observations(raw[~pd.Series(repeated, index=raw.index, dtype=bool)], study.sites))
    return [p for p in parts if len(p)]


def _read_statbank(path: Path) -> pd.DataFrame:
    return read_statbank_csv(path) if path.suffix.lower() == ".csv" else read_jsonstat(path)


def _population(files: list[Path], log: _Log) -> pd.DataFrame:
    study = log.study
    if not files:
        return _empty("population")
    frames = _read_all("population", _read_statbank, files, log)
    parts = [clean.population_table(f, source=_rel(p, study.raw_dir)) for f, p in zip(frames, files)]
    table = _drop_outside_period(pd.concat(parts, ignore_index=True), "population", "population", C.YEAR, log)
    log.kept["population"] = int(len(table))
    return table.sort_values([C.MUNICIPALITY_CODE, C.YEAR], kind="stable", ignore_index=True)


def _refuse_emptied(old: store.Manifest | None, tables: dict[str, pd.DataFrame], processed: Path,
                    study: Any) -> None:
    """A table with rows on disk is never replaced by an empty one without ``force``."""
    for name, frame in tables.items():
        before = int((old.tables.get(name) or {}).get("rows", 0)) if old is not None else 0
        if len(frame) == 0 and before > 0 and (processed / f"{name}.parquet").is_file():
            raise store.ProcessedDataError(
                f"{processed / (name + '.parquet')}: this build would replace the table's {before} rows with none "
                f"(its source gave no rows this time). Expected the last good table kept unless emptying it is "
                f"meant. Check `sources:` in {study.path} (a misspelt or removed pattern is the usual cause); to "
                "replace the table with an empty one on purpose, run `samorg data --force`. Nothing was changed.")


def build_processed(study: Any, *, force: bool = False) -> store.Manifest:
    """Build (or confirm up to date) every processed table of ``study``.

    Parameters
    ----------
    study
        A :class:`samorg.config.Study` (``samorg.config.load_study(path)``).
    force
        Rebuild even when the manifest says nothing changed, and allow a table with rows to be
        replaced by an empty one.

    Returns
    -------
    Manifest
        Input hashes, table row counts and hashes, cleaning decisions, the rebuild key and the
        provenance; ``skipped`` tells whether the build was skipped. Raw files are only read.

    Raises
    ------
    ConfigError
        A source the reports need is left out of ``sources:``, a pattern matches no file, a
        source gives no rows inside the study period (unless declared ``optional``), or a
        ``branch_counts`` file is an active-borrowers or hourly-counter export.
    SourceFormatError
        A raw file cannot be read, or a site-level row lies outside the study period
        (:class:`samorg.sources.PeriodError`); file, row and column named.
    DataValidationError
        A table breaks its contract.
    PrivacyError
        Inquiries, surveys or qualitative segments of a study that is not the demo, without a secret
        pseudonymisation key.
    ProcessedDataError
        The processed folder cannot be written, or a table with rows would be emptied.

    On every error the processed tables and manifest already on disk are left byte-identical.

    Examples
    --------
    >>> from samorg.config import load_study  # doctest: +SKIP
    >>> build_processed(load_study("config/demo/study.yaml")).rows("observations")  # doctest: +SKIP
    """
    processed = Path(study.processed_dir)
    files = find_inputs(study)
    check_sources(study, files)
    key = _pseudonym_key(study, files)
    hashes = input_hashes(study, files)
    build_key = {**provenance.build_key(), "pseudonym_key": key.fingerprint if key is not None else None}
    old = store.read_manifest(processed)
    if not force and _up_to_date(old, hashes, build_key, processed):
        old.skipped = True
        return old
    check_branch_files(study, files)  # after the up-to-date check: a build that passed it is never skipped
    store.remove_stale_temporaries(processed)  # left by a build killed mid-write
    log = _Log(study)
    salt = key.value if key is not None else ""
    tables = {
        "sites": sites_table(study),
        "observations": _observations(files, log),
        "inquiries": _inquiries(files["inquiries"], log, salt),
        "survey_responses": _surveys(files["surveys"], log, salt),
        "population": _population(files["population"], log),
        "qualitative_segments": _qualitative(files["qualitative"], log, salt),
    }
    place = _place_observations(files, log)
    if place:
        tables["observations"] = clean.sort_observations(pd.concat([tables["observations"], *place],
                                                                   ignore_index=True))
    check_rows(study, log.kept, log.read)
    for name, frame in tables.items():
        schemas.validate(frame, name)
    if not force:
        _refuse_emptied(old, tables, processed, study)
    manifest = store.Manifest(samorg_version=__version__, study=str(study.path), built_at=store.now_iso(),
                              inputs=hashes, decisions=log.decisions, build_key=build_key,
                              provenance=provenance.provenance(study, hashes))
    return store.write_processed(tables, manifest, processed)


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


