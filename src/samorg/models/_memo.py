"""Fit once per process: an estimator called again with the same data and arguments returns the same result.

A site report fits its headline ITS for the summary at the top (``samorg.analysis.fit_site``) and again
in the model cell the reader audits (``its(...)`` with its full specification), with the same data and
arguments; :func:`memoised` makes the second call return the first result (issue 17). The key is the
content of every DataFrame argument (values, index, column names and dtypes) and the value of every
other argument; an argument that is not a plain value (a mutable object, an array) means no memo for
that call. Results are frozen dataclasses and are shared, not copied.

Warnings the fit raised are raised again on every call, from where that call was made (as the fit
would have raised them), so a cached result shows the same warnings in the same cell. Errors are not
kept: a call that fails fails again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["clear", "memoised"]

_SIZE = 32
_CACHE: OrderedDict[tuple, tuple[Any, list]] = OrderedDict()
_LOCK = threading.Lock()
_REGISTRIES: dict[str, dict] = {}
_PLAIN = (str, bytes, int, float, bool, type(None), dt.date, dt.datetime, dt.timedelta, pd.Timestamp,
          pd.Timedelta, np.generic)


class _NoKey(Exception):
    """An argument that cannot be part of a key."""


def _frame_digest(frame: pd.DataFrame | pd.Series) -> tuple:
    try:
        rows = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    except (TypeError, ValueError) as exc:
        raise _NoKey from exc
    digest = hashlib.blake2b(rows.tobytes(), digest_size=16).hexdigest()
    if isinstance(frame, pd.Series):
        return ("series", str(frame.name), str(frame.dtype), len(frame), digest)
    return ("frame", tuple(map(str, frame.columns)), tuple(map(str, frame.dtypes)), len(frame), digest)


def _freeze(value: Any) -> Any:
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return _frame_digest(value)
    if isinstance(value, _PLAIN):
        return (type(value).__name__, value)
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_freeze(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), _freeze(v)) for k, v in value.items())))
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and value.__dataclass_params__.frozen:
        return (type(value).__qualname__, _freeze(dataclasses.astuple(value)))
    raise _NoKey(type(value).__name__)


def _replay(caught: list) -> None:
    """Raise the recorded warnings again. One recorded at this module's line was aimed at the estimator's
    caller (the estimators set ``stacklevel`` for that), so it is raised at our caller's line."""
    for w in caught:
        if w.filename == __file__:
            warnings.warn(w.message, w.category, stacklevel=3)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno,
                                   registry=_REGISTRIES.setdefault(w.filename, {}))


def _key(fn: Callable, args: tuple, kwargs: dict) -> tuple | None:
    try:
        key = (fn.__module__, fn.__qualname__, _freeze(args), _freeze(dict(kwargs)))
        hash(key)
    except (_NoKey, TypeError):
        return None
    return key


def memoised(fn: Callable) -> Callable:
    """Decorator: same data and arguments → the same result, fitted once per process (see the module)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = _key(fn, args, kwargs)
        with _LOCK:
            hit = _CACHE.get(key) if key is not None else None
            if hit is not None:
                _CACHE.move_to_end(key)
        if hit is None:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                result = fn(*args, **kwargs)
            hit = (result, list(caught))
            if key is not None:
                with _LOCK:
                    _CACHE[key] = hit
                    while len(_CACHE) > _SIZE:
                        _CACHE.popitem(last=False)
        _replay(hit[1])
        return hit[0]

    return wrapper


def clear() -> None:
    """Forget every kept result (tests)."""
    with _LOCK:
        _CACHE.clear()
