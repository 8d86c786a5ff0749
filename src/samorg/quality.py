"""Data-quality summary per raw source: rows read, dropped and why, missing values by status, outages.

The numbers come from the build's manifest (``read_source`` and cleaning decisions) and, when the
processed tables are at hand, from the ``status`` of every missing value in them. The
data-quality report shows the table :func:`summarise` returns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from samorg import columns as C

#: status → column of the summary (SSB's symbols and samorg's reasons)
MISSING_COLUMNS = {
    C.STATUS_NOT_APPLICABLE: "missing_not_applicable",
    C.STATUS_NOT_AVAILABLE: "missing_not_available",
    C.STATUS_CONFIDENTIAL: "missing_confidential",
    C.STATUS_COUNTER_OUTAGE: "missing_counter_outage",
}
COLUMNS = ["kind", "source", "rows_read", "rows_dropped", "dropped_why", "outages_flagged", "shared_rows",
           "values", *MISSING_COLUMNS.values(), "missing_other"]
_DROP_STEPS = {"drop_duplicate_exports": "duplicate export", "drop_duplicate_submissions": "duplicate submission",
               "drop_rows_without_unit": "no municipality number", "drop_duplicate_segments": "duplicate segment",
               "drop_outside_study_period": "outside the study period",
               "drop_areas_outside_catchments": "area outside every catchment"}


def _manifest(source: Any) -> tuple[dict, Path | None]:
    from samorg import store

    if isinstance(source, (str, Path)):
        folder = Path(source)
        manifest = store.read_manifest(folder)
        if manifest is None:
            from samorg.errors import SamorgError

            raise SamorgError(f"{folder}: no readable {store.MANIFEST}. Expected a folder written by the data "
                              "pipeline. Run `samorg data` (or samorg.pipeline.build_processed) first.")
        return manifest.to_dict(), folder
    if isinstance(source, dict):
        return source, None
    return source.to_dict(), None


def _missing(folder: Path) -> pd.DataFrame:
    from samorg import store

    parts = []
    for table, value in (("observations", C.VALUE), ("population", C.POPULATION)):
        path = folder / f"{table}.parquet"
        if not path.is_file():
            continue
        frame = store.read_processed(folder, table)[[C.SOURCE, value, C.STATUS]]
        parts.append(frame.rename(columns={value: "value"}))
    if not parts:
        return pd.DataFrame(columns=["source", *COLUMNS[7:]])
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.assign(source=frame[C.SOURCE].str.split(" + ", regex=False)).explode("source")
    missing = frame["value"].isna()
    kind = frame[C.STATUS].map(MISSING_COLUMNS).fillna("missing_other").where(missing, "values")
    counts = pd.crosstab(frame["source"], kind)
    for col in COLUMNS[7:]:
        if col not in counts:
            counts[col] = 0
    return counts[COLUMNS[7:]].reset_index().rename(columns={"index": "source"})


def summarise(source: Any, *, processed_dir: str | Path | None = None) -> pd.DataFrame:
    """One row per raw file: what was read, dropped and why, flagged, and missing by status.

    Parameters
    ----------
    source
        A processed-data folder (its ``manifest.json`` and tables are read), a
        :class:`samorg.store.Manifest`, or the manifest as a dict.
    processed_dir
        Where the processed tables are, when ``source`` is a manifest; without tables the
        missing-value columns are left empty (NA).

    Returns
    -------
    DataFrame
        ``kind``, ``source`` (path under the raw folder), ``rows_read``, ``rows_dropped``,
        ``dropped_why`` (e.g. ``"60 duplicate export"``), ``outages_flagged`` (counter months or
        hours flagged), ``shared_rows`` (one row reporting for several municipalities), ``values``
        (present values in the processed tables), ``missing_not_applicable`` (``.``),
        ``missing_not_available`` (``..``), ``missing_confidential`` (``:``),
        ``missing_counter_outage``, ``missing_other``; sorted by kind and source.

    Raises
    ------
    SamorgError
        The folder has no manifest.
    """
    manifest, folder = _manifest(source)
    folder = Path(processed_dir) if processed_dir is not None else folder
    rows: dict[str, dict[str, Any]] = {}

    def entry(src: str, kind: str = "") -> dict[str, Any]:
        e = rows.setdefault(src, {"kind": kind, "source": src, "rows_read": 0, "rows_dropped": 0, "_why": {},
                                  "outages_flagged": 0, "shared_rows": 0})
        if kind and not e["kind"]:
            e["kind"] = kind
        return e

    for d in manifest.get("decisions", []):
        src, step, n = str(d.get("source", "")), d.get("step", ""), int(d.get("rows", 0))
        if not src:
            continue
        e = entry(src, d.get("kind", ""))
        if step == "read_source":
            e["rows_read"] += n
        elif step in _DROP_STEPS:
            e["rows_dropped"] += n
            e["_why"][_DROP_STEPS[step]] = e["_why"].get(_DROP_STEPS[step], 0) + n
        elif step == "flag_counter_outages":
            e["outages_flagged"] += n
        elif step == "flag_shared_row":
            e["shared_rows"] += n
    out = pd.DataFrame([{**{k: v for k, v in e.items() if k != "_why"},
                         "dropped_why": "; ".join(f"{n} {why}" for why, n in sorted(e["_why"].items()))}
                        for e in rows.values()], columns=COLUMNS[:7])
    if folder is not None:
        missing = _missing(folder)
        out = out.merge(missing, on="source", how="left")
        for col in COLUMNS[7:]:
            out[col] = out[col].fillna(0).astype("int64")
    else:
        for col in COLUMNS[7:]:
            out[col] = pd.array([pd.NA] * len(out), dtype="Int64")
    out = out.astype({"kind": "str", "source": "str", "rows_read": "int64", "rows_dropped": "int64",
                      "dropped_why": "str", "outages_flagged": "int64", "shared_rows": "int64"})
    return out[COLUMNS].sort_values(["kind", "source"], ignore_index=True)
