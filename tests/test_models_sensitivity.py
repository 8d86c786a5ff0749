"""samorg.models.sensitivity: the same analysis with 2020–2021 left out, side by side."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from samorg.errors import ModelError
from samorg.models import COVID_WINDOW, Effect, ModelWarning, SensitivityResult, did, event_study, its, sensitivity
from samorg.models import synthetic_control


def _panel(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(24):
        treated = u < 2
        for year in range(2012, 2026):
            shock = -3.0 * (treated and year in (2020, 2021))  # a COVID-19 dip only the treated units had
            rows.append((f"m{u:02d}", year, int(treated), int(year >= 2020), 2020.0 if treated else np.nan,
                         10 + u * 0.2 + 0.3 * year - 600 + 2.0 * (treated and year >= 2020) + shock
                         + rng.normal(0, 0.2)))
    return pd.DataFrame(rows, columns=["unit", "year", "treated", "post", "first", "y"])


def test_did_without_the_window_recovers_the_effect():
    df = _panel()
    main = did(df, outcome="y", treated="treated", post="post", unit="unit", time="year", inference="permutation")
    s = sensitivity(main, df, windows=[(2020, 2021, "2020–2021")])
    assert isinstance(s, SensitivityResult) and s.main is main
    assert abs(main.estimate - 2.0) > 0.5 and abs(s.without.estimate - 2.0) < 0.3
    t = s.to_frame()
    assert t["analysis"].tolist() == ["all periods", "without window"] and t.loc[1, "n_obs"] == main.n_obs - 48
    nb, en = s.sentence(), s.sentence("en")
    assert "uten 2020–2021" in nb and "Følsomhetsanalyse" in nb
    assert "without 2020–2021" in en and "a change of +" in en


def test_did_needs_a_time_column():
    df = _panel()
    main = did(df, outcome="y", treated="treated", post="post", unit="unit", inference="permutation")
    with pytest.raises(ModelError, match="time="):
        sensitivity(main, df, windows=[(2020, 2021)])
    assert sensitivity(main, df, windows=[(2020, 2021)], time="year").without.n_obs == main.n_obs - 48


@pytest.mark.parametrize("estimator", ["event_study", "synthetic_control"])
def test_panel_estimators_take_the_window_as_exclude(estimator):
    df = _panel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        if estimator == "event_study":
            main = event_study(df, outcome="y", unit="unit", time="year", first_treated="first", draws=199)
        else:
            main = synthetic_control(df[(df["treated"] == 0) | (df["unit"] == "m00")], outcome="y", unit="unit",
                                     time="year", treated="m00", intervention=2020)
        s = sensitivity(main, df if estimator == "event_study" else df[(df["treated"] == 0) | (df["unit"] == "m00")],
                        windows=[(2020, 2021)])
    assert abs(s.without.estimate - 2.0) < abs(main.estimate - 2.0)
    assert s.without.details["excluded_windows"][0]["n_periods"] == 2


def test_its_with_dates_and_the_default_window():
    dates = pd.date_range("2014-01-01", "2025-12-01", freq="MS")
    rng = np.random.default_rng(3)
    covid = (dates >= "2020-01-01") & (dates <= "2021-12-31")
    mu = np.exp(np.log(500) + 0.15 * (dates >= "2022-01-01") - 0.6 * covid)
    df = pd.DataFrame({"month": dates, "visits": rng.poisson(mu)})
    main = its(df, outcome="visits", time="month", intervention="2022-01-01", family="quasipoisson",
               slope_change=False, seasonality=1)
    s = sensitivity(main, df)
    assert s.windows == (COVID_WINDOW,)
    assert abs(s.without.estimate - 0.15) < 0.05 and s.without.details["n_excluded"] == 24
    assert "without 2020–2021 it is a rate ratio of 1.1" in s.sentence("en")  # ratios for log links
    assert "rateforhold på" in s.sentence()


def test_result_without_a_recorded_call_is_refused():
    bare = Effect(estimate=1.0, std_error=0.1, ci_low=0.8, ci_high=1.2, p_value=0.01)
    with pytest.raises(ModelError, match="does not record"):
        sensitivity(bare, pd.DataFrame())
