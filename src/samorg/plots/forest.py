"""Forest plot of a pooled result: sites, the pooled diamond and (when there is one) the prediction interval."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from samorg import fmt
from samorg.plots._axes import legend_below, number_formatter

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["plot_forest", "ratio_ticks"]

_TEXT = {
    "nb": {"pooled": "Samlet (tilfeldige effekter)", "pooled_muni": "Samlet (kommunenivå)",
           "pi": "{level} prediksjonsintervall", "effect": "Effekt",
           "ratio": {"log": "Rateforhold (observert/forventet), logaritmisk skala",
                     "logit": "Oddsforhold, logaritmisk skala"},
           "tau": "τ² = {tau2}, I² = {i2}", "unbounded": "kan ikke avgrenses", "group": "{name} ({n} steder)", "group1": "{name} (1 sted)"},
    "en": {"pooled": "Pooled (random effects)", "pooled_muni": "Pooled (municipality level)",
           "pi": "{level} prediction interval", "effect": "Effect",
           "ratio": {"log": "Rate ratio (observed/expected), log scale", "logit": "Odds ratio, log scale"},
           "tau": "τ² = {tau2}, I² = {i2}", "unbounded": "cannot be bounded", "group": "{name} ({n} sites)", "group1": "{name} (1 site)"},
}
# Candidate tick sets for a ratio axis, coarse to fine; the first giving 3–9 ticks in range is used.
_TICK_SETS = (
    [m * 10.0**e for e in range(-3, 4) for m in (1, 2, 5)],
    [m * 10.0**e for e in range(-3, 4) for m in (1, 1.5, 2, 3, 5, 7)],
    [round(v, 2) for v in np.arange(0.1, 3.01, 0.1)],
    [round(v, 3) for v in np.arange(0.05, 2.001, 0.05)],
    [round(v, 3) for v in np.arange(0.02, 2.001, 0.02)],
)


def ratio_ticks(low: float, high: float) -> list[float]:
    """Round tick values for a ratio (log) axis from ``low`` to ``high``: at least three where possible."""
    best: list[float] = []
    for ticks in _TICK_SETS:
        inside = [v for v in ticks if low <= v <= high]
        if 3 <= len(inside) <= 9:
            return inside
        if len(inside) > len(best) and len(inside) <= 9:
            best = inside
    return best


def plot_forest(
    pooled: Any,
    *,
    ax: Axes | None = None,
    lang: str = "nb",
    ratio: bool | None = None,
    title: str | None = None,
    xlabel: str | None = None,
    annotate: bool = True,
) -> Axes:
    """Draw a forest plot of a pooled result on ``ax`` and return it.

    Takes a :class:`~samorg.models.meta.PooledEffect` (random-effects meta-analysis) or a
    :class:`~samorg.models.pooled.MunicipalPooledEffect` (pooling by municipality). One row per site: a
    square sized by its weight and its (normal) confidence interval; below them the pooled effect as a
    diamond spanning its confidence interval (for pooling by municipality, each municipality's average as a
    hollow diamond above it) and, when the result has one, the prediction interval for a
    new site as a dashed bar through it (pooling by municipality gives none below three municipalities).
    Intervals that are not finite are never drawn; the row says they cannot be bounded. A vertical line
    marks no effect (0, or 1 for ratios); a ratio axis gets round ticks (at least three where the range
    allows) and says what the ratio is. Numbers follow :mod:`samorg.fmt`. Changes no global style; never
    calls ``show()`` or ``savefig()``.

    Parameters
    ----------
    pooled : PooledEffect or MunicipalPooledEffect
        Not modified.
    ax : matplotlib Axes, optional
        Drawn on a new figure when omitted.
    lang : {"nb", "en"}
    ratio : bool, optional
        Show exp(estimates) on a log axis; defaults to True for log and logit links.
    title, xlabel : str, optional
    annotate : bool
        Write each row's estimate and interval at the right, and τ² and I² (when pooled has them).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    fmt._check_lang(lang)
    text = _TEXT[lang]
    studies = getattr(pooled, "studies", None)
    if studies is None or len(studies) == 0:
        raise TypeError("plot_forest() expects the result of samorg.models.meta.pool() or "
                        "samorg.models.pooled.pool_municipalities() (with its per-site table).")
    ratio = pooled.link in ("log", "logit") if ratio is None else ratio
    tr = np.exp if ratio else (lambda v: np.asarray(v, dtype=float))
    k = len(studies)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 0.38 * k + 2.2), layout="constrained")
    groups = getattr(pooled, "municipalities", None)
    g = 0 if groups is None or len(groups) == 0 else len(groups)
    y_groups = np.arange(g, 0, -1) + 0.5
    y_sites = np.arange(k, 0, -1) + 1.5 + g
    y_pool = 0.5
    rows, labels = _draw_sites(ax, studies, tr, y_sites)
    if g:
        g_rows, g_labels = _draw_groups(ax, groups, tr, y_groups, text)
        rows += g_rows
        labels += g_labels
    rows.append(_draw_pooled(ax, pooled, tr, y_pool, text, lang))
    ax.axvline(1.0 if ratio else 0.0, color="0.5", lw=0.8, ls=":")
    muni = hasattr(pooled, "n_municipalities")
    ax.set_yticks([*y_sites, *y_groups, y_pool])
    ax.set_yticklabels([*labels, text["pooled_muni" if muni else "pooled"]])
    ax.set_ylim(-0.6, y_sites.max() + 0.8)
    _x_axis(ax, pooled, ratio, text, lang, xlabel)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if annotate:
        _annotate(ax, pooled, ratio, text, lang, rows)
    if title is not None:
        ax.set_title(title)
    handles, _ = ax.get_legend_handles_labels()
    if handles:  # below the axes, so it never hides the pooled row
        legend_below(ax, ncol=2)
    return ax


