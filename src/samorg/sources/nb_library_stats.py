"""The National Library's public library statistics (``folkebibl-YYYY-kommuner.csv``).

One row per municipal library system and a few hundred columns whose names change between years.
Columns are mapped to samorg indicator ids through :data:`INDICATORS` (header name aliases, compared
after collapsing line breaks and spaces and folding case; ``{year}`` stands for any 4-digit year).
Columns not in the catalogue are ignored.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from samorg.errors import SourceFormatError
from samorg.sources._text import norm_header, parse_number, read_rows

#: indicator id → header aliases seen in the files (2014–2025)
INDICATORS: dict[str, tuple[str, ...]] = {
    "population_0_14": ("0-14 år per 1.1.{year}", "Innbyggere 0-14 år"),
    "population_15_plus": ("15 år og eldre per 1.1.{year}", "Innbyggere 15 år og eldre"),
    "population": ("Totalt per 1.1.{year}", "Innbyggere totalt", "Folketall"),
    "visits": ("Besøk totalt", "Besøk", "Antall besøk"),
    "visits_staffed": ("Besøk i betjent åpningstid",),
    "events": ("Alle typer arrangement totalt", "Arrangementer totalt", "Arrangement totalt"),
    "event_attendance": ("Alle typer arrangement fremmøtte", "Arrangementer fremmøtte", "Arrangement fremmøtte"),
    "events_external": ("Eksterne arrangement totalt",),
    "digital_events": ("Antall digitale arrangement",),
    "digital_event_attendance": ("Antall deltakere/ tilskuere - digitale arrangement",),
    "first_time_loans": ("Førstegangslån totalt",),
    "first_time_loans_books": ("Førstegangslån bøker",),
    "loans_total": ("Utlån totalt",),
    "active_borrowers": ("Aktive lånere totalt",),
    "website_wai": ("Følger hjemme-sidene WAI-standarden",),
    "new_premises": ("Nye lokaler",),
    "library_units": ("Antall faste bibliotek-enheter",),
    "hours_main_staffed_before_17": ("Betjent åpningstid, hoved-biblioteket, timer før 1700",),
    "hours_main_staffed_after_17": ("Betjent åpningstid, hoved-biblioteket, timer etter 1700",),
    "hours_main_self_service": ("Åpningstider, hoved-biblioteket, meråpent",
                                "Åpningstid, hoved-biblioteket, meråpent"),
    "hours_branches_staffed_before_17": ("Betjent åpningstid, avdelingene, timer før 1700",),
    "hours_branches_staffed_after_17": ("Betjent åpningstid, avdelingene, timer etter 1700",),
    "hours_branches_self_service": ("Åpningstid, avdelingene, meråpent", "Åpningstider, avdelingene, meråpent"),
}
CODE_COLUMN = ("Kommunenr.", "Kommunenr", "Kommunenummer")
NAME_COLUMN = ("Kommune", "Kommunenavn")
YES_NO = {"ja": 1.0, "nei": 0.0}
_YEAR_IN_NAME = re.compile(r"(\d{4})")
_YEAR_IN_HEADER = re.compile(r"per 1\.1\.(\d{4})")


def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    out = []
    for ind, aliases in INDICATORS.items():
        for a in aliases:
            pat = re.escape(norm_header(a)).replace(r"\{year\}", r"\d{4}")
            out.append((ind, re.compile(pat + r"\Z")))
    return out


def nb_code(text: str) -> str:
    """A municipality number as written by NB (``3024.0``, ``301.0``, ``0301``) → 4-digit string."""
    value, status = parse_number(text)
    if status or value != int(value) or not 0 < value < 10000:
        raise ValueError(text)
    return f"{int(value):04d}"


def read_nb_library_stats(path: str | Path, *, year: int | None = None) -> pd.DataFrame:
    """Read one year of the National Library's municipality statistics into long observations.

    Parameters
    ----------
    path
        The CSV as published (comma-separated UTF-8, quoted headers with line breaks, numbers like
        ``"307 528 "``, municipality numbers as floats, ``-`` or empty for missing, ``Ja``/``Nei``).
    year
        The statistics year; by default read from the population headers (``per 1.1.2020``) or
        else the file name.

    Returns
    -------
    DataFrame
        ``municipality_code`` (4-digit str), ``municipality_name``, ``year`` (int), ``indicator``,
        ``value`` (float; yes/no as 1/0), ``status`` (``""``, or ``..`` for ``-``/empty), ``source``,
        ``row``, ``column`` (the header as found). The file is not modified.

    Raises
    ------
    SourceFormatError
        No municipality-number column, an unreadable code or number, no year found.
    """
    path = Path(path)
    header, rows = read_rows(path, sep=",")
    normed = [norm_header(h) for h in header]
    code_col = next((i for i, h in enumerate(normed) if h in {norm_header(c) for c in CODE_COLUMN}), None)
    if code_col is None:
        raise SourceFormatError(path, row=1, found="no municipality-number column",
                                expected="a column named " + " or ".join(repr(c) for c in CODE_COLUMN))
    name_col = next((i for i, h in enumerate(normed) if h in {norm_header(c) for c in NAME_COLUMN}), None)
    if year is None:
        years = {int(m[1]) for h in header if (m := _YEAR_IN_HEADER.search(norm_header(h)))}
        if len(years) != 1:
            m = _YEAR_IN_NAME.search(path.name)
            years = {int(m[1])} if m else set()
        if len(years) != 1:
            raise SourceFormatError(path, found="no statistics year in the headers or the file name",
                                    expected="headers like 'Totalt per 1.1.2020' or a name like folkebibl-2020-kommuner.csv",
                                    fix="Pass year= to the reader.")
        year = years.pop()
    mapping: dict[int, str] = {}
    for ind, pat in _patterns():
        for i, h in enumerate(normed):
            if i not in mapping and pat.match(h) and ind not in mapping.values():
                mapping[i] = ind
    records = []
    for n, r in enumerate(rows, start=2):
        raw_code = r[code_col] if code_col < len(r) else ""
        if not raw_code.strip():
            continue  # total or note rows carry no municipality number
        try:
            code = nb_code(raw_code)
        except ValueError:
            raise SourceFormatError(path, row=n, column=header[code_col], found=f"{raw_code!r}",
                                    expected="a municipality number such as 3024.0 or 0301") from None
        name = r[name_col].strip() if name_col is not None and name_col < len(r) else ""
        for i, ind in sorted(mapping.items()):
            raw = r[i] if i < len(r) else ""
            key = raw.strip().casefold()
            if key in YES_NO:
                value, status = YES_NO[key], ""
            else:
                try:
                    value, status = parse_number(raw)
                except ValueError:
                    raise SourceFormatError(path, row=n, column=header[i].replace("\r\n", " ").replace("\n", " "),
                                            found=f"{raw!r} is not a number",
                                            expected="a number such as \"307 528 \" or 15,6, or - for missing") from None
            records.append((code, name, year, ind, value, status, str(path), n, header[i]))
    frame = pd.DataFrame(records, columns=["municipality_code", "municipality_name", "year", "indicator", "value",
                                           "status", "source", "row", "column"])
    return frame.astype({"year": "int64", "value": "float64", "row": "int64"})
