"""JSON-stat (SSB's statbank format), versions 2.0 (``class: dataset``) and 1.0 (dataset-keyed)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from samorg.sources._errors import EmptyFileError, LayoutError, TruncatedFileError, ValueFormatError
from samorg.sources._text import parse_number, read_text

MAX_CELLS = 20_000_000


def _layout(path: Path, where: str, found: str, expected: str) -> LayoutError:
    return LayoutError(path, row=None, column=where, found=found, expected=expected,
                       fix="Download the table again as JSON-stat 2.0 (or 1.0) from SSB's statbank.")


def _categories(path: Path, dim_id: str, dim: Any, size: int) -> tuple[list[str], dict[str, str]]:
    where = f"dimension.{dim_id}.category"
    if not isinstance(dim, dict) or not isinstance(dim.get("category", {}), dict):
        raise _layout(path, f"dimension.{dim_id}", f"{type(dim).__name__} where an object was expected",
                      "an object with a 'category'")
    cat = dim.get("category", {})
    labels = cat.get("label", {}) or {}
    if not isinstance(labels, dict):
        raise _layout(path, f"{where}.label", f"a {type(labels).__name__}", "an object of code → label")
    index = cat.get("index")
    if index is None:
        codes = list(labels)
    elif isinstance(index, list):
        codes = index
    elif isinstance(index, dict):
        try:
            order = sorted(index.items(), key=lambda kv: int(kv[1]))
        except (TypeError, ValueError):
            raise _layout(path, f"{where}.index", "positions that are not whole numbers",
                          "an object of code → position (0, 1, ...)") from None
        if [int(v) for _, v in order] != list(range(len(order))):
            raise _layout(path, f"{where}.index", "positions with gaps or repeats", "positions 0, 1, ... once each")
        codes = [k for k, _ in order]
    else:
        raise _layout(path, f"{where}.index", f"a {type(index).__name__}", "a list of codes or an object code → position")
    codes = [str(c) for c in codes]
    if len(codes) != size:
        raise _layout(path, where, f"{len(codes)} categories where 'size' says {size}", "as many categories as the size")
    if len(set(codes)) != len(codes):
        raise _layout(path, where, "a category code twice", "each code once")
    return codes, {c: str(labels.get(c, c)) for c in codes}


def _cells(path: Path, obj: Any, total: int, key: str) -> list[Any] | dict[int, Any] | Any:
    if obj is None or isinstance(obj, (str, int, float)):
        return obj
    if isinstance(obj, list):
        if len(obj) != total:
            raise (TruncatedFileError if len(obj) < total else LayoutError)(
                path, row=None, column=key, found=f"{len(obj)} {key} cells where the dimensions give {total}",
                expected="one cell per combination of categories")
        return obj
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            try:
                i = int(k)
            except (TypeError, ValueError):
                raise _layout(path, key, f"the key {k!r}", "cell positions 0, 1, ...") from None
            if not 0 <= i < total:
                raise _layout(path, key, f"cell position {i}", f"positions 0 to {total - 1}")
            out[i] = v
        return out
    raise _layout(path, key, f"a {type(obj).__name__}", "a list or an object of cells")


def _value(path: Path, v: Any, i: int) -> float:
    if v is None:
        return math.nan
    if isinstance(v, bool):
        raise ValueFormatError(path, row=None, column=f"value[{i}]", found=f"{v!r}", expected="a number or null",
                               fix="Download the table again from SSB's statbank; a missing value is null.")
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return parse_number(v)[0]
    except (ValueError, OverflowError):
        raise ValueFormatError(path, row=None, column=f"value[{i}]", found=f"{v!r} is not a number",
                               expected="a number or null",
                               fix="Download the table again from SSB's statbank; a missing value is null.") from None


def _dataset(path: Path, doc: Any, dataset: str | None) -> tuple[dict, list, list, dict, str]:
    if not isinstance(doc, dict):
        raise _layout(path, "(top level)", f"a JSON {type(doc).__name__}", "a JSON-stat object")
    if doc.get("class") == "dataset":
        ids, sizes, dims = doc.get("id"), doc.get("size"), doc.get("dimension")
        return doc, ids, sizes, dims, "2.0"
    candidates = {k: v for k, v in doc.items() if isinstance(v, dict) and "dimension" in v}
    if not candidates:
        raise _layout(path, "(top level)", "no dataset (no 'class: dataset' and no object with 'dimension')",
                      "JSON-stat 2.0 or 1.0")
    if dataset is not None and dataset not in candidates:
        raise _layout(path, "(top level)", f"no dataset {dataset!r}", f"one of {list(candidates)}")
    name = dataset or next(iter(candidates))
    ds = candidates[name]
    dims = ds["dimension"]
    if not isinstance(dims, dict):
        raise _layout(path, f"{name}.dimension", f"a {type(dims).__name__}", "an object")
    return ds, dims.get("id"), dims.get("size"), dims, "1.0"


def read_jsonstat(path: str | Path, *, dataset: str | None = None, labels: bool = False) -> pd.DataFrame:
    """Read a JSON-stat file into a long frame: one row per cell, one column per dimension, value, status.

    Parameters
    ----------
    path
        JSON-stat 2.0 (``"class": "dataset"``) or 1.0 (``{"dataset": {...}}`` or ``{"<name>": {...}}``).
    dataset
        For 1.0 files holding several datasets, the one to read (default: the first).
    labels
        Add a ``<id>_label`` column per dimension. The labels are always in
        ``attrs["labels"]`` (dimension id → {code: label}).

    Returns
    -------
    DataFrame
        Columns named by the dimension ids holding category codes (str), optionally their labels,
        ``value`` (float, NaN where null) and ``status`` (the cell's status symbol kept as given:
        SSB's ``.`` not applicable, ``..`` not available, ``:`` confidential; ``""`` when none).
        ``attrs``: ``labels``, ``dimension_labels``, ``title``, ``version``, ``updated``, ``roles``.
        The file is not modified.

    Raises
    ------
    SourceFormatError
        A subclass naming the file and the JSON key: not JSON, cut off, not a JSON-stat dataset,
        sizes and categories that disagree, a value that is not a number.

    Examples
    --------
    >>> import tempfile, pathlib, json
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.json"
    >>> _ = p.write_text(json.dumps({"class": "dataset", "id": ["Tid"], "size": [2], "value": [5, None],
    ...     "status": {"1": ":"}, "dimension": {"Tid": {"category": {"index": ["2020", "2021"]}}}}))
    >>> read_jsonstat(p).to_dict("records")
    [{'Tid': '2020', 'value': 5.0, 'status': ''}, {'Tid': '2021', 'value': nan, 'status': ':'}]
    """
    path = Path(path)
    text, _ = read_text(path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        cut = exc.pos >= len(text.rstrip()) - 1 or "Unterminated" in exc.msg
        cls = TruncatedFileError if cut else LayoutError
        raise cls(path, row=exc.lineno, column=None,
                  found=f"{'the document stops' if cut else 'not valid JSON'} ({exc.msg} at line {exc.lineno}, "
                  f"character {exc.colno})", expected="a complete JSON-stat document") from None
    except RecursionError:
        raise LayoutError(path, row=1, found="JSON nested too deep", expected="a JSON-stat document") from None
    ds, ids, sizes, dims, version = _dataset(path, doc, dataset)
    if (not isinstance(ids, list) or not isinstance(sizes, list) or not ids or len(ids) != len(sizes)
            or not all(isinstance(i, str) for i in ids)
            or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in sizes)):
        raise _layout(path, "id/size", f"id {ids!r} and size {sizes!r}", "one whole-number size per dimension id")
    if not isinstance(dims, dict) or any(i not in dims for i in ids):
        raise _layout(path, "dimension", "a dimension id without a description", "an entry in 'dimension' per id")
    if len(set(ids)) != len(ids) or {"value", "status"} & set(ids):
        raise _layout(path, "id", f"the ids {ids}", "distinct dimension ids other than 'value' and 'status'")
    total = math.prod(sizes)
    if total > MAX_CELLS:
        raise _layout(path, "size", f"{total:,} cells", f"at most {MAX_CELLS:,} cells")
    if total == 0:
        raise EmptyFileError(path, row=None, column="size", found="a dataset with no cells", expected="one or more cells")
    cats, labs = [], {}
    for i, s in zip(ids, sizes):
        codes, lab = _categories(path, i, dims[i], s)
        cats.append(codes)
        labs[i] = lab
    if "value" not in ds:
        raise _layout(path, "value", "no 'value'", "the cells' values")
    raw_values = _cells(path, ds.get("value"), total, "value")
    raw_status = _cells(path, ds.get("status"), total, "status")
    if isinstance(raw_values, list):
        values = np.array([_value(path, v, k) for k, v in enumerate(raw_values)], dtype="float64")
    elif isinstance(raw_values, dict):
        values = np.full(total, np.nan)
        for k, v in raw_values.items():
            values[k] = _value(path, v, k)
    else:
        raise _layout(path, "value", f"a single {type(raw_values).__name__}", "a list or an object of cells")
    if raw_status is None:
        status = np.full(total, "", dtype=object)
    elif isinstance(raw_status, (str, int, float)):
        status = np.full(total, str(raw_status), dtype=object)
    else:
        status = np.full(total, "", dtype=object)
        items = enumerate(raw_status) if isinstance(raw_status, list) else raw_status.items()
        for k, s in items:
            status[k] = "" if s is None else str(s)
    columns: dict[str, Any] = {}
    before = 1
    for i, (dim_id, codes) in enumerate(zip(ids, cats)):
        after = math.prod(sizes[i + 1:])
        columns[dim_id] = np.repeat(np.tile(np.array(codes, dtype=object), before), after)
        before *= len(codes)
    frame = pd.DataFrame({k: pd.Series(v, dtype="str") for k, v in columns.items()})
    if labels:
        for dim_id in ids:
            frame[f"{dim_id}_label"] = frame[dim_id].map(labs[dim_id]).astype("str")
    frame["value"] = values
    frame["status"] = pd.Series(status, dtype="str")
    frame.attrs.update(labels=labs, dimension_labels={i: str(dims[i].get("label", i)) for i in ids},
                       title=str(ds.get("label", "")), version=version, updated=str(ds.get("updated", "")),
                       roles=ds.get("role") or dims.get("role") or {})
    return frame

