"""The run's log (``reports/run.log``), and the check that the reports folder can be written at all.

Each report run rewrites ``run.log`` in its output folder: when, which samorg, where the report
templates came from, how many reports were reused and how many built, and per report its status, time,
the kind of kernel that ran it (``warm``, or ``fresh`` and why), its error, and whether it was reused
(nothing it depends on changed, :mod:`samorg.report.cache`) or why it was built. The same lines go to the
``samorg.report`` logger.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from samorg.errors import ReportError

if TYPE_CHECKING:
    from samorg.report.runner import ReportOutcome

__all__ = ["RUN_LOG", "check_writable", "kernel_text", "log_outcome", "write_run_log"]

RUN_LOG = "run.log"
log = logging.getLogger("samorg.report")


def check_writable(out_dir: Path, names: Iterable[str]) -> None:
    """Refuse, before anything runs, a reports folder (or a report's folder in it) samorg cannot write.

    Creates ``out_dir`` when it is missing. Raises :class:`~samorg.errors.ReportError` naming the folder,
    what the system said and the fix; nothing already there is changed.
    """
    folders = [out_dir] + [out_dir / n for n in names if (out_dir / n).is_dir()]
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(dir=folder, prefix=".samorg-write-test-")
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise ReportError(
                f"{folder}: the reports cannot be written here ({exc.strerror or exc}). Expected a folder samorg "
                "may create files in; nothing was run and the reports already there are as they were. Make the "
                "folder writable, or write the reports elsewhere with --out DIR."
            ) from exc


def kernel_text(outcome: ReportOutcome) -> str:
    """``"warm"``, ``"fresh (why)"`` or ``"fresh"``; ``"–"`` when no kernel was started."""
    if not outcome.kernel:
        return "–"
    return f"{outcome.kernel} ({outcome.kernel_reason})" if outcome.kernel_reason else outcome.kernel


def _line(o: ReportOutcome) -> str:
    if getattr(o, "reused", False):
        return f"{o.name}: {o.status}, reused ({o.reason})" if o.reason else f"{o.name}: {o.status}, reused"
    text = f"{o.name}: {o.status} in {o.seconds:.1f} s, kernel {kernel_text(o)}"
    reason = getattr(o, "reason", "")
    return text + (f", built: {reason}" if reason else "") + (f"; {o.error}" if o.error else "")


def log_outcome(outcome: ReportOutcome) -> None:
    """One line for a finished report on the ``samorg.report`` logger (warning when it failed)."""
    log.log(logging.INFO if outcome.ok else logging.WARNING, _line(outcome))


def write_run_log(outcomes: Iterable[ReportOutcome], path: Path, *, templates: Iterable[Path] = ()) -> Path:
    """Write the run's log to ``path`` (replaced atomically); returns ``path``."""
    from samorg import __version__
    from samorg.report._files import replace_atomically as _replace_atomically

    outcomes = list(outcomes)
    failed = sum(not o.ok for o in outcomes)
    reused = sum(bool(getattr(o, "reused", False)) for o in outcomes)
    lines = [
        f"samorg {__version__} report run, {dt.datetime.now().replace(microsecond=0).isoformat(sep=' ')}",
        f"report templates: {', '.join(str(t) for t in templates) or '–'}",
        f"{len(outcomes)} reports, {len(outcomes) - failed} ok, {failed} failed; "
        f"{len(outcomes) - reused} built, {reused} reused (unchanged)",
        "",
    ]
    for o in outcomes:
        lines.append(_line(o))
        if o.error_detail and not o.ok:
            lines += ["    " + ln for ln in o.error_detail.splitlines()]
    _replace_atomically(path, ("\n".join(lines) + "\n").encode("utf-8"))
    return path
