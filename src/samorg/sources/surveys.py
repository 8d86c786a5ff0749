"""User-survey exports: one row per respondent, as ``;``-CSV (any encoding) or XLSX."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from samorg.errors import SourceFormatError
from samorg.sources._text import match_columns, norm_header, parse_datetime, read_rows, require

COLUMNS: dict[str, tuple[str, ...]] = {
    "respondent": ("Respondentnr.", "RespondentID", "Respondent", "ID", "Løpenummer"),
    "branch": ("Bibliotek", "Sted", "Avdeling", "Filial"),
    "date": ("Dato", "Innsendt", "Svardato", "Tidspunkt"),
    "age_group": ("Aldersgruppe", "Alder"),
    "sex": ("Kjønn",),
    "comment": ("Kommentar", "Kommentarer", "Fritekst", "Andre kommentarer"),
}
REQUIRED = ("respondent", "branch", "date")
#: survey item id → question texts seen in the exports
ITEMS: dict[str, tuple[str, ...]] = {
    "satisfaction": ("Hvor fornøyd er du alt i alt med biblioteket?", "Alt i alt, hvor fornøyd er du?"),
    "accessibility": ("Hvor fornøyd er du med hvor lett det er å komme til og bruke lokalene?",
                      "Tilgjengelighet"),
    "opening_hours": ("Hvor fornøyd er du med åpningstidene?", "Åpningstider"),
    "staff_help": ("Hvor fornøyd er du med hjelpen du fikk av de ansatte?", "Hjelp fra de ansatte"),
    "calm": ("Hvor fornøyd er du med roen og atmosfæren i lokalene?", "Ro og atmosfære"),
    "place_to_stay": ("Hvor fornøyd er du med biblioteket som et sted å være uten et ærend?",
                      "Biblioteket som møteplass"),
}
SHEET_NAMES = ("Svar", "Data", "Besvarelser", "Responses")


def _xlsx_rows(path: Path, sheet: str | None) -> tuple[list[str], list[list[object]]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        names = wb.sheetnames
        if sheet is None:
            sheet = next((s for s in names if s.strip().casefold() in {n.casefold() for n in SHEET_NAMES}), None)
        if sheet is None:  # the first sheet whose first row names a respondent column
            for s in names:
                first = next(wb[s].iter_rows(max_row=1, values_only=True), ())
                if match_columns([str(c or "") for c in first], {"respondent": COLUMNS["respondent"]}):
                    sheet = s
                    break
        if sheet not in names:
            raise SourceFormatError(path, found=f"no answer sheet among {names}",
                                    expected="a sheet named " + " or ".join(SHEET_NAMES),
                                    fix="Pass sheet= to read_survey.")
        rows = [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()
    rows = [r for r in rows if any(c not in (None, "") for c in r)]
    return [str(c or "") for c in rows[0]], rows[1:]


def read_survey(path: str | Path, *, sheet: str | None = None) -> pd.DataFrame:
    """Read one survey export (CSV or XLSX) into a wide frame, one row per respondent.

    Parameters
    ----------
    path
        ``.csv`` (``;`` or ``,``; UTF-8 or Latin-1) or ``.xlsx`` (answers on a sheet named like
        :data:`SHEET_NAMES`, or the first sheet with a respondent column).
    sheet
        The sheet to read, overriding the search.

    Returns
    -------
    DataFrame
        ``respondent`` (str, as exported), ``branch``, ``date`` (datetime64), ``age_group``, ``sex``,
        ``comment`` (free text: may hold personal data), one column per recognised item id of
        :data:`ITEMS` holding the answer label as text, ``wave`` (the year of the first answer),
        ``source``, ``row``. Unrecognised question columns are ignored. The file is not modified.

    Raises
    ------
    SourceFormatError
        A required column is missing or a date cannot be read.
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        header, rows = _xlsx_rows(path, sheet)
    else:
        header, rows = read_rows(path)
    cols = match_columns(header, COLUMNS)
    require(path, cols, COLUMNS, header, REQUIRED)
    items = match_columns(header, ITEMS)
    if not items:
        raise SourceFormatError(path, row=1, found="no known survey question among the columns "
                                + ", ".join(repr(h) for h in header),
                                expected="questions such as " + repr(ITEMS["satisfaction"][0]),
                                fix="Add the question text as an alias in samorg.sources.surveys.ITEMS.")
    records = []
    for n, r in enumerate(rows, start=2):
        r = list(r) + [None] * (len(header) - len(r))

        def get(name: str, table: dict[str, int] = cols) -> str:
            v = r[table[name]] if name in table else None
            if v is None:
                return ""
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            return str(v).strip()

        raw_date = r[cols["date"]]
        if isinstance(raw_date, dt.datetime):
            when = raw_date
        elif isinstance(raw_date, dt.date):
            when = dt.datetime.combine(raw_date, dt.time())
        else:
            try:
                when = parse_datetime(str(raw_date or ""))
            except ValueError:
                raise SourceFormatError(path, row=n, column=header[cols["date"]], found=repr(raw_date),
                                        expected="a date such as 04.03.2019") from None
        rec = {"respondent": get("respondent"), "branch": get("branch"), "date": when,
               "age_group": get("age_group"), "sex": get("sex"), "comment": get("comment")}
        rec.update({item: get(item, items) for item in ITEMS if item in items})
        rec.update({"source": str(path), "row": n})
        records.append(rec)
    frame = pd.DataFrame(records)
    if frame.empty:
        raise SourceFormatError(path, found="no answers", expected="one row per respondent under the header")
    frame["date"] = frame["date"].astype("datetime64[us]")
    frame.insert(frame.columns.get_loc("source"), "wave", int(frame["date"].min().year))
    return frame.astype({c: "str" for c in frame.columns if c not in ("date", "wave", "row")})


def item_of(header: str) -> str | None:
    """The item id a question text maps to, or None."""
    key = norm_header(header)
    return next((i for i, alts in ITEMS.items() if key in {norm_header(a) for a in alts}), None)
