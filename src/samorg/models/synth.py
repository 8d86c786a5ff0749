"""Synthetic control (Abadie, Diamond & Hainmueller 2010) with placebo-in-space inference.

The treated unit's pre-period path is matched by a weighted average of donor units, with
weights that are non-negative and sum to one, chosen on the pre-period only:

    w = argmin ‖y_pre − Y_donors,pre' w‖²   subject to  w ≥ 0, Σ w = 1

solved exactly as a non-negative least-squares problem with the sum-to-one constraint as
a heavily weighted extra row (Lawson–Hanson; scipy ``nnls``), then renormalised. The
gap is ``treated − synthetic`` in every period; ``estimate`` is its mean over the
post-period (excluded windows left out).

Inference (DESIGN.md §4): placebo-in-space. Every donor in turn is treated as if it had
been treated, with the other donors (never the treated unit, whose post-period carries the
effect) as its pool. Units are ranked by the ratio of post- to pre-period RMSPE (Abadie
et al. 2010), and ``p = rank / (J + 1)`` with rank 1 the largest ratio; the smallest
attainable p is ``1 / (J + 1)``, so with fewer than 19 donors no p ≤ 0.05 is possible (a
warning says so). The confidence interval inverts this test for a constant effect
``b0`` (Firpo & Possebom 2018): the placebo ratios do not depend on ``b0``, the treated
ratio is a quadratic in it, so the set of ``b0`` not rejected is an exact interval (infinite
when the design cannot reject at all; empty, reported as NaN, when even the best constant
effect is rejected). ``std_error`` is the standard deviation of the placebo estimates.

Design decisions: outcome paths only (no covariate predictors and no V-matrix search,
which is slow, unstable and rarely changes the weights when all pre-periods are used;
Kaul et al. 2022); donors with missing outcomes in the periods used are dropped with a
warning; the pre-fit counts as poor (warning and caveat) when the treated unit lies outside
the donors' range in at least half of the pre-periods or its pre-period RMSPE is more than
twice the median placebo's.
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
from samorg.models._panel import excluded_periods, panel
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
        ``pre_rmspe``, ``post_rmspe``, ``ratio``, ``estimate`` (mean post-period gap), ``rank``.
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

    def _extra_caveats(self, lang: str) -> list[str]:
        d = self.details
        out = []
        rank, total = fmt.number(d["rank"], lang=lang), fmt.number(d["n_donors"] + 1, lang=lang)
        p_min = fmt.number(d["min_attainable_p"], decimals=3, lang=lang)
        if d["ratio"] > 1000:  # a near-perfect pre-period fit makes the ratio meaningless as a number
            ratio = "mer enn 1 000" if lang == "nb" else "more than 1,000"
        else:
            ratio = fmt.number(d["ratio"], decimals=2, lang=lang)
        rmspe = fmt.number(d["pre_rmspe"], decimals=_decimals(d["pre_rmspe"]), lang=lang)
        if lang == "nb":
            out.append(f"Forholdet mellom RMSPE etter og før tiltaket er {ratio}, nummer {rank} av {total} enheter i "
                       f"placebotesten; minste oppnåelige p-verdi er 1/{total} = {p_min}. RMSPE før tiltaket: {rmspe}.")
        else:
            out.append(f"The post/pre-period RMSPE ratio is {ratio}, rank {rank} of {total} units in the placebo "
                       f"test; the smallest attainable p-value is 1/{total} = {p_min}. Pre-period RMSPE: {rmspe}.")
        for w in d.get("excluded_windows", ()):
            label = f" ({w['label']})" if w.get("label") else ""
            span = f"{_bound(w['start'], lang)}–{_bound(w['end'], lang)}"
            out.append(f"Perioden {span}{label} er holdt utenfor både vektene og gjennomsnittet etter tiltaket."
                       if lang == "nb" else
                       f"The period {span}{label} was left out of the weights and of the post-period average.")
        return out


def _decimals(x: float) -> int:
    if not math.isfinite(x) or x <= 0:
        return 2
    return int(min(4, max(0, 2 - math.floor(math.log10(x)))))


def _bound(value: Any, lang: str) -> str:
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        # A period such as the year 2020 is written without a thousands separator.
        return str(int(value)) if float(value).is_integer() else fmt.number(value, decimals=2, lang=lang)
    return fmt.date(value, lang=lang)


def synthetic_control(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    treated: Any,
    intervention: Any,
    donors: Sequence[Any] | None = None,
    exclude: Sequence[Any] = (),
    placebo: bool = True,
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
    donors : sequence of unit ids, optional
        The donor pool; default every other unit.
    exclude : sequence of windows
        ``(start, end)`` or ``(start, end, label)``, inclusive; periods inside are left out of
        the weights, the RMSPEs and the post-period mean (e.g. the COVID-19 years).
    placebo : bool
        Run the placebo-in-space test (p-value and interval). Without it, they are NaN.
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
        Missing columns, an unknown treated unit, no donors (one site), an intervention
        outside the data (no pre- or post-period), fewer than two pre-periods, a constant
        outcome, missing treated outcomes.

    Warns
    -----
    ModelWarning
        Fewer than 19 donors (no p ≤ 0.05 attainable), a poor pre-period fit, dropped donors.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> years = np.arange(2010, 2024)
    >>> paths = {f"d{j}": 100 + rng.normal(0, 3) + (j % 4) * np.arange(14) for j in range(24)}
    >>> paths["t"] = 0.5 * paths["d1"] + 0.5 * paths["d2"] + 5 * (years >= 2020)
    >>> df = pd.DataFrame([(u, y, v) for u, s in paths.items() for y, v in zip(years, s)], columns=["u", "year", "y"])
    >>> res = synthetic_control(df, outcome="y", unit="u", time="year", treated="t", intervention=2020)
    >>> round(res.estimate, 1), res.details["rank"]
    (5.0, 1)
    """
    if not 0 < level < 1:
        raise ModelError(f"level={level!r} must be between 0 and 1, e.g. 0.95.")
    pan = panel(data, outcome=outcome, unit=unit, time=time, fn="synthetic_control")
    if isinstance(treated, (list, tuple, set, np.ndarray, pd.Index)):
        raise ModelError(f"treated={treated!r}: synthetic_control() takes one treated unit. Fit each treated unit "
                         "separately (their donor pools should exclude each other).")
    units = list(pan.units)
    if treated not in units:
        raise ModelError(f'Treated unit {treated!r} is not in "{unit}". Units include {units[:8]}.')
    pool = [u for u in units if u != treated] if donors is None else list(dict.fromkeys(donors))
    unknown = [d for d in pool if d not in units]
    if unknown:
        raise ModelError(f'Donor(s) {unknown[:5]} are not in "{unit}".')
    pool = [d for d in pool if d != treated]
    if not pool:
        raise ModelError(f"Only one unit ({treated!r}) is in the data: a synthetic control needs donor units that "
                         "were not treated.")

    ex, windows = excluded_periods(pan.times, pan.kind, exclude, time)
    t0 = pan.period_of(intervention, what="intervention")
    first, last = pan.label(0), pan.label(len(pan.times) - 1)
    if t0 == 0:
        raise ModelError(f"The intervention ({intervention}) is at or before the first period ({first}): there is "
                         "no pre-period to build the synthetic control from.")
    if t0 >= len(pan.times):
        raise ModelError(f"The intervention ({intervention}) is after the last period ({last}): there is no "
                         "post-period.")
    post = np.arange(len(pan.times)) >= t0
    pre_idx, post_idx = np.flatnonzero(~post & ~ex), np.flatnonzero(post & ~ex)
    if len(pre_idx) < 2:
        raise ModelError(f"Only {len(pre_idx)} usable pre-period(s) before {intervention}: at least 2 are needed "
                         "(many more for a credible fit).")
    if len(post_idx) == 0:
        raise ModelError("Every post-period is inside an exclusion window: nothing is left to estimate.")

    row = {u: i for i, u in enumerate(units)}
    y = pan.Y[row[treated]]
    used = np.r_[pre_idx, post_idx]
    if np.isnan(y[used]).any():
        bad = pan.label(int(used[np.isnan(y[used])][0]))
        raise ModelError(f"The treated unit {treated!r} has no outcome for {bad}. Fill or exclude that period.")
    Yd = pan.Y[[row[d] for d in pool]]
    complete = ~np.isnan(Yd[:, used]).any(axis=1)
    local_caveats = list(caveats)
    if not complete.all():
        dropped = [d for d, ok in zip(pool, complete) if not ok]
        warnings.warn(f"{len(dropped)} donor(s) have missing outcomes in the periods used and were dropped "
                      f"(e.g. {dropped[:3]}).", ModelWarning, stacklevel=2)
        pool = [d for d, ok in zip(pool, complete) if ok]
        Yd = Yd[complete]
    J = len(pool)
    if J == 0:
        raise ModelError("No donor has a complete outcome series in the periods used.")
    values = np.r_[y[used], Yd[:, used].ravel()]
    if np.ptp(values) == 0:
        raise ModelError(f'Outcome "{outcome}" is constant ({values[0]!r}) in every unit and period used: there is '
                         "nothing to compare.")

    w = _weights(Yd[:, pre_idx], y[pre_idx])
    gap = y - w @ np.nan_to_num(Yd)
    gap[np.isnan(Yd).any(axis=0)] = np.nan
    est = float(np.mean(gap[post_idx]))
    pre_rmspe = _rmspe(gap[pre_idx])
    post_rmspe = _rmspe(gap[post_idx])
    ratio = post_rmspe / pre_rmspe if pre_rmspe > 0 else math.inf

    stats = [{"unit": treated, "pre_rmspe": pre_rmspe, "post_rmspe": post_rmspe, "ratio": ratio, "estimate": est}]
    gaps = {}
    if placebo and J >= 2:
        for j, d in enumerate(pool):
            others = np.delete(np.arange(J), j)
            wj = _weights(Yd[others][:, pre_idx], Yd[j, pre_idx])
            g = Yd[j] - wj @ Yd[others]
            pr, po = _rmspe(g[pre_idx]), _rmspe(g[post_idx])
            stats.append({"unit": d, "pre_rmspe": pr, "post_rmspe": po, "ratio": po / pr if pr > 0 else math.inf,
                          "estimate": float(np.mean(g[post_idx]))})
            gaps[d] = g
    table = pd.DataFrame(stats)
    table["rank"] = table["ratio"].rank(ascending=False, method="max").astype(int)
    rank = int(table["rank"].iloc[0])
    n_units = len(table)
    if n_units > 1:
        p = rank / n_units
        lo, hi = _interval(gap[post_idx], pre_rmspe, table["ratio"].to_numpy()[1:], level)
        std = float(np.std(table["estimate"].to_numpy()[1:], ddof=1)) if n_units > 2 else math.nan
    else:
        p, lo, hi, std = math.nan, math.nan, math.nan, math.nan
    p_min = 1 / (J + 1)

    if J < MIN_DONORS_FOR_05:
        local_caveats.append("few_donors")
        warnings.warn(f"Only {J} donors: the smallest attainable placebo p-value is 1/{J + 1} = {p_min:.3f}, so no "
                      "p ≤ 0.05 is possible. Report the rank, not significance.", ModelWarning, stacklevel=2)
    outside = np.mean((y[pre_idx] > Yd[:, pre_idx].max(axis=0)) | (y[pre_idx] < Yd[:, pre_idx].min(axis=0)))
    median_placebo = float(np.median(table["pre_rmspe"].to_numpy()[1:])) if n_units > 2 else math.nan
    poor = outside >= 0.5 or (math.isfinite(median_placebo) and pre_rmspe > 2 * median_placebo)
    if poor:
        local_caveats.append("poor_pre_fit")
        warnings.warn(f"Poor pre-period fit for {treated!r}: pre-period RMSPE {pre_rmspe:.3g} (median placebo "
                      f"{median_placebo:.3g}); the treated unit is outside the donors' range in {outside:.0%} of the "
                      "pre-periods. The synthetic control cannot reproduce its path, so the gap is not credible.",
                      ModelWarning, stacklevel=2)

    times = pan.times
    series = pd.DataFrame({"time": times, "treated": y, "synthetic": y - gap, "gap": gap, "post": post,
                           "excluded": ex})
    weights = pd.Series(w, index=pd.Index(pool, name=unit), name="weight").sort_values(ascending=False)
    placebo_gaps = pd.DataFrame(gaps, index=pd.Index(times, name="time"))
    n_pre, n_post = len(pre_idx), len(post_idx)
    details = {
        "outcome": outcome, "treated_unit": treated, "intervention": intervention, "time_kind": pan.kind,
        "n_donors": J, "n_pre": n_pre, "n_post": n_post, "pre_rmspe": pre_rmspe, "post_rmspe": post_rmspe,
        "ratio": ratio, "rank": rank, "min_attainable_p": p_min, "reference_distribution": "placebo-in-space",
        "std_error_kind": "standard deviation of the placebo estimates",
        "excluded_windows": tuple(windows), "n_weights_positive": int((w > 1e-6).sum()),
        "method_nb": f"syntetisk kontroll (vekter fra {n_pre} perioder før tiltaket)",
        "inference_nb": f"placebotest over {J} sammenligningsenheter (forholdet mellom RMSPE etter og før)",
        "call": {"estimator": "synthetic_control", "outcome": outcome, "unit": unit, "time": time, "treated": treated,
                 "intervention": intervention, "donors": None if donors is None else tuple(donors),
                 "exclude": tuple(exclude), "placebo": placebo, "level": level, "caveats": tuple(caveats)},
    }
    return SynthResult(
        estimate=est, std_error=std, ci_low=lo, ci_high=hi, p_value=p, level=level, link="identity",
        method=f"synthetic control (weights from {n_pre} pre-period periods)",
        inference=f"placebo-in-space over {J} donors (post/pre RMSPE ratio)", n_obs=int((J + 1) * (n_pre + n_post)),
        term="effect", details=details, caveats=tuple(local_caveats), weights=weights, series=series,
        placebos=table, placebo_gaps=placebo_gaps,
    )


