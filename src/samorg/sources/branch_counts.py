"""Monthly branch statistics exported from a library system or people counter (``;``-CSV or XLSX)."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from samorg.sources._table import Field, Layout, read_layout

LAYOUT = Layout("branch_counts", (
    Field("branch", ("Filial", "Avdeling", "Bibliotek", "Sted"), required=True, doc="branch name as exported"),
    Field("period_start", ("Måned", "Periode", "Mnd", "Month"), "month", required=True),
    Field("visits_in", ("Besøk inn", "Besøkende inn", "Inn"), "count", required=True, doc="counter IN beam"),
    Field("visits_out", ("Besøk ut", "Besøkende ut", "Ut"), "count", required=True, doc="counter OUT beam"),
    Field("visits_self_service", ("Meråpent besøk", "Besøk meråpent", "Besøk i meråpen tid"), "count",
          doc="entries logged in self-service hours"),
    Field("loans", ("Utlån", "Førstegangslån", "Utlån totalt"), "count"),
    Field("events", ("Arrangementer", "Arrangement", "Antall arrangement"), "count"),
    Field("event_attendance", ("Deltakere", "Deltakere arrangement", "Fremmøtte"), "count"),
    Field("staffed_hours", ("Betjente timer", "Åpningstimer betjent", "Betjent åpningstid"), "number",
          expected="hours such as 162,5"),
    Field("self_service_hours", ("Meråpne timer", "Åpningstimer meråpent", "Meråpen åpningstid"), "number",
          expected="hours such as 162,5"),
), sheet_names=("Statistikk", "Data", "Ark1"))
#: canonical column → header names seen in exports
COLUMNS: dict[str, tuple[str, ...]] = {f.name: f.aliases for f in LAYOUT.fields}
REQUIRED = tuple(f.name for f in LAYOUT.fields if f.required)
NUMERIC = tuple(f.name for f in LAYOUT.fields if f.kind in ("count", "number"))


def read_branch_counts(path: str | Path, *, columns: Mapping[str, str | Sequence[str]] | None = None,
                       sheet: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read one monthly branch-statistics export into a typed wide frame, one row per branch and month.

    Parameters
    ----------
    path
        A ``;``- (or ``,``-) separated file in UTF-8 or cp1252/Latin-1, or an XLSX workbook, with
        Norwegian headers (:data:`COLUMNS`), months as ``2019-01``, ``01.2019`` or ``januar 2019``,
        numbers with decimal comma and space/no-break-space thousands separators.
    columns
        Extra header names per canonical column (``{"visits_in": "Inngang"}``), tried first; the
        study configuration's ``columns: branch_counts:`` section feeds this.
    sheet, encoding
        Override the sheet search (XLSX) or encoding detection (CSV).

    Returns
    -------
    DataFrame
        ``branch`` (the name as exported), ``period_start`` (datetime64[us], first of month), the
        numeric columns of :data:`COLUMNS` (float; absent ones all-NaN), ``source`` (the path as
        given) and ``row`` (header = 1). The file is not modified.

    Raises
    ------
    SourceFormatError
        A subclass naming file, row and column: a required column is missing, a month or number
        cannot be read, the file is empty, truncated or in an unreadable encoding.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "b.csv"
    >>> _ = p.write_text("Filial;Måned;Besøk inn;Besøk ut\\nFjell;2021-06;4 305;4 403\\n", encoding="utf-8")
    >>> read_branch_counts(p)[["branch", "visits_in"]].to_dict("records")
    [{'branch': 'Fjell', 'visits_in': 4305.0}]
    """
    frame = read_layout(path, LAYOUT, columns=columns, sheet=sheet, encoding=encoding)
    return frame[["branch", "period_start", *NUMERIC, "source", "row"]]
