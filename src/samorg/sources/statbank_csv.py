"""CSV downloads from SSB's statbank (Statistikkbanken, PxWeb): semicolon-separated, Latin-1 or UTF-8.

Two layouts are read, each optionally under a title line and followed by footnote lines:

* long: one column per dimension, then one value column
  (``"region";"statistikkvariabel";"år";"07459: Befolkning"`` / ``"3001 Halden";"Personer";"2022";31444``);
* wide: one column per dimension, then one value column per time (and contents) label
  (``"region";"Personer 2021";"Personer 2022"``).

Dimension cells written as code and label (``"3001 Halden"``) are split into both. Values use a
decimal comma; SSB's symbols are kept as the status of a missing value: ``.`` not applicable,
``..`` not available, ``...`` not yet available, ``:`` confidential; ``-`` is SSB's "nil" (0).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from samorg.sources._errors import EmptyFileError, LayoutError, ValueFormatError
from samorg.sources._text import norm_header, parse_number, read_records

#: dimension labels (bokmål and English) → the ids SSB's JSON-stat uses, so both readers agree
DIMENSION_IDS = {"region": "Region", "statistikkvariabel": "ContentsCode", "contents": "ContentsCode",
                 "år": "Tid", "year": "Tid", "tid": "Tid", "time": "Tid", "måned": "Tid", "month": "Tid",
                 "kvartal": "Tid", "quarter": "Tid", "uke": "Tid", "week": "Tid", "periode": "Tid"}
SYMBOLS = {".": ".", "..": "..", "...": "...", ":": ":"}
_TIME = re.compile(r"(\d{4}(?:[MKHU]\d{1,2}|-\d{2})?)$")
_CODE_LABEL = re.compile(r"([A-Z]{0,3}-?\d[0-9A-Za-z_.-]*)\s+(\S.*)")


def _cell_value(raw: str) -> tuple[float, str]:
    s = re.sub(r"[\s\u00a0]+", "", raw)
    if s in SYMBOLS:
        return np.nan, SYMBOLS[s]
    if s in ("-", "–"):
        return 0.0, ""
    if s == "":
        return np.nan, ".."
    return parse_number(s)[0], ""


def _is_value(raw: str) -> bool:
    try:
        _cell_value(raw)
        return True
    except ValueError:
        return False


def _split_codes(values: list[str]) -> tuple[list[str], list[str]] | None:
    matches = [_CODE_LABEL.fullmatch(v.strip()) for v in values]
    if not values or not all(matches):
        return None
    codes = [m[1] for m in matches]
    pairs = set(zip(codes, (m[2] for m in matches)))
    if len({c for c, _ in pairs}) != len(pairs):
        return None  # one code with two labels: not a code column
    return codes, [m[2] for m in matches]


def read_statbank_csv(path: str | Path, *, labels: bool = False, encoding: str | None = None) -> pd.DataFrame:
    """Read a statbank CSV download into the same long shape as :func:`read_jsonstat`.

    Parameters
    ----------
    path
        The downloaded file (``;``-separated, ISO-8859-1/cp1252 or UTF-8 with or without BOM).
    labels
        Add ``<dimension>_label`` columns (labels are always in ``attrs["labels"]``).
    encoding
        Override encoding detection.

    Returns
    -------
    DataFrame
        One column per dimension named by its JSON-stat id when known (``Region``, ``ContentsCode``,
        ``Tid``; else the header as written) holding codes (``"3001"`` from ``"3001 Halden"``),
        ``value`` (float) and ``status`` (``.``, ``..``, ``...``, ``:`` kept; ``""`` when there is a
        value). ``attrs``: ``title``, ``notes`` (footnote lines), ``layout`` (``long``/``wide``),
        ``labels``. The file is not modified.

    Raises
    ------
    SourceFormatError
        A subclass naming the cell: no header, no value column, a value that is not a number or
        symbol, a row of the wrong length; an empty, truncated or mis-encoded file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "07459.csv"
    >>> _ = p.write_bytes('"region";"år";"Befolkning"\\n"3301 Drammen";"2024";105042\\n"3118 Indre Østfold";"2024";".."\\n'
    ...                   .encode("latin-1"))
    >>> read_statbank_csv(p).to_dict("records")
    [{'Region': '3301', 'Tid': '2024', 'value': 105042.0, 'status': ''}, {'Region': '3118', 'Tid': '2024', 'value': nan, 'status': '..'}]
    """
    path = Path(path)
    rec = read_records(path, encoding=encoding)
    title, notes, hrow, header, body = _table_parts(path, [(n, [c.strip() for c in r]) for n, r in rec.rows])
    width = len(header)
    n_values = _n_value_columns(path, header, body)
    ids = _dimension_ids(path, hrow, header[: width - n_values])
    columns: dict[str, list[str]] = {}
    labs: dict[str, dict[str, str]] = {}
    for k, dim in enumerate(ids):
        cells = [r[k] for _, r in body]
        split = None if dim == "Tid" else _split_codes(cells)
        codes, names = split if split else (cells, cells)
        columns[dim] = codes
        labs[dim] = dict(zip(codes, names))
    if n_values == 1:
        layout = "long"
        frame = pd.DataFrame(columns)
        parsed = [_cell_value(r[-1]) for _, r in body]
        frame["value"] = [v for v, _ in parsed]
        frame["status"] = [s for _, s in parsed]
    else:
        layout = "wide"
        frame = _wide_frame(path, hrow, header, body, columns, n_values)
        for key in (c for c in frame.columns if c not in ("value", "status")):
            labs.setdefault(key, {v: v for v in frame[key].unique()})
    dims = [c for c in frame.columns if c not in ("value", "status")]
    frame = frame.astype({c: "str" for c in dims} | {"value": "float64", "status": "str"})
    if labels:
        for dim in dims:
            frame.insert(frame.columns.get_loc("value"), f"{dim}_label", frame[dim].map(labs[dim]).astype("str"))
    frame.attrs.update(title=" ".join(title), notes=notes, layout=layout, labels=labs, encoding=rec.encoding)
    return frame


def _table_parts(path: Path, rows: list[tuple[int, list[str]]]
                 ) -> tuple[list[str], list[str], int, list[str], list[tuple[int, list[str]]]]:
    """Title lines, footnote lines, the header's row number, the header and the data rows (each as wide as it)."""
    title, notes = [], []
    while rows and sum(1 for c in rows[0][1] if c) < 2:
        title.append(next(c for c in rows[0][1] if c))
        rows.pop(0)
    if not rows:
        raise EmptyFileError(path, row=1, found="title lines and no table", expected="a header row and data rows")
    (hrow, header), body = rows[0], rows[1:]
    while body and sum(1 for c in body[-1][1] if c) < 2 and len(header) > 1:
        notes.insert(0, next(c for c in body[-1][1] if c))
        body.pop()
    if not body:
        raise EmptyFileError(path, row=hrow + 1, found="a header and no data rows", expected="one row per cell or line")
    width = len(header)
    for n, r in body:
        if len(r) != width:
            raise ValueFormatError(path, row=n, found=f"{len(r)} fields where the header has {width}",
                                   expected="one field per header column",
                                   fix="Download the table again as 'semikolonseparert' CSV.")
    return title, notes, hrow, header, body


