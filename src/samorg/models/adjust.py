"""Adjusted p-values across many outcomes and sites (DESIGN.md §4: "one call away").

With six survey items, several service indicators and eleven sites, some p-values fall
below 0.05 by chance. :func:`adjust` takes the results of one family of tests and returns
them as one tidy table with adjusted p-values (statsmodels' ``multipletests`` underneath):

* ``"holm"``: Holm's step-down method; controls the family-wise error rate (the chance of
  any false finding) under any dependence between the tests.
* ``"fdr_bh"``: Benjamini–Hochberg; controls the false discovery rate (the expected share of
  false findings among those reported), valid for independent or positively dependent tests.

A p-value at a design's floor (a permutation test's smallest attainable p) stays a valid
p-value, so it is adjusted as given. Missing p-values are kept in the table but left out of
the family (``p_adjusted`` is then missing). Inputs are never modified.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from samorg.errors import ModelError
from samorg.models.result import Effect

__all__ = ["adjust"]

METHODS = ("holm", "fdr_bh")
_COLUMNS = ["label", "outcome", "site", "term", "estimate", "std_error", "ci_low", "ci_high", "p_value"]


def adjust(
    results: Sequence[Effect] | Mapping[str, Effect] | pd.DataFrame,
    method: str = "holm",
    *,
    alpha: float = 0.05,
    p_column: str = "p_value",
) -> pd.DataFrame:
    """Adjust the p-values of a family of results for multiple testing.

    Parameters
    ----------
    results : sequence of Effect, mapping of label → Effect, or DataFrame
        The family. From Effects the table takes ``details["outcome"]`` and
        ``details["site"]`` when present; a mapping's keys become ``label``. A DataFrame
        needs a ``p_column`` and keeps all its columns. Not modified.
    method : {"holm", "fdr_bh"}
    alpha : float
        Level for the ``reject`` column.
    p_column : str
        The p-value column of a DataFrame.

    Returns
    -------
    DataFrame
        One row per result, in the given order: ``label, outcome, site, term, estimate,
        std_error, ci_low, ci_high, p_value`` (from Effects) or the input's columns, plus
        ``p_adjusted``, ``reject`` (p_adjusted < alpha), ``method`` and ``n_tests``.

    Raises
    ------
    ModelError
        An unknown method, an empty family, p-values outside 0–1, a missing p column.

    Examples
    --------
    >>> import pandas as pd
    >>> tab = adjust(pd.DataFrame({"item": ["a", "b", "c"], "p_value": [0.01, 0.04, 0.03]}), "holm")
    >>> tab["p_adjusted"].round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    if method not in METHODS:
        raise ModelError(f"method={method!r} is not supported. Expected one of {METHODS}: 'holm' (family-wise error "
                         "rate) or 'fdr_bh' (false discovery rate).")
    if not 0 < alpha < 1:
        raise ModelError(f"alpha={alpha!r} must be between 0 and 1, e.g. 0.05.")
    table = _table(results, p_column)
    p = pd.to_numeric(table[p_column], errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(p)
    if not ok.any():
        raise ModelError("No result in the family has a p-value; there is nothing to adjust.")
    if ((p[ok] < 0) | (p[ok] > 1 + 1e-12)).any():
        raise ModelError(f"p-values must lie between 0 and 1; got {p[ok][(p[ok] < 0) | (p[ok] > 1)][0]!r}.")
    from statsmodels.stats.multitest import multipletests

    adjusted = np.full(len(p), np.nan)
    adjusted[ok] = multipletests(np.clip(p[ok], 0, 1), alpha=alpha, method=method)[1]
    return table.assign(p_adjusted=adjusted, reject=np.where(ok, adjusted < alpha, False), method=method,
                        n_tests=int(ok.sum()))


def _table(results: Any, p_column: str) -> pd.DataFrame:
    if isinstance(results, pd.DataFrame):
        if p_column not in results.columns:
            raise ModelError(f'The table has no "{p_column}" column; it has {list(results.columns)}. Pass p_column=.')
        if len(results) == 0:
            raise ModelError("The table of results is empty; there is nothing to adjust.")
        return results.reset_index(drop=not _named_index(results))
    if isinstance(results, Effect):
        results = [results]
    items = list(results.items()) if isinstance(results, Mapping) else [(None, r) for r in results]
    if not items:
        raise ModelError("adjust() got no results; pass a list of Effects, a mapping or a DataFrame.")
    rows = []
    for label, r in items:
        if not isinstance(r, Effect):
            raise ModelError(f"adjust() expected Effect results, got {type(r).__name__}. Pass a DataFrame with a "
                             "p_value column for other inputs.")
        d = r.details
        rows.append({"label": label if label is not None else _label(r), "outcome": d.get("outcome"),
                     "site": d.get("site"), "term": r.term, "estimate": r.estimate, "std_error": r.std_error,
                     "ci_low": r.ci_low, "ci_high": r.ci_high, "p_value": r.p_value})
    if p_column != "p_value":
        raise ModelError("p_column only applies to a DataFrame; Effects always use their p_value.")
    return pd.DataFrame(rows, columns=_COLUMNS)


def _label(r: Effect) -> str:
    parts = [str(x) for x in (r.details.get("site"), r.details.get("outcome"), r.term) if x]
    return " / ".join(parts)


def _named_index(frame: pd.DataFrame) -> bool:
    return any(name is not None for name in frame.index.names)
