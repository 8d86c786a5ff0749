"""The event study's permutation statistics for a whole block of cohort reassignments at once.

:func:`samorg.models._event_core._compute` builds, for one assignment of cohort labels, the weights ``C``
that turn an outcome matrix into the statistics (the overall effect and one per event time). Recomputing
it for each of 10,000 reassignments dominated the permutation test. Here the work that does not depend on
who holds which label is done once: the labels present (so the cohorts, their base periods and their
periods ``t``), which units are observed at ``t`` and at the base, and the changes ``Z_it − Z_ib`` of every
outcome matrix ``Z``. What a reassignment changes is only which units fall in the treated and comparison
groups, so every per-label sum ``Σ_{i: g_i = l} ok_it (Z_it − Z_ib)`` (and count) for a block of
reassignments is one matrix product of the label indicators with a matrix built once. The group-time
effects, their weights and the aggregation follow with array operations.

The results equal the per-reassignment computation up to floating-point rounding (a test compares them,
:func:`samorg.models._event_inference.permutation_statistics_loop`): the same cells, the same rule for
comparison units (never treated, or not yet treated allowing for anticipation), the same weights
(treated units per cell), and 0 for a statistic without any cell, as the weights ``C`` give.
"""

from __future__ import annotations

import numpy as np

from samorg.models._event_core import _base, _Spec

_BLOCK_ELEMENTS = 4_000_000  # label sums held at once (labels × reassignments × columns): about 32 MB


def _cohort_columns(Y: np.ndarray, labels: np.ndarray, spec: _Spec, E: list[int]) -> list[tuple]:
    """Per cohort: (label index, base, periods t, event-time index per t, units observed at t and at base)."""
    T = spec.T
    valid = np.isfinite(Y)
    idx = {e: i for i, e in enumerate(E)}
    out = []
    for c in labels[labels < T]:
        b = _base(int(c), spec)
        if b is None:
            continue
        tt = np.array([t for t in range(T) if t != b and valid[:, t].any() and not spec.excluded[t]], dtype=int)
        e = tt - c
        keep = np.isin(e, E)
        if spec.window is not None:
            keep &= (e >= spec.window[0]) & (e <= spec.window[1])
        tt, e = tt[keep], e[keep]
        if len(tt):
            ok = (valid[:, tt] & valid[:, [b]]).astype(float)
            out.append((int(np.searchsorted(labels, c)), b, tt, np.array([idx[int(x)] for x in e]), ok))
    return out


def _comparison_labels(labels: np.ndarray, c: int, b: int, tt: np.ndarray, spec: _Spec) -> np.ndarray:
    """labels × periods: whether a unit with that label is a comparison unit for cohort c at period t."""
    T = spec.T
    lab = labels[:, None]
    if spec.control == "never":
        return np.broadcast_to(lab >= T, (len(labels), len(tt)))
    delta = -spec.reference - 1
    later = (lab > tt[None, :] + delta) & (lab > b + delta)
    return (lab != c) & ((lab >= T) | later)


def permutation_statistics_batched(Y: np.ndarray, Z: list[np.ndarray], assign: np.ndarray, spec: _Spec,
                                   E: list[int]) -> np.ndarray:
    """Statistics (overall, then one per event time) of each outcome in ``Z`` for every assignment.

    ``Y`` fixes which cells exist and which units are observed (NaN = not observed); ``assign`` is
    assignments × units (cohort labels, the same labels in every row). ``Z`` holds, per outcome, either one
    N × T matrix or a list of them, one per event time in ``E``: the statistic for event time ``E[k]`` then
    uses ``Z[k]``, and the overall one is NaN. Returns an array: assignments × outcomes × (1 + len(E)).
    """
    labels = np.unique(assign[0])
    cohorts = _cohort_columns(Y, labels, spec, E)
    n_out, n_e = len(Z), len(E)
    out = np.zeros((len(assign), n_out, 1 + n_e))
    if not cohorts:
        return out
    parts, tr_label, ctl_mask, ei_all, post = [], [], [], [], []
    for li, b, tt, ei, ok in cohorts:
        blocks = [ok]
        for z in Z:
            if isinstance(z, list):  # one matrix per event time: column j uses that of its event time
                dz = np.stack([z[k][:, t] - z[k][:, b] for k, t in zip(ei, tt)], axis=1)
            else:
                dz = np.nan_to_num(z[:, tt]) - np.nan_to_num(z[:, [b]])
            blocks.append(ok * dz)
        parts.append(np.stack(blocks))  # (1 + outcomes) × N × m
        tr_label.append(np.full(len(tt), li))
        ctl_mask.append(_comparison_labels(labels, int(labels[li]), b, tt, spec))
        ei_all.append(ei)
        post.append(np.array([E[k] >= 0 for k in ei]))
    R = np.concatenate(parts, axis=2)  # (1 + outcomes) × N × cells
    tr_label, ctl = np.concatenate(tr_label), np.concatenate(ctl_mask, axis=1).astype(float)
    ei_all, post = np.concatenate(ei_all), np.concatenate(post)
    J = np.zeros((len(ei_all), n_e))
    J[np.arange(len(ei_all)), ei_all] = 1.0  # cell → event time
    flat = R.transpose(1, 0, 2).reshape(R.shape[1], -1)  # N × ((1 + outcomes) · cells)
    step = max(1, _BLOCK_ELEMENTS // (len(labels) * flat.shape[1]))
    for start in range(0, len(assign), step):
        block = assign[start:start + step]
        H = np.stack([(block == lab).astype(float) @ flat for lab in labels])  # labels × P × columns
        H = H.reshape(len(labels), len(block), 1 + n_out, -1)
        cols = np.arange(len(tr_label))
        S_tr = H[tr_label, :, :, cols].transpose(1, 2, 0)  # P × (1 + outcomes) × cells
        S_c = np.einsum("lpom,lm->pom", H, ctl)
        out[start:start + step] = _aggregate(S_tr, S_c, J, post, Z)
    return out


def _aggregate(S_tr: np.ndarray, S_c: np.ndarray, J: np.ndarray, post: np.ndarray, Z: list) -> np.ndarray:
    """Group-time effects from the sums, weighted by treated units per cell, by event time and overall."""
    n_tr, n_c = S_tr[:, 0], S_c[:, 0]
    use = (n_tr > 0) & (n_c > 0)
    w = np.where(use, n_tr, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        att = np.where(use[:, None], S_tr[:, 1:] / n_tr[:, None] - S_c[:, 1:] / n_c[:, None], 0.0)
        weighted = w[:, None] * att  # P × outcomes × cells
        n_e = w @ J
        theta = np.where(n_e[:, None] > 0, (weighted @ J) / n_e[:, None], 0.0)
        n_post = w[:, post].sum(axis=1)
        overall = np.where(n_post[:, None] > 0, weighted[:, :, post].sum(axis=2) / n_post[:, None], 0.0)
    for o, z in enumerate(Z):
        if isinstance(z, list):
            overall[:, o] = np.nan
    return np.concatenate([overall[:, :, None], theta], axis=2)
