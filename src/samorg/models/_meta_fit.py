"""The random-effects estimator behind :func:`samorg.models.pool` and :func:`samorg.models.meta_regression`.

τ² by REML, Paule–Mandel or DerSimonian–Laird; Hartung–Knapp or normal inference; input checks and texts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from samorg.errors import ModelError
from samorg.models.result import Effect

METHODS = ("reml", "pm", "dl")
INFERENCE = ("hartung_knapp", "classical")
_METHOD_NAMES = {"reml": "REML", "pm": "Paule–Mandel", "dl": "DerSimonian–Laird"}
FEW_SITES = 5


# --------------------------------------------------------------------------- the estimator
@dataclass(frozen=True)
class _RMA:
    beta: np.ndarray
    vcov: np.ndarray  # used for inference (HK-scaled when asked)
    tau2: float
    qe: float
    df: int
    s2: float
    crit: float
    dist_df: float | None
    hk_scale: float
    weights: np.ndarray


def _p_matrix(v: np.ndarray, X: np.ndarray, tau2: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    w = 1.0 / (v + tau2)
    XtW = X.T * w
    inv = np.linalg.inv(XtW @ X)
    P = np.diag(w) - XtW.T @ inv @ XtW
    return P, inv, w


def _tau2(y: np.ndarray, v: np.ndarray, X: np.ndarray, method: str) -> float:
    from scipy.optimize import brentq

    k, p = X.shape
    if method == "dl":
        P, inv, w = _p_matrix(v, X, 0.0)
        qe = float(y @ P @ y)
        return max(0.0, (qe - (k - p)) / float(np.trace(P)))
    if method == "pm":
        def score(t2: float) -> float:
            P, _, _ = _p_matrix(v, X, t2)
            return float(y @ P @ y) - (k - p)
    else:  # REML
        def score(t2: float) -> float:
            P, _, _ = _p_matrix(v, X, t2)
            Py = P @ y
            return float(Py @ Py) - float(np.trace(P))
    if score(0.0) <= 0:
        return 0.0
    hi = max(1.0, 10 * float(np.var(y)) + float(v.max()))
    for _ in range(200):
        if score(hi) < 0:
            break
        hi *= 2
    else:  # pragma: no cover - the score always turns negative for large τ²
        raise ModelError("The between-site variance could not be bracketed; check the estimates and errors.")
    return float(brentq(score, 0.0, hi, xtol=1e-14, rtol=1e-13, maxiter=500))


def _rma(y: np.ndarray, v: np.ndarray, X: np.ndarray, *, method: str, knapp_hartung: bool, level: float) -> _RMA:
    from scipy import stats

    k, p = X.shape
    tau2 = _tau2(y, v, X, method)
    P_fe, _, _ = _p_matrix(v, X, 0.0)
    qe = float(y @ P_fe @ y)
    s2 = (k - p) / float(np.trace(P_fe))
    P, inv, w = _p_matrix(v, X, tau2)
    beta = inv @ (X.T * w) @ y
    if knapp_hartung:
        scale = float(y @ P @ y) / (k - p)
        vcov, dist_df = inv * scale, float(k - p)
        crit = float(stats.t.ppf(0.5 + level / 2, k - p))
    else:
        scale, vcov, dist_df = 1.0, inv, None
        crit = float(stats.norm.ppf(0.5 + level / 2))
    return _RMA(beta=beta, vcov=vcov, tau2=tau2, qe=qe, df=k - p, s2=s2, crit=crit, dist_df=dist_df,
                hk_scale=scale, weights=w)


def _inputs(estimates: Any, std_errors: Any, labels: Any, fn: str) -> tuple[np.ndarray, np.ndarray, list[str],
                                                                            str | None, dict]:
    """Arrays of estimates and variances (Effects accepted), labels, the common link, shared details.

    ``estimates`` may be a mapping label → Effect (as :func:`samorg.models.adjust` takes) or label → number
    (with ``std_errors`` a mapping with the same labels, or a sequence in the same order).
    """
    extra: dict[str, Any] = {}
    link = None
    if isinstance(estimates, Mapping):
        keys = list(estimates)
        if labels is None:
            labels = [str(k) for k in keys]
        if isinstance(std_errors, Mapping):
            missing = [k for k in keys if k not in std_errors]
            if missing:
                raise ModelError(f"{fn}() got no standard error for {missing}; std_errors needs the same labels as "
                                 "estimates.")
            std_errors = [std_errors[k] for k in keys]
        estimates = [estimates[k] for k in keys]
    if std_errors is None:
        effects = list(estimates) if not isinstance(estimates, Effect) else [estimates]
        if not effects or not all(isinstance(e, Effect) for e in effects):
            raise ModelError(f"{fn}() needs std_errors, unless estimates is a list of Effect results.")
        links = {e.link for e in effects}
        if len(links) > 1:
            raise ModelError(f"The effects are on different scales ({sorted(links)}); pool effects on one scale.")
        link = links.pop()
        y = np.array([e.estimate for e in effects], dtype=float)
        se = np.array([e.std_error for e in effects], dtype=float)
        if labels is None:
            labels = [str(e.details.get("site") or e.details.get("label") or i + 1) for i, e in enumerate(effects)]
        outcomes = {e.details.get("outcome") for e in effects} - {None}
        if len(outcomes) == 1:
            extra["outcome"] = outcomes.pop()
    else:
        y = np.asarray(estimates, dtype=float).ravel()
        se = np.asarray(std_errors, dtype=float).ravel()
        if labels is None and isinstance(estimates, pd.Series):
            labels = [str(i) for i in estimates.index]
    if len(y) != len(se):
        raise ModelError(f"{fn}() got {len(y)} estimates but {len(se)} standard errors; give one of each per site.")
    if len(y) < 2:
        raise ModelError(f"{fn}() got {len(y)} site estimate: pooling needs at least two sites (three or more to say "
                         "anything about heterogeneity). Report the single site's own estimate instead.")
    bad = ~np.isfinite(y) | ~np.isfinite(se)
    if bad.any():
        raise ModelError(f"Estimate or standard error is missing or infinite for site number(s) "
                         f"{(np.flatnonzero(bad) + 1).tolist()}. Drop those sites or supply their values.")
    if (se <= 0).any():
        raise ModelError(f"Standard errors must be positive; site number(s) {(np.flatnonzero(se <= 0) + 1).tolist()} "
                         f"have {se[se <= 0].tolist()}. A zero standard error usually means a fit that failed.")
    labels = [str(x) for x in labels] if labels is not None else [str(i + 1) for i in range(len(y))]
    if len(labels) != len(y):
        raise ModelError(f"{fn}() got {len(labels)} labels for {len(y)} sites.")
    return y, se**2, labels, link, extra


def _check(method: str, level: float) -> None:
    if method not in METHODS:
        raise ModelError(f"method={method!r} is not supported. Expected one of {METHODS} (REML is the default; DL "
                         "without Hartung–Knapp is too optimistic with few sites).")
    if not 0 < level < 1:
        raise ModelError(f"level={level!r} must be between 0 and 1, e.g. 0.95.")


def _texts(method: str, knapp_hartung: bool, k: int, df: int) -> dict[str, str]:
    name = _METHOD_NAMES[method]
    if knapp_hartung:
        inf_en, inf_nb = f"Hartung–Knapp (t, {df} df)", f"Hartung–Knapp (t, {df} frihetsgrader)"
    else:
        inf_en, inf_nb = "normal approximation", "normaltilnærming"
    return {"method": f"random-effects meta-analysis ({name} τ², {k} sites)",
            "method_nb": f"metaanalyse med tilfeldige effekter ({name}-τ², {k} steder)",
            "inference": inf_en, "inference_nb": inf_nb}


def _caveats(k: int, knapp_hartung: bool, caveats: Sequence[str]) -> tuple[str, ...]:
    out = list(caveats)
    if k < FEW_SITES:
        out.append(f"few_sites:{k}")
    if not knapp_hartung:
        out.append("no_hk")
    return tuple(out)


_CAVEATS = {
    "few_sites": ("Med bare {k} steder er variasjonen mellom stedene (τ²) svært usikker, og intervallene blir brede.",
                  "With only {k} sites the between-site variance (τ²) is very uncertain and the intervals are wide."),
    "no_hk": ("Uten Hartung–Knapp-justering er konfidensintervallet for smalt når det er få steder.",
              "Without the Hartung–Knapp adjustment the confidence interval is too narrow with few sites."),
}


def _caveat_texts(caveats: Sequence[str], base: list[str], lang: str) -> list[str]:
    i = 0 if lang == "nb" else 1
    out = []
    for key, text in zip(caveats, base):
        name, _, arg = key.partition(":")
        out.append(_CAVEATS[name][i].format(k=arg) if name in _CAVEATS else text)
    return out
