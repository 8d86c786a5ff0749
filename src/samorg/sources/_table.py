"""One engine for the branch-level exports: a declared layout read from CSV or XLSX into typed columns.

A :class:`Layout` names each canonical column, the header names it goes by (aliases), its kind
(text, number, count, date, datetime, month, time, yesno) and whether it is required. A
researcher adds header names through a mapping (``columns=`` on each reader, or the ``columns:``
section of the study configuration), never by editing code. The engine finds the header row
(also below a title block, and on any sheet of a workbook), reads every cell through its kind's
parser and reports the first problem with file, row, column, what was found, what was expected
and the fix.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from samorg.sources._errors import (EmptyFileError, LayoutError, MappingError, MissingColumnError,
                                    SheetNotFoundError, TruncatedFileError, ValueFormatError)
from samorg.sources._text import excel_serial, in_range, norm_header, parse_datetime, parse_month, parse_number, \
    read_records

XLSX_SUFFIXES = (".xlsx", ".xlsm")
HEADER_SEARCH_ROWS = 30
YES = {"ja", "j", "yes", "y", "1", "true", "sann", "x"}
NO = {"nei", "n", "no", "0", "false", "usann"}
_KIND_EXPECTED = {
    "number": "a number such as 12 500 or 162,5",
    "count": "a count such as 12 500 (not negative)",
    "date": "a date such as 24.11.2026",
    "datetime": "a time such as 24.11.2026 13:05",
    "month": "a month such as 2019-01, 01.2019 or januar 2019",
    "time": "a time of day such as 13, 13:15 or 13:00-14:00",
    "yesno": "Ja or Nei",
}
_DTYPES = {"text": "str", "number": "float64", "count": "float64", "date": "datetime64[us]",
           "datetime": "datetime64[us]", "month": "datetime64[us]", "time": "object", "yesno": "boolean"}


@dataclass(frozen=True)
class Field:
    """One canonical column of a layout."""

    name: str
    aliases: tuple[str, ...]
    kind: str = "text"
    required: bool = False
    expected: str = ""
    doc: str = ""


@dataclass(frozen=True)
class Layout:
    """The expected layout of one kind of export (documented in docs/sources.md)."""

    kind: str
    fields: tuple[Field, ...]
    sheet_names: tuple[str, ...] = ()
    extra: tuple[str, ...] = field(default=())  # canonical names a mapping may add beyond fields (survey items)

    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def merge_aliases(layout: Layout, columns: Mapping[str, str | Sequence[str]] | None, path: Path | str) -> dict[str, tuple[str, ...]]:
    """Canonical name → header names, the researcher's names (``columns``) tried before the built-in ones."""
    aliases = {f.name: f.aliases for f in layout.fields}
    for name, extra in (columns or {}).items():
        if name not in aliases and name not in layout.extra:
            raise MappingError(path, found=f"the column mapping names {name!r}, which {layout.kind} exports do not "
                               "have", expected="one of " + ", ".join(repr(n) for n in (*aliases, *layout.extra)),
                               column=str(name))
        names = (extra,) if isinstance(extra, str) else tuple(str(e) for e in extra)
        aliases[name] = names + aliases.get(name, ())
    return aliases


# ---------------------------------------------------------------- raw grids

