"""The National Library's public library statistics per municipality (``folkebibl-YYYY-kommuner.csv``).

One row per municipal library system and a couple of hundred columns whose names change between
years. Every column is either mapped to a samorg indicator id or explicitly ignored in the
catalogue ``samorg/data/nb_indicators.csv`` (``indicator;kind;aggregation;label_en;aliases``;
aliases ``|``-separated, compared after collapsing line breaks and spaces and folding case;
``{year}`` stands for any 4-digit year). A column in neither is an error by default, so no
indicator is silently lost when NB renames one; a researcher adds a name in the study's
``columns: nb_library_stats:`` section (or ``columns=``) instead of editing code.
"""

from __future__ import annotations

import functools
import io
import re
import warnings
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable, Literal, Mapping, Sequence

import pandas as pd

from samorg.sources._errors import LayoutError, UnknownColumnError, UnknownMunicipalityError, ValueFormatError
from samorg.sources._table import Grid, read_grid
from samorg.sources._text import norm_header, parse_number

CATALOGUE = "nb_indicators.csv"
YES_NO = {"ja": 1.0, "nei": 0.0, "1": 1.0, "0": 0.0}
NUMERIC_KINDS = ("count", "hours", "fte", "weeks", "area", "amount")
_YEAR_IN_NAME = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_YEAR_IN_HEADER = re.compile(r"per 1\.1\.(\d{4})")
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
OUTPUT = ["municipality_code", "municipality_name", "year", "indicator", "value", "status", "covers", "source",
          "row", "column"]


@functools.cache
def catalogue() -> pd.DataFrame:
    """The column catalogue: ``indicator`` (``-`` for ignored columns), ``kind``, ``aggregation``, ``label_en``, ``aliases`` (tuple)."""
    text = resources.files("samorg").joinpath("data", CATALOGUE).read_text(encoding="utf-8")
    frame = pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    frame["aliases"] = frame["aliases"].map(lambda s: tuple(a.strip() for a in s.split("|") if a.strip()))
    return frame


def _indicators() -> dict[str, tuple[str, ...]]:
    cat = catalogue()
    part = cat[~cat["kind"].isin(("key", "name", "ignore"))]
    return dict(zip(part["indicator"], part["aliases"]))


#: indicator id → header aliases (the catalogue's indicators; keys and ignored columns left out)
INDICATORS: dict[str, tuple[str, ...]] = _indicators()
CODE_COLUMN = tuple(catalogue().loc[catalogue()["kind"] == "key", "aliases"].iloc[0])
NAME_COLUMN = tuple(catalogue().loc[catalogue()["kind"] == "name", "aliases"].iloc[0])


@dataclass(frozen=True)
class _Entry:
    indicator: str  # "-" for ignored
    kind: str


def _pattern(alias: str) -> re.Pattern[str]:
    return re.compile(re.escape(norm_header(alias)).replace(r"\{year\}", r"\d{4}") + r"\Z")


@functools.cache
def _patterns() -> tuple[tuple[re.Pattern[str], _Entry], ...]:
    cat = catalogue()
    return tuple((_pattern(a), _Entry(r.indicator, r.kind)) for r in cat.itertuples() for a in r.aliases)


def _user_patterns(columns: Mapping[str, str | Sequence[str]] | None, path: Path) -> list[tuple[re.Pattern[str], _Entry]]:
    from samorg.sources._errors import MappingError

    kinds = dict(zip(catalogue()["indicator"], catalogue()["kind"]))
    out = []
    for ind, names in (columns or {}).items():
        names = (names,) if isinstance(names, str) else tuple(names)
        if ind == "ignore":
            out += [(_pattern(n), _Entry("-", "ignore")) for n in names]
            continue
        if not _ID.match(str(ind)):
            raise MappingError(path, column=str(ind), found=f"the indicator id {ind!r}",
                               expected="a lower-case id such as visits or digital_visits (or 'ignore')")
        out += [(_pattern(n), _Entry(str(ind), kinds.get(str(ind), "count"))) for n in names]
    return out


def nb_code(text: object) -> str:
    """A municipality number as written by NB (``3024.0``, ``301.0``, ``0301``) → 4-digit string."""
    value, status = parse_number(text)  # raises ValueError for text
    if status or value != int(value) or not 0 < value < 10000:
        raise ValueError(text)
    return f"{int(value):04d}"


def _shared(name: str, code: str, year: int) -> str:
    """``3803+3811`` for a row named "Tønsberg og Færder" under 3803; ``""`` for a row of one municipality."""
    if " og " not in name:
        return ""
    from samorg.municipalities import valid_codes

    by_name: dict[str, str] = {}
    for c, n in valid_codes(year).items():
        for part in n.split(" - "):
            by_name.setdefault(part.strip().casefold(), c)
    parts = [by_name.get(p.strip().casefold()) for p in name.split(" og ")]
    if len(parts) >= 2 and all(parts) and code in parts:
        return "+".join(sorted(set(parts)))
    return ""


