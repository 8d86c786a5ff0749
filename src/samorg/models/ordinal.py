"""Cumulative-link (ordered logit / probit) models for Likert answers, with survey weights.

Model (proportional odds for ``link="logit"``)::

    P(y ≤ k | x) = F(θ_k − x'β),   k = 1 … K−1,   F = logistic or standard normal

so a positive coefficient moves answers towards the better end of the scale. statsmodels'
``OrderedModel`` is the model underneath (its threshold parameterisation, probabilities and
Newton fitting); samorg adds, in a small subclass:

* **Survey weights.** ``OrderedModel`` has none, so the subclass maximises the weighted
  (pseudo-)likelihood ``Σ w_i log P(y_i | x_i)`` with analytic scores. Point estimates are
  the same as Stata's ``ologit [pweight=w]`` and are unchanged by rescaling the weights.
* **Honest errors.** Without weights the covariance is the inverse observed information
  (Stata's and R ``polr``'s default). With weights it is always the sandwich
  ``H⁻¹ (Σ s_i s_i') H⁻¹ · n/(n−1)`` of the weighted scores ``s_i`` (Binder 1983; Stata's
  ``vce(robust)`` factor), because the model-based covariance of a weighted likelihood is
  wrong; ``cluster=`` sums the scores within clusters (factor G/(G−1)) and uses a t(G − 1)
  reference distribution (a normal one over-rejects with ~10 clusters).

:func:`ordinal` fits one model (the machinery is in ``_ordinal_fit``); :func:`ordinal_change` (in
:mod:`samorg.models.ordinal_diff`, and importable from here) answers the questions the project's surveys can answer — before/after with a comparison group (wave × co-located), a post-only
comparison (the real 2022 survey had no baseline), and retrospective items ("compared with
before …") — as the shift in the probability of the top categories (delta-method CI), with
the shift in the log odds and the mean score (what municipalities know from their surveys)
as companions. Inputs are never modified.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from samorg.errors import ModelError
from samorg.models._ordinal_fit import (
    INFERENCE,
    LINKS,
    OrdinalResult,
    _check_rank,
    _cluster_caveats,
    _columns,
    _design,
    _fit,
    _inference_kind,
    _ordinal_result,
    _outcome,
    _term,
    _weights,
)
from samorg.models.ordinal_diff import OrdinalChangeResult, ordinal_change

__all__ = ["INFERENCE", "LINKS", "OrdinalChangeResult", "OrdinalResult", "ordinal", "ordinal_change"]


def ordinal(
    data: pd.DataFrame,
    *,
    outcome: str,
    predictors: Sequence[str],
    link: str = "logit",
    weights: str | None = None,
    cluster: str | None = None,
    inference: str | None = None,
    level: float = 0.95,
    caveats: Sequence[str] = (),
) -> OrdinalResult:
    """Fit a cumulative-link model of an ordered answer on predictors, optionally survey-weighted.

    Parameters
    ----------
    data : DataFrame
        One row per answer. Rows with a missing outcome ("Vet ikke") or predictor are dropped
        (counted in ``details["n_dropped_missing"]``). Not modified.
    outcome : str
        Ordered categorical (worst → best) or numeric answer codes (higher is better).
    predictors : sequence of str
        Numeric/boolean columns enter as they are; text and categorical columns as indicators
        against their first level. The first predictor is the headline effect.
    link : {"logit", "probit"}
    weights : str, optional
        Survey weights (positive, none missing); switches to robust (sandwich) errors.
    cluster : str, optional
        Cluster-robust errors over this column (e.g. site).
    inference : {"classical", "robust", "cluster"}, optional
        Defaults to "classical" without weights, "robust" with weights, "cluster" with ``cluster``
        (a t(G − 1) reference distribution). The old spelling "model" still works (FutureWarning).
    level : float
        Confidence level.
    caveats : sequence of str
        Extra caveats (keys of :data:`samorg.models.CAVEATS` or text).

    Returns
    -------
    OrdinalResult

    Raises
    ------
    ModelError
        Missing columns, all answers identical, a predictor without variation, missing or
        non-positive weights, collinear predictors, separation.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1, 2, 2, 3, 3, 1, 2, 3, 3, 3], "x": [0, 0, 1, 1, 1, 0, 0, 0, 1, 1]})
    >>> res = ordinal(df, outcome="y", predictors=["x"])
    >>> res.coefficients.index.tolist(), res.estimate > 0
    (['x'], True)
    """
    if link not in LINKS:
        raise ModelError(f"link={link!r} is not supported. Expected one of {LINKS}.")
    if not 0 < level < 1:
        raise ModelError(f"level={level!r} must be between 0 and 1, e.g. 0.95.")
    predictors = [predictors] if isinstance(predictors, str) else list(predictors)
    if not predictors:
        raise ModelError("ordinal() needs at least one predictor; for shares of each answer use "
                         "ordinal_change(design='retrospective') or a simple table.")
    _columns(data, [outcome, *predictors] + [c for c in (weights, cluster) if c], "ordinal")
    kind = _inference_kind(inference, weights, cluster)
    cols = list(dict.fromkeys([outcome, *predictors] + [c for c in (weights, cluster) if c]))
    keep = data[[outcome, *predictors] + ([cluster] if cluster else [])].notna().all(axis=1).to_numpy()
    frame = data.loc[keep, cols]
    if len(frame) == 0:
        raise ModelError(f'No row has "{outcome}" and all of {predictors} filled in.')
    out = _outcome(frame[outcome], outcome)
    terms = tuple(_term(frame, c) for c in predictors)
    X, names = _design(frame, terms)
    _check_rank(X, names)
    w = _weights(frame, weights)
    fit = _fit(out.codes, X, K=len(out.labels), w=w, clusters=frame[cluster].to_numpy() if cluster else None,
               link=link, inference=kind)
    return _ordinal_result(fit, out, terms, names, frame, w, outcome=outcome, weights=weights, cluster=cluster,
                           level=level, caveats=(*caveats, *_cluster_caveats(fit)), n_dropped=int((~keep).sum()))
