"""Inference benchmarks and coverage simulations (run on demand, not part of the test suite).

    .venv/bin/python benchmarks/bench_inference.py            # everything
    .venv/bin/python benchmarks/bench_inference.py wild synth  # some parts: wild, synth, event, coverage

* wild: wild cluster bootstrap, 9,999 draws, on an 80,000-row panel (356 units × 225 months, unit and
  month fixed effects), including the test-inverted confidence interval;
* synth: synthetic control with placebo-in-space over 356 units (355 placebo fits);
* event: event study with 9,999 random cohort reassignments, 356 units × 12 years;
* coverage: share of 95 % intervals covering the planted effect, per inference mode, over simulated
  panels with 2 treated and 10–40 comparison units (AR(1) errors within units), and the rejection
  rate of a true null (size) per mode.
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from samorg.models import ModelWarning, did, event_study, synthetic_control  # noqa: E402


def panel(rng: np.random.Generator, *, units: int, periods: int, n_treated: int = 2, effect: float = 1.0,
          rho: float = 0.5, start: int | None = None) -> pd.DataFrame:
    """Unit and period effects, AR(1) errors within units, ``effect`` on treated units from ``start``."""
    start = periods // 2 if start is None else start
    unit = np.repeat(np.arange(units), periods)
    t = np.tile(np.arange(periods), units)
    e = np.empty((units, periods))
    e[:, 0] = rng.normal(0, 1, units)
    for k in range(1, periods):
        e[:, k] = rho * e[:, k - 1] + rng.normal(0, np.sqrt(1 - rho**2), units)
    scale = rng.uniform(0.5, 1.5, units)  # heteroskedastic units
    treated = (unit < n_treated).astype(int)
    post = (t >= start).astype(int)
    y = rng.normal(0, 1, units)[unit] + rng.normal(0, 1, periods)[t] + (e * scale[:, None]).ravel() \
        + effect * treated * post
    return pd.DataFrame({"unit": unit, "t": t, "treated": treated, "post": post, "y": y,
                         "first": np.where(unit < n_treated, float(start), np.nan)})


def _samorg_wild(df: pd.DataFrame):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        return did(df, outcome="y", treated="treated", post="post", unit="unit", time="t", inference="wild",
                   draws=9999)


def _pyfixest_wild(df: pd.DataFrame):
    import pyfixest as pf

    d = df.assign(treat_post=df["treated"] * df["post"])
    fit = pf.feols("y ~ treat_post | unit + t", data=d, vcov={"CRV1": "unit"})
    return fit.wildboottest(param="treat_post", reps=9999, seed=1, cluster="unit")


def bench_wild(repeat: int = 3) -> None:
    rng = np.random.default_rng(1)
    df = panel(rng, units=356, periods=225, n_treated=2, effect=0.3)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        res = _samorg_wild(df)
        times.append(time.perf_counter() - t0)
    print(f"wild cluster bootstrap: {len(df):,} rows, {res.details['n_clusters']} clusters, "
          f"{res.details['draws']:,} draws, p and 95% CI: median {np.median(times):.2f} s of {repeat} "
          f"(estimate {res.estimate:.3f}, CI {res.ci_low:.3f} to {res.ci_high:.3f}, p {res.p_value:.4f})")
    try:
        import pyfixest  # noqa: F401
    except ImportError:
        print("pyfixest is not installed: no comparison (./dev bench installs it, or pip install pyfixest wildboottest)")
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _pyfixest_wild(df)  # the first call compiles numba code: not counted
        p_times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            boot = _pyfixest_wild(df)
            p_times.append(time.perf_counter() - t0)
    p_value = float(boot["Pr(>|t|)"])
    print(f"pyfixest {pyfixest.__version__} feols + wildboottest (same data, 9,999 draws, Rademacher, null "
          f"imposed, p only): median {np.median(p_times):.2f} s (p {p_value:.4f}); "
          f"samorg / pyfixest time: {np.median(times) / np.median(p_times):.2f} (target at most 1)")


def bench_synth() -> None:
    rng = np.random.default_rng(2)
    years, units = 12, 356
    loads = rng.uniform(0.5, 2, (units, 3))
    factors = np.column_stack([np.ones(years), np.arange(years) / years, rng.normal(0, 0.2, years)])
    Y = 100 * loads @ factors.T + rng.normal(0, 1, (units, years))
    Y[0, 6:] += 5
    df = pd.DataFrame([(u, 2014 + k, Y[u, k]) for u in range(units) for k in range(years)],
                      columns=["unit", "year", "y"])
    t0 = time.perf_counter()
    res = synthetic_control(df, outcome="y", unit="unit", time="year", treated=0, intervention=2020)
    print(f"synthetic control, placebo-in-space over {res.details['n_donors'] + 1} units: "
          f"{time.perf_counter() - t0:.2f} s (estimate {res.estimate:.2f}, rank {res.details['rank']}, "
          f"p {res.p_value:.4f})")


def bench_event() -> None:
    rng = np.random.default_rng(3)
    df = panel(rng, units=356, periods=12, n_treated=2, effect=1.0, start=6)
    t0 = time.perf_counter()
    res = event_study(df, outcome="y", unit="unit", time="t", first_treated="first", draws=9999)
    print(f"event study, {res.details['draws']:,} cohort reassignments, 356 units × 12 periods: "
          f"{time.perf_counter() - t0:.2f} s (estimate {res.estimate:.2f}, p {res.p_value:.4f})")


MODES = ("classical", "robust", "cluster", "wild", "permutation")


def coverage(reps: int = 500, seed: int = 20260101, effect: float = 1.0, periods: int = 8) -> pd.DataFrame:
    """Coverage of the planted effect and size (rejection of the true value at 5 %) per inference mode."""
    rng = np.random.default_rng(seed)
    hits = {m: 0 for m in MODES}
    widths = {m: [] for m in MODES}
    for _ in range(reps):
        df = panel(rng, units=2 + int(rng.integers(10, 41)), periods=periods, effect=effect)
        for mode in MODES:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ModelWarning)
                r = did(df, outcome="y", treated="treated", post="post", unit="unit", time="t", inference=mode,
                        draws=999)
            hits[mode] += r.ci_low <= effect <= r.ci_high
            widths[mode].append(r.ci_high - r.ci_low)
    return pd.DataFrame({"coverage": {m: hits[m] / reps for m in MODES},
                         "size_at_5pct": {m: 1 - hits[m] / reps for m in MODES},
                         "median_ci_width": {m: float(np.median(widths[m])) for m in MODES}}).rename_axis("inference")


def bench_coverage(reps: int = 500) -> None:
    t0 = time.perf_counter()
    table = coverage(reps)
    print(f"coverage of 95% intervals, {reps} panels (2 treated, 10-40 comparison units, 8 periods, AR(1) 0.5):")
    print(table.round(3).to_string())
    print(f"({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    parts = sys.argv[1:] or ["wild", "synth", "event", "coverage"]
    for part in parts:
        {"wild": bench_wild, "synth": bench_synth, "event": bench_event, "coverage": bench_coverage}[part]()
