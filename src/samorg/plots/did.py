"""Draw a difference-in-differences result: mean outcome per group over time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.plots._axes import (legend_below, log_value_axis, number_formatter, period_axis, shade_years, with_gaps,
                                year_position)

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from samorg.models.did import DiDResult

__all__ = ["plot_did"]

_TEXT = {
    "nb": {"treated": "Tiltaksstedet", "control": "Sammenligningsgruppe", "start": "Tiltak", "time": "Tid", "year": "År",
           "post": "Etter", "pre": "Før", "period": "Periode", "excluded": "Utelatt"},
    "en": {"treated": "Treated group", "control": "Comparison group", "start": "Intervention", "time": "Time", "year": "Year",
           "post": "After", "pre": "Before", "period": "Period", "excluded": "Left out"},
}


def plot_did(
    result: DiDResult,
    *,
    ax: Axes | None = None,
    lang: str = "nb",
    title: str | None = None,
    ylabel: str | None = None,
    legend: bool = True,
    intervention: Any = None,
    exclude: Sequence[Any] = (),
    treated_label: str | None = None,
    log_outcome: bool | None = None,
) -> Axes:
    """Draw the mean outcome of the treated and comparison groups per period and return the Axes.

    With ``time=`` in :func:`~samorg.models.did` the x-axis is that column (calendar years for yearly
    data); each group's line is broken where periods are missing or left out, so no straight line is drawn
    across excluded years. A dotted line marks the intervention: at ``intervention`` when given (the
    registry's date: on a yearly axis the point ``Y`` stands for the whole year, so 1 January 2020 is drawn
    between 2019 and 2020 and labelled with the date), else at the treated group's first post-period.
    ``exclude`` windows (``(start, end[, label])``, years or dates) are shaded. Without ``time=``, the two
    points are before/after. Changes no global style; never calls ``show()`` or ``savefig()``.

    Parameters
    ----------
    result : DiDResult
        Not modified.
    ax : matplotlib Axes, optional
    lang : {"nb", "en"}
    title, ylabel : str, optional
        ``ylabel`` defaults to the outcome column name.
    legend : bool
    intervention : date or number, optional
        The registry's intervention date (or period on the data's axis).
    exclude : sequence of windows
        Periods left out of the analysis, shaded and named in the legend.
    treated_label : str, optional
        Name of the treated line (e.g. the site's name).
    log_outcome : bool, optional
        The outcome is a logarithm (e.g. ``log_visits``): draw ``exp`` of each group's mean (for a group of
        several units, their geometric mean) on a log axis labelled in the original units, so the axis
        reads in visits and equal ratios look equally large. By default, when the outcome's name starts
        with ``log_``.
    """
    import matplotlib.pyplot as plt

    fmt._check_lang(lang)
    text = _TEXT[lang]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    data = result.plot_data()
    has_time = bool(result.details.get("call", {}).get("time"))
    is_date = has_time and not pd.api.types.is_numeric_dtype(data["period"])
    if is_date:
        data = data.assign(period=pd.to_datetime(data["period"]))
    if log_outcome is None:
        log_outcome = str(result.details.get("outcome", "")).startswith("log_")
    if log_outcome:
        data = data.assign(mean=np.exp(data["mean"].astype(float)))
    for group, colour, label in ((1, "C1", treated_label or text["treated"]), (0, "C0", text["control"])):
        part = data[data["treated"] == group].sort_values("period")
        if has_time:
            x, y = with_gaps(part["period"], part["mean"])
        else:
            x, y = part["period"].map({0: text["pre"], 1: text["post"]}), part["mean"]
        ax.plot(x, y, marker="o", ms=4, color=colour, lw=1.8, label=label)
    if has_time:
        _mark_start(ax, data, intervention, is_date, text, lang)
        if exclude and not is_date:
            shade_years(ax, exclude, label=text["excluded"])
        elif exclude:
            _shade_dates(ax, exclude, text["excluded"])
        if not is_date:
            period_axis(ax.xaxis, lang)
    if log_outcome:
        log_value_axis(ax, lang)
    else:
        ax.yaxis.set_major_formatter(number_formatter(lang))
    yearly = has_time and not is_date and data["period"].between(1000, 9999).all() and (data["period"] % 1 == 0).all()
    ax.set_xlabel(text["year"] if yearly else text["time"] if has_time else text["period"])
    ax.set_ylabel(ylabel if ylabel is not None else str(result.details.get("outcome", "")))
    if title is not None:
        ax.set_title(title)
    if legend:
        legend_below(ax, ncol=3)
    return ax


def _mark_start(ax: Any, data: pd.DataFrame, intervention: Any, is_date: bool, text: dict, lang: str) -> None:
    if intervention is not None:
        if is_date:
            x = pd.Timestamp(intervention)
        elif isinstance(intervention, (int, float)):
            x = float(intervention) - 0.5  # the first treated period: the line goes just before it
        else:
            x = year_position(intervention)
        when = (fmt.date(pd.Timestamp(intervention), lang=lang) if not isinstance(intervention, (int, float))
                else str(intervention))
        ax.axvline(x, color="0.2", lw=1, ls=":", label=f"{text['start']} ({when})")
        return
    treated_post = data[(data["treated"] == 1) & (data["post"] == 1)]
    if len(treated_post):
        ax.axvline(treated_post["period"].min(), color="0.2", lw=1, ls=":", label=text["start"])


def _shade_dates(ax: Any, exclude: Sequence[Any], label: str) -> None:
    for i, w in enumerate(exclude):
        start, end = (w.start, w.end) if hasattr(w, "start") else (w[0], w[1])
        name = (getattr(w, "label", "") if hasattr(w, "start") else (w[2] if len(w) > 2 else "")) or ""
        ax.axvspan(pd.Timestamp(start), pd.Timestamp(end), color="0.5", alpha=0.12, lw=0,
                   label=(f"{label} ({name})" if name else label) if i == 0 else None)
