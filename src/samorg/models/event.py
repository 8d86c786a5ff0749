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
* ``cluster`` (old name ``analytic``): influence-function standard errors (unit-level, treating group sizes as
  fixed) with normal intervals and a Wald χ² pre-trend test. With one or two treated units
  per cohort these are far too small: a warning and caveat say so.

Excluded windows (``exclude``) drop those periods; when a cohort's base period falls inside
one, the last period before the window is its base (recorded in ``group_time``), and the
coefficient table's reference row sits at the event time of that base (e.g. −3 for a 2022
cohort with 2020–2021 left out: its pre-period coefficients are differences from 2019), not at
``reference``. ``details["base_event_times"]`` gives each cohort's, ``details["reference_event_times"]``
the reference rows (a base event time that another cohort estimates keeps that estimate instead).
A multiplier bootstrap is not offered: it reproduces the analytic standard errors and
shares their failure with one or two treated units.
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
from samorg.models._event_core import _compute, _Spec
from samorg.models._event_inference import permutation as _permutation
from samorg.models._event_inference import wald_pretrend as _wald_pretrend
from samorg.models._panel import Panel, excluded_periods, panel, to_time
from samorg.models._vocabulary import inference_value, renamed_keywords
from samorg.models.result import Effect, ModelWarning

__all__ = ["EventStudyResult", "event_study"]

INFERENCE = ("permutation", "cluster")
CONTROLS = ("never", "not_yet")


