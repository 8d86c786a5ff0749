"""Event study with staggered adoption: Callaway & Sant'Anna (2021) group-time effects.

For each cohort ``g`` (units first treated in period ``g``) and period ``t``, with base
period ``b = g + reference`` (``reference = -1``: the last period before treatment)::

    ATT(g, t) = mean_{i in g} (Y_it − Y_ib) − mean_{i in C(g,t)} (Y_it − Y_ib)

the unconditional (no covariates, no outcome regression or weighting) estimator, with
comparison units ``C`` either never treated in the data (``control="never"``) or not yet
treated at ``t`` (``control="not_yet"``; cohort ``g`` itself excluded). Unlike two-way fixed
effects with leads and lags, already-treated units never serve as controls, so effects that
change over time or differ between cohorts do not contaminate each other (Goodman-Bacon
2021; Sun & Abraham 2021). Every period uses the same base (a "universal" base period), so
the pre-period coefficients are placebo differences relative to ``reference`` and the
coefficient at ``reference`` is 0 by construction.

Aggregation (weights = treated units in each cell):

* ``coefficients``: the dynamic effect θ(e) = Σ_g n_g ATT(g, g + e) / Σ_g n_g per event time e;
* ``estimate``: the simple average of every post-treatment cell, Σ n_gt ATT(g,t) / Σ n_gt.

Inference (DESIGN.md §4):

* ``permutation`` (default): the cohort labels (first-treated periods, never-treated
  included) are reassigned across units, every distinct assignment when there are no more
  than ``draws``. p-values count assignments at least as extreme; intervals invert the
  test for a constant additive effect (exact, because the estimator is linear in the
  outcome: under effect ``b0`` each statistic is ``A − b0 B``). The pre-trend test and the
  pre-period coefficients are computed with every unit's treated periods masked, so real
  post-treatment effects cannot leak into the placebo distribution. The smallest
  attainable p is reported.
* ``analytic``: influence-function standard errors (unit-level, treating group sizes as
  fixed) with normal intervals and a Wald χ² pre-trend test. With one or two treated units
  per cohort these are far too small: a warning and caveat say so.

Excluded windows (``exclude``) drop those periods; when a cohort's base period falls inside
one, the last period before the window is its base (recorded in ``group_time``).
A multiplier bootstrap is not offered: it reproduces the analytic standard errors and
shares their failure with one or two treated units.
"""

from __future__ import annotations

import itertools
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
from samorg.models._panel import Panel, excluded_periods, panel, to_time
from samorg.models.result import Effect, ModelWarning

__all__ = ["EventStudyResult", "event_study"]

INFERENCE = ("permutation", "analytic")
CONTROLS = ("never", "not_yet")


@dataclass(frozen=True, kw_only=True)
class EventStudyResult(Effect):
    """The result of :func:`event_study`: the average post-treatment effect, plus effects by event time.

    Attributes (beyond :class:`Effect`)
    -----------------------------------
    coefficients : DataFrame
        Indexed by ``event_time`` (periods relative to first treatment; the reference period
        is a row with estimate 0): ``estimate, std_error, ci_low, ci_high, p_value,
        n_treated, n_cohorts``.
    group_time : DataFrame
        Every ATT(g, t): ``cohort``, ``time``, ``event_time``, ``base``, ``att``,
        ``n_treated``, ``n_control``.
    pretrend : Mapping
        Joint test that every pre-period coefficient is zero: ``statistic``, ``df``,
        ``p_value``, ``method``, ``min_attainable_p`` (permutation).
    """

    coefficients: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    group_time: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    pretrend: dict = field(default_factory=dict, repr=False, compare=False)

    def plot_data(self) -> pd.DataFrame:
        """The coefficients as a tidy frame with an ``event_time`` column (what plot_event_study draws)."""
        return self.coefficients.reset_index()

    def _extra_caveats(self, lang: str) -> list[str]:
        d, pt = self.details, self.pretrend
        out = []
        if pt and pt.get("p_value") is not None and math.isfinite(pt.get("p_value", math.nan)):
            k = fmt.number(pt["df"], lang=lang)
            p = fmt.p_value(pt["p_value"], lang=lang, min_attainable=pt.get("min_attainable_p"))
            out.append(f"Test av ingen forskjell i trend før tiltaket ({k} koeffisienter): {p}." if lang == "nb" else
                       f"Test of no pre-treatment difference in trends ({k} coefficients): {p}.")
        if d.get("inference") == "permutation":
            p_min = fmt.number(d["min_attainable_p"], decimals=max(3, 1 - math.floor(math.log10(d["min_attainable_p"]))),
                               lang=lang)
            n = fmt.number(d["n_assignments"], lang=lang)
            how = ("alle" if d["enumerated"] else "tilfeldige av") if lang == "nb" else (
                "all" if d["enumerated"] else "random draws from")
            out.append(f"Permutasjonstesten bruker {how} {n} mulige tildelinger av kohorter; minste oppnåelige "
                       f"p-verdi er {p_min}." if lang == "nb" else
                       f"The permutation test uses {how} {n} possible assignments of cohorts; the smallest attainable "
                       f"p-value is {p_min}.")
        for w in d.get("excluded_windows", ()):
            label = f" ({w['label']})" if w.get("label") else ""
            out.append(f"Periodene {w['start']}–{w['end']}{label} er holdt utenfor." if lang == "nb" else
                       f"The periods {w['start']} to {w['end']}{label} were left out.")
        return out


