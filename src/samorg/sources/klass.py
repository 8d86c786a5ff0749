"""SSB's classification of municipalities (KLASS 131): code lists, change tables and the 1994–2024 grouping.

Formats (see ``../shared/real-formats/README.md``):

* code list ``ssb_kommunekoder_YYYY.csv``: ``;``-separated, quoted, ISO-8859-1; columns code,
  parentCode, level, name, shortName, notes, validFrom, validTo (rows may stop after notes);
  code 9999 "Uoppgitt" is not a municipality.
* change table ``kommuner_med_endringer_fraA_tilB.csv``: cp1252, CRLF; ``kommuner_A;kommuner_B[;splittes]``
  with cells like ``0101 - Halden`` (no-break spaces around the dash in some files). KLASS's own
  ``changes`` export (oldCode, oldName, newCode, newName, changeOccurred) is read too.
* grouping ``kommuner-1994-2024.xlsx``: GRUPPEKODE ``K.3301``, GRUPPETEKST, KODE, TEKST like
  ``Drammen (2020-2023)`` or ``Svelvik (1964-2019)``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from samorg.sources._errors import LayoutError, MissingColumnError, ValueFormatError
from samorg.sources._table import Field, Layout, read_grid
from samorg.sources._text import match_columns, norm_header, parse_datetime, read_records

UNKNOWN_CODE = "9999"
_CODE = re.compile(r"\d{4}")
_CELL = re.compile(r"\s*(\d{3,4})\s*[-–]\s*(.*?)\s*")
_YEAR = re.compile(r"(\d{4})")
_SPAN = re.compile(r"^(.*?)\s*\((\d{4})?\s*-\s*(\d{4})?\)\s*$")

CODE_COLUMNS = {"code": ("code", "kode"), "parent_code": ("parentCode", "overordnetKode"), "level": ("level", "nivå"),
                "name": ("name", "navn"), "short_name": ("shortName", "kortnavn"), "notes": ("notes", "merknad"),
                "valid_from": ("validFrom", "gyldigFra"), "valid_to": ("validTo", "gyldigTil")}
GROUPING = Layout("klass_grouping", (
    Field("group_code", ("GRUPPEKODE", "Gruppekode"), required=True),
    Field("group_name", ("GRUPPETEKST", "Gruppetekst"), required=True),
    Field("code", ("KODE", "Kode"), required=True),
    Field("name", ("TEKST", "Tekst"), required=True),
), sheet_names=("Ark1", "Sheet1"))


def _year_of(path: Path, year: int | None) -> int | None:
    if year is not None:
        return int(year)
    years = _YEAR.findall(path.name)
    return int(years[-1]) if len(years) == 1 else None


def _code(raw: str, path: Path, row: int, column: str) -> str:
    s = str(raw).strip()
    if re.fullmatch(r"\d{3}", s):
        s = "0" + s
    if not _CODE.fullmatch(s):
        raise ValueFormatError(path, row=row, column=column, found=f"{raw!r} is not a municipality number",
                               expected="four digits such as 0301 or 3024",
                               fix="Download the classification again from SSB (KLASS 131); do not edit it by hand.")
    return s


def _date(raw: str, path: Path, row: int, column: str) -> pd.Timestamp:
    if not str(raw).strip():
        return pd.NaT
    try:
        return pd.Timestamp(parse_datetime(raw))
    except ValueError:
        raise ValueFormatError(path, row=row, column=column, found=f"{raw!r} is not a date",
                               expected="a date such as 2020-01-01") from None


def read_klass_codes(path: str | Path, *, year: int | None = None, include_unknown: bool = False,
                     encoding: str | None = None) -> pd.DataFrame:
    """Read a KLASS 131 code list (municipalities valid in one year).

    Parameters
    ----------
    path
        The ``;``-separated export (ISO-8859-1/cp1252 or UTF-8).
    year
        The year the list is for; by default the 4-digit year in the file name.
    include_unknown
        Keep code 9999 "Uoppgitt" (not a municipality); by default it is dropped and the drop is
        listed in ``attrs["dropped"]``.
    encoding
        Override encoding detection.

    Returns
    -------
    DataFrame
        ``code`` (4-digit str), ``name``, ``short_name``, ``parent_code``, ``level``, ``notes``,
        ``valid_from``, ``valid_to`` (datetime64; ``valid_from`` is 1 January of ``year`` when the
        file leaves it blank, ``valid_to`` NaT when open), ``year`` (Int64), ``source``, ``row``.
        Names keep their Norwegian and Sámi letters. The file is not modified.

    Raises
    ------
    SourceFormatError
        A subclass naming the cell: no code or name column, a code that is not four digits, a code
        twice, an unreadable date; an empty, truncated or mis-encoded file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ssb_kommunekoder_2020.csv"
    >>> _ = p.write_bytes('"code";"name"\\n"3014";"Indre Østfold"\\n"9999";"Uoppgitt"\\n'.encode("latin-1"))
    >>> read_klass_codes(p)[["code", "name", "year"]].to_dict("records")
    [{'code': '3014', 'name': 'Indre Østfold', 'year': 2020}]
    """
    path = Path(path)
    rec = read_records(path, encoding=encoding)
    (hrow, header), rows = rec.rows[0], rec.rows[1:]
    cols = match_columns(header, CODE_COLUMNS)
    for need in ("code", "name"):
        if need not in cols:
            raise MissingColumnError(path, row=hrow, column=need, found="no column for " + need + "; the columns are "
                                     + ", ".join(repr(h) for h in header),
                                     expected="a KLASS code list with columns code and name (" + ";".join(
                                         a[0] for a in CODE_COLUMNS.values()) + ")")
    year = _year_of(path, year)
    out, dropped, seen = [], [], {}
    for n, r in rows:
        def get(name: str) -> str:
            i = cols.get(name)
            return r[i].strip() if i is not None and i < len(r) else ""

        code = _code(get("code"), path, n, header[cols["code"]])
        if code in seen:
            raise ValueFormatError(path, row=n, column=header[cols["code"]],
                                   found=f"code {code} a second time (first in row {seen[code]})",
                                   expected="each code once")
        seen[code] = n
        if code == UNKNOWN_CODE and not include_unknown:
            dropped.append({"row": n, "code": code, "reason": f'{code} "{get("name")}" is not a municipality'})
            continue
        valid_from = _date(get("valid_from"), path, n, "validFrom")
        if pd.isna(valid_from) and year is not None:
            valid_from = pd.Timestamp(year, 1, 1)
        out.append({"code": code, "name": get("name"), "short_name": get("short_name"),
                    "parent_code": get("parent_code"), "level": get("level"), "notes": get("notes"),
                    "valid_from": valid_from, "valid_to": _date(get("valid_to"), path, n, "validTo"),
                    "year": year, "source": str(path), "row": n})
    columns = ["code", "name", "short_name", "parent_code", "level", "notes", "valid_from", "valid_to", "year",
               "source", "row"]
    frame = pd.DataFrame(out, columns=columns)
    frame = frame.astype({c: "str" for c in ("code", "name", "short_name", "parent_code", "level", "notes", "source")}
                         | {"valid_from": "datetime64[us]", "valid_to": "datetime64[us]", "year": "Int64",
                            "row": "int64"})
    frame.attrs.update(encoding=rec.encoding, dropped=dropped)
    return frame


def split_cell(raw: str, path: Path, row: int, column: str) -> tuple[str, str]:
    """``"0101 - Halden"`` (no-break spaces allowed) → ``("0101", "Halden")``; a bare code → (code, "")."""
    s = re.sub(r"[\s\u00a0]+", " ", str(raw)).strip()
    if not s:
        return "", ""
    m = _CELL.fullmatch(s)
    if m:
        return _code(m[1], path, row, column), m[2]
    return _code(s, path, row, column), ""


def read_klass_changes(path: str | Path, *, encoding: str | None = None) -> pd.DataFrame:
    """Read a KLASS 131 change table between two years.

    Parameters
    ----------
    path
        ``kommuner_med_endringer_fraA_tilB.csv`` (cp1252, CRLF, ``kommuner_A;kommuner_B[;splittes]``,
        cells ``0101 - Halden``) or KLASS's ``changes`` export (oldCode, oldName, newCode, newName,
        changeOccurred).
    encoding
        Override encoding detection.

    Returns
    -------
    DataFrame
        ``old_code``, ``old_name``, ``new_code``, ``new_name`` (str), ``from_year``, ``to_year``
        (Int64: the two code lists compared; the change took effect on 1 January of a year after
        ``from_year``, at the latest ``to_year``), ``split`` (bool: the old municipality was divided
        between several new ones), ``kind`` (``renumber``, ``merge``, ``split``, ``name``), ``source``,
        ``row``. The file is not modified.

    Raises
    ------
    SourceFormatError
        A subclass naming the cell: an unknown layout, a cell without a 4-digit code, a ``splittes``
        flag other than 0/1; an empty, truncated or mis-encoded file.
    """
    path = Path(path)
    rec = read_records(path, encoding=encoding)
    (hrow, header), rows = rec.rows[0], rec.rows[1:]
    normed = [norm_header(h) for h in header]
    years = [(i, int(m[1])) for i, h in enumerate(normed) if (m := re.fullmatch(r"kommuner_(\d{4})", h))]
    api = {k: normed.index(k.casefold()) for k in ("oldCode", "oldName", "newCode", "newName", "changeOccurred")
           if k.casefold() in normed}
    records = []
    if len(years) == 2:
        (i_old, y_old), (i_new, y_new) = years
        i_split = normed.index("splittes") if "splittes" in normed else None
        for n, r in rows:
            old_code, old_name = split_cell(r[i_old] if i_old < len(r) else "", path, n, header[i_old])
            new_code, new_name = split_cell(r[i_new] if i_new < len(r) else "", path, n, header[i_new])
            flag = None
            if i_split is not None:
                raw = r[i_split].strip() if i_split < len(r) else ""
                if raw not in ("0", "1", ""):
                    raise ValueFormatError(path, row=n, column=header[i_split], found=f"{raw!r}",
                                           expected="0 or 1 (1 = the municipality was split)",
                                           fix="Download the change table again from SSB (KLASS 131).")
                flag = raw == "1"
            records.append((old_code, old_name, new_code, new_name, y_old, y_new, flag, n))
    elif {"oldCode", "newCode"} <= set(api):
        for n, r in rows:
            def get(k: str) -> str:
                return r[api[k]].strip() if k in api and api[k] < len(r) else ""
            when = _date(get("changeOccurred"), path, n, "changeOccurred")
            y = None if pd.isna(when) else when.year
            records.append((_code(get("oldCode"), path, n, "oldCode") if get("oldCode") else "", get("oldName"),
                            _code(get("newCode"), path, n, "newCode") if get("newCode") else "", get("newName"),
                            None if y is None else y - 1, y, None, n))
    else:
        raise LayoutError(path, row=hrow, column=None, found="a header of " + ", ".join(repr(h) for h in header),
                          expected="kommuner_YYYY;kommuner_YYYY[;splittes] or KLASS's oldCode;...;newCode;... columns")
    frame = pd.DataFrame(records, columns=["old_code", "old_name", "new_code", "new_name", "from_year", "to_year",
                                           "split", "row"])
    if frame.empty:
        from samorg.sources._errors import EmptyFileError

        raise EmptyFileError(path, row=2, found="a header and no changes", expected="one row per changed municipality")
    fan_out = frame.groupby("old_code")["new_code"].transform("nunique")
    fan_in = frame.groupby("new_code")["old_code"].transform("nunique")
    split = frame["split"].where(frame["split"].notna(), fan_out > 1).astype(bool)
    kind = pd.Series("renumber", index=frame.index)
    kind[fan_in > 1] = "merge"
    kind[split] = "split"
    kind[(frame["old_code"] == frame["new_code"]) & ~split & (fan_in == 1)] = "name"
    out = frame.assign(split=split, kind=kind, source=str(path))
    out = out[["old_code", "old_name", "new_code", "new_name", "from_year", "to_year", "split", "kind", "source", "row"]]
    out = out.astype({"old_code": "str", "old_name": "str", "new_code": "str", "new_name": "str", "from_year": "Int64",
                      "to_year": "Int64", "split": "bool", "kind": "str", "source": "str", "row": "int64"})
    out.attrs.update(encoding=rec.encoding)
    return out


def read_klass_grouping(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read SSB's grouping of every municipality code used 1994–2024 into the 2024 municipalities (XLSX or CSV).

    Returns
    -------
    DataFrame
        ``group_code`` (``"3301"``; non-municipal groups as written after ``K.``: ``21-22``, ``23``,
        ``Rest``), ``group_name``, ``code`` (as written, e.g. ``0716u`` for a code SSB reused),
        ``name`` (without the years), ``first_year``, ``last_year`` (Int64, from ``(2020-2023)``,
        ``(-2019)``, ``(1964-2019)``; NA where open), ``current`` (no years: valid in 2024),
        ``source``, ``row``. The file is not modified.

    Raises
    ------
    SourceFormatError
        A subclass naming the cell: the four columns are on no sheet (or not on ``sheet``), a year
        span cannot be read; a damaged workbook.
    """
    from samorg.sources._table import parse_cell

    path = Path(path)
    aliases = {f.name: f.aliases for f in GROUPING.fields}
    grid = read_grid(path, aliases, tuple(aliases), sheet=sheet, sheet_names=GROUPING.sheet_names)
    cols = match_columns(grid.header, aliases)
    out = []
    for n, cells in grid.rows[grid.header_index + 1:]:
        vals = {k: parse_cell(cells[i] if i < len(cells) else None, GROUPING.field(k), path, n, grid.header[i])
                for k, i in cols.items()}
        code = vals["code"]
        if re.fullmatch(r"\d{1,3}", code):
            code = code.zfill(4)
        group = re.sub(r"^K\.", "", vals["group_code"])
        name, first, last = vals["name"], None, None
        m = _SPAN.match(name)  # names may hold other parentheses: "Våler (Østfold) (2020-2023)"
        if m:
            name = m[1]
            first = int(m[2]) if m[2] else None
            last = int(m[3]) if m[3] else None
        out.append({"group_code": group, "group_name": vals["group_name"], "code": code, "name": name,
                    "first_year": first, "last_year": last, "current": m is None, "source": str(path), "row": n})
    if not out:
        from samorg.sources._errors import EmptyFileError

        raise EmptyFileError(path, row=grid.header_row + 1, found="a header and no codes", expected="one row per code")
    frame = pd.DataFrame(out)
    return frame.astype({"group_code": "str", "group_name": "str", "code": "str", "name": "str", "first_year": "Int64",
                         "last_year": "Int64", "current": "bool", "source": "str", "row": "int64"})
