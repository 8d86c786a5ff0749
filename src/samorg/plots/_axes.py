"""Helpers shared by the plot functions: tick formatters in bokmål/English."""

from __future__ import annotations

from typing import Any

from samorg import fmt


def number_formatter(lang: str) -> Any:
    """A matplotlib tick formatter that writes numbers with :func:`samorg.fmt.number`.

    Decimals follow the tick spacing, so 0,5-steps show one decimal and 1 000-steps none.
    """
    from matplotlib.ticker import Formatter

    class _NumberFormatter(Formatter):
        _ticks: tuple[float, ...] = ()

        def set_locs(self, locs: Any) -> None:
            self._ticks = tuple(float(v) for v in locs if v == v)

        def __call__(self, x: float, pos: int | None = None) -> str:
            locs = self._ticks
            step = min((abs(b - a) for a, b in zip(locs, locs[1:]) if b != a), default=1.0)
            decimals = 0
            while decimals < 6 and abs(round(step * 10**decimals) - step * 10**decimals) > 1e-6 * 10**decimals:
                decimals += 1
            return fmt.number(x, decimals=decimals, lang=lang)

    return _NumberFormatter()


def period_axis(axis: Any, lang: str) -> None:
    """Whole periods only (no 2017,5) and no thousands separator on a numeric time axis."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    axis.set_major_formatter(period_formatter(lang))


def period_formatter(lang: str) -> Any:
    """Tick labels for a numeric time axis (years, period numbers): no thousands separator."""
    from matplotlib.ticker import FuncFormatter

    def label(x: float, pos: int | None = None) -> str:
        if float(x).is_integer():
            return str(int(x)).replace("-", "\u2212" if lang == "nb" else "-")
        return fmt.number(x, decimals=1, lang=lang)

    return FuncFormatter(label)


def year_position(value: Any) -> float:
    """Where a date falls on a yearly axis whose point ``Y`` stands for the whole year ``Y``.

    The year ``Y`` spans ``Y − 0.5`` to ``Y + 0.5``, so 1 January 2020 is 2019.5 (the boundary between
    the 2019 and 2020 points) and 1 September 2022 about 2022.17. Numbers are returned as they are.
    """
    import pandas as pd

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    ts = pd.Timestamp(value)
    days = 366 if ts.is_leap_year else 365
    return ts.year - 0.5 + (ts.day_of_year - 1) / days


def window_years(window: Any) -> tuple[int, int, str]:
    """``(first year, last year, label)`` touched by an exclusion window (dates or whole years)."""
    import pandas as pd

    if hasattr(window, "start") and hasattr(window, "end"):
        start, end, label = window.start, window.end, getattr(window, "label", "") or ""
    else:
        start, end = window[0], window[1]
        label = str(window[2]) if len(window) > 2 else ""

    def year(v: Any) -> int:
        return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else pd.Timestamp(v).year

    return year(start), year(end), label


def with_gaps(x: Any, y: Any) -> tuple[Any, Any]:
    """Insert a NaN wherever consecutive x values are further apart than the series' usual step,
    so a line is broken across excluded or missing periods instead of drawn straight through them."""
    import numpy as np
    import pandas as pd

    xs = pd.Series(x).reset_index(drop=True)
    ys = pd.Series(y, dtype=float).reset_index(drop=True)
    if len(xs) < 3:
        return xs.to_numpy(), ys.to_numpy()
    is_date = pd.api.types.is_datetime64_any_dtype(xs)
    num = (xs.astype("int64") / 8.64e13 if is_date else xs.astype(float)).to_numpy()  # days for dates
    step = np.diff(num)
    usual = float(np.min(step[step > 0])) if (step > 0).any() else 1.0
    breaks = np.flatnonzero(step > usual * 1.5) + 1
    if not len(breaks):
        return xs.to_numpy(), ys.to_numpy()
    filler = pd.NaT if is_date else np.nan
    out_x, out_y, last = [], [], 0
    for b in breaks:
        out_x += list(xs.iloc[last:b]) + [filler]
        out_y += list(ys.iloc[last:b]) + [np.nan]
        last = b
    out_x += list(xs.iloc[last:])
    out_y += list(ys.iloc[last:])
    return (pd.to_datetime(pd.Series(out_x)).to_numpy() if is_date else np.array(out_x, dtype=float)), np.array(out_y)


def shade_years(ax: Any, windows: Any, *, label: str | None = None) -> int:
    """Shade the years each exclusion window touches on a yearly axis (year Y spans Y ± 0.5); returns how many."""
    n = 0
    for w in windows or ():
        lo, hi, name = window_years(w)
        ax.axvspan(lo - 0.5, hi + 0.5, color="0.5", alpha=0.12, lw=0,
                   label=(f"{label} ({name})" if name else label) if label and n == 0 else None)
        n += 1
    return n


def legend_below(ax: Any, *, ncol: int = 3, gap: float = 4.0, **kw: Any) -> Any:
    """A legend centred under the axes, below the tick labels and the x-axis label (never over them).

    The offset is in points, from the font sizes in use, so it holds whatever the figure's height. The
    figure's layout makes room for the legend on the canvas: ``fig.tight_layout()`` or constrained layout
    (which a plot function's own figure uses); reports save figures without a tight bounding box.
    """
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties
    from matplotlib.transforms import ScaledTranslation

    rc = mpl.rcParams

    def size(key: str) -> float:
        return FontProperties(size=rc[key]).get_size_in_points()

    drop = max(rc["xtick.major.size"], 0) + rc["xtick.major.pad"] + 1.25 * size("xtick.labelsize")
    if ax.get_xlabel():
        drop += rc["axes.labelpad"] + 1.25 * size("axes.labelsize")
    shift = ScaledTranslation(0, -(drop + gap) / 72, ax.figure.dpi_scale_trans)
    kw.setdefault("fontsize", "small")
    kw.setdefault("frameon", False)
    return ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), bbox_transform=ax.transAxes + shift,
                     ncol=ncol, **kw)


def log_value_axis(ax: Any, lang: str, *, axis: str = "y", nbins: int = 5) -> None:
    """A log-scaled axis labelled in the data's own units (e.g. visits), with round ticks over its range."""
    from matplotlib.ticker import FixedLocator, MaxNLocator, NullFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
    low, high = (ax.get_ylim if axis == "y" else ax.get_xlim)()
    if high > 4 * low:  # a wide range: 1-2-5 steps, evenly spaced on the log scale
        candidates = [m * 10.0**e for e in range(-3, 10) for m in (1, 2, 5)]
    else:
        candidates = list(MaxNLocator(nbins=nbins, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high))
    ticks = [v for v in candidates if low <= v <= high]
    target.set_major_locator(FixedLocator(ticks))
    target.set_minor_formatter(NullFormatter())
    target.set_major_formatter(number_formatter(lang))