def _xlsx_sheets(path: Path) -> dict[str, list[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl and zipfile raise many kinds for a damaged archive
        if path.stat().st_size == 0:
            raise EmptyFileError(path, row=1, found="the file is empty", expected="an XLSX workbook") from None
        raise TruncatedFileError(path, row=1, found=f"the workbook cannot be opened ({type(exc).__name__}: {exc})",
                                 expected="a complete XLSX workbook") from None
    sheets: dict[str, list[tuple[int, list[Any]]]] = {}
    try:
        for name in wb.sheetnames:
            rows = []
            for n, r in enumerate(wb[name].iter_rows(values_only=True), start=1):
                cells = list(r)
                if any(c is not None and str(c).strip() != "" for c in cells):
                    rows.append((n, cells))
            sheets[name] = rows
    except Exception as exc:
        raise TruncatedFileError(path, row=1, found=f"the workbook cannot be read ({type(exc).__name__}: {exc})",
                                 expected="a complete XLSX workbook") from None
    finally:
        wb.close()
    return sheets


def is_xlsx(path: Path) -> bool:
    if path.suffix.lower() in XLSX_SUFFIXES:
        return True
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _header_score(cells: list[Any], aliases: dict[str, tuple[str, ...]]) -> set[str]:
    present = {norm_header(c) for c in cells if c is not None}
    return {name for name, alts in aliases.items() if any(norm_header(a) in present for a in alts)}


def _find_header(rows: list[tuple[int, list[Any]]], aliases: dict[str, tuple[str, ...]],
                 required: tuple[str, ...]) -> tuple[int | None, int, set[str]]:
    """(index of the header row or None, index of the best row, names matched in the best row)."""
    best, best_found = 0, set()
    for i, (_, cells) in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = _header_score(cells, aliases)
        if set(required) <= found and found:
            return i, i, found
        if len(found) > len(best_found):
            best, best_found = i, found
    return None, best, best_found


@dataclass
class Grid:
    """The rows of the sheet or file holding the data, the header's position, and how it was read."""

    rows: list[tuple[int, list[Any]]]
    header_index: int
    sheet: str | None
    encoding: str | None
    ends_with_newline: bool = True

    @property
    def header(self) -> list[str]:
        return ["" if c is None else str(c) for c in self.rows[self.header_index][1]]

    @property
    def header_row(self) -> int:
        return self.rows[self.header_index][0]


def _missing_columns(path: Path, rows, best: int, found: set[str], aliases, required, sheet: str | None) -> MissingColumnError:
    header = [_shown(str(c)) for c in rows[best][1] if c is not None and str(c).strip()] if rows else []
    missing = [n for n in required if n not in found]
    wanted = "; ".join(f"{n} (as {' / '.join(repr(a) for a in aliases[n][:4])})" for n in missing)
    where = f" on sheet {sheet!r}" if sheet else ""
    return MissingColumnError(path, row=rows[best][0] if rows else 1, column=missing[0],
                              found=f"no column for {', '.join(missing)}{where}; the columns are "
                              + ", ".join(repr(h) for h in header), expected=f"columns {wanted}")


def read_grid(path: Path, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...], *,
              sheet: str | None = None, sheet_names: Sequence[str] = (), encoding: str | None = None,
              sep: str | None = None) -> Grid:
    """Locate the header row (and sheet) of a CSV or XLSX export."""
    if not path.is_file():
        raise EmptyFileError(path, row=1, found="there is no such file", expected="an existing file",
                             fix="Check the path and the study's `sources:` patterns.")
    if is_xlsx(path):
        sheets = _xlsx_sheets(path)
        if sheet is not None and sheet not in sheets:
            raise SheetNotFoundError(path, row=1, found=f"no sheet named {sheet!r}; the sheets are {list(sheets)}",
                                     expected=f"a sheet named {sheet!r}", column=None)
        wanted = {s.casefold() for s in sheet_names}
        order = [sheet] if sheet is not None else sorted(sheets, key=lambda s: s.strip().casefold() not in wanted)
        hits = {}
        for name in sheets:
            i, _, _ = _find_header(sheets[name], aliases, required)
            if i is not None:
                hits[name] = i
        for name in order:
            if name in hits:
                return Grid(sheets[name], hits[name], name, None)
        if sheet is not None and hits:
            other = next(iter(hits))
            raise SheetNotFoundError(path, row=1, found=f"sheet {sheet!r} has no header with the expected columns; "
                                     f"they are on sheet {other!r}", expected=f"the data on sheet {sheet!r}",
                                     fix=f"Pass sheet={other!r} (or leave sheet= out to let samorg find it).")
        if not any(sheets.values()):
            raise EmptyFileError(path, row=1, found="every sheet is empty", expected="a header row and data rows")
        if len(sheets) > 1:
            firsts = {n: [_shown(str(c)) for c in r[0][1] if c is not None][:6] for n, r in sheets.items() if r}
            raise SheetNotFoundError(path, row=1, found="no sheet has a header with the columns "
                                     + ", ".join(required) + f"; the sheets start with {firsts}",
                                     expected="one sheet with the export's header row")
        name = next(iter(sheets))
        _, best, found = _find_header(sheets[name], aliases, required)
        raise _missing_columns(path, sheets[name], best, found, aliases, required, None)
    rec = read_records(path, sep=sep, encoding=encoding)
    i, best, found = _find_header(rec.rows, aliases, required)
    if i is None:
        raise _missing_columns(path, rec.rows, best, found, aliases, required, None)
    return Grid(rec.rows, i, None, rec.encoding, rec.ends_with_newline)


# ---------------------------------------------------------------- cells

def _time_of_day(raw: Any) -> dt.time:
    if isinstance(raw, dt.datetime):
        return raw.time()
    if isinstance(raw, dt.time):
        return raw
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if 0 <= raw < 1 and raw != int(raw):  # Excel fraction of a day
            minutes = round(raw * 24 * 60)
            return dt.time(minutes // 60, minutes % 60)
        if float(raw).is_integer() and 0 <= raw <= 23:
            return dt.time(int(raw))
        raise ValueError(raw)
    s = str(raw).strip().casefold().removeprefix("kl.").removeprefix("kl").strip()
    m = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?(?::\d{2})?(?:\s*[-–]\s*\d{1,2}(?:[:.]\d{2})?(?::\d{2})?)?", s)
    if not m:
        raise ValueError(raw)
    hour, minute = int(m[1]), int(m[2] or 0)
    if hour > 23 or minute > 59:
        raise ValueError(raw)
    return dt.time(hour, minute)


def parse_cell(raw: Any, f: Field, path: Path, row: int, column: str) -> Any:
    """One cell read as ``f.kind``; raises ValueFormatError / DateRangeError naming the cell."""
    blank = raw is None or (isinstance(raw, str) and raw.strip() == "")
    kind = f.kind
    try:
        if kind == "text":
            if blank:
                return ""
            if isinstance(raw, float) and raw.is_integer():
                raw = int(raw)
            if isinstance(raw, dt.datetime):
                return raw.isoformat(sep=" ")
            return str(raw).strip()
        if kind in ("number", "count"):
            value = parse_number(raw)[0]
            if kind == "count" and value < 0:
                raise ValueError(raw)
            return value
        if kind == "yesno":
            if blank:
                return pd.NA
            if isinstance(raw, bool):
                return raw
            key = str(int(raw) if isinstance(raw, (int, float)) and not isinstance(raw, bool) and float(raw).is_integer()
                      else raw).strip().casefold()
            if key in YES:
                return True
            if key in NO:
                return False
            raise ValueError(raw)
        if kind == "time":
            if blank:
                return None
            return _time_of_day(raw)
        if blank:
            if f.required:
                raise ValueError(raw)
            return pd.NaT
        if kind == "month":
            if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                raw = excel_serial(raw)
            value = parse_month(raw)
        else:
            if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                value = excel_serial(raw)
            else:
                value = parse_datetime(raw)
            if kind == "date":
                value = dt.datetime(value.year, value.month, value.day)
    except (ValueError, OverflowError, TypeError):
        what = "is blank" if blank else ("is not a count" if kind == "count" else
                                         {"number": "is not a number", "yesno": "is not yes or no", "time":
                                          "is not a time of day"}.get(kind, "is not a date"))
        raise ValueFormatError(path, row=row, column=column, found=f"{raw!r} {what}",
                               expected=f.expected or _KIND_EXPECTED.get(kind, kind)) from None
    in_range(value, path, row, column, raw)
    return pd.Timestamp(value)


def read_layout(path: str | Path, layout: Layout, *, columns: Mapping[str, str | Sequence[str]] | None = None,
                sheet: str | None = None, encoding: str | None = None, extra_fields: Sequence[Field] = ()) -> pd.DataFrame:
    """Read ``path`` (CSV or XLSX) in ``layout`` into a typed frame, one row per data row.

    Returns the canonical columns (absent optional ones filled with missing values of their type),
    ``source`` (the path as given) and ``row`` (spreadsheet row, header = 1). ``attrs`` holds
    ``encoding``, ``sheet``, ``header_row``, ``columns`` (canonical → header found) and
    ``ignored_columns`` (headers not in the layout).
    """
    path = Path(path)
    fields = tuple(layout.fields) + tuple(extra_fields)
    full = Layout(layout.kind, fields, layout.sheet_names, layout.extra)
    aliases = merge_aliases(full, columns, path)
    required = tuple(f.name for f in fields if f.required)
    grid = read_grid(path, aliases, required, sheet=sheet, sheet_names=layout.sheet_names, encoding=encoding)
    header = grid.header
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        index.setdefault(norm_header(h), i)
    cols: dict[str, int] = {}
    for name, alts in aliases.items():
        for a in alts:
            if norm_header(a) in index:
                cols[name] = index[norm_header(a)]
                break
    shown = {name: _shown(header[i]) for name, i in cols.items()}
    data_rows = grid.rows[grid.header_index + 1:]
    if not data_rows:
        raise EmptyFileError(path, row=grid.header_row, found="a header and no data rows",
                             expected="one or more data rows under the header")
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    records: dict[str, list[Any]] = {f.name: [] for f in fields}
    rows: list[int] = []
    last = len(data_rows) - 1
    for k, (n, cells) in enumerate(data_rows):
        if grid.sheet is None and k == last and not grid.ends_with_newline and len(cells) < width:
            raise TruncatedFileError(path, row=n, found=f"the last row has {len(cells)} of the header's {width} "
                                     "fields and the file ends without a line break",
                                     expected="complete rows")
        extra = [c for c in cells[max(width, len(header)):] if c is not None and str(c).strip()]
        if extra and grid.sheet is None:
            raise ValueFormatError(path, row=n, found=f"{len(cells)} fields where the header has {len(header)} "
                                   f"(extra: {', '.join(repr(c) for c in extra[:3])})",
                                   expected="one field per header column",
                                   fix="Quote text that holds the separator (often a decimal comma in a "
                                   "comma-separated file), or re-export with ';' as separator.")
        for f in fields:
            if f.name not in cols:
                continue
            i = cols[f.name]
            raw = cells[i] if i < len(cells) else None
            records[f.name].append(parse_cell(raw, f, path, n, shown[f.name]))
        rows.append(n)
    frame = pd.DataFrame(index=range(len(rows)))
    for f in fields:
        if f.name in cols:
            values = records[f.name]
        else:
            values = [_blank(f.kind)] * len(rows)
        frame[f.name] = pd.Series(values, dtype=_DTYPES[f.kind]) if f.kind != "time" else pd.Series(values, dtype=object)
    frame["source"] = pd.Series([str(path)] * len(rows), dtype="str")
    frame["row"] = pd.Series(rows, dtype="int64")
    known = set(cols.values())
    frame.attrs.update(encoding=grid.encoding, sheet=grid.sheet, header_row=grid.header_row, columns=shown,
                       ignored_columns=[_shown(h) for i, h in enumerate(header) if i not in known and h.strip()])
    return frame


def _blank(kind: str) -> Any:
    return {"text": "", "number": float("nan"), "count": float("nan"), "yesno": pd.NA, "time": None}.get(kind, pd.NaT)


def _shown(header: str) -> str:
    """A header as printed in messages: line breaks and runs of spaces collapsed, case kept."""
    return re.sub(r"[\s\u00a0]+", " ", header).strip()


def require_nonempty(path: Path, frame: pd.DataFrame, what: str) -> None:
    if frame.empty:
        raise EmptyFileError(path, row=2, found="no data rows", expected=f"one row per {what}")


def layout_error(path: Path, found: str, expected: str, *, row: int | None = 1, column: str | None = None) -> LayoutError:
    return LayoutError(path, found=found, expected=expected, row=row, column=column)
