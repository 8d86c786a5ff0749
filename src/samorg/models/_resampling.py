"""Wild cluster bootstrap and permutation inference for one coefficient of a linear model.

Everything works on the (already √weight-transformed) design, and uses that a
linear estimator is linear in the outcome, so each bootstrap or permutation draw costs
only cluster-level arithmetic and confidence intervals come from inverting the test.

Wild cluster bootstrap (restricted, "WCR", Cameron, Gelbach & Miller 2008; Roodman,
MacKinnon, Nielsen & Webb 2019): impose ``β_D = b0``, take restricted residuals ``u``,
draw ``y* = X_r β_r + b0 D + u · w_g`` with one weight per cluster, and compare the CR1
t-statistics. With cluster-level weights the bootstrap numerator is ``w'q`` and the
cluster scores are ``Q w`` for a G-vector ``q`` and a G×G matrix ``Q`` (both linear in
``b0``), so nothing of size n × draws is ever formed.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

WEBB = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])


@dataclass(frozen=True)
class Draws:
    weights: np.ndarray  # G × B
    kind: str  # "rademacher" | "webb"
    enumerated: bool
    min_attainable_p: float


def wild_weights(n_clusters: int, *, draws: int, kind: str, rng: np.random.Generator) -> Draws:
    """Cluster weights: all sign patterns when they number no more than ``draws``, else random draws."""
    values = np.array([-1.0, 1.0]) if kind == "rademacher" else WEBB
    total = len(values) ** n_clusters
    if total <= draws:
        w = np.array(list(itertools.product(values, repeat=n_clusters))).T
        # w and −w give the same |t*|, and the identity draw reproduces the observed t.
        return Draws(w, kind, True, 2.0 / total)
    w = rng.choice(values, size=(n_clusters, draws))
    return Draws(w, kind, False, 1.0 / (draws + 1))


class WildClusterTest:
    """The WCR bootstrap test of ``β_D = b0`` for column ``d`` of ``X`` (all √weight-transformed).

    Everything that depends on ``b0`` is linear in it, so the draws are multiplied out once:
    per draw, the numerator is ``n1 − b0 n2`` and the squared CR1 denominator the quadratic
    ``A − 2 b0 C + b0² E``. Each p-value (and so each step of the interval search) then costs
    O(draws), whatever the number of rows or clusters.
    """

    def __init__(self, y: np.ndarray, X: np.ndarray, d: int, groups: np.ndarray, draws: Draws, cr1: float, *,
                 fixed_effects: list[np.ndarray] | None = None, weights: np.ndarray | None = None):
        """``y``, ``X``: √weight-transformed, fixed effects already absorbed. ``fixed_effects``: their
        integer codes (with the analytic ``weights``), so each bootstrap sample ``u · w_g`` is
        re-projected off them, exactly as the regression with dummies re-estimates them. Fixed
        effects nested in the clusters (unit effects with unit clusters) need no re-projection.
        """
        from samorg.models._panel import group_sums

        self.draws = draws
        self.G = G = int(groups.max()) + 1
        self.cr1 = cr1
        xtx_inv = np.linalg.pinv(X.T @ X)
        a = (xtx_inv @ X.T)[d]  # β_D = a'y
        D = X[:, d]
        Xr = np.delete(X, d, axis=1)
        # restricted residuals u(b0) = M_r y − b0 M_r D
        if Xr.shape[1]:
            u1 = y - Xr @ np.linalg.lstsq(Xr, y, rcond=None)[0]
            u2 = D - Xr @ np.linalg.lstsq(Xr, D, rcond=None)[0]
        else:
            u1, u2 = y.copy(), D.copy()
        P = group_sums(groups, a[:, None] * X, G)  # G × k: Σ_{i∈g} a_i x_i'
        w = draws.weights
        is_nested = [_nested(f, groups) for f in (fixed_effects or [])]
        nested = [f for f, x in zip(fixed_effects or [], is_nested) if x]
        crossed = [f for f, x in zip(fixed_effects or [], is_nested) if not x]
        nums, scores = [], []
        closed = None
        for u in (u1, u2):
            q = np.bincount(groups, weights=a * u, minlength=G)
            R = group_sums(groups, X * u[:, None], G)  # G × k: Σ_{i∈h} x_i u_i
            # Σ_{i∈g} a_i [M_FE (u ∘ 1_h)]_i: diag(q) when every fixed effect is nested in the clusters
            if not crossed:
                A = np.diag(q)
            elif len(crossed) == 1 and len(nested) <= 1:  # unit × period panels: closed form
                if closed is None:
                    closed = _CrossedProjection(a, groups, G, crossed[0], nested, weights)
                A = np.diag(q) - closed.scores(u)
            else:
                A = _reprojected_scores(a, u, groups, G, list(fixed_effects or []), weights)
            Q = A - P @ xtx_inv @ R.T  # cluster scores of the D-coefficient: S = Q w
            nums.append(q @ w)
            scores.append(Q @ w)
        self._n1, self._n2 = nums
        S1, S2 = scores
        self._A = np.einsum("gb,gb->b", S1, S1)
        self._C = np.einsum("gb,gb->b", S1, S2)
        self._E = np.einsum("gb,gb->b", S2, S2)
        self.estimate = float(a @ y)
        resid = y - X @ (xtx_inv @ (X.T @ y))
        s = np.bincount(groups, weights=a * resid, minlength=G)
        self.std_error = math.sqrt(cr1 * float(s @ s))

    def p_value(self, b0: float) -> float:
        num = self._n1 - b0 * self._n2
        den = np.sqrt(self.cr1 * np.clip(self._A - 2 * b0 * self._C + b0 * b0 * self._E, 0, None))
        with np.errstate(divide="ignore", invalid="ignore"):
            t_star = np.abs(num / den)
        t_obs = abs(self.estimate - b0) / self.std_error
        extreme = int(np.sum(t_star >= t_obs * (1 - 1e-10)))
        B = len(num)
        if self.draws.enumerated:
            return extreme / B
        return (1 + extreme) / (B + 1)

    def confidence_interval(self, level: float) -> tuple[float, float]:
        alpha = 1 - level + 1e-12  # p ≤ α rejects
        return (_invert(self.p_value, self.estimate, self.std_error, alpha, -1),
                _invert(self.p_value, self.estimate, self.std_error, alpha, +1))


def _nested(codes: np.ndarray, groups: np.ndarray) -> bool:
    """Every level of ``codes`` lies within one cluster (so it is constant under cluster weights)."""
    codes = np.asarray(codes, dtype=np.int64)
    pairs = np.unique(codes * (int(groups.max()) + 1) + groups)
    return len(pairs) == len(np.unique(codes))


class _CrossedProjection:
    """Σ_{i∈g} a_i [P_FE (u ∘ 1_h)]_i (G × G) for one crossed factor (periods) and at most one nested one (units).

    With N the nested dummies and K the crossed ones (√weight space), P_FE = P_N + P_Z, Z = M_N K.
    ``u`` is orthogonal to every fixed effect and each unit lies in one cluster, so P_N (u ∘ 1_h) = 0
    and Z'(u ∘ 1_h) = K'(u ∘ 1_h) = S[:, h], the per-period sums of √w·u in cluster h. ``a`` is
    orthogonal to the unit dummies too, so Σ_{i∈g} a_i Z_i = Σ_{i∈g} a_i K_i = R[g]. Hence R (Z'Z)⁺ S,
    with Z'Z = diag(W_k) − Σ_j W_jk W_jl / W_j (W: weight totals by unit j and period k): the same
    numbers as projecting every u ∘ 1_h (:func:`_reprojected_scores`), in O(n + G·K + K³).
    """

    def __init__(self, a, groups, G, period, nested, weights):
        w = np.ones(len(a)) if weights is None else np.asarray(weights, dtype=float)
        self.sw = np.sqrt(w)
        self.G, self.K = G, int(period.max()) + 1
        self.cell = groups * self.K + period  # cluster × period
        R = np.bincount(self.cell, weights=a * self.sw, minlength=G * self.K).reshape(G, self.K)
        ztz = np.diag(np.bincount(period, weights=w, minlength=self.K))
        if nested:
            unit = nested[0]
            J = int(unit.max()) + 1
            W_jk = np.bincount(unit * self.K + period, weights=w, minlength=J * self.K).reshape(J, self.K)
            W_j = W_jk.sum(axis=1)
            keep = W_j > 0
            ztz = ztz - (W_jk[keep] / W_j[keep, None]).T @ W_jk[keep]
        self.left = R @ np.linalg.pinv(ztz, hermitian=True)  # G × K

    def scores(self, u: np.ndarray) -> np.ndarray:
        S = np.bincount(self.cell, weights=u * self.sw, minlength=self.G * self.K).reshape(self.G, self.K).T
        return self.left @ S


def _crossed_projection(a, u, groups, G, period, nested, weights) -> np.ndarray:
    """One-off form of :class:`_CrossedProjection` (for tests and single use)."""
    return _CrossedProjection(a, groups, G, period, nested, weights).scores(u)


def _reprojected_scores(a, u, groups, G, factors, weights, chunk: int = 64) -> np.ndarray:
    """G × G: entry (g, h) = Σ_{i∈g} a_i v_{h,i}, v_h = u ∘ 1_h with the fixed effects projected out.

    The bootstrap outcome ``X_r β_r + u · w`` differs from the fitted one by ``Σ_h w_h (u ∘ 1_h)``;
    the regression with dummies re-estimates the fixed effects on it, i.e. projects each
    ``u ∘ 1_h`` off them (in √weight space). ``X'v_h = X'(u ∘ 1_h)`` because ``X`` is already
    orthogonal to the fixed effects, so only the ``a``-weighted cluster sums change.
    """
    from samorg.models._panel import absorb, group_sums

    w = np.ones(len(u)) if weights is None else np.asarray(weights, dtype=float)
    sw = np.sqrt(w)
    inv_sw = np.divide(1.0, sw, out=np.zeros_like(sw), where=sw > 0)
    out = np.zeros((G, G))
    for start in range(0, G, chunk):
        hs = np.arange(start, min(G, start + chunk))
        V = np.where(groups[:, None] == hs[None, :], u[:, None], 0.0)  # n × chunk
        V = absorb(V * inv_sw[:, None], factors, w) * sw[:, None]
        out[:, hs] = group_sums(groups, a[:, None] * V, G)
    return out


def _invert(p_of, centre: float, scale: float, alpha: float, direction: int) -> float:
    """The bound where ``p_of`` falls to ``alpha`` going from ``centre`` in ``direction`` (±inf if never)."""
    scale = scale if scale > 0 and math.isfinite(scale) else 1.0
    inner, step = centre, scale
    outer = centre + direction * step
    while p_of(outer) > alpha:
        inner, step = outer, step * 2
        outer = centre + direction * step
        if step > 1e6 * scale:
            return direction * math.inf
    for _ in range(60):
        mid = (inner + outer) / 2
        if p_of(mid) > alpha:
            inner = mid
        else:
            outer = mid
        if abs(outer - inner) < 1e-8 * scale:
            break
    return (inner + outer) / 2


# -- permutation ------------------------------------------------------------------------------------
def assignments(n_units: int, n_treated: int, *, draws: int, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
    """Treated-unit sets as a P × n_units 0/1 matrix: all of them when they number ≤ ``draws``."""
    total = math.comb(n_units, n_treated)
    if total <= draws:
        rows = np.zeros((total, n_units))
        for i, chosen in enumerate(itertools.combinations(range(n_units), n_treated)):
            rows[i, list(chosen)] = 1.0
        return rows, True
    rows = np.zeros((draws, n_units))
    for i in range(draws):
        rows[i, rng.choice(n_units, size=n_treated, replace=False)] = 1.0
    return rows, False


def permutation_estimates(
    Mt: np.ndarray, residualise, post: np.ndarray, unit_of_row: np.ndarray, assign: np.ndarray, *,
    treated_in_model: bool, chunk: int = 1000,
) -> np.ndarray:
    """The D-coefficient for each assignment and each target column (P × m).

    ``Mt`` holds the targets (e.g. y and the observed D) already residualised on every fixed
    regressor (fixed effects, covariates) in √weight space; ``residualise`` does the same to
    raw columns. The varying regressors are the treated indicator (unless absorbed by unit
    fixed effects) and treated × post. Frisch–Waugh–Lovell: a 1×1 or 2×2 system per draw.
    """
    out = []
    for start in range(0, len(assign), chunk):
        T = assign[start:start + chunk][:, unit_of_row].T  # n × P
        MD = residualise(T * post[:, None])
        dy = MD.T @ Mt  # P × m
        dd = np.einsum("ip,ip->p", MD, MD)
        if not treated_in_model:
            with np.errstate(divide="ignore", invalid="ignore"):
                out.append(dy / dd[:, None])
            continue
        MT = residualise(T)
        tt = np.einsum("ip,ip->p", MT, MT)
        td = np.einsum("ip,ip->p", MT, MD)
        ty = MT.T @ Mt
        with np.errstate(divide="ignore", invalid="ignore"):
            out.append((tt[:, None] * dy - td[:, None] * ty) / (tt * dd - td**2)[:, None])
    return np.vstack(out)


def permutation_interval(est: float, A: np.ndarray, B: np.ndarray, level: float, *,
                         observed_b: float = 1.0) -> tuple[float, float]:
    """Exact inversion of the permutation test of a constant additive effect ``b0``.

    Under ``b0`` the outcome becomes ``y − b0 D``, the observed estimate ``est − b0 B_obs``
    (``B_obs = observed_b``, the statistic applied to ``D`` itself, 1 for an unbiased
    estimator) and each permuted estimate ``A − b0 B``; ``b0`` is kept when
    ``#{|A − b0 B| ≥ |est − b0 B_obs|} / P > α``. The acceptance set changes only where the
    two sides are equal, so checking those points and the midpoints between them is exact.
    Returns the hull of the accepted set.
    """
    alpha = 1 - level + 1e-12  # p ≤ α rejects; the tolerance absorbs 1 − 0.9 = 0.09999…
    keep = np.isfinite(A) & np.isfinite(B)
    A, B = A[keep], B[keep]

    def p_of(b0: float) -> float:
        return float(np.mean(np.abs(A - b0 * B) >= abs(est - b0 * observed_b) * (1 - 1e-10) - 1e-12))

    ob = observed_b
    with np.errstate(divide="ignore", invalid="ignore"):
        roots = np.concatenate([(est - A) / (ob - B), (est + A) / (ob + B)])
    roots = np.unique(roots[np.isfinite(roots)])
    if len(roots) == 0:
        return (-math.inf, math.inf) if p_of(est) > alpha else (math.nan, math.nan)
    # Acceptance is constant between neighbouring roots: test one point inside each gap (and
    # beyond the outermost roots) and report the closure of the accepted open intervals, so
    # isolated tie points do not widen the interval.
    spread = max(float(np.ptp(roots)), 1.0)
    edges = np.concatenate([[-math.inf], roots, [math.inf]])
    probes = np.concatenate([[roots[0] - spread], (roots[:-1] + roots[1:]) / 2, [roots[-1] + spread]])
    first = _first_accepted(probes, A, B, est, ob, alpha)
    if first is None:
        return math.nan, math.nan
    last = len(probes) - 1 - _first_accepted(probes[::-1], A, B, est, ob, alpha)
    return float(edges[first]), float(edges[last + 1])


def _first_accepted(probes: np.ndarray, A: np.ndarray, B: np.ndarray, est: float, ob: float,
                    alpha: float) -> int | None:
    """Index of the first probe whose permutation p-value exceeds ``alpha`` (None: none does).

    The same comparisons as testing each probe in turn (the hull of the accepted set only needs its
    outermost members), evaluated for growing blocks of probes from the start, as arrays.
    """
    start, step = 0, 16
    while start < len(probes):
        b = probes[start:start + step, None]
        thr = np.abs(est - b * ob) * (1 - 1e-10) - 1e-12
        p = (np.abs(A - b * B) >= thr).sum(axis=1) / len(A)
        hit = np.flatnonzero(p > alpha)
        if len(hit):
            return start + int(hit[0])
        start, step = start + step, min(2 * step, max(16, 2_000_000 // max(len(A), 1)))
    return None
