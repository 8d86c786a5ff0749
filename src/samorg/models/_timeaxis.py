"""Turn a time column (numbers or monthly dates) into a numeric model time, and windows onto it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.dates import DateError, parse_date, year_window
from samorg.errors import ModelError


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_))


def _is_year(value: Any) -> bool:
    return float(value).is_integer() and 1000 <= float(value) <= 9999


def as_date(value: Any, *, what: str) -> dt.date:
    """``value`` read by :func:`samorg.dates.parse_date` (day-first Norwegian dates), as a ModelError."""
    try:
        return parse_date(value, where=what)
    except DateError as exc:
        raise ModelError(str(exc)) from exc


@dataclass(frozen=True)
class TimeAxis:
    """How the model's numeric time relates to the data's time column.

    ``kind == "date"``: model time is the absolute month count ``year * 12 + month - 1``
    (calendar-anchored, so Fourier terms have the same phase in every series);
    ``kind == "number"``: model time is the column's value. ``years``: a numeric axis whose
    values are all whole numbers 1000–9999 (calendar years), so date bounds can be read on it.
    """

    kind: str  # "date" | "number"
    column: str
    step: float  # 1 month for dates; the smallest spacing for numbers
    years: bool = False

    def to_model(self, value: Any, *, what: str, bound: str | None = None) -> float:
        """Convert one time value (an intervention or a window bound) to model time.

        ``bound`` ("start" or "end") marks a window bound: a whole year on a date axis is then the
        full-year window (1 January / 31 December), and a date on a yearly axis is its year.
        """
        if self.kind == "date":
            if _is_number(value):
                if bound is None or not _is_year(value):
                    raise ModelError(
                        f'{what} is the number {value!r}, but time column "{self.column}" holds dates. '
                        "Give a date, e.g. \"2022-01-01\" (a whole year is accepted only as a window bound)."
                    )
                day = year_window(value, where=what)[0 if bound == "start" else 1]
            else:
                day = as_date(value, what=what)
            return float(day.year * 12 + day.month - 1)
        if not _is_number(value):
            if bound is not None and self.years:
                return float(as_date(value, what=what).year)
            raise ModelError(
                f'{what} is {value!r}, but time column "{self.column}" holds numbers. Give a number on '
                "the same scale (or pass a date column as time)."
            )
        try:
            return float(value)
        except (TypeError, ValueError) as exc:
            raise ModelError(f"{what} {value!r} is not a number.") from exc

    def label(self, model_time: float, *, lang: str = "nb") -> str:
        """Model time as text: a month ("03.2020") for dates, the number otherwise."""
        if self.kind == "date":
            return fmt.month(self.to_timestamp(model_time), lang=lang)
        return fmt.number(model_time, decimals=0 if float(model_time).is_integer() else 2, lang=lang)

    def to_timestamp(self, model_time: float) -> pd.Timestamp:
        m = int(round(model_time))
        return pd.Timestamp(year=m // 12, month=m % 12 + 1, day=1)


def model_time(values: pd.Series, *, column: str) -> tuple[np.ndarray, TimeAxis]:
    """Numeric model time for each row and the axis describing it; errors name the bad rows."""
    if values.isna().any():
        rows = list(values.index[values.isna()][:5])
        raise ModelError(f'Time column "{column}" has missing values (rows {rows}). Every row needs a time.')
    if pd.api.types.is_bool_dtype(values):
        raise ModelError(f'Time column "{column}" holds true/false values. Expected numbers or dates.')
    if pd.api.types.is_numeric_dtype(values):
        t = values.to_numpy(dtype=float)
        kind = "number"
    else:
        ts = dates_of(values, column)
        if getattr(ts.dt, "tz", None) is not None:
            ts = ts.dt.tz_localize(None)
        t = (ts.dt.year * 12 + ts.dt.month - 1).to_numpy(dtype=float)
        kind = "date"
    uniq, counts = np.unique(t, return_counts=True)
    if (counts > 1).any():
        dup = uniq[counts > 1][0]
        axis = TimeAxis(kind, column, 1.0)
        what = "month" if kind == "date" else "time"
        raise ModelError(
            f'Time column "{column}" has {int(counts[counts > 1][0])} rows for {what} {axis.label(dup)}. '
            "An interrupted time series needs one row per period: aggregate first (e.g. sum the counts per "
            "month), or fit each site separately."
        )
    if kind == "date":
        step = 1.0
    else:
        diffs = np.diff(uniq)
        step = float(diffs.min()) if len(diffs) else 1.0
    return t, TimeAxis(kind, column, step, years=kind == "number" and _all_years(t))


def dates_of(values: pd.Series, column: str) -> pd.Series:
    """A time column as datetimes; text is read by :func:`samorg.dates.parse_date` (day first, always)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
        mapping = {}
        for v in pd.unique(values):
            mapping[v] = pd.Timestamp(as_date(v, what=f'time column "{column}"'))
        return values.map(mapping).astype("datetime64[ns]")
    try:
        return pd.to_datetime(values)
    except (TypeError, ValueError) as exc:
        raise ModelError(
            f'Time column "{column}" holds {values.dtype} values such as {values.iloc[0]!r}. '
            "Expected numbers (1, 2, 3, …) or dates (one per month)."
        ) from exc


