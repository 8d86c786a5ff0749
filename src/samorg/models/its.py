"""Interrupted time series: segmented GLM regression with honest standard errors.

Model (link scale, ``t`` = model time, ``t0`` = first treated period)::

    g(E[y_t]) = b0 + b1 (t − t0) + b2 post_t + b3 (t − t0) post_t + season_t + covariates_t
                + log(offset_t)

``b2`` (``estimate``) is the level change at ``t0``: for log links the log rate ratio
between the first treated period and its counterfactual. ``b3`` is the change in slope.

Design decisions (see also the docstring of :func:`its`):

* Excluded windows (COVID-19 washout) and missing outcomes are left out of the fit; their
  rows still get fitted and counterfactual values for plots.
* HAC standard errors use Bartlett weights on the actual time distance between rows, so
  gaps from excluded windows or missing months do not pull unrelated months together;
  default lags follow Newey & West (1994), ``floor(4 (n/100)^(2/9))``; the n/(n−k)
  correction is applied (as Stata's ``newey``).
* Reference distribution: t with the residual degrees of freedom for the Gaussian family,
  the normal distribution for count families (the Wald intervals of the literature,
  e.g. Lopez Bernal et al. 2017).
* Controlled (comparative) ITS: the treated and control series are stacked with one effect per
  period (absorbing everything the two share, such as COVID-19 closures, exactly on the link
  scale), and every term above is interacted with the treated series. The effect is then the
  level change *relative to the control*. An earlier version entered log(control) as a
  covariate; on the demo world its estimated coefficient was ~0.92 (noise in the control
  attenuates it), so part of the COVID-19 dip leaked into the effect. Stacking fixes the
  coefficient at 1. The control must be unaffected by the intervention.
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
from samorg.models._timeaxis import TimeAxis, missing_periods, model_time, parse_windows
from samorg.models.result import Effect, ModelWarning

__all__ = ["ITSResult", "its"]

FAMILIES = ("gaussian", "poisson", "quasipoisson", "negbin")
SE_TYPES = ("hac", "classical", "robust")
_COUNT = ("poisson", "quasipoisson", "negbin")
_FAMILY_TEXT = {
    "gaussian": ("lineær (Gauss)", "linear (Gaussian)"),
    "poisson": ("Poisson", "Poisson"),
    "quasipoisson": ("kvasi-Poisson", "quasi-Poisson"),
    "negbin": ("negativ binomisk", "negative binomial"),
}
MIN_SIDE = 3  # fewer observations than this before or after the intervention is an error
SHORT_SIDE = 8  # fewer than this is a caveat (Wagner et al. 2002; Penfold & Zhang 2013)


@dataclass(frozen=True, kw_only=True)
class ITSResult(Effect):
    """The result of :func:`its`: the level change as an :class:`Effect`, plus the rest of the fit.

    Attributes (beyond :class:`Effect`)
    -----------------------------------
    slope_change : Effect or None
        The change in trend per period after the intervention (``None`` if not modelled).
    coefficients : DataFrame
        Indexed by term (``const``, ``trend``, ``level_change``, ``slope_change``, seasonal
        terms, covariates; with a control they are the treated series' terms relative to the control
        and the period effects are left out) with ``estimate, std_error, ci_low, ci_high, p_value``.
    predictions : DataFrame
        One row per input row, in time order: ``time`` (as given), ``model_time``,
        ``observed``, ``fitted`` (+ ``fitted_low``/``fitted_high``), ``counterfactual`` (the
        fit with the intervention terms switched off; + ``counterfactual_low``/``_high``, a
        confidence band for the expected value), ``post``, ``excluded``, ``in_fit``.
    fit : statsmodels GLMResults
        The underlying fit (classical covariance), for diagnostics.
    """

    slope_change: Effect | None = None
    coefficients: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    predictions: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    fit: Any = field(default=None, repr=False, compare=False)

    @property
    def level_change(self) -> Effect:
        """The level change as a plain :class:`Effect`."""
        names = [f for f in Effect.__dataclass_fields__]
        return Effect(**{n: getattr(self, n) for n in names})

    @property
    def fitted(self) -> pd.Series:
        """Fitted values (expected outcome with the intervention), indexed by time."""
        return self.predictions.set_index("time")["fitted"]

    @property
    def counterfactual(self) -> pd.Series:
        """Counterfactual values (expected outcome without the intervention), indexed by time."""
        return self.predictions.set_index("time")["counterfactual"]

    def plot_data(self) -> pd.DataFrame:
        """A copy of :attr:`predictions`, the data :func:`samorg.plots.plot_its` draws."""
        return self.predictions.copy()

    def _extra_caveats(self, lang: str) -> list[str]:
        out = []
        for w in self.details.get("excluded_windows", ()):
            span = f"{fmt.time_value(w['start'], lang=lang)}–{fmt.time_value(w['end'], lang=lang)}"
            label = f" ({w['label']})" if w.get("label") else ""
            n = w.get("n_rows", 0)
            if lang == "nb":
                out.append(
                    f"Perioden {span}{label} er holdt utenfor tilpasningen ({n} observasjoner); trend og "
                    "kontrafaktisk forløp er anslått uten den."
                )
            else:
                out.append(
                    f"The period {span}{label} was left out of the fit ({n} observations); the trend and "
                    "counterfactual were estimated without it."
                )
        return out


def its(
    data: pd.DataFrame,
    *,
    outcome: str,
    time: str,
    intervention: Any,
    family: str = "gaussian",
    offset: str | None = None,
    seasonality: int | str | None = None,
    period: int = 12,
    trend: bool = True,
    slope_change: bool = True,
    covariates: Sequence[str] = (),
    exclude: Sequence[Any] = (),
    control: str | None = None,
    se: str = "hac",
    hac_lags: int | None = None,
    level: float = 0.95,
    caveats: Sequence[str] = (),
) -> ITSResult:
    """Fit an interrupted time series (segmented regression) and return the level change.

    Parameters
    ----------
    data : DataFrame
        One row per period. Not modified.
    outcome : str
        Column with the outcome (counts for count families).
    time : str
        Column with the time: numbers (1, 2, …) or dates, one row per month (the day is
        ignored; two rows in the same month are an error).
    intervention : number or date
        The first treated period (``post = time >= intervention``).
    family : {"gaussian", "poisson", "quasipoisson", "negbin"}
        ``quasipoisson`` is Poisson with dispersion = Pearson χ²/df (``details["dispersion"]``);
        ``negbin`` estimates the NB2 dispersion α by maximum likelihood first.
    offset : str, optional
        Column whose log enters with coefficient 1 (population, opening hours). Count families only.
    seasonality : None, int or "month"
        ``int K``: K Fourier (sin, cos) pairs of ``period``; ``"month"``: month-of-year
        dummies (for numeric time: dummies of ``time mod period``).
    period : int
        Season length in time units (12 for monthly data).
    trend, slope_change : bool
        Include the pre-existing trend / a change in trend after the intervention.
    covariates : sequence of str
        Extra numeric columns entering the linear predictor as they are.
    exclude : sequence of windows
        ``(start, end)`` or ``(start, end, label)``, inclusive, in the units of ``time``;
        also :class:`samorg.config.Window`. Rows inside are left out of the fit and are
        named in the sentence with their label (e.g. "COVID-19").
    control : str, optional
        Column with a control series on the same rows, unaffected by the intervention
        (comparison branches or municipalities). Comparative ITS: the two series are stacked
        with one effect per period, so shocks they share (COVID-19) cancel on the link scale,
        and ``estimate`` is the level change relative to the control. Rows outside the fit
        get no fitted values (their period effect is unknown); ``n_obs`` counts both series.
    se : {"hac", "classical", "robust"}
        ``hac``: Newey–West (Bartlett, lags on actual time distance); ``classical``: model-based
        (scaled by the dispersion for quasi-Poisson/Gaussian); ``robust``: HC1 sandwich.
    hac_lags : int, optional
        Default ``floor(4 (n/100)^(2/9))`` (at least 1), n = observations in the fit.
    level : float
        Confidence level.
    caveats : sequence of str
        Extra caveats (keys of :data:`samorg.models.CAVEATS`, e.g. ``"covid"``, or text).

    Returns
    -------
    ITSResult

    Raises
    ------
    ModelError
        Missing columns, no pre- or post-period, too few observations, a constant outcome,
        negative counts, duplicated periods, non-positive offsets, collinear terms.

    Warns
    -----
    ModelWarning
        Missing periods in the series, fewer than 8 observations on a side, non-integer counts.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> t = np.arange(1, 25)
    >>> noise = np.random.default_rng(1).normal(0, 0.3, t.size)
    >>> df = pd.DataFrame({"t": t, "y": 10 + 0.2 * t + 5 * (t >= 13) + noise})
    >>> res = its(df, outcome="y", time="t", intervention=13, se="classical")
    >>> round(res.estimate)
    5
    """
    _check_options(family, se, seasonality, period, level, hac_lags, offset)
    if not isinstance(data, pd.DataFrame):
        raise ModelError(f"its() expected a pandas DataFrame as data, got {type(data).__name__}.")
    covariates = list(covariates)
    needed = [outcome, time] + [c for c in (offset, control) if c] + covariates
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise ModelError(
            f"Column(s) {missing} are not in the data. The data have columns {list(data.columns)}. "
            "Check the names passed as outcome/time/offset/control/covariates."
        )
    if len(data) == 0:
        raise ModelError("The data have no rows; an interrupted time series needs a series before and after.")

    frame = data[list(dict.fromkeys(needed))].reset_index(drop=True)
    t, axis = model_time(frame[time], column=time)
    order = np.argsort(t, kind="stable")
    frame, t = frame.iloc[order].reset_index(drop=True), t[order]
    t0 = axis.to_model(intervention, what="intervention")
    _check_periods(t, t0, axis, intervention)

    y = pd.to_numeric(frame[outcome], errors="coerce").to_numpy(dtype=float)
    if np.isnan(y).sum() > frame[outcome].isna().sum():
        raise ModelError(f'Outcome "{outcome}" has values that are not numbers, e.g. {frame[outcome].iloc[0]!r}.')
    windows = parse_windows(exclude, axis)
    excluded = np.zeros(len(t), dtype=bool)
    for w in windows:
        inside = (t >= w["model_start"] - 1e-9) & (t <= w["model_end"] + 1e-9)
        w["n_rows"] = int(inside.sum())
        excluded |= inside
    post = t >= t0 - 1e-9
    X = _design(frame, t, t0, axis, trend, slope_change, seasonality, period, covariates)
    in_fit = ~excluded & ~np.isnan(y) & X.notna().all(axis=1).to_numpy()
    ctl = None
    if control:
        ctl = _control_values(frame, control, family, in_fit)
        in_fit &= ~np.isnan(ctl)
    if offset:
        off = pd.to_numeric(frame[offset], errors="coerce").to_numpy(dtype=float)
        bad = in_fit & ~(off > 0)
        if bad.any():
            raise ModelError(
                f'Offset "{offset}" must be positive (its log enters the model), but it is '
                f"{off[bad][0]!r} at time {axis.label(t[bad][0])}. Fix or drop those rows."
            )
        log_off = np.log(np.where(off > 0, off, np.nan))
        in_fit &= ~np.isnan(log_off)
    else:
        log_off = np.zeros(len(t))

    local_caveats = list(caveats)
    _check_fit_rows(y, t, t0, post, in_fit, excluded, axis, family, outcome, X, slope_change, local_caveats)
    gaps = missing_periods(t, axis) + [float(v) for v in t[np.isnan(y)]]
    if gaps:
        local_caveats.append("missing_periods")
        warnings.warn(
            f"{len(gaps)} period(s) inside the series have no outcome (first: {axis.label(min(gaps))}). "
            "The model uses actual time and HAC weights use actual time distances; consider whether the "
            "gaps are random.",
            ModelWarning,
            stacklevel=2,
        )

    Y, M, O, T, M_all, M_cf, fe = _stack(y, X, log_off, t, in_fit, ctl)
    fit, cov, scale, extra = _fit_glm(Y, M, O, T, family, se, hac_lags, axis, n_periods=int(in_fit.sum()))
    return _assemble(
        fit=fit, cov=cov, scale=scale, extra=extra, X=X, M_all=M_all, M_cf=M_cf, n_fe=fe, n_rows_fit=len(Y),
        y=y, t=t, t0=t0, axis=axis, frame=frame, time=time,
        post=post, excluded=excluded, in_fit=in_fit, log_off=log_off, family=family, se=se, level=level,
        windows=windows, caveats=local_caveats, outcome=outcome, offset=offset, control=control,
        seasonality=seasonality, period=period, covariates=covariates, intervention=intervention,
        slope_change=slope_change,
        call={"estimator": "its", "outcome": outcome, "time": time, "intervention": intervention, "family": family,
              "offset": offset, "seasonality": seasonality, "period": period, "trend": trend,
              "slope_change": slope_change, "covariates": tuple(covariates), "exclude": tuple(exclude),
              "control": control, "se": se, "hac_lags": hac_lags, "level": level, "caveats": tuple(caveats)},
    )


def _check_options(family, se, seasonality, period, level, hac_lags, offset) -> None:
    if family not in FAMILIES:
        raise ModelError(f"family={family!r} is not supported. Expected one of {FAMILIES}.")
    if se not in SE_TYPES:
        raise ModelError(f"se={se!r} is not supported. Expected one of {SE_TYPES}.")
    if not 0 < level < 1:
        raise ModelError(f"level={level!r} must be between 0 and 1, e.g. 0.95.")
    if not isinstance(period, (int, np.integer)) or period < 2:
        raise ModelError(f"period={period!r} must be a whole number of time units ≥ 2 (12 for months).")
    if seasonality is not None and seasonality != "month":
        if isinstance(seasonality, bool) or not isinstance(seasonality, (int, np.integer)) or seasonality < 1:
            raise ModelError(
                f'seasonality={seasonality!r}: expected None, "month" or a number of Fourier pairs (1, 2, …).'
            )
        if 2 * seasonality > period:
            raise ModelError(
                f"seasonality={seasonality} Fourier pairs is too many for period={period}: at most {period // 2}."
            )
    if hac_lags is not None and (not isinstance(hac_lags, (int, np.integer)) or hac_lags < 0):
        raise ModelError(f"hac_lags={hac_lags!r} must be a whole number ≥ 0 (or None for the default).")
    if offset and family == "gaussian":
        raise ModelError(
            "An offset needs a count family (its log enters a log-link model). Use family='poisson' or "
            "'quasipoisson', or model the rate (outcome / offset) with family='gaussian' and no offset."
        )


def _check_periods(t: np.ndarray, t0: float, axis: TimeAxis, intervention: Any) -> None:
    first, last = axis.label(t.min()), axis.label(t.max())
    if t0 <= t.min():
        raise ModelError(
            f"The intervention ({intervention}) is at or before the first observation ({first}), so there is no "
            "pre-period to estimate the counterfactual from. Add earlier data or check the intervention date."
        )
    if t0 > t.max():
        raise ModelError(
            f"The intervention ({intervention}) is after the last observation ({last}), so there is no "
            "post-period. Add later data or check the intervention date."
        )


def _check_fit_rows(y, t, t0, post, in_fit, excluded, axis, family, outcome, X, slope_change, caveats) -> None:
    n_pre, n_post = int((in_fit & ~post).sum()), int((in_fit & post).sum())
    for side, n, name in ((~post, n_pre, "before"), (post, n_post, "after")):
        if n < MIN_SIDE:
            note = f" ({int((side & excluded).sum())} rows there are excluded)" if (side & excluded).any() else ""
            raise ModelError(
                f"Only {n} usable observation(s) {name} the intervention{note}; at least {MIN_SIDE} are needed "
                f"(8 or more recommended). Extend the series, shorten the exclusion windows or use another design."
            )
    if min(n_pre, n_post) < SHORT_SIDE:
        caveats.append("short_series")
        warnings.warn(
            f"Only {n_pre} observations before and {n_post} after the intervention; fewer than {SHORT_SIDE} "
            "on a side makes trends and level changes fragile.",
            ModelWarning,
            stacklevel=3,
        )
    yf = y[in_fit]
    if np.all(yf == yf[0]):
        raise ModelError(
            f'Outcome "{outcome}" is constant ({yf[0]!r}) in every row used for the fit, so there is nothing to '
            "model. Check the column and the exclusion windows."
        )
    if family in _COUNT:
        if (yf < 0).any():
            bad = t[in_fit][yf < 0]
            raise ModelError(
                f'Outcome "{outcome}" has negative values (first at {axis.label(bad[0])}), which a count family '
                f"({family}) cannot model. Fix the data or use family='gaussian'."
            )
        if family != "quasipoisson" and not np.allclose(yf, np.round(yf)):
            warnings.warn(
                f'Outcome "{outcome}" has non-integer values but family={family!r} expects counts. For rates, '
                "model the count with offset=<denominator>, or use family='quasipoisson'.",
                ModelWarning,
                stacklevel=3,
            )
    Xf = X.to_numpy(dtype=float)[in_fit]
    k = Xf.shape[1]
    if len(yf) <= k:
        raise ModelError(
            f"{len(yf)} observations are too few for {k} model terms ({list(X.columns)}). Use fewer seasonal "
            "terms or covariates, or a longer series."
        )
    rank = np.linalg.matrix_rank(Xf)
    if rank < k:
        raise ModelError(
            f"The model terms {list(X.columns)} are collinear in the rows used for the fit (rank {rank} < {k}). "
            "Typical causes: month dummies with less than a year of data, or a covariate that repeats time or "
            "the intervention indicator."
        )


def _design(frame, t, t0, axis, trend, slope_change, seasonality, period, covariates) -> pd.DataFrame:
    X = pd.DataFrame({"const": np.ones(len(t))})
    if trend:
        X["trend"] = t - t0
    X["level_change"] = (t >= t0 - 1e-9).astype(float)
    if slope_change:
        X["slope_change"] = (t - t0) * X["level_change"]
    if isinstance(seasonality, (int, np.integer)) and not isinstance(seasonality, bool):
        for k in range(1, int(seasonality) + 1):
            angle = 2 * math.pi * k * t / period
            if not (2 * k == period):  # sin(pi t) is zero for whole t
                X[f"sin{k}"] = np.sin(angle)
            X[f"cos{k}"] = np.cos(angle)
    elif seasonality == "month":
        season = (t % period).round().astype(int)
        base = season.min()
        for s in sorted(set(season)):
            if s != base:
                X[f"{'month' if axis.kind == 'date' else 'season'}_{s + 1 if axis.kind == 'date' else s}"] = (
                    season == s
                ).astype(float)
    for c in covariates:
        if not (pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])):
            raise ModelError(f'Covariate "{c}" is not numeric (e.g. {frame[c].iloc[0]!r}). Encode it as numbers.')
        X[c] = frame[c].to_numpy(dtype=float, na_value=np.nan)
    return X


def _control_values(frame: pd.DataFrame, control: str, family: str, in_fit: np.ndarray) -> np.ndarray:
    if not pd.api.types.is_numeric_dtype(frame[control]):
        raise ModelError(f'Control series "{control}" is not numeric (e.g. {frame[control].iloc[0]!r}).')
    ctl = frame[control].to_numpy(dtype=float, na_value=np.nan)
    if family in _COUNT and (ctl[in_fit] < 0).any():
        raise ModelError(f'Control series "{control}" has negative values, which a count family cannot model.')
    return ctl


def _stack(y, X, log_off, t, in_fit, ctl):
    """The arrays to fit, and the design rows that predict each input row (with and without the effect).

    Without a control: the treated series alone. With one: treated rows ``[period one-hot, X]``
    stacked over control rows ``[period one-hot, 0]``; rows outside the fit cannot be predicted
    (their period effect is unknown) and get NaN.
    """
    Xa = X.to_numpy(dtype=float)
    Xc = X.copy()
    Xc["level_change"] = 0.0
    if "slope_change" in Xc:
        Xc["slope_change"] = 0.0
    Xc = Xc.to_numpy(dtype=float)
    if ctl is None:
        return y[in_fit], Xa[in_fit], log_off[in_fit], t[in_fit], Xa, Xc, 0
    n_f = int(in_fit.sum())
    E = np.eye(n_f)
    M = np.vstack([np.hstack([E, Xa[in_fit]]), np.hstack([E, np.zeros_like(Xa[in_fit])])])
    Y = np.concatenate([y[in_fit], ctl[in_fit]])
    O = np.concatenate([log_off[in_fit], np.zeros(n_f)])
    T = np.concatenate([t[in_fit], t[in_fit]])
    E_all = np.full((len(y), n_f), np.nan)
    E_all[in_fit] = E
    return Y, M, O, T, np.hstack([E_all, Xa]), np.hstack([E_all, Xc]), n_f


def _fit_glm(yf, Xf, of, tf, family, se, hac_lags, axis, *, n_periods):
    import statsmodels.api as sm  # lazy: import samorg stays light

    extra: dict[str, Any] = {}
    if family == "gaussian":
        fam = sm.families.Gaussian()
    elif family in ("poisson", "quasipoisson"):
        fam = sm.families.Poisson()
    else:
        extra["alpha"] = alpha = _negbin_alpha(yf, Xf, of)
        fam = sm.families.NegativeBinomial(alpha=alpha)
    model = sm.GLM(yf, Xf, family=fam, offset=of if family != "gaussian" else None)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", category=RuntimeWarning)
            fit = model.fit(scale="X2" if family in ("quasipoisson", "gaussian") else None)
    except Exception as exc:  # noqa: BLE001 - statsmodels raises many kinds
        raise ModelError(f"The {family} model could not be fitted: {exc}. Check the data for extreme values.") from exc
    if not np.all(np.isfinite(fit.params)):
        raise ModelError(f"The {family} model did not converge (non-finite coefficients). Check the data.")
    n, k = Xf.shape
    pearson = float(np.sum(fit.resid_pearson**2) / (n - k))
    extra["dispersion"] = float(fit.scale) if family in ("quasipoisson", "gaussian") else pearson
    scale = float(fit.scale)
    bread = np.asarray(fit.normalized_cov_params)
    if se == "classical":
        cov = bread * scale
    else:
        scores = np.asarray(model.score_obs(fit.params, scale=1.0))
        kernel = None
        if se == "hac":
            lags = inf.newey_west_lags(n_periods) if hac_lags is None else int(hac_lags)
            extra["hac_lags"] = lags
            kernel = inf.bartlett_kernel(tf / axis.step, lags)
        cov = inf.sandwich(bread, scores, kernel=kernel)
    return fit, cov, scale, extra


def _negbin_alpha(y, X, log_off) -> float:
    import statsmodels.api as sm

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = sm.NegativeBinomial(y, X, offset=log_off).fit(disp=0, maxiter=500)
        alpha = float(np.asarray(nb.params)[-1])
    except Exception as exc:  # noqa: BLE001
        raise ModelError(f"The negative binomial dispersion could not be estimated: {exc}.") from exc
    if not math.isfinite(alpha) or alpha <= 0:
        raise ModelError(
            f"The negative binomial dispersion estimate is {alpha!r}: the counts show no over-dispersion. "
            "Use family='poisson' or 'quasipoisson'."
        )
    return alpha


def _assemble(*, fit, cov, scale, extra, X, M_all, M_cf, n_fe, n_rows_fit, y, t, t0, axis, frame, time, post, excluded, in_fit, log_off, family,
              se, level, windows, caveats, outcome, offset, control, seasonality, period, covariates, intervention,
              slope_change, call) -> ITSResult:
    params = np.asarray(fit.params)
    std = np.sqrt(np.clip(np.diag(cov), 0, None))
    n, k = n_rows_fit, len(params)
    df = float(n - k) if family == "gaussian" else None
    p, lo, hi = inf.wald(params, std, level=level, df=df)
    coefs = pd.DataFrame(
        {"estimate": params, "std_error": std, "ci_low": lo, "ci_high": hi, "p_value": p},
        index=pd.Index([f"period[{i}]" for i in range(n_fe)] + list(X.columns), name="term"),
    ).iloc[n_fe:]
    link = "identity" if family == "gaussian" else "log"
    q = inf.critical_value(level, df)
    inv = (lambda e: e) if link == "identity" else np.exp
    off = log_off if family != "gaussian" else np.zeros(len(t))

    def band(M):
        with np.errstate(invalid="ignore"):
            eta = M @ params + off
            s = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", M, cov, M), 0, None))
        return inv(eta), inv(eta - q * s), inv(eta + q * s)

    fitted, f_lo, f_hi = band(M_all)
    cf, c_lo, c_hi = band(M_cf)
    times = frame[time].to_numpy() if axis.kind == "number" else pd.to_datetime(frame[time]).to_numpy()
    preds = pd.DataFrame({
        "time": times, "model_time": t, "observed": y, "fitted": fitted, "fitted_low": f_lo,
        "fitted_high": f_hi, "counterfactual": cf, "counterfactual_low": c_lo, "counterfactual_high": c_hi,
        "post": post, "excluded": excluded, "in_fit": in_fit,
    })

    fam_nb, fam_en = _FAMILY_TEXT[family]
    if se == "hac":
        inf_en = f"HAC standard errors (Newey–West, {extra['hac_lags']} lags)"
        inf_nb = f"HAC-standardfeil (Newey–West, {extra['hac_lags']} lagger)"
    elif se == "robust":
        inf_en, inf_nb = "robust (HC1) standard errors", "robuste standardfeil (HC1)"
    else:
        inf_en, inf_nb = "classical standard errors", "klassiske standardfeil"
    if family == "quasipoisson":
        disp_en = fmt.number(extra["dispersion"], decimals=2, lang="en")
        disp_nb = fmt.number(extra["dispersion"], decimals=2, lang="nb")
        fam_en += f", dispersion {disp_en}"
        fam_nb += f", spredning {disp_nb}"
    if control:
        fam_en += f", relative to the control series {control}"
        fam_nb += f", relativt til kontrollserien {control}"
    if family == "poisson" and se == "classical" and extra["dispersion"] > 1.5:
        caveats.append("overdispersion")

    details = {
        "outcome": outcome, "family": family, "link": link, "se": se, "scale": scale, **extra,
        "time_kind": axis.kind, "intervention": intervention, "intervention_label": axis.label(t0),
        "n_pre": int((in_fit & ~post).sum()), "n_post": int((in_fit & post).sum()),
        "n_excluded": int(excluded.sum()), "n_missing_outcome": int(np.isnan(y).sum()),
        "excluded_windows": tuple(
            {key: w[key] for key in ("start", "end", "label", "n_rows")} for w in windows
        ),
        "seasonality": seasonality, "period": period, "offset": offset, "control": control,
        "covariates": tuple(covariates), "reference_distribution": "normal" if df is None else f"t({df:g})",
        "df_resid": float(n - k),
        "method_nb": f"{'sammenlignende ' if control else ''}avbrutt tidsserie ({fam_nb})", "inference_nb": inf_nb,
        "call": call,
    }
    common = dict(level=level, link=link, method=f"{'comparative ' if control else ''}interrupted time series ({fam_en})", inference=inf_en, n_obs=n,
                  details=details, caveats=tuple(caveats))
    slope = None
    if slope_change:
        r = coefs.loc["slope_change"]
        slope = Effect(estimate=r.estimate, std_error=r.std_error, ci_low=r.ci_low, ci_high=r.ci_high,
                       p_value=r.p_value, term="slope_change", **common)
    r = coefs.loc["level_change"]
    return ITSResult(
        estimate=float(r.estimate), std_error=float(r.std_error), ci_low=float(r.ci_low), ci_high=float(r.ci_high),
        p_value=float(r.p_value), term="level_change", slope_change=slope, coefficients=coefs, predictions=preds,
        fit=fit, **common,
    )

