"""Panel helpers shared by the estimators: fixed-effect absorption, group sums, unit × period matrices.

Nothing here touches files; numpy/pandas only (scipy.sparse is imported inside the functions).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from samorg.errors import ModelError


# -- fixed effects -----------------------------------------------------------------------------------
def group_sums(codes: np.ndarray, values: np.ndarray, n_groups: int) -> np.ndarray:
    """Sums of the rows of ``values`` (n or n × m) within each group code (0 … n_groups − 1)."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        return np.bincount(codes, weights=values, minlength=n_groups)
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]])
    sums = np.add.reduceat(values[order], starts, axis=0)
    out = np.zeros((n_groups, values.shape[1]))
    out[sorted_codes[starts]] = sums
    return out


def absorb(M: np.ndarray, factors: list[np.ndarray], weights: np.ndarray, *, tol: float = 1e-12,
           max_iter: int = 10_000) -> np.ndarray:
    """Residuals of the columns of ``M`` after weighted least squares on one or more sets of dummies.

    ``factors`` are integer code arrays (one per fixed effect). One factor is exact in one
    step; several use alternating projections (method of alternating projections, Gaure 2013),
    which is exact in one sweep for a balanced, unweighted two-way panel and converges
    geometrically otherwise. The input is not modified.
    """
    R = np.array(M, dtype=float, copy=True)
    squeeze = R.ndim == 1
    if squeeze:
        R = R[:, None]
    if not factors:
        return R[:, 0] if squeeze else R
    w = np.asarray(weights, dtype=float)
    sizes = [int(f.max()) + 1 for f in factors]
    wsum = [np.bincount(f, weights=w, minlength=s) for f, s in zip(factors, sizes)]
    scale = max(float(np.abs(R).max()), 1.0)
    for _ in range(max_iter if len(factors) > 1 else 1):
        change = 0.0
        for f, s, ws in zip(factors, sizes, wsum):
            with np.errstate(invalid="ignore", divide="ignore"):
                means = group_sums(f, R * w[:, None], s) / ws[:, None]
            means[~np.isfinite(means)] = 0.0
            step = means[f]
            R -= step
            change = max(change, float(np.abs(step).max()))
        if change < tol * scale:
            break
    return R[:, 0] if squeeze else R


# -- unit × period matrices --------------------------------------------------------------------------
@dataclass(frozen=True)
class Panel:
    """An outcome as a units × periods matrix (NaN where missing) and how to read its axes."""

    Y: np.ndarray  # N × T
    units: pd.Index
    times: np.ndarray  # sorted unique period values (float or datetime64)
    kind: str  # "number" | "date"
    unit_col: str
    time_col: str

    def period_of(self, value: Any, *, what: str) -> int:
        """Index of the first period at or after ``value`` (len(times) when after the last)."""
        v = to_time(value, self.kind, what=what, column=self.time_col)
        return int(np.searchsorted(self.times, v, side="left"))

    def label(self, index: int) -> str:
        from samorg import fmt

        value = self.times[index]
        if self.kind == "date":
            return fmt.date(pd.Timestamp(value))
        return str(int(value)) if float(value).is_integer() else fmt.number(float(value), decimals=2)


def to_time(value: Any, kind: str, *, what: str, column: str) -> Any:
    """One time value (intervention, window bound) on the scale of the panel's time column."""
    if kind == "date":
        if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
            raise ModelError(f'{what} is the number {value!r}, but time column "{column}" holds dates. Give a date, '
                             'e.g. "2020-01-01".')
        from samorg.models._timeaxis import as_date

        return np.datetime64(as_date(value, what=what), "ns")
    if isinstance(value, (str, dt.date, pd.Timestamp, np.datetime64)):
        raise ModelError(f'{what} is {value!r}, but time column "{column}" holds numbers. Give a number on the same '
                         "scale.")
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"{what} {value!r} is not a number.") from exc


def time_values(series: pd.Series, column: str) -> tuple[np.ndarray, str]:
    """Time column as floats (numbers) or datetime64[ns] (dates), and its kind."""
    if series.isna().any():
        raise ModelError(f'Time column "{column}" has missing values. Every row needs a time.')
    if pd.api.types.is_bool_dtype(series):
        raise ModelError(f'Time column "{column}" holds true/false values. Expected numbers or dates.')
    if pd.api.types.is_numeric_dtype(series):
        return series.to_numpy(dtype=float), "number"
    from samorg.models._timeaxis import dates_of

    ts = dates_of(series, column)  # text dates day first, as everywhere (samorg.dates)
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_localize(None)
    return ts.to_numpy(dtype="datetime64[ns]"), "date"


def panel(data: pd.DataFrame, *, outcome: str, unit: str, time: str, fn: str) -> Panel:
    """The units × periods matrix of ``outcome``; errors name missing columns and duplicated cells."""
    if not isinstance(data, pd.DataFrame):
        raise ModelError(f"{fn}() expected a pandas DataFrame as data, got {type(data).__name__}.")
    missing = [c for c in (outcome, unit, time) if c not in data.columns]
    if missing:
        raise ModelError(f"Column(s) {missing} are not in the data. The data have columns {list(data.columns)}.")
    if len(data) == 0:
        raise ModelError(f"The data have no rows; {fn}() needs units observed over time.")
    if not pd.api.types.is_numeric_dtype(data[outcome]):
        raise ModelError(f'Outcome "{outcome}" is not numeric (e.g. {data[outcome].iloc[0]!r}).')
    if data[unit].isna().any():
        raise ModelError(f'Unit column "{unit}" has missing values.')
    t, kind = time_values(data[time], time)
    frame = pd.DataFrame({"u": data[unit].to_numpy(), "t": t, "y": data[outcome].to_numpy(dtype=float)})
    dup = frame.duplicated(["u", "t"])
    if dup.any():
        row = frame[dup].iloc[0]
        raise ModelError(f'Unit {row["u"]!r} has more than one row for {time} = {row["t"]}. Aggregate to one row per '
                         "unit and period first.")
    wide = frame.pivot(index="u", columns="t", values="y").sort_index(axis=1)
    return Panel(Y=wide.to_numpy(dtype=float), units=wide.index, times=wide.columns.to_numpy(), kind=kind,
                 unit_col=unit, time_col=time)


def excluded_periods(times: np.ndarray, kind: str, exclude: Any, column: str) -> tuple[np.ndarray, list[dict]]:
    """Boolean mask of periods inside any exclusion window and the parsed windows.

    The rule is :func:`samorg.models._timeaxis.excluded_mask` (a period is excluded if any day of it
    falls in the window), the same one its() uses: dates are read as months.
    """
    from samorg.models._timeaxis import TimeAxis, _all_years, excluded_mask, month_index, parse_windows

    t = month_index(times) if kind == "date" else np.asarray(times, dtype=float)
    axis = TimeAxis(kind, column, 1.0, years=kind == "number" and _all_years(t))
    windows = parse_windows(exclude, axis)
    mask = excluded_mask(t, windows)
    return mask, [{k: w[k] for k in ("start", "end", "label", "n_periods")} for w in windows]
