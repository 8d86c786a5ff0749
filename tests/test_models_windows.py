"""One exclusion window means the same periods in every estimator (issue 12 §6, docs/api.md §4).

Rule: a period is excluded if any day of it falls in the window. Before the shared helper, its() dropped
three months for 15 March–10 May 2020 and event_study() two (it compared the window with the first day
of each month).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from conftest import seeded_rng
from samorg.errors import ModelError
from samorg.models import ModelWarning, event_study, its

WINDOW = ("2020-03-15", "2020-05-10", "partial months")


def _monthly_panel(rng) -> pd.DataFrame:
    months = pd.date_range("2018-01-01", "2021-12-01", freq="MS")
    rows = []
    for u in range(8):
        first = pd.Timestamp("2021-01-01") if u < 3 else pd.NaT
        for m in months:
            rows.append({"unit": u, "month": m, "first": first,
                         "y": rng.normal(0, 1) + 2.0 * (first is not pd.NaT and m >= first)})
    return pd.DataFrame(rows)


def test_partial_months_are_excluded_alike_in_its_and_event_study():
    rng = seeded_rng("windows monthly")
    df = _monthly_panel(rng)
    one = df[df["unit"] == 0][["month", "y"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        res_its = its(one, outcome="y", time="month", intervention="2021-01-01", exclude=[WINDOW],
                      inference="classical")
        res_es = event_study(df, outcome="y", unit="unit", time="month", first_treated="first", exclude=[WINDOW],
                             draws=99)
    assert res_its.details["excluded_windows"][0]["n_rows"] == 3  # March, April, May 2020
    assert res_es.details["excluded_windows"][0]["n_periods"] == 3
    # the excluded cells are March–May 2020 and nothing else
    times = set(pd.to_datetime(res_es.group_time["time"]))
    assert not times & {pd.Timestamp("2020-03-01"), pd.Timestamp("2020-04-01"), pd.Timestamp("2020-05-01")}


def test_years_are_full_year_windows_and_dates_touch_years():
    rng = seeded_rng("windows yearly")
    years = np.arange(2012, 2025)
    df = pd.DataFrame([{"unit": u, "year": y, "first": 2022 if u < 2 else np.nan, "y": rng.normal()}
                       for u in range(8) for y in years])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        by_date = event_study(df, outcome="y", unit="unit", time="year", first_treated="first",
                              exclude=[("2020-03-01", "2021-12-31", "COVID-19")], draws=99)
        by_year = event_study(df, outcome="y", unit="unit", time="year", first_treated="first",
                              exclude=[(2020, 2021, "COVID-19")], draws=99)
    assert by_date.details["excluded_windows"][0]["n_periods"] == 2
    assert by_date.estimate == pytest.approx(by_year.estimate)
    monthly = pd.DataFrame({"month": pd.date_range("2015-01-01", "2023-12-01", freq="MS")})
    monthly["y"] = 10 + rng.normal(0, 1, len(monthly)) + 2 * (monthly["month"] >= "2022-01-01")
    res = its(monthly, outcome="y", time="month", intervention="2022-01-01", exclude=[(2020, 2021)],
              inference="classical")
    assert res.details["excluded_windows"][0]["n_rows"] == 24


def test_a_number_on_a_date_axis_is_still_refused_as_an_intervention():
    monthly = pd.DataFrame({"month": pd.date_range("2015-01-01", "2023-12-01", freq="MS"), "y": 1.0})
    monthly["y"] += np.arange(len(monthly)) % 5
    with pytest.raises(ModelError, match="holds dates"):
        its(monthly, outcome="y", time="month", intervention=2022)
    with pytest.raises(ModelError, match="holds dates"):
        its(monthly, outcome="y", time="month", intervention="2022-01-01", exclude=[(2020.5, 2021)])
