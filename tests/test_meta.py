"""samorg.models.meta: published random-effects meta-analyses reproduced, meta-regression, clear errors.

Published results used:

* BCG vaccine trials (Colditz et al. 1994; 13 trials; metafor's ``dat.bcg``), log risk ratios.
  metafor's README: ``rma(yi, vi, test="knha")`` (REML): estimate −0.7145, se 0.1808, t −3.9522,
  p 0.0019, CI −1.1084 to −0.3206, τ² 0.3132, I² 92.22 %, H² 12.86, Q(12) 152.2330; predicted RR
  0.49 (0.33–0.73), prediction interval 0.14–1.76; REML without knha (metafor docs): se 0.1798,
  CI −1.0669 to −0.3622; meta-regression on absolute latitude (knha): intercept 0.2515 (0.2839),
  ablat −0.0291 (0.0082), CIs −0.3735 to 0.8764 and −0.0472 to −0.0111, τ² 0.0764, I² 68.39 %,
  H² 3.16, R² 75.62 %, QE(11) 30.7331, F(1, 11) 12.5905.
  metafor's tests (``test_misc_metan_vs_rma.uni_with_dat.bcg.r``, against Stata's metan): DL
  estimate −0.7141, CI −1.0644 to −0.3638, z −3.9952, τ² 0.3088, I² 92.1173 %.
  metafor's tests (``test_misc_rma_uni.r``): τ² 0.3181 by the iterative estimators that converge to
  Paule–Mandel.
* CLASP (DerSimonian & Kacker 2007, Contemp Clin Trials 28:105, Tables 3–4, as reproduced in
  metafor's ``test_analysis_example_dersimonian2007.r``): six trials, log odds ratios; τ, μ, se for
  PM 0.3681, −0.3811, 0.2060; DL 0.2323, −0.3240, 0.1540; REML 0.1843, −0.2980, 0.1343.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from samorg.errors import ModelError
from samorg.models.meta import MetaRegressionResult, PooledEffect, meta_regression, pool
from samorg.models.result import Effect

# tpos, tneg, cpos, cneg (vaccinated TB+/TB−, control TB+/TB−), absolute latitude
BCG = np.array([
    [4, 119, 11, 128, 44], [6, 300, 29, 274, 55], [3, 228, 11, 209, 42], [62, 13536, 248, 12619, 52],
    [33, 5036, 47, 5761, 13], [180, 1361, 372, 1079, 44], [8, 2537, 10, 619, 19], [505, 87886, 499, 87892, 13],
    [29, 7470, 45, 7232, 27], [17, 1699, 65, 1600, 42], [186, 50448, 141, 27197, 18], [5, 2493, 3, 2338, 33],
    [27, 16886, 29, 17825, 33],
], dtype=float)
BCG_LABELS = ["Aronson 1948", "Ferguson & Simes 1949", "Rosenthal et al 1960", "Hart & Sutherland 1977",
              "Frimodt-Moller et al 1973", "Stein & Aronson 1953", "Vandiviere et al 1973", "TPT Madras 1980",
              "Coetzee & Berjak 1968", "Rosenthal et al 1961", "Comstock et al 1974", "Comstock & Webster 1969",
              "Comstock et al 1976"]
# CLASP: treated events / n, control events / n
CLASP = np.array([[5, 156, 8, 74], [5, 303, 17, 303], [12, 565, 9, 477], [69, 1570, 94, 1565], [9, 103, 11, 105],
                  [313, 4659, 352, 4650]], dtype=float)


@pytest.fixture(scope="module")
def bcg():
    a, b, c, d, ablat = BCG.T
    yi = np.log(a / (a + b)) - np.log(c / (c + d))  # escalc(measure="RR")
    vi = 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)
    return yi, np.sqrt(vi), ablat


@pytest.fixture(scope="module")
def clasp():
    ai, n1, ci, n2 = CLASP.T
    yi = np.log(ai / (n1 - ai)) - np.log(ci / (n2 - ci))  # escalc(measure="OR")
    vi = 1 / ai + 1 / (n1 - ai) + 1 / ci + 1 / (n2 - ci)
    return yi, np.sqrt(vi)


# -- published results -----------------------------------------------------------------------------
def test_bcg_reml_with_hartung_knapp(bcg):
    yi, sei, _ = bcg
    res = pool(yi, sei, method="reml", labels=BCG_LABELS, link="log")
    assert isinstance(res, PooledEffect)
    assert round(res.estimate, 4) == -0.7145
    assert round(res.std_error, 4) == 0.1808
    assert round(res.estimate / res.std_error, 4) == -3.9522
    assert round(res.p_value, 4) == 0.0019
    assert (round(res.ci_low, 4), round(res.ci_high, 4)) == (-1.1084, -0.3206)
    assert round(res.tau2, 4) == 0.3132
    assert round(res.i2 * 100, 2) == 92.22 and round(res.h2, 2) == 12.86
    assert round(res.q, 4) == 152.2330 and res.q_df == 12
    assert round(res.ratio(), 2) == 0.49 and tuple(round(x, 2) for x in res.ratio_ci()) == (0.33, 0.73)
    assert (round(np.exp(res.pi_low), 2), round(np.exp(res.pi_high), 2)) == (0.14, 1.76)
    assert res.details["reference_distribution"] == "t(12)"


def test_bcg_reml_normal(bcg):
    yi, sei, _ = bcg
    res = pool(yi, sei, method="reml", inference="classical")
    assert (round(res.estimate, 4), round(res.std_error, 4)) == (-0.7145, 0.1798)
    assert (round(res.ci_low, 4), round(res.ci_high, 4)) == (-1.0669, -0.3622)
    assert "no_hk" in res.caveats


def test_bcg_dersimonian_laird(bcg):
    yi, sei, _ = bcg
    res = pool(yi, sei, method="dl", inference="classical")
    assert round(res.estimate, 4) == -0.7141
    assert (round(res.ci_low, 4), round(res.ci_high, 4)) == (-1.0644, -0.3638)
    assert round(res.estimate / res.std_error, 4) == -3.9952
    assert round(res.tau2, 4) == 0.3088
    assert round(res.i2 * 100, 4) == 92.1173


def test_bcg_paule_mandel(bcg):
    yi, sei, _ = bcg
    res = pool(yi, sei, method="pm")
    assert round(res.tau2, 4) == 0.3181
    # the defining equation holds exactly: generalised Q = k − 1
    w = 1 / (sei**2 + res.tau2)
    assert np.sum(w * (yi - res.estimate) ** 2) == pytest.approx(12, abs=1e-9)


@pytest.mark.parametrize(("method", "tau", "mu", "se"), [("pm", 0.3681, -0.3811, 0.2060), ("dl", 0.2323, -0.3240, 0.1540),
                                                         ("reml", 0.1843, -0.2980, 0.1343)])
def test_clasp_dersimonian_kacker_2007(clasp, method, tau, mu, se):
    yi, sei = clasp
    res = pool(yi, sei, method=method, inference="classical")
    assert (round(np.sqrt(res.tau2), 4), round(res.estimate, 4), round(res.std_error, 4)) == (tau, mu, se)


def test_bcg_meta_regression_on_latitude(bcg):
    yi, sei, ablat = bcg
    res = meta_regression(yi, sei, pd.DataFrame({"ablat": ablat}), method="reml")
    assert isinstance(res, MetaRegressionResult) and res.term == "ablat"
    c = res.coefficients.round(4)
    assert c.loc["intercept", ["estimate", "std_error"]].tolist() == [0.2515, 0.2839]
    assert c.loc["ablat", ["estimate", "std_error", "ci_low", "ci_high"]].tolist() == [-0.0291, 0.0082, -0.0472, -0.0111]
    assert round(res.i2 * 100, 2) == 68.39 and round(res.h2, 2) == 3.16
    assert round(res.qe, 4) == 30.7331 and res.qe_df == 11
    assert res.qm_df == (1, 11)
    # metafor's Fisher scoring stops when τ² changes by less than 1e-5 (from the Hedges start it stops at
    # 0.0763547, printed 0.0764); samorg solves the REML equation exactly (0.0763480). That moves the 4th decimal
    # of τ², F, R² and one interval bound by about a unit: printed τ² 0.0764, F 12.5905, R² 75.62 %, lower
    # bound of the intercept −0.3735.
    assert res.tau2 == pytest.approx(0.0764, abs=1e-4)
    assert res.qm == pytest.approx(12.5905, abs=1e-3)
    assert res.r2 * 100 == pytest.approx(75.62, abs=0.02)
    assert res.coefficients.loc["intercept", "ci_low"] == pytest.approx(-0.3735, abs=1.5e-4)
    assert res.coefficients.loc["intercept", "ci_high"] == pytest.approx(0.8764, abs=1e-4)


def test_agrees_with_statsmodels_combine_effects(bcg):
    from statsmodels.stats.meta_analysis import combine_effects

    yi, sei, _ = bcg
    for method in ("dl", "pm"):
        ref = combine_effects(yi, sei**2, method_re=method)
        res = pool(yi, sei, method=method, inference="classical")
        assert res.tau2 == pytest.approx(ref.tau2, rel=1e-5)
        assert res.estimate == pytest.approx(ref.mean_effect_re, rel=1e-6)
        hk = pool(yi, sei, method=method)
        assert hk.std_error == pytest.approx(np.sqrt(ref.var_hksj_re), rel=1e-5)


def test_no_heterogeneity_gives_tau2_zero_and_the_fixed_effect_estimate():
    yi = np.array([0.20, 0.22, 0.19, 0.21, 0.20])
    sei = np.array([0.1, 0.12, 0.09, 0.11, 0.1])
    for method in ("reml", "pm", "dl"):
        res = pool(yi, sei, method=method, inference="classical")
        w = 1 / sei**2
        assert res.tau2 == 0
        assert res.estimate == pytest.approx(np.sum(w * yi) / w.sum())
        assert res.i2 == 0


def test_pool_accepts_effects(bcg):
    yi, sei, _ = bcg
    effects = [Effect(estimate=float(y), std_error=float(s), ci_low=y - 2 * s, ci_high=y + 2 * s, p_value=0.5,
                      link="log", details={"site": name, "outcome": "tb"}) for y, s, name in zip(yi, sei, BCG_LABELS)]
    res = pool(effects)
    assert res.link == "log" and round(res.estimate, 4) == -0.7145
    assert res.studies["label"].tolist() == BCG_LABELS
    assert res.details["outcome"] == "tb"
    assert res.studies["weight"].sum() == pytest.approx(1)


def test_sentences(bcg):
    yi, sei, _ = bcg
    res = pool(yi[:4], sei[:4], link="log")
    nb, en = res.sentence(outcome_label="tuberkulose"), res.sentence("en")
    assert "rateforhold" in nb and "prediksjonsintervallet" in nb and "τ²" in nb and "I² =" in nb
    assert "Med bare 4 steder" in nb
    assert "prediction interval" in en and "With only 4 sites" in en


def test_input_not_modified(bcg):
    yi, sei, ablat = bcg
    mods = pd.DataFrame({"ablat": ablat, "alloc": ["random"] * 7 + ["other"] * 6})
    before = mods.copy()
    res = meta_regression(list(yi), list(sei), mods)
    pd.testing.assert_frame_equal(mods, before)
    assert res.coefficients.index.tolist() == ["intercept", "ablat", "alloc[random]"]


# -- clear errors ------------------------------------------------------------------------------------
def test_a_single_site_cannot_be_pooled():
    with pytest.raises(ModelError, match="1 site estimate: pooling needs at least two sites"):
        pool([0.3], [0.1])


def test_other_errors():
    with pytest.raises(ModelError, match="3 estimates but 2 standard errors"):
        pool([0.1, 0.2, 0.3], [0.1, 0.1])
    with pytest.raises(ModelError, match="missing or infinite"):
        pool([0.1, np.nan, 0.3], [0.1, 0.1, 0.1])
    with pytest.raises(ModelError, match="must be positive"):
        pool([0.1, 0.2, 0.3], [0.1, 0.0, 0.1])
    with pytest.raises(ModelError, match="method="):
        pool([0.1, 0.2, 0.3], [0.1, 0.1, 0.1], method="hs")
    with pytest.raises(ModelError, match="needs std_errors"):
        pool([0.1, 0.2])
    with pytest.raises(ModelError, match="too few"):
        meta_regression([0.1, 0.2], [0.1, 0.1], pd.DataFrame({"x": [0, 1]}))
    with pytest.raises(ModelError, match="same value"):
        meta_regression([0.1, 0.2, 0.3], [0.1] * 3, pd.DataFrame({"x": [1, 1, 1]}))
    with pytest.raises(ModelError, match="one row per site"):
        meta_regression([0.1, 0.2, 0.3], [0.1] * 3, pd.DataFrame({"x": [1, 2]}))
    with pytest.raises(ModelError, match="is missing for site"):
        meta_regression([0.1, 0.2, 0.3, 0.4], [0.1] * 4, pd.DataFrame({"x": [1, np.nan, 2, 3]}))


def test_docstring_examples_run():
    import doctest

    import samorg.models.meta as module

    failures, attempted = doctest.testmod(module)
    assert attempted >= 4 and failures == 0


def test_reml_maximises_the_restricted_likelihood(bcg):
    from scipy.optimize import minimize_scalar

    yi, sei, ablat = bcg
    X = np.column_stack([np.ones(len(yi)), ablat])
    v = sei**2

    def negative_restricted_loglik(t2):
        w = 1 / (v + t2)
        A = (X.T * w) @ X
        r = yi - X @ np.linalg.solve(A, (X.T * w) @ yi)
        return 0.5 * (np.sum(np.log(v + t2)) + np.linalg.slogdet(A)[1] + np.sum(w * r * r))

    best = minimize_scalar(negative_restricted_loglik, bounds=(0, 1), method="bounded", options={"xatol": 1e-12}).x
    assert meta_regression(yi, sei, pd.DataFrame({"ablat": ablat})).tau2 == pytest.approx(best, abs=1e-8)


def test_meta_regression_sentence(bcg):
    yi, sei, ablat = bcg
    res = meta_regression(yi, sei, pd.DataFrame({"ablat": ablat}))
    nb, en = res.sentence(outcome_label="log-RR"), res.sentence("en")
    assert nb.startswith("Over 13 steder endrer log-RR seg med −0,0291 per enhet av ablat") and "76\u00a0%" in nb
    assert en.startswith("Across 13 sites, the effect changes by -0.0291 per unit of ablat")


def test_pool_takes_the_mapping_adjust_takes():
    """Issue 16: adjust() took {label: Effect} but pool() refused it."""
    from samorg.models import Effect, adjust

    effects = {name: Effect(estimate=e, std_error=s, ci_low=e - 2 * s, ci_high=e + 2 * s, p_value=0.1, link="log")
               for name, e, s in (("askim", 0.10, 0.05), ("mysen", 0.25, 0.08), ("fjell", 0.05, 0.06))}
    assert len(adjust(effects)) == 3
    res = pool(effects)
    ref = pool([0.10, 0.25, 0.05], [0.05, 0.08, 0.06], labels=["askim", "mysen", "fjell"], link="log")
    assert (res.estimate, res.std_error, res.link) == (ref.estimate, ref.std_error, "log")
    assert res.studies["label"].tolist() == ["askim", "mysen", "fjell"]
    by_label = pool({"a": 0.1, "b": 0.3, "c": 0.2}, {"c": 0.15, "a": 0.1, "b": 0.1})
    assert by_label.estimate == pytest.approx(pool([0.1, 0.3, 0.2], [0.1, 0.1, 0.15]).estimate)


def test_knapp_hartung_keyword_still_works_with_a_future_warning():
    with pytest.warns(FutureWarning, match="inference='classical'"):
        old = pool([0.1, 0.3, 0.2, 0.5], [0.1, 0.1, 0.15, 0.2], knapp_hartung=False)
    new = pool([0.1, 0.3, 0.2, 0.5], [0.1, 0.1, 0.15, 0.2], inference="classical")
    assert (old.ci_low, old.ci_high) == (new.ci_low, new.ci_high)
    assert pool([0.1, 0.3, 0.2, 0.5], [0.1, 0.1, 0.15, 0.2]).details["knapp_hartung"]
