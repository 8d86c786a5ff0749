"""The fitting half of :func:`samorg.models.its`: option checks, design matrix, stacking, GLM fit."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from samorg.errors import ModelError
from samorg.models import _inference as inf
from samorg.models._timeaxis import TimeAxis
from samorg.models.result import ModelWarning

FAMILIES = ("gaussian", "poisson", "quasipoisson", "negbin")
SE_TYPES = ("hac", "classical", "robust")
COUNT_FAMILIES = ("poisson", "quasipoisson", "negbin")
MIN_SIDE = 3  # fewer observations than this before or after the intervention is an error
SHORT_SIDE = 8  # fewer than this is a caveat (Wagner et al. 2002; Penfold & Zhang 2013)


def check_options(family, seasonality, period, level, hac_lags, offset) -> None:
    if family not in FAMILIES:
        raise ModelError(f"family={family!r} is not supported. Expected one of {FAMILIES}.")
    if not 0 < level < 1:
        raise ModelError(f"level={level!r} must be between 0 and 1, e.g. 0.95.")
    if not isinstance(period, (int, np.integer)) or period < 2:
        raise ModelError(f"season_length={period!r} must be a whole number of time units ≥ 2 (12 for months).")
    if seasonality is not None and seasonality != "month":
        if isinstance(seasonality, bool) or not isinstance(seasonality, (int, np.integer)) or seasonality < 1:
            raise ModelError(
                f'seasonality={seasonality!r}: expected None, "month" or a number of Fourier pairs (1, 2, …).'
            )
        if 2 * seasonality > period:
            raise ModelError(
                f"seasonality={seasonality} Fourier pairs is too many for season_length={period}: at most {period // 2}."
            )
    if hac_lags is not None and (not isinstance(hac_lags, (int, np.integer)) or hac_lags < 0):
        raise ModelError(f"hac_lags={hac_lags!r} must be a whole number ≥ 0 (or None for the default).")
    if offset and family == "gaussian":
        raise ModelError(
            "An offset needs a count family (its log enters a log-link model). Use family='poisson' or "
            "'quasipoisson', or model the rate (outcome / offset) with family='gaussian' and no offset."
        )


def check_periods(t: np.ndarray, t0: float, axis: TimeAxis, intervention: Any) -> None:
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


def check_fit_rows(y, t, t0, post, in_fit, excluded, axis, family, outcome, X, slope_change, caveats) -> None:
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
            stacklevel=5,
        )
    yf = y[in_fit]
    if np.all(yf == yf[0]):
        raise ModelError(
            f'Outcome "{outcome}" is constant ({yf[0]!r}) in every row used for the fit, so there is nothing to '
            "model. Check the column and the exclusion windows."
        )
    if family in COUNT_FAMILIES:
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
                stacklevel=5,
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


def design(frame, t, t0, axis, trend, slope_change, seasonality, period, covariates) -> pd.DataFrame:
    cols: dict[str, np.ndarray] = {"const": np.ones(len(t))}  # one frame at the end: inserting columns one by one cost more
    if trend:
        cols["trend"] = t - t0
    cols["level_change"] = (t >= t0 - 1e-9).astype(float)
    if slope_change:
        cols["slope_change"] = (t - t0) * cols["level_change"]
    if isinstance(seasonality, (int, np.integer)) and not isinstance(seasonality, bool):
        for k in range(1, int(seasonality) + 1):
            angle = 2 * math.pi * k * t / period
            if not (2 * k == period):  # sin(pi t) is zero for whole t
                cols[f"sin{k}"] = np.sin(angle)
            cols[f"cos{k}"] = np.cos(angle)
    elif seasonality == "month":
        season = (t % period).round().astype(int)
        base = season.min()
        for s in sorted(set(season)):
            if s != base:
                cols[f"{'month' if axis.kind == 'date' else 'season'}_{s + 1 if axis.kind == 'date' else s}"] = (
                    season == s
                ).astype(float)
    for c in covariates:
        if not (pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])):
            raise ModelError(f'Covariate "{c}" is not numeric (e.g. {frame[c].iloc[0]!r}). Encode it as numbers.')
        cols[c] = frame[c].to_numpy(dtype=float, na_value=np.nan)
    return pd.DataFrame(cols)


def control_values(frame: pd.DataFrame, control: str, family: str, in_fit: np.ndarray) -> np.ndarray:
    if not pd.api.types.is_numeric_dtype(frame[control]):
        raise ModelError(f'Control series "{control}" is not numeric (e.g. {frame[control].iloc[0]!r}).')
    ctl = frame[control].to_numpy(dtype=float, na_value=np.nan)
    if family in COUNT_FAMILIES and (ctl[in_fit] < 0).any():
        raise ModelError(f'Control series "{control}" has negative values, which a count family cannot model.')
    return ctl


def stack(y, X, log_off, t, in_fit, ctl):
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


def fit_glm(yf, Xf, of, tf, family, se, hac_lags, axis, *, n_periods):
    import statsmodels.api as sm  # lazy: import samorg stays light

    extra: dict[str, Any] = {}
    if family == "gaussian":
        fam = sm.families.Gaussian()
    elif family in ("poisson", "quasipoisson"):
        fam = sm.families.Poisson()
    else:
        extra["alpha"] = alpha = negbin_alpha(yf, Xf, of)
        fam = sm.families.NegativeBinomial(alpha=alpha)
    # Every ITS design has a constant: a "const" column, or with a control series one dummy per period (they
    # sum to one). Saying so spares statsmodels two SVDs of the whole design to look for an implicit one.
    model = sm.GLM(yf, Xf, family=fam, offset=of if family != "gaussian" else None, hasconst=True)
    # Full column rank (a comparative design has a column per month: 244 x 137 for a site with ten years): solve
    # each IRLS step by QR, as R's glm does, instead of statsmodels' default SVD least squares; the same
    # estimates to ~1e-13 in a fifth less time. A rank-deficient design keeps the minimum-norm SVD solution.
    solver = {"wls_method": "qr"} if model.df_model + 1 == Xf.shape[1] else {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", category=RuntimeWarning)
            fit = model.fit(scale="X2" if family in ("quasipoisson", "gaussian") else None, **solver)
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


def negbin_alpha(y, X, log_off) -> float:
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