def _n_value_columns(path: Path, header: list[str], body: list[tuple[int, list[str]]]) -> int:
    """How many columns at the right hold values (numbers or symbols) rather than a dimension; at least one."""
    width = len(header)
    n_values = 0
    for j in range(width - 1, 0, -1):
        key = norm_header(header[j])
        if key in DIMENSION_IDS or not all(_is_value(r[j]) for _, r in body):
            break
        n_values += 1
    if n_values == 0:
        j = width - 1
        bad = next((n, r[j]) for n, r in body if not _is_value(r[j]))
        raise ValueFormatError(path, row=bad[0], column=header[j], found=f"{bad[1]!r} is not a number",
                               expected="a number such as 1234,5, or one of SSB's symbols . .. ... :")
    return n_values


def _dimension_ids(path: Path, hrow: int, dim_cols: list[str]) -> list[str]:
    """The dimension columns' ids: JSON-stat's where known, else the header as written; each once."""
    ids: list[str] = []
    for h in dim_cols:
        dim = DIMENSION_IDS.get(norm_header(h), h.strip() or f"dim{len(ids) + 1}")
        if dim in ids or dim in ("value", "status"):
            raise LayoutError(path, row=hrow, column=h, found=f"two dimensions called {dim!r}",
                              expected="distinct dimension headers")
        ids.append(dim)
    return ids


def _wide_frame(path: Path, hrow: int, header: list[str], body: list[tuple[int, list[str]]],
                columns: dict[str, list[str]], n_values: int) -> pd.DataFrame:
    """The wide layout made long: one block per value column, its time (and contents) taken from its header."""
    width = len(header)
    parts = []
    for j, h in enumerate(header[width - n_values:], start=width - n_values):
        m = _TIME.search(h.strip())
        extra = {}
        if m:
            extra["Tid"] = m[1]
            rest = h.strip()[: m.start()].strip()
            if rest:
                extra["ContentsCode"] = rest
        else:
            extra["ContentsCode"] = h.strip()
        part = pd.DataFrame(columns)
        for key, val in extra.items():
            if key in part:
                raise LayoutError(path, row=hrow, column=h, found=f"{key} both as a column and in the header {h!r}",
                                  expected="each dimension once")
            part[key] = val
        parsed = [_cell_value(r[j]) for _, r in body]
        part["value"] = [v for v, _ in parsed]
        part["status"] = [s for _, s in parsed]
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True)
    keys = [c for c in frame.columns if c not in ("value", "status")]
    return frame[keys + ["value", "status"]]
