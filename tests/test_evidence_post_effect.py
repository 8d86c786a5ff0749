"""The headline: average post-washout effect with interval, unit, baseline; and the robustness verdict."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from samorg.errors import ModelError
from samorg.models import Effect, its
from samorg.models import _coverage as cv
from samorg.models.post_effect import _covariance, post_washout_effect, robustness_verdict

WASHOUT = [("2020-03-01", "2021-12-31", "COVID-19")]


def _fit(df, site, when, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return its(df, outcome=site, time="period_start", intervention=when, family="quasipoisson",
                   seasonality="month", exclude=WASHOUT, **kw)


def test_planted_effect_recovered_with_control_and_interval_covers_it():
    rng = np.random.default_rng(2026)
    hits, ests = 0, []
    for _ in range(12):
        df = cv.simulate_registry(rng, effect=math.log(1.15), step_sd=0.0)
        eff = post_washout_effect(_fit(df, "askim", "2020-01-01", comparison="control"), unit="besøk")
        ests.append(math.exp(eff.estimate))
        hits += eff.ci_low <= math.log(1.15) <= eff.ci_high
    assert np.mean(ests) == pytest.approx(1.15, abs=0.02)
    assert hits >= 10
    assert eff.period_start == pd.Timestamp("2022-01-01") and eff.period_end == pd.Timestamp("2025-12-01")
    assert eff.n_periods == 48 and eff.intervention_in_window is None
    assert eff.baseline == pytest.approx(50000 / 12, rel=0.05)  # the pre-period monthly level of Askim
    assert eff.difference == pytest.approx(eff.baseline * 0.15, rel=0.35)


def test_covariance_is_the_one_its_used():
    df = cv.simulate_registry(np.random.default_rng(4))
    for kw in (dict(comparison="control"), dict()):
        res = _fit(df, "mysen", "2020-01-01", **kw)
        cov = _covariance(res)
        k = len(res.coefficients)
        assert np.sqrt(np.diag(cov))[-k:] == pytest.approx(res.coefficients["std_error"].to_numpy(), rel=1e-9)


def test_delta_interval_agrees_with_parametric_simulation():
    df = cv.simulate_registry(np.random.default_rng(8), effect=0.1)
    res = _fit(df, "fjell", "2020-01-01", comparison="control")
    eff = post_washout_effect(res)
    from samorg.models.post_effect import _design_rows

    preds = res.predictions
    rows = np.flatnonzero(preds["in_fit"].to_numpy())
    pick = np.flatnonzero(preds["in_fit"].to_numpy() & (preds["time"] >= "2022-01-01").to_numpy())
    X1, X0, off, params, cov, _ = _design_rows(res, np.searchsorted(rows, pick))
    draws = np.random.default_rng(1).multivariate_normal(params, cov, size=4000)
    log_r = np.log(np.exp(draws @ X1.T).sum(axis=1) / np.exp(draws @ X0.T).sum(axis=1))
    assert eff.std_error == pytest.approx(np.std(log_r), rel=0.06)
    assert eff.estimate == pytest.approx(np.median(log_r), abs=0.2 * eff.std_error)


def test_intervention_inside_washout_is_flagged_and_average_starts_after_it():
    df = cv.simulate_registry(np.random.default_rng(5), effect=0.1)
    eff = post_washout_effect(_fit(df, "svelvik", "2021-06-01", comparison="control"), unit=("besøk", "visits"),
                              intervention_label=("samlokalisering", "co-location"))
    assert eff.intervention_in_window == "COVID-19"
    assert eff.period_start == pd.Timestamp("2022-01-01")
    nb, en = eff.sentence(lang="nb", outcome_label="besøket"), eff.sentence(lang="en", outcome_label="visits")
    assert "Tiltaksdatoen ligger i perioden som er holdt utenfor" in nb and "besøk per måned" in nb
    assert nb.startswith("Besøket var om lag") and "enn forventet uten samlokalisering" in nb
    assert "intervention date lies in a period left out" in en and "visits per month" in en
    assert "without co-location" in en and "besøk" not in en
    late = post_washout_effect(_fit(df, "mjondalen", "2022-09-01", comparison="control"))
    assert late.period_start == pd.Timestamp("2022-09-01") and late.intervention_in_window is None


def test_gaussian_difference_is_linear_and_exact():
    t = np.arange(1, 61)
    y = 100 + 0.5 * t + 8 * (t >= 31) + np.random.default_rng(3).normal(0, 1, t.size)
    res = its(pd.DataFrame({"t": t, "y": y}), outcome="y", time="t", intervention=31, inference="classical")
    eff = post_washout_effect(res)
    c = res.coefficients["estimate"]
    expected = c["level_change"] + c["slope_change"] * np.mean(np.arange(0, 30))
    assert eff.link == "identity"
    assert eff.difference == pytest.approx(expected, rel=1e-9) and eff.estimate == pytest.approx(expected)
    assert eff.ci_low < 8 < eff.ci_high


def test_not_an_its_result():
    with pytest.raises(ModelError, match="needs the result of samorg.models.its"):
        post_washout_effect(Effect(estimate=0.1, std_error=0.1, ci_low=0, ci_high=0.2, p_value=0.3))


def _e(x, half=0.1):
    return Effect(estimate=x, std_error=half / 2, ci_low=x - half, ci_high=x + half, p_value=0.1, link="log")


@pytest.mark.parametrize("variants, robust, failing", [
    ({"no_2022": _e(0.08), "with_covid": _e(0.15)}, True, ()),
    ({"no_2022": _e(0.08), "no_control": _e(-0.02)}, False, ("no_control",)),      # sign flips
    ({"far": _e(0.35, half=0.05)}, False, ("far",)),                                 # same sign, no overlap
    ({"failed": None, "ok": _e(0.05)}, True, ()),                                    # an unfitted variant is skipped
])
def test_robustness_verdict_table(variants, robust, failing):
    v = robustness_verdict(_e(0.10), variants, labels={"no_control": ("uten sammenligning", "without comparison")})
    assert v.robust is robust and v.failing == failing
    if robust:
        assert v.text("nb") == v.text("en") == "robust"
    else:
        assert v.text("nb").startswith("skjørt: avhenger av") and v.text("en").startswith("fragile: depends on")
    if failing == ("no_control",):
        assert v.text("nb") == "skjørt: avhenger av uten sammenligning"


def test_p_value_agrees_with_the_interval():
    rng = np.random.default_rng(77)
    for effect in (0.0, 0.03, 0.08):
        df = cv.simulate_registry(rng, effect=effect, step_sd=0.0)
        eff = post_washout_effect(_fit(df, "tomter", "2020-01-01", comparison="control"))
        assert (eff.ci_low > 0 or eff.ci_high < 0) == (eff.p_value < 0.05)
        from scipy import stats

        assert eff.p_value == pytest.approx(2 * stats.norm.sf(abs(eff.estimate / eff.std_error)))
