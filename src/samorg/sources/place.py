"""Three optional exports behind aims 4 and 5 (issue 14): who in the catchment borrows, when people come, and
whether a visitor who came for a municipal service also used the library.

* :func:`read_active_borrowers`: the library system's count of **active borrowers by area of residence and
  year** (Bibliofil, Quria and Koha all report borrowers with at least one loan in the year by the
  postal place or district of their address; aggregated counts, no borrower appears). Rows for people
  living outside every catchment ("Utenfor kommunen", "Ukjent bosted", a "Sum" row) are left out and
  listed in ``attrs["outside_catchments"]``.
* :func:`read_counter_hours`: the **people counter's hourly export** for sample weeks, with the opening
  mode of each hour (*Betjent*, *Meråpent*, *Stengt*) as counter systems tied to the self-service door
  log it, or as joined from the opening-hours plan.
* :func:`read_survey_errands`: two yes/no questions of the **user survey** (came for a municipal
  service; if so, also used the library), read from the same survey export as the satisfaction items.

The first two are source kinds of their own (``sources.active_borrowers``, ``sources.counter_hours``, each
with its ``columns:`` section); the third comes with ``sources.surveys``. All are optional: a study
without them builds as before, and the reports say the data are not there. :func:`branch_file_kind` tells
the pipeline when a file matched by ``sources.branch_counts`` is one of the first two instead, so it can
say where to declare it. Layouts and bad inputs: ``docs/sources.md`` and ``docs/bad-inputs.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from samorg.sources._errors import ValueFormatError
from samorg.sources._table import Field, Layout, read_layout
from samorg.sources._text import norm_header, read_text
from samorg.sources.counters import read_people_counter
from samorg.sources.surveys import LAYOUT as SURVEY_LAYOUT

__all__ = ["BORROWER_LAYOUT", "ERRAND_FIELDS", "HOUR_MODE_LAYOUT", "MODES", "OUTSIDE_AREAS", "branch_file_kind",
           "read_active_borrowers", "read_counter_hours", "read_survey_errands"]

BORROWER_LAYOUT = Layout("active_borrowers", (
    Field("year", ("År", "Statistikkår", "Årstall", "Year"), "count", required=True, expected="a year such as 2019"),
    Field("area", ("Område", "Bosted", "Poststed", "Opptaksområde", "Bydel", "Lånerens bosted", "Area"),
          required=True, doc="a site's name or alias (its catchment)"),
    Field("active_borrowers", ("Aktive lånere", "Antall aktive lånere", "Lånere med lån", "Active borrowers"),
          "count", required=True),
), sheet_names=("Aktive lånere", "Lånere", "Data", "Ark1"))
#: areas that are nobody's catchment: left out, with the row listed (normalised names)
OUTSIDE_AREAS = frozenset({"utenfor kommunen", "andre kommuner", "annen kommune", "ukjent", "ukjent bosted",
                           "uten adresse", "sum", "totalt", "i alt", "total"})

#: opening mode of an hour as the exports spell it → samorg's word
MODES = {"betjent": "staffed", "bemannet": "staffed", "betjent tid": "staffed", "meråpent": "self_service",
         "meråpen": "self_service", "selvbetjent": "self_service", "ubetjent": "self_service",
         "stengt": "closed", "lukket": "closed"}
HOUR_MODE_LAYOUT = Layout("counter_hours", (
    Field("branch", ("Sted", "Filial", "Avdeling", "Bibliotek", "Lokasjon", "Enhet"), required=True),
    Field("mode", ("Åpningsmodus", "Modus", "Åpningstype", "Betjening"), required=True,
          doc="Betjent / Meråpent / Stengt"),
), sheet_names=("Tellinger", "Data", "Ark1"))

ERRAND_FIELDS = (
    Field("came_for_service", ("Kom du hit i dag (også) for et ærend til innbyggertorget eller en annen kommunal "
                               "tjeneste?", "Kommunalt ærend", "Ærend til innbyggertorget"), "yesno"),
    Field("also_library", ("Hvis ja: brukte du også biblioteket under samme besøk (lånte, leste, satt, deltok på "
                           "arrangement)?", "Brukte også biblioteket", "Også biblioteket"), "yesno"),
)

_BORROWER_HEADERS = {norm_header(a) for a in BORROWER_LAYOUT.field("active_borrowers").aliases}
_MODE_HEADERS = {norm_header(a) for a in HOUR_MODE_LAYOUT.field("mode").aliases}


def branch_file_kind(path: str | Path) -> str:
    """Which export a file matched by ``sources.branch_counts`` looks like, from its first lines.

    ``"active_borrowers"`` when a header cell is an active-borrowers column, ``"counter_hours"`` when one
    is an opening-mode column, else ``"branch_counts"`` (the monthly branch export). Workbooks are
    always taken as branch exports. Used only to refuse such a file with a message saying where to
    declare it (the pipeline never reads a file as another kind than its ``sources:`` entry). The
    file is only read.
    """
    path = Path(path)
    if path.suffix.lower() != ".csv":
        return "branch_counts"
    try:
        text, _ = read_text(path)
    except Exception:  # unreadable: let the branch reader report it with its own message
        return "branch_counts"
    for line in text.splitlines()[:12]:
        cells = {norm_header(c.strip().strip('"')) for c in line.replace(",", ";").split(";")}
        if cells & _BORROWER_HEADERS:
            return "active_borrowers"
        if cells & _MODE_HEADERS:
            return "counter_hours"
    return "branch_counts"


def read_active_borrowers(path: str | Path, *, columns: Mapping[str, str | Sequence[str]] | None = None,
                          sheet: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read the library system's active borrowers by area of residence and year (CSV or XLSX).

    Returns
    -------
    DataFrame
        ``year`` (int64), ``area`` (as exported), ``active_borrowers`` (float), ``source``, ``row``;
        rows for areas outside every catchment (:data:`OUTSIDE_AREAS`) left out and listed in
        ``attrs["outside_catchments"]`` (row, reason). The file is not modified.

    Raises
    ------
    SourceFormatError
        A subclass naming the cell: a missing year, area or count column; a year that is not a whole
        number between 1900 and 2100; a count that is not a count; an empty or unreadable file.

    Examples
    --------
    >>> read_active_borrowers("data/raw/demo/utlan/aktive_lanere_drammen.csv").columns.tolist()  # doctest: +SKIP
    ['year', 'area', 'active_borrowers', 'source', 'row']
    """
    frame = read_layout(path, BORROWER_LAYOUT, columns=columns, sheet=sheet, encoding=encoding)
    shown = frame.attrs["columns"]
    years = frame["year"]
    bad = years.isna() | (years % 1 != 0) | (years < 1900) | (years > 2100)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise ValueFormatError(path, row=int(frame["row"].iloc[i]), column=shown["year"],
                               found=f"the year {frame['year'].iloc[i]:g}", expected="a year such as 2019",
                               fix="Correct the year in the export: every row needs the whole year it counts.")
    outside = frame["area"].map(norm_header).isin(OUTSIDE_AREAS) | (frame["area"].str.strip() == "")
    dropped = [{"row": int(r), "reason": f"area {a!r} is no site's catchment (people living outside every "
                "catchment, or a sum row)"} for r, a in zip(frame.loc[outside, "row"], frame.loc[outside, "area"])]
    out = frame.loc[~outside, ["year", "area", "active_borrowers", "source", "row"]].reset_index(drop=True)
    out = out.astype({"year": "int64"})
    out.attrs.update(frame.attrs)
    out.attrs["outside_catchments"] = dropped
    return out


