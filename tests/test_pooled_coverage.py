"""Pooling that respects a shared control and municipality shocks (EVIDENCE.md §3): coverage and recovery."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from samorg.errors import ModelError
from samorg.models import Effect, its
from samorg.models import _coverage as cv
from samorg.models.pooled import (
    MIN_MUNICIPALITIES_FOR_PREDICTION,
    comparative_residuals,
    control_shares,
    pool_municipalities,
)

WASHOUT = [("2020-03-01", "2021-12-31", "COVID-19")]


def _its(df, site, when):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return its(df, outcome=site, time="period_start", intervention=when, family="quasipoisson",
                   seasonality="month", exclude=WASHOUT, comparison="control", inference="hac")


def _effect(e, s=0.03):
    return Effect(estimate=e, std_error=s, ci_low=e - 1.96 * s, ci_high=e + 1.96 * s, p_value=0.5, link="log")


def test_fast_fit_of_the_simulation_is_the_its_fit():
    rng = np.random.default_rng(20261206)
    df = cv.simulate_registry(rng)
    for s in (cv.REGISTRY[0], cv.REGISTRY[6], cv.REGISTRY[7]):  # 2020-01, 2022-09, 2021-06
        res = _its(df, s.site_id, s.co_located)
        est, se, resid = cv.comparative_fit(df[s.site_id].to_numpy(), df["control"].to_numpy(), intervention=s.co_located)
        assert est == pytest.approx(res.estimate, abs=1e-9)
        assert se == pytest.approx(res.std_error, rel=1e-8)
        assert resid.to_numpy() == pytest.approx(comparative_residuals(res).to_numpy(), abs=1e-8)


def test_pooling_its_results_estimates_the_control_part_as_the_simulation_does():
    rng = np.random.default_rng(7)
    df = cv.simulate_registry(rng)
    results = [_its(df, s.site_id, s.co_located) for s in cv.REGISTRY]
    muni = [s.municipality for s in cv.REGISTRY]
    pooled = pool_municipalities(results, municipality=muni, labels=[s.site_id for s in cv.REGISTRY])
    resid = {s.site_id: comparative_residuals(r) for s, r in zip(cv.REGISTRY, results)}
    import pandas as pd

    shares = control_shares(pd.DataFrame(resid))
    w = np.array([1 / (2 * muni.count(m)) for m in muni])
    se_c = float(np.sum(w * np.array([r.std_error for r in results]) * np.sqrt([shares[s.site_id] for s in cv.REGISTRY])))
    assert pooled.control_std_error == pytest.approx(se_c, rel=1e-9)
    assert 0.005 < pooled.control_std_error < 0.05  # the control's noise (sd 0.04 a month) is really there
    assert pooled.df == 1 and pooled.n_municipalities == 2 and pooled.k == 8


def test_coverage_of_zero_new_at_least_93_percent_and_old_below_90():
    cov = cv.coverage(200, seed=12)
    assert cov.new >= 0.93
    assert cov.new_satterthwaite >= 0.93
    assert cov.old < 0.90


def test_coverage_with_shared_control_only():
    cov = cv.coverage(200, seed=13, step_sd=0.0)
    assert cov.new >= 0.93
    assert cov.old < 0.90


def test_planted_effect_is_recovered_per_municipality_and_pooled():
    rng = np.random.default_rng(99)
    muni = [s.municipality for s in cv.REGISTRY]
    planted = {s.site_id: (0.15 if s.municipality == "Indre Østfold" else 0.05) for s in cv.REGISTRY}
    pooled, by_muni, covered = [], [], 0
    for _ in range(30):
        est, se, _resid = cv.replicate_estimates(rng, effect=planted, step_sd=0.0)
        res = pool_municipalities([_effect(e, s) for e, s in zip(est, se)], municipality=muni, control_std_error=0.02)
        pooled.append(res.estimate)
        by_muni.append(res.municipalities.set_index("municipality")["estimate"])
        covered += res.ci_low <= 0.10 <= res.ci_high
    assert np.mean(pooled) == pytest.approx(0.10, abs=0.01)
    means = np.mean(by_muni, axis=0)
    assert means[0] == pytest.approx(0.15, abs=0.015) and means[1] == pytest.approx(0.05, abs=0.015)
    assert covered >= 28


def test_equal_weights_within_and_between_municipalities():
    res = pool_municipalities([_effect(0.10), _effect(0.20), _effect(0.00)], municipality=["A", "A", "B"],
                              control_std_error=None)
    assert res.estimate == pytest.approx((0.15 + 0.0) / 2)
    assert res.studies["weight"].tolist() == pytest.approx([0.25, 0.25, 0.5])
    from scipy import stats

    half = stats.t.ppf(0.975, 1) * abs(0.15 - 0.0) / 2  # sd of two numbers / sqrt(2) = |diff| / 2
    assert res.ci_high - res.estimate == pytest.approx(half)
    assert math.isnan(res.pi_low) and math.isnan(res.pi_high)


def test_prediction_interval_only_from_three_municipalities():
    assert MIN_MUNICIPALITIES_FOR_PREDICTION == 3
    res = pool_municipalities([_effect(0.1), _effect(0.0), _effect(0.2)], municipality=["A", "B", "C"],
                              control_std_error=0.01)
    assert res.pi_low < res.ci_low < res.ci_high < res.pi_high
    assert res.df == 2


def test_one_municipality_is_described_without_an_interval():
    res = pool_municipalities([_effect(0.1), _effect(0.2)], municipality=["A", "A"], control_std_error=None)
    assert res.estimate == pytest.approx(0.15)
    assert not res.bounded and math.isnan(res.ci_low)
    for lang, words in (("nb", "kan intervallet ikke avgrenses"), ("en", "cannot be bounded")):
        text = res.sentence(lang=lang)
        assert words in text and "nan" not in text.lower() and "∞" not in text


def test_sentence_states_estimand_and_no_prediction_interval():
    res = pool_municipalities([_effect(0.1), _effect(0.12), _effect(0.02)], municipality=["A", "A", "B"],
                              control_std_error=0.02)
    nb, en = res.sentence(lang="nb"), res.sentence(lang="en")
    assert nb.startswith("Estimand:") and "prediksjonsintervall" in nb and "ikke" in nb
    assert en.startswith("Estimand:") and "no prediction interval" in en
    assert res.details["unit"] == "rate ratio (observed/expected)"


@pytest.mark.parametrize("kwargs, message", [
    (dict(effects=[], municipality=[]), "no effects"),
    (dict(effects=[_effect(0.1)], municipality=["A", "B"]), "1 effects but 2 municipalities"),
    (dict(effects=[_effect(0.1), 0.2], municipality=["A", "B"]), "expects Effect results"),
    (dict(effects=[_effect(0.1), _effect(0.1, s=0.0)], municipality=["A", "B"]), "positive standard error"),
    (dict(effects=[_effect(0.1), _effect(0.1)], municipality=["A", "B"], df="normal"), "df='normal'"),
])
def test_bad_inputs(kwargs, message):
    effects = kwargs.pop("effects")
    with pytest.raises(ModelError, match=message):
        pool_municipalities(effects, control_std_error=None, **kwargs)


def test_estimate_control_part_needs_the_fits():
    e = Effect(estimate=0.1, std_error=0.03, ci_low=0.04, ci_high=0.16, p_value=0.01, link="log",
               details={"control": "kontroll"})
    with pytest.raises(ModelError, match="control_std_error= as a number"):
        pool_municipalities([e, e], municipality=["A", "B"])


def test_two_municipalities_say_why_the_interval_is_wide():
    res = pool_municipalities([_effect(0.1), _effect(0.12), _effect(0.02)], municipality=["A", "A", "B"],
                              control_std_error=0.02)
    assert res.caveats[0] == "two_municipalities"
    assert "én enkelt forskjell" in res.sentence(lang="nb") and "single difference" in res.sentence(lang="en")
    three = pool_municipalities([_effect(0.1), _effect(0.0), _effect(0.2)], municipality=["A", "B", "C"],
                                control_std_error=0.01)
    assert "two_municipalities" not in three.caveats
    compared = Effect(estimate=0.1, std_error=0.03, ci_low=0.04, ci_high=0.16, p_value=0.01, link="log",
                      details={"comparison": "kontroll"})
    ignored = pool_municipalities([compared, compared], municipality=["A", "B"], control_std_error=None)
    assert "no_shared_control_part" in ignored.caveats and "ikke tatt med" in ignored.sentence(lang="nb")


def test_mappings_by_site_label():
    est = {"askim": _effect(0.1), "mysen": _effect(0.12), "fjell": _effect(0.02)}
    res = pool_municipalities(est, municipality={"askim": "3118", "mysen": "3118", "fjell": "3301"},
                              control_std_error=None)
    same = pool_municipalities(list(est.values()), municipality=["3118", "3118", "3301"], control_std_error=None)
    assert res.estimate == same.estimate and res.studies["label"].tolist() == ["askim", "mysen", "fjell"]
    with pytest.raises(ModelError, match="no entry for site"):
        pool_municipalities(est, municipality={"askim": "3118"}, control_std_error=None)
