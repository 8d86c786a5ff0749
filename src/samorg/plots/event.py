"""Draw an event study: effects by time relative to treatment with confidence intervals."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from samorg import fmt
from samorg.plots._axes import number_formatter, period_axis

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from samorg.models.event import EventStudyResult

__all__ = ["plot_event_study"]

_TEXT = {
    "nb": {"x": "Perioder før (−) og etter (+) tiltaket", "pre": "Før tiltaket", "post": "Etter tiltaket",
           "ci": "{level} KI", "ref": "Referanseperiode", "effect": "Effekt"},
    "en": {"x": "Periods before (−) and after (+) treatment", "pre": "Before treatment", "post": "After treatment",
           "ci": "{level} CI", "ref": "Reference period", "effect": "Effect"},
}


def plot_event_study(
    result: EventStudyResult,
    *,
    ax: Axes | None = None,
    lang: str = "nb",
    title: str | None = None,
    ylabel: str | None = None,
    legend: bool = True,
) -> Axes:
    """Draw the effect at each event time with its confidence interval and return the Axes.

    Pre-period coefficients (placebo differences) are grey, post-period ones coloured, the
    reference period a hollow point at zero; a horizontal line marks zero and a dotted
    vertical line the start of treatment. Changes no global style; never calls ``show()``
    or ``savefig()``.

    Parameters
    ----------
    result : EventStudyResult
        Not modified.
    ax : matplotlib Axes, optional
    lang : {"nb", "en"}
    title, ylabel : str, optional
    legend : bool
    """
    import matplotlib.pyplot as plt

    fmt._check_lang(lang)
    text = _TEXT[lang]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    data = result.plot_data()
    ref = result.details.get("reference", -1)
    e = data["event_time"].to_numpy()
    est = data["estimate"].to_numpy(dtype=float)
    lo, hi = data["ci_low"].to_numpy(dtype=float), data["ci_high"].to_numpy(dtype=float)
    finite = np.isfinite(lo) & np.isfinite(hi)
    level = fmt.level_text(result.level, lang=lang)
    for mask, colour, label in ((e < 0) & (e != ref), "0.45", text["pre"]), ((e >= 0), "C0", text["post"]):
        if not mask.any():
            continue
        m = mask & finite
        ax.vlines(e[m], lo[m], hi[m], color=colour, lw=1.4)
        ax.plot(e[mask], est[mask], "o", color=colour, ms=5, label=label)
    if (e == ref).any():
        ax.plot([ref], [0.0], "o", mfc="white", mec="0.2", ms=5, label=text["ref"])
    ax.axhline(0, color="0.2", lw=0.8)
    ax.axvline(-0.5, color="0.2", lw=1, ls=":")
    ax.plot([], [], color="0.45", lw=1.4, label=text["ci"].format(level=level))
    period_axis(ax.xaxis, lang)
    ax.yaxis.set_major_formatter(number_formatter(lang))
    ax.set_xlabel(text["x"])
    ax.set_ylabel(ylabel if ylabel is not None else f"{text['effect']}: {result.details.get('outcome', '')}")
    if title is not None:
        ax.set_title(title)
    if legend:
        ax.legend(fontsize="small", frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=4)
    return ax
