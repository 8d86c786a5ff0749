"""The event study's batched cohort reassignments equal refitting the estimator for each reassignment.

``_event_inference.permutation_statistics`` computes every reassignment's statistics at once
(``_event_batch``); ``permutation_statistics_loop`` is the straightforward computation it replaced. Same
draws, same statistics and the same p-values, intervals and pre-trend test, to 1e-12.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from samorg.models import _event_inference, event_study
from samorg.models import _resampling as rs
from samorg.models._event_core import _base, _compute, _Spec
from conftest import seeded_rng

CASES = {
    "never": {},
    "not_yet": {"control": "not_yet"},
    "anticipation": {"control": "not_yet", "reference": -2},
    "excluded_before_treatment": {"excluded": (4, 5)},
    "excluded_not_yet": {"excluded": (2,), "control": "not_yet"},
    "window": {"window": (-2, 2)},
    "missing_values": {"missing": 0.15},
    "everything": {"missing": 0.15, "control": "not_yet", "reference": -2, "excluded": (5,)},
    "one_cohort": {"cohorts": (2,), "units": 20},
    "enumerated": {"cohorts": (2,), "units": 8},  # 28 assignments: every one of them
}


def inputs(name: str, *, units=14, periods=9, cohorts=(3, 5, 7), control="never", reference=-1, excluded=(),
           window=None, missing=0.0, draws=150):
    """What ``permutation`` hands to the statistics: outcome, masked outcome, assignments, spec, indicators."""
    rng = seeded_rng(f"event batch {name}")
    g = np.array([cohorts[i % len(cohorts)] if i < 2 * len(cohorts) else periods for i in range(units)])
    Y = rng.normal(0, 1, (units, periods)) + np.arange(periods) * 0.3
    Y[rng.random((units, periods)) < missing] = np.nan
    ex = np.zeros(periods, dtype=bool)
    ex[list(excluded)] = True
    Y[:, ex] = np.nan
    spec = _Spec(T=periods, reference=reference, control=control, window=window, excluded=ex)
    E = _compute(Y, g, spec).event_times
    t = np.arange(periods)
    D = (t[None, :] >= g[:, None]).astype(float)
    De = np.stack([(t[None, :] - g[:, None] == e).astype(float) for e in E])
    masked = Y.copy()
    masked[t[None, :] > np.array([(_base(int(c), spec) if c < periods else periods) or 0 for c in g])[:, None]] = np.nan
    assign, _, _ = _event_inference.assignments(g, draws, rng)
    return Y, masked, assign, spec, E, D, De, True


@pytest.mark.parametrize("case", CASES)
def test_batched_statistics_equal_the_refit_per_reassignment(case):
    args = inputs(case, **CASES[case])
    batched = _event_inference.permutation_statistics(*args)
    loop = _event_inference.permutation_statistics_loop(*args)
    assert len(args[2]) >= 28  # many assignments, not only the observed one
    for fast, slow in zip(batched, loop):
        assert fast.shape == slow.shape
        np.testing.assert_array_equal(np.isnan(fast), np.isnan(slow))
        np.testing.assert_allclose(fast, slow, rtol=0, atol=1e-12)
    assert np.nanstd(batched[0][:, 0]) > 0.1  # the distribution is not degenerate


def staggered(seed: str, *, missing: float = 0.0) -> pd.DataFrame:
    rng = seeded_rng(seed)
    rows = []
    for u in range(16):
        first = 2018 if u < 2 else 2020 if u < 4 else np.nan
        level = rng.normal(0, 1)
        for y in range(2013, 2024):
            effect = 1.0 if first == first and y >= first else 0.0
            rows.append((u, y, first, level + 0.2 * (y - 2013) + effect + rng.normal(0, 0.4)))
    df = pd.DataFrame(rows, columns=["unit", "year", "first", "y"])
    return df.drop(index=df.sample(frac=missing, random_state=1).index) if missing else df


def summary(res) -> np.ndarray:
    c = res.coefficients
    return np.r_[res.p_value, res.ci_low, res.ci_high, res.details["permutation_sd"],
                 c[["estimate", "ci_low", "ci_high", "p_value"]].to_numpy().ravel(),
                 res.pretrend["statistic"], res.pretrend["p_value"]]


@pytest.mark.parametrize(("comparison", "exclude", "missing"),
                         [("never", (), 0.0), ("not_yet", [(2016, 2016)], 0.05)])
def test_event_study_gives_the_same_inference_as_the_loop(monkeypatch, comparison, exclude, missing):
    df = staggered(f"event batch end to end {comparison}", missing=missing)
    kw = dict(outcome="y", unit="unit", time="year", first_treated="first", comparison=comparison, exclude=exclude,
              draws=199, seed=7)
    fast = event_study(df, **kw)
    monkeypatch.setattr(_event_inference, "permutation_statistics", _event_inference.permutation_statistics_loop)
    slow = event_study(df, **kw)
    a, b = summary(fast), summary(slow)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    assert not fast.details["enumerated"] and fast.details["draws"] == 200
    assert np.isfinite(fast.coefficients["p_value"]).sum() >= 8


def test_random_assignments_are_the_permutation_draws_row_after_row():
    g = np.array([3, 3, 5, 9, 9, 9, 9, 9, 9, 9, 9, 9])
    rows, enumerated, total = _event_inference.assignments(g, 150, np.random.default_rng(11))
    rng = np.random.default_rng(11)
    expected = np.array([g] + [rng.permutation(g) for _ in range(150)])
    assert not enumerated and total == math.factorial(12) // (2 * math.factorial(9))
    np.testing.assert_array_equal(rows, expected)


def interval_by_every_probe(est, A, B, level, observed_b):
    """The inversion as first written: every probe between neighbouring roots tested in turn."""
    alpha = 1 - level + 1e-12
    keep = np.isfinite(A) & np.isfinite(B)
    A, B = A[keep], B[keep]

    def p_of(b0):
        return float(np.mean(np.abs(A - b0 * B) >= abs(est - b0 * observed_b) * (1 - 1e-10) - 1e-12))

    with np.errstate(divide="ignore", invalid="ignore"):
        roots = np.concatenate([(est - A) / (observed_b - B), (est + A) / (observed_b + B)])
    roots = np.unique(roots[np.isfinite(roots)])
    spread = max(float(np.ptp(roots)), 1.0)
    edges = np.concatenate([[-math.inf], roots, [math.inf]])
    probes = np.concatenate([[roots[0] - spread], (roots[:-1] + roots[1:]) / 2, [roots[-1] + spread]])
    accepted = [i for i, b in enumerate(probes) if p_of(float(b)) > alpha]
    return (math.nan, math.nan) if not accepted else (float(edges[accepted[0]]), float(edges[accepted[-1] + 1]))


def test_interval_searched_from_both_ends_equals_testing_every_probe():
    rng = seeded_rng("event batch interval")
    checked = unbounded = 0
    for trial in range(120):
        n = int(rng.integers(5, 300))
        A = rng.normal(0, rng.choice([1.0, 0.1]), n)
        if trial % 3 == 0:
            A = np.round(A, 1)  # ties
        B = rng.choice([0.0, 1.0, 0.5, -0.5], n) + (rng.normal(0, 0.1, n) if trial % 2 else 0.0)
        est, ob = A[0] + (1e-16 if trial % 5 else 0.0), B[0] if trial % 4 else 1.0
        for level in (0.8, 0.95):
            got = rs.permutation_interval(est, A, B, level, observed_b=ob)
            want = interval_by_every_probe(est, A, B, level, ob)
            assert got == want or (math.isnan(got[0]) and math.isnan(want[0])), (trial, level, got, want)
            checked += 1
            unbounded += not math.isfinite(got[1] - got[0])
    assert checked == 240 and unbounded < checked  # mostly bounded intervals: the search did real work