def _draw_sites(ax, studies, tr, y_sites) -> tuple[list, list[str]]:
    """One row per site: a square sized by its weight and its interval where finite; the rows and labels."""
    est, lo, hi = tr(studies["estimate"]), tr(studies["ci_low"]), tr(studies["ci_high"])
    ok = np.isfinite(lo) & np.isfinite(hi)
    wt = studies["weight"].to_numpy(dtype=float)
    sizes = 25 + 250 * wt / wt.max()
    ax.hlines(y_sites[ok], lo[ok], hi[ok], color="0.25", lw=1.2)
    ax.scatter(est, y_sites, s=sizes, marker="s", color="0.25", zorder=3)
    rows = [(y, e, a, b) for y, e, a, b in zip(y_sites, est, lo, hi)]
    return rows, [str(x) for x in studies["label"]]


def _draw_groups(ax, groups, tr, y_groups, text) -> tuple[list, list[str]]:
    """One row per municipality: a hollow diamond and its interval where finite; the rows and labels."""
    g_est, g_lo, g_hi = tr(groups["estimate"]), tr(groups["ci_low"]), tr(groups["ci_high"])
    fine = np.isfinite(g_lo) & np.isfinite(g_hi)
    ax.hlines(y_groups[fine], g_lo[fine], g_hi[fine], color="C0", lw=1.2)
    ax.plot(g_est, y_groups, "D", mfc="white", mec="C0", ms=7, zorder=3, ls="none")
    labels = [text["group1" if n == 1 else "group"].format(name=m, n=n)
              for m, n in zip(groups["municipality"], groups["n_sites"])]
    return list(zip(y_groups, g_est, g_lo, g_hi)), labels


def _draw_pooled(ax, pooled, tr, y_pool, text, lang) -> tuple:
    """The pooled diamond (a point when its interval is unbounded) and its prediction interval; its row."""
    from matplotlib.patches import Polygon

    c_lo, c_mid, c_hi = tr([pooled.ci_low, pooled.estimate, pooled.ci_high])
    bounded = bool(np.isfinite(c_lo) and np.isfinite(c_hi))
    p_lo, p_hi = tr([getattr(pooled, "pi_low", math.nan), getattr(pooled, "pi_high", math.nan)])
    if np.isfinite(p_lo) and np.isfinite(p_hi):
        ax.hlines(y_pool, p_lo, p_hi, color="C0", lw=1.5, ls="--", zorder=2,
                  label=text["pi"].format(level=fmt.level_text(pooled.level, lang=lang)))
    if bounded:
        ax.add_patch(Polygon([(c_lo, y_pool), (c_mid, y_pool + 0.32), (c_hi, y_pool), (c_mid, y_pool - 0.32)],
                             closed=True, color="C0", zorder=3))
    else:
        ax.plot([c_mid], [y_pool], "D", color="C0", ms=8, zorder=3)
    return (y_pool, c_mid, c_lo, c_hi)


def _x_axis(ax, pooled, ratio, text, lang, xlabel) -> None:
    """Round ticks on a log axis for ratios, numbers in the report's language, and the axis label."""
    if ratio:
        from matplotlib.ticker import FixedLocator, NullFormatter

        ax.set_xscale("log")
        low, high = ax.get_xlim()
        ax.xaxis.set_major_locator(FixedLocator(ratio_ticks(low, high)))
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.xaxis.set_major_formatter(number_formatter(lang))
    ax.set_xlabel(xlabel if xlabel is not None else (text["ratio"].get(pooled.link, text["ratio"]["log"]) if ratio
                                                     else text["effect"]))


def _annotate(ax, pooled, ratio, text, lang, rows) -> None:
    d = 2 if ratio else _decimals(pooled.std_error)
    trans = ax.get_yaxis_transform()
    for yi, e, a, b in rows:
        interval = (fmt.ci(a, b, decimals=d, lang=lang, label=False) if np.isfinite(a) and np.isfinite(b)
                    else text["unbounded"])
        ax.text(1.01, yi, f"{fmt.number(e, decimals=d, lang=lang)} ({interval})", transform=trans, va="center",
                ha="left", fontsize="small")
    tau2, i2 = getattr(pooled, "tau2", math.nan), getattr(pooled, "i2", math.nan)
    if math.isfinite(tau2) and math.isfinite(i2):
        het = text["tau"].format(tau2=fmt.number(tau2, decimals=3, lang=lang), i2=fmt.percent(i2, decimals=0, lang=lang))
        ax.plot([], [], " ", label=het)


def _decimals(se: float) -> int:
    if not math.isfinite(se) or se <= 0:
        return 2
    return int(min(4, max(0, 1 - math.floor(math.log10(se)))))