def event_study(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    first_treated: str,
    reference: int = -1,
    control: str = "never",
    window: tuple[int, int] | None = None,
    exclude: Sequence[Any] = (),
    inference: str = "permutation",
    draws: int = 9999,
    seed: int = 20200101,
    level: float = 0.95,
    caveats: Sequence[str] = (),
) -> EventStudyResult:
    """Effects by time relative to treatment for staggered adoption (Callaway & Sant'Anna 2021).

    Parameters
    ----------
    data : DataFrame
        Long panel, one row per unit × period. Not modified.
    outcome, unit, time : str
        Columns: numeric outcome, unit id, period (numbers such as years, or dates).
    first_treated : str
        Column with each unit's first treated period (same scale as ``time``; constant within
        a unit). Missing (NaN/None/NaT) or after the last period: never treated in the data.
        Units treated at or before the first period have no pre-period and are dropped.
    reference : int
        Base period relative to first treatment (−1: the period before; −2 allows one
        period of anticipation).
    control : {"never", "not_yet"}
        Comparison units: never treated in the data, or not yet treated at ``t``.
    window : (int, int), optional
        Event times kept (e.g. ``(-5, 5)``); default all.
    exclude : sequence of windows
        ``(start, end)`` or ``(start, end, label)``, inclusive: periods left out.
    inference : {"permutation", "analytic"}
    draws : int
        Random assignments when there are more distinct ones than this (else all).
    seed : int
        Seed for random assignments.
    level : float
    caveats : sequence of str

    Returns
    -------
    EventStudyResult

    Raises
    ------
    ModelError
        Missing columns, first-treated varying within a unit, one unit, no treated unit inside
        the data, no pre-period, no comparison units (all treated), a constant outcome.

    Warns
    -----
    ModelWarning
        Analytic inference with one or two treated units per cohort; dropped always-treated
        units or cohorts without a base period.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> rows = [(u, t, (2019 if u < 2 else 2021 if u < 4 else np.nan)) for u in range(12) for t in range(2015, 2024)]
    >>> df = pd.DataFrame(rows, columns=["unit", "year", "first"])
    >>> df["y"] = rng.normal(0, 0.1, len(df)) + 2.0 * (df["year"] >= df["first"])
    >>> res = event_study(df, outcome="y", unit="unit", time="year", first_treated="first", draws=199)
    >>> round(res.estimate), res.details["n_assignments"], res.details["draws"]
    (2, 2970, 200)
    """
    if inference not in INFERENCE:
        raise ModelError(f"inference={inference!r} is not supported. Expected one of {INFERENCE}.")
    if control not in CONTROLS:
        raise ModelError(f"control={control!r} is not supported. Expected one of {CONTROLS}.")
    if not isinstance(reference, (int, np.integer)) or reference >= 0:
        raise ModelError(f"reference={reference!r} must be a negative whole number of periods (−1: the period "
                         "before treatment).")
    if not 0 < level < 1:
        raise ModelError(f"level={level!r} must be between 0 and 1, e.g. 0.95.")
    if not isinstance(draws, (int, np.integer)) or draws < 99:
        raise ModelError(f"draws={draws!r} must be a whole number ≥ 99.")
    if isinstance(data, pd.DataFrame) and first_treated not in data.columns:
        raise ModelError(f'Column "{first_treated}" is not in the data. The data have columns {list(data.columns)}.')
    pan = panel(data, outcome=outcome, unit=unit, time=time, fn="event_study")
    T = len(pan.times)
    g_obs, dropped = _cohorts(data, pan, unit, first_treated)
    local_caveats = list(caveats)
    if len(pan.units) < 2:
        raise ModelError(f"Only one unit in \"{unit}\" (one site): an event study needs treated and comparison units.")
    ex, windows = excluded_periods(pan.times, pan.kind, exclude, time)
    Y = pan.Y.copy()
    Y[:, ex] = np.nan
    if dropped:
        warnings.warn(f"{len(dropped)} unit(s) were treated at or before the first period and have no pre-period; "
                      f"they were left out (e.g. {dropped[:3]}).", ModelWarning, stacklevel=2)
    keep = g_obs >= 0
    Y, g_obs, units = Y[keep], g_obs[keep], pan.units[keep]
    treated_cohorts = sorted(set(g_obs[g_obs < T]))
    if not treated_cohorts:
        raise ModelError(f'No unit is first treated inside the data ({pan.label(0)}–{pan.label(T - 1)}): check '
                         f'"{first_treated}" (an intervention outside the data has no effect to estimate).')
    if np.nanmax(Y) == np.nanmin(Y):
        raise ModelError(f'Outcome "{outcome}" is constant ({np.nanmax(Y)!r}) in every unit and period used.')
    never = int((g_obs >= T).sum())
    if control == "never" and never == 0:
        raise ModelError("Every unit is treated within the data, so there is no never-treated comparison group. "
                         "Use control='not_yet' (later-treated units as comparisons until they are treated).")
    if never == 0 and len(treated_cohorts) == 1:
        raise ModelError("All units are treated at the same time: there is no comparison group.")
    spec = _Spec(T=T, reference=int(reference), control=control, window=window, excluded=ex)
    obs = _compute(Y, g_obs, spec, influence=True)
    if not obs.cells:
        raise ModelError("No cohort has both a usable base period and comparison units: there is no pre-period for "
                         f"the treated units (base period = first treated {reference:+d}), or no comparison unit is "
                         "observed in the same periods.")
    post_e = [e for e in obs.event_times if e >= 0]
    pre_e = [e for e in obs.event_times if e < 0]
    if not post_e:
        raise ModelError("No post-treatment period can be estimated (are the post-treatment periods excluded?).")

    E = obs.event_times
    est = obs.overall
    n_treated_units = int((g_obs < T).sum())
    per_cohort = pd.Series(g_obs[g_obs < T]).value_counts()
    details: dict[str, Any] = {
        "outcome": outcome, "inference": inference, "control": control, "reference": int(reference),
        "n_units": len(units), "n_treated_units": n_treated_units, "n_never_treated": never,
        "n_cohorts": len(treated_cohorts), "cohort_sizes": {pan.label(int(g)): int(n) for g, n in per_cohort.items()},
        "time_kind": pan.kind, "excluded_windows": tuple(windows), "window": window,
        "method_nb": "hendelsesstudie med forskjøvet innføring (Callaway og Sant'Anna, gruppe-tid-effekter)",
        "call": {"estimator": "event_study", "outcome": outcome, "unit": unit, "time": time,
                 "first_treated": first_treated, "reference": reference, "control": control, "window": window,
                 "exclude": tuple(exclude), "inference": inference, "draws": draws, "seed": seed, "level": level,
                 "caveats": tuple(caveats)},
    }
    if inference == "analytic":
        V = obs.psi.T @ obs.psi  # (1 + E) × (1 + E)
        se_all = np.sqrt(np.clip(np.diag(V), 0, None))
        p_all, lo_all, hi_all = inf.wald(np.r_[est, obs.theta], se_all, level=level)
        std, p_val, lo, hi = se_all[0], p_all[0], lo_all[0], hi_all[0]
        coef = (obs.theta, se_all[1:], lo_all[1:], hi_all[1:], p_all[1:])
        pre_ix = [1 + E.index(e) for e in pre_e]
        pretrend = _wald_pretrend(obs.theta[[E.index(e) for e in pre_e]], V[np.ix_(pre_ix, pre_ix)])
        details.update(reference_distribution="normal", inference_nb="analytiske standardfeil (influensfunksjon)")
        inference_text = "analytic standard errors (influence function)"
        if per_cohort.min() <= 2:
            local_caveats.append("few_treated_units")
            warnings.warn(f"Cohorts with only {int(per_cohort.min())} treated unit(s): analytic standard errors rest on "
                          "the spread among those units and are far too small. Use inference='permutation'.",
                          ModelWarning, stacklevel=2)
    else:
        std, p_val, lo, hi, coef, pretrend = _permutation(Y, g_obs, spec, obs, pre_e, int(draws), seed, level,
                                                          details)
        inference_text = (f"permutation test ({'all' if details['enumerated'] else 'random'} "
                          f"{details['draws']:,} assignments of cohorts)")
        details.update(reference_distribution="permutation",
                       inference_nb=f"permutasjonstest ({fmt.number(details['draws'], lang='nb')} tildelinger av "
                                    "kohorter)")
        if details["min_attainable_p"] >= 1 - level:
            local_caveats.append("min_attainable_p")

    theta, se, clo, chi, cp = coef
    n_tr_e = obs.n_treated_e
    table = pd.DataFrame({"estimate": theta, "std_error": se, "ci_low": clo, "ci_high": chi, "p_value": cp,
                          "n_treated": n_tr_e, "n_cohorts": obs.n_cohorts_e}, index=pd.Index(E, name="event_time"))
    ref_row = pd.DataFrame({"estimate": [0.0], "std_error": [np.nan], "ci_low": [np.nan], "ci_high": [np.nan],
                            "p_value": [np.nan], "n_treated": [np.nan], "n_cohorts": [np.nan]},
                           index=pd.Index([int(reference)], name="event_time"))
    if window is None or window[0] <= reference <= window[1]:
        table = pd.concat([table, ref_row]).sort_index()
    table.index.name = "event_time"
    gt = pd.DataFrame(obs.cells, columns=["g", "t", "event_time", "b", "att", "n_treated", "n_control"])
    gt.insert(0, "cohort", [_time_value(pan, g) for g in gt["g"]])
    gt.insert(1, "time", [_time_value(pan, t) for t in gt["t"]])
    gt.insert(3, "base", [_time_value(pan, b) for b in gt["b"]])
    gt = gt.drop(columns=["g", "t", "b"])
    details["n_pre_coefficients"] = len(pre_e)
    n_obs = int(np.isfinite(Y).sum())
    return EventStudyResult(
        estimate=float(est), std_error=float(std), ci_low=float(lo), ci_high=float(hi), p_value=float(p_val),
        level=level, link="identity",
        method=f"event study, staggered adoption (Callaway–Sant'Anna group-time effects, {control.replace('_', '-')} "
               "controls)",
        inference=inference_text, n_obs=n_obs, term="effect", details=details, caveats=tuple(local_caveats),
        coefficients=table, group_time=gt, pretrend=pretrend,
    )


