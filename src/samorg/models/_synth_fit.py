"""The numerical core of :func:`samorg.models.synthetic_control`: weights, the perfect-fit guard, placebos,
and the interval from inverting the placebo test. The reasoning is in the docstring of ``synth.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

GUARDS = ("regularise", "reduce", "none")
STATISTICS = ("ratio", "mean_gap")
#: A pre-period fit closer than this share of the donors' typical period-to-period change is "perfect".
PERFECT_FIT = 0.05


@dataclass(frozen=True)
class FitSpec:
    pre_idx: np.ndarray
    post_idx: np.ndarray
    statistic: str
    guard: str
    placebo: bool


@dataclass(frozen=True)
class Fit:
    weights: np.ndarray
    gap: np.ndarray
    post_gap: np.ndarray
    pre_rmspe: float
    post_rmspe: float
    ratio: float
    table: pd.DataFrame  # treated first, then every placebo: pre_rmspe, post_rmspe, ratio, estimate, statistic
    placebo_gaps: dict
    degenerate: bool
    poor: bool
    penalty: float
    keep: np.ndarray | None  # donors kept by guard="reduce"
    n_pool: int
    pre_idx: np.ndarray
    post_idx: np.ndarray
    donor_pre_means: np.ndarray


def rmspe(g: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(g))))


def weights(Yd_pre: np.ndarray, y_pre: np.ndarray, *, x: np.ndarray | None = None, Xd: np.ndarray | None = None,
            penalty: float = 0.0) -> np.ndarray:
    """argmin ‖y − Yd'w‖² + ‖x − Xd'w‖² + penalty‖w‖², w ≥ 0, Σw = 1 (NNLS with a heavily weighted sum row)."""
    from scipy.optimize import nnls

    A, b = Yd_pre.T, np.asarray(y_pre, dtype=float)  # T0 × J
    if x is not None and Xd is not None and len(x):
        A, b = np.vstack([A, Xd.T]), np.r_[b, x]
    J = A.shape[1]
    if J == 1:
        return np.ones(1)
    if penalty > 0:
        A, b = np.vstack([A, math.sqrt(penalty) * np.eye(J)]), np.r_[b, np.zeros(J)]
    scale = max(float(np.abs(A).max()), float(np.abs(b).max()), 1e-12)
    big = 1e4 * scale * math.sqrt(len(b))
    w, _ = nnls(np.vstack([A, np.full((1, J), big)]), np.r_[b, big], maxiter=50 * J)
    total = w.sum()
    return w / total if total > 0 else np.full(J, 1 / J)


def _statistic(gap: np.ndarray, pre_idx: np.ndarray, post_idx: np.ndarray, statistic: str) -> dict:
    pre, post = rmspe(gap[pre_idx]), rmspe(gap[post_idx])
    est = float(np.mean(gap[post_idx]))
    ratio = post / pre if pre > 0 else math.inf
    return {"pre_rmspe": pre, "post_rmspe": post, "ratio": ratio, "estimate": est,
            "statistic": ratio if statistic == "ratio" else abs(est)}


def _scaled_predictors(Xp: np.ndarray | None, Y_pre: np.ndarray) -> np.ndarray | None:
    """Predictor means scaled so their spread across units equals the outcome's pre-period spread."""
    if Xp is None:
        return None
    target = float(np.std(Y_pre))
    sd = Xp.std(axis=0)
    # each predictor weighs as much as the whole pre-period path (√T0 rows of the outcome's spread)
    return Xp * np.where(sd > 0, target * math.sqrt(Y_pre.shape[1]) / np.where(sd > 0, sd, 1.0), 0.0)


