"""Synthetic control (Abadie, Diamond & Hainmueller 2010) with placebo-in-space inference.

The treated unit's pre-period path (and, optionally, pre-period means of predictor columns) is matched
by a weighted average of donor units, with weights that are non-negative and sum to one, chosen on the
pre-period only::

    w = argmin ‖y_pre − Y_donors,pre' w‖² + ‖v ⊙ (x − X_donors' w)‖² + λ ‖w‖²   s.t.  w ≥ 0, Σ w = 1

solved exactly as a non-negative least-squares problem with the sum-to-one constraint as a heavily
weighted extra row (Lawson–Hanson; scipy ``nnls``). The gap is ``treated − synthetic`` in every period;
``estimate`` is its mean over the post-period (excluded windows left out), in the outcome's unit.

**Donor pool.** Given by the caller (``comparison=``, e.g. municipalities merged in 2020 that did not
co-organise, read from the study file), minus ``exclude_units`` (each with its reason, e.g. co-located
libraries) and, with ``size`` and ``size_band``, minus donors whose pre-period mean of ``size`` lies
outside ``size_band`` times the treated unit's. What was left out, and why, is in ``details``.

**Predictors** (optional): each predictor's pre-period mean enters as one extra row, scaled so its spread
across units equals the outcome's pre-period spread (a fixed V, no V search: that search is slow,
unstable and rarely changes the weights when all pre-periods are used; Kaul et al. 2022).

**Guard against a perfect pre-period fit.** With few pre-periods and many donors, a convex combination
can pass exactly through the treated path (six annual pre-periods, 39 donors: pre-period RMSPE 0.0000),
and the RMSPE ratio then divides by zero. The fit counts as degenerate when it is within
``PERFECT_FIT`` (5 %) of the donors' typical year-to-year change ``σ`` (sd of their first differences in
the pre-period) and there are no more pre-periods than donors. Then (``guard="regularise"``, default)
every fit, treated and placebo alike, adds the ridge penalty of synthetic difference-in-differences,
``λ = ζ² T₀`` with ``ζ = (T_post)^{1/4} σ`` (Arkhangelsky et al. 2021, unit weights), which spreads the
weights and gives an honest pre-period error; ``guard="reduce"`` keeps the ``T₀ − 1`` donors whose
pre-period paths are closest to the treated unit's; ``guard="none"`` does nothing. The result says
which was done (``details["guard"]``) and shows it in the sentence.

**Inference** (DESIGN.md §4, ``inference="permutation"``): placebo-in-space. Every donor in turn is
treated as if it had been treated, with the other donors (never the treated unit) as its pool, fitted the
same way. The test statistic is the ratio of post- to pre-period RMSPE (``statistic="ratio"``, Abadie et
al. 2010) or the absolute mean post-period gap (``statistic="mean_gap"``, for outcomes on a common scale
such as visits per inhabitant); ``p = rank / (J + 1)`` with rank 1 the largest, the smallest attainable
p is ``1/(J + 1)``. The interval **inverts this same test** for a constant effect ``b0`` (Firpo &
Possebom 2018): the set of ``b0`` with ``p(b0) > 1 − level``, so an effect is outside the interval exactly
when its p-value is at most 0.05 and the interval and the p-value cannot disagree. When the design
cannot reject any ``b0`` (fewer than ``1/(1 − level) − 1`` donors) the interval is infinite: it is
stored as ±inf and never printed as a number; the sentence says it cannot be bounded.
``std_error`` is NaN: the placebo distribution's spread is not the interval's scale (docs/api.md §2).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.errors import ModelError
from samorg.models._panel import excluded_periods, panel
from samorg.models._synth_fit import GUARDS, STATISTICS, FitSpec, fit_all, interval
from samorg.models._vocabulary import renamed_keywords
from samorg.models.result import Effect, ModelWarning

__all__ = ["SynthResult", "synthetic_control"]

MIN_DONORS_FOR_05 = 19


@dataclass(frozen=True, kw_only=True)
class SynthResult(Effect):
    """The result of :func:`synthetic_control`: the mean post-period gap, plus the fit and placebos.

    Attributes (beyond :class:`Effect`)
    -----------------------------------
    weights : Series
        Donor weights (non-negative, summing to one), indexed by donor, largest first.
    series : DataFrame
        One row per period: ``time``, ``treated``, ``synthetic``, ``gap``, ``post``, ``excluded``.
    placebos : DataFrame
        One row per unit (the treated unit first, then every donor as a placebo): ``unit``,
        ``pre_rmspe``, ``post_rmspe``, ``ratio``, ``estimate`` (mean post-period gap), ``statistic``, ``rank``.
    placebo_gaps : DataFrame
        Gap series of every placebo: periods × donors (index ``time``).
    """

    weights: pd.Series = field(default_factory=pd.Series, repr=False, compare=False)
    series: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    placebos: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    placebo_gaps: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)

    def plot_data(self) -> pd.DataFrame:
        """A copy of :attr:`series` (the treated and synthetic paths and their gap)."""
        return self.series.copy()

    @property
    def bounded(self) -> bool:
        """Whether the interval from test inversion is finite."""
        return math.isfinite(self.ci_low) and math.isfinite(self.ci_high)

    def weight_table(self, *, min_weight: float = 0.001) -> pd.DataFrame:
        """Donors with weight ≥ ``min_weight``: ``donor``, ``weight``, ``pre_mean`` (the donor's pre-period mean)."""
        w = self.weights[self.weights >= min_weight]
        pre = self.details.get("donor_pre_means", {})
        return pd.DataFrame({"donor": w.index, "weight": w.to_numpy(), "pre_mean": [pre.get(d, math.nan) for d in w.index]})

    def sentence(self, lang: str = "nb", *, outcome_label: str | None = None, decimals: int | None = None,
                 caveats: bool = True) -> str:
        """The mean gap with its unit and baseline, the interval from test inversion (or why there is none), p."""
        fmt._check_lang(lang)
        nb, d = lang == "nb", self.details
        label = outcome_label or d.get("outcome") or ("utfallet" if nb else "the outcome")
        dec = decimals if decimals is not None else _level_decimals(d["baseline"])
        unit = f" {d['unit']}" if d.get("unit") else ""
        value = fmt.number(self.estimate, decimals=dec, lang=lang, sign=True) + unit
        base = fmt.number(d["baseline"], decimals=dec, lang=lang) + unit
        p = fmt.p_value(self.p_value, lang=lang, min_attainable=d.get("min_attainable_p"))
        n = fmt.number(d["n_donors"] + 1, lang=lang)
        if not math.isfinite(self.p_value):
            how = "uten placebotest" if nb else "without a placebo test"
        elif self.bounded:
            ci = fmt.ci(self.ci_low, self.ci_high, decimals=dec, lang=lang, level=self.level)
            how = (f"{ci}: de konstante effektene placebotesten ikke forkaster (invertert test); {p}" if nb else
                   f"{ci}: the constant effects the placebo test does not reject (test inversion); {p}")
        else:
            how = (f"med {n} enheter i placebotesten kan intervallet ikke avgrenses; {p}" if nb else
                   f"with {n} units in the placebo test the interval cannot be bounded; {p}")
        text = (f"For {label} er gjennomsnittlig avvik fra den syntetiske kontrollen etter tiltaket {value} ({how}); "
                f"nivået før tiltaket var {base}." if nb else
                f"For {label}, the mean gap to the synthetic control after the intervention is {value} ({how}); "
                f"the level before was {base}.")
        how = d.get("method_nb", self.method) if nb else self.method
        inference = d.get("inference_nb", self.inference) if nb else self.inference
        text += (" Metode: " if nb else " Method: ") + ", ".join(x for x in (how, inference) if x) + "."
        if caveats:
            extra = self._extra_caveats(lang) + self.caveat_texts(lang=lang)
            if extra:
                text += (" Forbehold: " if nb else " Caveats: ") + " ".join(extra)
        return text

    def _extra_caveats(self, lang: str) -> list[str]:
        d, nb = self.details, lang == "nb"
        out = []
        pct = fmt.percent(d["pre_rmspe_share"], decimals=1, lang=lang)
        out.append(f"Tilpasningen før tiltaket bommer i snitt med {pct} av nivået (RMSPE)." if nb else
                   f"Before the intervention the fit misses by {pct} of the level on average (RMSPE).")
        guard = d.get("guard")
        if guard == "regularised":
            out.append("Med få perioder før tiltaket og mange sammenligningsenheter passet den vanlige syntetiske "
                       "kontrollen perfekt (forholdstallet ville delt på null); vektene er derfor regularisert "
                       "(ridge-straff som i syntetisk forskjell-i-forskjeller), også i placebotesten." if nb else
                       "With few pre-periods and many comparison units the plain synthetic control fitted perfectly "
                       "(the ratio statistic would divide by zero); the weights are therefore regularised (a ridge "
                       "penalty as in synthetic difference-in-differences), in the placebo test too.")
        elif guard == "reduced":
            k = fmt.number(d["n_donors"], lang=lang)
            out.append(f"Med få perioder før tiltaket passet den syntetiske kontrollen perfekt; sammenligningsgruppen er "
                       f"derfor redusert til de {k} enhetene som lignet mest før tiltaket." if nb else
                       f"With few pre-periods the synthetic control fitted perfectly; the comparison pool was therefore "
                       f"reduced to the {k} units most similar before the intervention.")
        if math.isfinite(self.p_value):
            rank, total = fmt.number(d["rank"], lang=lang), fmt.number(d["n_donors"] + 1, lang=lang)
            stat = ({"ratio": "forholdet mellom RMSPE etter og før", "mean_gap": "gjennomsnittlig avvik etter"} if nb
                    else {"ratio": "post/pre-period RMSPE ratio", "mean_gap": "mean post-period gap"})[d["statistic"]]
            p_min = fmt.number(d["min_attainable_p"], decimals=3, lang=lang)
            out.append(f"Teststørrelse: {stat}; nummer {rank} av {total} enheter; minste oppnåelige p-verdi er "
                       f"1/{total} = {p_min}." if nb else
                       f"Test statistic: {stat}; rank {rank} of {total} units; the smallest attainable p-value is "
                       f"1/{total} = {p_min}.")
        for w in d.get("excluded_windows", ()):
            label = f" ({w['label']})" if w.get("label") else ""
            span = f"{_bound(w['start'], lang)}–{_bound(w['end'], lang)}"
            out.append(f"Perioden {span}{label} er holdt utenfor både vektene og gjennomsnittet etter tiltaket." if nb
                       else f"The period {span}{label} was left out of the weights and of the post-period average.")
        return out


def _level_decimals(level: float) -> int:
    """Decimals that show a level with about three significant digits (3,26; 48,1; 4 800)."""
    if not math.isfinite(level) or level == 0:
        return 2
    return int(min(4, max(0, 2 - math.floor(math.log10(abs(level))))))


def _bound(value: Any, lang: str) -> str:
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        # A period such as the year 2020 is written without a thousands separator.
        return str(int(value)) if float(value).is_integer() else fmt.number(value, decimals=2, lang=lang)
    return fmt.date(value, lang=lang)


@renamed_keywords(donors="comparison")
def synthetic_control(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    treated: Any,
    intervention: Any,
    comparison: Sequence[Any] | None = None,
    exclude_units: Mapping[Any, str] | Sequence[Any] = (),
    size: str | None = None,
    size_band: tuple[float, float] | None = None,
    predictors: Sequence[str] = (),
    exclude: Sequence[Any] = (),
    guard: str = "regularise",
    statistic: str = "ratio",
    inference: str = "permutation",
    placebo: bool | None = None,
    unit_label: str = "",
    level: float = 0.95,
    caveats: Sequence[str] = (),
) -> SynthResult:
    """Estimate the effect on one treated unit with a synthetic control and placebo-in-space inference.

    Parameters
    ----------
    data : DataFrame
        Long panel: one row per unit × period. Not modified.
    outcome, unit, time : str
        Columns: numeric outcome, unit id, period (numbers such as years, or dates).
    treated : unit id
        The treated unit (one; fit a second treated unit separately).
    intervention : number or date
        First treated period (``post = time >= intervention``).
    comparison : sequence of unit ids, optional
        The donor pool (e.g. from the study file); default every other unit. (Old name: ``donors``.)
    exclude_units : mapping unit → reason, or sequence of unit ids
        Units left out of the pool (e.g. co-located ones), recorded with their reason.
    size, size_band : column and (low, high), optional
        Keep only donors whose pre-period mean of ``size`` is within ``size_band`` times the treated unit's.
    predictors : sequence of str
        Columns whose pre-period means are matched too (see the module docstring).
    exclude : sequence of windows
        ``(start, end)`` or ``(start, end, label)``, inclusive; periods inside are left out of
        the weights, the RMSPEs and the post-period mean (e.g. the COVID-19 years).
    guard : {"regularise", "reduce", "none"}
        What to do when the pre-period fit is degenerate (module docstring).
    statistic : {"ratio", "mean_gap"}
        Placebo test statistic: post/pre RMSPE ratio, or the absolute mean post-period gap.
    inference : {"permutation", "none"}
        Placebo-in-space test with its inverted interval, or none (p and interval NaN).
    placebo : bool, optional
        Old spelling of ``inference`` (True → "permutation", False → "none"); warns.
    unit_label : str
        The outcome's unit for the text ("besøk per innbygger").
    level : float
        Confidence level of the interval from test inversion.
    caveats : sequence of str
        Extra caveats (keys of :data:`samorg.models.CAVEATS` or text).

    Returns
    -------
    SynthResult

    Raises
    ------
    ModelError
        Missing columns, an unknown treated unit, no donors, an intervention outside the data, fewer than
        two pre-periods, a constant outcome, missing treated outcomes, unknown options.

    Warns
    -----
    ModelWarning
        Fewer than 19 donors (no p ≤ 0.05 attainable), a poor or degenerate pre-period fit, dropped donors.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> years = np.arange(2010, 2024)
    >>> paths = {f"d{j}": 100 + rng.normal(0, 3) + (j % 4) * np.arange(14) for j in range(24)}
    >>> paths["t"] = 0.5 * paths["d1"] + 0.5 * paths["d2"] + 5 * (years >= 2020)
    >>> df = pd.DataFrame([(u, y, v) for u, s in paths.items() for y, v in zip(years, s)], columns=["u", "year", "y"])
    >>> res = synthetic_control(df, outcome="y", unit="u", time="year", treated="t", intervention=2020)
    >>> round(res.estimate, 1), res.details["rank"], res.details["guard"]  # an exact mix of two donors: a perfect fit
    (5.1, 1, 'regularised')
    """
    inference = _options(level, guard, statistic, inference, placebo)
    pan = panel(data, outcome=outcome, unit=unit, time=time, fn="synthetic_control")
    pool, dropped = _pool(pan, data, treated, unit, comparison, exclude_units, size, size_band, time, intervention)
    ex, windows = excluded_periods(pan.times, pan.kind, exclude, time)
    t0 = pan.period_of(intervention, what="intervention")
    if t0 == 0:
        raise ModelError(f"The intervention ({intervention}) is at or before the first period ({pan.label(0)}): there "
                         "is no pre-period to build the synthetic control from.")
    if t0 >= len(pan.times):
        raise ModelError(f"The intervention ({intervention}) is after the last period ({pan.label(len(pan.times) - 1)})"
                         ": there is no post-period.")
    post = np.arange(len(pan.times)) >= t0
    pre_idx, post_idx = np.flatnonzero(~post & ~ex), np.flatnonzero(post & ~ex)
    if len(pre_idx) < 2:
        raise ModelError(f"Only {len(pre_idx)} usable pre-period(s) before {intervention}: at least 2 are needed "
                         "(many more for a credible fit).")
    if len(post_idx) == 0:
        raise ModelError("Every post-period is inside an exclusion window: nothing is left to estimate.")
    row = {u: i for i, u in enumerate(pan.units)}
    y = pan.Y[row[treated]]
    used = np.r_[pre_idx, post_idx]
    if np.isnan(y[used]).any():
        raise ModelError(f"The treated unit {treated!r} has no outcome for {pan.label(int(used[np.isnan(y[used])][0]))}. "
                         "Fill or exclude that period.")
    Yd = pan.Y[[row[d] for d in pool]]
    complete = ~np.isnan(Yd[:, used]).any(axis=1)
    if not complete.all():
        gone = [d for d, ok in zip(pool, complete) if not ok]
        warnings.warn(f"{len(gone)} donor(s) have missing outcomes in the periods used and were dropped "
                      f"(e.g. {gone[:3]}).", ModelWarning, stacklevel=3)
        dropped.update({d: "missing outcomes" for d in gone})
        pool, Yd = [d for d, ok in zip(pool, complete) if ok], Yd[complete]
    if not pool:
        raise ModelError("No donor has a complete outcome series in the periods used.")
    values = np.r_[y[used], Yd[:, used].ravel()]
    if np.ptp(values) == 0:
        raise ModelError(f'Outcome "{outcome}" is constant ({values[0]!r}) in every unit and period used: there is '
                         "nothing to compare.")
    Xp = _predictors(data, unit, time, predictors, pan, pre_idx, [treated] + list(pool))
    spec = FitSpec(pre_idx=pre_idx, post_idx=post_idx, statistic=statistic, guard=guard,
                   placebo=inference == "permutation")
    fit = fit_all(y, Yd, Xp, spec)
    if fit.keep is not None:
        dropped.update({d: "reduced pool (perfect pre-period fit)" for d, k in zip(pool, fit.keep) if not k})
        pool = [d for d, k in zip(pool, fit.keep) if k]
    call = {"estimator": "synthetic_control", "outcome": outcome, "unit": unit, "time": time, "treated": treated,
            "intervention": intervention, "comparison": None if comparison is None else tuple(comparison),
            "exclude_units": dict(exclude_units) if isinstance(exclude_units, Mapping) else tuple(exclude_units),
            "size": size, "size_band": size_band, "predictors": tuple(predictors), "exclude": tuple(exclude),
            "guard": guard, "statistic": statistic, "inference": inference, "unit_label": unit_label, "level": level,
            "caveats": tuple(caveats)}
    return _assemble(pan, fit, y, pool, dropped, post, ex, windows, treated, intervention, outcome, unit, time,
                     statistic, inference, guard, unit_label, level, caveats, call, predictors)


def _options(level: float, guard: str, statistic: str, inference: str, placebo: bool | None) -> str:
    if not 0 < level < 1:
        raise ModelError(f"level={level!r} must be between 0 and 1, e.g. 0.95.")
    if guard not in GUARDS:
        raise ModelError(f"guard={guard!r} is not supported. Expected one of {GUARDS}.")
    if statistic not in STATISTICS:
        raise ModelError(f"statistic={statistic!r} is not supported. Expected one of {STATISTICS}.")
    if placebo is not None:
        warnings.warn("synthetic_control(placebo=...) is deprecated; use inference='permutation' or 'none' (see "
                      "docs/api.md).", FutureWarning, stacklevel=4)
        inference = "permutation" if placebo else "none"
    if inference not in ("permutation", "none"):
        raise ModelError(f"inference={inference!r} is not supported by synthetic_control(). Expected 'permutation' "
                         "or 'none'.")
    return inference


def _pool(pan, data, treated, unit, comparison, exclude_units, size, size_band, time, intervention):
    if isinstance(treated, (list, tuple, set, np.ndarray, pd.Index)):
        raise ModelError(f"treated={treated!r}: synthetic_control() takes one treated unit. Fit each treated unit "
                         "separately (their donor pools should exclude each other).")
    units = list(pan.units)
    if treated not in units:
        raise ModelError(f'Treated unit {treated!r} is not in "{unit}". Units include {units[:8]}.')
    if len(units) == 1:
        raise ModelError(f"Only one unit ({treated!r}) is in the data: a synthetic control needs donor units that were "
                         "not treated.")
    pool = [u for u in units if u != treated] if comparison is None else list(dict.fromkeys(comparison))
    unknown = [d for d in pool if d not in units]
    if unknown:
        raise ModelError(f'Comparison unit(s) {unknown[:5]} are not in "{unit}".')
    reasons = dict(exclude_units) if isinstance(exclude_units, Mapping) else {u: "excluded by the caller"
                                                                             for u in exclude_units}
    dropped = {d: r for d, r in reasons.items() if d in pool and d != treated}
    pool = [d for d in pool if d != treated and d not in reasons]
    if size is not None and size_band is not None:
        if size not in data.columns:
            raise ModelError(f'size column "{size}" is not in the data (columns {list(data.columns)}).')
        from samorg.models._panel import to_time, time_values

        t, kind = time_values(data[time], time)
        before = t < to_time(intervention, kind, what="intervention", column=time)
        means = data[before].groupby(unit)[size].mean()
        ref = float(means.get(treated, math.nan))
        lo, hi = size_band
        out = [d for d in pool if not (lo * ref <= float(means.get(d, math.nan)) <= hi * ref)]
        dropped.update({d: f"outside the size band {lo:g}–{hi:g}× the treated unit" for d in out})
        pool = [d for d in pool if d not in out]
    if not pool:
        raise ModelError(f"No donor units are left for {treated!r}: a synthetic control needs donor units that were "
                         f"not treated. Left out: {dict(list(dropped.items())[:5])}.")
    return pool, dropped


def _predictors(data, unit, time, predictors, pan, pre_idx, order) -> np.ndarray | None:
    if not predictors:
        return None
    missing = [p for p in predictors if p not in data.columns]
    if missing:
        raise ModelError(f"Predictor column(s) {missing} are not in the data (columns {list(data.columns)}).")
    pre_times = set(pd.Series(pan.times[pre_idx]).tolist())
    from samorg.models._panel import time_values

    t, _ = time_values(data[time], time)
    rows = data[pd.Series(t, index=data.index).isin(pre_times)]
    means = rows.groupby(unit)[list(predictors)].mean()
    X = means.reindex(order).to_numpy(dtype=float)
    if np.isnan(X).any():
        raise ModelError(f"Some units have no pre-period values of the predictors {list(predictors)}; fill them or "
                         "leave those units out.")
    return X  # (1 + J) × P, treated first


def _assemble(pan, fit, y, pool, dropped, post, ex, windows, treated, intervention, outcome, unit, time, statistic,
              inference, guard, unit_label, level, caveats, call, predictors) -> SynthResult:
    J = len(pool)
    table = fit.table.assign(unit=[treated] + (list(pool) if len(fit.table) > 1 else []))
    table["rank"] = table["statistic"].rank(ascending=False, method="max").astype(int)
    rank = int(table["rank"].iloc[0])
    p, lo, hi = math.nan, math.nan, math.nan
    if inference == "permutation" and len(table) > 1:
        p = rank / len(table)
        lo, hi = interval(fit.post_gap, fit.pre_rmspe, table["statistic"].to_numpy()[1:], level, statistic)
    local = list(caveats)
    p_min = 1 / (J + 1)
    if J < MIN_DONORS_FOR_05:
        local.append("few_donors")
        warnings.warn(f"Only {J} donors: the smallest attainable placebo p-value is 1/{J + 1} = {p_min:.3f}, so no "
                      "p ≤ 0.05 is possible. Report the rank, not significance.", ModelWarning, stacklevel=3)
    if fit.degenerate:
        warnings.warn(f"The pre-period fit for {treated!r} was perfect ({len(fit.pre_idx)} pre-periods, {fit.n_pool} "
                      f"donors): guard={guard!r} applied.", ModelWarning, stacklevel=3)
    if fit.poor:
        local.append("poor_pre_fit")
        warnings.warn(f"Poor pre-period fit for {treated!r}: pre-period RMSPE {fit.pre_rmspe:.3g}. The synthetic "
                      "control cannot reproduce its path, so the gap is not credible.", ModelWarning, stacklevel=3)
    pre_idx = fit.pre_idx
    baseline = float(np.mean(y[pre_idx]))
    series = pd.DataFrame({"time": pan.times, "treated": y, "synthetic": y - fit.gap, "gap": fit.gap, "post": post,
                           "excluded": ex})
    weights = pd.Series(fit.weights, index=pd.Index(pool, name=unit), name="weight").sort_values(ascending=False)
    n_pre, n_post = len(pre_idx), len(fit.post_idx)
    guard_done = {"regularise": "regularised", "reduce": "reduced"}.get(guard) if fit.degenerate else None
    how = {"ratio": "post/pre RMSPE ratio", "mean_gap": "absolute mean post-period gap"}[statistic]
    details = {
        "outcome": outcome, "unit": unit_label, "treated_unit": treated, "intervention": intervention,
        "time_kind": pan.kind, "n_donors": J, "n_pre": n_pre, "n_post": n_post, "pre_rmspe": fit.pre_rmspe,
        "post_rmspe": fit.post_rmspe, "ratio": fit.ratio, "rank": rank, "min_attainable_p": p_min,
        "baseline": baseline, "pre_rmspe_share": fit.pre_rmspe / abs(baseline) if baseline else math.nan,
        "statistic": statistic, "guard": guard_done, "penalty": fit.penalty, "dropped_donors": dict(dropped),
        "donor_pre_means": dict(zip(pool, fit.donor_pre_means)), "predictors": tuple(predictors),
        "reference_distribution": "placebo-in-space" if inference == "permutation" else "none",
        "interval_method": "inversion of the placebo test" if inference == "permutation" else "none",
        "excluded_windows": tuple(windows), "n_weights_positive": int((fit.weights > 1e-6).sum()),
        "method_nb": f"syntetisk kontroll (vekter fra {n_pre} perioder før tiltaket"
                     f"{', regularisert' if guard_done == 'regularised' else ''})",
        "inference_nb": (f"placebotest over {J} sammenligningsenheter" if inference == "permutation" else
                         "ingen placebotest"),
        "call": call,
    }
    return SynthResult(
        estimate=float(np.mean(fit.post_gap)), std_error=math.nan, ci_low=lo, ci_high=hi, p_value=p, level=level,
        link="identity",
        method=f"synthetic control (weights from {n_pre} pre-intervention periods{', regularised' if guard_done == 'regularised' else ''})",
        inference=(f"placebo-in-space over {J} donors ({how})" if inference == "permutation" else "none"),
        n_obs=int((J + 1) * (n_pre + n_post)), term="effect", details=details, caveats=tuple(local),
        weights=weights, series=series, placebos=table, placebo_gaps=pd.DataFrame(
            {pool[j]: g for j, g in fit.placebo_gaps.items()}, index=pd.Index(pan.times, name="time")),
    )
