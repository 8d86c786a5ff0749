"""Monthly branch statistics exported from a library system or people counter (``;``-CSV)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from samorg.errors import SourceFormatError
from samorg.sources._text import match_columns, parse_month, parse_number, read_rows, require

#: canonical column → header names seen in exports
COLUMNS: dict[str, tuple[str, ...]] = {
    "branch": ("Filial", "Avdeling", "Bibliotek", "Sted"),
    "period_start": ("Måned", "Periode", "Mnd", "Month"),
    "visits_in": ("Besøk inn", "Besøkende inn", "Inn"),
    "visits_out": ("Besøk ut", "Besøkende ut", "Ut"),
    "visits_self_service": ("Meråpent besøk", "Besøk meråpent", "Besøk i meråpen tid"),
    "loans": ("Utlån", "Førstegangslån", "Utlån totalt"),
    "events": ("Arrangementer", "Arrangement", "Antall arrangement"),
    "event_attendance": ("Deltakere", "Deltakere arrangement", "Fremmøtte"),
    "staffed_hours": ("Betjente timer", "Åpningstimer betjent", "Betjent åpningstid"),
    "self_service_hours": ("Meråpne timer", "Åpningstimer meråpent", "Meråpen åpningstid"),
}
REQUIRED = ("branch", "period_start", "visits_in", "visits_out")
NUMERIC = tuple(c for c in COLUMNS if c not in ("branch", "period_start"))


def read_branch_counts(path: str | Path) -> pd.DataFrame:
    """Read one branch-statistics export into a typed wide frame, one row per branch and month.

    Parameters
    ----------
    path
        A semicolon- (or comma-) separated file in UTF-8 or cp1252/Latin-1 with Norwegian headers
        (see :data:`COLUMNS` for the names recognised), months as ``2019-01``, ``01.2019`` or
        ``januar 2019``, numbers with decimal comma and space/no-break-space thousands separators.

    Returns
    -------
    DataFrame
        ``branch`` (the name as exported), ``period_start`` (datetime64, first of month), the numeric
        columns of :data:`COLUMNS` that are present (float; absent ones are all-NaN), ``source``
        (the path as given) and ``row`` (line in the file, header = 1). The file is not modified.

    Raises
    ------
    SourceFormatError
        A required column is missing, a month or number cannot be read.
    """
    path = Path(path)
    header, rows = read_rows(path)
    cols = match_columns(header, COLUMNS)
    require(path, cols, COLUMNS, header, REQUIRED)
    records = []
    for n, r in enumerate(rows, start=2):
        if len(r) < len(header):
            r = r + [""] * (len(header) - len(r))
        rec: dict[str, object] = {"branch": r[cols["branch"]].strip(), "source": str(path), "row": n}
        raw_month = r[cols["period_start"]]
        try:
            rec["period_start"] = pd.Timestamp(parse_month(raw_month))
        except ValueError:
            raise SourceFormatError(path, row=n, column=header[cols["period_start"]], found=f"{raw_month!r}",
                                    expected="a month such as 2019-01, 01.2019 or januar 2019") from None
        for name in NUMERIC:
            if name not in cols:
                rec[name] = float("nan")
                continue
            raw = r[cols[name]]
            try:
                rec[name] = parse_number(raw)[0]
            except ValueError:
                raise SourceFormatError(path, row=n, column=header[cols[name]], found=f"{raw!r} is not a number",
                                        expected="a count such as 12 500 or hours such as 162,5") from None
        records.append(rec)
    frame = pd.DataFrame(records, columns=["branch", "period_start", *NUMERIC, "source", "row"])
    frame["period_start"] = frame["period_start"].astype("datetime64[us]")
    for name in NUMERIC:
        frame[name] = frame[name].astype("float64")
    frame["branch"] = frame["branch"].astype("str")
    frame["source"] = frame["source"].astype("str")
    frame["row"] = frame["row"].astype("int64")
    return frame
