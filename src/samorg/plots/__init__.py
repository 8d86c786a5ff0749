"""Figures: a result (or data) in, a matplotlib Axes out; never ``show()`` or ``savefig()``.

matplotlib is imported inside the functions, so importing this package stays light.
"""

from samorg.plots.did import plot_did
from samorg.plots.event import plot_event_study
from samorg.plots.its import plot_its
from samorg.plots.synth import plot_synthetic_control

__all__ = ["plot_did", "plot_event_study", "plot_its", "plot_synthetic_control"]
