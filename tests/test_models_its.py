"""samorg.models.its: published numbers, planted effects, coverage and degenerate inputs."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from samorg.errors import ModelError
from samorg.models import ITSResult, ModelWarning, its
from conftest import seeded_rng

# The shared reference cases sit beside the repository (../shared/reference-cases), wherever it is checked out.
SICILY = Path(__file__).resolve().parents[1].parent / "shared" / "reference-cases" / "its_sicily" / "sicily.csv"
COVID = ("2020-03-01", "2021-12-31", "COVID-19")


def monthly_counts(*, seed: str, effect: float = 0.15, covid_drop: float = -0.8, base: float = 800.0,
                   start: str = "2015-01-01", end: str = "2024-12-01", intervention: str = "2022-01-01"):
    rng = seeded_rng(seed)
    dates = pd.date_range(start, end, freq="MS")
    t = np.arange(len(dates))
    post = dates >= intervention
    covid = (dates >= COVID[0]) & (dates <= COVID[1])
    log_mu = np.log(base) + 0.002 * t + 0.25 * np.sin(2 * np.pi * dates.month / 12) + effect * post + covid_drop * covid
    return pd.DataFrame({"month": dates, "visits": rng.poisson(np.exp(log_mu))})


# -- published numbers ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sicily() -> pd.DataFrame:
    if not SICILY.exists():
        pytest.skip(f"reference data {SICILY} not present (Lopez Bernal et al. 2017, sicily.csv)")
    return pd.read_csv(SICILY)


def test_reproduces_lopez_bernal_2017_poisson(sicily):
    res = its(sicily, outcome="aces", time="time", intervention=37, family="poisson", offset="stdpop",
              slope_change=False, inference="classical")
    lo, hi = res.ratio_ci()
    assert (round(res.ratio(), 3), round(lo, 3), round(hi, 3)) == (0.894, 0.865, 0.925)
    assert res.n_obs == 59 and res.link == "log"
    assert "overdispersion" in res.caveats  # dispersion ≈ 3.6 under a classical Poisson fit


def test_reproduces_lopez_bernal_2017_quasipoisson_fourier(sicily):
    res = its(sicily, outcome="aces", time="time", intervention=37, family="quasipoisson", offset="stdpop",
              seasonality=2, season_length=12, slope_change=False, inference="classical")
    lo, hi = res.ratio_ci()
    assert (round(res.ratio(), 3), round(lo, 3), round(hi, 3)) == (0.885, 0.839, 0.933)
    assert round(res.details["dispersion"], 2) == 2.26
    assert "0,885" in res.sentence() and "0.885" in res.sentence("en")


def test_hac_matches_statsmodels_newey_west_without_gaps(sicily):
    import statsmodels.api as sm

    res = its(sicily, outcome="aces", time="time", intervention=37, family="poisson", offset="stdpop",
              slope_change=False, inference="hac", hac_lags=3)
    X = sm.add_constant(sicily[["smokban", "time"]].astype(float))
    ref = sm.GLM(sicily["aces"], X, family=sm.families.Poisson(), offset=np.log(sicily["stdpop"])).fit(
        cov_type="HAC", cov_kwds={"maxlags": 3, "use_correction": True})
    assert res.std_error == pytest.approx(ref.bse["smokban"], rel=1e-6)


def test_gaussian_classical_is_ols_with_t_intervals():
    import statsmodels.api as sm

    rng = seeded_rng("gaussian ols")
    t = np.arange(1, 41)
    y = 5 + 0.3 * t + 4 * (t >= 21) + 0.2 * (t - 21) * (t >= 21) + rng.normal(0, 1, t.size)
    df = pd.DataFrame({"t": t, "y": y})
    res = its(df, outcome="y", time="t", intervention=21, inference="classical")
    X = pd.DataFrame({"const": 1.0, "trend": t - 21.0, "level": (t >= 21) * 1.0, "slope": (t - 21.0) * (t >= 21)})
    ols = sm.OLS(y, X).fit()
    assert res.estimate == pytest.approx(ols.params["level"])
    assert res.std_error == pytest.approx(ols.bse["level"])
    assert (res.ci_low, res.ci_high) == pytest.approx(tuple(ols.conf_int().loc["level"]))
    assert res.slope_change.estimate == pytest.approx(ols.params["slope"])
    assert res.link == "identity"
    with pytest.raises(ModelError, match="no ratio"):
        res.ratio()


# -- planted effects ------------------------------------------------------------------------------
def test_recovers_planted_effect_with_covid_window_excluded():
    df = monthly_counts(seed="its planted effect, covid window")
    before = df.copy()
    res = its(df, outcome="visits", time="month", intervention="2022-01-01", family="quasipoisson",
              seasonality=2, slope_change=False, exclude=[COVID], caveats=["covid"])
    assert isinstance(res, ITSResult)
    assert res.ci_low < 0.15 < res.ci_high
    assert res.details["n_excluded"] == 22 and res.n_obs == len(df) - 22
    pd.testing.assert_frame_equal(df, before)  # input not modified
    # left in, the COVID-19 dip biases the estimate
    naive = its(df, outcome="visits", time="month", intervention="2022-01-01", family="quasipoisson",
                seasonality=2, slope_change=False)
    assert abs(naive.estimate - 0.15) > abs(res.estimate - 0.15)
    # excluded rows still have fitted and counterfactual values for plots
    pred = res.predictions
    assert pred["excluded"].sum() == 22 and pred.loc[pred["excluded"], "counterfactual"].notna().all()
    assert list(pred.columns[:3]) == ["time", "model_time", "observed"]
    post = pred[pred["post"]]
    assert (post["counterfactual_low"] < post["counterfactual"]).all()
    assert (post["counterfactual"] < post["counterfactual_high"]).all()
    nb, en = res.sentence(outcome_label="besøk"), res.sentence("en", outcome_label="visits")
    assert "COVID-19" in nb and "holdt utenfor" in nb and "01.03.2020" in nb
    assert "left out of the fit" in en and "1 Mar 2020" in en


def test_month_dummies_and_slope_change():
    df = monthly_counts(seed="its month dummies", covid_drop=0.0)
    res = its(df, outcome="visits", time="month", intervention="2022-01-01", family="poisson",
              seasonality="month")
    assert {"month_2", "month_12", "slope_change"} <= set(res.coefficients.index)
    assert res.slope_change is not None and res.slope_change.term == "slope_change"
    assert list(res.coefficients.columns) == ["estimate", "std_error", "ci_low", "ci_high", "p_value"]
    assert res.ci_low < 0.15 < res.ci_high


def test_control_series_absorbs_a_shared_covid_shock():
    treated = monthly_counts(seed="its controlled", covid_drop=-0.8)
    control = monthly_counts(seed="its control series", effect=0.0, covid_drop=-0.8, base=1500)
    df = treated.assign(control=control["visits"])
    res = its(df, outcome="visits", time="month", intervention="2022-01-01", family="quasipoisson",
              seasonality=2, slope_change=False, comparison="control")  # no exclusion window needed
    assert res.ci_low < 0.15 < res.ci_high and abs(res.estimate - 0.15) < 0.03
    assert res.n_obs == 2 * len(df) and not any(t.startswith("period[") for t in res.coefficients.index)
    assert res.method.startswith("comparative interrupted time series")
    naive = its(df, outcome="visits", time="month", intervention="2022-01-01", family="quasipoisson",
                seasonality=2, slope_change=False)
    assert not naive.ci_low < 0.15 < naive.ci_high


def test_recovers_the_demo_worlds_planted_effects():
    """Branch visits from the demo world (DESIGN.md §6): controlled ITS against never co-located branches."""
    from samorg.demo import branches, truth  # the package's own module: failing to import it is a failure

    seed = 1
    sim, planted = branches.simulate(seed), truth(seed)
    sim = sim.assign(date=pd.to_datetime({"year": 2014 + sim["month"] // 12, "month": sim["month"] % 12 + 1,
                                          "day": 1}))
    never = [s for s, d in planted.co_located.items() if d is None and s in set(sim["site_id"])]
    assert never, "the demo world should have branches that were never co-located"
    for site in ("mjondalen", "svelvik", "fjell"):
        assert planted.co_located.get(site) is not None, f"demo site {site} should be co-located"
    drammen_controls = [s for s in never if s in ("papirbredden", "konnerud")]
    control = sim[sim["site_id"].isin(drammen_controls)].groupby("date")["visits"].sum().rename("control")
    for site in ("mjondalen", "svelvik", "fjell"):
        series = sim[sim["site_id"] == site].set_index("date").join(control).reset_index()
        res = its(series, outcome="visits", time="date", intervention=planted.co_located[site],
                  family="quasipoisson", seasonality=2, slope_change=False, comparison="control")
        truth_log_rr = planted.visit_log_rr[site]
        assert res.ci_low < truth_log_rr < res.ci_high, (site, truth_log_rr, res.ci_low, res.ci_high)


def test_negbin_and_robust():
    df = monthly_counts(seed="its negbin", covid_drop=0.0, base=50)
    res = its(df, outcome="visits", time="month", intervention="2022-01-01", family="negbin", inference="robust")
    assert res.details["alpha"] > 0
    assert res.inference.startswith("robust")


def test_coverage_of_planted_effect():
    """Loose but failable: 200 simulated series, the 95 % CI should cover the truth ~95 % of the time."""
    rng = seeded_rng("its coverage")
    t = np.arange(72)
    post = t >= 48
    log_mu = np.log(200) + 0.003 * t + 0.2 * np.cos(2 * np.pi * t / 12) + 0.1 * post
    covered = 0
    reps = 200
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        for _ in range(reps):
            df = pd.DataFrame({"t": t, "y": rng.poisson(np.exp(log_mu))})
            res = its(df, outcome="y", time="t", intervention=48, family="quasipoisson", seasonality=1,
                      slope_change=False, inference="classical")
            covered += res.ci_low <= 0.1 <= res.ci_high
    assert 0.89 <= covered / reps <= 0.99


# -- degenerate inputs ----------------------------------------------------------------------------
@pytest.fixture
def small() -> pd.DataFrame:
    return pd.DataFrame({"t": np.arange(1, 25), "y": np.arange(1, 25) % 5 + 10.0})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"intervention": 1}, "no pre-period"),
        ({"intervention": 0}, "no pre-period"),
        ({"intervention": 30}, "no post-period"),
        ({"intervention": 3}, "Only 2 usable observation"),
        ({"intervention": 13, "exclude": [(1, 11)]}, "rows there are excluded"),
        ({"intervention": "2022-01-01"}, "holds numbers"),
        ({"intervention": 13, "outcome": "visits"}, r"not in the data.*columns \['t', 'y'\]"),
        ({"intervention": 13, "family": "binomial"}, "family='binomial' is not supported"),
        ({"intervention": 13, "offset": "t"}, "offset needs a count family"),
        ({"intervention": 13, "seasonality": 7}, "too many"),
        ({"intervention": 13, "exclude": [(10, 5)]}, "Swap the bounds"),
    ],
)
def test_degenerate_inputs_raise_model_error(small, kwargs, message):
    args = {"outcome": "y", "time": "t", **kwargs}
    with pytest.raises(ModelError, match=message):
        its(small, **args)


def test_constant_outcome(small):
    with pytest.raises(ModelError, match="constant"):
        its(small.assign(y=3.0), outcome="y", time="t", intervention=13)


def test_negative_counts(small):
    with pytest.raises(ModelError, match="negative values"):
        its(small.assign(y=small["y"] - 12), outcome="y", time="t", intervention=13, family="poisson")


def test_non_positive_offset(small):
    with pytest.raises(ModelError, match="must be positive"):
        its(small.assign(pop=0.0), outcome="y", time="t", intervention=13, family="poisson", offset="pop")


@pytest.mark.filterwarnings("ignore::samorg.models.ModelWarning")
def test_too_many_terms(small):
    with pytest.raises(ModelError, match="too few|collinear"):
        its(small.iloc[:8], outcome="y", time="t", intervention=5, seasonality="month")


def test_duplicated_month():
    df = monthly_counts(seed="dup", covid_drop=0.0)
    df = pd.concat([df, df.iloc[[5]]])
    with pytest.raises(ModelError, match="2 rows for month 06.2015.*aggregate"):
        its(df, outcome="visits", time="month", intervention="2022-01-01", family="poisson")


def test_missing_months_warn_and_are_named_in_caveats():
    df = monthly_counts(seed="gaps", covid_drop=0.0).drop(index=[10, 11, 40])
    with pytest.warns(ModelWarning, match="3 period"):
        res = its(df, outcome="visits", time="month", intervention="2022-01-01", family="quasipoisson",
                  seasonality=2)
    assert "missing_periods" in res.caveats
    assert "mangler" in res.sentence()


def test_short_series_warns(small):
    with pytest.warns(ModelWarning, match="fewer than 8"):
        res = its(small.iloc[:16], outcome="y", time="t", intervention=11)
    assert "short_series" in res.caveats


def test_yearly_exclusion_window_is_written_as_years():
    """Issue 16: its() had its own copy of the bound formatter and wrote "2 020–2 021"."""
    rng = seeded_rng("its yearly window text")
    years = np.arange(2010, 2026)
    df = pd.DataFrame({"year": years, "y": 50 + 0.5 * (years - 2010) + 3.0 * (years >= 2022) + rng.normal(0, 0.5, 16)})
    res = its(df, outcome="y", time="year", intervention=2022, exclude=[(2020, 2021, "COVID-19")], inference="classical")
    text = " ".join(res._extra_caveats("nb") + res._extra_caveats("en"))
    assert "2020–2021" in text and "2\u00a0020" not in text


def test_old_keyword_names_still_work_with_a_future_warning():
    df = monthly_counts(seed="its old names", covid_drop=0.0)
    df = df.assign(control=monthly_counts(seed="its old names control", effect=0.0, covid_drop=0.0)["visits"])
    new = its(df, outcome="visits", time="month", intervention="2022-01-01", family="quasipoisson", seasonality=1,
              season_length=12, comparison="control", inference="robust")
    with pytest.warns(FutureWarning) as record:
        old = its(df, outcome="visits", time="month", intervention="2022-01-01", family="quasipoisson",
                  seasonality=1, period=12, control="control", se="robust")
    named = " ".join(str(w.message) for w in record)
    assert "use inference=" in named and "use comparison=" in named and "use season_length=" in named
    assert (old.estimate, old.std_error) == (new.estimate, new.std_error)
    with pytest.raises(ModelError, match="both se= and inference="):
        its(df, outcome="visits", time="month", intervention="2022-01-01", se="hac", inference="hac")


def test_a_full_rank_design_is_solved_by_qr_and_a_rank_deficient_one_by_least_squares():
    import statsmodels.api as sm

    from samorg.models._its_fit import fit_glm

    rng = seeded_rng("its-qr")
    n = 120
    X = np.column_stack([np.ones(n), np.arange(n) / n, (np.arange(n) >= 60).astype(float)])
    y = rng.poisson(np.exp(X @ np.array([3.0, 0.4, 0.2]))).astype(float)
    t, off = np.arange(n, dtype=float), np.zeros(n)
    fit, cov, _, _ = fit_glm(y, X, off, t, "quasipoisson", "classical", None, None, n_periods=n)
    reference = sm.GLM(y, X, family=sm.families.Poisson()).fit(scale="X2")  # statsmodels' default solver
    assert fit.mle_settings["wls_method"] == "qr"
    np.testing.assert_allclose(fit.params, reference.params, rtol=1e-10)
    np.testing.assert_allclose(cov, reference.cov_params(), rtol=1e-8)
    twice = np.column_stack([X, X[:, 2]])  # the step twice: not identified, least squares splits it
    fit2, _, _, _ = fit_glm(y, twice, off, t, "quasipoisson", "classical", None, None, n_periods=n)
    assert fit2.mle_settings["wls_method"] == "lstsq"
    assert np.all(np.isfinite(fit2.params)) and fit2.params[2] == pytest.approx(fit2.params[3])
