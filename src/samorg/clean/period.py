"""Rows outside the study period (``data_start``..``data_end`` in the study file).

Two rules, by the kind of file:

* **Site-level exports** (branch counts, inquiry logs, surveys) are made for the study. A row dated
  outside the study period there is a mistake (a typed year such as 2031-05, a file from another
  project, a month past the last one studied) and is never kept: :func:`check_study_period` raises
  :class:`~samorg.sources.PeriodError` naming the file, row, column, the value and the period. The
  fix is to correct the export, or to widen ``data_start``/``data_end`` if the study really covers
  those months.
* **National files** (the National Library's statistics, SSB's population tables) naturally cover
  more years than a study. Their rows outside the study's years are left out
  (:func:`find_years_outside_period` / :func:`drop_years_outside_period`), and the pipeline lists
  every such file and row count in the manifest's cleaning decisions
  (``drop_outside_study_period``).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from samorg.sources._errors import PeriodError

_SHOW = {"month": "%Y-%m", "date": "%Y-%m-%d", "datetime": "%Y-%m-%d %H:%M"}


def _bounds(start: dt.date, end: dt.date, resolution: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    lo = pd.Timestamp(start)
    if resolution == "month":
        lo = lo.to_period("M").start_time  # a study starting mid-month still has that month
    return lo, pd.Timestamp(end) + pd.Timedelta(days=1)  # end inclusive: any time on data_end


def find_rows_outside_period(frame: pd.DataFrame, *, column: str, start: dt.date, end: dt.date,
                             resolution: str = "date") -> pd.DataFrame:
    """The rows of ``frame`` whose ``column`` lies before ``start`` or after ``end`` (blanks are not outside).

    ``resolution="month"`` compares months: a month counts as inside when any of its days is.
    The input is not modified.

    Examples
    --------
    >>> f = pd.DataFrame({"period_start": pd.to_datetime(["2019-12-01", "2031-05-01"])})
    >>> find_rows_outside_period(f, column="period_start", start=dt.date(2014, 1, 1), end=dt.date(2025, 12, 31),
    ...                          resolution="month")["period_start"].dt.strftime("%Y-%m").tolist()
    ['2031-05']
    """
    lo, hi = _bounds(start, end, resolution)
    values = pd.to_datetime(frame[column])
    return frame[(values < lo) | (values >= hi)]


def check_study_period(frame: pd.DataFrame, *, column: str, start: dt.date, end: dt.date, resolution: str = "date",
                       shown_column: str | None = None, study_file: str = "the study file") -> pd.DataFrame:
    """Return ``frame`` unchanged if every ``column`` value is inside the study period; raise otherwise.

    For site-level exports (see the module docstring). ``frame`` has ``source`` and ``row`` (as
    the readers give them); ``shown_column`` is the column's header in the file.

    Raises
    ------
    PeriodError
        Naming the first row outside the period (file, row, column, value), how many more there
        are, the study period and ``study_file``.
    """
    outside = find_rows_outside_period(frame, column=column, start=start, end=end, resolution=resolution)
    if outside.empty:
        return frame
    first = outside.sort_values("row", kind="stable").iloc[0] if "row" in outside else outside.iloc[0]
    fmt = _SHOW[resolution]
    value = pd.Timestamp(first[column]).strftime(fmt)
    more = len(outside) - 1
    dates = pd.to_datetime(outside[column])
    span = f"; {more} more row(s) of this file lie outside it too ({dates.min():{fmt}} to {dates.max():{fmt}})" \
        if more else ""
    first_unit, last_unit = (f"{start:%Y-%m}", f"{end:%Y-%m}") if resolution == "month" else (
        f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}")
    raise PeriodError(
        str(first["source"]) if "source" in outside else "<table>",
        row=int(first["row"]) if "row" in outside else None, column=shown_column or column,
        found=f"{value} is outside the study period {start:%Y-%m-%d} to {end:%Y-%m-%d} "
              f"(data_start and data_end in {study_file}){span}",
        expected=f"{'months' if resolution == 'month' else 'dates'} from {first_unit} to {last_unit}",
        fix="Correct the date in the export (a mistyped year is the usual cause), or widen data_start/data_end "
            "in the study file if the study really covers it. Rows outside the study period are never kept.")


def find_years_outside_period(frame: pd.DataFrame, *, column: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Rows of a national (annual) table whose year ``column`` is outside ``start.year``..``end.year``."""
    years = pd.to_numeric(frame[column])
    return frame[(years < start.year) | (years > end.year)]


def drop_years_outside_period(frame: pd.DataFrame, *, column: str, start: dt.date, end: dt.date) -> pd.DataFrame:
    """Return the rows :func:`find_years_outside_period` does not find (index reset); the input is not modified.

    Examples
    --------
    >>> f = pd.DataFrame({"year": [2005, 2014, 2025, 2026]})
    >>> kept = drop_years_outside_period(f, column="year", start=dt.date(2014, 1, 1), end=dt.date(2025, 12, 31))
    >>> kept["year"].tolist()
    [2014, 2025]
    """
    years = pd.to_numeric(frame[column])
    return frame[(years >= start.year) & (years <= end.year)].reset_index(drop=True)