def _year(path: Path, header: list[str], year: int | None) -> int:
    if year is not None:
        return int(year)
    years = {int(m[1]) for h in header if (m := _YEAR_IN_HEADER.search(norm_header(h)))}
    if len(years) != 1:
        found = _YEAR_IN_NAME.findall(path.name)
        years = {int(found[0])} if len(found) == 1 else set()
    if len(years) != 1:
        raise LayoutError(path, row=1, found="no statistics year in the headers or the file name",
                          expected="headers like 'Totalt per 1.1.2020' or a name like folkebibl-2020-kommuner.csv",
                          fix="Pass year= to the reader.")
    return years.pop()


def read_nb_library_stats(path: str | Path | Iterable[str | Path], *, year: int | None = None,
                          columns: Mapping[str, str | Sequence[str]] | None = None,
                          unknown_columns: Literal["error", "warn", "ignore"] = "error",
                          check_codes: bool = True) -> pd.DataFrame:
    """Read the National Library's municipality statistics (one year per file) into long observations.

    Parameters
    ----------
    path
        One file, or several (one per year) to concatenate: CSV as published (comma-separated UTF-8,
        quoted headers with line breaks, numbers like ``"307 528 "``, municipality numbers as floats,
        ``-`` or empty for missing, ``Ja``/``Nei`` with stray spaces) or the same table as XLSX.
    year
        The statistics year; by default read from the population headers (``per 1.1.2020``) or
        else the file name.
    columns
        More header names per indicator id (``{"visits": "Besøk i alt"}``; new ids are counts),
        and ``{"ignore": [...]}`` for headers to skip knowingly: the study's
        ``columns: nb_library_stats:`` section.
    unknown_columns
        What a header in neither the catalogue nor ``columns`` does: ``error`` (default),
        ``warn`` (skipped, with a warning) or ``ignore`` (skipped). Skipped headers are listed in
        ``attrs["unmapped_columns"]`` either way.
    check_codes
        Refuse municipality numbers that were not valid in the statistics year.

    Returns
    -------
    DataFrame
        ``municipality_code`` (4-digit str), ``municipality_name``, ``year`` (int), ``indicator``,
        ``value`` (float; yes/no as 1/0), ``status`` (``""``; ``..`` for ``-`` or empty; SSB's
        symbols kept), ``covers`` (``"3803+3811"`` when one row reports for several municipalities,
        as "Tønsberg og Færder" in 2020 — kept under its own code, never divided; else ``""``),
        ``source``, ``row``, ``column`` (the header as found, line breaks collapsed). ``attrs``:
        ``unmapped_columns``, ``ignored_columns`` (the catalogue's), ``shared_rows``, ``dropped``
        (rows without a municipality number). The files are not modified.

    Raises
    ------
    SourceFormatError
        A subclass naming file, row and column: no municipality-number column, a column not in the
        catalogue, an unreadable number, yes/no or municipality number, a number not valid that
        year, a municipality twice, no year; an empty, truncated or mis-encoded file.
    """
    if not isinstance(path, (str, Path)):
        frames = [read_nb_library_stats(p, year=year, columns=columns, unknown_columns=unknown_columns,
                                        check_codes=check_codes) for p in path]
        if not frames:
            raise ValueError("read_nb_library_stats got an empty list of paths")
        out = pd.concat(frames, ignore_index=True)
        out.attrs = {k: [x for f in frames for x in f.attrs.get(k, [])]
                     for k in ("unmapped_columns", "ignored_columns", "shared_rows", "dropped")}
        return out
    path = Path(path)
    grid = read_grid(path, {"municipality_code": CODE_COLUMN}, ("municipality_code",))
    header = grid.header
    shown = [re.sub(r"[\s\u00a0]+", " ", h).strip() for h in header]
    year = _year(path, header, year)
    patterns = _user_patterns(columns, path) + list(_patterns())
    mapping, taken, unmapped, ignored = _map_columns(path, grid, shown, patterns)
    if unmapped and unknown_columns == "error":
        raise UnknownColumnError(path, row=grid.header_row, column=unmapped[0],
                                 found=f"{len(unmapped)} column(s) in no catalogue entry: "
                                 + ", ".join(repr(u) for u in unmapped[:8]) + (" ..." if len(unmapped) > 8 else ""),
                                 expected="every column mapped to an indicator id or explicitly ignored "
                                 "(samorg/data/nb_indicators.csv)")
    if unmapped and unknown_columns == "warn":
        warnings.warn(f"{path}: skipped {len(unmapped)} column(s) in no catalogue entry: {unmapped}", stacklevel=2)
    code_col = taken.pop("municipality_code")
    name_col = taken.pop("municipality_name", None)
    mapping = {i: e for i, e in mapping.items() if e.kind not in ("key", "name")}
    records, dropped, shared = _records(path, grid, shown, year, mapping, code_col, name_col, check_codes)
    return _frame(path, records, unmapped, ignored, shared, dropped)


