"""samorg.plots.plot_its: draws on the Axes it is given and changes no global state."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from figure_fit import assert_fits_canvas  # noqa: E402

from samorg.models import its  # noqa: E402
from samorg.plots import plot_its  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def result():
    rng = np.random.default_rng(20260101)
    dates = pd.date_range("2016-01-01", "2024-12-01", freq="MS")
    post = dates >= "2022-01-01"
    covid = (dates >= "2020-03-01") & (dates <= "2021-12-31")
    mu = np.exp(np.log(1500) + 0.2 * np.sin(2 * np.pi * dates.month / 12) + 0.1 * post - 0.7 * covid)
    df = pd.DataFrame({"month": dates, "visits": rng.poisson(mu)})
    return its(df, outcome="visits", time="month", intervention="2022-01-01", family="quasipoisson",
               seasonality=2, exclude=[("2020-03-01", "2021-12-31", "COVID-19")])


def test_returns_the_axes_it_was_given(result):
    fig, ax = plt.subplots()
    out = plot_its(result, ax=ax, title="Besøk")
    assert out is ax and ax.get_title() == "Besøk"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Uten tiltaket (kontrafaktisk)" in labels and "Tiltak" in labels
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and len(dashed[0].get_xdata()) == int(result.predictions["post"].sum()) + 1
    assert any(t.get_text() == "COVID-19" for t in ax.texts)


def test_norwegian_tick_labels_use_samorg_fmt(result):
    ax = plot_its(result)
    ax.figure.canvas.draw()
    ticks = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert any("\u00a0" in t for t in ticks), ticks  # thousands separator
    assert ax.get_xlabel() == "Måned"


def test_english_and_new_figure(result):
    ax = plot_its(result, lang="en", ylabel="Visits")
    assert ax.get_xlabel() == "Month" and ax.get_ylabel() == "Visits"
    assert "Without the intervention (counterfactual)" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert_fits_canvas(ax.figure)  # its own figure holds the legend below the axes, however it is saved


def test_numeric_time_and_no_global_style_change():
    before = dict(plt.rcParams)
    t = np.arange(1, 31)
    df = pd.DataFrame({"t": t, "y": 10 + 0.5 * t + 3 * (t >= 16) + np.sin(t)})
    res = its(df, outcome="y", time="t", intervention=16, exclude=[(5, 7)])
    ax = plot_its(res)
    ax.figure.canvas.draw()
    assert ax.get_xlabel() == "Tid"
    assert dict(plt.rcParams) == before


def test_controlled_result_plots_without_predictions_in_excluded_rows():
    t = np.arange(1, 49)
    rng = np.random.default_rng(7)
    shock = np.where((t >= 20) & (t <= 25), -0.7, 0.0)
    df = pd.DataFrame({"t": t, "y": rng.poisson(np.exp(5 + 0.1 * (t >= 30) + shock)),
                       "c": rng.poisson(np.exp(6 + shock))})
    res = its(df, outcome="y", time="t", intervention=30, family="quasipoisson", control="c", exclude=[(20, 25)])
    assert res.predictions.loc[res.predictions["excluded"], "fitted"].isna().all()
    ax = plot_its(res, lang="en")
    assert len(ax.get_lines()) >= 3
