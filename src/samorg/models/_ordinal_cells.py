"""Cells, checks and small numerics behind :func:`samorg.models.ordinal_change` (module ``ordinal_diff``)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from samorg.errors import ModelError


def gradient(fn: Any, params: np.ndarray) -> np.ndarray:
    grad = np.zeros_like(params)
    for j in range(len(params)):
        h = 1e-6 * max(1.0, abs(params[j]))
        up, down = params.copy(), params.copy()
        up[j] += h
        down[j] -= h
        grad[j] = (fn(up) - fn(down)) / (2 * h)
    return grad


def indicator(frame: pd.DataFrame, col: str) -> np.ndarray:
    s = frame[col]
    if not (pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s)):
        raise ModelError(f'The group column "{col}" must be 0/1 or true/false; got {s.dtype} (e.g. {s.iloc[0]!r}).')
    v = s.to_numpy(dtype=float)
    if not np.isin(v, (0.0, 1.0)).all():
        raise ModelError(f'The group column "{col}" must be 0/1 or true/false, but has {v[~np.isin(v, (0, 1))][0]!r}.')
    return v


def check_cells(frame, G, P, design, group, period, before, after, labels) -> None:
    if design == "did":
        cells = [(g, p) for g in (1, 0) for p in (0, 1)]
    elif group:
        cells = [(1, 0), (0, 0)]
    else:
        return
    empty = []
    for g, p in cells:
        if not ((G == g) & (P == p)).any():
            where = labels[g] + (f", {period} = {after if p else before}" if design == "did" else "")
            empty.append(where)
    if empty:
        raise ModelError(f'No respondent answered "{frame.columns[0]}" in: {"; ".join(empty)} (group "{group}"). '
                         "Every group must have respondents in every wave compared. Check the site's co-location "
                         "date and the survey waves, or use another design.")


def check_constant_within(frame: pd.DataFrame, group: str, unit: str) -> None:
    spread = frame.groupby(unit, observed=True)[group].nunique()
    if (spread > 1).any():
        bad = spread.index[spread > 1][0]
        raise ModelError(f'"{group}" varies within site {bad!r} of "{unit}": with site fixed effects the group must be '
                         "fixed per site (co-located by the after-wave). Define the group per site, or drop unit=.")


def cell_tables(frame, out, fit, X, wt, G, P, design, group, period, before, after, top_idx, contrast, rows):
    probs = fit.cat_probs(X)
    observed = np.zeros_like(probs)
    observed[np.arange(len(out.codes)), out.codes] = 1.0
    cells = []
    long = []
    groups = (1, 0) if group else (None,)
    periods = (0, 1) if design == "did" else (None,)
    for g in groups:
        for p in periods:
            sel = np.ones(len(frame), dtype=bool)
            if g is not None:
                sel &= G == g
            if p is not None:
                sel &= P == p
            ws = wt[sel]
            fitted = probs[sel].T @ ws / ws.sum()
            obs = observed[sel].T @ ws / ws.sum()
            pval = (after if p else before) if design == "did" else after
            cells.append({"group": g, "period": pval, "n": int(sel.sum()), "top_share_observed": obs[top_idx].sum(),
                          "top_share_fitted": fitted[top_idx].sum(),
                          "mean_score": float(out.scores @ obs)})
            scenarios = [("fitted", fitted)]
            if contrast is not None and g == 1 and (p == 1 or design == "post_only"):
                Xr = X[sel].copy()
                Xr[:, contrast] = 0.0
                scenarios.append(("counterfactual", fit.cat_probs(Xr).T @ ws / ws.sum()))
            for scen, vec in scenarios:
                full = np.zeros(len(out.scale))
                full[out.positions] = vec
                obs_full = np.zeros(len(out.scale))
                obs_full[out.positions] = obs
                for cat, pr, ob in zip(out.scale, full, obs_full):
                    long.append({"group": g, "period": pval, "scenario": scen, "category": cat, "probability": pr,
                                 "observed": ob if scen == "fitted" else math.nan})
    cat_probs = pd.DataFrame(long)
    cat_probs["category"] = pd.Categorical(cat_probs["category"], categories=list(out.scale), ordered=True)
    return pd.DataFrame(cells), cat_probs


def mean_change(cells: pd.DataFrame, design: str, has_group: bool) -> float:
    m = cells["mean_score"].to_numpy()
    if design == "did":  # rows: (1, before), (1, after), (0, before), (0, after)
        return float((m[1] - m[0]) - (m[3] - m[2]))
    if has_group:
        return float(m[0] - m[1])
    return float(m[0])
