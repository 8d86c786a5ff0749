"""Axis helpers for report figures: Norwegian (or English) numbers and percentages on the ticks."""

from __future__ import annotations

from typing import Any

from samorg import fmt
from samorg.plots._axes import number_formatter


def number_axis(ax: Any, *, lang: str = "nb", axis: str = "y") -> Any:
    """Format ``axis`` ticks as numbers in ``lang`` (decimal comma, space as thousands separator)."""
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(number_formatter(lang))
    return ax


def percent_axis(ax: Any, *, lang: str = "nb", axis: str = "y") -> Any:
    """Format ``axis`` ticks holding shares (0–1) as percentages in ``lang``."""
    from matplotlib.ticker import FuncFormatter

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(
        FuncFormatter(lambda x, _pos: fmt.percent(x, decimals=0, lang=lang))
    )
    return ax