# -- the estimator as a linear map of the outcome ------------------------------------------------
@dataclass
class _Spec:
    T: int
    reference: int
    control: str
    window: tuple[int, int] | None
    excluded: np.ndarray


@dataclass
class _Fit:
    overall: float
    theta: np.ndarray  # per event time
    event_times: list[int]
    C: np.ndarray  # (1 + E) × N × T: weights so that statistic = Σ C ⊙ Y
    cells: list
    n_treated_e: np.ndarray
    n_cohorts_e: np.ndarray
    psi: np.ndarray | None = None  # N × (1 + E) influence functions


def _base(g: int, spec: _Spec) -> int | None:
    b = g + spec.reference
    while b >= 0 and spec.excluded[b]:
        b -= 1
    return b if b >= 0 else None


def _compute(Y: np.ndarray, g: np.ndarray, spec: _Spec, *, influence: bool = False,
             event_times: list[int] | None = None) -> _Fit:
    """Every ATT(g, t), their aggregation, and the linear weights that produce them from ``Y``."""
    N, T = Y.shape
    valid = np.isfinite(Y)
    Y0 = np.where(valid, Y, 0.0)
    delta = -spec.reference - 1  # anticipation periods
    raw = []  # per cohort: (g, b, t array, e array, K matrix N×len(t), n_tr, n_c, att, R (influence))
    for c in sorted(set(g[g < T])):
        b = _base(int(c), spec)
        if b is None:
            continue
        tt = np.array([t for t in range(T) if t != b and valid[:, t].any() and not spec.excluded[t]])
        if len(tt) == 0:
            continue
        e = tt - c
        if spec.window is not None:
            keep = (e >= spec.window[0]) & (e <= spec.window[1])
            tt, e = tt[keep], e[keep]
        if event_times is not None:
            keep = np.isin(e, event_times)
            tt, e = tt[keep], e[keep]
        if len(tt) == 0:
            continue
        ok = valid[:, tt] & valid[:, [b]]
        tr = (g == c)[:, None] & ok
        if spec.control == "never":
            ctl = (g >= T)[:, None] & ok
        else:
            ctl = (g != c)[:, None] & (g[:, None] > tt[None, :] + delta) & (g[:, None] > b + delta) & ok
        n_tr, n_c = tr.sum(axis=0), ctl.sum(axis=0)
        use = (n_tr > 0) & (n_c > 0)
        if not use.any():
            continue
        tt, e, tr, ctl, n_tr, n_c = tt[use], e[use], tr[:, use], ctl[:, use], n_tr[use], n_c[use]
        dY = Y0[:, tt] - Y0[:, [b]]
        Wtr, Wc = tr / n_tr, ctl / n_c
        att = (Wtr * dY).sum(axis=0) - (Wc * dY).sum(axis=0)
        R = None
        if influence:
            m_tr = (Wtr * dY).sum(axis=0)
            m_c = (Wc * dY).sum(axis=0)
            R = Wtr * (dY - m_tr) - Wc * (dY - m_c)
        raw.append((int(c), b, tt, e, Wtr - Wc, n_tr, n_c, att, R))
    cells = [(c, int(t), int(ee), b, float(a), int(nt), int(nc))
             for c, b, tt, e, _, ntr, ncs, att, _ in raw for t, ee, a, nt, nc in zip(tt, e, att, ntr, ncs)]
    E = sorted({int(x) for r in raw for x in r[3]}) if event_times is None else list(event_times)
    idx = {e: i for i, e in enumerate(E)}
    n_e = np.zeros(len(E))
    k_e = np.zeros(len(E))
    for r in raw:
        np.add.at(n_e, [idx[int(x)] for x in r[3]], r[5])
        np.add.at(k_e, [idx[int(x)] for x in r[3]], 1)
    C = np.zeros((1 + len(E), N, T))
    psi = np.zeros((N, 1 + len(E))) if influence else None
    theta = np.zeros(len(E))
    post = np.array([e >= 0 for e in E], dtype=bool)
    n_post = n_e[post].sum()
    for c, b, tt, e, K, n_tr, _, att, R in raw:
        ei = np.array([idx[int(x)] for x in e])
        a = n_tr / n_e[ei]
        contrib = K * a  # N × len(tt)
        C[1 + ei, :, tt] += contrib.T
        C[1 + ei, :, b] -= contrib.T
        theta[ei] += a * att
        is_post = e >= 0
        if is_post.any() and n_post > 0:
            wo = n_tr[is_post] / n_post
            C[0][:, tt[is_post]] += K[:, is_post] * wo
            C[0][:, b] -= (K[:, is_post] * wo).sum(axis=1)
        if influence:
            psi[:, 1 + ei] += R * a
            if is_post.any() and n_post > 0:
                psi[:, 0] += (R[:, is_post] * (n_tr[is_post] / n_post)).sum(axis=1)
    theta[n_e == 0] = np.nan
    overall = float((n_e[post] * np.nan_to_num(theta[post])).sum() / n_post) if n_post > 0 else math.nan
    return _Fit(overall=overall, theta=theta, event_times=E, C=C, cells=cells, n_treated_e=n_e, n_cohorts_e=k_e,
                psi=psi)


