"""A seeded national-size synthetic people-counter dataset (hourly IN/OUT per branch)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: Staffed opening hours per weekday (Mon..Sun): (open, close) hour, or None when closed.
OPENING = ((10, 19), (10, 19), (10, 19), (10, 19), (10, 16), (10, 15), None)
#: Hour-of-day profile of visits while open (relative).
PROFILE = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.7, 1.0, 1.2, 1.2, 1.1, 1.1, 1.2, 1.0, 0.8, 0, 0, 0, 0, 0])
SEASON = np.array([1.05, 1.05, 1.1, 1.0, 0.95, 0.85, 0.55, 0.8, 1.05, 1.1, 1.1, 0.95])


def _open_mask(weekday: np.ndarray, hour: np.ndarray) -> np.ndarray:
    mask = np.zeros(weekday.shape, dtype=bool)
    for day, span in enumerate(OPENING):
        if span:
            mask |= (weekday == day) & (hour >= span[0]) & (hour < span[1])
    return mask


def generate_counters(
    out_dir: str | Path,
    *,
    municipalities: int = 356,
    branches: int = 600,
    first_year: int = 2015,
    years: int = 10,
    outage_days: int = 400,
    spikes: int = 2000,
    seed: int = 2020,
) -> dict:
    """Write hourly counts as ``out_dir/counters_YYYY.parquet`` (columns branch, municipality, hour, in, out).

    ``hour`` is hours since 1 January ``first_year`` 00:00 (int32). Every municipality has a branch; with
    fewer branches than ``municipalities``, each branch is in a municipality of its own. Planted faults:
    ``outage_days`` branch-days (at most a quarter of all branch-days) with both beams at zero while open,
    and ``spikes`` single hours counted 40–80 times too high. Returns the planted faults (for tests). Same
    seed, same files.

    Raises
    ------
    SamorgError
        When a count is below 1 (``branches``, ``years``, ``municipalities``) or a count of faults is negative.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from samorg.errors import SamorgError

    for name, value, least in (("branches", branches, 1), ("years", years, 1), ("municipalities", municipalities, 1),
                               ("outage_days", outage_days, 0), ("spikes", spikes, 0)):
        if value < least:
            raise SamorgError(f"{name}={value}: expected a whole number of at least {least}, e.g. "
                              f"--{name.replace('_', '-')} {max(least, 1)}.")
    municipalities = min(municipalities, branches)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    branch_muni = np.sort(rng.integers(0, municipalities, branches)).astype(np.int16)
    branch_muni[:municipalities] = np.arange(municipalities)  # every municipality has a branch
    level = rng.lognormal(np.log(8), 0.8, branches)  # mean visits per open hour
    start = np.datetime64(f"{first_year}-01-01T00", "h")
    end = np.datetime64(f"{first_year + years}-01-01T00", "h")
    n_hours = int((end - start).astype(int))
    days = n_hours // 24
    outage_days = min(outage_days, branches * days // 4)
    planted_outages = set()
    while len(planted_outages) < outage_days:
        b, d = int(rng.integers(branches)), int(rng.integers(days))
        planted_outages.add((b, d))
    planted_spikes: set[tuple[int, int]] = set()
    for y in range(years):
        y0 = int((np.datetime64(f"{first_year + y}-01-01T00", "h") - start).astype(int))
        y1 = int((np.datetime64(f"{first_year + y + 1}-01-01T00", "h") - start).astype(int))
        hours = np.arange(y0, y1, dtype=np.int32)
        stamps = start + hours.astype("timedelta64[h]")
        hour_of_day = (hours % 24).astype(np.int8)
        weekday = ((stamps.astype("datetime64[D]").astype(np.int64) + 3) % 7).astype(np.int8)  # 1970-01-01 was a Thursday
        month = (stamps.astype("datetime64[M]").astype(np.int64) % 12).astype(np.int8)
        is_open = _open_mask(weekday, hour_of_day)
        rate = PROFILE[hour_of_day] * SEASON[month] * is_open
        lam = level[:, None] * rate[None, :]
        visits = rng.poisson(lam).astype(np.int32)
        noise_out = rng.binomial(1, 0.03, visits.shape).astype(np.int32)
        inn = visits
        # The OUT beam misses or double-counts now and then, while open.
        outn = np.maximum(visits - noise_out + rng.binomial(1, 0.03, visits.shape) * is_open, 0).astype(np.int32)
        for b, d in planted_outages:
            if y0 <= d * 24 < y1:
                sl = slice(d * 24 - y0, d * 24 - y0 + 24)
                inn[b, sl] = 0
                outn[b, sl] = 0
        open_idx = np.flatnonzero(is_open)
        for _ in range(spikes // years):
            b, h = int(rng.integers(branches)), int(open_idx[rng.integers(len(open_idx))])
            factor = int(rng.integers(40, 80))
            inn[b, h] = int(level[b] * factor) + 50  # a beam stuck or a group passing back and forth
            outn[b, h] = int(level[b] * factor) + 50
            planted_spikes.add((b, y0 + h))
        table = pa.table({
            "branch": np.repeat(np.arange(branches, dtype=np.int16), len(hours)),
            "municipality": np.repeat(branch_muni, len(hours)),
            "hour": np.tile(hours, branches),
            "in": inn.ravel(),
            "out": outn.ravel(),
        })
        pq.write_table(table, out / f"counters_{first_year + y}.parquet", compression="zstd", row_group_size=2_000_000)
    return {"outages": planted_outages, "spikes": planted_spikes, "first_year": first_year, "branches": branches,
            "rows": branches * n_hours}
