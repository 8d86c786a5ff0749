"""Draw a synthetic control: treated vs synthetic paths, or the gap among the placebo gaps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.plots._axes import legend_below, number_formatter, period_axis

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from samorg.models.synth import SynthResult

__all__ = ["plot_synthetic_control"]

_TEXT = {
    "nb": {"treated": "Tiltaksenheten", "synthetic": "Syntetisk kontroll", "gap": "Forskjell (tiltaksenheten − syntetisk)",
           "placebo": "Placeboforskjeller (sammenligningsenheter)", "start": "Tiltak", "time": "Tid", "year": "År",
           "excluded": "Utelatt"},
    "en": {"treated": "Treated unit", "synthetic": "Synthetic control", "gap": "Gap (treated − synthetic)",
           "placebo": "Placebo gaps (donor units)", "start": "Intervention", "time": "Time", "year": "Year",
           "excluded": "Excluded"},
}
KINDS = ("series", "gaps")


def plot_synthetic_control(
    result: SynthResult,
    *,
    kind: str = "series",
    ax: Axes | None = None,
    lang: str = "nb",
    title: str | None = None,
    ylabel: str | None = None,
    legend: bool = True,
    max_pre_rmspe_ratio: float | None = None,
) -> Axes:
    """Draw a :class:`~samorg.models.SynthResult` and return the Axes.

    ``kind="series"``: the treated unit's outcome and its synthetic control. ``kind="gaps"``:
    the treated gap (coloured) over every placebo gap (grey), as in Abadie et al. (2010).
    Excluded windows are shaded and the intervention is a dotted line. Changes no global
    style; never calls ``show()`` or ``savefig()``.

    Parameters
    ----------
    result : SynthResult
        Not modified.
    kind : {"series", "gaps"}
    ax : matplotlib Axes, optional
    lang : {"nb", "en"}
    title, ylabel : str, optional
    legend : bool
    max_pre_rmspe_ratio : float, optional
        For ``kind="gaps"``: leave out placebos whose pre-period RMSPE exceeds this multiple of
        the treated unit's (Abadie et al. use 5, 20); all are drawn by default.
    """
    import matplotlib.pyplot as plt

    fmt._check_lang(lang)
    if kind not in KINDS:
        raise ValueError(f"kind={kind!r} is not one of {KINDS}.")
    text = _TEXT[lang]
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    series = result.plot_data()
    is_date = result.details.get("time_kind") == "date"
    x = pd.to_datetime(series["time"]) if is_date else series["time"].astype(float)
    # Excluded periods are gaps: no line is drawn through them as if they were data (EVIDENCE.md §6).
    gap_mask = series["excluded"].to_numpy(dtype=bool)

    def cut(values: Any) -> np.ndarray:
        out = np.asarray(values, dtype=float).copy()
        out[gap_mask] = np.nan
        return out

    if kind == "series":
        ax.plot(x, cut(series["treated"]), color="C1", lw=1.8, label=text["treated"])
        ax.plot(x, cut(series["synthetic"]), color="C0", lw=1.8, ls="--", label=text["synthetic"])
    else:
        gaps = result.placebo_gaps
        if max_pre_rmspe_ratio is not None and len(result.placebos) > 1:
            limit = max_pre_rmspe_ratio * result.details["pre_rmspe"]
            keep = result.placebos.iloc[1:]
            keep = keep.loc[keep["pre_rmspe"] <= limit, "unit"]
            gaps = gaps[[c for c in gaps.columns if c in set(keep)]]
        first = True
        for col in gaps.columns:
            ax.plot(x, cut(gaps[col]), color="0.75", lw=0.8, label=text["placebo"] if first else None)
            first = False
        ax.plot(x, cut(series["gap"]), color="C1", lw=2.0, label=text["gap"])
        ax.axhline(0, color="0.2", lw=0.8)
    post = series["post"].to_numpy()
    if post.any():
        ax.axvline(x[np.flatnonzero(post)[0]], color="0.2", lw=1, ls=":", label=text["start"])
    ex = series["excluded"].to_numpy()
    if ex.any():
        idx = np.flatnonzero(ex)
        runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
        for run in runs:
            ax.axvspan(x[run[0]], x[run[-1]], color="0.5", alpha=0.12, lw=0)
    ax.yaxis.set_major_formatter(number_formatter(lang))
    if not is_date:
        period_axis(ax.xaxis, lang)
    yearly = not is_date and bool(x.between(1000, 9999).all() and (x % 1 == 0).all())
    ax.set_xlabel(text["year"] if yearly else text["time"])
    # The gap's label on two lines: on one it is longer than a panel of a few inches is high.
    default_y = str(result.details.get("outcome", "")) if kind == "series" else text["gap"].replace(" (", "\n(", 1)
    ax.set_ylabel(ylabel if ylabel is not None else default_y)
    if title is not None:
        ax.set_title(title)
    if legend:
        legend_below(ax, ncol=3)
    return ax
