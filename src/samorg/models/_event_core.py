"""The event-study estimator as a linear map of the outcome (Callaway & Sant'Anna group-time effects).

Shared by :func:`samorg.models.event_study` and its permutation inference (``_event_inference``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


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
    no_comparison: list = field(default_factory=list)  # (g, t) cells without comparison units


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
    no_comparison: list[tuple[int, int]] = []  # cells (g, t) left out because no comparison unit is observed
    raw = []  # per cohort: (g, b, t array, e array, K matrix N×len(t), n_tr, n_c, att, R (influence))
    for c in sorted(set(g[g < T])):
        cohort = _cohort(int(c), Y0, valid, g, spec, influence=influence, event_times=event_times,
                         no_comparison=no_comparison)
        if cohort is not None:
            raw.append(cohort)
    cells = [(c, int(t), int(ee), b, float(a), int(nt), int(nc))
             for c, b, tt, e, _, ntr, ncs, att, _ in raw for t, ee, a, nt, nc in zip(tt, e, att, ntr, ncs)]
    E = sorted({int(x) for r in raw for x in r[3]}) if event_times is None else list(event_times)
    return _aggregate(raw, E, N, T, influence=influence, cells=cells, no_comparison=no_comparison)


def _cohort(c: int, Y0: np.ndarray, valid: np.ndarray, g: np.ndarray, spec: _Spec, *, influence: bool,
            event_times: list[int] | None, no_comparison: list[tuple[int, int]]) -> tuple | None:
    """Cohort ``c``'s ATT(g, t) cells: ``(g, b, t, e, K, n_tr, n_c, att, R)``, or ``None`` when it has none.

    Cells with treated units but no observed comparison unit are appended to ``no_comparison``.
    """
    T = Y0.shape[1]
    delta = -spec.reference - 1  # anticipation periods
    b = _base(c, spec)
    if b is None:
        return None
    tt = np.array([t for t in range(T) if t != b and valid[:, t].any() and not spec.excluded[t]])
    if len(tt) == 0:
        return None
    e = tt - c
    if spec.window is not None:
        keep = (e >= spec.window[0]) & (e <= spec.window[1])
        tt, e = tt[keep], e[keep]
    if event_times is not None:
        keep = np.isin(e, event_times)
        tt, e = tt[keep], e[keep]
    if len(tt) == 0:
        return None
    ok = valid[:, tt] & valid[:, [b]]
    tr = (g == c)[:, None] & ok
    if spec.control == "never":
        ctl = (g >= T)[:, None] & ok
    else:
        # Not yet treated at t (and at the base period), allowing for anticipation; units never treated
        # in the data (g = T) are always in the group, also in the last periods, where g > t + delta
        # fails for them once delta > 0 (the bug that dropped the last period's cells, issue 12).
        later = (g[:, None] > tt[None, :] + delta) & (g[:, None] > b + delta)
        ctl = (g != c)[:, None] & ((g >= T)[:, None] | later) & ok
    n_tr, n_c = tr.sum(axis=0), ctl.sum(axis=0)
    use = (n_tr > 0) & (n_c > 0)
    no_comparison.extend((int(c), int(t)) for t in tt[(n_tr > 0) & (n_c == 0)])
    if not use.any():
        return None
    tt, e, tr, ctl, n_tr, n_c = tt[use], e[use], tr[:, use], ctl[:, use], n_tr[use], n_c[use]
    dY = Y0[:, tt] - Y0[:, [b]]
    Wtr, Wc = tr / n_tr, ctl / n_c
    att = (Wtr * dY).sum(axis=0) - (Wc * dY).sum(axis=0)
    R = None
    if influence:
        m_tr = (Wtr * dY).sum(axis=0)
        m_c = (Wc * dY).sum(axis=0)
        R = Wtr * (dY - m_tr) - Wc * (dY - m_c)
    return (int(c), b, tt, e, Wtr - Wc, n_tr, n_c, att, R)


def _aggregate(raw: list[tuple], E: list[int], N: int, T: int, *, influence: bool, cells: list,
               no_comparison: list) -> _Fit:
    """The cohorts' cells aggregated per event time (weighted by treated units) and overall after the event."""
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
                psi=psi, no_comparison=no_comparison)


def _statistics(C: np.ndarray, Z: np.ndarray) -> np.ndarray:
    return np.einsum("knt,nt->k", C, Z)
