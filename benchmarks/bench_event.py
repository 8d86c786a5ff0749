"""Event-study permutation inference: batched cohort reassignments against the per-reassignment refit.

    .venv/bin/python benchmarks/bench_event.py [--repeat 3]

The panel of benchmarks/bench_inference.py (356 units × 12 years, 2 treated units first treated in year 6,
unit and year effects, AR(1) errors), 9,999 random reassignments plus the observed one (10,000). "before"
runs ``event_study`` with the straightforward computation (``_compute`` refitted twice per reassignment:
once on the outcome, once with treated periods masked), "after" with the batched one
(``samorg.models._event_batch``), in the same process one after the other, and checks that both give the
same p-values, intervals and pre-trend test. A second, staggered panel (3 cohorts, comparison="not_yet")
is timed the same way. Figures: medians of ``--repeat`` runs (wall clock and CPU time of this process).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_inference import panel  # noqa: E402
from samorg.models import _event_inference, event_study  # noqa: E402


def staggered(rng: np.random.Generator) -> pd.DataFrame:
    """356 units × 12 years, 6 treated units in cohorts 4, 6 and 8 (2 each)."""
    df = panel(rng, units=356, periods=12, n_treated=6, effect=1.0, start=6)
    df["first"] = np.where(df["unit"] < 6, 4.0 + 2 * (df["unit"] // 2), np.nan)
    return df


def timed(df: pd.DataFrame, *, loop: bool, **kw) -> tuple[float, float, object]:
    """Wall-clock and CPU seconds of one event_study call (the batched path, or the per-reassignment loop)."""
    patch = mock.patch.object(_event_inference, "permutation_statistics",
                              _event_inference.permutation_statistics_loop) if loop else mock.patch.object(
        _event_inference, "permutation_statistics", _event_inference.permutation_statistics)
    with patch:
        w0, c0 = time.perf_counter(), time.process_time()
        res = event_study(df, outcome="y", unit="unit", time="t", first_treated="first", draws=9999, **kw)
        return time.perf_counter() - w0, time.process_time() - c0, res


def same(a, b) -> float:
    """Largest difference between the two results' p-values, intervals and pre-trend test (NaN equal NaN)."""
    x = np.r_[a.p_value, a.ci_low, a.ci_high, a.coefficients[["ci_low", "ci_high", "p_value"]].to_numpy().ravel(),
              a.pretrend.get("statistic", np.nan), a.pretrend.get("p_value", np.nan)]
    y = np.r_[b.p_value, b.ci_low, b.ci_high, b.coefficients[["ci_low", "ci_high", "p_value"]].to_numpy().ravel(),
              b.pretrend.get("statistic", np.nan), b.pretrend.get("p_value", np.nan)]
    assert (np.isnan(x) == np.isnan(y)).all()
    return float(np.nanmax(np.abs(x - y)))


def run(name: str, df: pd.DataFrame, repeat: int, **kw) -> None:
    before, after = [], []
    for _ in range(repeat):
        before.append(timed(df, loop=True, **kw))
        after.append(timed(df, loop=False, **kw))
    diff = same(before[0][2], after[0][2])
    wb, wa = statistics.median(r[0] for r in before), statistics.median(r[0] for r in after)
    cb, ca = statistics.median(r[1] for r in before), statistics.median(r[1] for r in after)
    res = after[0][2]
    print(f"{name}: {res.details['draws']:,} assignments; before {wb:.2f} s wall ({cb:.2f} s CPU), "
          f"after {wa:.2f} s wall ({ca:.2f} s CPU): {wb / wa:.1f}× faster; estimate {res.estimate:.3f}, "
          f"p {res.p_value:.4f}; largest difference in p-values, intervals, pre-trend test: {diff:.1e}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    run("one cohort (356 units × 12 years, never-treated comparisons)", panel(
        np.random.default_rng(3), units=356, periods=12, n_treated=2, effect=1.0, start=6), args.repeat)
    run("three cohorts (not-yet-treated comparisons)", staggered(np.random.default_rng(4)), args.repeat,
        comparison="not_yet")


if __name__ == "__main__":
    main()
