"""One check for report figures: everything drawn lies on the figure's canvas.

Reports save figures as they lie on their canvas, without a tight bounding box around whatever spills
over (:data:`samorg.report.figures.SAVE_KWARGS`), so a label, title or legend outside the canvas would
be cut off in the report. Test modules import it with ``from figure_fit import assert_fits_canvas``.
"""

from __future__ import annotations


def assert_fits_canvas(fig, *, tolerance: float = 0.01) -> None:
    """Fail when the box around all of ``fig``'s artists leaves its canvas by more than ``tolerance`` inches."""
    fig.draw_without_rendering()  # as a save would: the layout engine (constrained layout) runs first
    box = fig.get_tightbbox(fig._get_renderer())  # in inches (a closed figure has no canvas of its own)
    width, height = fig.get_size_inches()
    assert (box.x0 >= -tolerance and box.y0 >= -tolerance and box.x1 <= width + tolerance
            and box.y1 <= height + tolerance), (
        f"the figure's artists span x {box.x0:.2f}–{box.x1:.2f}, y {box.y0:.2f}–{box.y1:.2f} inches on a "
        f"{width:.2f} × {height:.2f} canvas: what lies outside would be cut off in a report")