def read_counter_hours(path: str | Path, *, columns: Mapping[str, str | Sequence[str]] | None = None,
                       sheet: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read a people counter's hourly export with the opening mode of each hour (CSV or XLSX).

    The time columns and beams are those of :func:`samorg.sources.read_people_counter`; 15-minute
    counts are summed to hours (one mode per hour). ``columns`` (the study's ``columns: counter_hours:``
    section) may name any column of the people-counter layout and ``mode``.

    Returns
    -------
    DataFrame
        ``branch``, ``counter``, ``period_start`` (the hour, datetime64[us]), ``visits_in``,
        ``visits_out`` (float), ``mode`` (``staffed``, ``self_service`` or ``closed``), ``source``,
        ``row`` (the first row of the hour). The file is not modified.

    Raises
    ------
    SourceFormatError
        A subclass naming the cell: no branch, IN, time or mode column; a mode that is not
        *Betjent*, *Meråpent* or *Stengt*; daily counts (no hour to place them in); the same door
        and hour twice; and every error of ``read_people_counter``.
    """
    columns = dict(columns or {})
    counts = read_people_counter(path, columns={k: v for k, v in columns.items() if k != "mode"} or None,
                                 sheet=sheet, encoding=encoding)
    modes = read_layout(path, HOUR_MODE_LAYOUT, columns={k: v for k, v in columns.items()
                                                          if k in HOUR_MODE_LAYOUT.names()} or None,
                        sheet=sheet, encoding=encoding)
    column = modes.attrs["columns"]["mode"]
    if counts.attrs["freq"] == "D":
        raise ValueFormatError(path, row=int(counts["row"].iloc[0]), column=counts.attrs["columns"].get("date"),
                               found="daily counts (no hour of day)",
                               expected="counts per hour or per 15 minutes, with the hour in 'Time' or 'Tidspunkt'",
                               fix="Export the counter's hourly data for the sample weeks.")
    mode = modes["mode"].map(lambda s: MODES.get(norm_header(s)))
    if mode.isna().any():
        i = int(mode.isna().to_numpy().nonzero()[0][0])
        raise ValueFormatError(path, row=int(modes["row"].iloc[i]), column=column,
                               found=f"the mode {modes['mode'].iloc[i]!r}",
                               expected="Betjent (staffed), Meråpent (self-service) or Stengt (closed)",
                               fix="Write the mode of every hour; if the counter does not log it, take it from the "
                                   "opening-hours plan.")
    frame = counts.assign(mode=mode.to_numpy(), period_start=counts["period_start"].dt.floor("h"))
    keys = ["branch", "counter", "period_start"]
    if counts.attrs["freq"] == "h":
        dup = frame.duplicated(keys)
        if dup.any():
            i = int(dup.to_numpy().nonzero()[0][0])
            raise ValueFormatError(path, row=int(frame["row"].iloc[i]), column=counts.attrs["columns"].get(
                "timestamp", counts.attrs["columns"].get("date")), found="the same door and hour as an earlier row",
                expected="one row per door and hour", fix="Remove the repeated rows (a pasted-in export twice?).")
    if frame.groupby(keys)["mode"].nunique().max() > 1:
        raise ValueFormatError(path, column=column, found="two opening modes within one hour",
                               expected="one mode per hour (quarter hours of an hour share its mode)")
    cols = ["branch", "counter", "period_start", "visits_in", "visits_out", "mode", "source", "row"]
    if counts.attrs["freq"] == "h":
        out = frame[cols].sort_values(keys, kind="stable").reset_index(drop=True)
    else:
        g = frame.groupby(keys, sort=True)
        out = g.agg(visits_in=("visits_in", "sum"), mode=("mode", "first"), source=("source", "first"),
                    row=("row", "min"))
        out["visits_out"] = g["visits_out"].sum(min_count=1)
        out = out.reset_index()[cols]
    out.attrs.update(counts.attrs)
    return out


def read_survey_errands(path: str | Path, *, sheet: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read the errand questions of a user-survey export (the file :func:`samorg.sources.read_survey` reads).

    Returns
    -------
    DataFrame
        ``respondent``, ``branch``, ``date``, ``came_for_service`` and ``also_library`` (nullable
        boolean: blank is missing), ``wave`` (the year of the first answer), ``source``, ``row``. A survey
        without the first question gives no rows (``attrs["asked"]`` is False). The file is not modified.

    Raises
    ------
    SourceFormatError
        A subclass naming the cell: an answer that is not yes or no (*Ja*, *Nei*, blank), and every
        error of the survey layout (respondent, place or date missing, unreadable file).
    """
    fields = SURVEY_LAYOUT.fields[:3]
    layout = Layout("surveys", fields, SURVEY_LAYOUT.sheet_names)
    frame = read_layout(path, layout, sheet=sheet, encoding=encoding, extra_fields=ERRAND_FIELDS)
    asked = "came_for_service" in frame.attrs["columns"]
    cols = ["respondent", "branch", "date", "came_for_service", "also_library", "source", "row"]
    out = frame[cols].iloc[: len(frame) if asked else 0].reset_index(drop=True)
    out.insert(5, "wave", int(frame["date"].min().year) if len(frame) else 0)
    out.attrs.update(frame.attrs)
    out.attrs["asked"] = asked
    return out
