"""Report figures are saved as they lie on their canvas (issue 17: no second, tight-bounding-box layout
pass), so each must fit it: the synthesis's synthetic-control figure, and the report style's settings."""

from __future__ import annotations

import re
import warnings
from types import SimpleNamespace

import matplotlib
import pandas as pd
import pytest
from figure_fit import assert_fits_canvas

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def synth_result():
    """A small synthetic control: 12 municipalities, yearly, two left-out years and an effect planted after."""
    from conftest import seeded_rng

    from samorg.models import synthetic_control

    rng = seeded_rng("report figures fit: synthetic control")
    rows = [(f"k{u:02d}", year, 50 + u + 0.4 * (year - 2014) + (1.5 if u == 0 and year >= 2020 else 0.0)
             + rng.normal(0, 0.3)) for u in range(12) for year in range(2014, 2026)]
    panel = pd.DataFrame(rows, columns=["unit", "year", "y"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a near-perfect pre-period fit is regularised, with a warning
        return synthetic_control(panel, outcome="y", unit="unit", time="year", treated="k00", intervention=2020,
                                 exclude=[(2020, 2021, "COVID-19")])


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_the_synthetic_control_figure_fits_its_canvas(synth_result, monkeypatch, lang):
    import samorg.report.synthesis as syn

    names = {"0001": "Øvre Nordbygd", "0002": "Søndre Vestmark"}  # two rows, as with two treated municipalities
    monkeypatch.setattr(syn, "_national_results", lambda ctx: [(code, synth_result) for code in names])
    ctx = SimpleNamespace(lang=lang, study=SimpleNamespace(
        municipalities={code: SimpleNamespace(name=name) for code, name in names.items()}))
    fig = syn.national_figure(ctx)
    assert_fits_canvas(fig)
    texts = {t.get_text() for sub in fig.subfigs for t in sub.texts}
    assert set(names.values()) <= texts  # each row says whose it is
    legend = {t.get_text() for t in fig.legends[0].get_texts()}
    gap = "Gap (treated − synthetic)" if lang == "en" else "Forskjell (tiltaksenheten − syntetisk)"
    assert gap in legend and len(legend) == 5  # one legend for both panels, every line in it once
    assert fig.get_size_inches()[0] == 8  # like the other figures, so its type prints at the same size


def test_a_figure_spilling_over_its_canvas_is_caught():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.set_title("A title far wider than the three inches of its figure, which would be cut off")
    with pytest.raises(AssertionError, match="cut off"):
        assert_fits_canvas(fig)


@pytest.mark.filterwarnings("ignore:.*deprecated in traitlets:DeprecationWarning")  # matplotlib_inline's own
def test_report_style_saves_figures_on_their_canvas_without_a_time_stamp(monkeypatch):
    """Inside IPython the inline backend saves with bbox_inches=None: one layout pass, not two."""
    import IPython
    from matplotlib_inline.config import InlineBackend
    from traitlets.config import Configurable

    from samorg.report.figures import SAVE_KWARGS, use_report_style

    InlineBackend.clear_instance()
    monkeypatch.setattr(IPython, "get_ipython", lambda: Configurable())
    try:
        with matplotlib.rc_context():
            use_report_style()
            assert matplotlib.rcParams["svg.fonttype"] == "none"
        cfg = InlineBackend.instance()
        assert "bbox_inches" in cfg.print_figure_kwargs and cfg.print_figure_kwargs["bbox_inches"] is None
        assert cfg.print_figure_kwargs["metadata"] == {"Date": None} and cfg.figure_formats == {"svg"}
    finally:
        InlineBackend.clear_instance()
    assert SAVE_KWARGS["bbox_inches"] is None


def test_a_figure_with_alt_text_is_saved_at_its_own_size():
    import matplotlib.pyplot as plt

    from samorg.report.figures import with_alt

    fig, ax = plt.subplots(figsize=(8, 3))
    ax.plot([1, 2, 3])
    fig.tight_layout()
    svg = with_alt(fig, "A rising line")._repr_mimebundle_()[0]["image/svg+xml"]
    width, height = (float(re.search(rf'{k}="([\d.]+)pt"', svg).group(1)) for k in ("width", "height"))
    assert (width, height) == (8 * 72, 3 * 72)  # the canvas, not a box cropped around the artists
    assert "<dc:date>" not in svg


def test_lay_out_leaves_no_engine_so_saving_draws_the_figure_once():
    import io

    import matplotlib

    matplotlib.use("agg")
    from matplotlib.figure import Figure

    from samorg.report.figures import SAVE_KWARGS, lay_out

    def drawn_times(fig):
        calls = []
        original = fig.draw
        fig.draw = lambda renderer: (calls.append(1), original(renderer))[1]
        fig.savefig(io.StringIO(), format="svg", **SAVE_KWARGS)
        return len(calls)

    def figure():
        fig = Figure(figsize=(4, 3))
        ax = fig.add_subplot()
        ax.plot([1, 2, 3], [3, 1, 2], label="Besøk")
        ax.set_ylabel("Besøk per måned")
        ax.legend()
        return fig

    old, new = figure(), figure()
    old.tight_layout()  # leaves matplotlib's placeholder engine: a dry-run draw before the real one
    assert drawn_times(old) == 2
    with matplotlib.rc_context({"figure.constrained_layout.use": True}):  # no engine even with this on
        assert lay_out(new) is new and new.get_layout_engine() is None
    assert drawn_times(new) == 1
    a, b = io.StringIO(), io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": "samorg"}):  # the same element ids in both
        old.savefig(a, format="svg", **SAVE_KWARGS)
        new.savefig(b, format="svg", **SAVE_KWARGS)
    assert a.getvalue() == b.getvalue()  # the same figure, laid out the same way
