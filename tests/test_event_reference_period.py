"""The event study's reference row is the base period actually used (an excluded window can move it).

Reported defect: with 2020–2021 left out and first treatment in 2022, the base period is 2019 (event
time −3), yet the coefficient table put its zero reference row at −1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from samorg.models import event_study
from conftest import seeded_rng


def panel(seed: str, cohorts=((2022, 3),), never: int = 9) -> pd.DataFrame:
    rng = seeded_rng(seed)
    rows, unit = [], 0
    for g, n in list(cohorts) + [(np.nan, never)]:
        for _ in range(n):
            level = rng.normal(0, 1)
            for y in range(2014, 2025):
                effect = 2.0 if g == g and y >= g else 0.0
                rows.append((unit, y, g, level + 0.1 * (y - 2014) + effect + rng.normal(0, 0.3)))
            unit += 1
    return pd.DataFrame(rows, columns=["unit", "year", "first", "y"])


@pytest.mark.parametrize("inference", ["permutation", "cluster"])
def test_reference_row_is_the_base_period_actually_used(inference):
    df = panel("event reference 2019")
    res = event_study(df, outcome="y", unit="unit", time="year", first_treated="first", exclude=[(2020, 2021)],
                      inference=inference, draws=199)
    assert set(res.group_time["base"]) == {2019.0}
    coef = res.coefficients
    assert -1 not in coef.index and -2 not in coef.index  # 2021 and 2020 are left out
    assert coef.loc[-3, "estimate"] == 0 and np.isnan(coef.loc[-3, "p_value"])
    assert res.details["reference_event_times"] == (-3,) and set(res.details["base_event_times"].values()) == {-3}
    # the pre-period coefficients are differences from 2019, the row labelled as the reference
    wide = df.pivot(index="unit", columns="year", values="y")
    first = df.groupby("unit")["first"].first()
    change = wide[2018] - wide[2019]
    assert coef.loc[-4, "estimate"] == pytest.approx(change[first == 2022].mean() - change[first.isna()].mean())
    assert any("event time -3, not -1" in c for c in res._extra_caveats("en"))
    assert any("hendelsestid −3, ikke −1" in c for c in res._extra_caveats("nb"))


def test_reference_row_stays_at_minus_one_when_nothing_before_treatment_is_left_out():
    res = event_study(panel("event reference -1"), outcome="y", unit="unit", time="year", first_treated="first",
                      exclude=[(2016, 2016)], draws=199)
    assert res.coefficients.loc[-1, "estimate"] == 0 and res.details["reference_event_times"] == (-1,)
    assert not any("event time" in c for c in res._extra_caveats("en"))


def test_cohorts_with_different_bases_each_get_their_reference_row():
    """2022 cohort: base 2019 (−3); 2024 cohort: base 2023 (−1); neither event time is estimated by the other."""
    df = panel("event reference two cohorts", cohorts=((2022, 2), (2024, 2)))
    res = event_study(df, outcome="y", unit="unit", time="year", first_treated="first", exclude=[(2020, 2021)],
                      draws=199)
    assert res.details["base_event_times"] == {"2022": -3, "2024": -1}
    coef = res.coefficients
    assert coef.loc[[-3, -1], "estimate"].tolist() == [0, 0] and coef.loc[[-3, -1], "p_value"].isna().all()
    assert res.details["reference_event_times"] == (-3, -1)


def test_plot_marks_the_base_period_actually_used():
    from samorg.plots import plot_event_study

    res = event_study(panel("event reference plot"), outcome="y", unit="unit", time="year", first_treated="first",
                      exclude=[(2020, 2021)], draws=199)
    ax = plot_event_study(res, lang="en")
    hollow = [line for line in ax.get_lines() if line.get_markerfacecolor() == "white"]
    assert len(hollow) == 1 and list(hollow[0].get_xdata()) == [-3.0]
    ax = plot_event_study(res, lang="en", calendar=True)
    hollow = [line for line in ax.get_lines() if line.get_markerfacecolor() == "white"]
    assert len(hollow) == 1 and list(hollow[0].get_xdata()) == [2019.0]
