"""Draw an event study: effects by time relative to treatment with confidence intervals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.plots._axes import number_formatter, period_axis, shade_years, year_position

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from samorg.models.event import EventStudyResult

__all__ = ["plot_event_study"]

_TEXT = {
    "nb": {"x": "Perioder før/etter tiltaket", "year": "År", "pre": "Før tiltaket", "post": "Etter tiltaket",
           "ci": "{level} KI", "ref": "Referanseperiode", "effect": "Effekt", "start": "Tiltak",
           "excluded": "Utelatt", "no_ci": "Intervaller kan ikke avgrenses"},
    "en": {"x": "Periods before/after the intervention", "year": "Year", "pre": "Before treatment",
           "post": "After treatment", "ci": "{level} CI", "ref": "Reference period", "effect": "Effect",
           "start": "Intervention", "excluded": "Left out", "no_ci": "Intervals cannot be bounded"},
}


def plot_event_study(
    result: EventStudyResult,
    *,
    ax: Axes | None = None,
    lang: str = "nb",
    title: str | None = None,
    ylabel: str | None = None,
    xlabel: str | None = None,
    legend: bool = True,
    first_year: int | None = None,
    intervention: Any = None,
    exclude: Sequence[Any] = (),
) -> Axes:
    """Draw the effect at each event time with its confidence interval and return the Axes.

    Pre-period coefficients (placebo differences) are grey, post-period ones coloured, the reference
    period a hollow point at zero; a horizontal line marks zero and a dotted vertical line the start of
    treatment. Only finite intervals are drawn, and the legend names the interval only when at least
    one is drawn (otherwise it says they cannot be bounded). With ``first_year`` (the calendar year of
    event time 0, one cohort) the x-axis shows calendar years, the dotted line sits at ``intervention``
    (the registry's date; the year ``Y`` spans ``Y ± 0.5``, so 1 January 2020 is drawn between 2019 and
    2020) and ``exclude`` windows are shaded; no line joins the points, so excluded years are gaps.
    Changes no global style; never calls ``show()`` or ``savefig()``.

    Parameters
    ----------
    result : EventStudyResult
        Not modified.
    ax : matplotlib Axes, optional
    lang : {"nb", "en"}
    title, ylabel, xlabel : str, optional
    legend : bool
    first_year : int, optional
        Calendar year of event time 0 (e.g. the first whole year after co-location).
    intervention : date or number, optional
        The registry's intervention date, for the dotted line and its legend label.
    exclude : sequence of windows
        ``(start, end[, label])`` in years or dates; shaded on a calendar axis.
    """
    import matplotlib.pyplot as plt

    fmt._check_lang(lang)
    text = _TEXT[lang]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    data = result.plot_data()
    ref = result.details.get("reference", -1)
    e = data["event_time"].to_numpy()
    x = e + first_year if first_year is not None else e
    est = data["estimate"].to_numpy(dtype=float)
    lo, hi = data["ci_low"].to_numpy(dtype=float), data["ci_high"].to_numpy(dtype=float)
    finite = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(est)
    level = fmt.level_text(result.level, lang=lang)
    drawn = 0
    for mask, colour, label in ((e < 0) & (e != ref), "0.45", text["pre"]), ((e >= 0), "C0", text["post"]):
        if not mask.any():
            continue
        m = mask & finite
        if m.any():
            ax.vlines(x[m], lo[m], hi[m], color=colour, lw=1.4)
            drawn += int(m.sum())
        ax.plot(x[mask], est[mask], "o", color=colour, ms=5, label=label)
    if (e == ref).any():
        ax.plot([ref + (first_year or 0)], [0.0], "o", mfc="white", mec="0.2", ms=5, label=text["ref"])
    ax.axhline(0, color="0.2", lw=0.8)
    _start_line(ax, first_year, intervention, text, lang)
    if first_year is not None and exclude:
        shade_years(ax, exclude, label=text["excluded"])
    if drawn:
        ax.plot([], [], color="0.45", lw=1.4, label=text["ci"].format(level=level))
    elif len(e):
        ax.plot([], [], " ", label=text["no_ci"])
    period_axis(ax.xaxis, lang)
    ax.yaxis.set_major_formatter(number_formatter(lang))
    ax.set_xlabel(xlabel if xlabel is not None else (text["year"] if first_year is not None else text["x"]))
    ax.set_ylabel(ylabel if ylabel is not None else f"{text['effect']}: {result.details.get('outcome', '')}")
    if title is not None:
        ax.set_title(title)
    if legend:
        ax.legend(fontsize="small", frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=4)
    return ax


def _start_line(ax: Any, first_year: int | None, intervention: Any, text: dict, lang: str) -> None:
    if first_year is None:
        ax.axvline(-0.5, color="0.2", lw=1, ls=":")
        return
    if intervention is None:
        ax.axvline(first_year - 0.5, color="0.2", lw=1, ls=":", label=text["start"])
        return
    when = str(intervention) if isinstance(intervention, (int, float)) else fmt.date(pd.Timestamp(intervention),
                                                                                    lang=lang)
    ax.axvline(year_position(intervention), color="0.2", lw=1, ls=":", label=f"{text['start']} ({when})")