def _rmspe(g: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(g))))


def _weights(Yd_pre: np.ndarray, y_pre: np.ndarray) -> np.ndarray:
    """argmin ‖y − Yd' w‖² with w ≥ 0 and Σ w = 1 (NNLS with a heavily weighted sum row)."""
    from scipy.optimize import nnls

    A = Yd_pre.T  # T0 × J
    J = A.shape[1]
    if J == 1:
        return np.ones(1)
    scale = max(float(np.abs(A).max()), float(np.abs(y_pre).max()), 1e-12)
    big = 1e4 * scale * math.sqrt(len(y_pre))
    w, _ = nnls(np.vstack([A, np.full((1, J), big)]), np.r_[y_pre, big], maxiter=50 * J)
    total = w.sum()
    return w / total if total > 0 else np.full(J, 1 / J)


def _interval(post_gap: np.ndarray, pre_rmspe: float, placebo_ratios: np.ndarray, level: float) -> tuple[float, float]:
    """Constant effects b0 not rejected by the placebo test (exact; see the module docstring)."""
    alpha = 1 - level
    n = len(placebo_ratios) + 1
    k = math.floor(alpha * n + 1e-9) - 1  # reject when at most k placebos have a ratio ≥ the treated one
    if k < 0:
        return -math.inf, math.inf
    ordered = np.sort(placebo_ratios)[::-1]
    threshold = ordered[k]  # accept b0 while ratio(b0) ≤ the (k+1)-th largest placebo ratio
    if not math.isfinite(threshold) or pre_rmspe == 0:
        return -math.inf, math.inf
    m = float(np.mean(post_gap))
    spread = float(np.mean((post_gap - m) ** 2))
    room = (threshold * pre_rmspe) ** 2 - spread
    if room < 0:
        return math.nan, math.nan
    return m - math.sqrt(room), m + math.sqrt(room)
