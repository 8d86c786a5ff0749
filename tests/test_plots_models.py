"""plot_did, plot_event_study, plot_synthetic_control: Axes in and out, no global state, bokmål/English."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from figure_fit import assert_fits_canvas  # noqa: E402

from samorg.models import did, event_study, synthetic_control  # noqa: E402
from samorg.plots import plot_did, plot_event_study, plot_synthetic_control  # noqa: E402


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    rows = []
    for u in range(22):
        first = 2019 if u < 2 else (2021 if u < 3 else np.nan)
        for year in range(2012, 2025):
            eff = 1.5 if not np.isnan(first) and year >= first else 0.0
            rows.append((f"k{u:02d}", year, first, int(u < 3), int(year >= 2019),
                         50 + u + 0.4 * (year - 2012) + eff + rng.normal(0, 0.3)))
    return pd.DataFrame(rows, columns=["unit", "year", "first", "treated", "post", "y"])


def _labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_plot_did_returns_the_axes_it_was_given(panel):
    res = did(panel, outcome="y", treated="treated", post="post", unit="unit", time="year", inference="permutation")
    fig, ax = plt.subplots()
    assert plot_did(res, ax=ax, title="Besøk") is ax
    # EVIDENCE.md §8: «tiltaksstedet», not «behandlet gruppe»
    assert ax.get_title() == "Besøk" and {"Tiltaksstedet", "Sammenligningsgruppe", "Tiltak"} <= set(_labels(ax))
    assert len(ax.get_lines()[0].get_xdata()) == 13
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and all(re.fullmatch(r"\d{4}", x) for x in labels), labels  # whole years, no separator


def test_plot_did_two_by_two_english(panel):
    res = did(panel, outcome="y", treated="treated", post="post", inference="classical")
    ax = plot_did(res, lang="en")
    assert "Treated group" in _labels(ax) and ax.get_xlabel() == "Period"
    assert_fits_canvas(ax.figure)  # its own figure holds the legend below the axes, however it is saved


def test_plot_event_study(panel):
    res = event_study(panel, outcome="y", unit="unit", time="year", first_treated="first", draws=99)
    ax = plot_event_study(res, lang="en")
    assert {"Before treatment", "After treatment", "Reference period", "95% CI"} <= set(_labels(ax))
    assert ax.get_xlabel().startswith("Periods before")
    assert_fits_canvas(ax.figure)
    nb = plot_event_study(res)
    assert "Referanseperiode" in _labels(nb)


@pytest.mark.parametrize("kind", ["series", "gaps"])
def test_plot_synthetic_control(panel, kind):
    before = dict(plt.rcParams)
    data = panel[(panel["treated"] == 0) | (panel["unit"] == "k00")]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = synthetic_control(data, outcome="y", unit="unit", time="year", treated="k00", intervention=2019,
                                exclude=[(2020, 2020, "COVID-19")])
    ax = plot_synthetic_control(res, kind=kind, lang="en")
    labels = _labels(ax)
    if kind == "series":
        assert {"Treated unit", "Synthetic control", "Intervention"} <= set(labels)
    else:
        grey = [line for line in ax.get_lines() if line.get_color() == "0.75"]
        assert len(grey) == res.details["n_donors"] and "Placebo gaps (donor units)" in labels
    assert len(ax.patches) == 1  # the excluded year is shaded
    assert_fits_canvas(ax.figure)
    assert dict(plt.rcParams) == before
    with pytest.raises(ValueError, match="kind"):
        plot_synthetic_control(res, kind="paths")


def _yearly_did(panel, exclude_years=(2020, 2021)):
    data = panel[~panel["year"].isin(exclude_years)]
    return did(data, outcome="y", group="treated", post="post", unit="unit", time="year", inference="permutation")


def test_plot_did_breaks_lines_at_excluded_years_and_marks_the_registry_date(panel):
    res = _yearly_did(panel)
    ax = plot_did(res, intervention="2020-01-01", exclude=[(2020, 2021, "COVID-19")], treated_label="Askim")
    treated = ax.get_lines()[0]
    x, y = np.asarray(treated.get_xdata(), dtype=float), np.asarray(treated.get_ydata(), dtype=float)
    gap = np.flatnonzero(np.isnan(y))
    assert len(gap) == 1 and x[gap[0] - 1] == 2019 and x[gap[0] + 1] == 2022  # no line from 2019 to 2022
    starts = [line for line in ax.get_lines() if line.get_linestyle() == ":"]
    assert len(starts) == 1 and starts[0].get_xdata()[0] == pytest.approx(2019.5)  # 1.1.2020, not 2022
    labels = _labels(ax)
    assert "Tiltak (01.01.2020)" in labels and "Utelatt (COVID-19)" in labels and "Askim" in labels
    span = ax.patches[0]
    assert span.get_x() == pytest.approx(2019.5) and span.get_x() + span.get_width() == pytest.approx(2021.5)
    # a later co-location sits inside its year
    ax2 = plot_did(res, intervention="2022-09-01", lang="en")
    line = [ln for ln in ax2.get_lines() if ln.get_linestyle() == ":"][0]
    assert 2022.1 < line.get_xdata()[0] < 2022.2
    assert any(lbl.startswith("Intervention (") and "2022" in lbl for lbl in _labels(ax2))
    ax3 = plot_did(res, intervention=2022)  # a period number: the line goes just before that period
    assert [ln for ln in ax3.get_lines() if ln.get_linestyle() == ":"][0].get_xdata()[0] == pytest.approx(2021.5)


def test_plot_event_study_calendar_years_and_registry_date(panel):
    one_cohort = panel[panel["unit"] != "k02"]
    res = event_study(one_cohort, outcome="y", unit="unit", time="year", first_treated="first", draws=99,
                      exclude=[(2017, 2017, "COVID-19")])
    ax = plot_event_study(res, calendar=True, intervention="2019-01-01", exclude=[(2017, 2017, "COVID-19")])
    points = [ln for ln in ax.get_lines() if ln.get_marker() == "o" and len(ln.get_xdata())]
    xs = np.concatenate([np.asarray(p.get_xdata(), dtype=float) for p in points])
    assert xs.min() >= 2012 and xs.max() <= 2024  # calendar years, not −7 … 5
    assert 2017 not in xs  # the excluded year is a gap, not a point
    ref = [ln for ln in ax.get_lines() if ln.get_marker() == "o" and ln.get_markerfacecolor() == "white"][0]
    assert ref.get_xdata()[0] == res.group_time["base"].iloc[0] == 2018  # the base actually used
    with pytest.raises(ValueError, match="one cohort"):
        plot_event_study(event_study(panel, outcome="y", unit="unit", time="year", first_treated="first", draws=99),
                         calendar=True)
    start = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"][0]
    assert start.get_xdata()[0] == pytest.approx(2018.5)
    assert ax.get_xlabel() == "År" and "Tiltak (01.01.2019)" in _labels(ax) and "Utelatt (COVID-19)" in _labels(ax)


def test_plot_event_study_never_promises_intervals_it_does_not_draw(panel):
    import dataclasses

    res = event_study(panel, outcome="y", unit="unit", time="year", first_treated="first", draws=99)
    coefs = res.coefficients.copy()
    coefs["ci_low"], coefs["ci_high"] = -np.inf, np.inf
    unbounded = dataclasses.replace(res, coefficients=coefs)
    ax = plot_event_study(unbounded, lang="en")
    assert "95% CI" not in _labels(ax) and "Intervals cannot be bounded" in _labels(ax)
    assert not [c for c in ax.collections if len(c.get_segments())]  # no interval drawn
    drawn = plot_event_study(res, lang="en")
    segments = sum(len(c.get_segments()) for c in drawn.collections)
    c = res.plot_data()
    finite = (np.isfinite(c["ci_low"]) & np.isfinite(c["ci_high"]) & np.isfinite(c["estimate"])
              & (c["event_time"] != res.details.get("reference", -1)))
    assert "95% CI" in _labels(drawn) and segments == int(finite.sum()) > 0


def test_plot_synthetic_control_leaves_excluded_years_as_gaps(panel):
    import warnings

    data = panel[(panel["treated"] == 0) | (panel["unit"] == "k00")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = synthetic_control(data, outcome="y", unit="unit", time="year", treated="k00", intervention=2019,
                                exclude=[(2020, 2021, "COVID-19")])
    for kind in ("series", "gaps"):
        ax = plot_synthetic_control(res, kind=kind, lang="en")
        for line in ax.get_lines():
            x = np.asarray(line.get_xdata(), dtype=float)
            y = np.asarray(line.get_ydata(), dtype=float)
            if len(x) > 2:
                assert np.isnan(y[np.isin(x, [2020, 2021])]).all()


def test_plot_did_names_the_axis_by_what_it_holds(panel):
    res = _yearly_did(panel)
    assert plot_did(res).get_xlabel() == "År" and plot_did(res, lang="en").get_xlabel() == "Year"
    numbered = panel.assign(year=panel["year"] - 2011)
    res2 = did(numbered, outcome="y", group="treated", post="post", unit="unit", time="year", inference="permutation")
    assert plot_did(res2).get_xlabel() == "Tid"
