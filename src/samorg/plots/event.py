"""Draw an event study: effects by time relative to treatment with confidence intervals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.plots._axes import legend_below, number_formatter, period_axis, shade_years, year_position

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
    calendar: bool = False,
    intervention: Any = None,
    exclude: Sequence[Any] = (),
    log_outcome: bool | None = None,
) -> Axes:
    """Draw the effect at each event time with its confidence interval and return the Axes.

    Pre-period coefficients (placebo differences) are grey, post-period ones coloured, the reference
    period a hollow point at zero; a horizontal line marks zero and a dotted vertical line the start of
    treatment. Only finite intervals are drawn, and the legend names the interval only when at least
    one is drawn (otherwise it says they cannot be bounded). With ``calendar=True`` (one cohort) every
    coefficient is drawn at the calendar period it compares (read from ``result.group_time``, so gaps left
    by excluded periods stay gaps) and the reference point at the base period actually used; the dotted
    line sits at ``intervention`` (the registry's date; on a yearly axis the year ``Y`` spans ``Y ± 0.5``,
    so 1 January 2020 is drawn between 2019 and 2020) and ``exclude`` windows are shaded. No line joins
    the points.
    Changes no global style; never calls ``show()`` or ``savefig()``.

    Parameters
    ----------
    result : EventStudyResult
        Not modified.
    ax : matplotlib Axes, optional
    lang : {"nb", "en"}
    title, ylabel, xlabel : str, optional
    legend : bool
    calendar : bool
        Calendar periods on the x-axis instead of event time (needs a single cohort).
    intervention : date or number, optional
        The registry's intervention date, for the dotted line and its legend label.
    exclude : sequence of windows
        ``(start, end[, label])`` in years or dates; shaded on a calendar axis.
    log_outcome : bool, optional
        The outcome is a logarithm (e.g. ``log_visits``): draw each effect as a percentage change
        (``exp(b) − 1``, intervals likewise) on an axis in signed percentages, instead of in log units.
        By default, when the outcome's name starts with ``log_``.
    """
    import matplotlib.pyplot as plt

    fmt._check_lang(lang)
    text = _TEXT[lang]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    data = result.plot_data()
    ref = result.details.get("reference", -1)
    refs = np.asarray(result.details.get("reference_event_times", (ref,)))  # base periods actually used
    ref = int(refs[0]) if len(refs) else ref
    e = data["event_time"].to_numpy()
    x, ref_x = _calendar(result, e, ref) if calendar else (e.astype(float), float(ref))
    est = data["estimate"].to_numpy(dtype=float)
    lo, hi = data["ci_low"].to_numpy(dtype=float), data["ci_high"].to_numpy(dtype=float)
    if log_outcome is None:
        log_outcome = str(result.details.get("outcome", "")).startswith("log_")
    if log_outcome:  # a difference in logs as the percentage change it stands for
        est, lo, hi = np.expm1(est), np.expm1(lo), np.expm1(hi)
    finite = np.isfinite(lo) & np.isfinite(hi) & np.isfinite(est)
    level = fmt.level_text(result.level, lang=lang)
    drawn = 0
    for mask, colour, label in ((e < 0) & ~np.isin(e, refs), "0.45", text["pre"]), ((e >= 0), "C0", text["post"]):
        if not mask.any():
            continue
        m = mask & finite
        if m.any():
            ax.vlines(x[m], lo[m], hi[m], color=colour, lw=1.4)
            drawn += int(m.sum())
        ax.plot(x[mask], est[mask], "o", color=colour, ms=5, label=label)
    if np.isin(e, refs).any():
        ref_xs = [ref_x] if calendar else x[np.isin(e, refs)]
        ax.plot(ref_xs, np.zeros(len(ref_xs)), "o", mfc="white", mec="0.2", ms=5, label=text["ref"])
    ax.axhline(0, color="0.2", lw=0.8)
    _start_line(ax, calendar, x[e >= 0].min() if (e >= 0).any() else 0.0, intervention, text, lang)
    if calendar and exclude:
        shade_years(ax, exclude, label=text["excluded"])
    if drawn:
        ax.plot([], [], color="0.45", lw=1.4, label=text["ci"].format(level=level))
    elif len(e):
        ax.plot([], [], " ", label=text["no_ci"])
    period_axis(ax.xaxis, lang)
    if log_outcome:
        from matplotlib.ticker import FuncFormatter

        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.signed_percent(v, decimals=_pct_decimals(ax),
                                                                                        lang=lang)))
    else:
        ax.yaxis.set_major_formatter(number_formatter(lang))
    ax.set_xlabel(xlabel if xlabel is not None else (text["year"] if calendar else text["x"]))
    ax.set_ylabel(ylabel if ylabel is not None else f"{text['effect']}: {result.details.get('outcome', '')}")
    if title is not None:
        ax.set_title(title)
    if legend:
        legend_below(ax, ncol=3)
    return ax


def _pct_decimals(ax: Any) -> int:
    """Decimals for percentage ticks: none when the ticks are at least 1 percentage point apart."""
    ticks = ax.yaxis.get_majorticklocs()
    step = min((abs(b - a) for a, b in zip(ticks, ticks[1:]) if b != a), default=1.0)
    return 0 if step >= 0.00999 else 1


def _calendar(result: Any, e: np.ndarray, ref: int) -> tuple[np.ndarray, float]:
    """Calendar period of each event time and of the base period, from the result's ATT(g, t) table."""
    gt = getattr(result, "group_time", None)
    if gt is None or len(gt) == 0 or gt["cohort"].nunique() != 1:
        raise ValueError("plot_event_study(calendar=True) needs an event study with one cohort (its group_time "
                         "table maps event times to calendar periods); draw several cohorts in event time.")
    times = dict(zip(gt["event_time"], gt["time"]))
    x = np.array([_num(times.get(v, np.nan)) for v in e], dtype=float)
    return x, _num(gt["base"].iloc[0])


def _num(value: Any) -> float:
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return year_position(value) + 0.5  # a date on a yearly reading: the year it falls in
    return float(value)


def _start_line(ax: Any, calendar: bool, first_post: float, intervention: Any, text: dict, lang: str) -> None:
    if not calendar:
        ax.axvline(-0.5, color="0.2", lw=1, ls=":")
        return
    if intervention is None:
        ax.axvline(first_post - 0.5, color="0.2", lw=1, ls=":", label=text["start"])
        return
    when = str(intervention) if isinstance(intervention, (int, float)) else fmt.date(pd.Timestamp(intervention),
                                                                                    lang=lang)
    ax.axvline(year_position(intervention), color="0.2", lw=1, ls=":", label=f"{text['start']} ({when})")
