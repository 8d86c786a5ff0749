"""samorg.plots.ordinal: stacked category bars from ordinal results; Axes out, no global state."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from figure_fit import assert_fits_canvas

from samorg.models.ordinal import ordinal, ordinal_change
from samorg.plots.ordinal import category_probability_table, plot_category_probabilities


def _seed(text: str) -> int:
    return int.from_bytes(text.encode(), "little") % 2**32


@pytest.fixture(scope="module")
def change():
    rng = np.random.default_rng(_seed("plot ordinal"))
    n = 1200
    g, t = rng.integers(0, 2, n), rng.integers(0, 2, n)
    y = np.searchsorted([-2.6, -1.6, -0.2, 1.4], 0.7 * g * t + rng.logistic(size=n))
    labels = ["Svært misfornøyd", "Misfornøyd", "Verken fornøyd eller misfornøyd", "Fornøyd", "Svært fornøyd"]
    answer = pd.Categorical.from_codes(y, categories=labels, ordered=True)
    df = pd.DataFrame({"svar": answer, "samlokalisert": g, "bølge": np.where(t == 1, 2022, 2019)})
    return ordinal_change(df, outcome="svar", group="samlokalisert", period="bølge")


def test_table_has_one_bar_per_group_and_period_plus_the_counterfactual(change):
    table = category_probability_table(change)
    assert table.index.tolist() == ["Samlokalisert, 2019", "Samlokalisert, 2022",
                                    "Samlokalisert, 2022 (uten samlokalisering)", "Sammenligning, 2019",
                                    "Sammenligning, 2022"]
    assert table.columns[0] == "Svært misfornøyd" and table.columns[-1] == "Svært fornøyd"
    assert table.sum(axis=1).to_numpy() == pytest.approx(np.ones(5))
    observed = category_probability_table(change, observed=True, lang="en")
    assert len(observed) == 4 and observed.index[0] == "Co-located, 2019"


def test_draws_stacked_bars_on_the_given_axes(change):
    import matplotlib
    import matplotlib.pyplot as plt

    before = dict(matplotlib.rcParams)
    fig, ax = plt.subplots()
    out = plot_category_probabilities(change, ax=ax)
    assert out is ax
    assert len(ax.patches) == 5 * 5
    assert sum(p.get_hatch() == "///" for p in ax.patches) == 5  # the counterfactual bar
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "Samlokalisert, 2022 (uten samlokalisering)" in labels
    assert any("\u00a0%" in t.get_text() for t in ax.texts)  # bokmål percent: "40 %"
    assert ax.get_xlabel() == "Andel av svarene"
    assert dict(matplotlib.rcParams) == before


def test_english_and_new_figure(change):
    ax = plot_category_probabilities(change, lang="en", observed=True, title="Calm", labels=False)
    assert ax.get_title() == "Calm" and ax.get_xlabel() == "Share of answers (observed)"
    assert not ax.texts
    assert [t.get_text() for t in ax.get_legend().get_texts()][-1] == "Svært fornøyd"
    assert_fits_canvas(ax.figure)  # its own figure holds the legend, however it is saved


def test_plain_ordinal_result():
    rng = np.random.default_rng(_seed("plot ordinal plain"))
    df = pd.DataFrame({"y": rng.integers(1, 6, 300), "x": rng.normal(size=300)})
    ax = plot_category_probabilities(ordinal(df, outcome="y", predictors=["x"]))
    assert len(ax.patches) == 5


def test_rejects_other_results():
    with pytest.raises(TypeError, match="ordinal result"):
        category_probability_table(object())
