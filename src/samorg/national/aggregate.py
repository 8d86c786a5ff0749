"""Clean hourly people-counter data and sum it to branch-month, at national scale."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from samorg.errors import SamorgError

#: An hour counting more than this many times the branch's mean open hour is a spike.
SPIKE_FACTOR = 20


def _month_of_hours(hours: np.ndarray, first_year: int) -> np.ndarray:
    """Months since January ``first_year`` for hours since 1 January ``first_year``."""
    start = np.datetime64(f"{first_year}-01-01T00", "h")
    days = np.arange(hours.min() // 24, hours.max() // 24 + 1)
    month_of_day = ((start + (days * 24).astype("timedelta64[h]")).astype("datetime64[M]").astype(np.int64)
                    - start.astype("datetime64[M]").astype(np.int64))
    return month_of_day[hours // 24 - days[0]]


def _grid(branch: np.ndarray, hour: np.ndarray) -> tuple[int, int] | None:
    """(branches, hours) when the rows are a full branch × hour grid in branch-major order (the usual
    export layout, whole days only); ``None`` otherwise."""
    n = len(branch)
    if n == 0 or branch[0] != 0:
        return None
    n_branch = int(branch[-1]) + 1
    if n % n_branch:
        return None
    width = n // n_branch
    if width % 24 or hour[0] % 24:
        return None
    b2, h2 = branch.reshape(n_branch, width), hour.reshape(n_branch, width)
    if not ((b2 == np.arange(n_branch)[:, None]).all() and (h2 == h2[0]).all()
            and (np.diff(h2[0]) == 1).all()):
        return None
    return n_branch, width


def _one_grid(t, n_branch: int, width: int, first_year: int, spike_factor: float) -> pd.DataFrame:
    """The fast path: the same cleaning and sums as :func:`_one_file`, on a branch × hour grid."""
    hours = t.column("hour").to_numpy()[:width].astype(np.int64)
    beams = (t.column("in").to_numpy().astype(np.int32) + t.column("out").to_numpy()).reshape(n_branch, width)
    muni = t.column("municipality").to_numpy().reshape(n_branch, width)[:, 0]
    positive = beams > 0
    mean_open = beams.sum(axis=1, where=positive) / np.maximum(positive.sum(axis=1), 1) / 2
    spike = beams > 2 * spike_factor * mean_open[:, None]
    day_total = beams.reshape(n_branch, width // 24, 24).sum(axis=2)
    d0 = int(hours[0] // 24)
    weekday = (np.arange(d0, d0 + width // 24) + _weekday_offset(first_year)) % 7
    open_share = np.stack([(day_total[:, weekday == w] >= 5).mean(axis=1) for w in range(7)], axis=1)
    outage_day = (day_total == 0) & (open_share[:, weekday] >= 0.5)
    month = _month_of_hours(hours, first_year)
    starts = np.flatnonzero(np.r_[True, np.diff(month) != 0])
    day_month = month[::24]
    day_starts = np.flatnonzero(np.r_[True, np.diff(day_month) != 0])
    visits = np.add.reduceat(np.where(spike, 0, beams).astype(np.float64), starts, axis=1) / 2
    spikes = np.add.reduceat(spike.astype(np.int32), starts, axis=1)
    outages = np.add.reduceat(outage_day.astype(np.int32), day_starts, axis=1)
    n_months = len(starts)
    start = np.datetime64(f"{first_year}-01", "M")
    months = (start + month[starts]).astype("datetime64[us]")
    return pd.DataFrame({
        "branch": np.repeat(np.arange(n_branch, dtype=np.int32), n_months),
        "municipality": np.repeat(muni, n_months),
        "period_start": np.tile(months, n_branch),
        "visits": visits.ravel(),
        "spike_hours": spikes.ravel().astype(np.int32),
        "outage_days": outages.ravel().astype(np.int32),
    })


def _one_file(path: Path, first_year: int, spike_factor: float) -> pd.DataFrame:
    import pyarrow.parquet as pq

    t = pq.read_table(path, columns=["branch", "municipality", "hour", "in", "out"])
    grid = _grid(t.column("branch").to_numpy(), t.column("hour").to_numpy())
    if grid is not None:
        return _one_grid(t, *grid, first_year, spike_factor)
    branch = t.column("branch").to_numpy().astype(np.int64)
    hour = t.column("hour").to_numpy().astype(np.int64)
    inn = t.column("in").to_numpy().astype(np.float64)
    out = t.column("out").to_numpy().astype(np.float64)
    muni = t.column("municipality").to_numpy()
    n_branch = int(branch.max()) + 1
    visits = (inn + out) / 2  # the mean of the two beams is the best visit estimate

    # Spikes: an hour far above the branch's mean open hour.
    positive = visits > 0
    mean_open = np.bincount(branch[positive], weights=visits[positive], minlength=n_branch) / np.maximum(
        np.bincount(branch[positive], minlength=n_branch), 1)
    spike = visits > spike_factor * mean_open[branch]

    # Outage days: both beams at zero all day on a weekday the branch is normally open.
    day = hour // 24
    d0 = int(day.min())
    n_days = int(day.max()) - d0 + 1
    day_key = branch * n_days + (day - d0)
    day_total = np.bincount(day_key, weights=inn + out, minlength=n_branch * n_days).reshape(n_branch, n_days)
    weekday = (np.arange(d0, d0 + n_days) + _weekday_offset(first_year)) % 7
    # A weekday is normally open at a branch when most such days count a handful of visits or more
    # (a stray beam count on a closed day does not make it an opening day).
    open_share = np.stack([(day_total[:, weekday == w] >= 5).mean(axis=1) for w in range(7)], axis=1)
    outage_day = (day_total == 0) & (open_share[:, weekday] >= 0.5)

    month = _month_of_hours(hour, first_year)
    m0 = int(month.min())
    n_months = int(month.max()) - m0 + 1
    key = branch * n_months + (month - m0)
    size = n_branch * n_months
    good = ~spike
    total = np.bincount(key, weights=np.where(good, visits, 0.0), minlength=size)
    spikes = np.bincount(key, weights=spike, minlength=size)
    day_month = _month_of_hours(np.arange(d0, d0 + n_days) * 24, first_year) - m0
    outage_key = (np.arange(n_branch)[:, None] * n_months + day_month[None, :])[outage_day]
    outages = np.bincount(outage_key, minlength=size)
    municipality = np.zeros(n_branch, dtype=muni.dtype)
    municipality[branch] = muni
    b_idx, m_idx = np.divmod(np.arange(size), n_months)
    start = np.datetime64(f"{first_year}-01", "M")
    return pd.DataFrame({
        "branch": b_idx.astype(np.int32),
        "municipality": municipality[b_idx],
        "period_start": (start + (m_idx + m0)).astype("datetime64[us]"),
        "visits": total,
        "spike_hours": spikes.astype(np.int32),
        "outage_days": outages.astype(np.int32),
    })


def _weekday_offset(first_year: int) -> int:
    """Weekday (Mon=0) of day 0, 1 January ``first_year``."""
    return int((np.datetime64(f"{first_year}-01-01", "D").astype(np.int64) + 3) % 7)


def counters_to_monthly(path: str | Path, *, first_year: int, spike_factor: float = SPIKE_FACTOR,
                        workers: int | None = None, executor: str = "local",
                        scheduler: str | None = None) -> pd.DataFrame:
    """Branch-month visits from hourly IN/OUT counts, with outages and spikes flagged, not hidden.

    Parameters
    ----------
    path : path
        A parquet file or a folder of them (columns branch, municipality, hour, in, out; ``hour`` in
        hours since 1 January ``first_year``), as written by :func:`generate_counters`.
    first_year : int
        The year ``hour`` counts from.
    spike_factor : float
        An hour counting more than this many times the branch's mean open hour is a spike: left out
        of ``visits`` and counted in ``spike_hours``.

    Returns
    -------
    DataFrame
        One row per branch and month: ``visits`` (mean of IN and OUT, spikes left out),
        ``spike_hours``, ``outage_days`` (days with both beams at zero on a weekday the branch is
        normally open; the month's visits are then an undercount and should be flagged).
    workers : int, optional
        Processes working on files side by side (default: the number of CPUs; 1 for none).
    executor : {"local", "dask"}
        ``"dask"`` hands each file to a worker of the Dask distributed cluster at ``scheduler``
        (e.g. ``"tcp://10.0.0.5:8786"``); the workers need samorg and the files at the same path.
    scheduler : str, optional
        The Dask scheduler's address (``executor="dask"``).
    """
    import os
    from concurrent.futures import ProcessPoolExecutor

    if executor not in ("local", "dask"):
        raise SamorgError(f"executor={executor!r} is not supported; use 'local' or 'dask'.")
    path = Path(path)
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    if not files or not all(f.is_file() for f in files):
        raise SamorgError(f"{path}: no people-counter parquet files there. Expected a parquet file or a folder "
                          "of them (columns branch, municipality, hour, in, out), as written by generate_counters.")
    n = max(1, min(workers or os.cpu_count() or 1, len(files)))
    if executor == "dask":
        from samorg.distributed import dask_client

        with dask_client(scheduler) as client:
            futures = client.map(_one_file, files, first_year=first_year, spike_factor=spike_factor, pure=False)
            parts = client.gather(futures)
    elif n == 1:
        parts = [_one_file(f, first_year, spike_factor) for f in files]
    else:
        with ProcessPoolExecutor(max_workers=n) as pool:
            parts = list(pool.map(_one_file, files, [first_year] * len(files), [spike_factor] * len(files)))
    return pd.concat(parts, ignore_index=True).sort_values(["branch", "period_start"], ignore_index=True)
