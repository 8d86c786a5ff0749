"""Survey weights: post-stratification and raking to population margins, with the design effect.

Respondents to a library user survey are not a random sample of the population (older women
answer more than young men), so shares are re-weighted to known population totals, typically
age group × sex × municipality from SSB:

* :func:`poststratify`: every respondent in cell *h* gets ``N_h / n_h`` (population / respondents).
  Needs respondents in every populated cell.
* :func:`rake`: iterative proportional fitting (Deming & Stephan 1940) to several margins at
  once (e.g. age × sex jointly and municipality), when the full cross is too thin for
  post-stratification. Margins may be single columns or tuples of columns.

Both work on respondents: give ``respondent=`` when the frame is long (one row per respondent
× item, like ``survey_responses``), and every row of a respondent gets that respondent's weight.
The result reports Kish's design effect due to weighting, ``deff = n Σw² / (Σw)²``, and the
effective sample size ``n / deff`` — what the weighting costs in precision (feed ``deff`` to
:mod:`samorg.models.power`). Weights sum to the population total. Inputs are never modified.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.errors import ModelError
from samorg.models._display import ResultDisplay

__all__ = ["WeightingResult", "design_effect", "poststratify", "rake"]


def design_effect(weights: Any) -> float:
    """Kish's design effect due to unequal weights: ``n Σw² / (Σw)²`` (1 for equal weights).

    Examples
    --------
    >>> design_effect([1, 1, 1, 1]), design_effect([1, 1, 2, 4])
    (1.0, 1.375)
    """
    w = np.asarray(weights, dtype=float)
    if w.size == 0 or not np.all(np.isfinite(w)) or (w < 0).any() or w.sum() == 0:
        raise ModelError("design_effect() needs finite, non-negative weights that are not all zero.")
    return float(w.size * np.sum(w**2) / np.sum(w) ** 2)


@dataclass(frozen=True, kw_only=True)
class WeightingResult(ResultDisplay):
    """Weights and what they cost.

    Attributes
    ----------
    data : DataFrame
        A copy of the input with the weight column added (or replaced).
    weights : Series
        One weight per respondent (index: respondent id, or the row index).
    deff : float
        Kish's design effect due to weighting.
    effective_n : float
        ``n_respondents / deff``.
    n_respondents : int
    method : str
        "post-stratification" or "raking".
    cells : DataFrame
        Post-stratification: per cell the respondents, population and weight. Raking: per
        margin level the target, the weighted total reached and the respondents.
    iterations : int
        Raking iterations (0 for post-stratification).
    converged : bool
    max_error : float
        Largest relative difference between a weighted margin and its target.
    """

    data: pd.DataFrame = field(repr=False)
    weights: pd.Series = field(repr=False)
    deff: float
    effective_n: float
    n_respondents: int
    method: str
    cells: pd.DataFrame = field(repr=False)
    iterations: int = 0
    converged: bool = True
    max_error: float = 0.0

    def _headline(self) -> str:
        return (f"{self.method}: n={self.n_respondents}, deff={self.deff:.2f}, effective n={self.effective_n:.0f}, "
                f"{'converged' if self.converged else 'NOT converged'}")

    def _summary_title(self, lang: str) -> str:
        return ("Vekting: " if lang == "nb" else "Weighting: ") + self.method

    def _summary_rows(self, lang: str) -> list[tuple[str, str]]:
        nb = lang == "nb"
        return [
            ("Respondenter" if nb else "Respondents", fmt.number(self.n_respondents, lang=lang)),
            ("Designeffekt (Kish)" if nb else "Design effect (Kish)", fmt.number(self.deff, decimals=2, lang=lang)),
            ("Effektivt utvalg" if nb else "Effective n", fmt.number(self.effective_n, lang=lang)),
            ("Iterasjoner" if nb else "Iterations", fmt.number(self.iterations, lang=lang)),
            ("Konvergert" if nb else "Converged", ("ja" if self.converged else "nei") if nb else
             ("yes" if self.converged else "no")),
            ("Største avvik fra målet" if nb else "Largest margin error", fmt.percent(self.max_error, decimals=2,
                                                                                     lang=lang)),
        ]

    def to_frame(self) -> pd.DataFrame:
        """One-row summary: method, respondents, design effect, effective n, convergence."""
        return pd.DataFrame([{"method": self.method, "n_respondents": self.n_respondents, "deff": self.deff,
                              "effective_n": self.effective_n, "iterations": self.iterations,
                              "converged": self.converged, "max_error": self.max_error}])


def _respondents(data: pd.DataFrame, columns: list[str], respondent: str | None, fn: str) -> pd.DataFrame:
    if not isinstance(data, pd.DataFrame):
        raise ModelError(f"{fn}() expected a pandas DataFrame as data, got {type(data).__name__}.")
    needed = columns + ([respondent] if respondent else [])
    missing = [c for c in dict.fromkeys(needed) if c not in data.columns]
    if missing:
        raise ModelError(f"Column(s) {missing} are not in the data. The data have columns {list(data.columns)}.")
    if len(data) == 0:
        raise ModelError(f"{fn}() got no rows to weight.")
    frame = data[list(dict.fromkeys(needed))]
    if respondent:
        varying = frame.groupby(respondent, observed=True)[columns].nunique(dropna=False).max(axis=1)
        if (varying > 1).any():
            who = varying.index[varying > 1][0]
            raise ModelError(f"Respondent {who!r} has more than one value of {columns}; weighting variables must be "
                             "fixed per respondent.")
        frame = frame.drop_duplicates(respondent).set_index(respondent)
    blank = frame[columns].isna().any(axis=1)
    if blank.any():
        raise ModelError(f"{int(blank.sum())} respondent(s) have no value in {columns} "
                         f"(e.g. {frame.index[blank][0]!r}). "
                         "Give them a category (e.g. 'unknown') with its own population total, or drop them.")
    return frame


def _attach(data: pd.DataFrame, weights: pd.Series, respondent: str | None, weight_col: str) -> pd.DataFrame:
    if respondent:
        return data.assign(**{weight_col: data[respondent].map(weights).to_numpy(dtype=float)})
    return data.assign(**{weight_col: weights.to_numpy(dtype=float)})


def _key(frame: pd.DataFrame, cols: Sequence[str]) -> pd.Series:
    if len(cols) == 1:
        return frame[cols[0]].astype(object)
    return pd.Series(list(zip(*(frame[c].astype(object) for c in cols))), index=frame.index, dtype=object)


def _fmt_level(level: Any) -> str:
    return " × ".join(map(str, level)) if isinstance(level, tuple) else str(level)


# --------------------------------------------------------------------------- post-stratification
def poststratify(
    data: pd.DataFrame,
    population: pd.DataFrame,
    *,
    by: Sequence[str],
    population_col: str = "population",
    respondent: str | None = None,
    weight_col: str = "weight",
) -> WeightingResult:
    """Post-stratification weights ``N_h / n_h`` for the cells of ``by``.

    Parameters
    ----------
    data : DataFrame
        Respondents (one row each) or answers (give ``respondent=``). Not modified.
    population : DataFrame
        Population counts with the ``by`` columns and ``population_col`` (e.g. SSB counts by
        age group × sex × municipality); rows are summed to the cells of ``by``. Not modified.
    by : sequence of str
        Cell columns, present in both frames.
    population_col : str
    respondent : str, optional
        Respondent id column when there are several rows per respondent.
    weight_col : str
        Name of the weight column to add (replaced if present).

    Returns
    -------
    WeightingResult

    Raises
    ------
    ModelError
        A populated cell with no respondents (empty cell: collapse cells or rake instead), a
        respondent cell missing from the population table, repeated rows or negative counts.

    Examples
    --------
    >>> import pandas as pd
    >>> resp = pd.DataFrame({"sex": ["K", "K", "K", "M"]})
    >>> pop = pd.DataFrame({"sex": ["K", "M"], "population": [500, 500]})
    >>> poststratify(resp, pop, by=["sex"]).weights.tolist()
    [166.66666666666666, 166.66666666666666, 166.66666666666666, 500.0]
    """
    by = [by] if isinstance(by, str) else list(by)
    if not by:
        raise ModelError("poststratify() needs at least one cell column in by=.")
    frame = _respondents(data, by, respondent, "poststratify")
    if not isinstance(population, pd.DataFrame):
        raise ModelError(f"population must be a DataFrame, got {type(population).__name__}.")
    missing = [c for c in [*by, population_col] if c not in population.columns]
    if missing:
        raise ModelError(f"The population table lacks column(s) {missing}; it has {list(population.columns)}.")
    if population[population_col].isna().any() or (population[population_col] < 0).any():
        raise ModelError(f'The population table has missing or negative counts in "{population_col}".')
    if population.duplicated().any():
        dup = population[population.duplicated()].iloc[0]
        raise ModelError(f"The population table repeats the row for cell {tuple(dup[by])}; drop the duplicate.")
    # A finer table (e.g. also by municipality) is summed to the cells of ``by``.
    pop = population.groupby(by, observed=True, sort=False)[population_col].sum().reset_index()
    pop_key = _key(pop, by)
    resp_key = _key(frame, by)
    N = pd.Series(pop[population_col].to_numpy(dtype=float), index=pd.Index(pop_key.to_numpy(), tupleize_cols=False))
    n = resp_key.value_counts()
    unknown = sorted(set(n.index) - set(N.index), key=str)
    if unknown:
        raise ModelError(f"Respondents are in cell(s) not in the population table: "
                         f"{', '.join(_fmt_level(u) for u in unknown[:5])}. Add them, or recode the respondents' "
                         f"{by} to the population's categories.")
    empty = [c for c in N.index if N[c] > 0 and c not in n.index]
    if empty:
        raise ModelError(f"{len(empty)} populated cell(s) have no respondents: "
                         f"{', '.join(_fmt_level(c) for c in empty[:5])}{' …' if len(empty) > 5 else ''}. "
                         "Post-stratification cannot weight an empty cell. Collapse cells (e.g. fewer age groups), "
                         "or rake to the margins with rake().")
    w_cell = N.reindex(n.index) / n
    weights = pd.Series(resp_key.map(w_cell).to_numpy(dtype=float), index=frame.index, name=weight_col)
    cells = pd.DataFrame({"cell": [_fmt_level(c) for c in n.index], "respondents": n.to_numpy(),
                          "population": N.reindex(n.index).to_numpy(), "weight": w_cell.to_numpy()})
    deff = design_effect(weights)
    return WeightingResult(data=_attach(data, weights, respondent, weight_col), weights=weights, deff=deff,
                           effective_n=len(weights) / deff, n_respondents=len(weights), method="post-stratification",
                           cells=cells)


# --------------------------------------------------------------------------- raking
def rake(
    data: pd.DataFrame,
    margins: Mapping[str | tuple[str, ...], Any],
    *,
    respondent: str | None = None,
    base_weight: str | None = None,
    weight_col: str = "weight",
    max_iter: int = 100,
    tol: float = 1e-8,
) -> WeightingResult:
    """Raking (iterative proportional fitting) to population margins.

    Parameters
    ----------
    data : DataFrame
        Respondents, or answers with ``respondent=``. Not modified.
    margins : mapping
        ``{column: totals}`` or ``{(col_a, col_b): totals}``; totals a Series or dict keyed by
        level (tuples for joint margins), e.g. ``{("age_group", "sex"): ssb_age_sex,
        "municipality_code": {"3301": 105042, "3118": 47006}}``. Every margin must sum to the
        same population total.
    respondent : str, optional
    base_weight : str, optional
        Design weights to start from (default 1).
    weight_col : str
    max_iter : int
    tol : float
        Stop when every weighted margin is within ``tol`` (relative) of its target.

    Returns
    -------
    WeightingResult

    Raises
    ------
    ModelError
        Margins whose totals differ, a margin level with population but no respondents (empty
        cell), respondents in a level the margin lacks, bad base weights, no convergence.

    Examples
    --------
    >>> import pandas as pd
    >>> resp = pd.DataFrame({"sex": ["K", "K", "M", "M"], "age": ["ung", "eldre", "eldre", "eldre"]})
    >>> res = rake(resp, {"sex": {"K": 50, "M": 50}, "age": {"ung": 40, "eldre": 60}})
    >>> [round(w, 1) for w in res.weights]
    [40.0, 10.0, 25.0, 25.0]
    """
    if not isinstance(margins, Mapping) or not margins:
        raise ModelError("rake() needs margins: a mapping {column or (columns): totals by level}.")
    specs = []
    for key, totals in margins.items():
        cols = list(key) if isinstance(key, tuple) else [key]
        t = pd.Series(totals, dtype=float) if isinstance(totals, Mapping) else pd.Series(totals).astype(float)
        if len(cols) > 1 and not isinstance(t.index, pd.MultiIndex) and len(t) and not isinstance(t.index[0], tuple):
            raise ModelError(f"The margin {tuple(cols)} must be keyed by tuples of levels (or a MultiIndex).")
        t.index = pd.Index([tuple(i) if isinstance(i, tuple) else i for i in t.index], tupleize_cols=False)
        if t.isna().any() or (t < 0).any():
            raise ModelError(f"The margin {_fmt_level(tuple(cols))} has missing or negative totals.")
        specs.append((cols, t))
    totals = {_fmt_level(tuple(c)): float(t.sum()) for c, t in specs}
    ref = next(iter(totals.values()))
    if any(abs(v - ref) > 1e-6 * max(1.0, abs(ref)) for v in totals.values()):
        listing = ", ".join(f"{k}: {v:,.0f}" for k, v in totals.items())
        raise ModelError(f"The margins do not sum to the same population total ({listing}). Raking needs every margin "
                         "to describe the same population: check the year, the area and missing categories.")
    all_cols = list(dict.fromkeys(c for cols, _ in specs for c in cols))
    frame = _respondents(data, all_cols + ([base_weight] if base_weight else []), respondent, "rake")
    w = np.ones(len(frame)) if base_weight is None else frame[base_weight].to_numpy(dtype=float)
    if not np.all(np.isfinite(w)) or (w <= 0).any():
        raise ModelError(f'Base weights "{base_weight}" must be positive and present for every respondent.')
    keys = []
    for cols, t in specs:
        k = _key(frame, cols).to_numpy()
        present = pd.Index(pd.unique(k), tupleize_cols=False)
        unknown = [lvl for lvl in present if lvl not in t.index]
        if unknown:
            levels = ", ".join(_fmt_level(u) for u in unknown)
            raise ModelError(f"Respondents have {_fmt_level(tuple(cols))} = {levels}, "
                             "which the margin lacks. Add the level to the margin or recode the respondents.")
        empty = [lvl for lvl in t.index if t[lvl] > 0 and lvl not in present]
        if empty:
            raise ModelError(f"The margin {_fmt_level(tuple(cols))} has population in "
                             f"{', '.join(_fmt_level(e) for e in empty)} but no respondent there (an empty cell). "
                             "Merge that level with a neighbour in both the margin and the data.")
        keys.append((pd.Index(k, tupleize_cols=False), t))
    converged, it, err = False, 0, np.inf
    for it in range(1, max_iter + 1):
        for idx, t in keys:
            sums = pd.Series(w).groupby(idx.to_numpy()).sum()
            w = w * (t.reindex(idx).to_numpy() / sums.reindex(idx).to_numpy())
        err = max(_margin_error(w, idx, t) for idx, t in keys)
        if err < tol:
            converged = True
            break
    if not converged:
        raise ModelError(f"Raking did not converge in {max_iter} iterations (largest margin error {err:.2e}). The "
                         "margins may be incompatible with the sample (e.g. a joint margin that no respondent "
                         "combination can meet); merge sparse levels or raise max_iter.")
    weights = pd.Series(w, index=frame.index, name=weight_col)
    rows = []
    for (cols, t), (idx, _) in zip(specs, keys):
        reached = pd.Series(w).groupby(idx.to_numpy()).sum()
        counts = pd.Series(1, index=range(len(idx))).groupby(idx.to_numpy()).sum()
        for lvl in t.index:
            rows.append({"margin": _fmt_level(tuple(cols)), "level": _fmt_level(lvl), "target": t[lvl],
                         "weighted": float(reached.get(lvl, 0.0)), "respondents": int(counts.get(lvl, 0))})
    deff = design_effect(weights)
    return WeightingResult(data=_attach(data, weights, respondent, weight_col), weights=weights, deff=deff,
                           effective_n=len(weights) / deff, n_respondents=len(weights), method="raking",
                           cells=pd.DataFrame(rows), iterations=it, converged=converged, max_error=float(err))


def _margin_error(w: np.ndarray, idx: pd.Index, t: pd.Series) -> float:
    sums = pd.Series(w).groupby(idx.to_numpy()).sum()
    target = t[t > 0]
    return float(np.max(np.abs(sums.reindex(target.index).fillna(0).to_numpy() / target.to_numpy() - 1)))
