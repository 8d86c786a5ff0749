"""User-survey exports: one row per respondent, as ``;``-CSV (any encoding) or XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from samorg.sources._errors import EmptyFileError, MissingColumnError
from samorg.sources._table import Field, Layout, read_layout
from samorg.sources._text import norm_header

#: survey item id → question texts seen in the exports (answers on the 5-point satisfaction scale)
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
LAYOUT = Layout("surveys", (
    Field("respondent", ("Respondentnr.", "RespondentID", "Respondent", "ID", "Løpenummer", "Svar-ID"), required=True),
    Field("branch", ("Bibliotek", "Sted", "Avdeling", "Filial"), required=True),
    Field("date", ("Dato", "Innsendt", "Svardato", "Tidspunkt", "Startet"), "datetime", required=True,
          expected="a date such as 04.03.2019"),
    Field("age_group", ("Aldersgruppe", "Alder")),
    Field("sex", ("Kjønn",)),
    Field("comment", ("Kommentar", "Kommentarer", "Fritekst", "Andre kommentarer"), doc="free text: never written"),
), sheet_names=("Svar", "Data", "Besvarelser", "Responses"), extra=tuple(ITEMS))
COLUMNS: dict[str, tuple[str, ...]] = {f.name: f.aliases for f in LAYOUT.fields}
REQUIRED = tuple(f.name for f in LAYOUT.fields if f.required)
SHEET_NAMES = LAYOUT.sheet_names


def read_survey(path: str | Path, *, sheet: str | None = None,
                columns: Mapping[str, str | Sequence[str]] | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read one survey export (CSV or XLSX) into a wide frame, one row per respondent.

    Parameters
    ----------
    path
        ``.csv`` (``;`` or ``,``; UTF-8 or Latin-1) or ``.xlsx`` (answers on a sheet named like
        :data:`SHEET_NAMES`, or any sheet whose header has the respondent, place and date columns).
    sheet
        The sheet to read; when the data are on another sheet the error names it.
    columns
        Extra header names per canonical column *and per item id* (``{"calm": "Ro i lokalene"}``):
        the study's ``columns: surveys:`` section.
    encoding
        Override encoding detection (CSV).

    Returns
    -------
    DataFrame
        ``respondent`` (str, as exported), ``branch``, ``date`` (datetime64), ``age_group``, ``sex``,
        ``comment`` (free text: may hold personal data), one column per recognised item id of
        :data:`ITEMS` holding the answer label as text, ``wave`` (the year of the first answer),
        ``source``, ``row``. Unrecognised question columns are ignored (listed in
        ``attrs["ignored_columns"]``). The file is not modified.

    Raises
    ------
    SourceFormatError
        A subclass naming the cell: a required column or every known question is missing, a date
        cannot be read or is out of range, no answers, an unreadable or truncated file, the data on
        another sheet than ``sheet``.
    """
    path = Path(path)
    items = [Field(item, aliases) for item, aliases in ITEMS.items()]
    frame = read_layout(path, LAYOUT, columns=columns, sheet=sheet, encoding=encoding, extra_fields=items)
    present = [i for i in ITEMS if i in frame.attrs["columns"]]
    if not present:
        raise MissingColumnError(path, row=frame.attrs["header_row"], column="items",
                                 found="no known survey question among the columns "
                                 + ", ".join(repr(h) for h in frame.attrs["ignored_columns"]),
                                 expected="questions such as " + repr(ITEMS["satisfaction"][0]),
                                 fix="Map the question to an item id under `columns: surveys:` in the study "
                                 "configuration (e.g. calm: \"Ro i lokalene\"), or pass columns= to read_survey.")
    if frame.empty:
        raise EmptyFileError(path, row=2, found="no answers", expected="one row per respondent under the header")
    base = ["respondent", "branch", "date", "age_group", "sex", "comment"]
    out = frame[[*base, *present, "source", "row"]].copy()
    out.insert(out.columns.get_loc("source"), "wave", int(out["date"].min().year))
    out.attrs.update(frame.attrs)
    return out.astype({c: "str" for c in out.columns if c not in ("date", "wave", "row")})


def item_of(header: str) -> str | None:
    """The item id a question text maps to, or None."""
    key = norm_header(header)
    return next((i for i, alts in ITEMS.items() if key in {norm_header(a) for a in alts}), None)
