"""samorg.models.power: the formulas, checked by simulation, round trips and known identities."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from samorg.errors import ModelError
from samorg.models.power import PowerResult, _shifted, detectable_shift, sample_size
from conftest import seeded_rng

# A library user survey: most are satisfied (top-two share 72 %).
BASE = np.array([0.03, 0.05, 0.20, 0.40, 0.32])


def test_the_shift_is_the_proportional_odds_effect():
    plan = sample_size(BASE, shift=0.08)
    assert isinstance(plan, PowerResult)
    p1 = _shifted(BASE, plan.log_odds)
    assert p1[-2:].sum() - BASE[-2:].sum() == pytest.approx(0.08, abs=1e-10)
    # proportional odds: the same odds ratio at every cut
    c0, c1 = np.cumsum(BASE)[:-1], np.cumsum(p1)[:-1]
    assert (c0 / (1 - c0)) / (c1 / (1 - c1)) == pytest.approx(np.full(4, plan.odds_ratio))


def test_whitehead_formula_as_in_hmisc_posamsize():
    # Hmisc::posamsize: n = 3 (z_a + z_b)² / (f (1 − f) log(OR)² (1 − Σ p̄³)), total, f = share in group 1
    plan = sample_size(BASE, odds_ratio=1.8, power=0.9)
    pbar = (BASE + _shifted(BASE, math.log(1.8))) / 2
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.9)
    total = 3 * z**2 / (0.25 * math.log(1.8) ** 2 * (1 - np.sum(pbar**3)))
    assert plan.n_per_group == math.ceil(total / 2)
    assert plan.n_total == 2 * plan.n_per_group


def test_fleiss_formula_for_the_top_box():
    # Hmisc::bsamsize (Fleiss, Tytun & Ury without continuity correction), equal groups
    plan = sample_size(BASE, shift=0.08)
    p1, p2 = 0.80, 0.72
    pbar = (p1 + p2) / 2
    za, zb = stats.norm.ppf(0.975), stats.norm.ppf(0.8)
    n = (za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / 0.08**2
    assert plan.n_top_box_per_group == math.ceil(n)
    assert plan.n_per_group < plan.n_top_box_per_group  # using all five categories needs fewer respondents


def test_planned_power_is_achieved_in_simulation():
    """Simulated surveys of the planned size reject as often as planned (Wilcoxon = the PO score test)."""
    rng = seeded_rng("power simulation")
    plan = sample_size(BASE, shift=0.08)
    p1 = _shifted(BASE, plan.log_odds)
    reps = 600
    a = rng.choice(5, size=(reps, plan.n_per_group), p=p1)
    b = rng.choice(5, size=(reps, plan.n_comparison), p=BASE)
    rejected = stats.mannwhitneyu(a, b, axis=1).pvalue < 0.05
    assert rejected.mean() == pytest.approx(0.8, abs=0.05)
    # the top-box plan, with the two-proportion z test
    n = plan.n_top_box_per_group
    x1, x0 = rng.binomial(n, p1[-2:].sum(), 20_000), rng.binomial(n, BASE[-2:].sum(), 20_000)
    pooled = (x1 + x0) / (2 * n)
    z = (x1 - x0) / n / np.sqrt(pooled * (1 - pooled) * 2 / n)
    assert np.mean(np.abs(z) > stats.norm.ppf(0.975)) == pytest.approx(0.8, abs=0.02)


def test_detectable_shift_inverts_sample_size():
    plan = sample_size(BASE, shift=0.06, ratio=1.5)
    found = detectable_shift(BASE, n_per_group=plan.n_per_group, ratio=1.5)
    assert found.shift == pytest.approx(0.06, abs=0.002)
    assert found.shift <= 0.06  # rounding n up can only make the detectable shift smaller
    top = detectable_shift(BASE, n_per_group=plan.n_top_box_per_group, ratio=1.5)
    assert top.top_box_shift == pytest.approx(0.06, abs=0.002)
    assert found.n_comparison == math.ceil(1.5 * plan.n_per_group)


def test_did_deff_and_ratio_scale_as_documented():
    two = sample_size(BASE, shift=0.08)
    did = sample_size(BASE, shift=0.08, design="did")
    assert did.n_per_group == pytest.approx(2 * two.n_per_group, abs=1)
    assert did.n_total == 2 * (did.n_per_group + did.n_comparison)  # two waves
    weighted = sample_size(BASE, shift=0.08, deff=1.5)
    assert weighted.n_per_group == pytest.approx(1.5 * two.n_per_group, abs=1)
    # with a design effect the detectable shift for the same n grows
    assert detectable_shift(BASE, n_per_group=300, deff=2.0).shift > detectable_shift(BASE, n_per_group=300).shift
    # negative shifts (a trade-off such as less calm) plan the same way
    down = sample_size(BASE, shift=-0.08)
    assert down.log_odds < 0 and down.shift == pytest.approx(-0.08)


def test_to_frame():
    frame = sample_size(BASE, shift=0.05).to_frame()
    assert frame.loc[0, "shift"] == pytest.approx(0.05) and frame.loc[0, "design"] == "two_group"


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"baseline": [0.2, 0.3, 0.4], "shift": 0.05}, "sum to 0.9"),
    ({"baseline": BASE, "shift": 0.5}, "outside 0–1"),
    ({"baseline": BASE, "shift": 0.05, "odds_ratio": 1.5}, "not both"),
    ({"baseline": BASE}, "not both or neither"),
    ({"baseline": BASE, "shift": 0.0}, "zero shift"),
    ({"baseline": BASE, "shift": 0.05, "deff": 0.5}, "at least 1"),
    ({"baseline": BASE, "shift": 0.05, "design": "panel"}, "design="),
    ({"baseline": BASE, "shift": 0.05, "top": 5}, "top=5"),
    ({"baseline": [1.0], "shift": 0.05}, "at least two"),
])
def test_clear_errors(kwargs, match):
    with pytest.raises(ModelError, match=match):
        sample_size(**kwargs)


def test_detectable_shift_errors():
    with pytest.raises(ModelError, match="n_per_group"):
        detectable_shift(BASE, n_per_group=1)
    with pytest.raises(ModelError, match="power="):
        detectable_shift(BASE, n_per_group=100, power=1.2)


def test_docstring_examples_run():
    import doctest

    import samorg.models.power as module

    failures, attempted = doctest.testmod(module)
    assert attempted >= 4 and failures == 0
