"""Warnings from the models, recorded instead of hidden, and shown where a reader needs them.

Report code used to silence every warning around a model fit. :func:`model_warnings` records them
instead: warnings about the fit itself (convergence, numerical problems: ``RuntimeWarning`` and
statsmodels' ``ConvergenceWarning``/``ValueWarning``/``HessianInversionWarning``, all subclasses of
``UserWarning`` or ``RuntimeWarning``) become a note the section prints under its result, and every
warning goes to the run's log. Warnings meant for developers (``DeprecationWarning``,
``FutureWarning``, ``PendingDeprecationWarning``) go to the log only.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["DEVELOPER_WARNINGS", "model_warnings"]

log = logging.getLogger("samorg.report")

#: Warning categories about the code, not the result: logged, never shown to the reader.
DEVELOPER_WARNINGS = (DeprecationWarning, FutureWarning, PendingDeprecationWarning)


@contextmanager
def model_warnings(what: str, notes: list[str]) -> Iterator[None]:
    """Record the warnings raised inside the block: fit warnings are appended to ``notes`` (and logged).

    ``what`` names the computation (e.g. "ITS for askim") for the log. Each distinct message is
    noted once.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    seen: set[str] = set()
    for w in caught:
        message = str(w.message).strip()
        log.warning("%s: %s: %s", what, w.category.__name__, message)
        if issubclass(w.category, DEVELOPER_WARNINGS) or message in seen:
            continue
        seen.add(message)
        notes.append(message)
