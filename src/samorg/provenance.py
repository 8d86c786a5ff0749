"""Where a result came from: samorg's code and version, the git commit, Python and the libraries, the inputs.

Two uses:

- :func:`build_key` is part of the processed data's rebuild key (``samorg data`` rebuilds when it
  changes): samorg's version, a hash of samorg's own code and data files (:func:`code_hash`) and
  the versions of the libraries that shape the processed tables (:data:`OUTPUT_DEPENDENCIES`).
  A changed cleaning step therefore triggers a rebuild, even when the version string did not move.
- :func:`provenance` is the plain, JSON-able record a build stores in ``manifest.json`` and a
  report prints: the build key plus the git commit and a dirty-tree flag, the Python version,
  the hashes of the study file, the site registry and every input file.

Nothing here fails: a missing git, a folder that is not a git checkout or a package that is not
installed gives ``None`` for that field.
"""

from __future__ import annotations

import functools
import hashlib
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from samorg._version import __version__

#: libraries whose version can change the bytes or values of the processed tables
OUTPUT_DEPENDENCIES = ("numpy", "pandas", "pandera", "pyarrow", "scipy", "statsmodels")
#: further libraries a report's numbers and figures depend on (listed in provenance, not in the rebuild key)
REPORT_DEPENDENCIES = ("matplotlib", "papermill", "nbconvert")
_PACKAGE = Path(__file__).resolve().parent
_SKIP_DIRS = {"__pycache__"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}


def _file_sha256(path: Path) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError:
        return None
    return h.hexdigest()


def code_hash(package_dir: str | Path | None = None) -> str:
    """sha256 over samorg's own files: every ``.py`` module and package data file, by relative path.

    Compiled files (``__pycache__``, ``.pyc``) are left out, so the hash is the same wherever the
    package is installed and whether or not it has been imported before. The hash is computed once
    per process and folder (about 10 ms): it describes the code this process loaded, even if the
    files are edited while it runs.

    Examples
    --------
    >>> len(code_hash())
    64
    """
    return _code_hash(str(Path(package_dir) if package_dir is not None else _PACKAGE))


@functools.lru_cache(maxsize=8)
def _code_hash(folder: str) -> str:
    root = Path(folder)
    h = hashlib.sha256()
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix not in _SKIP_SUFFIXES
                   and not _SKIP_DIRS.intersection(p.relative_to(root).parts))
    for p in files:
        h.update(p.relative_to(root).as_posix().encode("utf-8") + b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def dependency_versions(names: tuple[str, ...] = OUTPUT_DEPENDENCIES) -> dict[str, str | None]:
    """Installed version of each named distribution (``None`` when it is not installed)."""
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def build_key() -> dict[str, Any]:
    """What, besides the inputs, decides the processed tables: samorg's version and code, the output libraries.

    ``samorg data`` stores it in the manifest and rebuilds when it differs.
    """
    return {"samorg_version": __version__, "code_sha256": code_hash(), "dependencies": dependency_versions()}


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        res = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return res.stdout if res.returncode == 0 else None


def git_state(package_dir: str | Path | None = None) -> dict[str, Any]:
    """``{"commit": full hash or None, "dirty": True/False or None}`` of the checkout samorg runs from.

    ``None`` for both when samorg is not run from a git checkout (an installed wheel, no git), also
    when the installed package merely sits inside some other repository. ``dirty`` is True when a
    tracked file differs from the commit (untracked files do not count).
    """
    root = Path(package_dir) if package_dir is not None else _PACKAGE
    none = {"commit": None, "dirty": None}
    if _git(["ls-files", "--error-unmatch", "__init__.py"], root) is None:
        return none  # not a checkout, or samorg's files are not tracked in it
    commit = _git(["rev-parse", "HEAD"], root)
    status = _git(["status", "--porcelain", "--untracked-files=no"], root)
    if not commit:
        return none
    return {"commit": commit.strip(), "dirty": None if status is None else bool(status.strip())}


def provenance(study: Any, inputs: dict[str, str] | None = None) -> dict[str, Any]:
    """A plain, JSON-able record of what produced a build or report.

    Parameters
    ----------
    study
        A :class:`samorg.config.Study` (its ``path`` and ``sites_path`` are hashed).
    inputs
        The input hashes (path under ``raw_dir`` → sha256), e.g. ``Manifest.inputs``; ``None``
        leaves them out.

    Returns
    -------
    dict
        ``samorg_version``, ``git_commit``, ``git_dirty`` (None when not a git checkout),
        ``python``, ``packages`` (name → version; output libraries and report libraries),
        ``code_sha256``, ``study_file`` and ``sites_file`` (``{"path", "sha256"}``), ``inputs``.
        Nothing is modified; nothing raises on a missing git or file.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> record = provenance(SimpleNamespace(path=None, sites_path=None))
    >>> sorted(record)[:4]
    ['code_sha256', 'git_commit', 'git_dirty', 'inputs']
    """
    git = git_state()

    def stamp(path: Any) -> dict[str, str | None] | None:
        if path is None:
            return None
        p = Path(path)
        return {"path": p.name, "sha256": _file_sha256(p)}

    return {
        "samorg_version": __version__,
        "git_commit": git["commit"],
        "git_dirty": git["dirty"],
        "python": platform.python_version(),
        "packages": dependency_versions(OUTPUT_DEPENDENCIES + REPORT_DEPENDENCIES),
        "code_sha256": code_hash(),
        "study_file": stamp(getattr(study, "path", None)),
        "sites_file": stamp(getattr(study, "sites_path", None)),
        "inputs": dict(sorted(inputs.items())) if inputs is not None else None,
    }