def fit_all(y: np.ndarray, Yd: np.ndarray, Xp: np.ndarray | None, spec: FitSpec) -> Fit:
    """Fit the treated unit, apply the perfect-fit guard, and run the placebos the same way."""
    pre, post = spec.pre_idx, spec.post_idx
    Xs = _scaled_predictors(Xp, np.vstack([y[pre], Yd[:, pre]]))
    x_t, X_d = (Xs[0], Xs[1:]) if Xs is not None else (None, None)
    w = weights(Yd[:, pre], y[pre], x=x_t, Xd=X_d)
    gap = y - w @ Yd
    pre_rmspe = rmspe(gap[pre])
    diffs = np.diff(Yd[:, pre], axis=1)
    sigma = float(np.std(diffs)) if diffs.size > 1 else 0.0
    if sigma == 0:
        sigma = float(np.std(Yd[:, pre])) or 1.0
    degenerate = len(pre) <= Yd.shape[0] and pre_rmspe < PERFECT_FIT * sigma
    penalty, keep = 0.0, None
    if degenerate and spec.guard == "regularise":
        penalty = math.sqrt(len(post)) * sigma**2 * len(pre)  # ζ² T0 with ζ = T_post^(1/4) σ
        w = weights(Yd[:, pre], y[pre], x=x_t, Xd=X_d, penalty=penalty)
    elif degenerate and spec.guard == "reduce":
        dist = np.sqrt(np.mean((Yd[:, pre] - y[pre]) ** 2, axis=1))
        keep = np.zeros(Yd.shape[0], dtype=bool)
        keep[np.argsort(dist, kind="stable")[: max(1, len(pre) - 1)]] = True
        Yd = Yd[keep]
        X_d = X_d[keep] if X_d is not None else None
        w = weights(Yd[:, pre], y[pre], x=x_t, Xd=X_d)
    gap = y - w @ Yd
    stats = [_statistic(gap, pre, post, spec.statistic)]
    gaps: dict = {}
    J = Yd.shape[0]
    if spec.placebo and J >= 2:
        for j in range(J):
            others = np.delete(np.arange(J), j)
            xj = (X_d[j], X_d[others]) if X_d is not None else (None, None)
            wj = weights(Yd[others][:, pre], Yd[j, pre], x=xj[0], Xd=xj[1], penalty=penalty)
            g = Yd[j] - wj @ Yd[others]
            stats.append(_statistic(g, pre, post, spec.statistic))
            gaps[j] = g
    table = pd.DataFrame(stats)
    outside = np.mean((y[pre] > Yd[:, pre].max(axis=0)) | (y[pre] < Yd[:, pre].min(axis=0)))
    median_placebo = float(np.median(table["pre_rmspe"].to_numpy()[1:])) if len(table) > 2 else math.nan
    first = stats[0]
    poor = bool(outside >= 0.5 or (math.isfinite(median_placebo) and first["pre_rmspe"] > 2 * median_placebo))
    return Fit(weights=w, gap=gap, post_gap=gap[post], pre_rmspe=first["pre_rmspe"], post_rmspe=first["post_rmspe"],
               ratio=first["ratio"], table=table, placebo_gaps=gaps, degenerate=bool(degenerate), poor=poor,
               penalty=penalty, keep=keep, n_pool=len(keep) if keep is not None else J, pre_idx=pre, post_idx=post,
               donor_pre_means=Yd[:, pre].mean(axis=1))


def interval(post_gap: np.ndarray, pre_rmspe: float, placebo_stats: np.ndarray, level: float,
             statistic: str) -> tuple[float, float]:
    """Constant effects b0 whose placebo p-value exceeds 1 − level (exact; see synth.py).

    ``p(b0) = (1 + #{placebo stat ≥ stat(b0)}) / (J + 1)``; b0 is kept while at least ``floor(α(J+1))``
    placebo statistics are ≥ its own, i.e. while ``p(b0) > α``.
    """
    alpha = 1 - level
    n = len(placebo_stats) + 1
    k = math.floor(alpha * n + 1e-9) - 1
    if k < 0:
        return -math.inf, math.inf
    threshold = np.sort(placebo_stats)[::-1][k]
    if not math.isfinite(threshold):
        return -math.inf, math.inf
    m = float(np.mean(post_gap))
    if statistic == "mean_gap":
        return m - threshold, m + threshold
    if pre_rmspe == 0:
        return -math.inf, math.inf
    spread = float(np.mean((post_gap - m) ** 2))
    room = (threshold * pre_rmspe) ** 2 - spread
    if room < 0:
        return math.nan, math.nan
    return m - math.sqrt(room), m + math.sqrt(room)