def _statistics(C: np.ndarray, Z: np.ndarray) -> np.ndarray:
    return np.einsum("knt,nt->k", C, Z)


# -- inference ------------------------------------------------------------------------------------
def _assignments(g_obs: np.ndarray, draws: int, rng: np.random.Generator) -> tuple[np.ndarray, bool, int]:
    """Distinct reassignments of the cohort labels across units (all when ≤ draws), observed first."""
    labels, counts = np.unique(g_obs, return_counts=True)
    n = len(g_obs)
    total = math.factorial(n)
    for c in counts:
        total //= math.factorial(int(c))
    if total <= draws:
        out = []
        order = np.argsort(-counts)
        labels, counts = labels[order], counts[order]

        def fill(free: tuple[int, ...], k: int, current: np.ndarray):
            if k == len(labels) - 1:
                current = current.copy()
                current[list(free)] = labels[k]
                out.append(current)
                return
            for chosen in itertools.combinations(free, int(counts[k])):
                nxt = current.copy()
                nxt[list(chosen)] = labels[k]
                fill(tuple(i for i in free if i not in chosen), k + 1, nxt)

        fill(tuple(range(n)), 0, np.zeros(n, dtype=g_obs.dtype))
        return np.array(out), True, total
    rows = [g_obs] + [rng.permutation(g_obs) for _ in range(draws)]
    return np.array(rows), False, total


