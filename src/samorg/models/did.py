"""Difference in differences with inference that is honest about few clusters.

Model (weighted least squares when ``weights`` is given)::

    y_it = α + β_T treated_i + β_P post_t + δ (treated_i × post_t) + γ' covariates_it + ε_it

``unit=`` replaces ``treated`` by unit fixed effects and ``time=`` replaces ``post`` by
time fixed effects (two-way fixed effects). ``δ`` is the estimate. Inference
(DESIGN.md §4):

* ``classical``: OLS standard errors, t(n − k).
* ``robust``: HC1 sandwich, t(n − k).
* ``cluster``: CR1 (G/(G−1)·(n−1)/(n−k)), t(G − 1). Warns below 12 clusters.
* ``wild``: restricted wild cluster bootstrap of the CR1 t-statistic. Rademacher weights, or
  Webb's six-point weights below 12 clusters; every sign pattern is enumerated when there
  are no more of them than ``draws``; random draws are seeded (``seed``). The interval
  inverts the bootstrap test.
* ``permutation``: randomisation inference over which units are treated: all
  ``C(G, G_treated)`` assignments when there are no more than ``draws`` (exact), else
  random ones (seeded). ``post`` stays as given on each row. The p-value counts
  assignments with an estimate at least as far from zero; the smallest attainable p
  (1/assignments) is in ``details["min_attainable_p"]``; the interval inverts the test
  for a constant additive effect; ``std_error`` is the spread of the permutation distribution.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.errors import ModelError
from samorg.models import _inference as inf
from samorg.models import _resampling as rs
from samorg.models.result import Effect, ModelWarning

__all__ = ["DiDResult", "did"]

INFERENCE = ("classical", "robust", "cluster", "wild", "permutation")
FEW_CLUSTERS = 12
_INFERENCE_TEXT = {
    "classical": ("klassiske standardfeil", "classical standard errors"),
    "robust": ("robuste standardfeil (HC1)", "robust (HC1) standard errors"),
    "cluster": ("klyngerobuste standardfeil (CR1, {G} klynger)", "cluster-robust standard errors (CR1, {G} clusters)"),
    "wild": ("wild cluster bootstrap ({weights}, {G} klynger, {B} trekk)",
             "wild cluster bootstrap ({weights}, {G} clusters, {B} draws)"),
    "permutation": ("permutasjonstest ({assign} tildelinger av behandlede enheter)",
                    "permutation test ({assign} assignments of treated units)"),
}
_EXACT = {
    True: ("alle {N} mulige", "all {N} possible"),
    False: ("{P} tilfeldig valgte av {N} mulige", "{P} random of {N} possible"),
}


@dataclass(frozen=True, kw_only=True)
class DiDResult(Effect):
    """The result of :func:`did`: the difference-in-differences effect, plus the fit.

    Attributes (beyond :class:`Effect`)
    -----------------------------------
    coefficients : DataFrame
        Every term (fixed effects excluded) with ``estimate, std_error, ci_low, ci_high,
        p_value`` under ``classical``/``robust``/``cluster`` standard errors (CR1 for
        ``wild``/``permutation``; only the ``did`` row carries the resampling inference).
    cell_means : DataFrame
        Mean outcome by ``treated`` × ``post`` (weighted if weights were given).
    """

    coefficients: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    cell_means: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)

    def _extra_caveats(self, lang: str) -> list[str]:
        out = []
        d = self.details
        if d.get("inference") == "permutation":
            p_min = _p_text(d["min_attainable_p"], lang)
            n, draws = fmt.number(d["n_assignments"], lang=lang), fmt.number(d["draws"], lang=lang)
            if d["enumerated"]:
                out.append(f"Med {n} mulige tildelinger er minste oppnåelige p-verdi {p_min}." if lang == "nb" else
                           f"With {n} possible assignments the smallest attainable p-value is {p_min}.")
            else:
                out.append(f"p-verdien bygger på {draws} tilfeldige av {n} mulige tildelinger; minste oppnåelige "
                           f"p-verdi er {p_min}." if lang == "nb" else
                           f"The p-value uses {draws} random of {n} possible assignments; the smallest attainable "
                           f"p-value is {p_min}.")
        return out


def did(
    data: pd.DataFrame,
    *,
    outcome: str,
    treated: str,
    post: str,
    unit: str | None = None,
    time: str | None = None,
    covariates: Sequence[str] = (),
    weights: str | None = None,
    cluster: str | None = None,
    inference: str = "cluster",
    draws: int = 9999,
    seed: int = 20200101,
    level: float = 0.95,
    caveats: Sequence[str] = (),
) -> DiDResult:
    """Estimate a difference-in-differences effect by (weighted) least squares.

    Parameters
    ----------
    data : DataFrame
        One row per unit × period (or per observation). Not modified.
    outcome : str
        Numeric outcome column.
    treated, post : str
        0/1 (or boolean) columns: the unit is in the treated group; the row is after the start.
    unit, time : str, optional
        Add unit / time fixed effects (they absorb ``treated`` / ``post``). ``unit`` is also
        the default cluster and the unit that permutation inference reassigns.
    covariates : sequence of str
        Numeric control columns.
    weights : str, optional
        Column of non-negative analytic weights (e.g. population).
    cluster : str, optional
        Cluster column for ``cluster``/``wild``; defaults to ``unit``.
    inference : {"classical", "robust", "cluster", "wild", "permutation"}
    draws : int
        Bootstrap draws / random permutations (enumeration is used when it is smaller).
    seed : int
        Seed for random draws: the same inputs always give the same p-value.
    level : float
        Confidence level.
    caveats : sequence of str
        Extra caveats (keys of :data:`samorg.models.CAVEATS` or text).

    Returns
    -------
    DiDResult

    Raises
    ------
    ModelError
        Missing columns, non-0/1 indicators, no treated-and-post rows, no comparison group,
        collinear terms, fewer than 2 clusters, treatment varying within a unit (permutation).

    Warns
    -----
    ModelWarning
        Cluster-robust inference with fewer than 12 clusters.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0, 2, 3, 6, 1, 2, 3, 7], "g": [0, 0, 1, 1] * 2, "p": [0, 1] * 4,
    ...                    "u": [1, 1, 2, 2, 3, 3, 4, 4]})
    >>> round(did(df, outcome="y", treated="g", post="p", inference="classical").estimate, 2)
    2.5
    """
    if inference not in INFERENCE:
        raise ModelError(f"inference={inference!r} is not supported. Expected one of {INFERENCE}.")
    if not 0 < level < 1:
        raise ModelError(f"level={level!r} must be between 0 and 1, e.g. 0.95.")
    if not isinstance(draws, (int, np.integer)) or draws < 99:
        raise ModelError(f"draws={draws!r} must be a whole number ≥ 99 (9999 is the default).")
    if not isinstance(data, pd.DataFrame):
        raise ModelError(f"did() expected a pandas DataFrame as data, got {type(data).__name__}.")
    covariates = list(covariates)
    cluster = cluster or unit
    needed = [outcome, treated, post] + [c for c in (unit, time, weights, cluster) if c] + covariates
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise ModelError(f"Column(s) {missing} are not in the data. The data have columns {list(data.columns)}.")
    frame = data[list(dict.fromkeys(needed))]
    rows = frame.notna().all(axis=1).to_numpy()
    frame = frame[rows].reset_index(drop=True)
    if len(frame) == 0:
        raise ModelError("No row has all of the needed columns filled in.")

    y = _numeric(frame, outcome)
    T, P = _indicator(frame, treated), _indicator(frame, post)
    D = T * P
    if D.sum() == 0:
        raise ModelError(f'No row is both treated ("{treated}" = 1) and post ("{post}" = 1): there is no effect to '
                         "estimate.")
    if T.min() == 1:
        raise ModelError(f'Every row is treated ("{treated}" = 1): a difference in differences needs a comparison '
                         "group.")
    if P.min() == 1 or P.max() == 0:
        raise ModelError(f'"{post}" is the same in every row: a difference in differences needs rows before and after.')
    w = np.ones(len(y)) if weights is None else _numeric(frame, weights)
    if (w < 0).any() or w.sum() == 0:
        raise ModelError(f'Weights "{weights}" must be non-negative and not all zero.')
    sw = np.sqrt(w)

    X, names = _design(frame, T, P, D, unit, time, covariates)
    fixed = [i for i, n in enumerate(names) if not n.startswith(("unit[", "time["))]
    Xw, yw = X * sw[:, None], y * sw
    n, k = Xw.shape
    if np.linalg.matrix_rank(Xw) < k:
        raise ModelError(f"The model terms are collinear (e.g. a covariate that repeats {treated!r} or {post!r}, or "
                         "a fixed effect with a single row). Drop the offending covariate.")
    if n - k < 1:
        raise ModelError(f"{n} rows are too few for {k} model terms.")
    bread = np.linalg.inv(Xw.T @ Xw)
    beta = bread @ Xw.T @ yw
    resid = yw - Xw @ beta
    d_ix = names.index("did")

    groups, G = None, 0
    if cluster:
        codes, uniq = pd.factorize(frame[cluster], sort=True)
        groups, G = codes, len(uniq)
    if inference in ("cluster", "wild") and not cluster:
        raise ModelError(f"inference={inference!r} needs clusters: pass cluster= (or unit=), e.g. the municipality.")
    if inference in ("cluster", "wild") and G < 2:
        raise ModelError(f'Only {G} cluster in "{cluster}": cluster-robust inference needs at least 2 (and ≥ 12 to '
                         "be reliable). Use inference='permutation' or 'classical'.")

    local_caveats = list(caveats)
    details: dict[str, Any] = {"outcome": outcome, "inference": inference, "cluster": cluster,
                               "n_clusters": G or None, "fixed_effects": tuple(x for x in (unit, time) if x),
                               "weights": weights, "covariates": tuple(covariates), "n_dropped_missing": int((~rows).sum())}
    if groups is not None:
        treated_clusters = len(set(groups[T == 1]))
        details["n_treated_clusters"] = treated_clusters

    # classical / HC1 / CR1 for all terms
    if inference == "classical":
        cov = bread * float(resid @ resid) / (n - k)
        df = n - k
    elif inference == "robust":
        cov = inf.sandwich(bread, Xw * resid[:, None])
        df = n - k
    else:
        cov = _cr1(bread, Xw, resid, groups, G) if groups is not None else bread * float(resid @ resid) / (n - k)
        df = G - 1 if groups is not None else n - k
    se = np.sqrt(np.diag(cov))
    p, lo, hi = inf.wald(beta, se, level=level, df=df)
    coefs = pd.DataFrame({"estimate": beta, "std_error": se, "ci_low": lo, "ci_high": hi, "p_value": p},
                         index=pd.Index(names, name="term")).iloc[fixed]
    est, std, p_d, lo_d, hi_d = beta[d_ix], se[d_ix], p[d_ix], lo[d_ix], hi[d_ix]
    details["reference_distribution"] = f"t({df:g})"
    text_args: dict[str, Any] = {"G": G}

    if inference == "cluster" and G < FEW_CLUSTERS:
        local_caveats.append("few_clusters")
        warnings.warn(f"Only {G} clusters in \"{cluster}\": cluster-robust p-values over-reject below about "
                      f"{FEW_CLUSTERS}. Prefer inference='wild' (Webb weights) or 'permutation'.",
                      ModelWarning, stacklevel=2)
    elif inference == "wild" and G < FEW_CLUSTERS:
        local_caveats.append("few_clusters_wild")
        warnings.warn(f"Only {G} clusters in \"{cluster}\": the wild cluster bootstrap uses Webb weights and is "
                      "approximate; consider inference='permutation' as well.", ModelWarning, stacklevel=2)
    if inference in ("cluster", "wild") and details.get("n_treated_clusters", 99) <= 2:
        local_caveats.append("few_treated_clusters")

    rng = np.random.default_rng(seed)
    if inference == "wild":
        kind = "webb" if G < FEW_CLUSTERS else "rademacher"
        draws_ = rs.wild_weights(G, draws=int(draws), kind=kind, rng=rng)
        cr1 = G / (G - 1) * (n - 1) / (n - k)
        test = rs.WildClusterTest(yw, Xw, d_ix, groups, draws_, cr1)
        p_d = test.p_value(0.0)
        lo_d, hi_d = test.confidence_interval(level)
        details.update(bootstrap_weights=kind, draws=draws_.weights.shape[1], enumerated=draws_.enumerated,
                       min_attainable_p=draws_.min_attainable_p, seed=seed, reference_distribution="wild bootstrap")
        text_args.update(weights="Webb" if kind == "webb" else "Rademacher", B=draws_.weights.shape[1])
    elif inference == "permutation":
        est, std, p_d, lo_d, hi_d = _permutation(frame, yw, Xw, names, sw, T, P, unit or cluster, treated, post,
                                                 unit is not None, int(draws), rng, level, details, seed)
        text_args.update(P=details["draws"], enumerated=details["enumerated"], N=details["n_assignments"])
        if details["min_attainable_p"] >= 1 - level:
            local_caveats.append("min_attainable_p")

    inf_nb, inf_en = _INFERENCE_TEXT[inference]
    nb_args, en_args = _text_args(text_args, "nb"), _text_args(text_args, "en")
    cells = (pd.DataFrame({"treated": T.astype(int), "post": P.astype(int), "y": y * w, "w": w})
             .groupby(["treated", "post"]).sum())
    cell_means = (cells["y"] / cells["w"]).unstack("post").rename_axis(columns="post")
    details.update(method_nb="forskjell i forskjeller (minste kvadraters metode)",
                   inference_nb=inf_nb.format(**nb_args), df_resid=float(n - k))
    return DiDResult(
        estimate=float(est), std_error=float(std), ci_low=float(lo_d), ci_high=float(hi_d), p_value=float(p_d),
        level=level, link="identity", method="difference in differences (least squares)",
        inference=inf_en.format(**en_args), n_obs=n, term="did", details=details, caveats=tuple(local_caveats),
        coefficients=coefs, cell_means=cell_means,
    )


def _text_args(args: dict[str, Any], lang: str) -> dict[str, Any]:
    out = {k: fmt.number(v, lang=lang) if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else v
           for k, v in args.items()}
    if "enumerated" in args:
        out["assign"] = _EXACT[bool(args["enumerated"])][0 if lang == "nb" else 1].format(N=out["N"], P=out["P"])
    return out


def _p_text(p: float, lang: str) -> str:
    """A small probability with enough decimals to show its first two significant digits."""
    decimals = max(3, 1 - math.floor(math.log10(p))) if p > 0 else 3
    return fmt.number(p, decimals=decimals, lang=lang)


def _numeric(frame: pd.DataFrame, col: str) -> np.ndarray:
    if not (pd.api.types.is_numeric_dtype(frame[col]) or pd.api.types.is_bool_dtype(frame[col])):
        raise ModelError(f'Column "{col}" is not numeric (e.g. {frame[col].iloc[0]!r}).')
    return frame[col].to_numpy(dtype=float)


def _indicator(frame: pd.DataFrame, col: str) -> np.ndarray:
    v = _numeric(frame, col)
    bad = ~np.isin(v, (0.0, 1.0))
    if bad.any():
        raise ModelError(f'Column "{col}" must be 0/1 (or true/false), but has {v[bad][0]!r} in row '
                         f"{int(np.flatnonzero(bad)[0])}.")
    return v


def _design(frame, T, P, D, unit, time, covariates) -> tuple[np.ndarray, list[str]]:
    cols, names = [np.ones(len(T))], ["const"]
    if unit:
        dummies = pd.get_dummies(frame[unit].astype(str), prefix="", prefix_sep="", drop_first=True, dtype=float)
        cols += [dummies[c].to_numpy() for c in dummies]
        names += [f"unit[{c}]" for c in dummies]
    else:
        cols.append(T)
        names.append("treated")
    if time:
        dummies = pd.get_dummies(frame[time].astype(str), prefix="", prefix_sep="", drop_first=True, dtype=float)
        cols += [dummies[c].to_numpy() for c in dummies]
        names += [f"time[{c}]" for c in dummies]
    else:
        cols.append(P)
        names.append("post")
    cols.append(D)
    names.append("did")
    for c in covariates:
        cols.append(_numeric(frame, c))
        names.append(c)
    return np.column_stack(cols), names


def _cr1(bread, Xw, resid, groups, G) -> np.ndarray:
    n, k = Xw.shape
    onehot = np.zeros((n, G))
    onehot[np.arange(n), groups] = 1.0
    S = onehot.T @ (Xw * resid[:, None])
    return G / (G - 1) * (n - 1) / (n - k) * bread @ (S.T @ S) @ bread


def _permutation(frame, yw, Xw, names, sw, T, P, unit, treated, post, unit_fe, draws, rng, level, details, seed):
    if not unit:
        raise ModelError("inference='permutation' reassigns treatment across units: pass unit= (or cluster=).")
    codes, uniq = pd.factorize(frame[unit], sort=True)
    per_unit = pd.Series(T).groupby(codes).agg(["min", "max"])
    if (per_unit["min"] != per_unit["max"]).any():
        bad = uniq[int(per_unit.index[(per_unit["min"] != per_unit["max"])][0])]
        raise ModelError(f'"{treated}" varies within unit {bad!r} of "{unit}"; permutation inference needs one '
                         "treatment status per unit.")
    unit_treated = per_unit["max"].to_numpy()
    n_units, n_t = len(unit_treated), int(unit_treated.sum())
    if n_units - n_t < 1:
        raise ModelError("Permutation inference needs at least one comparison unit.")
    assign, enumerated = rs.assignments(n_units, n_t, draws=draws, rng=rng)
    if not enumerated:  # the observed assignment is always one of the draws
        assign = np.vstack([unit_treated, assign])
    varying = [names.index("did")] + ([] if unit_fe else [names.index("treated")])
    O = np.delete(Xw, varying, axis=1)
    est_AB = rs.permutation_estimates(np.column_stack([yw, Xw[:, names.index("did")]]), O, sw, P, codes, assign,
                                      treated_in_model=not unit_fe)
    observed = rs.permutation_estimates(np.column_stack([yw, Xw[:, names.index("did")]]), O, sw, P, codes,
                                        unit_treated[None, :], treated_in_model=not unit_fe)[0]
    est = float(observed[0])
    A, B = est_AB[:, 0], est_AB[:, 1]
    ok = np.isfinite(A)
    extreme = int(np.sum(np.abs(A[ok]) >= abs(est) * (1 - 1e-10) - 1e-12))
    total = int(ok.sum())
    p = extreme / total
    lo, hi = rs.permutation_interval(est, A[ok], B[ok], level)
    details.update(n_assignments=total if enumerated else math.comb(n_units, n_t), draws=total,
                   enumerated=enumerated, min_attainable_p=1 / total, n_units=n_units, n_treated_units=n_t,
                   seed=None if enumerated else seed, reference_distribution="permutation",
                   std_error_kind="standard deviation of the permutation distribution")
    return est, float(np.std(A[ok], ddof=1)), p, lo, hi
