"""Stacked bars of answer-category probabilities: before/after, by group, with the counterfactual."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.plots._axes import legend_below

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["category_probability_table", "plot_category_probabilities"]

# Worst → best: red through grey to blue (colour-blind safe, prints in greyscale as light → dark ends).
_PALETTES = {
    2: ["#d6604d", "#4393c3"],
    3: ["#d6604d", "#bababa", "#4393c3"],
    4: ["#b2182b", "#f4a582", "#92c5de", "#2166ac"],
    5: ["#b2182b", "#ef8a62", "#d9d9d9", "#67a9cf", "#2166ac"],
    6: ["#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac"],
    7: ["#b2182b", "#d6604d", "#f4a582", "#d9d9d9", "#92c5de", "#4393c3", "#2166ac"],
}
_TEXT = {
    "nb": {"groups": {1: "Samlokalisert", 0: "Sammenligning", None: "Alle"}, "counterfactual": "uten samlokalisering",
           "xlabel": "Andel av svarene", "fitted": "modell", "observed": "observert"},
    "en": {"groups": {1: "Co-located", 0: "Comparison", None: "All"}, "counterfactual": "without co-location",
           "xlabel": "Share of answers", "fitted": "model", "observed": "observed"},
}


def category_probability_table(result: Any, *, lang: str = "nb", observed: bool = False) -> pd.DataFrame:
    """The bars to draw: one row per bar (label), one column per category, shares summing to 1.

    Accepts an :class:`~samorg.models.ordinal_change.OrdinalChangeResult` (fitted shares per group ×
    period and the counterfactual for the co-located after-wave; ``observed=True`` gives the
    observed shares instead) or an :class:`~samorg.models.ordinal.OrdinalResult` (the fitted
    shares overall). Not modified.
    """
    fmt._check_lang(lang)
    text = _TEXT[lang]
    if hasattr(result, "category_probabilities"):
        long = result.category_probabilities
        names = {**text["groups"], **(result.details.get("group_labels") or {})}
        if observed:
            long = long[long["scenario"] == "fitted"].assign(probability=lambda d: d["observed"])
        rows: dict[str, pd.Series] = {}
        for (g, period, scen), part in long.groupby(["group", "period", "scenario"], sort=False, dropna=False):
            g = None if pd.isna(g) else int(g)
            label = names[g]
            if period is not None and not pd.isna(period):
                label += f", {period}"
            if scen == "counterfactual":
                label += f" ({text['counterfactual']})"
            rows[label] = part.set_index("category")["probability"]
        order = list(long["category"].cat.categories) if isinstance(long["category"].dtype, pd.CategoricalDtype) \
            else list(dict.fromkeys(long["category"]))
        return pd.DataFrame(rows).T.reindex(columns=order)
    if hasattr(result, "probabilities"):
        table = result.probabilities()
        table.index = [text["groups"][None]]
        return table
    raise TypeError(f"plot_category_probabilities() expects an ordinal result, got {type(result).__name__}.")


def plot_category_probabilities(
    result: Any,
    *,
    ax: Axes | None = None,
    lang: str = "nb",
    observed: bool = False,
    title: str | None = None,
    legend: bool = True,
    labels: bool = True,
) -> Axes:
    """Draw the answer distribution per group and period as 100 % stacked horizontal bars.

    Categories run worst (red, left) to best (blue, right), so a shift towards better answers
    moves the blue block left. For a before/after design the co-located group's after-wave is
    also drawn as it would have been without co-location (the counterfactual), hatched.
    Shares of 5 % and more are written in the bars with :mod:`samorg.fmt`. Changes no global
    style; never calls ``show()`` or ``savefig()``.

    Parameters
    ----------
    result : OrdinalChangeResult or OrdinalResult
        Not modified.
    ax : matplotlib Axes, optional
        Drawn on a new figure when omitted.
    lang : {"nb", "en"}
    observed : bool
        Draw observed (weighted) shares instead of the model's.
    title : str, optional
    legend : bool
    labels : bool
        Write the shares in the bars.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    table = category_probability_table(result, lang=lang, observed=observed)
    text = _TEXT[lang]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.55 * len(table) + 1.6), layout="constrained")
    K = table.shape[1]
    colours = _PALETTES.get(K) or [plt.get_cmap("RdBu")(x) for x in np.linspace(0.1, 0.9, K)]
    y = np.arange(len(table))[::-1]
    left = np.zeros(len(table))
    hatched = np.array([f"({text['counterfactual']})" in str(i) for i in table.index])
    for j, cat in enumerate(table.columns):
        values = table[cat].fillna(0).to_numpy(dtype=float)
        bars = ax.barh(y, values, left=left, color=colours[j], edgecolor="white", linewidth=0.6, label=str(cat),
                       height=0.72)
        for bar, is_cf in zip(bars, hatched):
            if is_cf:
                bar.set_hatch("///")
                bar.set_alpha(0.75)
        if labels:
            for yi, l, v in zip(y, left, values):
                if v >= 0.05:
                    dark = j in (0, K - 1)
                    ax.text(l + v / 2, yi, fmt.percent(v, decimals=0, lang=lang), ha="center", va="center",
                            fontsize="x-small", color="white" if dark else "0.15")
        left += values
    ax.set_yticks(y)
    ax.set_yticklabels([str(i) for i in table.index])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt.percent(v, decimals=0, lang=lang)))
    ax.set_xlabel(text["xlabel"] + (f" ({text['observed']})" if observed else ""))
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if title is not None:
        ax.set_title(title)
    if legend:
        legend_below(ax, ncol=min(K, 3))
    return ax
