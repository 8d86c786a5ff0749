"""Forest plot of a random-effects meta-analysis: sites, the pooled diamond and the prediction interval."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from samorg import fmt
from samorg.plots._axes import number_formatter

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from samorg.models.meta import PooledEffect

__all__ = ["plot_forest"]

_TEXT = {
    "nb": {"pooled": "Samlet (tilfeldige effekter)", "pi": "{level} prediksjonsintervall", "effect": "Effekt",
           "ratio": "Forhold (logaritmisk skala)", "tau": "τ² = {tau2}, I² = {i2}"},
    "en": {"pooled": "Pooled (random effects)", "pi": "{level} prediction interval", "effect": "Effect",
           "ratio": "Ratio (log scale)", "tau": "τ² = {tau2}, I² = {i2}"},
}


def plot_forest(
    pooled: PooledEffect,
    *,
    ax: Axes | None = None,
    lang: str = "nb",
    ratio: bool | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    annotate: bool = True,
) -> Axes:
    """Draw a forest plot of a :class:`~samorg.models.meta.PooledEffect` on ``ax`` and return it.

    One row per site: a square sized by its random-effects weight and its (normal)
    confidence interval; below them the pooled effect as a diamond spanning its confidence
    interval (Hartung–Knapp when the pooling used it) and the prediction interval for a new
    site as a dashed bar through it. A vertical line marks no effect (0, or 1 for ratios).
    Numbers follow :mod:`samorg.fmt`. Changes no global style; never calls ``show()`` or
    ``savefig()``.

    Parameters
    ----------
    pooled : PooledEffect
        From :func:`samorg.models.meta.pool`. Not modified.
    ax : matplotlib Axes, optional
        Drawn on a new figure when omitted.
    lang : {"nb", "en"}
    ratio : bool, optional
        Show exp(estimates) on a log axis; defaults to True for log and logit links.
    title, xlabel : str, optional
    annotate : bool
        Write each row's estimate and interval at the right, and τ² and I² under the diamond.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon

    fmt._check_lang(lang)
    text = _TEXT[lang]
    studies = pooled.studies
    if studies is None or len(studies) == 0:
        raise TypeError("plot_forest() expects the result of samorg.models.meta.pool() (with its per-site table).")
    ratio = pooled.link in ("log", "logit") if ratio is None else ratio
    tr = np.exp if ratio else (lambda x: np.asarray(x, dtype=float))
    k = len(studies)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.38 * k + 2.2))
    y_sites = np.arange(k, 0, -1) + 1.5
    y_pool = 0.5
    est, lo, hi = tr(studies["estimate"]), tr(studies["ci_low"]), tr(studies["ci_high"])
    wt = studies["weight"].to_numpy(dtype=float)
    sizes = 25 + 250 * wt / wt.max()
    ax.hlines(y_sites, lo, hi, color="0.25", lw=1.2)
    ax.scatter(est, y_sites, s=sizes, marker="s", color="0.25", zorder=3)
    c_lo, c_mid, c_hi = tr([pooled.ci_low, pooled.estimate, pooled.ci_high])
    p_lo, p_hi = tr([pooled.pi_low, pooled.pi_high])
    ax.hlines(y_pool, p_lo, p_hi, color="C0", lw=1.5, ls="--", zorder=2,
              label=text["pi"].format(level=fmt.level_text(pooled.level, lang=lang)))
    ax.add_patch(Polygon([(c_lo, y_pool), (c_mid, y_pool + 0.32), (c_hi, y_pool), (c_mid, y_pool - 0.32)],
                         closed=True, color="C0", zorder=3))
    ax.axvline(1.0 if ratio else 0.0, color="0.5", lw=0.8, ls=":")
    ax.set_yticks([*y_sites, y_pool])
    ax.set_yticklabels([*map(str, studies["label"]), text["pooled"]])
    ax.set_ylim(-0.6, y_sites.max() + 0.8)
    if ratio:
        from matplotlib.ticker import FixedLocator, NullFormatter

        ax.set_xscale("log")
        low, high = ax.get_xlim()
        nice = [v * 10.0**e for e in range(-4, 5) for v in (1, 2, 5)]
        ax.xaxis.set_major_locator(FixedLocator([v for v in nice if low <= v <= high]))
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.xaxis.set_major_formatter(number_formatter(lang))
    ax.set_xlabel(xlabel if xlabel is not None else text["ratio" if ratio else "effect"])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if annotate:
        d = 2 if ratio else _decimals(pooled.std_error)
        trans = ax.get_yaxis_transform()
        for yi, e, a, b in zip([*y_sites, y_pool], [*est, c_mid], [*lo, c_lo], [*hi, c_hi]):
            interval = fmt.ci(a, b, decimals=d, lang=lang, label=False)
            ax.text(1.01, yi, f"{fmt.number(e, decimals=d, lang=lang)} ({interval})", transform=trans, va="center",
                    ha="left", fontsize="x-small")
        het = text["tau"].format(tau2=fmt.number(pooled.tau2, decimals=3, lang=lang),
                                 i2=fmt.percent(pooled.i2, decimals=0, lang=lang))
        ax.plot([], [], " ", label=het)
    if title is not None:
        ax.set_title(title)
    # Below the axes, so it never hides the pooled row.
    ax.legend(fontsize="small", frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    return ax


def _decimals(se: float) -> int:
    if not math.isfinite(se) or se <= 0:
        return 2
    return int(min(4, max(0, 1 - math.floor(math.log10(se)))))
