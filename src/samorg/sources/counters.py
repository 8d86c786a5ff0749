"""People-counter exports: entries IN and OUT per branch (and door) per 15 minutes, hour or day."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from samorg.sources._errors import MissingColumnError, ValueFormatError
from samorg.sources._table import Field, Layout, read_layout

LAYOUT = Layout("people_counters", (
    Field("branch", ("Sted", "Filial", "Avdeling", "Bibliotek", "Lokasjon", "Enhet"), required=True),
    Field("counter", ("Teller", "Sensor", "Dør", "Inngang nr.", "Counter"), doc="door or sensor, if several"),
    Field("timestamp", ("Tidspunkt", "Dato og tid", "Fra", "Periode start", "Start", "Timestamp"), "datetime",
          doc="start of the interval; or date + time below"),
    Field("date", ("Dato", "Dag", "Date"), "date"),
    Field("time", ("Time", "Klokkeslett", "Kl.", "Timeintervall", "Fra kl.", "Hour"), "time"),
    Field("visits_in", ("Inn", "Besøkende inn", "Besøk inn", "Inngang", "In"), "count", required=True),
    Field("visits_out", ("Ut", "Besøkende ut", "Besøk ut", "Utgang", "Out"), "count"),
), sheet_names=("Tellinger", "Data", "Ark1"))
COLUMNS: dict[str, tuple[str, ...]] = {f.name: f.aliases for f in LAYOUT.fields}
FREQS = {dt.timedelta(minutes=15): "15min", dt.timedelta(hours=1): "h", dt.timedelta(days=1): "D"}


def infer_freq(frame: pd.DataFrame) -> str:
    """The counting interval: the most common step between rows of one branch and door (``15min``, ``h``, ``D``)."""
    steps = (frame.sort_values(["branch", "counter", "period_start"])
             .groupby(["branch", "counter"], sort=False)["period_start"].diff().dropna())
    steps = steps[steps > pd.Timedelta(0)]
    if steps.empty:
        return "D" if (frame["period_start"].dt.normalize() == frame["period_start"]).all() else "h"
    step = steps.mode().iloc[0].to_pytimedelta()
    return FREQS.get(step, "h" if step < dt.timedelta(days=1) else "D")


def read_people_counter(path: str | Path, *, columns: Mapping[str, str | Sequence[str]] | None = None,
                        sheet: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read a people-counter export (CSV or XLSX).

    The interval start is either one column (``Tidspunkt``: ``04.03.2019 13:00``) or a date
    column plus an hour column (``Dato`` + ``Time``: ``13``, ``13:00`` or ``13:00-14:00``); a file
    with only a date is daily. ``Ut`` may be absent (one-beam counters).

    Parameters
    ----------
    path
        The export; see docs/sources.md for the layout.
    columns
        Extra header names per canonical column (the study's ``columns: people_counters:`` section).
    sheet, encoding
        Override the sheet search or encoding detection.

    Returns
    -------
    DataFrame
        ``branch``, ``counter`` (door/sensor, ``""`` if one), ``period_start`` (datetime64[us]),
        ``visits_in``, ``visits_out`` (float; NaN where not counted), ``source``, ``row``;
        ``attrs["freq"]`` is the interval (``15min``, ``h`` or ``D``). The file is not modified.

    Raises
    ------
    SourceFormatError
        A subclass naming the cell: no branch, IN or time column; a time, date or count that cannot
        be read or is out of range; an empty, truncated or mis-encoded file.
    """
    frame = read_layout(path, LAYOUT, columns=columns, sheet=sheet, encoding=encoding)
    found = frame.attrs["columns"]
    path = Path(path)
    if "timestamp" in found:
        start = frame["timestamp"]
        bad = start.isna()
        column = found["timestamp"]
    elif "date" in found:
        times = frame["time"] if "time" in found else pd.Series([None] * len(frame), dtype=object)
        start = pd.Series([pd.NaT if pd.isna(d) else pd.Timestamp(dt.datetime.combine(d.date(), t or dt.time()))
                           for d, t in zip(frame["date"], times)], dtype="datetime64[us]")
        bad = frame["date"].isna()
        column = found["date"]
    else:
        raise MissingColumnError(path, row=frame.attrs["header_row"], column="timestamp",
                                 found="no time column; the columns are "
                                 + ", ".join(repr(c) for c in (*found.values(), *frame.attrs["ignored_columns"])),
                                 expected="a column 'Tidspunkt' (date and time) or 'Dato' (with 'Time' for hours)")
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise ValueFormatError(path, row=int(frame["row"].iloc[i]), column=column, found="a blank time",
                               expected="the start of the counting interval in every row")
    out = pd.DataFrame({"branch": frame["branch"], "counter": frame["counter"],
                        "period_start": start.astype("datetime64[us]"), "visits_in": frame["visits_in"],
                        "visits_out": frame["visits_out"], "source": frame["source"], "row": frame["row"]})
    out.attrs.update(frame.attrs)
    out.attrs["freq"] = infer_freq(out)
    return out