def _all_years(t: np.ndarray) -> bool:
    return bool(len(t)) and bool(np.all(np.mod(t, 1) == 0) and t.min() >= 1000 and t.max() <= 9999)


def missing_periods(t: np.ndarray, axis: TimeAxis) -> list[float]:
    """Model times inside the observed range that have no row (regular grid of ``axis.step``)."""
    if len(t) < 2:
        return []
    grid = np.arange(t.min(), t.max() + axis.step / 2, axis.step)
    if len(grid) > 100 * len(t):  # irregular numeric times: no sensible grid
        return []
    present = np.isclose(grid[:, None], np.asarray(t)[None, :]).any(axis=1)
    return [float(g) for g in grid[~present]]


def parse_windows(exclude: Any, axis: TimeAxis) -> list[dict[str, Any]]:
    """Normalise exclusion windows: ``(start, end)``, ``(start, end, label)`` or objects with
    ``.start``, ``.end`` (and ``.label``), such as :class:`samorg.config.Window` (docs/api.md §4).

    Bounds are inclusive and become model times: on a date axis the months of the start and end
    dates, so a window covers every month it touches (a month is excluded if any day of it falls
    in the window); a whole year is a full-year window; on a yearly axis a date is its year.
    """
    windows = []
    for i, w in enumerate(exclude or ()):
        if hasattr(w, "start") and hasattr(w, "end"):
            start, end, label = w.start, w.end, getattr(w, "label", "") or ""
        elif isinstance(w, (tuple, list)) and len(w) in (2, 3):
            start, end = w[0], w[1]
            label = str(w[2]) if len(w) == 3 else ""
        else:
            raise ModelError(
                f"exclude[{i}] is {w!r}. Expected a (start, end) or (start, end, label) window, "
                'e.g. ("2020-03-01", "2021-12-31", "COVID-19").'
            )
        lo = axis.to_model(start, what=f"exclude[{i}] start", bound="start")
        hi = axis.to_model(end, what=f"exclude[{i}] end", bound="end")
        if lo > hi:
            raise ModelError(f"exclude[{i}] starts ({start}) after it ends ({end}). Swap the bounds.")
        windows.append({"start": start, "end": end, "label": label, "model_start": lo, "model_end": hi})
    return windows


def excluded_mask(t: np.ndarray, windows: list[dict[str, Any]]) -> np.ndarray:
    """Rows (model times ``t``) inside any window; records ``n_rows``/``n_periods`` on each window.

    The one place the exclusion rule lives: its(), event_study(), synthetic_control() and every
    panel estimator call it, so one window means the same periods everywhere.
    """
    t = np.asarray(t, dtype=float)
    mask = np.zeros(len(t), dtype=bool)
    for w in windows:
        inside = (t >= w["model_start"] - 1e-9) & (t <= w["model_end"] + 1e-9)
        w["n_rows"] = w["n_periods"] = int(inside.sum())
        mask |= inside
    return mask


def month_index(values: np.ndarray) -> np.ndarray:
    """Absolute month counts (``year * 12 + month - 1``) of datetime64 values."""
    months = np.asarray(values).astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    return (months + 1970 * 12).astype(float)
