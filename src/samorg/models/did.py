"""Difference in differences with inference that is honest about few clusters.

Model (weighted least squares when ``weights`` is given)::

    y_it = α + β_T treated_i + β_P post_t + δ (treated_i × post_t) + γ' covariates_it + ε_it

``unit=`` replaces ``group`` (treated_i) by unit fixed effects and ``time=`` replaces ``post`` by
time fixed effects (two-way fixed effects). ``δ`` is the estimate. The fixed effects are
absorbed (weighted alternating projections, Frisch–Waugh–Lovell) rather than built as
dummies, so an 80 000-row panel with hundreds of units fits in well under a second; the
small-sample factors count them as parameters, so every standard error equals the one from
the regression with dummies. Inference (DESIGN.md §4):

* ``classical``: OLS standard errors, t(n − k).
* ``robust``: HC1 sandwich, t(n − k).
* ``cluster``: CR1 (G/(G−1)·(n−1)/(n−k)), t(G − 1). Warns below 12 clusters (and the sentence
  says how many there are), and with one or two treated clusters.
* ``wild``: restricted wild cluster bootstrap of the CR1 t-statistic. Rademacher weights, or
  Webb's six-point weights below 12 clusters; with fixed effects not nested in the clusters
  (period effects) each bootstrap sample is re-projected off them, as the regression with
  dummies does; every sign pattern is enumerated when there
  are no more of them than ``draws``; random draws are seeded (``seed``). The interval
  inverts the bootstrap test.
* ``permutation``: randomisation inference over which units are treated: all
  ``C(G, G_treated)`` assignments when there are no more than ``draws`` (exact), else
  random ones (seeded). ``post`` stays as given on each row. The p-value counts
  assignments with an estimate at least as far from zero; the smallest attainable p
  (1/assignments) is in ``details["min_attainable_p"]``; the interval inverts the test
  for a constant additive effect; ``std_error`` is NaN (no standard error is shown for an
  interval that inverts a permutation test; the distribution's spread is in
  ``details["permutation_sd"]``). The default wherever few units are treated.
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
from samorg.models._did_inference import permutation
from samorg.models._panel import absorb, group_sums
from samorg.models._vocabulary import renamed_keywords, inference_value
from samorg.models.result import Effect, ModelWarning, caveat_text

__all__ = ["DiDResult", "did"]

INFERENCE = ("permutation", "wild", "cluster", "robust", "classical")
FEW_CLUSTERS = 12
_INFERENCE_TEXT = {
    "classical": ("klassiske standardfeil", "classical standard errors"),
    "robust": ("robuste standardfeil (HC1)", "robust (HC1) standard errors"),
    "cluster": ("klyngerobuste standardfeil (CR1, {G} klynger)", "cluster-robust standard errors (CR1, {G} clusters)"),
    "wild": ("wild cluster bootstrap ({weights}, {G} klynger, {B} trekk)",
             "wild cluster bootstrap ({weights}, {G} clusters, {B} draws)"),
    "permutation": ("permutasjonstest ({assign} tildelinger av tiltaksenheter)",
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
    group_means : DataFrame
        Mean outcome by group and period (``treated``, ``period``, ``mean``, ``n``, ``post``):
        per value of ``time`` when given, else per ``post``. What :func:`samorg.plots.plot_did` draws.
    """

    coefficients: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    cell_means: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    group_means: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)

    def plot_data(self) -> pd.DataFrame:
        """A copy of :attr:`group_means`."""
        return self.group_means.copy()

    def caveat_texts(self, *, lang: str = "nb") -> list[str]:
        out = []
        d = self.details
        for c in self.caveats:
            if c == "few_clusters":
                G = fmt.number(d["n_clusters"], lang=lang)
                out.append(f"Bare {G} klynger (under {FEW_CLUSTERS}): klyngerobuste p-verdier og intervaller blir for "
                           "optimistiske (forkaster nullhypotesen for ofte); tolk med forsiktighet." if lang == "nb" else
                           f"Only {G} clusters (fewer than {FEW_CLUSTERS}): cluster-robust p-values and intervals are "
                           "too optimistic (they over-reject); interpret with caution.")
            else:
                out.append(caveat_text(c, lang=lang))
        return out

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
        elif d.get("inference") == "wild":
            p_min = _p_text(d["min_attainable_p"], lang)
            if d["enumerated"]:
                out.append(f"Alle {fmt.number(d['draws'], lang=lang)} vektmønstre er regnet gjennom; minste "
                           f"oppnåelige p-verdi er {p_min}." if lang == "nb" else
                           f"All {fmt.number(d['draws'], lang=lang)} weight patterns were enumerated; the smallest "
                           f"attainable p-value is {p_min}.")
            else:
                out.append(f"Minste oppnåelige p-verdi med {fmt.number(d['draws'], lang=lang)} trekk er {p_min}."
                           if lang == "nb" else
                           f"The smallest attainable p-value with {fmt.number(d['draws'], lang=lang)} draws is {p_min}.")
        return out


