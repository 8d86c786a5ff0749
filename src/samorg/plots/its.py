"""Draw an interrupted time series result: observed, fitted, counterfactual, intervention, exclusions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.plots._axes import legend_below, number_formatter

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from samorg.models.its import ITSResult

__all__ = ["plot_its"]

_TEXT = {
    "nb": {
        "observed": "Observert",
        "excluded": "Observert, utelatt fra tilpasningen",
        "fitted": "Modell",
        "counterfactual": "Uten tiltaket (kontrafaktisk)",
        "band": "{level} KI, kontrafaktisk",
        "intervention": "Tiltak",
        "window": "Utelatt",
        "time": "Tid",
        "month": "Måned",
    },
    "en": {
        "observed": "Observed",
        "excluded": "Observed, left out of the fit",
        "fitted": "Model",
        "counterfactual": "Without the intervention (counterfactual)",
        "band": "{level} CI, counterfactual",
        "intervention": "Intervention",
        "window": "Excluded",
        "time": "Time",
        "month": "Month",
    },
}


def plot_its(
    result: ITSResult,
    *,
    ax: Axes | None = None,
    lang: str = "nb",
    title: str | None = None,
    ylabel: str | None = None,
    legend: bool = True,
) -> Axes:
    """Draw an :class:`~samorg.models.ITSResult` on ``ax`` and return it.

    Observed values are points (hollow when left out of the fit), the model a solid line,
    the counterfactual (the model with the intervention switched off) a dashed line from
    the intervention on with its confidence band, the intervention a vertical line, and
    each exclusion window a shaded, labelled span. Numbers on the axes follow
    :mod:`samorg.fmt` (decimal comma for ``lang="nb"``). Changes no global style; never
    calls ``show()`` or ``savefig()``.

    Parameters
    ----------
    result : ITSResult
        From :func:`samorg.models.its`. Not modified.
    ax : matplotlib Axes, optional
        Drawn on a new figure when omitted.
    lang : {"nb", "en"}
    title, ylabel : str, optional
        ``ylabel`` defaults to the outcome column name.
    legend : bool
        Draw a legend.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    fmt._check_lang(lang)
    text = _TEXT[lang]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    data = result.plot_data()
    is_date = result.details.get("time_kind") == "date"
    x = pd.to_datetime(data["time"]) if is_date else data["time"].astype(float)
    colour_obs, colour_fit, colour_cf = "0.35", "C0", "C1"

    fit_rows = data["in_fit"].to_numpy()
    ax.scatter(x[fit_rows], data["observed"][fit_rows], s=14, color=colour_obs, zorder=3, label=text["observed"])
    hollow = ~fit_rows & data["observed"].notna().to_numpy()
    if hollow.any():
        ax.scatter(x[hollow], data["observed"][hollow], s=14, facecolors="none", edgecolors=colour_obs, zorder=3,
                   label=text["excluded"])
    post = data["post"].to_numpy()
    pre = ~post
    # The model line is drawn per segment so it breaks at the intervention.
    ax.plot(x[pre], data["fitted"][pre], color=colour_fit, lw=1.8, label=text["fitted"])
    ax.plot(x[post], data["fitted"][post], color=colour_fit, lw=1.8)
    # The counterfactual starts at the last pre-period point so the dashed line joins the model.
    cf_rows = post.copy()
    if pre.any():
        cf_rows[np.flatnonzero(pre)[-1]] = True
    ax.fill_between(x[cf_rows], data["counterfactual_low"][cf_rows], data["counterfactual_high"][cf_rows],
                    color=colour_cf, alpha=0.2, lw=0,
                    label=text["band"].format(level=fmt.level_text(result.level, lang=lang)))
    ax.plot(x[cf_rows], data["counterfactual"][cf_rows], color=colour_cf, lw=1.8, ls="--",
            label=text["counterfactual"])

    t_int = _intervention_x(result, data, x, is_date)
    ax.axvline(t_int, color="0.2", lw=1, ls=":", label=text["intervention"])
    for w in result.details.get("excluded_windows", ()):
        lo, hi = _window_x(w, is_date)
        ax.axvspan(lo, hi, color="0.5", alpha=0.12, lw=0)
        ax.text(lo, 0.98, w.get("label") or text["window"], transform=ax.get_xaxis_transform(), ha="left",
                va="top", fontsize="small", color="0.25")

    ax.yaxis.set_major_formatter(number_formatter(lang))
    if not is_date:
        ax.xaxis.set_major_formatter(number_formatter(lang))
    ax.set_xlabel(text["month"] if is_date else text["time"])
    ax.set_ylabel(ylabel if ylabel is not None else str(result.details.get("outcome", "")))
    if title is not None:
        ax.set_title(title)
    if legend:
        # Below the axes, so it never hides the data.
        legend_below(ax, ncol=3)
    return ax


def _intervention_x(result: Any, data: pd.DataFrame, x: pd.Series, is_date: bool) -> Any:
    value = result.details.get("intervention")
    if is_date:
        return pd.Timestamp(value)
    return float(value)


def _window_x(window: dict, is_date: bool) -> tuple[Any, Any]:
    if is_date:
        start, end = pd.Timestamp(window["start"]), pd.Timestamp(window["end"])
        # A window covers every month it touches: shade to the end of its last month.
        return start.to_period("M").to_timestamp(), (end.to_period("M") + 1).to_timestamp()
    return float(window["start"]) - 0.5, float(window["end"]) + 0.5
