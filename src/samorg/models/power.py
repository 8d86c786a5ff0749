"""Planning the next survey wave: respondents needed for a shift, and the smallest shift a sample can show.

Shifts are stated as municipalities think of them — a change in the share of top answers
(e.g. +5 percentage points "Fornøyd" or "Svært fornøyd") — and translated into the
proportional-odds log odds ratio δ that moves the baseline distribution ``p⁰`` (worst → best)
to ``logit C¹_k = logit C⁰_k − δ`` (``C_k`` the cumulative share up to category k), the model
:func:`samorg.models.ordinal_change` fits. Two analyses are planned side by side:

* **Ordinal (proportional odds), Whitehead (1993)**: with n₁ and n₂ respondents per group,
  ``Var(δ̂) ≈ 3 (1/n₁ + 1/n₂) / (1 − Σ p̄_k³)`` where ``p̄`` is the category distribution
  averaged over the two groups, so ``n₁ = 3 (1 + 1/r)(z₁₋α/₂ + z₁₋β)² / (δ² (1 − Σ p̄³))`` with
  ``r = n₂/n₁`` (Hmisc's ``posamsize``; equivalent to the Wilcoxon–Mann–Whitney test).
* **Top-box share (two proportions)**, Fleiss, Tytun & Ury (1980) without continuity
  correction (Hmisc's ``bsamsize``): ``n₁ = (z₁₋α/₂ √(p̄q̄(1+1/r)) + z₁₋β √(p₁q₁ + p₂q₂/r))² / (p₁−p₂)²``.

``design="did"`` (before/after × co-located/comparison, same sizes in both waves) doubles the
variance of either contrast — each group is measured twice — so it needs twice the respondents
per group and wave; the approximation takes the category distribution as the same in all four
cells apart from the effect. ``deff`` (Kish's design effect from weighting, or a clustering
design effect) inflates every sample size: the effective n is n / deff. All are large-sample
normal approximations; below ~30 respondents per group they are optimistic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.errors import ModelError
from samorg.models._display import ResultDisplay

__all__ = ["PowerResult", "detectable_shift", "sample_size"]

DESIGNS = {"two_group": 1.0, "did": 2.0}


@dataclass(frozen=True, kw_only=True)
class PowerResult(ResultDisplay):
    """Sample sizes (per group; for ``did`` per group and wave) and the shift they go with.

    Attributes
    ----------
    n_per_group, n_comparison, n_total : int
        Respondents for the ordinal (proportional-odds) analysis: the co-located group, the
        comparison group (``ratio`` × n), and all (for ``did``: both waves).
    n_top_box_per_group, n_top_box_comparison, n_top_box_total : int
        The same for a test of the top-box share alone.
    shift : float
        Difference in the top-box share (0.05 = 5 percentage points) of the ordinal plan.
    top_box_shift : float
        The shift the top-box plan is for (equal to ``shift`` in :func:`sample_size`; the
        smallest detectable top-box shift in :func:`detectable_shift`).
    log_odds, odds_ratio : float
        The proportional-odds effect matching ``shift``.
    baseline_top_share : float
    baseline : tuple of float
    alpha, power, ratio, deff : float
    design : str
    """

    n_per_group: int
    n_comparison: int
    n_total: int
    n_top_box_per_group: int
    n_top_box_comparison: int
    n_top_box_total: int
    shift: float
    top_box_shift: float
    log_odds: float
    odds_ratio: float
    baseline_top_share: float
    baseline: tuple[float, ...]
    top: int
    alpha: float
    power: float
    ratio: float
    deff: float
    design: str
    method: str = ("Whitehead (1993) proportional-odds formula; top-box share by Fleiss, Tytun & Ury (1980) without "
                   "continuity correction")

    def _headline(self) -> str:
        return (f"{self.design}: n={self.n_per_group} per group for a top-box shift of "
                f"{self.shift * 100:+.1f} pp (OR {self.odds_ratio:.2f}), alpha={self.alpha:g}, power={self.power:g}")

    def _summary_title(self, lang: str) -> str:
        return "Utvalgsstørrelse (ordinale svar)" if lang == "nb" else "Sample size (ordinal answers)"

    def _summary_rows(self, lang: str) -> list[tuple[str, str]]:
        nb = lang == "nb"
        n = lambda v: fmt.number(v, lang=lang)  # noqa: E731
        return [
            ("Design", self.design),
            ("Endring i andelen i de to øverste kategoriene" if nb else "Top-box shift",
             fmt.number(self.shift * 100, decimals=1, lang=lang, sign=True) + (" prosentpoeng" if nb else " pp")),
            ("Oddsforhold" if nb else "Odds ratio", fmt.number(self.odds_ratio, decimals=2, lang=lang)),
            ("Per gruppe (ordinal)" if nb else "Per group (ordinal)", n(self.n_per_group)),
            ("Sammenligning" if nb else "Comparison", n(self.n_comparison)),
            ("Totalt" if nb else "Total", n(self.n_total)),
            ("Per gruppe (de to øverste kategoriene alene)" if nb else "Per group (top box alone)", n(self.n_top_box_per_group)),
            ("Signifikansnivå, styrke" if nb else "Alpha, power",
             f"{fmt.number(self.alpha, decimals=2, lang=lang)}, {fmt.number(self.power, decimals=2, lang=lang)}"),
            ("Designeffekt" if nb else "Design effect", fmt.number(self.deff, decimals=2, lang=lang)),
            ("Metode" if nb else "Method", self.method),
        ]

    def to_frame(self) -> pd.DataFrame:
        """One-row table of the plan."""
        return pd.DataFrame([{k: getattr(self, k) for k in (
            "design", "shift", "top_box_shift", "odds_ratio", "baseline_top_share", "n_per_group", "n_comparison",
            "n_total", "n_top_box_per_group", "n_top_box_comparison", "n_top_box_total", "alpha", "power", "ratio",
            "deff")}])


# --------------------------------------------------------------------------- helpers
def _baseline(baseline: Any) -> np.ndarray:
    if isinstance(baseline, pd.DataFrame):
        if len(baseline) != 1:
            raise ModelError("baseline must be one distribution; pass one row, e.g. result.probabilities().iloc[0].")
        baseline = baseline.iloc[0]
    p = np.asarray(baseline, dtype=float).ravel()
    if p.size < 2 or not np.all(np.isfinite(p)) or (p < 0).any():
        raise ModelError(f"baseline must be the share of each answer category (worst → best), at least two and none "
                         f"negative; got {p.tolist()}.")
    if abs(p.sum() - 1) > 1e-6:
        raise ModelError(f"The baseline shares sum to {p.sum():.6g}, not 1. Give the share of every category, "
                         "including the ones few chose (exclude 'Vet ikke').")
    return p


def _checks(alpha: float, power: float, ratio: float, deff: float, design: str, top: int, K: int) -> None:
    if not 0 < alpha < 1:
        raise ModelError(f"alpha={alpha!r} must be between 0 and 1, e.g. 0.05.")
    if not 0 < power < 1:
        raise ModelError(f"power={power!r} must be between 0 and 1, e.g. 0.8.")
    if not ratio > 0:
        raise ModelError(f"ratio={ratio!r} (comparison respondents per co-located respondent) must be positive.")
    if not deff >= 1:
        raise ModelError(f"deff={deff!r} must be at least 1 (1 = simple random sample).")
    if design not in DESIGNS:
        raise ModelError(f"design={design!r} is not supported. Expected one of {tuple(DESIGNS)}.")
    if not isinstance(top, (int, np.integer)) or not 1 <= top < K:
        raise ModelError(f"top={top!r} must be a whole number from 1 to {K - 1} (the scale has {K} categories).")


def _shifted(p0: np.ndarray, delta: float) -> np.ndarray:
    from scipy import special

    cum = np.cumsum(p0)[:-1]
    with np.errstate(divide="ignore"):
        c1 = special.expit(special.logit(np.clip(cum, 0, 1)) - delta)
    return np.diff(np.concatenate([[0.0], c1, [1.0]]))


def _top(p: np.ndarray, top: int) -> float:
    return float(p[-top:].sum())


def _delta_for_shift(p0: np.ndarray, top: int, shift: float) -> float:
    from scipy.optimize import brentq

    target = _top(p0, top) + shift
    if not 0 < target < 1:
        raise ModelError(f"A shift of {shift:+.3f} moves the top-box share from {_top(p0, top):.3f} to {target:.3f}, "
                         "outside 0–1.")
    return float(brentq(lambda d: _top(_shifted(p0, d), top) - target, -50, 50, xtol=1e-13))


def _z(alpha: float, power: float) -> tuple[float, float]:
    from scipy import stats

    return float(stats.norm.ppf(1 - alpha / 2)), float(stats.norm.ppf(power))


def _n_ordinal(p0: np.ndarray, delta: float, za: float, zb: float, ratio: float, factor: float) -> float:
    pbar = (p0 + _shifted(p0, delta)) / 2
    return 3 * (1 + 1 / ratio) * factor * (za + zb) ** 2 / (delta**2 * (1 - np.sum(pbar**3)))


def _n_binary(p1: float, p0: float, za: float, zb: float, ratio: float, design: str) -> float:
    q1, q0 = 1 - p1, 1 - p0
    pbar = (p1 + ratio * p0) / (1 + ratio)
    if design == "two_group":
        v0 = pbar * (1 - pbar) * (1 + 1 / ratio)
        v1 = p1 * q1 + p0 * q0 / ratio
    else:  # DiD: the before-wave adds the baseline variance of both groups
        v0 = 2 * pbar * (1 - pbar) * (1 + 1 / ratio)
        v1 = p1 * q1 + p0 * q0 / ratio + p0 * q0 * (1 + 1 / ratio)
    return (za * math.sqrt(v0) + zb * math.sqrt(v1)) ** 2 / (p1 - p0) ** 2


def _result(p0, top, delta, n_ord, n_bin, bin_shift, alpha, power, ratio, deff, design) -> PowerResult:
    waves = 2 if design == "did" else 1
    n1, nb1 = math.ceil(n_ord * deff - 1e-9), math.ceil(n_bin * deff - 1e-9)
    n2, nb2 = math.ceil(n1 * ratio - 1e-9), math.ceil(nb1 * ratio - 1e-9)
    return PowerResult(
        n_per_group=n1, n_comparison=n2, n_total=waves * (n1 + n2), n_top_box_per_group=nb1,
        n_top_box_comparison=nb2, n_top_box_total=waves * (nb1 + nb2),
        shift=_top(_shifted(p0, delta), top) - _top(p0, top), top_box_shift=bin_shift, log_odds=delta,
        odds_ratio=math.exp(delta), baseline_top_share=_top(p0, top), baseline=tuple(float(x) for x in p0), top=top,
        alpha=alpha, power=power, ratio=ratio, deff=deff, design=design,
    )


# --------------------------------------------------------------------------- public
def sample_size(
    baseline: Sequence[float] | Any,
    *,
    shift: float | None = None,
    odds_ratio: float | None = None,
    top: int = 2,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    deff: float = 1.0,
    design: str = "two_group",
) -> PowerResult:
    """Respondents needed to detect a shift in the top-box share (or a proportional-odds odds ratio).

    Parameters
    ----------
    baseline : sequence of float
        Share of each answer category (worst → best, summing to 1) in the comparison group, e.g.
        from the last wave.
    shift : float, optional
        Change in the top-box share to detect (0.05 = 5 percentage points; may be negative).
    odds_ratio : float, optional
        Or the proportional-odds ratio to detect (give one of the two).
    top : int
        Number of categories at the top that count (2 = top-two box).
    alpha, power : float
        Two-sided significance level and power.
    ratio : float
        Comparison respondents per co-located respondent.
    deff : float
        Design effect (≥ 1) from weighting or clustering.
    design : {"two_group", "did"}
        One wave comparing groups, or before/after × groups (sizes are then per wave).

    Returns
    -------
    PowerResult

    Raises
    ------
    ModelError
        Baseline shares that do not sum to 1, a shift outside 0–1, both or neither of shift
        and odds_ratio, bad alpha/power/ratio/deff.

    Examples
    --------
    >>> plan = sample_size([0.03, 0.05, 0.2, 0.4, 0.32], shift=0.08)
    >>> plan.n_per_group < plan.n_top_box_per_group
    True
    """
    p0 = _baseline(baseline)
    _checks(alpha, power, ratio, deff, design, top, len(p0))
    if (shift is None) == (odds_ratio is None):
        raise ModelError("Give either shift= (change in the top-box share) or odds_ratio=, not both or neither.")
    if odds_ratio is not None:
        if not odds_ratio > 0 or odds_ratio == 1:
            raise ModelError(f"odds_ratio={odds_ratio!r} must be positive and not 1.")
        delta = math.log(odds_ratio)
    else:
        if shift == 0:
            raise ModelError("shift=0: no sample can detect a zero shift. Give the smallest shift that matters.")
        delta = _delta_for_shift(p0, top, float(shift))
    za, zb = _z(alpha, power)
    factor = DESIGNS[design]
    n_ord = _n_ordinal(p0, delta, za, zb, ratio, factor)
    p1, pb = _top(_shifted(p0, delta), top), _top(p0, top)
    n_bin = _n_binary(p1, pb, za, zb, ratio, design)
    return _result(p0, top, delta, n_ord, n_bin, p1 - pb, alpha, power, ratio, deff, design)


def detectable_shift(
    baseline: Sequence[float] | Any,
    *,
    n_per_group: int,
    top: int = 2,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    deff: float = 1.0,
    design: str = "two_group",
) -> PowerResult:
    """The smallest improvement in the top-box share a sample detects with the given power.

    Parameters
    ----------
    baseline : sequence of float
        Share of each answer category (worst → best) in the comparison group.
    n_per_group : int
        Co-located respondents (per wave for ``did``); the comparison group has ``ratio`` × as many.
    top, alpha, power, ratio, deff, design
        As in :func:`sample_size`.

    Returns
    -------
    PowerResult
        ``shift`` / ``odds_ratio`` for the ordinal analysis, ``top_box_shift`` for a test of the
        top-box share alone; the sample sizes are those given.

    Raises
    ------
    ModelError
        Bad inputs, or a sample too small to detect any shift within the scale.

    Examples
    --------
    >>> res = detectable_shift([0.03, 0.05, 0.2, 0.4, 0.32], n_per_group=300)
    >>> 0.05 < res.shift < 0.15
    True
    """
    from scipy.optimize import brentq

    p0 = _baseline(baseline)
    _checks(alpha, power, ratio, deff, design, top, len(p0))
    if not isinstance(n_per_group, (int, np.integer)) or n_per_group < 2:
        raise ModelError(f"n_per_group={n_per_group!r} must be a whole number ≥ 2.")
    za, zb = _z(alpha, power)
    n_eff = n_per_group / deff
    factor = DESIGNS[design]
    pb = _top(p0, top)

    def gap(delta: float) -> float:
        return _n_ordinal(p0, delta, za, zb, ratio, factor) - n_eff

    hi = 1.0
    while gap(hi) > 0:
        hi *= 2
        if hi > 40:
            raise ModelError(f"{n_per_group} respondents per group cannot detect any shift with power {power}.")
    delta = float(brentq(gap, 1e-8, hi, xtol=1e-12))
    room = 1 - pb
    if room <= 1e-9:
        raise ModelError("The baseline top-box share is already 1; there is no room for an improvement.")

    def gap_bin(d: float) -> float:
        return _n_binary(pb + d, pb, za, zb, ratio, design) - n_eff

    upper = room * (1 - 1e-9)
    bin_shift = float(brentq(gap_bin, 1e-9, upper, xtol=1e-12)) if gap_bin(upper) < 0 else math.nan
    n_ord = _n_ordinal(p0, delta, za, zb, ratio, factor)
    res = _result(p0, top, delta, n_ord, n_ord, bin_shift, alpha, power, ratio, deff, design)
    n2 = math.ceil(n_per_group * ratio - 1e-9)
    waves = 2 if design == "did" else 1
    return PowerResult(**{**res.__dict__, "n_per_group": n_per_group, "n_comparison": n2,
                          "n_total": waves * (n_per_group + n2), "n_top_box_per_group": n_per_group,
                          "n_top_box_comparison": n2, "n_top_box_total": waves * (n_per_group + n2)})
