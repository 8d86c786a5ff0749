"""Library-system loan statistics and event logs (CSV or XLSX)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from samorg.sources._errors import MissingColumnError, ValueFormatError
from samorg.sources._table import Field, Layout, read_layout

LOANS = Layout("loans", (
    Field("branch", ("Filial", "Avdeling", "Bibliotek", "Sted", "Utlånssted", "Lånested"), required=True),
    Field("date", ("Dato", "Utlånsdato", "Dag"), "date"),
    Field("month", ("Måned", "Periode", "Mnd"), "month"),
    Field("timestamp", ("Tidspunkt", "Utlånstidspunkt", "Utlånt"), "datetime", doc="one row per loan"),
    Field("loans", ("Antall utlån", "Utlån", "Førstegangslån", "Antall lån", "Antall"), "count"),
    Field("renewals", ("Fornyelser", "Antall fornyelser"), "count"),
    Field("material", ("Materialtype", "Medietype", "Dokumenttype", "Materiale")),
    Field("age_group", ("Aldersgruppe", "Lånergruppe", "Lånerkategori", "Målgruppe")),
), sheet_names=("Utlån", "Statistikk", "Data"))

EVENTS = Layout("events", (
    Field("date", ("Dato", "Arrangementsdato", "Tidspunkt", "Start", "Dato og tid"), "datetime", required=True),
    Field("branch", ("Sted", "Filial", "Avdeling", "Bibliotek", "Arena"), required=True),
    Field("title", ("Tittel", "Arrangement", "Navn på arrangement"), doc="free text: never written"),
    Field("category", ("Kategori", "Type", "Arrangementstype", "Sjanger")),
    Field("organiser", ("Arrangør", "Arrangert av", "Ansvarlig arrangør"),
          doc="'Biblioteket'/'Egen' = own, anything else = external"),
    Field("partner", ("Samarbeidspartner", "Samarbeidspartnere", "Medarrangør", "Partner"),
          doc="external partner(s): co-creation"),
    Field("audience", ("Målgruppe", "Aldersgruppe")),
    Field("attendance", ("Deltakere", "Antall deltakere", "Fremmøtte", "Frammøtte", "Antall fremmøtte"), "count"),
    Field("digital", ("Digitalt", "Digital", "Strømmet", "Digitalt arrangement"), "yesno"),
), sheet_names=("Arrangementer", "Data"))


def read_loans(path: str | Path, *, columns: Mapping[str, str | Sequence[str]] | None = None,
               sheet: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read a loan-statistics export: counts per branch and day or month (or one row per loan).

    Parameters
    ----------
    path
        CSV or XLSX. The period is ``Dato`` (daily), ``Måned`` (monthly) or ``Tidspunkt`` (one row
        per loan, counted as 1 each when there is no count column). Borrower numbers, if the export
        has them, are never read.
    columns
        Extra header names per canonical column (the study's ``columns: loans:`` section).
    sheet, encoding
        Override the sheet search or encoding detection.

    Returns
    -------
    DataFrame
        ``branch``, ``period_start`` (datetime64[us]), ``freq`` (``D`` or ``M``), ``material``,
        ``age_group``, ``loans``, ``renewals`` (float), ``source``, ``row``. The file is not modified.

    Raises
    ------
    SourceFormatError
        A subclass naming the cell: no branch or period column, an unreadable count or date, a date
        out of range, an empty, truncated or mis-encoded file.
    """
    frame = read_layout(path, LOANS, columns=columns, sheet=sheet, encoding=encoding)
    found = frame.attrs["columns"]
    path = Path(path)
    for name, freq in (("date", "D"), ("month", "M"), ("timestamp", "D")):
        if name in found:
            start = frame[name]
            break
    else:
        raise MissingColumnError(path, row=frame.attrs["header_row"], column="date",
                                 found="no period column; the columns are "
                                 + ", ".join(repr(c) for c in (*found.values(), *frame.attrs["ignored_columns"])),
                                 expected="'Dato' (daily), 'Måned' (monthly) or 'Tidspunkt' (one row per loan)")
    if start.isna().any():
        i = int(start.isna().to_numpy().nonzero()[0][0])
        raise ValueFormatError(path, row=int(frame["row"].iloc[i]), column=found[name], found="a blank period",
                               expected="a date or month in every row")
    if name == "timestamp":
        start = start.dt.normalize()
    loans = frame["loans"] if "loans" in found else pd.Series(1.0, index=frame.index)
    out = pd.DataFrame({"branch": frame["branch"], "period_start": start.astype("datetime64[us]"), "freq": freq,
                        "material": frame["material"], "age_group": frame["age_group"],
                        "loans": loans.astype("float64"), "renewals": frame["renewals"],
                        "source": frame["source"], "row": frame["row"]})
    out["freq"] = out["freq"].astype("str")
    out.attrs.update(frame.attrs)
    return out


def read_events(path: str | Path, *, columns: Mapping[str, str | Sequence[str]] | None = None,
                sheet: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read an event log: one row per event.

    Parameters
    ----------
    path
        CSV or XLSX; see docs/sources.md for the layout.
    columns
        Extra header names per canonical column (the study's ``columns: events:`` section).
    sheet, encoding
        Override the sheet search or encoding detection.

    Returns
    -------
    DataFrame
        ``date`` (datetime64[us]), ``branch``, ``title`` (free text: never write it), ``category``,
        ``organiser``, ``partner``, ``audience``, ``attendance`` (float), ``digital`` (boolean),
        ``source``, ``row``. The file is not modified.

    Raises
    ------
    SourceFormatError
        A subclass naming the cell (see :func:`read_loans`).
    """
    frame = read_layout(path, EVENTS, columns=columns, sheet=sheet, encoding=encoding)
    return frame[[f.name for f in EVENTS.fields] + ["source", "row"]]
