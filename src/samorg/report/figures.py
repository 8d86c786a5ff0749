"""Report figures: axis helpers (Norwegian or English numbers on the ticks), the figures' style
(vector graphics in the report's typeface) and alt text carried with a figure.

The style. A report's figures are SVG with their text kept as text (``svg.fonttype = "none"``) in
Libertinus Serif, the PDF's body typeface. Typst (which typesets the PDF) has that font built in and
draws the SVG's text with it; a browser uses Libertinus Serif when it is installed and otherwise the
next serif of the stack. matplotlib has no file of Libertinus Serif, so it measures the text with DejaVu
Serif (shipped with matplotlib), which is wider: labels drawn in any of the stack's faces fit in the
space matplotlib left for them. :data:`KERNEL_ARGS` puts the style into every report kernel
(:mod:`samorg.report.kernels`); :func:`use_report_style` does the same in a notebook run by hand.

Alt text. :func:`samorg.report.render` gives every figure the text of the caption that follows it
(«Figur N: …») as its alt text; a figure without a caption can carry its own with :func:`with_alt`.
"""

from __future__ import annotations

from typing import Any

from samorg import fmt
from samorg.plots._axes import number_formatter

__all__ = ["KERNEL_ARGS", "REPORT_RC", "SAVE_KWARGS", "lay_out", "number_axis", "percent_axis", "use_report_style",
           "with_alt"]

#: matplotlib settings of report figures. Font sizes are for figures 8 inches wide (the report
#: functions' width), which the PDF shrinks to its 17 cm text width: 11 pt becomes 9.2 pt on paper.
REPORT_RC: dict[str, Any] = {
    "svg.fonttype": "none",  # text stays text: typeset in the report's face, searchable, small
    "svg.hashsalt": "samorg",  # the same figure gives the same SVG (element ids), run after run
    "font.family": "serif",
    "font.serif": ["Libertinus Serif", "DejaVu Serif"],
    "font.size": 11,
    "axes.titlesize": "medium",
    "axes.labelsize": "medium",
    "legend.fontsize": "small",
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
}

#: How a report saves a figure. No time stamp, so the same notebook gives the same output. No tight
#: bounding box (IPython's default, ``bbox_inches="tight"``): that box costs matplotlib a second layout
#: of the whole figure (a dry-run draw to measure the artists, then the real draw), about a fifth of the
#: time spent saving a report's figures. Every report figure lays itself out on its canvas instead
#: (``fig.tight_layout()`` or constrained layout), so one pass draws it whole. A figure whose labels or
#: legend spill over its canvas would be cut off: tests check that report figures fit.
SAVE_KWARGS: dict[str, Any] = {"bbox_inches": None, "metadata": {"Date": None}}


def lay_out(fig: Any) -> Any:
    """``fig.tight_layout()``, leaving no layout engine on the figure; returns ``fig``.

    ``tight_layout`` leaves a placeholder engine behind, and matplotlib draws a figure that has any engine
    twice when saving it (a dry run "to make sure the layout works", then the real draw), although this
    layout is done once and for all. Without it a report figure is saved in one draw, to the same SVG:
    0.077 → 0.037 s per figure, measured on a site report's figures (issue 17).
    """
    import matplotlib

    fig.tight_layout()
    with matplotlib.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
        fig.set_layout_engine(None)  # None with both settings off: no engine at all
    return fig


#: Arguments of the kernel command (``python -m ipykernel_launcher ...``) that make figures SVG in the
#: report style from the kernel's start (a warm kernel gets them too: they are forwarded to the fork).
KERNEL_ARGS = (
    "--InlineBackend.figure_formats=svg",
    "--IPKernelApp.exec_lines=__import__('samorg.report.figures').report.figures.use_report_style()",
)


def use_report_style() -> None:
    """Use the report style in this Python session: matplotlib's settings and, inside IPython, figures
    shown as SVG as reports save them (:data:`SAVE_KWARGS`: no time stamp, the figure's own canvas)."""
    import matplotlib

    matplotlib.rcParams.update(REPORT_RC)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the report dependencies
        return
    shell = get_ipython()
    if shell is None:
        return
    from matplotlib_inline.config import InlineBackend

    cfg = InlineBackend.instance(parent=shell)
    cfg.rc = {**cfg.rc, **REPORT_RC}  # kept when the inline backend is (re)activated later
    cfg.print_figure_kwargs = {**cfg.print_figure_kwargs, **SAVE_KWARGS}
    cfg.figure_formats = {"svg"}


class _DescribedFigure:
    """A matplotlib figure shown as SVG with its alt text in the output's metadata."""

    def __init__(self, fig: Any, alt: str) -> None:
        self.figure, self.alt = fig, alt

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        from io import StringIO

        buf = StringIO()
        self.figure.savefig(buf, format="svg", **SAVE_KWARGS)
        data = {"image/svg+xml": buf.getvalue(), "text/plain": self.alt}
        return data, {"image/svg+xml": {"alt": self.alt}}


def with_alt(fig: Any, alt: str) -> Any:
    """``fig`` displayed as SVG with ``alt`` as its alt text (for a figure that has no caption under it).

    ``alt`` says what the figure shows, in the report's language, e.g. «Månedlige besøk før og etter;
    besøket ligger over det forventede etter samlokaliseringen». ``None`` stays ``None``.
    """
    if fig is None:
        return None
    if not alt or not alt.strip():
        raise ValueError("with_alt() needs a non-empty text saying what the figure shows.")
    return _DescribedFigure(fig, alt.strip())


def number_axis(ax: Any, *, lang: str = "nb", axis: str = "y") -> Any:
    """Format ``axis`` ticks as numbers in ``lang`` (decimal comma, space as thousands separator)."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(number_formatter(lang))
    return ax


def percent_axis(ax: Any, *, lang: str = "nb", axis: str = "y") -> Any:
    """Format ``axis`` ticks holding shares (0–1) as percentages in ``lang``."""
    from matplotlib.ticker import FuncFormatter

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(
        FuncFormatter(lambda x, _pos: fmt.percent(x, decimals=0, lang=lang))
    )
    return ax
