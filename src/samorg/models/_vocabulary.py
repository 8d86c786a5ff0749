"""One vocabulary for every estimator (docs/api.md): inference values and deprecation shims.

``renamed_keywords`` keeps old keyword names working for a while: the old name is mapped to the
new one with a ``FutureWarning`` that names the new keyword; giving both is an error.
``inference_value`` maps old inference spellings ("model", "analytic") onto the shared values.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping
from typing import Any

from samorg.errors import ModelError

#: Every way samorg computes uncertainty; each estimator supports a subset (docs/api.md).
INFERENCE = ("permutation", "wild", "cluster", "robust", "hac", "classical", "hartung_knapp", "none")

#: Old spellings of inference values, per estimator: old → new.
_OLD_VALUES = {"model": "classical", "analytic": "cluster"}


def renamed_keywords(**renames: str | tuple[str, Callable[[Any], Any]]) -> Callable:
    """Decorator: ``old=...`` still works (FutureWarning naming ``new``); ``renames`` is old → new, or
    old → (new, convert) when the old keyword's values change too (``knapp_hartung=True`` →
    ``inference="hartung_knapp"``)."""

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, target in renames.items():
                new, convert = target if isinstance(target, tuple) else (target, None)
                if old in kwargs:
                    if new in kwargs:
                        raise ModelError(f"{fn.__name__}() got both {old}= and {new}=. {old}= is the old name of "
                                         f"{new}=; give only {new}=.")
                    value = kwargs.pop(old)
                    value = convert(value) if convert else value
                    shown = f"{new}={value!r}" if convert else f"{new}="
                    warnings.warn(f"{fn.__name__}({old}=...) is deprecated; use {shown} instead (same meaning, see "
                                  "docs/api.md).", FutureWarning, stacklevel=2)
                    kwargs[new] = value
            return fn(*args, **kwargs)

        wrapper.__renamed_keywords__ = dict(renames)  # type: ignore[attr-defined]
        return wrapper

    return decorate


def inference_value(fn: str, value: Any, allowed: tuple[str, ...], *, aliases: Mapping[str, str] | None = None,
                    stacklevel: int = 3) -> str:
    """``value`` as one of ``allowed`` (a subset of :data:`INFERENCE`); old spellings warn, others fail."""
    table = {**_OLD_VALUES, **(aliases or {})}
    if isinstance(value, str) and value not in allowed and value in table and table[value] in allowed:
        new = table[value]
        warnings.warn(f"{fn}(inference={value!r}) is deprecated; use inference={new!r} (same method, see "
                      "docs/api.md).", FutureWarning, stacklevel=stacklevel)
        return new
    if value not in allowed:
        others = [v for v in INFERENCE if v not in allowed]
        hint = f" ({', '.join(others)} are not available for {fn}())" if value in others else ""
        raise ModelError(f"inference={value!r} is not supported by {fn}(){hint}. Expected one of {allowed}.")
    return value