def _permutation(Y, g_obs, spec, obs, pre_e, draws, seed, level, details):
    rng = np.random.default_rng(seed)
    T = spec.T
    assign, enumerated, total = _assignments(g_obs, draws, rng)
    E = obs.event_times
    t_idx = np.arange(T)
    D = (t_idx[None, :] >= g_obs[:, None]).astype(float)  # treated periods of the observed assignment
    De = np.stack([(t_idx[None, :] - g_obs[:, None] == e).astype(float) for e in E])  # effect at event time e only
    # treated periods masked (base period and earlier kept): placebo statistics free of real effects
    masked = Y.copy()
    masked[t_idx[None, :] > np.array([(_base(int(c), spec) if c < T else T) or 0 for c in g_obs])[:, None]] = np.nan
    Y0, M0 = np.nan_to_num(Y), np.nan_to_num(masked)
    obs_m = _compute(masked, g_obs, spec, event_times=E)
    pre_ix = [E.index(e) for e in pre_e]
    A = np.full((len(assign), 1 + len(E)), np.nan)
    B = np.full_like(A, np.nan)
    Am = np.full((len(assign), len(E)), np.nan)
    Bm = np.full_like(Am, np.nan)
    for k, g in enumerate(assign):
        f = _compute(Y, g, spec, event_times=E)
        A[k] = _statistics(f.C, Y0)
        B[k, 0] = float(np.einsum("nt,nt->", f.C[0], D))
        B[k, 1:] = np.einsum("knt,knt->k", f.C[1:], De)
        if pre_ix:
            fm = _compute(masked, g, spec, event_times=E)
            Am[k] = _statistics(fm.C[1:], M0)
            Bm[k] = np.einsum("knt,knt->k", fm.C[1:], De)
    n_draws = len(assign)
    observed = np.r_[obs.overall, obs.theta]
    observed_m = obs_m.theta
    b_obs = np.r_[float(np.einsum("nt,nt->", obs.C[0], D)), np.einsum("knt,knt->k", obs.C[1:], De)]
    b_obs_m = np.einsum("knt,knt->k", obs_m.C[1:], De)
    est, std, p, lo, hi = [], [], [], [], []
    for j in range(1 + len(E)):
        use_masked = j >= 1 and (j - 1) in pre_ix
        a, b = (Am[:, j - 1], Bm[:, j - 1]) if use_masked else (A[:, j], B[:, j])
        o = observed_m[j - 1] if use_masked else observed[j]
        ob = b_obs_m[j - 1] if use_masked else b_obs[j]
        ok = np.isfinite(a) & np.isfinite(b)
        if not np.isfinite(o) or ok.sum() < 2:
            est.append(o), std.append(math.nan), p.append(math.nan), lo.append(math.nan), hi.append(math.nan)
            continue
        a, b = a[ok], b[ok]
        p.append(float(np.mean(np.abs(a) >= abs(o) * (1 - 1e-10) - 1e-12)))
        std.append(float(np.std(a, ddof=1)))
        interval = rs.permutation_interval(o, a, b, level, observed_b=float(ob))
        lo.append(interval[0]), hi.append(interval[1]), est.append(o)
    pretrend: dict[str, Any] = {}
    if pre_ix:
        P = Am[:, pre_ix]
        ok = np.isfinite(P).all(axis=1)
        P = P[ok]
        Vinv = np.linalg.pinv(np.cov(P, rowvar=False).reshape(len(pre_ix), len(pre_ix)))
        o = observed_m[pre_ix]
        W = float(o @ Vinv @ o)
        Wstar = np.einsum("bi,ij,bj->b", P, Vinv, P)
        pretrend = {"statistic": W, "df": len(pre_ix), "p_value": float(np.mean(Wstar >= W * (1 - 1e-10) - 1e-12)),
                    "method": "permutation Wald test (treated periods masked)",
                    "min_attainable_p": 1 / int(ok.sum())}
    details.update(n_assignments=total, draws=n_draws, enumerated=enumerated, min_attainable_p=1 / n_draws,
                   seed=None if enumerated else seed,
                   std_error_kind="standard deviation of the permutation distribution")
    coef = (np.array(est[1:]), np.array(std[1:]), np.array(lo[1:]), np.array(hi[1:]), np.array(p[1:]))
    return std[0], p[0], lo[0], hi[0], coef, pretrend


