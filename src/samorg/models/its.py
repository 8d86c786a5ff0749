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

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.errors import ModelError
from samorg.models import _inference as inf
from samorg.models import _its_fit as fx
from samorg.models._its_fit import SE_TYPES
from samorg.models._memo import memoised
from samorg.models._timeaxis import excluded_mask, missing_periods, model_time, parse_windows
from samorg.models._vocabulary import inference_value, renamed_keywords
from samorg.models.result import Effect, ModelWarning

__all__ = ["ITSResult", "its"]

_FAMILY_TEXT = {
    "gaussian": ("lineær (Gauss)", "linear (Gaussian)"),
    "poisson": ("Poisson", "Poisson"),
    "quasipoisson": ("kvasi-Poisson", "quasi-Poisson"),
    "negbin": ("negativ binomisk", "negative binomial"),
}


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


@memoised  # the same data and arguments are fitted once per process (issue 17; see _memo)
@renamed_keywords(se="inference", control="comparison", period="season_length")
def its(
    data: pd.DataFrame,
    *,
    outcome: str,
    time: str,
    intervention: Any,
    family: str = "gaussian",
    offset: str | None = None,
    seasonality: int | str | None = None,
    season_length: int = 12,
    trend: bool = True,
    slope_change: bool = True,
    covariates: Sequence[str] = (),
    exclude: Sequence[Any] = (),
    comparison: str | None = None,
    inference: str = "hac",
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
        ``int K``: K Fourier (sin, cos) pairs of ``season_length``; ``"month"``: month-of-year
        dummies (for numeric time: dummies of ``time mod season_length``).
    season_length : int
        Season length in time units (12 for monthly data). Old name ``period`` (deprecated).
    trend, slope_change : bool
        Include the pre-existing trend / a change in trend after the intervention.
    covariates : sequence of str
        Extra numeric columns entering the linear predictor as they are.
    exclude : sequence of windows
        ``(start, end)`` or ``(start, end, label)``, inclusive, in the units of ``time``;
        also :class:`samorg.config.Window`. A month is left out if any day of it falls in a
        window (docs/api.md §4); rows inside are named in the sentence with their label.
    comparison : str, optional
        Column with a control series on the same rows, unaffected by the intervention
        (comparison branches or municipalities). Comparative ITS: the two series are stacked
        with one effect per period, so shocks they share (COVID-19) cancel on the link scale,
        and ``estimate`` is the level change relative to the control. Rows outside the fit
        get no fitted values (their period effect is unknown); ``n_obs`` counts both series.
        Old name ``control`` (deprecated).
    inference : {"hac", "classical", "robust"}
        ``hac``: Newey–West (Bartlett, lags on actual time distance); ``classical``: model-based
        (scaled by the dispersion for quasi-Poisson/Gaussian); ``robust``: HC1 sandwich.
        Old name ``se`` (deprecated).
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
    >>> res = its(df, outcome="y", time="t", intervention=13, inference="classical")
    >>> round(res.estimate)
    5
    """
    inference = inference_value("its", inference, SE_TYPES)
    fit_in = _prepare(data, outcome=outcome, time=time, intervention=intervention, family=family, offset=offset,
                      seasonality=seasonality, season_length=season_length, trend=trend, slope_change=slope_change,
                      covariates=list(covariates), exclude=exclude, comparison=comparison, level=level,
                      hac_lags=hac_lags, caveats=list(caveats))
    Y, M, O, T, M_all, M_cf, fe = fx.stack(fit_in["y"], fit_in["X"], fit_in["log_off"], fit_in["t"],
                                           fit_in["in_fit"], fit_in["ctl"])
    fit, cov, scale, extra = fx.fit_glm(Y, M, O, T, family, inference, hac_lags, fit_in["axis"],
                                        n_periods=int(fit_in["in_fit"].sum()))
    call = {"estimator": "its", "outcome": outcome, "time": time, "intervention": intervention, "family": family,
            "offset": offset, "seasonality": seasonality, "season_length": season_length, "trend": trend,
            "slope_change": slope_change, "covariates": tuple(covariates), "exclude": tuple(exclude),
            "comparison": comparison, "inference": inference, "hac_lags": hac_lags, "level": level,
            "caveats": tuple(caveats)}
    return _assemble(fit=fit, cov=cov, scale=scale, extra=extra, M_all=M_all, M_cf=M_cf, n_fe=fe, n_rows_fit=len(Y),
                     time=time, family=family, se=inference, level=level, outcome=outcome, offset=offset,
                     control=comparison, seasonality=seasonality, period=season_length, covariates=list(covariates),
                     intervention=intervention, slope_change=slope_change, call=call, **fit_in)


def _prepare(data, *, outcome, time, intervention, family, offset, seasonality, season_length, trend, slope_change,
             covariates, exclude, comparison, level, hac_lags, caveats) -> dict[str, Any]:
    """Checked, sorted rows with model time, design, exclusions and which rows enter the fit."""
    fx.check_options(family, seasonality, season_length, level, hac_lags, offset)
    if not isinstance(data, pd.DataFrame):
        raise ModelError(f"its() expected a pandas DataFrame as data, got {type(data).__name__}.")
    needed = [outcome, time] + [c for c in (offset, comparison) if c] + covariates
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise ModelError(
            f"Column(s) {missing} are not in the data. The data have columns {list(data.columns)}. "
            "Check the names passed as outcome/time/offset/comparison/covariates."
        )
    if len(data) == 0:
        raise ModelError("The data have no rows; an interrupted time series needs a series before and after.")
    frame = data[list(dict.fromkeys(needed))].reset_index(drop=True)
    t, axis = model_time(frame[time], column=time)
    order = np.argsort(t, kind="stable")
    frame, t = frame.iloc[order].reset_index(drop=True), t[order]
    t0 = axis.to_model(intervention, what="intervention")
    fx.check_periods(t, t0, axis, intervention)
    y = pd.to_numeric(frame[outcome], errors="coerce").to_numpy(dtype=float)
    if np.isnan(y).sum() > frame[outcome].isna().sum():
        raise ModelError(f'Outcome "{outcome}" has values that are not numbers, e.g. {frame[outcome].iloc[0]!r}.')
    windows = parse_windows(exclude, axis)
    excluded = excluded_mask(t, windows)
    post = t >= t0 - 1e-9
    X = fx.design(frame, t, t0, axis, trend, slope_change, seasonality, season_length, covariates)
    in_fit = ~excluded & ~np.isnan(y) & X.notna().all(axis=1).to_numpy()
    ctl = None
    if comparison:
        ctl = fx.control_values(frame, comparison, family, in_fit)
        in_fit &= ~np.isnan(ctl)
    log_off = np.zeros(len(t))
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
    fx.check_fit_rows(y, t, t0, post, in_fit, excluded, axis, family, outcome, X, slope_change, caveats)
    gaps = missing_periods(t, axis) + [float(v) for v in t[np.isnan(y)]]
    if gaps:
        caveats.append("missing_periods")
        warnings.warn(
            f"{len(gaps)} period(s) inside the series have no outcome (first: {axis.label(min(gaps))}). "
            "The model uses actual time and HAC weights use actual time distances; consider whether the "
            "gaps are random.",
            ModelWarning,
            stacklevel=4,
        )
    return {"y": y, "t": t, "t0": t0, "axis": axis, "frame": frame, "X": X, "post": post, "excluded": excluded,
            "in_fit": in_fit, "ctl": ctl, "log_off": log_off, "windows": windows, "caveats": caveats}


def _assemble(*, fit, cov, scale, extra, X, M_all, M_cf, n_fe, n_rows_fit, y, t, t0, axis, frame, time, post,
              excluded, in_fit, log_off, family, se, level, windows, caveats, outcome, offset, control, seasonality,
              period, covariates, intervention, slope_change, call, ctl=None) -> ITSResult:
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
            # the diagonal of M cov M' row by row, through one matrix product (einsum's loop was ~10x slower)
            s = np.sqrt(np.clip(((M @ cov) * M).sum(axis=1), 0, None))
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
        inf_nb = f"HAC-standardfeil (Newey–West, {extra['hac_lags']} etterslep)"
    elif se == "robust":
        inf_en, inf_nb = "robust (HC1) standard errors", "robuste standardfeil (HC1)"
    else:
        inf_en, inf_nb = "classical standard errors", "klassiske standardfeil"
    if family == "quasipoisson":
        disp_en = fmt.number(extra["dispersion"], decimals=2, lang="en")
        disp_nb = fmt.number(extra["dispersion"], decimals=2, lang="nb")
        fam_en += f", dispersion {disp_en}"
        fam_nb += f", overspredningsparameter {disp_nb}"
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
        "seasonality": seasonality, "season_length": period, "period": period, "offset": offset,
        "comparison": control, "control": control, "inference_kind": se,
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

