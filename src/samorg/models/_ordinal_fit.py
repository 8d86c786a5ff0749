"""The fitting half of the ordinal models: weighted cumulative-link fit, design, errors, result class.

Shared by :func:`samorg.models.ordinal` and :func:`samorg.models.ordinal_change` (module
``ordinal_diff``), so neither imports the other.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.errors import ModelError
from samorg.models import _inference as inf
from samorg.models._ordinal_hessian import analytic_hessian as _analytic_hessian
from samorg.models._ordinal_hessian import link_cdf, link_pdf
from samorg.models._ordinal_hessian import threshold_jacobian as _threshold_jacobian
from samorg.models._vocabulary import inference_value
from samorg.models.result import Effect

LINKS = ("logit", "probit")
INFERENCE = ("classical", "robust", "cluster")
_BIG = 25.0  # |coefficient| beyond this on the latent scale means (quasi-)separation
FEW_CLUSTERS = 12  # below this, cluster-robust p-values over-reject (as in did())


# --------------------------------------------------------------------------- statsmodels subclass
@functools.lru_cache(maxsize=1)
def _weighted_model_class() -> type:
    """``OrderedModel`` with case weights, analytic scores and Hessian (built lazily: statsmodels is heavy)."""
    from statsmodels.miscmodels.ordinal_model import OrderedModel
    from statsmodels.tools.numdiff import approx_fprime

    class WeightedOrderedModel(OrderedModel):
        """OrderedModel whose log-likelihood is ``Σ w_i ℓ_i`` (survey / frequency weights)."""

        def __init__(self, endog, exog, *, case_weights, distr):
            super().__init__(endog, exog, distr=distr)
            self.case_weights = np.asarray(case_weights, dtype=float)

        def loglikeobs(self, params):
            return self.case_weights * super().loglikeobs(params)

        def score_obs(self, params):
            return self.case_weights[:, None] * self._score_obs_unweighted(params)

        def score(self, params):
            return self.score_obs(params).sum(0)

        def cdf(self, x):
            fast = link_cdf(self.distr, x)
            return super().cdf(x) if fast is None else fast

        def pdf(self, x):
            fast = link_pdf(self.distr, x)
            return super().pdf(x) if fast is None else fast

        def hessian(self, params):
            return _analytic_hessian(self, np.asarray(params, dtype=float))

        def numerical_hessian(self, params):
            """Central differences of the analytic score (the Hessian used before the analytic one; tests)."""
            h = approx_fprime(np.asarray(params, dtype=float), self.score, centered=True)
            return (h + h.T) / 2

        def _score_obs_unweighted(self, params):
            params = np.asarray(params, dtype=float)
            k = self.exog.shape[1]
            low, upp = self._bounds(params)
            prob = np.clip(self.prob(low, upp), 1e-300, None)
            f_upp = np.where(np.isfinite(upp), self.pdf(np.where(np.isfinite(upp), upp, 0.0)), 0.0)
            f_low = np.where(np.isfinite(low), self.pdf(np.where(np.isfinite(low), low, 0.0)), 0.0)
            n, n_cut = len(prob), self.k_levels - 1
            d_theta = np.zeros((n, n_cut))
            y = np.asarray(self.endog, dtype=int)
            rows = np.arange(n)
            upper = y < n_cut
            d_theta[rows[upper], y[upper]] += f_upp[upper] / prob[upper]
            lower = y > 0
            d_theta[rows[lower], y[lower] - 1] -= f_low[lower] / prob[lower]
            d_beta = -((f_upp - f_low) / prob)[:, None] * self.exog
            return np.column_stack([d_beta, d_theta @ _threshold_jacobian(params[k:])])

    return WeightedOrderedModel


def _thresholds(a: np.ndarray) -> np.ndarray:
    return np.concatenate([a[:1], a[0] + np.cumsum(np.exp(a[1:]))])


def _cdf(link: str, x: np.ndarray) -> np.ndarray:
    from scipy import special

    return special.expit(x) if link == "logit" else special.ndtr(x)


# --------------------------------------------------------------------------- the fit
@dataclass(frozen=True)
class _Fit:
    params: np.ndarray  # (β, a) in statsmodels' parameterisation
    cov: np.ndarray
    k: int  # number of β
    link: str
    llf: float
    n_obs: int
    inference: str
    n_clusters: int | None

    @property
    def beta(self) -> np.ndarray:
        return self.params[: self.k]

    @property
    def df(self) -> float | None:
        """Degrees of freedom of the reference t distribution: G − 1 with clusters, else None (normal)."""
        return float(self.n_clusters - 1) if self.inference == "cluster" and self.n_clusters else None

    @property
    def reference_distribution(self) -> str:
        return "normal" if self.df is None else f"t({self.df:g})"

    def cum_probs(self, X: np.ndarray, params: np.ndarray | None = None) -> np.ndarray:
        """P(y ≤ k) for k = 1 … K−1, one row per row of X."""
        p = self.params if params is None else params
        xb = X @ p[: self.k] if self.k else np.zeros(len(X))
        return _cdf(self.link, _thresholds(p[self.k:])[None, :] - xb[:, None])

    def cat_probs(self, X: np.ndarray, params: np.ndarray | None = None) -> np.ndarray:
        cum = self.cum_probs(X, params)
        n = len(cum)
        return np.diff(np.column_stack([np.zeros(n), cum, np.ones(n)]), axis=1)

    def threshold_table(self, names: list[str], level: float) -> pd.DataFrame:
        a = self.params[self.k:]
        jac = _threshold_jacobian(a)
        cov_a = self.cov[self.k:, self.k:]
        se = np.sqrt(np.diag(jac @ cov_a @ jac.T))
        est = _thresholds(a)
        p, lo, hi = inf.wald(est, se, level=level, df=self.df)
        return pd.DataFrame({"estimate": est, "std_error": se, "ci_low": lo, "ci_high": hi, "p_value": p},
                            index=pd.Index(names, name="threshold"))


def _fit(y: np.ndarray, X: np.ndarray, *, K: int, w: np.ndarray | None, clusters: np.ndarray | None,
         link: str, inference: str) -> _Fit:
    """Fit the (weighted) cumulative-link model; y holds codes 0 … K−1, every code observed."""
    import warnings

    Model = _weighted_model_class()
    n = len(y)
    weights = np.ones(n) if w is None else w / w.mean()
    model = Model(y, X, case_weights=weights, distr=link)
    start = _start_params(y, K, weights, X.shape[1], link)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(start_params=start, method="newton", maxiter=100, disp=False)
        params = np.asarray(res.params, dtype=float)
        converged = bool(res.mle_retvals.get("converged", False))
        if not converged or not np.all(np.isfinite(params)):
            res = model.fit(start_params=start, method="bfgs", maxiter=2000, disp=False, gtol=1e-9)
            params = np.asarray(res.params, dtype=float)
            converged = bool(res.mle_retvals.get("converged", False))
    k = X.shape[1]
    if not np.all(np.isfinite(params)) or np.any(np.abs(params[:k]) > _BIG):
        raise ModelError("The ordinal model does not converge: some predictor separates the answers (e.g. every "
                         "respondent in one group gave the same answer), so its coefficient runs off to infinity. "
                         "Merge sparse categories or groups, or drop the predictor.")
    H = model.hessian(params)
    try:
        bread = np.linalg.inv(-H)
    except np.linalg.LinAlgError:
        raise ModelError("The ordinal model's information matrix is singular (collinear predictors or a category "
                         "no one chose). Drop a predictor or merge categories.") from None
    n_clusters = None
    if inference == "classical":
        cov = bread
    else:
        scores = model.score_obs(params)
        if inference == "cluster":
            codes, uniq = pd.factorize(clusters, sort=True)
            n_clusters = len(uniq)
            if n_clusters < 2:
                raise ModelError(f"Only {n_clusters} cluster: cluster-robust errors need at least 2 (and about "
                                 f"{FEW_CLUSTERS} to be reliable). Drop cluster= or pool site estimates with pool().")
            S = np.zeros((n_clusters, scores.shape[1]))
            np.add.at(S, codes, scores)
            factor = n_clusters / (n_clusters - 1)
        else:
            S, factor = scores, n / (n - 1)
        cov = bread @ (S.T @ S) @ bread * factor
    if not converged:
        grad = model.score(params)
        if np.max(np.abs(grad)) > 1e-4 * max(1.0, n):
            raise ModelError("The ordinal model did not converge. Check for categories with very few answers or "
                             "predictors with extreme values.")
    llf = float(model.loglike(params) * (1.0 if w is None else w.mean()))
    return _Fit(params=params, cov=cov, k=k, link=link, llf=llf, n_obs=n, inference=inference, n_clusters=n_clusters)


def _start_params(y: np.ndarray, K: int, w: np.ndarray, k: int, link: str) -> np.ndarray:
    from scipy import special

    share = np.bincount(y, weights=w, minlength=K) / w.sum()
    cum = np.clip(np.cumsum(share)[:-1], 1e-6, 1 - 1e-6)
    theta = special.logit(cum) if link == "logit" else special.ndtri(cum)
    theta = np.maximum.accumulate(theta + np.arange(K - 1) * 1e-6)
    a = np.concatenate([theta[:1], np.log(np.maximum(np.diff(theta), 1e-6))])
    return np.concatenate([np.zeros(k), a])


# --------------------------------------------------------------------------- data handling
@dataclass(frozen=True)
class _Outcome:
    codes: np.ndarray  # 0 … K−1 over the observed categories
    labels: tuple[Any, ...]  # observed categories, worst → best
    scale: tuple[Any, ...]  # the full answer scale, worst → best
    positions: np.ndarray  # index in ``scale`` of each observed category
    scores: np.ndarray  # numeric score of each observed category (1 … for labels, the value for numbers)


def _outcome(series: pd.Series, name: str) -> _Outcome:
    if isinstance(series.dtype, pd.CategoricalDtype):
        scale = tuple(series.cat.categories)
        pos_all = series.cat.codes.to_numpy()
        scores_all = np.arange(1, len(scale) + 1, dtype=float)
    elif pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.to_numpy(dtype=float)
        scale = tuple(_plain(v) for v in np.unique(values))
        pos_all = np.searchsorted(np.asarray(scale, dtype=float), values)
        scores_all = np.asarray(scale, dtype=float)
    else:
        raise ModelError(f'The outcome "{name}" must be an ordered categorical (worst → best, as '
                         "load_survey_responses(..., ordered=True) gives) or numeric answer codes such as 1–5; got "
                         f"{series.dtype} (e.g. {series.iloc[0]!r}).")
    used = np.unique(pos_all)
    if len(used) < 2:
        only = scale[int(used[0])] if len(used) else None
        raise ModelError(f'All {len(series)} answers to "{name}" are {only!r}: an ordinal model needs at least two '
                         "different answers. Report the share instead, or combine with more respondents or waves.")
    codes = np.searchsorted(used, pos_all)
    return _Outcome(codes=codes, labels=tuple(scale[i] for i in used), scale=scale, positions=used,
                    scores=scores_all[used])


def _plain(v: Any) -> Any:
    return int(v) if float(v).is_integer() else float(v)


@dataclass(frozen=True)
class _Term:
    column: str
    kind: str  # "numeric" or "categorical"
    levels: tuple[Any, ...] = ()

    @property
    def names(self) -> list[str]:
        if self.kind == "numeric":
            return [self.column]
        return [f"{self.column}[{lvl}]" for lvl in self.levels[1:]]

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        col = frame[self.column]
        if self.kind == "numeric":
            return col.to_numpy(dtype=float)[:, None]
        values = col.to_numpy(dtype=object)
        return np.column_stack([(values == lvl).astype(float) for lvl in self.levels[1:]])


def _term(frame: pd.DataFrame, col: str) -> _Term:
    s = frame[col]
    if isinstance(s.dtype, pd.CategoricalDtype):
        levels = tuple(c for c in s.cat.categories if (s == c).any())
        kind = "categorical"
    elif pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        levels, kind = (), "numeric"
    else:
        levels, kind = tuple(sorted(s.unique(), key=str)), "categorical"
    if s.nunique() < 2:
        raise ModelError(f'The predictor "{col}" has the same value ({s.iloc[0]!r}) in every answered row: it cannot '
                         "explain differences. A group with no respondents? Check the filter, or drop the predictor.")
    return _Term(col, kind, levels)


def _design(frame: pd.DataFrame, terms: Sequence[_Term]) -> tuple[np.ndarray, list[str]]:
    if not terms:
        return np.zeros((len(frame), 0)), []
    blocks = [t.encode(frame) for t in terms]
    return np.column_stack(blocks), [n for t in terms for n in t.names]


def _check_rank(X: np.ndarray, names: list[str]) -> None:
    if not X.shape[1]:
        return
    full = np.column_stack([np.ones(len(X)), X])
    if np.linalg.matrix_rank(full) < full.shape[1]:
        raise ModelError(f"The predictors {names} are collinear (with each other or with the thresholds, which act as "
                         "the intercept). Drop the predictor that repeats another.")


def _weights(frame: pd.DataFrame, col: str | None) -> np.ndarray | None:
    if col is None:
        return None
    s = frame[col]
    if not pd.api.types.is_numeric_dtype(s):
        raise ModelError(f'Weights "{col}" must be numeric; got {s.dtype} (e.g. {s.iloc[0]!r}).')
    w = s.to_numpy(dtype=float)
    missing = ~np.isfinite(w)
    if missing.any():
        raise ModelError(f'{int(missing.sum())} answered row(s) have no weight in "{col}" (first at row '
                         f"{int(np.flatnonzero(missing)[0])}). Every answer needs a weight: recompute the weights "
                         "(samorg.models.weighting) or drop those rows.")
    if (w <= 0).any():
        bad = int((w <= 0).sum())
        raise ModelError(f'{bad} answered row(s) have a weight of zero or less in "{col}" (e.g. {w[w <= 0][0]!r}). '
                         "Weights must be positive: drop rows you mean to exclude instead of weighting them 0.")
    return w


def _columns(data: Any, needed: list[str], fn: str) -> None:
    if not isinstance(data, pd.DataFrame):
        raise ModelError(f"{fn}() expected a pandas DataFrame as data, got {type(data).__name__}.")
    missing = [c for c in dict.fromkeys(needed) if c not in data.columns]
    if missing:
        raise ModelError(f"Column(s) {missing} are not in the data. The data have columns {list(data.columns)}.")


def _inference_kind(inference: str | None, weights: str | None, cluster: str | None, fn: str = "ordinal") -> str:
    if inference is None:
        return "cluster" if cluster else ("robust" if weights else "classical")
    inference = inference_value(fn, inference, INFERENCE, stacklevel=4)
    if inference == "classical" and weights:
        raise ModelError("inference='classical' is wrong with survey weights (the weighted likelihood is not a true "
                         "likelihood). Use inference='robust' (the default with weights) or 'cluster'.")
    if inference == "cluster" and not cluster:
        raise ModelError("inference='cluster' needs cluster=, e.g. the site column.")
    return inference


_INFERENCE_TEXT = {
    "classical": ("modellbaserte standardfeil (observert informasjon)", "model-based standard errors (observed "
                  "information)"),
    "robust": ("robuste standardfeil (sandwich)", "robust (sandwich) standard errors"),
    "cluster": ("klyngerobuste standardfeil ({G} klynger)", "cluster-robust standard errors ({G} clusters)"),
}
_METHOD_TEXT = {
    "logit": ("ordinal logistisk regresjon (proporsjonale odds)", "ordered logit (proportional odds)"),
    "probit": ("ordinal probit-regresjon", "ordered probit"),
}


def _cluster_caveats(fit: _Fit) -> list[str]:
    """The few-clusters caveat (and a warning) when cluster-robust errors rest on fewer than 12 clusters."""
    if fit.inference != "cluster" or (fit.n_clusters or 0) >= FEW_CLUSTERS:
        return []
    import warnings

    from samorg.models.result import ModelWarning

    warnings.warn(f"Only {fit.n_clusters} clusters: cluster-robust p-values over-reject below about {FEW_CLUSTERS}. "
                  "Pool site-level estimates with samorg.models.meta.pool() (Hartung–Knapp) instead, or read the "
                  "interval as too narrow.", ModelWarning, stacklevel=3)
    return ["few_clusters"]


def _texts(fit: _Fit, weighted: bool) -> tuple[str, str, str, str]:
    nb_m, en_m = _METHOD_TEXT[fit.link]
    if weighted:
        nb_m, en_m = nb_m + ", vektet pseudo-likelihood", en_m + ", weighted pseudo-likelihood"
    nb_i, en_i = _INFERENCE_TEXT[fit.inference]
    G = fmt.number(fit.n_clusters or 0, lang="nb"), fmt.number(fit.n_clusters or 0, lang="en")
    return nb_m, en_m, nb_i.format(G=G[0]), en_i.format(G=G[1])


# --------------------------------------------------------------------------- ordinal()
@dataclass(frozen=True, kw_only=True)
class OrdinalResult(Effect):
    """The result of :func:`ordinal`: the first predictor's coefficient as the :class:`Effect`, plus the fit.

    ``estimate`` is on the latent scale: a log odds ratio for ``link="logit"`` (``.ratio()`` is
    the odds ratio of a better answer), probit units (standard deviations of the latent scale, no
    ratio) for ``link="probit"``.

    Attributes (beyond :class:`Effect`)
    -----------------------------------
    coefficients : DataFrame
        One row per predictor term (``estimate, std_error, ci_low, ci_high, p_value``).
    thresholds : DataFrame
        The cut points θ_k between adjacent categories (delta-method errors).
    categories : tuple
        The answer scale, worst → best (categories nobody chose have probability 0).
    """

    coefficients: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    thresholds: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    categories: tuple[Any, ...] = ()
    _fit: Any = field(default=None, repr=False, compare=False)
    _terms: tuple[_Term, ...] = field(default=(), repr=False, compare=False)
    _outcome: Any = field(default=None, repr=False, compare=False)
    _frame: Any = field(default=None, repr=False, compare=False)
    _weights: Any = field(default=None, repr=False, compare=False)

    def predict(self, data: pd.DataFrame) -> pd.DataFrame:
        """Predicted probability of each answer category for each row of ``data`` (not modified)."""
        X, _ = _design(data, self._terms)
        return self._expand(self._fit.cat_probs(X), index=data.index)

    def probabilities(self, by: str | Sequence[str] | None = None) -> pd.DataFrame:
        """Average predicted category probabilities (weighted as in the fit), overall or per group of ``by``."""
        frame = self._frame
        X, _ = _design(frame, self._terms)
        probs = self._expand(self._fit.cat_probs(X), index=frame.index)
        w = pd.Series(np.ones(len(frame)) if self._weights is None else self._weights, index=frame.index)
        if by is None:
            return (probs.mul(w, axis=0).sum() / w.sum()).to_frame("all").T
        keys = [by] if isinstance(by, str) else list(by)
        missing = [k for k in keys if k not in frame.columns]
        if missing:
            raise ModelError(f"probabilities(by=...) needs columns used in the fit; {missing} are not among "
                             f"{list(frame.columns)}.")
        num = probs.mul(w, axis=0).groupby([frame[k] for k in keys], observed=True).sum()
        return num.div(w.groupby([frame[k] for k in keys], observed=True).sum(), axis=0)

    def _expand(self, probs: np.ndarray, index: Any) -> pd.DataFrame:
        out = np.zeros((len(probs), len(self.categories)))
        out[:, self._outcome.positions] = probs
        return pd.DataFrame(out, index=index, columns=pd.Index(self.categories, name="category"))

    def sentence(self, lang: str = "nb", *, outcome_label: str | None = None, decimals: int | None = None,
                 caveats: bool = True) -> str:
        """A sentence on the first predictor: its odds ratio (logit) or probit coefficient, CI and p-value."""
        fmt._check_lang(lang)
        nb = lang == "nb"
        label = outcome_label or self.details.get("outcome") or ("utfallet" if nb else "the outcome")
        p_text = fmt.p_value(self.p_value, lang=lang)
        if self.link == "logit":
            value = fmt.number(self.ratio(), decimals=3, lang=lang)
            interval = fmt.ci(*self.ratio_ci(), decimals=3, lang=lang, level=self.level)
            what = (f"oddsforholdet for et bedre svar ved {self.term}" if nb else
                    f"the odds ratio of a better answer for {self.term}")
        else:
            d = 3 if decimals is None else decimals
            value = fmt.number(self.estimate, decimals=d, lang=lang)
            interval = fmt.ci(self.ci_low, self.ci_high, decimals=d, lang=lang, level=self.level)
            what = f"probit-koeffisienten for {self.term}" if nb else f"the probit coefficient of {self.term}"
        text = (f"For {label} er {what} anslått til {value} ({interval}; {p_text})." if nb else
                f"For {label}, {what} is estimated as {value} ({interval}; {p_text}).")
        how = (self.details.get("method_nb", self.method), self.details.get("inference_nb", self.inference)) if nb \
            else (self.method, self.inference)
        text += (" Metode: " if nb else " Method: ") + ", ".join(x for x in how if x) + "."
        if caveats and self.caveats:
            text += (" Forbehold: " if nb else " Caveats: ") + " ".join(self.caveat_texts(lang=lang))
        return text


def _ordinal_result(fit: _Fit, out: _Outcome, terms: tuple[_Term, ...], names: list[str], frame: pd.DataFrame,
                    w: np.ndarray | None, *, outcome: str, weights: str | None, cluster: str | None, level: float,
                    caveats: tuple[str, ...], n_dropped: int) -> OrdinalResult:
    se = np.sqrt(np.diag(fit.cov))[: fit.k]
    p, lo, hi = inf.wald(fit.beta, se, level=level, df=fit.df)  # t(G − 1) with clusters
    coefs = pd.DataFrame({"estimate": fit.beta, "std_error": se, "ci_low": lo, "ci_high": hi, "p_value": p},
                         index=pd.Index(names, name="term"))
    cut_names = [f"{a}|{b}" for a, b in zip(out.labels[:-1], out.labels[1:])]
    nb_m, en_m, nb_i, en_i = _texts(fit, w is not None)
    first = coefs.iloc[0] if len(coefs) else pd.Series({c: math.nan for c in coefs.columns})
    details = {"outcome": outcome, "link_function": fit.link, "weights": weights, "cluster": cluster,
               "n_clusters": fit.n_clusters, "log_likelihood": fit.llf, "n_dropped_missing": n_dropped,
               "categories_not_chosen": tuple(c for c in out.scale if c not in out.labels),
               "method_nb": nb_m, "inference_nb": nb_i, "reference_distribution": fit.reference_distribution}
    return OrdinalResult(
        estimate=float(first["estimate"]), std_error=float(first["std_error"]), ci_low=float(first["ci_low"]),
        ci_high=float(first["ci_high"]), p_value=float(first["p_value"]), level=level,
        link=fit.link, method=en_m, inference=en_i, n_obs=fit.n_obs,
        term=names[0] if names else "none", details=details, caveats=caveats, coefficients=coefs,
        thresholds=fit.threshold_table(cut_names, level), categories=out.scale, _fit=fit, _terms=terms,
        _outcome=out, _frame=frame, _weights=w,
    )
