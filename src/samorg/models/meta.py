"""Random-effects meta-analysis and meta-regression: pooling what each site shows (aim 3).

The model (Viechtbauer 2010; metafor's ``rma.uni``)::

    y_i = x_i'β + u_i + e_i,   u_i ~ N(0, τ²),   e_i ~ N(0, v_i)   (v_i = std_error_i², known)

:func:`pool` is the intercept-only model (β = the average effect), :func:`meta_regression`
adds site characteristics (co-located or only co-organised, size, self-service hours) as the
model of effects and synergy. The between-site variance τ² is estimated by

* ``"reml"`` (default): restricted maximum likelihood, the root of ``y'PPy = tr(P)``;
* ``"pm"``: Paule–Mandel, the root of the generalised Q statistic ``y'Py = k − p``;
* ``"dl"``: DerSimonian–Laird, the method of moments ``(Q_E − (k − p)) / tr(P_FE)``;

each truncated at zero, with ``P = W − WX(X'WX)⁻¹X'W`` and ``W = diag(1/(v_i + τ²))``.
Roots are found with Brent's method to 1e-12, not iterated to a loose tolerance.

Inference is Hartung–Knapp(–Sidik–Jonkman) by default: the covariance ``(X'WX)⁻¹`` is scaled by
``y'Py/(k − p)`` and intervals and tests use t(k − p), because normal intervals around a
DerSimonian–Laird estimate are too narrow with few sites (IntHout et al. 2014). The
prediction interval for a new site is ``μ̂ ± crit · √(SE² + τ²)`` with the same critical value
(t(k − p) with Hartung–Knapp, else normal), as metafor's ``predict``. I² and H² follow metafor:
``I² = τ²/(τ² + s²)`` with the typical within-site variance ``s² = (k − p)/tr(P_FE)``.

statsmodels' ``combine_effects`` covers DL and PM for the intercept-only model but does not
truncate a negative DL estimate at zero, stops PM at a 1e-5 tolerance on the estimating
equation, and has neither REML nor moderators, so the estimators are written here (the tests
check them against it, against metafor's printed BCG results and against DerSimonian &
Kacker 2007). Inputs are never modified.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.errors import ModelError
from samorg.models._meta_fit import (
    INFERENCE,
    METHODS,
    _caveat_texts,
    _caveats,
    _check,
    _inputs,
    _rma,
    _tau2,
    _texts,
)
from samorg.models._vocabulary import inference_value, renamed_keywords
from samorg.models.result import RATIO_LINKS, Effect

__all__ = ["MetaRegressionResult", "PooledEffect", "meta_regression", "pool"]

_HK = ("inference", lambda v: "hartung_knapp" if v else "classical")


# --------------------------------------------------------------------------- pool()
@dataclass(frozen=True, kw_only=True)
class PooledEffect(Effect):
    """The result of :func:`pool`: the average effect over sites, with heterogeneity and a prediction interval.

    Attributes (beyond :class:`Effect`)
    -----------------------------------
    tau2 : float
        Between-site variance τ² (on the scale of the estimates).
    i2, h2 : float
        I² as a share (0–1) and H², from τ² (metafor's definitions).
    q, q_df, q_p_value : float
        Cochran's Q (fixed-effect heterogeneity statistic), its degrees of freedom and p-value.
    pi_low, pi_high : float
        Prediction interval for the effect at a new site.
    k : int
        Number of sites.
    studies : DataFrame
        Per site: label, estimate, std_error, ci_low, ci_high (normal), weight (share of the
        random-effects weight).
    """

    tau2: float = math.nan
    i2: float = math.nan
    h2: float = math.nan
    q: float = math.nan
    q_df: int = 0
    q_p_value: float = math.nan
    pi_low: float = math.nan
    pi_high: float = math.nan
    k: int = 0
    studies: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)

    def caveat_texts(self, *, lang: str = "nb") -> list[str]:
        return _caveat_texts(self.caveats, super().caveat_texts(lang=lang), lang)

    def sentence(self, lang: str = "nb", *, outcome_label: str | None = None, decimals: int | None = None,
                 caveats: bool = True) -> str:
        """The pooled effect with CI and p-value, the prediction interval and heterogeneity, method, caveats."""
        text = super().sentence(lang, outcome_label=outcome_label, decimals=decimals, caveats=False)
        nb = lang == "nb"
        if self.link not in RATIO_LINKS:
            from samorg.models.result import _auto_decimals

            d = _auto_decimals(self.std_error) if decimals is None else decimals
            pi = fmt.ci(self.pi_low, self.pi_high, decimals=d, lang=lang, label=False)
        else:
            pi = fmt.ci(math.exp(self.pi_low), math.exp(self.pi_high), decimals=3, lang=lang, label=False)
        lvl = fmt.level_text(self.level, lang=lang)
        tau2 = fmt.number(self.tau2, decimals=4 if self.tau2 < 0.01 else 3, lang=lang)
        i2 = fmt.percent(self.i2, decimals=1, lang=lang)
        if nb:
            text += (f" Et nytt sted kan ventes å ligge i {lvl} prediksjonsintervallet {pi}. Variasjon mellom "
                     f"stedene: τ² = {tau2}, I² = {i2} (Q = {fmt.number(self.q, decimals=1, lang=lang)}, "
                     f"{self.q_df} frihetsgrader).")
        else:
            text += (f" A new site can be expected within the {lvl} prediction interval {pi}. Between-site variation: "
                     f"τ² = {tau2}, I² = {i2} (Q = {fmt.number(self.q, decimals=1, lang=lang)}, {self.q_df} df).")
        if caveats and self.caveats:
            text += (" Forbehold: " if nb else " Caveats: ") + " ".join(self.caveat_texts(lang=lang))
        return text


@renamed_keywords(knapp_hartung=_HK)
def pool(
    estimates: Any,
    std_errors: Any = None,
    *,
    method: str = "reml",
    inference: str = "hartung_knapp",
    labels: Sequence[str] | None = None,
    level: float = 0.95,
    link: str | None = None,
    caveats: Sequence[str] = (),
) -> PooledEffect:
    """Pool site estimates with a random-effects meta-analysis.

    Parameters
    ----------
    estimates : sequence of float, or sequence of Effect
        One estimate per site (all on one scale, e.g. log rate ratios). A list of
        :class:`~samorg.models.Effect` results may be given instead, with ``std_errors=None``.
    std_errors : sequence of float
        Their standard errors (positive).
    method : {"reml", "pm", "dl"}
        Estimator of the between-site variance τ².
    inference : {"hartung_knapp", "classical"}
        Hartung–Knapp adjusted errors with t(k − 1) intervals (default), or normal ("classical").
        Old keyword ``knapp_hartung=True/False`` (deprecated, FutureWarning).
    labels : sequence of str, optional
        Site names (for the forest plot).
    level : float
    link : {"identity", "log", "logit"}, optional
        The scale of the estimates (taken from the Effects when those are given).
    caveats : sequence of str

    Returns
    -------
    PooledEffect

    Raises
    ------
    ModelError
        Fewer than two sites, missing values, non-positive standard errors, mismatched lengths.

    Examples
    --------
    >>> res = pool([0.1, 0.3, 0.2, 0.5], [0.1, 0.1, 0.15, 0.2], labels=["A", "B", "C", "D"])
    >>> round(res.estimate, 3), res.k
    (0.235, 4)
    """
    _check(method, level)
    knapp_hartung = inference_value("pool", inference, INFERENCE) == "hartung_knapp"
    y, v, labels_, eff_link, extra = _inputs(estimates, std_errors, labels, "pool")
    link = link or eff_link or "identity"
    k = len(y)
    X = np.ones((k, 1))
    fit = _rma(y, v, X, method=method, knapp_hartung=knapp_hartung, level=level)
    from scipy import stats

    mu = float(fit.beta[0])
    se = float(math.sqrt(fit.vcov[0, 0]))
    stat = mu / se
    p = float(2 * (stats.t.sf(abs(stat), fit.dist_df) if fit.dist_df else stats.norm.sf(abs(stat))))
    pi_half = fit.crit * math.sqrt(se**2 + fit.tau2)
    i2 = fit.tau2 / (fit.tau2 + fit.s2)
    z = float(stats.norm.ppf(0.5 + level / 2))
    sd = np.sqrt(v)
    studies = pd.DataFrame({"label": labels_, "estimate": y, "std_error": sd, "ci_low": y - z * sd,
                            "ci_high": y + z * sd, "weight": fit.weights / fit.weights.sum()})
    texts = _texts(method, knapp_hartung, k, fit.df)
    details = {**extra, "method_nb": texts["method_nb"], "inference_nb": texts["inference_nb"], "tau2": fit.tau2,
               "tau2_method": method, "knapp_hartung": knapp_hartung, "hk_scale": fit.hk_scale,
               "reference_distribution": f"t({fit.df})" if knapp_hartung else "normal", "n_sites": k}
    return PooledEffect(
        estimate=mu, std_error=se, ci_low=mu - fit.crit * se, ci_high=mu + fit.crit * se, p_value=p, level=level,
        link=link, method=texts["method"], inference=texts["inference"], n_obs=k, term="effect", details=details,
        caveats=_caveats(k, knapp_hartung, caveats), tau2=fit.tau2, i2=i2, h2=1 / (1 - i2), q=fit.qe, q_df=fit.df,
        q_p_value=float(stats.chi2.sf(fit.qe, fit.df)), pi_low=mu - pi_half, pi_high=mu + pi_half, k=k,
        studies=studies,
    )


# --------------------------------------------------------------------------- meta_regression()
@dataclass(frozen=True, kw_only=True)
class MetaRegressionResult(Effect):
    """The result of :func:`meta_regression`: the first moderator's coefficient as the Effect, plus the fit.

    Attributes (beyond :class:`Effect`)
    -----------------------------------
    coefficients : DataFrame
        ``intercept`` and one row per moderator term (estimate, std_error, ci_low, ci_high, p_value).
    tau2, i2, h2 : float
        Residual between-site variance, I² (share) and H².
    r2 : float
        Share of the between-site variance the moderators account for (NaN when τ² of the
        model without moderators is 0).
    qe, qe_df, qe_p_value : float
        Test for residual heterogeneity.
    qm, qm_df, qm_p_value : float
        Test of all moderators (F with Hartung–Knapp: ``qm_df`` = (m, k − p); else χ², ``qm_df`` = (m,)).
    k : int
    """

    coefficients: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    tau2: float = math.nan
    i2: float = math.nan
    h2: float = math.nan
    r2: float = math.nan
    qe: float = math.nan
    qe_df: int = 0
    qe_p_value: float = math.nan
    qm: float = math.nan
    qm_df: tuple[int, ...] = ()
    qm_p_value: float = math.nan
    k: int = 0

    def caveat_texts(self, *, lang: str = "nb") -> list[str]:
        return _caveat_texts(self.caveats, super().caveat_texts(lang=lang), lang)

    def sentence(self, lang: str = "nb", *, outcome_label: str | None = None, decimals: int | None = None,
                 caveats: bool = True) -> str:
        """The first moderator's coefficient with CI and p-value, residual heterogeneity and R², method, caveats."""
        from samorg.models.result import _auto_decimals

        fmt._check_lang(lang)
        nb = lang == "nb"
        d = _auto_decimals(self.std_error) if decimals is None else decimals
        label = outcome_label or self.details.get("outcome") or ("effekten" if nb else "the effect")
        value = fmt.number(self.estimate, decimals=d, lang=lang)
        interval = fmt.ci(self.ci_low, self.ci_high, decimals=d, lang=lang, level=self.level)
        p_text = fmt.p_value(self.p_value, lang=lang)
        tau2 = fmt.number(self.tau2, decimals=4 if self.tau2 < 0.01 else 3, lang=lang)
        r2 = fmt.percent(self.r2, decimals=0, lang=lang)
        if nb:
            text = (f"Over {self.k} steder endrer {label} seg med {value} per enhet av {self.term} ({interval}; "
                    f"{p_text}). Gjenværende variasjon mellom stedene: τ² = {tau2}; moderatorene forklarer {r2} av "
                    f"den. Metode: {self.details.get('method_nb', self.method)}, "
                    f"{self.details.get('inference_nb', self.inference)}.")
        else:
            text = (f"Across {self.k} sites, {label} changes by {value} per unit of {self.term} ({interval}; "
                    f"{p_text}). Remaining between-site variation: τ² = {tau2}; the moderators explain {r2} of it. "
                    f"Method: {self.method}, {self.inference}.")
        if caveats and self.caveats:
            text += (" Forbehold: " if nb else " Caveats: ") + " ".join(self.caveat_texts(lang=lang))
        return text


@renamed_keywords(knapp_hartung=_HK)
def meta_regression(
    estimates: Any,
    std_errors: Any,
    moderators: pd.DataFrame,
    *,
    method: str = "reml",
    inference: str = "hartung_knapp",
    labels: Sequence[str] | None = None,
    level: float = 0.95,
    caveats: Sequence[str] = (),
) -> MetaRegressionResult:
    """Mixed-effects meta-regression of site estimates on site characteristics.

    Parameters
    ----------
    estimates, std_errors : sequence of float
        One estimate and its standard error per site (``std_errors=None`` with a list of Effects).
    moderators : DataFrame
        One row per site, in the same order: numeric or boolean columns enter as they are,
        text or categorical columns as indicators against their first level. The first
        column's (first) term is the headline effect. Not modified.
    method : {"reml", "pm", "dl"}
    inference : {"hartung_knapp", "classical"}
        Hartung–Knapp scaled errors, t(k − p) intervals and an F test of the moderators (default), or
        normal ("classical"). Old keyword ``knapp_hartung=True/False`` (deprecated, FutureWarning).
    labels : sequence of str, optional
    level : float
    caveats : sequence of str

    Returns
    -------
    MetaRegressionResult

    Raises
    ------
    ModelError
        As :func:`pool`, plus moderators with missing values, no variation, collinearity, or
        as many terms as sites.

    Examples
    --------
    >>> import pandas as pd
    >>> mods = pd.DataFrame({"co_located": [1, 1, 0, 0, 1]})
    >>> res = meta_regression([0.4, 0.5, 0.1, 0.0, 0.45], [0.1] * 5, mods)
    >>> round(res.estimate, 2)
    0.4
    """
    _check(method, level)
    knapp_hartung = inference_value("meta_regression", inference, INFERENCE) == "hartung_knapp"
    y, v, labels_, eff_link, _ = _inputs(estimates, std_errors, labels, "meta_regression")
    if not isinstance(moderators, pd.DataFrame):
        raise ModelError(f"moderators must be a DataFrame with one row per site, got {type(moderators).__name__}.")
    k = len(y)
    if len(moderators) != k:
        raise ModelError(f"moderators has {len(moderators)} rows for {k} sites; give one row per site, in order.")
    if moderators.shape[1] == 0:
        raise ModelError("moderators has no columns; use pool() for the average effect.")
    M, names = _moderator_matrix(moderators)
    X = np.column_stack([np.ones(k), M])
    p = X.shape[1]
    if k - p < 1:
        raise ModelError(f"{k} sites are too few for an intercept and {p - 1} moderator term(s): the model needs more "
                         "sites than terms. Use fewer moderators.")
    if np.linalg.matrix_rank(X) < p:
        raise ModelError(f"The moderators {names} are collinear (with each other or constant). Drop one.")
    fit = _rma(y, v, X, method=method, knapp_hartung=knapp_hartung, level=level)
    from scipy import stats

    se = np.sqrt(np.diag(fit.vcov))
    stat = fit.beta / se
    dist = stats.t(fit.dist_df) if fit.dist_df else stats.norm
    pv = 2 * dist.sf(np.abs(stat))
    coefs = pd.DataFrame({"estimate": fit.beta, "std_error": se, "ci_low": fit.beta - fit.crit * se,
                          "ci_high": fit.beta + fit.crit * se, "p_value": pv},
                         index=pd.Index(["intercept", *names], name="term"))
    b, V = fit.beta[1:], fit.vcov[1:, 1:]
    wald = float(b @ np.linalg.solve(V, b))
    m = p - 1
    if knapp_hartung:
        qm, qm_df, qm_p = wald / m, (m, fit.df), float(stats.f.sf(wald / m, m, fit.df))
    else:
        qm, qm_df, qm_p = wald, (m,), float(stats.chi2.sf(wald, m))
    tau2_0 = _tau2(y, v, np.ones((k, 1)), method)
    r2 = max(0.0, (tau2_0 - fit.tau2) / tau2_0) if tau2_0 > 0 else math.nan
    i2 = fit.tau2 / (fit.tau2 + fit.s2)
    texts = _texts(method, knapp_hartung, k, fit.df)
    texts["method"] = texts["method"].replace("meta-analysis", "meta-regression")
    texts["method_nb"] = texts["method_nb"].replace("metaanalyse", "metaregresjon")
    first = coefs.iloc[1]
    details = {"method_nb": texts["method_nb"], "inference_nb": texts["inference_nb"], "tau2": fit.tau2,
               "tau2_method": method, "knapp_hartung": knapp_hartung, "labels": tuple(labels_),
               "moderators": tuple(moderators.columns), "reference_distribution":
               f"t({fit.df})" if knapp_hartung else "normal", "n_sites": k}
    return MetaRegressionResult(
        estimate=float(first["estimate"]), std_error=float(first["std_error"]), ci_low=float(first["ci_low"]),
        ci_high=float(first["ci_high"]), p_value=float(first["p_value"]), level=level, link=eff_link or "identity",
        method=texts["method"], inference=texts["inference"], n_obs=k, term=names[0], details=details,
        caveats=_caveats(k, knapp_hartung, caveats), coefficients=coefs, tau2=fit.tau2, i2=i2, h2=1 / (1 - i2),
        r2=r2, qe=fit.qe, qe_df=fit.df, qe_p_value=float(stats.chi2.sf(fit.qe, fit.df)), qm=qm, qm_df=qm_df,
        qm_p_value=qm_p, k=k,
    )


def _moderator_matrix(moderators: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    blocks, names = [], []
    for col in moderators.columns:
        s = moderators[col]
        if s.isna().any():
            raise ModelError(f'Moderator "{col}" is missing for site number(s) '
                             f"{(np.flatnonzero(s.isna().to_numpy()) + 1).tolist()}. Fill it in or drop the site.")
        if s.nunique() < 2:
            raise ModelError(f'Moderator "{col}" has the same value ({s.iloc[0]!r}) at every site; it cannot explain '
                             "differences between sites.")
        if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
            blocks.append(s.to_numpy(dtype=float)[:, None])
            names.append(str(col))
        else:
            levels = list(s.cat.categories) if isinstance(s.dtype, pd.CategoricalDtype) else sorted(s.unique(), key=str)
            values = s.to_numpy(dtype=object)
            for lvl in levels[1:]:
                blocks.append((values == lvl).astype(float)[:, None])
                names.append(f"{col}[{lvl}]")
    return np.column_stack(blocks), names
