"""Where the report templates (the Papermill notebooks) come from.

One defined place, whatever folder samorg runs in: an explicit folder (``samorg report --templates DIR``),
else the repository's ``notebooks/`` beside the package when samorg is installed from a clone (editable,
as ``./dev`` and the README install it), else a ``notebooks/`` folder installed inside the package. A
``notebooks/`` folder in the current working folder is never picked up by chance.
"""

from __future__ import annotations

from pathlib import Path

from samorg.errors import ReportError

__all__ = ["REPORT_NOTEBOOKS", "template_dir"]

#: The notebooks a template folder must hold.
REPORT_NOTEBOOKS = ("site_report.ipynb", "synthesis.ipynb", "data_quality.ipynb")
_PACKAGE = Path(__file__).resolve().parents[1]  # src/samorg


def _candidates() -> list[Path]:
    return [_PACKAGE.parents[1] / "notebooks", _PACKAGE / "report" / "notebooks"]


def template_dir(explicit: str | Path | None = None) -> Path:
    """The folder of report notebooks to use (absolute).

    Parameters
    ----------
    explicit : path, optional
        A folder chosen by the user; it must hold every report notebook.

    Raises
    ------
    ReportError
        When ``explicit`` lacks a report notebook, or no template folder was found.

    Examples
    --------
    >>> template_dir().name  # doctest: +SKIP
    'notebooks'
    """
    if explicit is not None:
        folder = Path(explicit).resolve()
        missing = [n for n in REPORT_NOTEBOOKS if not (folder / n).is_file()]
        if missing:
            raise ReportError(
                f"--templates {explicit}: {folder} lacks {', '.join(missing)}. Expected a folder with the report "
                f"notebooks ({', '.join(REPORT_NOTEBOOKS)}), e.g. the repository's notebooks/; leave out "
                "--templates to use the ones that came with samorg."
            )
        return folder
    for folder in _candidates():
        if all((folder / n).is_file() for n in REPORT_NOTEBOOKS):
            return folder
    looked = " and ".join(str(c) for c in _candidates())
    raise ReportError(
        f"The report templates were not found (looked in {looked}). Expected samorg installed from its "
        "repository (`pip install -e .` in the clone), or name the folder with --templates DIR."
    )
