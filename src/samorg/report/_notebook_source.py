"""Where a renderer gets its notebook from: a file, or the ``NotebookNode`` Papermill returned.

The runner hands the renderers the executed notebook it already holds, so that neither reads again the
300 KB that Papermill has just written (:mod:`samorg.report.runner`); researchers may call the renderers
with a file as before. Either way a renderer gets a notebook of its own to change, and the caller's is left
as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat

from samorg.errors import ReportError

__all__ = ["notebook_location", "own_copy", "read_notebook"]


def read_notebook(ipynb: Path) -> nbformat.NotebookNode:
    """The notebook in ``ipynb``; a :class:`~samorg.errors.ReportError` when there is none or it is unreadable."""
    if not ipynb.is_file():
        raise ReportError(f"{ipynb}: no such notebook. Expected an executed notebook (.ipynb) to render.")
    try:
        return nbformat.read(ipynb, as_version=4)
    except Exception as exc:  # nbformat raises several unrelated types
        raise ReportError(f"{ipynb}: not a readable notebook ({exc}). Expected a Jupyter notebook in nbformat 4.") from exc


def notebook_location(ipynb: str | Path | dict[str, Any]) -> Path:
    """The notebook's file: ``ipynb`` itself, or for a node where Papermill wrote it
    (``metadata.papermill.output_path``), else ``notebook.ipynb`` in the current folder."""
    if isinstance(ipynb, dict):
        return Path(ipynb.get("metadata", {}).get("papermill", {}).get("output_path") or "notebook.ipynb")
    return Path(ipynb)


def own_copy(ipynb: str | Path | dict[str, Any]) -> tuple[nbformat.NotebookNode, Path]:
    """A notebook the caller may change, and where it is (for messages and relative links).

    From a file: the notebook read from it. From a node: a copy with new dicts and lists and the node's
    strings (1 ms, where ``copy.deepcopy`` takes several), without the values nbformat never writes to a
    file (``orig_nbformat`` and the like), so it is the notebook its file holds. ``ipynb`` is not modified.
    """
    if isinstance(ipynb, dict):
        from nbformat.v4.rwbase import strip_transient

        return strip_transient(nbformat.from_dict(ipynb)), notebook_location(ipynb)
    return read_notebook(Path(ipynb)), Path(ipynb)
