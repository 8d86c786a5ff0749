"""Synthetic control that is not degenerate (issue 12): perfect-fit guard, donor pool, predictors,
mean-gap statistic, interval and p that agree, nothing unbounded printed."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from samorg.models import ModelWarning, synthetic_control


def _seed(text: str) -> int:
    return int.from_bytes(text.encode(), "little") % 2**32


def annual(*, seed: str, donors: int = 39, first: int = 2014, last: int = 2025, effect: float = 0.3,
           exact_mix: bool = True) -> pd.DataFrame:
    """Visits per inhabitant, yearly: six pre-periods (2014–2019), like the national comparison."""
    rng = np.random.default_rng(_seed(seed))
    years = np.arange(first, last + 1)
    level = rng.uniform(3.5, 6.0, donors)
    drift = rng.normal(0, 0.05, donors)
    Y = level[:, None] + drift[:, None] * (years - 2019) + rng.normal(0, 0.08, (donors, len(years)))
    y = 0.4 * Y[0] + 0.35 * Y[1] + 0.25 * Y[2]
    if not exact_mix:
        y = y + rng.normal(0, 0.08, len(years))
    y = y + effect * (years >= 2022)
    units = [f"m{j:02d}" for j in range(donors)] + ["treated"]
    rows = [(u, yr, v) for u, row in zip(units, np.vstack([Y, y])) for yr, v in zip(years, row)]
    return pd.DataFrame(rows, columns=["code", "year", "vpi"])


ARGS = dict(outcome="vpi", unit="code", time="year", treated="treated", intervention=2020,
            exclude=[(2020, 2021, "COVID-19")], unit_label="besøk per innbygger")


def _fit(df, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        return synthetic_control(df, **{**ARGS, **kw})


def test_perfect_pre_fit_is_detected_and_regularised():
    df = annual(seed="synth perfect")
    plain = _fit(df, guard="none")
    assert plain.details["pre_rmspe"] < 1e-3 and plain.details["ratio"] > 100  # the degenerate fit of the issue
    with pytest.warns(ModelWarning, match="perfect"):
        res = synthetic_control(df, **ARGS)
    assert res.details["guard"] == "regularised" and res.details["penalty"] > 0
    assert res.details["pre_rmspe_share"] > 0.002  # a pre-period error that is not zero, relative to the level
    assert math.isfinite(res.details["ratio"]) and res.details["ratio"] < 100
    assert res.weights.gt(1e-3).sum() > plain.weights.gt(1e-3).sum()  # weights spread out
    assert res.ci_low < 0.3 < res.ci_high
    # Leaving one donor out: the plain fit's interval can explode (the issue: 0.23–0.36 became −1.36–1.95);
    # the regularised one stays put.
    widths_plain, widths_reg = [], []
    for drop in ("m00", "m01", "m02", "m05", "m10"):
        sub = df[df["code"] != drop]
        widths_plain.append(_fit(sub, guard="none").ci_high - _fit(sub, guard="none").ci_low)
        widths_reg.append(_fit(sub).ci_high - _fit(sub).ci_low)
    assert max(widths_plain) > 100
    assert max(widths_reg) < 1.0 and max(widths_reg) / min(widths_reg) < 2
    nb, en = res.sentence("nb"), res.sentence("en")
    for text in (nb, en):
        assert "0,0000" not in text and "0.0000" not in text and "1 000" not in text and "1,000" not in text
        assert "∞" not in text
    assert "regularisert" in nb and "regularised" in en
    assert "besøk per innbygger" in nb and "nivået før tiltaket var" in nb


def test_reduce_guard_keeps_fewer_donors_than_pre_periods():
    res = _fit(annual(seed="synth reduce"), guard="reduce")
    assert res.details["guard"] == "reduced" and res.details["n_donors"] == 6 - 1
    assert sum("reduced pool" in r for r in res.details["dropped_donors"].values()) == 39 - 5


def test_a_real_fit_is_left_alone():
    res = _fit(annual(seed="synth real", exact_mix=False))
    assert res.details["guard"] is None and res.details["penalty"] == 0


@pytest.mark.parametrize("statistic", ["ratio", "mean_gap"])
@pytest.mark.parametrize("seed", ["agree a", "agree b", "agree c"])
def test_interval_and_p_value_agree(statistic, seed):
    df = annual(seed=seed, exact_mix=False, effect=0.25)
    res = _fit(df, statistic=statistic)
    if not res.bounded:
        pytest.fail("39 donors must give a bounded interval")
    assert (res.ci_low <= 0 <= res.ci_high) == (res.p_value > 0.05)
    assert res.details["interval_method"] == "inversion of the placebo test"
    assert "placebo test does not reject (test inversion)" in res.sentence("en")
    assert "placebotesten ikke forkaster (invertert test)" in res.sentence("nb")


def test_mean_gap_interval_is_symmetric_around_the_estimate():
    res = _fit(annual(seed="synth meangap", exact_mix=False), statistic="mean_gap")
    assert res.estimate - res.ci_low == pytest.approx(res.ci_high - res.estimate)
    placebo = np.sort(res.placebos["statistic"].to_numpy()[1:])[::-1]
    assert res.ci_high - res.estimate == pytest.approx(placebo[math.floor(0.05 * 40) - 1])


def test_unbounded_interval_is_never_printed():
    res = _fit(annual(seed="synth few", donors=9, exact_mix=False))
    assert not res.bounded
    nb, en = res.sentence("nb"), res.sentence("en")
    assert "kan intervallet ikke avgrenses" in nb and "cannot be bounded" in en
    assert "∞" not in nb + en and "inf" not in en.lower().replace("info", "")


def test_donor_pool_from_the_caller_with_exclusions_and_size_band():
    df = annual(seed="synth pool", exact_mix=False)
    pool = [f"m{j:02d}" for j in range(30)]
    res = _fit(df, comparison=pool, exclude_units={"m05": "co-located", "m06": "co-located"}, size="vpi",
               size_band=(0.8, 1.25))
    dropped = res.details["dropped_donors"]
    assert dropped["m05"] == "co-located" and dropped["m06"] == "co-located"
    assert all("size band" in r for d, r in dropped.items() if d not in ("m05", "m06"))
    assert set(res.weights.index) <= set(pool) - {"m05", "m06"}
    assert res.details["n_donors"] == len(res.weights) == 30 - len(dropped)
    with pytest.warns(FutureWarning, match="donors"):
        old = synthetic_control(df, outcome="vpi", unit="code", time="year", treated="treated", intervention=2020,
                                donors=pool)
    assert old.details["n_donors"] == 30


def test_predictors_pull_weights_to_matching_donors():
    rng = np.random.default_rng(_seed("synth predictors"))
    years = np.arange(2010, 2024)
    base = 5 + 0.02 * (years - 2010)
    rows = []
    for j in range(24):  # two groups with the same outcome paths, different predictor
        path = base + rng.normal(0, 0.05, len(years))
        rows += [(f"d{j:02d}", yr, v, 1.0 if j < 12 else 3.0) for yr, v in zip(years, path)]
    rows += [("treated", yr, v, 1.0) for yr, v in zip(years, base + rng.normal(0, 0.05, len(years)))]
    df = pd.DataFrame(rows, columns=["code", "year", "vpi", "share_old"])
    kw = dict(outcome="vpi", unit="code", time="year", treated="treated", intervention=2018)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        res = synthetic_control(df, **kw, predictors=["share_old"])
        plain = synthetic_control(df, **kw)
    low = [f"d{j:02d}" for j in range(12)]
    assert res.weights[low].sum() >= 0.95  # the predictor picks the donors that match it
    assert plain.weights[low].sum() < 0.8  # without it, the outcome paths cannot tell the groups apart


def test_weight_table_baseline_and_no_inference():
    df = annual(seed="synth table", exact_mix=False)
    res = _fit(df)
    table = res.weight_table()
    assert list(table.columns) == ["donor", "weight", "pre_mean"] and table["weight"].sum() == pytest.approx(1, abs=0.01)
    treated_pre = df[(df["code"] == "treated") & (df["year"] < 2020)]["vpi"].mean()
    assert res.details["baseline"] == pytest.approx(treated_pre)
    none = _fit(df, inference="none")
    assert math.isnan(none.p_value) and math.isnan(none.ci_low) and "uten placebotest" in none.sentence("nb")
    with pytest.warns(FutureWarning, match="placebo"):
        old = synthetic_control(df, outcome="vpi", unit="code", time="year", treated="treated", intervention=2020,
                                placebo=False)
    assert math.isnan(old.p_value)


def test_sensitivity_refits_with_the_same_pool_and_options():
    from samorg.models import sensitivity

    df = annual(seed="synth sensitivity", exact_mix=False)
    res = _fit(df, comparison=[f"m{j:02d}" for j in range(30)], exclude_units={"m03": "co-located"},
               statistic="mean_gap")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        s = sensitivity(res, df, windows=[(2022, 2022, "2022")])
    assert s.without.details["n_donors"] == 29 and s.without.details["statistic"] == "mean_gap"
    assert s.without.details["dropped_donors"] == {"m03": "co-located"}
