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
