"""The headline number (EVIDENCE.md §2): the average effect over the post-washout period, and its robustness.

:func:`post_washout_effect` turns a fitted interrupted time series (:func:`samorg.models.its`) into the
average effect over the months after the washout, observed against counterfactual:

* ``ratio = Σ_t μ̂₁(t) / Σ_t μ̂₀(t)`` over the period's fitted months, where ``μ̂₁`` is the fitted
  expected value with the intervention terms and ``μ̂₀`` the counterfactual without them (for a
  comparative ITS both include the period effects shared with the control). Expected values, not the
  raw counts, so the number is a smooth function of the coefficients and month noise does not enter
  it twice. ``estimate`` is ``log(ratio)`` (link ``log``).
* ``difference = mean_t (μ̂₁(t) − μ̂₀(t))``: the absolute effect per month, in the outcome's unit.
* Intervals: **delta method** on ``log(ratio)`` and on ``difference``, with the gradients
  ``Σ μ̂₁ x₁/Σ μ̂₁ − Σ μ̂₀ x₀/Σ μ̂₀`` and ``mean(μ̂₁ x₁ − μ̂₀ x₀)`` and the fit's own covariance (HAC,
  robust or classical, rebuilt exactly as ``its()`` built it), with the fit's reference distribution
  (normal for count families, t for Gaussian). For a Gaussian (identity) fit the difference is linear
  in the coefficients and the delta method is exact; the ratio is then ``mean μ̂₁ / mean μ̂₀``.
* ``baseline``: the mean observed monthly level in the fitted pre-period, in the outcome's unit.
* The period starts at the first month after the last exclusion window that ends on or after the
  intervention (the washout), or at the intervention when no window follows it; the result says
  whether the intervention date itself lies inside a window (then the level change at that date is an
  extrapolation across the window, and only this average is a fair headline).

:func:`robustness_verdict` compares the main estimate with its sensitivity variants.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.errors import ModelError
from samorg.models import _inference as inf
from samorg.models.result import Effect

__all__ = ["PostWashoutEffect", "RobustnessVerdict", "post_washout_effect", "robustness_verdict"]


@dataclass(frozen=True, kw_only=True)
class PostWashoutEffect(Effect):
    """The average effect over the post-washout period (``estimate`` = log ratio for count fits).

    Attributes (beyond :class:`Effect`)
    -----------------------------------
    difference, difference_low, difference_high : float
        Average absolute effect per period (fitted − counterfactual), in the outcome's unit, with its interval.
    baseline : float
        Mean observed level per period in the fitted pre-period.
    unit : str
        The outcome's unit (e.g. "besøk").
    period_start, period_end : Any
        First and last period averaged over (as in the data's time column).
    n_periods : int
        Fitted periods averaged over.
    intervention_in_window : str or None
        Label of the exclusion window the intervention date lies in, or ``None``.
    fit, predictions : statsmodels results, DataFrame
        The ITS fit and predictions the average was computed from (so a comparative result can be pooled
        with :func:`samorg.models.pool_municipalities`, which reads the residuals from them).
    """

    difference: float = math.nan
    difference_low: float = math.nan
    difference_high: float = math.nan
    baseline: float = math.nan
    unit: str = ""
    period_start: Any = None
    period_end: Any = None
    n_periods: int = 0
    intervention_in_window: str | None = None
    fit: Any = field(default=None, repr=False, compare=False)
    predictions: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)

    def sentence(self, lang: str = "nb", *, outcome_label: str | None = None, decimals: int | None = None,
                 caveats: bool = True) -> str:
        """E.g. «Besøket var om lag 10 % høyere enn forventet uten samlokalisering (95 % KI …) i 01.2022–12.2025; …»."""
        fmt._check_lang(lang)
        nb, i = lang == "nb", (0 if lang == "nb" else 1)
        label = outcome_label or self.details.get("outcome") or ("utfallet" if nb else "the outcome")
        label = label[0].upper() + label[1:]
        span = f"{_when(self.period_start, lang)}–{_when(self.period_end, lang)}"
        d = decimals if decimals is not None else (0 if abs(self.baseline) >= 100 else 1)
        per = self.details["per"][i]
        unit = self.details["unit_text"][i]
        unit = f" {unit}" if unit else ""
        without = self.details["intervention_label"][i]
        base = fmt.number(self.baseline, decimals=d, lang=lang)
        diff = fmt.ci(self.difference_low, self.difference_high, decimals=d, lang=lang, level=self.level)
        avg = fmt.number(self.difference, decimals=d, lang=lang, sign=True)
        if self.link == "log":
            r = math.exp(self.estimate) - 1
            size = fmt.percent(abs(r), decimals=0, lang=lang)
            word = ("høyere" if r >= 0 else "lavere") if nb else ("higher" if r >= 0 else "lower")
            text = (f"{label} var om lag {size} {word} enn forventet uten {without} ({_pct_ci(self, lang)}) i {span}, "
                    f"i snitt {avg}{unit} per {per} ({diff}); nivået før var om lag {base}{unit} per {per}." if nb else
                    f"{label}: about {size} {word} than expected without {without} ({_pct_ci(self, lang)}) in {span}, "
                    f"on average {avg}{unit} per {per} ({diff}); the level before was about {base}{unit} per {per}.")
        else:
            text = (f"{label} var i snitt {avg}{unit} per {per} annerledes enn forventet uten {without} i {span} "
                    f"({diff}); nivået før var {base}{unit}." if nb else
                    f"{label}: on average {avg}{unit} per {per} different from the expected without {without} in "
                    f"{span} ({diff}); the level before was {base}{unit}.")
        if self.intervention_in_window:
            text += (f" Tiltaksdatoen ligger i perioden som er holdt utenfor ({self.intervention_in_window}); derfor "
                     "brukes gjennomsnittet etter denne perioden, ikke nivåendringen på datoen." if nb else
                     f" The intervention date lies in a period left out of the fit ({self.intervention_in_window}); "
                     "so the average after that period is used, not the level change on the date.")
        how = self.details.get("method_nb" if nb else "method_text")
        text += (" Metode: " if nb else " Method: ") + how + "."
        if caveats and self.caveats:
            text += (" Forbehold: " if nb else " Caveats: ") + " ".join(self.caveat_texts(lang=lang))
        return text


def _pct_ci(effect: Effect, lang: str) -> str:
    return fmt.ci(math.exp(effect.ci_low) - 1, math.exp(effect.ci_high) - 1, decimals=1, lang=lang, pct=True,
                  level=effect.level)


def _when(value: Any, lang: str) -> str:
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else fmt.number(value, decimals=2, lang=lang)
    return fmt.month(pd.Timestamp(value), lang=lang)


def post_washout_effect(result: Any, *, unit: str | tuple[str, str] = "", start: Any = None, end: Any = None,
                        per: str | tuple[str, str] = ("måned", "month"),
                        intervention_label: str | tuple[str, str] = ("tiltaket", "the intervention"),
                        ) -> PostWashoutEffect:
    """The average effect over the post-washout period of a fitted ITS, with its interval (delta method).

    Parameters
    ----------
    result : ITSResult
        From :func:`samorg.models.its` (with or without ``control``). Not modified.
    unit : str or (bokmål, English)
        The outcome's unit for the text (e.g. ``("besøk", "visits")``).
    start, end : time value, optional
        First and last period to average over; by default from the end of the washout (see the module
        docstring) to the last fitted period.
    per : str or (bokmål, English)
        What one period is called (``"måned"``/``"month"``).
    intervention_label : str or (bokmål, English)
        What the counterfactual is without, for the text (``("samlokalisering", "co-location")``).

    Returns
    -------
    PostWashoutEffect

    Raises
    ------
    ModelError
        Not an ITS result, or no fitted period in the chosen span.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from samorg.models import its
    >>> t = pd.date_range("2016-01-01", "2023-12-01", freq="MS")
    >>> rng = np.random.default_rng(1)
    >>> y = rng.poisson(1000 * np.where(t >= "2020-01-01", 1.2, 1.0))
    >>> res = its(pd.DataFrame({"m": t, "y": y}), outcome="y", time="m", intervention="2020-01-01",
    ...           family="quasipoisson", exclude=[("2020-03-01", "2021-12-31")])
    >>> eff = post_washout_effect(res, unit="besøk")
    >>> round(math.exp(eff.estimate), 1), eff.n_periods
    (1.2, 24)
    """
    fit = getattr(result, "fit", None)
    preds = getattr(result, "predictions", None)
    if fit is None or preds is None or "counterfactual" not in getattr(preds, "columns", ()):
        raise ModelError("post_washout_effect() needs the result of samorg.models.its() (with its fit and "
                         f"predictions); got {type(result).__name__}.")
    d = result.details
    t = preds["model_time"].to_numpy(dtype=float)
    in_fit = preds["in_fit"].to_numpy(dtype=bool)
    post = preds["post"].to_numpy(dtype=bool)
    t0 = float(t[post].min())
    lo_t, window = _washout_end(d, t, preds, t0)
    first = lo_t if start is None else _model_time(start, preds, t)
    last = t[in_fit].max() if end is None else _model_time(end, preds, t)
    rows_in_fit = np.flatnonzero(in_fit)  # fit rows (treated series) in the order of predictions
    pick = in_fit & post & (t >= first - 1e-9) & (t <= last + 1e-9)
    if not pick.any():
        raise ModelError(f"No fitted period after the intervention between {_when(preds['time'].iloc[0], 'en')} and "
                         "the end of the series falls in the averaging span; check start/end and the exclusion windows.")
    sel = np.searchsorted(rows_in_fit, np.flatnonzero(pick))
    X1, X0, off, params, cov, names = _design_rows(result, sel)
    link = d.get("link", "log")
    q = inf.critical_value(result.level, None if link == "log" else d.get("df_resid"))
    eta1, eta0 = X1 @ params + off, X0 @ params + off
    if link == "log":
        m1, m0 = np.exp(eta1), np.exp(eta0)
        log_r = math.log(m1.sum() / m0.sum())
        g_r = (m1 @ X1) / m1.sum() - (m0 @ X0) / m0.sum()
        g_d = (m1 @ X1 - m0 @ X0) / len(m1)
    else:
        m1, m0 = eta1, eta0
        log_r = math.log(m1.mean() / m0.mean()) if m1.mean() > 0 and m0.mean() > 0 else math.nan
        g_r = X1.mean(axis=0) / m1.mean() - X0.mean(axis=0) / m0.mean()
        g_d = (X1 - X0).mean(axis=0)
    se_r, se_d = math.sqrt(max(g_r @ cov @ g_r, 0.0)), math.sqrt(max(g_d @ cov @ g_d, 0.0))
    diff = float(np.mean(m1 - m0))
    from scipy import stats

    # p of the headline estimate itself, with the interval's reference distribution, so that the interval
    # excludes zero exactly when p < 1 − level.
    head, head_se = (log_r, se_r) if link == "log" else (diff, se_d)
    dist = stats.norm if link == "log" else stats.t(d.get("df_resid"))
    p = float(2 * dist.sf(abs(head / head_se))) if head_se > 0 else math.nan
    observed = preds["observed"].to_numpy(dtype=float)
    baseline = float(np.nanmean(observed[in_fit & ~post]))
    times = preds["time"].to_numpy()[pick]
    def pair(v: str | tuple[str, str]) -> tuple[str, str]:
        return (v, v) if isinstance(v, str) else (str(v[0]), str(v[1]))

    details = {**{k: d.get(k) for k in ("outcome", "control", "comparison", "family", "intervention",
                                        "excluded_windows")},
               "per": pair(per), "unit_text": pair(unit), "intervention_label": pair(intervention_label),
               "source_method": result.method, "interval_method": "delta method",
               "ratio_observed": float(np.nansum(observed[pick]) / m0.sum()) if link == "log" else math.nan,
               "method_nb": "gjennomsnitt av tilpasset mot kontrafaktisk nivå etter utelatt periode, "
                            "deltametoden med modellens kovarians", "reference_distribution": "normal" if link == "log"
               else f"t({d.get('df_resid')})",
               "method_text": "average of fitted against counterfactual level after the washout, delta method with "
                              "the model's covariance", "coefficient_names": names}
    est = log_r if link == "log" else diff
    se = se_r if link == "log" else se_d
    return PostWashoutEffect(
        estimate=est, std_error=se, ci_low=est - q * se, ci_high=est + q * se, p_value=p, level=result.level,
        link="log" if link == "log" else "identity", method=f"average post-washout effect ({result.method})",
        inference=f"delta method ({result.inference})", n_obs=result.n_obs, term="effect", details=details,
        caveats=tuple(result.caveats), difference=diff, difference_low=diff - q * se_d, difference_high=diff + q * se_d,
        baseline=baseline, unit=pair(unit)[0], period_start=times[0], period_end=times[-1], n_periods=int(pick.sum()),
        intervention_in_window=window, fit=result.fit, predictions=result.predictions,
    )


def _model_time(value: Any, preds: pd.DataFrame, t: np.ndarray) -> float:
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        return float(value)
    ts = pd.Timestamp(value)
    return float(ts.year * 12 + ts.month - 1)


def _washout_end(d: Mapping[str, Any], t: np.ndarray, preds: pd.DataFrame, t0: float) -> tuple[float, str | None]:
    """First period after the last exclusion window ending on/after the intervention; the window holding t0."""
    first, inside = t0, None
    for w in d.get("excluded_windows", ()):
        lo, hi = _model_time(w["start"], preds, t), _model_time(w["end"], preds, t)
        if lo - 1e-9 <= t0 <= hi + 1e-9:
            inside = w.get("label") or f"{w['start']}–{w['end']}"
        if hi >= t0 - 1e-9:
            first = max(first, hi + 1e-6)
    return first, inside


def _design_rows(result: Any, sel: np.ndarray) -> tuple[np.ndarray, ...]:
    """Fit design rows of the chosen periods with and without the intervention terms, and the covariance."""
    fit = result.fit
    exog = np.asarray(fit.model.exog, dtype=float)
    params = np.asarray(fit.params, dtype=float)
    n_terms = len(result.coefficients)
    n_fe = len(params) - n_terms
    names = [f"period[{i}]" for i in range(n_fe)] + list(result.coefficients.index)
    X1 = exog[sel]
    X0 = X1.copy()
    for term in ("level_change", "slope_change"):
        if term in names:
            X0[:, names.index(term)] = 0.0
    offset = getattr(fit.model, "offset", None)
    off = np.zeros(len(sel)) if offset is None else np.asarray(offset, dtype=float)[sel]
    return X1, X0, off, params, _covariance(result), names


def _covariance(result: Any) -> np.ndarray:
    """The coefficient covariance ``its()`` used (HAC, robust or classical), rebuilt from the fit."""
    fit = result.fit
    d = result.details
    bread = np.asarray(fit.normalized_cov_params)
    kind = d.get("inference_kind", d.get("se"))
    if kind == "classical":
        return bread * float(fit.scale)
    scores = np.asarray(fit.model.score_obs(fit.params, scale=1.0))
    kernel = None
    if kind == "hac":
        preds = result.predictions
        tf = preds.loc[preds["in_fit"].to_numpy(dtype=bool), "model_time"].to_numpy(dtype=float)
        if d.get("comparison") or d.get("control"):
            tf = np.concatenate([tf, tf])
        step = 1.0 if d.get("time_kind") == "date" else float(np.min(np.diff(np.unique(tf)))) if len(tf) > 1 else 1.0
        kernel = inf.bartlett_kernel(tf / step, int(d["hac_lags"]))
    return inf.sandwich(bread, scores, kernel=kernel)


# --------------------------------------------------------------------------- robustness
@dataclass(frozen=True)
class RobustnessVerdict:
    """Whether the main estimate survives its sensitivity variants (same sign, overlapping intervals)."""

    robust: bool
    failing: tuple[str, ...] = ()
    compared: tuple[str, ...] = ()
    labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def text(self, lang: str = "nb") -> str:
        """«robust» / «skjørt: avhenger av …» (bokmål) or «robust» / «fragile: depends on …» (English)."""
        fmt._check_lang(lang)
        if self.robust:
            return "robust"
        i = 0 if lang == "nb" else 1
        names = [self.labels.get(v, (v, v))[i] for v in self.failing]
        joined = ", ".join(names)
        return f"skjørt: avhenger av {joined}" if lang == "nb" else f"fragile: depends on {joined}"

    def __str__(self) -> str:
        return self.text("nb")


def robustness_verdict(main: Effect, variants: Mapping[str, Effect | None], *,
                       labels: Mapping[str, tuple[str, str]] | None = None) -> RobustnessVerdict:
    """Robust when every variant agrees with ``main`` in sign and their intervals overlap.

    Parameters
    ----------
    main : Effect
        The main estimate.
    variants : mapping of name → Effect or None
        Sensitivity variants (washout as planned; 2022 also left out; COVID-19 months kept; without the
        comparison; leaving out each comparison unit). ``None`` (a variant that could not be fitted) is skipped.
    labels : mapping of name → (bokmål, English), optional
        How to name a variant in the text; default its name.

    Returns
    -------
    RobustnessVerdict
        ``failing`` names the variants that differ in sign or whose interval does not overlap the main one.

    Examples
    --------
    >>> e = lambda x: Effect(estimate=x, std_error=0.05, ci_low=x - 0.1, ci_high=x + 0.1, p_value=0.1, link="log")
    >>> robustness_verdict(e(0.10), {"no_2022": e(0.08), "no_control": e(-0.02)}).text("en")
    'fragile: depends on no_control'
    """
    failing, compared = [], []
    for name, v in variants.items():
        if v is None or not all(math.isfinite(x) for x in (v.estimate, v.ci_low, v.ci_high)):
            continue
        compared.append(name)
        same_sign = np.sign(v.estimate) == np.sign(main.estimate)
        overlap = v.ci_low <= main.ci_high and main.ci_low <= v.ci_high
        if not (same_sign and overlap):
            failing.append(name)
    return RobustnessVerdict(robust=not failing, failing=tuple(failing), compared=tuple(compared),
                             labels=dict(labels or {}))
