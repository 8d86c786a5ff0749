"""Writing report files whole: a reader (a browser, a reviewer, the next run) never sees half a file.

Standard library only, so the parts of a report run that only write (the index, the run log, the cache
records) do not import nbformat or pandas.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["replace_atomically"]


def replace_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, readable by all (0644)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
