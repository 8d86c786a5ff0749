"""JSON-stat (SSB's statbank format), versions 2.0 (``class: dataset``) and 1.0 (dataset-keyed)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pandas as pd

from samorg.errors import SourceFormatError


def _as_list(obj: object, size: int, default: object) -> list:
    if obj is None:
        return [default] * size
    if isinstance(obj, list):
        return list(obj) + [default] * (size - len(obj))
    if isinstance(obj, dict):
        out = [default] * size
        for k, v in obj.items():
            out[int(k)] = v
        return out
    return [obj] * size  # one status for every cell


def _categories(dim: dict) -> list[str]:
    index = dim.get("category", {}).get("index")
    if index is None:
        labels = dim.get("category", {}).get("label", {})
        return list(labels)
    if isinstance(index, list):
        return list(index)
    return [k for k, _ in sorted(index.items(), key=lambda kv: kv[1])]


def read_jsonstat(path: str | Path, *, dataset: str | None = None) -> pd.DataFrame:
    """Read a JSON-stat file into a long frame: one column per dimension (category codes), value, status.

    Parameters
    ----------
    path
        JSON-stat 2.0 (``"class": "dataset"``) or 1.0 (``{"dataset": {...}}`` or ``{"<name>": {...}}``).
    dataset
        For 1.0 files holding several datasets, the one to read (default: the first).

    Returns
    -------
    DataFrame
        Columns named by the dimension ids (category codes as str), ``<id>_label`` for each,
        ``value`` (float, NaN where null) and ``status`` (the cell's status symbol such as ``.``,
        ``..`` or ``:``, else ``""``). The file is not modified.

    Raises
    ------
    SourceFormatError
        Not JSON, or not a JSON-stat dataset.
    """
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceFormatError(path, found=f"not valid JSON ({exc})", expected="a JSON-stat document") from None
    if not isinstance(doc, dict):
        raise SourceFormatError(path, found="a JSON array", expected="a JSON-stat object")
    if doc.get("class") == "dataset":
        ds = doc
        ids, sizes, dims = ds.get("id"), ds.get("size"), ds.get("dimension", {})
    else:
        candidates = {k: v for k, v in doc.items() if isinstance(v, dict) and "dimension" in v}
        if not candidates:
            raise SourceFormatError(path, found="no dataset (no 'class: dataset' and no object with 'dimension')",
                                    expected="JSON-stat 2.0 or 1.0")
        ds = candidates.get(dataset) if dataset else next(iter(candidates.values()))
        if ds is None:
            raise SourceFormatError(path, found=f"no dataset {dataset!r}", expected=f"one of {list(candidates)}")
        dims = ds["dimension"]
        ids, sizes = dims.get("id"), dims.get("size")
    if not ids or not sizes or len(ids) != len(sizes):
        raise SourceFormatError(path, found="missing or inconsistent 'id'/'size'", expected="one size per dimension id")
    cats = [_categories(dims[i]) for i in ids]
    labels = [dims[i].get("category", {}).get("label", {}) for i in ids]
    total = 1
    for s in sizes:
        total *= s
    values = _as_list(ds.get("value"), total, None)
    status = _as_list(ds.get("status"), total, "")
    rows = []
    for n, combo in enumerate(itertools.product(*cats)):
        v = values[n]
        rows.append((*combo, *(labels[k].get(c, c) for k, c in enumerate(combo)),
                     float("nan") if v is None else float(v), status[n] or ""))
    columns = [*ids, *(f"{i}_label" for i in ids), "value", "status"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({c: "str" for c in columns if c != "value"})
