"""samorg.plots.forest: forest plot of a pooled result; Axes out, no global state, lazy imports."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from figure_fit import assert_fits_canvas

from samorg.models.meta import pool
from samorg.plots.forest import plot_forest

LABELS = ["Askim", "Mysen", "Skjønhaug", "Spydeberg", "Tomter", "Fjell", "Svelvik"]


@pytest.fixture(scope="module")
def pooled():
    est = np.array([0.12, 0.18, 0.05, 0.22, 0.10, 0.15, 0.30])
    se = np.array([0.05, 0.06, 0.08, 0.07, 0.09, 0.05, 0.10])
    return pool(est, se, labels=LABELS, link="log")


def test_draws_sites_diamond_and_prediction_interval(pooled):
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon

    before = dict(matplotlib.rcParams)
    fig, ax = plt.subplots()
    out = plot_forest(pooled, ax=ax)
    assert out is ax
    assert [t.get_text() for t in ax.get_yticklabels()] == [*LABELS, "Samlet (tilfeldige effekter)"]
    diamonds = [p for p in ax.patches if isinstance(p, Polygon)]
    assert len(diamonds) == 1
    xs = diamonds[0].get_xy()[:, 0]
    assert xs.min() == pytest.approx(np.exp(pooled.ci_low)) and xs.max() == pytest.approx(np.exp(pooled.ci_high))
    pi = [c for c in ax.collections if c.get_linestyle()[0][1] is not None]  # the dashed prediction interval
    assert pi and np.exp(pooled.pi_low) == pytest.approx(pi[0].get_segments()[0][0][0])
    assert ax.get_xscale() == "log"  # ratios on a log axis
    assert any("," in t.get_text() for t in ax.texts)  # decimal comma
    assert "95 % prediksjonsintervall" in [t.get_text().replace("\u00a0", " ") for t in ax.get_legend().get_texts()]
    assert dict(matplotlib.rcParams) == before


def test_identity_scale_in_english(pooled):
    res = pool([0.1, 0.3, -0.1], [0.1, 0.1, 0.2], labels=["A", "B", "C"])
    ax = plot_forest(res, lang="en", title="Visits")
    assert ax.get_xscale() == "linear" and ax.get_xlabel() == "Effect" and ax.get_title() == "Visits"
    assert ax.get_yticklabels()[-1].get_text() == "Pooled (random effects)"
    ax2 = plot_forest(pooled, ratio=False, annotate=False)
    assert ax2.get_xscale() == "linear" and not ax2.texts
    assert_fits_canvas(ax.figure)  # its own figure holds the axis title and legend, however it is saved


def test_rejects_results_without_sites():
    with pytest.raises(TypeError, match="pool"):
        plot_forest(object.__new__(type("X", (), {"studies": None})))


def test_importing_the_new_modules_stays_light():
    code = ("import sys; import samorg.models, samorg.models.ordinal, samorg.models.meta, samorg.models.weighting, "
            "samorg.models.power, samorg.models.adjust, samorg.plots.ordinal, samorg.plots.forest; "
            "print(sorted(m for m in ('matplotlib', 'statsmodels', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_ratio_axis_has_round_ticks_and_says_what_the_ratio_is():
    import matplotlib.pyplot as plt

    from samorg.plots.forest import ratio_ticks

    res = pool([0.02, 0.08, -0.03, 0.05], [0.03, 0.04, 0.05, 0.03], labels=list("ABCD"), link="log")
    fig, ax = plt.subplots()
    plot_forest(res, ax=ax)
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert len(labels) >= 3 and "1" in [lbl.rstrip("0").rstrip(",") for lbl in labels]  # not only "1"
    assert ax.get_xlabel() == "Rateforhold (observert/forventet), logaritmisk skala"
    assert ratio_ticks(0.85, 1.25) == [0.9, 1.0, 1.1, 1.2] and ratio_ticks(0.3, 4) == [0.5, 1.0, 2.0]


def test_municipal_pooling_draws_no_prediction_interval_and_nothing_unbounded():
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon

    from samorg.models import Effect
    from samorg.models.pooled import pool_municipalities

    sites = [Effect(estimate=e, std_error=0.04, ci_low=e - 0.08, ci_high=e + 0.08, p_value=0.1, link="log")
             for e in (0.10, 0.12, 0.05, 0.02)]
    two = pool_municipalities(sites, municipality=["A", "A", "A", "B"], labels=list("abcd"), control_std_error=0.01)
    fig, ax = plt.subplots()
    plot_forest(two, ax=ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == [*"abcd", "A (3 steder)", "B (1 sted)",
                                                              "Samlet (kommunenivå)"]
    hollow = [ln for ln in ax.get_lines() if ln.get_marker() == "D"]
    assert len(hollow) == 1 and list(hollow[0].get_xdata()) == pytest.approx(np.exp(two.municipalities["estimate"]))
    assert not [c for c in ax.collections if c.get_linestyle()[0][1] is not None]  # no dashed prediction interval
    assert len([p for p in ax.patches if isinstance(p, Polygon)]) == 1
    one = pool_municipalities(sites[:3], municipality=["A"] * 3, labels=list("abc"), control_std_error=None)
    fig, ax = plt.subplots()
    plot_forest(one, ax=ax, lang="en")
    assert not [p for p in ax.patches if isinstance(p, Polygon)]  # no diamond for an unbounded interval
    texts = [t.get_text() for t in ax.texts]
    assert any("cannot be bounded" in t for t in texts) and not any("inf" in t or "∞" in t for t in texts)
