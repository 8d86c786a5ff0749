"""Covariance estimators and Wald inference shared by the models (numpy/scipy only)."""

from __future__ import annotations

import math

import numpy as np


def newey_west_lags(n: int) -> int:
    """Newey & West (1994) rule of thumb: ``floor(4 (n/100)^(2/9))``, at least 1."""
    return max(1, int(math.floor(4 * (n / 100) ** (2 / 9))))


def bartlett_kernel(times: np.ndarray, lags: int) -> np.ndarray:
    """Bartlett weights ``max(0, 1 - |t_i - t_j| / (lags + 1))`` on the actual time distances.

    Using the distance in time rather than in row position keeps the weights right when
    rows are missing or excluded. The triangle function is a positive definite kernel, so
    the resulting long-run covariance stays positive semi-definite on any set of times.
    """
    t = np.asarray(times, dtype=float)
    dist = np.abs(t[:, None] - t[None, :])
    return np.clip(1.0 - dist / (lags + 1.0), 0.0, None)


def sandwich(bread: np.ndarray, scores: np.ndarray, *, kernel: np.ndarray | None = None) -> np.ndarray:
    """``bread · meat · bread`` with ``meat = Σ_ij K_ij u_i u_j'`` (K = identity: White/HC0), times n/(n−k).

    ``bread`` is the inverse of the unscaled information matrix and ``scores`` the unscaled
    per-observation scores, so the dispersion cancels. The n/(n−k) factor is the usual
    small-sample correction (HC1; Stata's ``newey`` uses it for HAC too).
    """
    n, k = scores.shape
    meat = scores.T @ scores if kernel is None else scores.T @ kernel @ scores
    cov = bread @ meat @ bread
    return cov * n / (n - k)


def wald(
    estimate: np.ndarray, std_error: np.ndarray, *, level: float, df: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two-sided p-values and confidence bounds; normal reference unless ``df`` is given (then t)."""
    from scipy import stats  # lazy: importing samorg.models stays light

    est = np.asarray(estimate, dtype=float)
    se = np.asarray(std_error, dtype=float)
    dist = stats.norm if df is None else stats.t(df)
    q = float(dist.ppf(0.5 + level / 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = est / se
    p = 2 * dist.sf(np.abs(z))
    return p, est - q * se, est + q * se


def critical_value(level: float, df: float | None = None) -> float:
    """The two-sided critical value for ``level``: normal, or t with ``df`` degrees of freedom."""
    from scipy import stats

    dist = stats.norm if df is None else stats.t(df)
    return float(dist.ppf(0.5 + level / 2))
