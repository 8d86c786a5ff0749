"""Connecting to a Dask distributed scheduler, for the parts of samorg that can hand work to a cluster
(``samorg report --executor dask`` and ``samorg national monthly --executor dask``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from samorg.errors import SamorgError

__all__ = ["CONNECT_TIMEOUT", "NEEDS_SCHEDULER", "dask_client"]

#: Seconds to wait for the Dask scheduler to answer before giving up.
CONNECT_TIMEOUT = 20
NEEDS_SCHEDULER = "executor='dask' needs the scheduler's address, e.g. --scheduler tcp://10.0.0.5:8786."


@contextlib.contextmanager
def dask_client(scheduler: str | None, *, error: type[SamorgError] = SamorgError,
                timeout: float | None = None) -> Iterator[Any]:
    """A ``distributed.Client`` connected to ``scheduler``, closed on exit.

    Raises ``error`` (a :class:`SamorgError` subclass) saying what to do when the address is missing,
    Dask's distributed package is not installed, or the scheduler does not answer.
    """
    if not scheduler:
        raise error(NEEDS_SCHEDULER)
    try:
        from distributed import Client
    except ImportError as exc:
        raise error("executor='dask' needs Dask's distributed scheduler: pip install 'samorg[dask]'.") from exc
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT if timeout is None else timeout, set_as_default=False)
    except OSError as exc:
        raise error(f"Could not reach the Dask scheduler at {scheduler}: {exc}. Check the address and "
                    "that the scheduler is running.") from exc
    try:
        with client.as_current():
            yield client
    finally:
        client.close()