def _map_columns(path: Path, grid: Grid, shown: list[str], patterns: list[tuple[re.Pattern[str], _Entry]]
                 ) -> tuple[dict[int, _Entry], dict[str, int], list[str], list[str]]:
    """Each header's catalogue entry: index → entry, indicator → index, the unmapped and the ignored headers."""
    mapping: dict[int, _Entry] = {}
    unmapped, ignored = [], []
    taken: dict[str, int] = {}
    for i, h in enumerate(grid.header):
        key = norm_header(h)
        if not key:
            continue
        entry = next((e for pat, e in patterns if pat.match(key)), None)
        if entry is None:
            unmapped.append(shown[i])
            continue
        if entry.indicator == "-":
            ignored.append(shown[i])
            continue
        if entry.indicator in taken:
            raise LayoutError(path, row=grid.header_row, column=shown[i],
                              found=f"a second column for {entry.indicator} (the first is {shown[taken[entry.indicator]]!r})",
                              expected="one column per indicator",
                              fix="Map one of the two headers to another indicator id under `columns: "
                              "nb_library_stats:`, or list it under `ignore`.")
        taken[entry.indicator] = i
        mapping[i] = entry
    return mapping, taken, unmapped, ignored


def _records(path: Path, grid: Grid, shown: list[str], year: int, mapping: dict[int, _Entry], code_col: int,
             name_col: int | None, check_codes: bool) -> tuple[list[tuple], list[dict], list[dict]]:
    """One record per municipality row and mapped column, the rows dropped and the rows shared by municipalities."""
    records, dropped, shared, seen = [], [], [], {}
    for n, cells in grid.rows[grid.header_index + 1:]:
        cells = ["" if c is None else c for c in cells]
        raw_code = cells[code_col] if code_col < len(cells) else ""
        if not str(raw_code).strip():
            dropped.append({"row": n, "reason": "no municipality number (a total or note row)"})
            continue
        code = _row_code(path, n, raw_code, shown[code_col], year, seen, check_codes)
        name = str(cells[name_col]).strip() if name_col is not None and name_col < len(cells) else ""
        covers = _shared(name, code, year)
        if covers:
            shared.append({"row": n, "municipality_code": code, "municipality_name": name, "covers": covers})
        for i, entry in mapping.items():
            raw = cells[i] if i < len(cells) else ""
            value, status = _value(raw, entry, path, n, shown[i])
            records.append((code, name, year, entry.indicator, value, status, covers, str(path), n, shown[i]))
    return records, dropped, shared


def _row_code(path: Path, n: int, raw_code: object, column: str, year: int, seen: dict[str, int],
              check_codes: bool) -> str:
    """The row's municipality number, checked (readable, not seen before, valid in ``year``) and noted in ``seen``."""
    try:
        code = nb_code(raw_code)
    except ValueError:
        raise ValueFormatError(path, row=n, column=column, found=f"{raw_code!r}",
                               expected="a municipality number such as 3024.0 or 0301") from None
    if code in seen:
        raise ValueFormatError(path, row=n, column=column,
                               found=f"municipality {code} a second time (first in row {seen[code]})",
                               expected="one row per municipality",
                               fix="Remove the repeated row (or the repeated file part) from the export.")
    seen[code] = n
    if check_codes:
        from samorg.municipalities import is_valid, valid_codes

        if not is_valid(code, year):
            raise UnknownMunicipalityError(path, row=n, column=column,
                                           found=f"{raw_code!r} ({code}) is not a municipality number valid in {year}",
                                           expected=f"one of the {len(valid_codes(year))} codes of {year} "
                                           "(SSB KLASS 131)")
    return code


def _frame(path: Path, records: list[tuple], unmapped: list[str], ignored: list[str], shared: list[dict],
           dropped: list[dict]) -> pd.DataFrame:
    """The records as the reader's typed frame, with what was skipped, shared and dropped in ``attrs``."""
    frame = pd.DataFrame(records, columns=OUTPUT)
    frame = frame.astype({"municipality_code": "str", "municipality_name": "str", "year": "int64",
                          "indicator": "str", "value": "float64", "status": "str", "covers": "str", "source": "str",
                          "row": "int64", "column": "str"})
    frame.attrs.update(unmapped_columns=[{"source": str(path), "column": u} for u in unmapped],
                       ignored_columns=[{"source": str(path), "column": c} for c in ignored],
                       shared_rows=[{"source": str(path), **s} for s in shared],
                       dropped=[{"source": str(path), **d} for d in dropped])
    return frame


def _value(raw: object, entry: _Entry, path: Path, row: int, column: str) -> tuple[float, str]:
    if entry.kind == "yesno":
        key = str(raw).strip().casefold()
        if key.endswith(".0"):
            key = key[:-2]
        if key in YES_NO:
            return YES_NO[key], ""
        if key in ("", "-"):
            return float("nan"), ".."
        raise ValueFormatError(path, row=row, column=column, found=f"{raw!r} is not yes or no",
                               expected="Ja or Nei (or - for missing)")
    try:
        return parse_number(raw)
    except ValueError:
        raise ValueFormatError(path, row=row, column=column, found=f"{raw!r} is not a number",
                               expected='a number such as "307 528 " or 15,6, or - for missing') from None
