"""Permutation inference for :func:`samorg.models.did`: which units are treated, reassigned."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from samorg.errors import ModelError
from samorg.models import _resampling as rs
from samorg.models._panel import absorb


def permutation(frame, yw, Xw, names, w, sw, factors, T, P, unit, treated, unit_fe, draws, rng, level, details,
                 seed):
    if not unit:
        raise ModelError("inference='permutation' reassigns treatment across units: pass unit= (or cluster=).")
    codes, uniq = pd.factorize(frame[unit], sort=True)
    per_unit = pd.Series(T).groupby(codes).agg(["min", "max"])
    if (per_unit["min"] != per_unit["max"]).any():
        bad = uniq[int(per_unit.index[(per_unit["min"] != per_unit["max"])][0])]
        raise ModelError(f'"{treated}" varies within unit {bad!r} of "{unit}"; permutation inference needs one '
                         "treatment status per unit.")
    unit_treated = per_unit["max"].to_numpy()
    n_units, n_t = len(unit_treated), int(unit_treated.sum())
    if n_units - n_t < 1:
        raise ModelError("Permutation inference needs at least one comparison unit.")
    assign, enumerated = rs.assignments(n_units, n_t, draws=draws, rng=rng)
    if not enumerated:  # the observed assignment is always one of the draws
        assign = np.vstack([unit_treated, assign])
    varying = [names.index("did")] + ([] if unit_fe else [names.index("treated")])
    O = np.delete(Xw, varying, axis=1)

    def residualise(M: np.ndarray) -> np.ndarray:
        R = absorb(M, factors, w) * sw[:, None]
        if O.shape[1]:
            R = R - O @ np.linalg.lstsq(O, R, rcond=None)[0]
        return R

    targets = np.column_stack([yw, Xw[:, names.index("did")]])
    if O.shape[1]:
        targets = targets - O @ np.linalg.lstsq(O, targets, rcond=None)[0]
    est_AB = rs.permutation_estimates(targets, residualise, P, codes, assign, treated_in_model=not unit_fe)
    observed = rs.permutation_estimates(targets, residualise, P, codes, unit_treated[None, :],
                                        treated_in_model=not unit_fe)[0]
    est = float(observed[0])
    A, B = est_AB[:, 0], est_AB[:, 1]
    ok = np.isfinite(A)
    extreme = int(np.sum(np.abs(A[ok]) >= abs(est) * (1 - 1e-10) - 1e-12))
    total = int(ok.sum())
    p = extreme / total
    lo, hi = rs.permutation_interval(est, A[ok], B[ok], level)
    details.update(n_assignments=total if enumerated else math.comb(n_units, n_t), draws=total,
                   enumerated=enumerated, min_attainable_p=1 / total, n_units=n_units, n_treated_units=n_t,
                   seed=None if enumerated else seed, reference_distribution="permutation",
                   permutation_sd=float(np.std(A[ok], ddof=1)))
    # No standard error: the interval inverts the permutation test, and the permutation distribution's
    # spread (details["permutation_sd"]) is not on the interval's scale (it was larger than the half-width).
    return est, math.nan, p, lo, hi
