"""A simulation shaped like the demo registry, for checking the coverage of pooled intervals.

Used by the coverage tests (``tests/test_pooled_coverage.py``) and by ``benchmarks/bench_coverage.py``
(EVIDENCE.md §3). Nothing in the reports calls it.

The world: monthly visits 2014–2025 at the eight co-located demo sites (five in Indre Østfold, all
co-located 2020-01-01; Fjell 2020-01-01, Svelvik 2021-06-01 and Mjøndalen 2022-09-01 in Drammen) and
the summed never-co-located Drammen branches (Papirbredden and Konnerud) as the one control series of
every site, with the demo's base levels, seasonality, COVID-19 dip (shared by every series) and
multiplicative month noise (log-normal, sd 0.04, as :mod:`samorg.demo.branches`). A
municipality-level step at the reorganisation date (2020-01-01), drawn once per municipality and
replicate, hits every branch of that municipality; with ``step_hits_control`` it hits Drammen's
control branches too (they were co-organised on the same date). The true effect of co-location is
``effect`` (0 for coverage).

Each site is fitted with the comparative ITS of the site reports (quasi-Poisson, month dummies, trend,
level and slope change, the COVID-19 months 2020-03..2021-12 left out, HAC standard errors), but
through its conditional form, which is ~100 times faster than :func:`samorg.models.its`: with one
free effect per period shared by the site and its control, the Poisson likelihood profiled over the
period effects is the binomial likelihood of ``y_t`` out of ``y_t + c_t`` with a logit link on the
site's own terms (the standard conditional-Poisson identity), so the estimates are identical; the HAC
sandwich uses the same Bartlett weights, lags and n/(n−k) factor as ``its()`` (a test checks both
against ``its()``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from samorg.models import _inference as inf

FIRST, LAST = pd.Timestamp("2014-01-01"), pd.Timestamp("2025-12-01")
MONTHS = pd.date_range(FIRST, LAST, freq="MS")
WASHOUT = (pd.Timestamp("2020-03-01"), pd.Timestamp("2021-12-01"))
REORGANISED = pd.Timestamp("2020-01-01")
_SEASON = np.array([1.05, 1.06, 1.10, 0.96, 0.96, 0.86, 0.52, 0.86, 1.12, 1.16, 1.17, 1.18])
_SEASON = _SEASON / _SEASON.mean()
_COVID = {2020: [1.0, 1.0, 0.36, 0.02, 0.22, 0.66, 0.72, 0.76, 0.78, 0.76, 0.66, 0.60],
          2021: [0.56, 0.60, 0.63, 0.62, 0.66, 0.72, 0.76, 0.78, 0.82, 0.84, 0.82, 0.70],
          2022: [0.72, 0.80, 0.90, 0.92, 0.93, 0.94, 0.95, 0.95, 0.95, 0.96, 0.96, 0.96]}


@dataclass(frozen=True)
class SimSite:
    """One simulated co-located site: id, municipality, co-location date, visits a year before."""

    site_id: str
    municipality: str
    co_located: pd.Timestamp
    base_visits: float


#: The demo registry's co-located sites (config/demo/sites.yaml) and their 2019 visit levels.
REGISTRY: tuple[SimSite, ...] = (
    SimSite("askim", "Indre Østfold", pd.Timestamp("2020-01-01"), 50000),
    SimSite("mysen", "Indre Østfold", pd.Timestamp("2020-01-01"), 40000),
    SimSite("skjonhaug", "Indre Østfold", pd.Timestamp("2020-01-01"), 16000),
    SimSite("spydeberg", "Indre Østfold", pd.Timestamp("2020-01-01"), 20000),
    SimSite("tomter", "Indre Østfold", pd.Timestamp("2020-01-01"), 17000),
    SimSite("fjell", "Drammen", pd.Timestamp("2020-01-01"), 26000),
    SimSite("mjondalen", "Drammen", pd.Timestamp("2022-09-01"), 48000),
    SimSite("svelvik", "Drammen", pd.Timestamp("2021-06-01"), 20000),
)
CONTROL_MUNICIPALITY = "Drammen"
CONTROL_VISITS = 292000 + 22000  # Papirbredden + Konnerud


def _covid_factor() -> np.ndarray:
    f = np.ones(len(MONTHS))
    for year, values in _COVID.items():
        i = (year - FIRST.year) * 12
        f[i:i + 12] = values
    return f


def simulate_registry(rng: np.random.Generator, *, effect: float | dict[str, float] = 0.0, step_sd: float = 0.05,
                      step_hits_control: bool = True, noise_sd: float = 0.04) -> pd.DataFrame:
    """One replicate: monthly visits of every registry site and of the control, wide (one column each).

    Parameters
    ----------
    rng : numpy Generator
    effect : float or dict
        True log rate ratio of co-location (one for all sites, or per site id), from the co-location month.
    step_sd : float
        Standard deviation of the municipality-level step at 2020-01 (log scale).
    step_hits_control : bool
        Whether Drammen's step also hits the control branches.
    noise_sd : float
        Month-to-month multiplicative noise (log scale) of every series.
    """
    n = len(MONTHS)
    base = _SEASON[MONTHS.month - 1] * _covid_factor()
    after = (MONTHS >= REORGANISED).astype(float)
    steps = {m: rng.normal(0.0, step_sd) for m in sorted({s.municipality for s in REGISTRY})}
    out = {"period_start": MONTHS}
    for s in REGISTRY:
        eff = effect.get(s.site_id, 0.0) if isinstance(effect, dict) else effect
        log_mu = (np.log(s.base_visits / 12 * base) + steps[s.municipality] * after
                  + eff * (MONTHS >= s.co_located) + rng.normal(0, noise_sd, n))
        out[s.site_id] = rng.poisson(np.exp(log_mu)).astype(float)
    ctl_step = steps[CONTROL_MUNICIPALITY] if step_hits_control else 0.0
    log_c = np.log(CONTROL_VISITS / 12 * base) + ctl_step * after + rng.normal(0, noise_sd, n)
    out["control"] = rng.poisson(np.exp(log_c)).astype(float)
    return pd.DataFrame(out)


def _design(t: np.ndarray, t0: float, month: np.ndarray) -> np.ndarray:
    post = (t >= t0).astype(float)
    cols = [np.ones_like(t), t - t0, post, (t - t0) * post]
    base = month.min()
    cols += [(month == m).astype(float) for m in sorted(set(month)) if m != base]
    return np.column_stack(cols)


def comparative_its(y: np.ndarray, control: np.ndarray, *, intervention: pd.Timestamp | dt.date | str,
                    months: pd.DatetimeIndex = MONTHS, exclude: tuple = WASHOUT) -> tuple[float, float, float, float]:
    """Level change of ``y`` relative to ``control`` as :func:`samorg.models.its` fits it (see module docstring).

    Returns ``(level_change, its_std_error, slope_change, slope_std_error)`` on the log scale.
    """
    t = (months.year * 12 + months.month - 1).to_numpy(dtype=float)
    iv = pd.Timestamp(intervention)
    t0 = float(iv.year * 12 + iv.month - 1)
    lo, hi = exclude
    keep = ~((months >= lo) & (months <= hi))
    yk, nk, tk = y[keep], (y + control)[keep], t[keep]
    X = _design(tk, t0, (tk % 12).round().astype(int))
    beta = _logit_irls(X, yk, nk)
    p = 1 / (1 + np.exp(-(X @ beta)))
    bread = np.linalg.inv((X.T * (nk * p * (1 - p))) @ X)
    scores = X * (yk - nk * p)[:, None]
    n_f, k = X.shape
    lags = inf.newey_west_lags(n_f)
    meat = scores.T @ inf.bartlett_kernel(tk, lags) @ scores
    # its() stacks 2·n_f rows with n_f period effects plus k terms: the same n/(n−k) factor here.
    cov = bread @ meat @ bread * (2 * n_f) / (2 * n_f - n_f - k)
    return float(beta[2]), float(math.sqrt(cov[2, 2])), float(beta[3]), float(math.sqrt(cov[3, 3]))


def comparative_fit(y: np.ndarray, control: np.ndarray, *, intervention: pd.Timestamp | dt.date | str,
                    months: pd.DatetimeIndex = MONTHS, exclude: tuple = WASHOUT) -> tuple[float, float, pd.Series]:
    """Level change, its HAC standard error and the residual log ratio ``log(y/c) − fitted`` by month."""
    t = (months.year * 12 + months.month - 1).to_numpy(dtype=float)
    iv = pd.Timestamp(intervention)
    t0 = float(iv.year * 12 + iv.month - 1)
    lo, hi = exclude
    keep = ~((months >= lo) & (months <= hi))
    yk, nk, tk = y[keep], (y + control)[keep], t[keep]
    X = _design(tk, t0, (tk % 12).round().astype(int))
    beta = _logit_irls(X, yk, nk)
    p = 1 / (1 + np.exp(-(X @ beta)))
    bread = np.linalg.inv((X.T * (nk * p * (1 - p))) @ X)
    scores = X * (yk - nk * p)[:, None]
    n_f, k = X.shape
    meat = scores.T @ inf.bartlett_kernel(tk, inf.newey_west_lags(n_f)) @ scores
    # its() stacks 2·n_f rows with n_f period effects plus k terms: the same n/(n−k) factor here.
    cov = bread @ meat @ bread * (2 * n_f) / (2 * n_f - n_f - k)
    resid = pd.Series(np.log(yk / (nk - yk)) - X @ beta, index=months[keep])
    return float(beta[2]), float(math.sqrt(cov[2, 2])), resid


def _logit_irls(X: np.ndarray, yk: np.ndarray, nk: np.ndarray) -> np.ndarray:
    beta = np.zeros(X.shape[1])
    beta[0] = math.log(yk.sum() / (nk - yk).sum())
    for _ in range(50):
        p = 1 / (1 + np.exp(-(X @ beta)))
        step = np.linalg.solve((X.T * (nk * p * (1 - p))) @ X, X.T @ (yk - nk * p))
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    return beta


def single_its(y: np.ndarray, *, intervention: pd.Timestamp | dt.date | str, months: pd.DatetimeIndex = MONTHS,
               exclude: tuple = WASHOUT) -> tuple[float, float]:
    """Level change and HAC standard error of one series alone (quasi-Poisson ITS, as ``its()`` without control)."""
    t = (months.year * 12 + months.month - 1).to_numpy(dtype=float)
    iv = pd.Timestamp(intervention)
    t0 = float(iv.year * 12 + iv.month - 1)
    lo, hi = exclude
    keep = ~((months >= lo) & (months <= hi))
    yk, tk = y[keep], t[keep]
    X = _design(tk, t0, (tk % 12).round().astype(int))
    beta = np.zeros(X.shape[1])
    beta[0] = math.log(yk.mean())
    for _ in range(50):  # IRLS for the log link
        mu = np.exp(X @ beta)
        step = np.linalg.solve((X.T * mu) @ X, X.T @ (yk - mu))
        beta += step
        if np.max(np.abs(step)) < 1e-10:
            break
    mu = np.exp(X @ beta)
    bread = np.linalg.inv((X.T * mu) @ X)
    scores = X * (yk - mu)[:, None]
    n, k = X.shape
    meat = scores.T @ inf.bartlett_kernel(tk, inf.newey_west_lags(n)) @ scores
    cov = bread @ meat @ bread * n / (n - k)
    return float(beta[2]), float(math.sqrt(cov[2, 2]))


@dataclass(frozen=True)
class Coverage:
    """Share of replicates whose 95 % interval covered the truth, per method, and median interval widths."""

    replicates: int
    new: float
    new_satterthwaite: float
    old: float
    new_median_width: float
    new_satterthwaite_median_width: float
    old_median_width: float


def replicate_estimates(rng: np.random.Generator, **world) -> tuple[list[float], list[float], pd.DataFrame]:
    """One simulated registry fitted site by site: level changes, standard errors and residual series."""
    df = simulate_registry(rng, **world)
    ctl = df["control"].to_numpy()
    est, se, resid = [], [], {}
    for s in REGISTRY:
        e, s_e, r = comparative_fit(df[s.site_id].to_numpy(), ctl, intervention=s.co_located)
        est.append(e)
        se.append(s_e)
        resid[s.site_id] = r
    return est, se, pd.DataFrame(resid)


def coverage(replicates: int, *, seed: int = 2026, truth: float = 0.0, **world) -> Coverage:
    """Run ``replicates`` registry-shaped simulations; coverage of ``truth`` by the new and the old pooling.

    New: :func:`samorg.models.pooled.pool_municipalities` (t(G − 1) and Welch–Satterthwaite), with the
    shared control's part estimated from the residual series exactly as it does for ``its()`` results.
    Old: :func:`samorg.models.meta.pool` (REML, Hartung–Knapp) over the sites as if independent.
    ``world`` goes to :func:`simulate_registry` (``effect``, ``step_sd``, ``step_hits_control``, ``noise_sd``).
    """
    import warnings

    from samorg.models.meta import pool
    from samorg.models.pooled import control_shares, pool_municipalities
    from samorg.models.result import Effect

    rng = np.random.default_rng(seed)
    muni = [s.municipality for s in REGISTRY]
    hits = {"new": [], "sat": [], "old": []}
    widths = {"new": [], "sat": [], "old": []}
    for _ in range(replicates):
        est, se, resid = replicate_estimates(rng, **world)
        effects = [Effect(estimate=e, std_error=s, ci_low=e - 1.96 * s, ci_high=e + 1.96 * s, p_value=math.nan,
                          link="log") for e, s in zip(est, se)]
        shares = control_shares(resid)
        G = len(set(muni))
        w = np.array([1 / (G * muni.count(m)) for m in muni])
        se_c = float(np.sum(w * np.array(se) * np.sqrt([shares[s.site_id] for s in REGISTRY])))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results = {
                "new": pool_municipalities(effects, municipality=muni, control_std_error=se_c),
                "sat": pool_municipalities(effects, municipality=muni, control_std_error=se_c, df="satterthwaite"),
                "old": pool(est, se, method="reml", link="log"),  # Hartung–Knapp is the default
            }
        for key, r in results.items():
            hits[key].append(r.ci_low <= truth <= r.ci_high)
            widths[key].append(r.ci_high - r.ci_low)
    return Coverage(replicates=replicates, new=float(np.mean(hits["new"])), new_satterthwaite=float(np.mean(hits["sat"])),
                    old=float(np.mean(hits["old"])), new_median_width=float(np.median(widths["new"])),
                    new_satterthwaite_median_width=float(np.median(widths["sat"])),
                    old_median_width=float(np.median(widths["old"])))
