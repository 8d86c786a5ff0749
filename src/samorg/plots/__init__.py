"""Figures: a result (or data) in, a matplotlib Axes out; never ``show()`` or ``savefig()``.

matplotlib is imported inside the functions, so importing this package stays light.
"""

from samorg.plots.its import plot_its

__all__ = ["plot_its"]
