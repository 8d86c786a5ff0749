"""Draw a difference-in-differences result: mean outcome per group over time."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from samorg import fmt
from samorg.plots._axes import number_formatter, period_axis

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from samorg.models.did import DiDResult

__all__ = ["plot_did"]

_TEXT = {
    "nb": {"treated": "Behandlet gruppe", "control": "Sammenligningsgruppe", "start": "Tiltak", "time": "Tid",
           "post": "Etter", "pre": "Før", "period": "Periode"},
    "en": {"treated": "Treated group", "control": "Comparison group", "start": "Intervention", "time": "Time",
           "post": "After", "pre": "Before", "period": "Period"},
}


def plot_did(
    result: DiDResult,
    *,
    ax: Axes | None = None,
    lang: str = "nb",
    title: str | None = None,
    ylabel: str | None = None,
    legend: bool = True,
) -> Axes:
    """Draw the mean outcome of the treated and comparison groups per period and return the Axes.

    With ``time=`` in :func:`~samorg.models.did` the x-axis is that column and a dotted line
    marks the first post-period of the treated group; without it, the two points are
    before/after. Changes no global style; never calls ``show()`` or ``savefig()``.

    Parameters
    ----------
    result : DiDResult
        Not modified.
    ax : matplotlib Axes, optional
    lang : {"nb", "en"}
    title, ylabel : str, optional
        ``ylabel`` defaults to the outcome column name.
    legend : bool
    """
    import matplotlib.pyplot as plt

    fmt._check_lang(lang)
    text = _TEXT[lang]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    data = result.plot_data()
    has_time = bool(result.details.get("call", {}).get("time"))
    x_all = data["period"]
    is_date = has_time and not pd.api.types.is_numeric_dtype(x_all)
    if is_date:
        data = data.assign(period=pd.to_datetime(data["period"]))
    for group, colour, label in ((1, "C1", text["treated"]), (0, "C0", text["control"])):
        part = data[data["treated"] == group].sort_values("period")
        x = part["period"] if has_time else part["period"].map({0: text["pre"], 1: text["post"]})
        ax.plot(x, part["mean"], marker="o", ms=4, color=colour, lw=1.8, label=label)
    if has_time:
        treated_post = data[(data["treated"] == 1) & (data["post"] == 1)]
        if len(treated_post):
            start = treated_post["period"].min()
            ax.axvline(start, color="0.2", lw=1, ls=":", label=text["start"])
        if not is_date:
            period_axis(ax.xaxis, lang)
    ax.yaxis.set_major_formatter(number_formatter(lang))
    ax.set_xlabel(text["time"] if has_time else text["period"])
    ax.set_ylabel(ylabel if ylabel is not None else str(result.details.get("outcome", "")))
    if title is not None:
        ax.set_title(title)
    if legend:
        ax.legend(fontsize="small", frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3)
    return ax
