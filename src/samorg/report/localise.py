"""One report template for both languages: Markdown cells tagged by language, the other language dropped.

The templates in ``notebooks/`` are the source a researcher edits in JupyterLab. Headings and narrative
are Markdown cells; a cell that exists in both languages is written twice, tagged ``lang-nb`` and
``lang-en``. Before a report runs, :func:`localised_template` writes a copy with only the cells of the
report's language (untagged cells are kept) to a content-addressed file in the temporary folder, so the
executed notebook a reviewer opens reads in one language. The template itself is never changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from samorg.errors import ReportError

__all__ = ["LANG_TAGS", "localised_template"]

LANG_TAGS = {"nb": "lang-nb", "en": "lang-en"}


def _tags(cell) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def localised_template(path: str | Path, lang: str) -> Path:
    """The template at ``path`` with only the ``lang`` cells; ``path`` itself when it has no language tags.

    Read and written as plain JSON (as nbformat writes it: one-space indent, sorted keys, UTF-8): Papermill
    reads and validates the copy when the report runs, and a run whose reports are all reused from the
    cache should not import nbformat for this (0.2 s of the 1.1 s such a run took, issue 17).
    """
    path = Path(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReportError(f"{path}: the report template cannot be read as a notebook ({exc}). "
                          "Expected a Jupyter notebook (.ipynb) saved by JupyterLab.") from exc
    tagged = set(LANG_TAGS.values())
    if not any(_tags(c) & tagged for c in cells):
        return path
    own = LANG_TAGS.get(lang, LANG_TAGS["nb"])
    nb["cells"] = [c for c in cells if not (_tags(c) & tagged) or own in _tags(c)]
    text = json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    folder = Path(tempfile.gettempdir()) / "samorg-templates"
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{path.stem}.{lang}.{digest}.ipynb"
    if not out.is_file():
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, out)
    return out