def _wald_pretrend(theta_pre: np.ndarray, V: np.ndarray) -> dict[str, Any]:
    from scipy import stats

    if len(theta_pre) == 0:
        return {}
    Vinv = np.linalg.pinv(V)
    W = float(theta_pre @ Vinv @ theta_pre)
    k = int(np.linalg.matrix_rank(V))
    return {"statistic": W, "df": k, "p_value": float(stats.chi2.sf(W, k)) if k else math.nan,
            "method": "Wald χ² test (analytic covariance)"}


# -- helpers --------------------------------------------------------------------------------------
def _cohorts(data: pd.DataFrame, pan: Panel, unit: str, first_treated: str) -> tuple[np.ndarray, list]:
    """First treated period index per unit (len(times) = never in the data; −1 = treated from the start)."""
    col = data[first_treated]
    by_unit = data.assign(_ft=col).groupby(unit, sort=False)["_ft"]
    varying = by_unit.nunique(dropna=False)
    if (varying > 1).any():
        bad = varying.index[varying > 1][0]
        raise ModelError(f'"{first_treated}" varies within unit {bad!r}: each unit needs one first treated period.')
    first = by_unit.first()
    T = len(pan.times)
    g = np.empty(len(pan.units), dtype=int)
    dropped = []
    for i, u in enumerate(pan.units):
        v = first.get(u)
        if v is None or pd.isna(v):
            g[i] = T
            continue
        ix = int(np.searchsorted(pan.times, to_time(v, pan.kind, what=f'"{first_treated}" of {u!r}',
                                                    column=first_treated), side="left"))
        if ix == 0:
            g[i] = -1
            dropped.append(u)
        else:
            g[i] = min(ix, T)
    return g, dropped


def _time_value(pan: Panel, index: int) -> Any:
    if index >= len(pan.times):
        return None
    v = pan.times[index]
    return pd.Timestamp(v) if pan.kind == "date" else float(v)
