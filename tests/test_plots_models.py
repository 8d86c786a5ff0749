"""plot_did, plot_event_study, plot_synthetic_control: Axes in and out, no global state, bokmål/English."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

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
    assert ax.get_title() == "Besøk" and {"Behandlet gruppe", "Sammenligningsgruppe", "Tiltak"} <= set(_labels(ax))
    assert len(ax.get_lines()[0].get_xdata()) == 13
    ax.figure.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and all(re.fullmatch(r"\d{4}", x) for x in labels), labels  # whole years, no separator


def test_plot_did_two_by_two_english(panel):
    res = did(panel, outcome="y", treated="treated", post="post", inference="classical")
    ax = plot_did(res, lang="en")
    assert "Treated group" in _labels(ax) and ax.get_xlabel() == "Period"


def test_plot_event_study(panel):
    res = event_study(panel, outcome="y", unit="unit", time="year", first_treated="first", draws=99)
    ax = plot_event_study(res, lang="en")
    assert {"Before treatment", "After treatment", "Reference period", "95% CI"} <= set(_labels(ax))
    assert ax.get_xlabel().startswith("Periods before")
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
    assert dict(plt.rcParams) == before
    with pytest.raises(ValueError, match="kind"):
        plot_synthetic_control(res, kind="paths")