@dataclass(frozen=True, kw_only=True)
class EventStudyResult(Effect):
    """The result of :func:`event_study`: the average post-treatment effect, plus effects by event time.

    Attributes (beyond :class:`Effect`)
    -----------------------------------
    coefficients : DataFrame
        Indexed by ``event_time`` (periods relative to first treatment; the base period actually
        used is a row with estimate 0, at ``reference`` unless an excluded window moved the base
        earlier): ``estimate, std_error, ci_low, ci_high, p_value, n_treated, n_cohorts``.
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
        refs = d.get("reference_event_times")
        if refs is not None and set(refs) != {d.get("reference")}:
            r = " og ".join(fmt.number(x, lang=lang) for x in refs) if lang == "nb" else " and ".join(
                fmt.number(x, lang=lang) for x in refs)
            out.append(f"Basisperioden er hendelsestid {r}, ikke {fmt.number(d['reference'], lang=lang)}: periodene "
                       "rett før tiltaket er holdt utenfor, så koeffisientene før tiltaket er forskjeller fra den."
                       if lang == "nb" else
                       f"The base period is event time {r}, not {fmt.number(d['reference'], lang=lang)}: the periods "
                       "just before treatment were left out, so the pre-treatment coefficients are differences "
                       "from it.")
        for w in d.get("excluded_windows", ()):
            label = f" ({w['label']})" if w.get("label") else ""
            start, end = fmt.time_value(w["start"], lang=lang), fmt.time_value(w["end"], lang=lang)
            out.append(f"Periodene {start}–{end}{label} er holdt utenfor." if lang == "nb" else
                       f"The periods {start} to {end}{label} were left out.")
        return out


@renamed_keywords(control="comparison")
def event_study(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    first_treated: str,
    reference: int = -1,
    comparison: str = "never",
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
        period of anticipation). When it is excluded, the last period before the excluded
        window is the base, and the coefficient table's zero row sits at its event time.
    comparison : {"never", "not_yet"}
        Comparison units: never treated in the data, or not yet treated at ``t`` (units never
        treated in the data always count as not yet treated). Old name ``control`` (deprecated).
    window : (int, int), optional
        Event times kept (e.g. ``(-5, 5)``); default all.
    exclude : sequence of windows
        ``(start, end)`` or ``(start, end, label)``, inclusive: periods left out (a period is
        left out if any day of it falls in a window; docs/api.md §4).
    inference : {"permutation", "cluster"}
        ``"cluster"``: influence-function standard errors clustered by unit (old name
        ``"analytic"``, deprecated). Permutation intervals carry no standard error (NaN).
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
        units or cohorts without a base period; cells left out for want of comparison units.

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
    inference = inference_value("event_study", inference, INFERENCE)
    _check_args(comparison, reference, level, draws, data, first_treated)
    Y, g_obs, units, pan, ex, windows = _setup(data, outcome, unit, time, first_treated, exclude, comparison)
    local_caveats = list(caveats)
    T = len(pan.times)
    spec = _Spec(T=T, reference=int(reference), control=comparison, window=window, excluded=ex)
    obs = _compute(Y, g_obs, spec, influence=True)
    if not obs.cells:
        raise ModelError("No cohort has both a usable base period and comparison units: there is no pre-period for "
                         f"the treated units (base period = first treated {reference:+d}), or no comparison unit is "
                         "observed in the same periods.")
    if obs.no_comparison:
        cells = ", ".join(f"{pan.label(g)} at {pan.label(t)}" for g, t in obs.no_comparison[:4])
        warnings.warn(f"{len(obs.no_comparison)} cohort × period cell(s) have no comparison unit and are left out "
                      f"(cohort at period: {cells}).", ModelWarning, stacklevel=3)
    bases = {int(c): int(b) - int(c) for c, _, _, b, *_ in obs.cells}  # each cohort's base, in event time
    reference_rows = sorted(set(bases.values()) - set(obs.event_times))
    post_e = [e for e in obs.event_times if e >= 0]
    pre_e = [e for e in obs.event_times if e < 0]
    if not post_e:
        raise ModelError("No post-treatment period can be estimated (are the post-treatment periods excluded?).")
    per_cohort = pd.Series(g_obs[g_obs < T]).value_counts()
    never = int((g_obs >= T).sum())
    details: dict[str, Any] = {
        "outcome": outcome, "inference": inference, "comparison": comparison, "control": comparison,
        "reference": int(reference), "n_units": len(units), "n_treated_units": int((g_obs < T).sum()),
        "n_never_treated": never, "n_cohorts": len(per_cohort),
        "cohort_sizes": {pan.label(int(g)): int(n) for g, n in per_cohort.items()}, "time_kind": pan.kind,
        "excluded_windows": tuple(windows), "window": window,
        "n_cells_without_comparison": len(obs.no_comparison),
        "base_event_times": {pan.label(c): e for c, e in sorted(bases.items())},
        "reference_event_times": tuple(reference_rows),
        "method_nb": "hendelsesstudie med forskjøvet innføring (Callaway og Sant'Anna, gruppe-tid-effekter)",
        "call": {"estimator": "event_study", "outcome": outcome, "unit": unit, "time": time,
                 "first_treated": first_treated, "reference": reference, "comparison": comparison, "window": window,
                 "exclude": tuple(exclude), "inference": inference, "draws": draws, "seed": seed, "level": level,
                 "caveats": tuple(caveats)},
    }
    if inference == "cluster":
        std, p_val, lo, hi, coef, pretrend, inference_text = _analytic(obs, pre_e, level, per_cohort, details,
                                                                       local_caveats)
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
    details["n_pre_coefficients"] = len(pre_e)
    return EventStudyResult(
        estimate=float(obs.overall), std_error=float(std), ci_low=float(lo), ci_high=float(hi),
        p_value=float(p_val), level=level, link="identity",
        method=f"event study, staggered adoption (Callaway–Sant'Anna group-time effects, "
               f"{comparison.replace('_', '-')} controls)",
        inference=inference_text, n_obs=int(np.isfinite(Y).sum()), term="effect", details=details,
        caveats=tuple(local_caveats), coefficients=_table(obs, coef, reference_rows, window),
        group_time=_group_time(obs, pan), pretrend=pretrend,
    )


def _check_args(comparison, reference, level, draws, data, first_treated) -> None:
    if comparison not in CONTROLS:
        raise ModelError(f"comparison={comparison!r} is not supported. Expected one of {CONTROLS}.")
    if not isinstance(reference, (int, np.integer)) or reference >= 0:
        raise ModelError(f"reference={reference!r} must be a negative whole number of periods (−1: the period "
                         "before treatment).")
    if not 0 < level < 1:
        raise ModelError(f"level={level!r} must be between 0 and 1, e.g. 0.95.")
    if not isinstance(draws, (int, np.integer)) or draws < 99:
        raise ModelError(f"draws={draws!r} must be a whole number ≥ 99.")
    if isinstance(data, pd.DataFrame) and first_treated not in data.columns:
        raise ModelError(f'Column "{first_treated}" is not in the data. The data have columns {list(data.columns)}.')


def _setup(data, outcome, unit, time, first_treated, exclude, comparison):
    """The outcome matrix with excluded periods blanked, cohorts per unit, and the checks on them."""
    pan = panel(data, outcome=outcome, unit=unit, time=time, fn="event_study")
    T = len(pan.times)
    g_obs, dropped = _cohorts(data, pan, unit, first_treated)
    if len(pan.units) < 2:
        raise ModelError(f"Only one unit in \"{unit}\" (one site): an event study needs treated and comparison units.")
    ex, windows = excluded_periods(pan.times, pan.kind, exclude, time)
    Y = pan.Y.copy()
    Y[:, ex] = np.nan
    if dropped:
        warnings.warn(f"{len(dropped)} unit(s) were treated at or before the first period and have no pre-period; "
                      f"they were left out (e.g. {dropped[:3]}).", ModelWarning, stacklevel=4)
    keep = g_obs >= 0
    Y, g_obs, units = Y[keep], g_obs[keep], pan.units[keep]
    treated_cohorts = sorted(set(g_obs[g_obs < T]))
    if not treated_cohorts:
        raise ModelError(f'No unit is first treated inside the data ({pan.label(0)}–{pan.label(T - 1)}): check '
                         f'"{first_treated}" (an intervention outside the data has no effect to estimate).')
    if np.nanmax(Y) == np.nanmin(Y):
        raise ModelError(f'Outcome "{outcome}" is constant ({np.nanmax(Y)!r}) in every unit and period used.')
    never = int((g_obs >= T).sum())
    if comparison == "never" and never == 0:
        raise ModelError("Every unit is treated within the data, so there is no never-treated comparison group. "
                         "Use comparison='not_yet' (later-treated units as comparisons until they are treated).")
    if never == 0 and len(treated_cohorts) == 1:
        raise ModelError("All units are treated at the same time: there is no comparison group.")
    return Y, g_obs, units, pan, ex, windows


def _analytic(obs, pre_e, level, per_cohort, details, local_caveats):
    """Influence-function errors clustered by unit, t(N − 1) intervals (N units, the clusters; docs/api.md §2),
    a Wald χ² pre-trend test."""
    E = obs.event_times
    V = obs.psi.T @ obs.psi  # (1 + E) × (1 + E)
    se_all = np.sqrt(np.clip(np.diag(V), 0, None))
    df = float(details["n_units"] - 1)
    p_all, lo_all, hi_all = inf.wald(np.r_[obs.overall, obs.theta], se_all, level=level, df=df)
    coef = (obs.theta, se_all[1:], lo_all[1:], hi_all[1:], p_all[1:])
    pre_ix = [1 + E.index(e) for e in pre_e]
    pretrend = _wald_pretrend(obs.theta[[E.index(e) for e in pre_e]], V[np.ix_(pre_ix, pre_ix)])
    details.update(reference_distribution=f"t({df:g})", inference_nb="analytiske standardfeil (influensfunksjon)")
    if per_cohort.min() <= 2:
        local_caveats.append("few_treated_units")
        warnings.warn(f"Cohorts with only {int(per_cohort.min())} treated unit(s): analytic standard errors rest on "
                      "the spread among those units and are far too small. Use inference='permutation'.",
                      ModelWarning, stacklevel=4)
    return (se_all[0], p_all[0], lo_all[0], hi_all[0], coef, pretrend,
            "analytic standard errors (influence function)")


def _table(obs, coef, reference_rows, window) -> pd.DataFrame:
    """Coefficients by event time, each base period actually used (in event time) as a row with estimate 0."""
    theta, se, clo, chi, cp = coef
    table = pd.DataFrame({"estimate": theta, "std_error": se, "ci_low": clo, "ci_high": chi, "p_value": cp,
                          "n_treated": obs.n_treated_e, "n_cohorts": obs.n_cohorts_e},
                         index=pd.Index(obs.event_times, name="event_time"))
    refs = [int(r) for r in reference_rows if window is None or window[0] <= r <= window[1]]
    if refs:
        nan = [np.nan] * len(refs)
        ref_rows = pd.DataFrame({"estimate": [0.0] * len(refs), "std_error": nan, "ci_low": nan, "ci_high": nan,
                                 "p_value": nan, "n_treated": nan, "n_cohorts": nan},
                                index=pd.Index(refs, name="event_time"))
        table = pd.concat([table, ref_rows]).sort_index()
    table.index.name = "event_time"
    return table


def _group_time(obs, pan) -> pd.DataFrame:
    gt = pd.DataFrame(obs.cells, columns=["g", "t", "event_time", "b", "att", "n_treated", "n_control"])
    gt.insert(0, "cohort", [_time_value(pan, g) for g in gt["g"]])
    gt.insert(1, "time", [_time_value(pan, t) for t in gt["t"]])
    gt.insert(3, "base", [_time_value(pan, b) for b in gt["b"]])
    return gt.drop(columns=["g", "t", "b"])


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