@renamed_keywords(treated="group")
def did(
    data: pd.DataFrame,
    *,
    outcome: str,
    group: str,
    post: str,
    unit: str | None = None,
    time: str | None = None,
    covariates: Sequence[str] = (),
    weights: str | None = None,
    cluster: str | None = None,
    inference: str | None = None,
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
    group, post : str
        0/1 (or boolean) columns: the row belongs to the treated group; the row is after the start.
        (``group`` was called ``treated``; the old name still works with a FutureWarning.)
    unit, time : str, optional
        Add unit / time fixed effects (they absorb ``group`` / ``post``). ``unit`` is also
        the default cluster and the unit that permutation inference reassigns.
    covariates : sequence of str
        Numeric control columns.
    weights : str, optional
        Column of non-negative analytic weights (e.g. population).
    cluster : str, optional
        Cluster column for ``cluster``/``wild``; defaults to ``unit``.
    inference : {"permutation", "wild", "cluster", "robust", "classical"}, optional
        Default (docs/api.md §2): ``"permutation"`` when ``unit`` is given, treatment is constant
        within units and fewer than 12 units are treated (DESIGN.md §4); else ``"cluster"`` with
        clusters, else ``"robust"``.
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
        Under ``permutation`` ``std_error`` is NaN: the interval inverts the permutation test and
        has no standard-error scale (the permutation distribution's spread is in
        ``details["permutation_sd"]``).

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
    >>> round(did(df, outcome="y", group="g", post="p", inference="classical").estimate, 2)
    2.5
    """
    _check_args(data, level, draws)
    covariates = list(covariates)
    cluster = cluster or unit
    frame, rows, y, T, P, w = _rows(data, outcome, group, post, unit, time, weights, cluster, covariates)
    inference = inference_value("did", inference, INFERENCE) if inference is not None else \
        _default_inference(frame, T, unit, cluster)
    m = _fit(frame, y, T, P, w, unit, time, covariates, cluster, inference)
    details: dict[str, Any] = {
        "outcome": outcome, "inference": inference, "cluster": cluster, "n_clusters": m.G or None,
        "fixed_effects": tuple(x for x in (unit, time) if x), "weights": weights, "covariates": tuple(covariates),
        "n_dropped_missing": int((~rows).sum()), "n_params": m.k,
        "call": {"estimator": "did", "outcome": outcome, "group": group, "post": post, "unit": unit, "time": time,
                 "covariates": tuple(covariates), "weights": weights, "cluster": cluster, "inference": inference,
                 "draws": draws, "seed": seed, "level": level, "caveats": tuple(caveats)},
    }
    if m.groups is not None:
        details["n_treated_clusters"] = len(set(m.groups[T == 1]))
    coefs, df_ = _analytic(m, inference, level)
    d = m.names.index("did")
    est, std, p_d, lo_d, hi_d = (float(coefs.iloc[d][c]) for c in ("estimate", "std_error", "p_value", "ci_low",
                                                                    "ci_high"))
    details["reference_distribution"] = f"t({df_:g})"
    local_caveats = list(caveats) + _inference_caveats(inference, unit, cluster, m.G, details)
    text_args: dict[str, Any] = {"G": m.G}
    rng = np.random.default_rng(seed)
    if inference == "wild":
        p_d, lo_d, hi_d = _wild(m, int(draws), rng, level, seed, details, text_args)
    elif inference == "permutation":
        est, std, p_d, lo_d, hi_d = permutation(frame, m.yw, m.Xw, m.names, w, m.sw, m.factors, T, P,
                                                 unit or cluster, group, unit is not None, int(draws), rng, level,
                                                 details, seed)
        text_args.update(P=details["draws"], enumerated=details["enumerated"], N=details["n_assignments"])
        if details["min_attainable_p"] >= 1 - level:
            local_caveats.append("min_attainable_p")
    inf_nb, inf_en = _INFERENCE_TEXT[inference]
    nb_args, en_args = _text_args(text_args, "nb"), _text_args(text_args, "en")
    cells = (pd.DataFrame({"treated": T.astype(int), "post": P.astype(int), "y": y * w, "w": w})
             .groupby(["treated", "post"]).sum())
    cell_means = (cells["y"] / cells["w"]).unstack("post").rename_axis(columns="post")
    details.update(method_nb="forskjell i forskjeller (minste kvadraters metode)",
                   inference_nb=inf_nb.format(**nb_args), df_resid=float(m.n - m.k))
    return DiDResult(
        estimate=float(est), std_error=float(std), ci_low=float(lo_d), ci_high=float(hi_d), p_value=float(p_d),
        level=level, link="identity", method="difference in differences (least squares)",
        inference=inf_en.format(**en_args), n_obs=m.n, term="did", details=details, caveats=tuple(local_caveats),
        coefficients=coefs, cell_means=cell_means, group_means=_group_means(frame, y, w, T, P, time),
    )


def _check_args(data: Any, level: float, draws: Any) -> None:
    if not 0 < level < 1:
        raise ModelError(f"level={level!r} must be between 0 and 1, e.g. 0.95.")
    if not isinstance(draws, (int, np.integer)) or draws < 99:
        raise ModelError(f"draws={draws!r} must be a whole number ≥ 99 (9999 is the default).")
    if not isinstance(data, pd.DataFrame):
        raise ModelError(f"did() expected a pandas DataFrame as data, got {type(data).__name__}.")


def _rows(data, outcome, group, post, unit, time, weights, cluster, covariates):
    """The complete rows, the outcome, the 0/1 indicators and the weights; errors for degenerate designs."""
    needed = [outcome, group, post] + [c for c in (unit, time, weights, cluster) if c] + covariates
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise ModelError(f"Column(s) {missing} are not in the data. The data have columns {list(data.columns)}.")
    frame = data[list(dict.fromkeys(needed))]
    rows = frame.notna().all(axis=1).to_numpy()
    frame = frame[rows].reset_index(drop=True)
    if len(frame) == 0:
        raise ModelError("No row has all of the needed columns filled in.")
    y = _numeric(frame, outcome)
    T, P = _indicator(frame, group), _indicator(frame, post)
    if (T * P).sum() == 0:
        raise ModelError(f'No row is both treated ("{group}" = 1) and post ("{post}" = 1): there is no effect to '
                         "estimate.")
    if T.min() == 1:
        raise ModelError(f'Every row is treated ("{group}" = 1): a difference in differences needs a comparison '
                         "group.")
    if P.min() == 1 or P.max() == 0:
        raise ModelError(f'"{post}" is the same in every row: a difference in differences needs rows before and after '
                         "(no pre-period, or an intervention outside the data).")
    if not (T[P == 0] == 1).any():
        raise ModelError(f'No treated row ("{group}" = 1) is before the start ("{post}" = 0): there is no '
                         "pre-period for the treated group.")
    if np.ptp(y) == 0:
        raise ModelError(f'Outcome "{outcome}" is constant ({y[0]!r}) in every row, so there is nothing to compare.')
    w = np.ones(len(y)) if weights is None else _numeric(frame, weights)
    if (w < 0).any() or w.sum() == 0:
        raise ModelError(f'Weights "{weights}" must be non-negative and not all zero.')
    return frame, rows, y, T, P, w


def _default_inference(frame: pd.DataFrame, T: np.ndarray, unit: str | None, cluster: str | None) -> str:
    """Permutation where treated units are few (DESIGN.md §4), else cluster (or robust without clusters)."""
    if unit is not None:
        per_unit = pd.Series(T).groupby(pd.factorize(frame[unit], sort=True)[0]).agg(["min", "max"])
        constant = bool((per_unit["min"] == per_unit["max"]).all())
        if constant and int(per_unit["max"].sum()) < FEW_CLUSTERS:
            return "permutation"
    return "cluster" if cluster else "robust"


@dataclass
class _Model:
    """The least-squares fit in √weight space, fixed effects absorbed."""

    Xw: np.ndarray
    yw: np.ndarray
    X: np.ndarray
    names: list[str]
    factors: list[np.ndarray]
    w: np.ndarray
    sw: np.ndarray
    bread: np.ndarray
    beta: np.ndarray
    resid: np.ndarray
    n: int
    k: int
    groups: np.ndarray | None
    G: int


def _fit(frame, y, T, P, w, unit, time, covariates, cluster, inference) -> _Model:
    sw = np.sqrt(w)
    X, names = _design(frame, T, P, T * P, unit, time, covariates)
    factors = _factors(frame, unit, time)
    n_fe = sum(int(f.max()) + 1 for f in factors) - (len(factors) - 1 if len(factors) > 1 else 0)
    Xw, yw = absorb(X, factors, w) * sw[:, None], absorb(y, factors, w) * sw
    n, k_small = Xw.shape
    k = k_small + n_fe  # every estimated parameter, fixed effects included (as with dummies)
    lost = np.linalg.norm(Xw, axis=0) <= 1e-9 * np.maximum(np.linalg.norm(X * sw[:, None], axis=0), 1e-300)
    if lost.any() or np.linalg.matrix_rank(Xw) < k_small:
        bad = [names[i] for i in np.flatnonzero(lost)] or names
        raise ModelError(f"The model terms are collinear ({bad} repeat the fixed effects or each other, e.g. a "
                         f"covariate constant within {unit!r} or {time!r}). Drop the offending covariate.")
    if n - k < 1:
        raise ModelError(f"{n} rows are too few for {k} model terms (fixed effects included).")
    bread = np.linalg.inv(Xw.T @ Xw)
    beta = bread @ Xw.T @ yw
    groups, G = None, 0
    if cluster:
        codes, uniq = pd.factorize(frame[cluster], sort=True)
        groups, G = codes, len(uniq)
    if inference in ("cluster", "wild") and not cluster:
        raise ModelError(f"inference={inference!r} needs clusters: pass cluster= (or unit=), e.g. the municipality.")
    if inference in ("cluster", "wild") and G < 2:
        raise ModelError(f'Only {G} cluster in "{cluster}" (one site): cluster-robust inference needs at least 2 (and '
                         "≥ 12 to be reliable). Add comparison units, or use inference='classical' with care.")
    return _Model(Xw=Xw, yw=yw, X=X, names=names, factors=factors, w=w, sw=sw, bread=bread, beta=beta,
                  resid=yw - Xw @ beta, n=n, k=k, groups=groups, G=G)


def _analytic(m: _Model, inference: str, level: float) -> tuple[pd.DataFrame, float]:
    """Every term with classical / HC1 / CR1 errors (CR1 under wild and permutation)."""
    if inference == "classical":
        cov, df = m.bread * float(m.resid @ m.resid) / (m.n - m.k), m.n - m.k
    elif inference == "robust":
        S = m.Xw * m.resid[:, None]
        cov, df = m.bread @ (S.T @ S) @ m.bread * m.n / (m.n - m.k), m.n - m.k
    elif m.groups is not None:
        cov, df = _cr1(m.bread, m.Xw, m.resid, m.groups, m.G, m.k), m.G - 1
    else:
        cov, df = m.bread * float(m.resid @ m.resid) / (m.n - m.k), m.n - m.k
    se = np.sqrt(np.diag(cov))
    p, lo, hi = inf.wald(m.beta, se, level=level, df=df)
    coefs = pd.DataFrame({"estimate": m.beta, "std_error": se, "ci_low": lo, "ci_high": hi, "p_value": p},
                         index=pd.Index(m.names, name="term"))
    return coefs, float(df)


def _inference_caveats(inference: str, unit, cluster, G: int, details: dict) -> list[str]:
    """Caveats (and warnings) for inference that the design cannot fully support."""
    out = []
    if inference in ("classical", "robust") and unit is not None:
        out.append("rows_independent")
    if inference == "cluster" and G < FEW_CLUSTERS:
        out.append("few_clusters")
        warnings.warn(f"Only {G} clusters in \"{cluster}\": cluster-robust p-values over-reject below about "
                      f"{FEW_CLUSTERS}. Prefer inference='permutation' (or 'wild', Webb weights).",
                      ModelWarning, stacklevel=4)
    elif inference == "wild" and G < FEW_CLUSTERS:
        out.append("few_clusters_wild")
        warnings.warn(f"Only {G} clusters in \"{cluster}\": the wild cluster bootstrap uses Webb weights and is "
                      "approximate; consider inference='permutation' as well.", ModelWarning, stacklevel=4)
    if inference in ("cluster", "wild") and details.get("n_treated_clusters", 99) <= 2:
        out.append("few_treated_clusters")
        if inference == "cluster" and G >= FEW_CLUSTERS:
            warnings.warn(f"Only {details['n_treated_clusters']} treated cluster(s): cluster-robust p-values "
                          "over-reject however many comparison clusters there are. Prefer inference='permutation'.",
                          ModelWarning, stacklevel=4)
    return out


def _wild(m: _Model, draws: int, rng, level: float, seed: int, details: dict, text_args: dict):
    """Restricted wild cluster bootstrap; bootstrap errors are re-projected off the fixed effects."""
    kind = "webb" if m.G < FEW_CLUSTERS else "rademacher"
    draws_ = rs.wild_weights(m.G, draws=draws, kind=kind, rng=rng)
    cr1 = m.G / (m.G - 1) * (m.n - 1) / (m.n - m.k)
    test = rs.WildClusterTest(m.yw, m.Xw, m.names.index("did"), m.groups, draws_, cr1,
                              fixed_effects=m.factors, weights=m.w)
    lo, hi = test.confidence_interval(level)
    details.update(bootstrap_weights=kind, draws=draws_.weights.shape[1], enumerated=draws_.enumerated,
                   min_attainable_p=draws_.min_attainable_p, seed=seed, reference_distribution="wild bootstrap")
    text_args.update(weights="Webb" if kind == "webb" else "Rademacher", B=draws_.weights.shape[1])
    return test.p_value(0.0), lo, hi


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
    """The regressors that are not fixed effects (those are absorbed, see :func:`_factors`)."""
    cols, names = [], []
    if not unit and not time:
        cols.append(np.ones(len(T)))
        names.append("const")
    if not unit:
        cols.append(T)
        names.append("treated")
    if not time:
        cols.append(P)
        names.append("post")
    cols.append(D)
    names.append("did")
    for c in covariates:
        cols.append(_numeric(frame, c))
        names.append(c)
    return np.column_stack(cols), names


def _factors(frame, unit, time) -> list[np.ndarray]:
    return [pd.factorize(frame[c], sort=True)[0] for c in (unit, time) if c]


def _cr1(bread, Xw, resid, groups, G, k) -> np.ndarray:
    n = Xw.shape[0]
    S = group_sums(groups, Xw * resid[:, None], G)
    return G / (G - 1) * (n - 1) / (n - k) * bread @ (S.T @ S) @ bread


def _group_means(frame, y, w, T, P, time) -> pd.DataFrame:
    """Mean outcome per group (treated / comparison) and period (``time``, or ``post`` without it)."""
    key = frame[time].to_numpy() if time else P.astype(int)
    g = pd.DataFrame({"period": key, "treated": T.astype(int), "yw": y * w, "w": w, "post": P.astype(int)})
    out = g.groupby(["treated", "period"], sort=True).agg(yw=("yw", "sum"), w=("w", "sum"), n=("w", "size"),
                                                          post=("post", "max")).reset_index()
    out["mean"] = out["yw"] / out["w"]
    return out[["treated", "period", "mean", "n", "post"]]
