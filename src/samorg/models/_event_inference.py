"""Inference for :func:`samorg.models.event_study`: cohort-label permutation and the analytic Wald pre-trend test."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from samorg.models import _resampling as rs
from samorg.models._event_batch import permutation_statistics_batched
from samorg.models._event_core import _base, _compute, _statistics


def assignments(g_obs: np.ndarray, draws: int, rng: np.random.Generator) -> tuple[np.ndarray, bool, int]:
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
    # One array call; the same draws as ``rng.permutation(g_obs)`` row after row (a test checks).
    rows = np.vstack([g_obs[None, :], rng.permuted(np.tile(g_obs, (draws, 1)), axis=1)])
    return rows, False, total


def permutation_statistics(Y, masked, assign, spec, E, D, De, with_masked):
    """Statistics per assignment: ``A`` (overall and per event time) and ``B`` (the same statistics of the
    observed treatment indicators: each statistic is ``A − b0 B`` under a constant effect ``b0``), and with
    ``with_masked`` the per-event-time ``Am``, ``Bm`` on the outcome with treated periods masked
    (NaN otherwise). All assignments at once, in blocks (``_event_batch``)."""
    S = permutation_statistics_batched(Y, [np.nan_to_num(Y), D, list(De)], assign, spec, E)
    A, B = S[:, 0, :], np.c_[S[:, 1, 0], S[:, 2, 1:]]
    if not with_masked:
        nan = np.full((len(assign), len(E)), np.nan)
        return A, B, nan, nan.copy()
    Sm = permutation_statistics_batched(masked, [np.nan_to_num(masked), list(De)], assign, spec, E)
    return A, B, Sm[:, 0, 1:], Sm[:, 1, 1:]


def permutation_statistics_loop(Y, masked, assign, spec, E, D, De, with_masked):
    """The straightforward computation of :func:`permutation_statistics`: the estimator refitted for every
    assignment. Slow (the benchmark's "before"); the reference the batched computation is tested against."""
    Y0, M0 = np.nan_to_num(Y), np.nan_to_num(masked)
    A = np.full((len(assign), 1 + len(E)), np.nan)
    B = np.full_like(A, np.nan)
    Am = np.full((len(assign), len(E)), np.nan)
    Bm = np.full_like(Am, np.nan)
    for k, g in enumerate(assign):
        f = _compute(Y, g, spec, event_times=E)
        A[k] = _statistics(f.C, Y0)
        B[k, 0] = float(np.einsum("nt,nt->", f.C[0], D))
        B[k, 1:] = np.einsum("knt,knt->k", f.C[1:], De)
        if with_masked:
            fm = _compute(masked, g, spec, event_times=E)
            Am[k] = _statistics(fm.C[1:], M0)
            Bm[k] = np.einsum("knt,knt->k", fm.C[1:], De)
    return A, B, Am, Bm


def permutation(Y, g_obs, spec, obs, pre_e, draws, seed, level, details):
    rng = np.random.default_rng(seed)
    T = spec.T
    assign, enumerated, total = assignments(g_obs, draws, rng)
    E = obs.event_times
    t_idx = np.arange(T)
    D = (t_idx[None, :] >= g_obs[:, None]).astype(float)  # treated periods of the observed assignment
    De = np.stack([(t_idx[None, :] - g_obs[:, None] == e).astype(float) for e in E])  # effect at event time e only
    # treated periods masked (base period and earlier kept): placebo statistics free of real effects
    masked = Y.copy()
    masked[t_idx[None, :] > np.array([(_base(int(c), spec) if c < T else T) or 0 for c in g_obs])[:, None]] = np.nan
    obs_m = _compute(masked, g_obs, spec, event_times=E)
    pre_ix = [E.index(e) for e in pre_e]
    A, B, Am, Bm = permutation_statistics(Y, masked, assign, spec, E, D, De, bool(pre_ix))
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
                   permutation_sd=std[0])
    # No standard errors beside intervals that invert the permutation test (docs/api.md §2).
    nan = np.full(len(std) - 1, math.nan)
    coef = (np.array(est[1:]), nan, np.array(lo[1:]), np.array(hi[1:]), np.array(p[1:]))
    return math.nan, p[0], lo[0], hi[0], coef, pretrend


def wald_pretrend(theta_pre: np.ndarray, V: np.ndarray) -> dict[str, Any]:
    from scipy import stats

    if len(theta_pre) == 0:
        return {}
    Vinv = np.linalg.pinv(V)
    W = float(theta_pre @ Vinv @ theta_pre)
    k = int(np.linalg.matrix_rank(V))
    return {"statistic": W, "df": k, "p_value": float(stats.chi2.sf(W, k)) if k else math.nan,
            "method": "Wald χ² test (analytic covariance)"}
