"""How survey answers changed with co-location: :func:`ordinal_change` on the cumulative-link models of
:mod:`samorg.models.ordinal` (the module is ``ordinal_diff`` so that ``samorg.models.ordinal_change`` is only
ever the function, and patching it by dotted path works).

Designs: before/after with a comparison group (wave × co-located, ``"did"``), a post-only comparison
(``"post_only"``: the real 2022 survey had no baseline) and retrospective items (``"retrospective"``:
"compared with before …"). The effect is the shift in the probability of the top categories (delta-method
CI), with the shift in the log odds and the mean score as companions. Inputs are never modified.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.errors import ModelError
from samorg.models import _inference as inf
from samorg.models import _ordinal_cells as oc
from samorg.models._ordinal_fit import (
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
    _Term,
    _texts,
    _weights,
)
from samorg.models._vocabulary import renamed_keywords
from samorg.models.result import Effect

__all__ = ["DESIGNS", "OrdinalChangeResult", "ordinal_change"]

DESIGNS = ("did", "post_only", "retrospective")

_CAVEAT_TEXT = {
    "post_only": (
        "Bare én måling, etter samlokaliseringen: forskjellen mellom stedene kan ha vært der før, så den kan "
        "ikke uten videre tilskrives samlokaliseringen.",
        "Only one survey, after co-location: the difference between sites may have existed before, so it "
        "cannot simply be attributed to co-location.",
    ),
    "retrospective": (
        "Retrospektive spørsmål («sammenlignet med før …») bygger på hukommelse og kan påvirkes av "
        "forventninger til endringen.",
        "Retrospective questions (\"compared with before …\") rely on memory and can be coloured by "
        "expectations of the change.",
    ),
    "site_level": (
        "Samlokalisering varierer mellom steder, ikke mellom personer; standardfeil på personnivå tar ikke "
        "hensyn til variasjon mellom steder (bruk cluster= for steder, eller slå sammen stedsvise anslag "
        "med pool()).",
        "Co-location varies between sites, not between people; respondent-level standard errors ignore "
        "variation between sites (use cluster= on sites, or pool site-level estimates with pool()).",
    ),
}


# --------------------------------------------------------------------------- ordinal_change()
@dataclass(frozen=True, kw_only=True)
class OrdinalChangeResult(Effect):
    """The result of :func:`ordinal_change`: the shift in the share of top answers, plus companions.

    ``estimate`` is a difference in probability (0.05 = 5 percentage points, ``link="identity"``):
    for ``did`` the effect on the co-located group in the after-wave (its fitted share of top
    answers minus the same with the interaction switched off; Puhani 2012), for ``post_only`` the
    same for the group indicator, for ``retrospective`` the net share reporting improvement
    (top categories minus bottom categories), or its difference between groups.

    Attributes (beyond :class:`Effect`)
    -----------------------------------
    log_odds : Effect or None
        The interaction (``did``) or group (``post_only``, retrospective with a group)
        coefficient on the latent scale; ``.ratio()`` is the odds ratio for logit.
    model : OrdinalResult
        The full fit (coefficients, thresholds).
    cells : DataFrame
        Per group × period: respondents, weighted observed and fitted share of top answers,
        weighted mean score (the descriptive companion).
    category_probabilities : DataFrame
        Long table (group, period, scenario, category, probability, observed) for plotting;
        ``scenario`` is "fitted" or, for the treated after-cell, "counterfactual".
    """

    log_odds: Effect | None = field(default=None, repr=False, compare=False)
    model: OrdinalResult | None = field(default=None, repr=False, compare=False)
    cells: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    category_probabilities: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)

    def sentence(self, lang: str = "nb", *, outcome_label: str | None = None, decimals: int | None = None,
                 caveats: bool = True) -> str:
        """The shift in percentage points with its CI and p-value, the odds ratio, the mean score, method, caveats."""
        fmt._check_lang(lang)
        nb = lang == "nb"
        d = self.details
        dec = 1 if decimals is None else decimals
        label = outcome_label or d.get("outcome") or ("utfallet" if nb else "the outcome")
        pp = " prosentpoeng" if nb else " percentage points"
        value = fmt.number(self.estimate * 100, decimals=dec, lang=lang, sign=True) + pp
        interval = fmt.ci(self.ci_low * 100, self.ci_high * 100, decimals=dec, lang=lang, level=self.level) + pp
        p_text = fmt.p_value(self.p_value, lang=lang)
        top = _quote_list(d["top_categories"], lang)
        names = {**_GROUP_LABELS[lang], **(d.get("group_labels") or {})}
        g1, g0 = names[1], names[0]
        design = d["design"]
        if design == "did":
            what = (f"endringen i andelen som svarer {top} ved {g1} fra {d['before']} til {d['after']}, utover "
                    f"endringen ved {g0}," if nb else
                    f"the change in the share answering {top} at {g1} from {d['before']} to {d['after']}, beyond the "
                    f"change at {g0},")
        elif design == "post_only":
            what = (f"forskjellen i andelen som svarer {top} mellom {g1} og {g0}" if nb else
                    f"the difference in the share answering {top} between {g1} and {g0}")
        else:
            bottom = _quote_list(d["bottom_categories"], lang)
            net = (f"andelen som svarer {top} minus andelen som svarer {bottom}" if nb else
                   f"the share answering {top} minus the share answering {bottom}")
            what = (f"forskjellen mellom {g1} og {g0} i {net}" if nb else
                    f"the difference between {g1} and {g0} in {net}") if d.get("group") else net
        text = (f"For {label} er {what} anslått til {value} ({interval}; {p_text})." if nb else
                f"For {label}, {what} is estimated as {value} ({interval}; {p_text}).")
        if self.log_odds is not None and self.log_odds.link == "logit":
            lo = self.log_odds
            text += (f" Oddsforholdet for et bedre svar er {fmt.number(lo.ratio(), decimals=2, lang=lang)} "
                     f"({fmt.ci(*lo.ratio_ci(), decimals=2, lang=lang, level=lo.level)})." if nb else
                     f" The odds ratio of a better answer is {fmt.number(lo.ratio(), decimals=2, lang=lang)} "
                     f"({fmt.ci(*lo.ratio_ci(), decimals=2, lang=lang, level=lo.level)}).")
        change = d.get("mean_score_change")
        if change is not None and math.isfinite(change):
            kind = ("forskjellen i gjennomsnittsskår" if design != "did" else "endringen i gjennomsnittsskår") \
                if nb else ("the difference in mean score" if design != "did" else "the change in mean score")
            level_only = design == "retrospective" and not d.get("group")
            if level_only:
                kind = "gjennomsnittsskåren" if nb else "the mean score"
            number = fmt.number(change, decimals=2, lang=lang, sign=not level_only)
            text += (f" Til sammenligning er {kind} {number}." if nb else f" For comparison, {kind} is {number}.")
        how = (d.get("method_nb", self.method), d.get("inference_nb", self.inference))[0:2] if nb \
            else (self.method, self.inference)
        text += (" Metode: " if nb else " Method: ") + ", ".join(x for x in how if x) + "."
        if caveats and self.caveats:
            text += (" Forbehold: " if nb else " Caveats: ") + " ".join(self.caveat_texts(lang=lang))
        return text

    def caveat_texts(self, *, lang: str = "nb") -> list[str]:
        i = 0 if lang == "nb" else 1
        return [_CAVEAT_TEXT[c][i] if c in _CAVEAT_TEXT else t
                for c, t in zip(self.caveats, super().caveat_texts(lang=lang))]


def _quote_list(items: Sequence[Any], lang: str) -> str:
    q = [f"«{x}»" if lang == "nb" else f'"{x}"' for x in items]
    joiner = " eller " if lang == "nb" else " or "
    return joiner.join(q) if len(q) <= 2 else ", ".join(q[:-1]) + joiner + q[-1]


_GROUP_LABELS = {"nb": {1: "samlokaliserte steder", 0: "steder uten samlokalisering"},
                 "en": {1: "co-located sites", 0: "sites without co-location"}}


@renamed_keywords(period="time")
def ordinal_change(
    data: pd.DataFrame,
    *,
    outcome: str,
    design: str = "did",
    group: str | None = None,
    time: str | None = None,
    before: Any = None,
    after: Any = None,
    unit: str | None = None,
    covariates: Sequence[str] = (),
    link: str = "logit",
    weights: str | None = None,
    cluster: str | None = None,
    inference: str | None = None,
    top: int = 2,
    level: float = 0.95,
    group_labels: Mapping[int, str] | None = None,
    caveats: Sequence[str] = (),
) -> OrdinalChangeResult:
    """The change in users' answers linked to co-location, as the shift in the share of top answers.

    Parameters
    ----------
    data : DataFrame
        One row per answer (e.g. one item of ``load_survey_responses``). Not modified.
    outcome : str
        Ordered categorical or numeric codes (higher is better).
    design : {"did", "post_only", "retrospective"}
        ``did``: before/after × co-located/comparison (needs ``group`` and ``time``);
        ``post_only``: co-located vs not in one wave (``group``; ``time``/``after`` select the
        wave); ``retrospective``: an item that itself asks about change ("compared with before
        …": worst = much worse, best = much better); ``group`` optional.
    group : str, optional
        0/1 (or boolean) column: the respondent's site was co-located at the survey date.
    time, before, after : optional
        The wave column and its before/after values (defaults: the two values in the data, sorted).
        ``time`` was called ``period`` (the old name works, with a FutureWarning).
    unit : str, optional
        Site column for site fixed effects (``did`` only; they absorb the group main effect).
    covariates : sequence of str
        Adjusters (e.g. age group); categorical columns enter as indicators.
    link : {"logit", "probit"}
    weights, cluster : str, optional
        Survey weights (robust errors) and cluster column (cluster-robust errors, t(G − 1)), as in
        :func:`ordinal`.
    inference : {"classical", "robust", "cluster"}, optional
        As in :func:`ordinal` (default from ``weights``/``cluster``).
    top : int
        How many categories at the top count as a top answer (2 = top-two box); for
        retrospective items the same number at the bottom count as worse.
    level : float
    group_labels : mapping, optional
        Names of the groups for sentences and plots, e.g. ``{1: "Mysen", 0: "andre steder"}``.
    caveats : sequence of str

    Returns
    -------
    OrdinalChangeResult

    Raises
    ------
    ModelError
        Missing columns, an unknown design, a group × time cell with no respondents, all
        answers identical, bad weights, ``top`` not smaller than the number of categories.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> g, t = rng.integers(0, 2, 800), rng.integers(0, 2, 800)
    >>> y = np.searchsorted([-2, -1, 0, 1.5], 0.8 * g * t + rng.logistic(size=800)) + 1
    >>> res = ordinal_change(pd.DataFrame({"y": y, "g": g, "t": t}), outcome="y", group="g", time="t")
    >>> res.estimate > 0 and res.log_odds.estimate > 0
    True
    """
    _check_args(design, link, level, top, group, time, unit)
    covariates = [covariates] if isinstance(covariates, str) else list(covariates)
    needed = [outcome, *covariates] + [c for c in (group, time, unit, weights, cluster) if c]
    _columns(data, needed, "ordinal_change")
    kind = _inference_kind(inference, weights, cluster, "ordinal_change")
    frame, before, after, n_dropped = _select_waves(data, needed, outcome, design, time, before, after, weights)
    G = oc.indicator(frame, group) if group else np.zeros(len(frame))
    P = (frame[time] == after).to_numpy(dtype=float) if design == "did" else np.zeros(len(frame))
    oc.check_cells(frame, G, P, design, group, time, before, after, {**_GROUP_LABELS["en"], **(group_labels or {})})
    out = _outcome(frame[outcome], outcome)
    top_set, top_idx, bottom_set, bottom_idx = _top(out, top, outcome)
    terms, work = _terms(frame, design, group, time, after, unit, covariates, G, P)
    X, names = _design(work, terms)
    _check_rank(X, names)
    w = _weights(frame, weights)
    fit = _fit(out.codes, X, K=len(out.labels), w=w, clusters=frame[cluster].to_numpy() if cluster else None,
               link=link, inference=kind)
    wt = np.ones(len(frame)) if w is None else w
    contrast = 0 if (design != "retrospective" or group) else None
    rows = (G == 1) & (P == 1) if design == "did" else (G == 1) if group else np.ones(len(frame), dtype=bool)
    est, se, p_val, lo, hi = _effect(fit, X, wt, rows, contrast, design, group, top_idx, bottom_idx, level)
    model = _ordinal_result(fit, out, tuple(terms), names, work, w, outcome=outcome, weights=weights,
                            cluster=cluster, level=level, caveats=(), n_dropped=n_dropped) if names else None
    log_odds = _log_odds(model, design, group, level, link, fit, names, outcome)
    cells, cat_probs = oc.cell_tables(frame, out, fit, X, wt, G, P, design, group, time, before, after, top_idx,
                                      contrast, rows)
    nb_m, en_m, nb_i, en_i = _texts(fit, w is not None)
    local = list(caveats) + [c for c in ("post_only", "retrospective") if design == c]
    if group and kind != "cluster":
        local.append("site_level")
    local += _cluster_caveats(fit)
    details = {
        "outcome": outcome, "design": design, "group": group, "time": time, "period": time, "before": before,
        "after": after, "unit": unit, "covariates": tuple(covariates), "top": top, "top_categories": top_set,
        "bottom_categories": bottom_set, "group_labels": dict(group_labels or {}), "link_function": link,
        "weights": weights, "cluster": cluster, "n_clusters": fit.n_clusters, "n_dropped_missing": n_dropped,
        "mean_score_change": oc.mean_change(cells, design, bool(group)), "scale": "probability difference",
        "method_nb": f"{nb_m}; " + ("netto andel som melder forbedring (deltametoden)" if design == "retrospective"
                                    else "effekt som endring i andelen i de to øverste kategoriene (deltametoden)"),
        "inference_nb": nb_i, "reference_distribution": fit.reference_distribution,
    }
    return OrdinalChangeResult(
        estimate=est, std_error=se, ci_low=lo, ci_high=hi, p_value=p_val, level=level, link="identity",
        method=f"{en_m}; " + ("net share reporting improvement (delta method)" if design == "retrospective"
                              else "effect as the shift in the share of top answers (delta method)"), inference=en_i,
        n_obs=fit.n_obs, term="net_improvement" if design == "retrospective" else "top_box_shift",
        details=details, caveats=tuple(local), log_odds=log_odds, model=model, cells=cells,
        category_probabilities=cat_probs,
    )


def _check_args(design, link, level, top, group, time, unit) -> None:
    if design not in DESIGNS:
        raise ModelError(f"design={design!r} is not supported. Expected one of {DESIGNS}.")
    if link not in LINKS:
        raise ModelError(f"link={link!r} is not supported. Expected one of {LINKS}.")
    if not 0 < level < 1:
        raise ModelError(f"level={level!r} must be between 0 and 1, e.g. 0.95.")
    if not isinstance(top, (int, np.integer)) or top < 1:
        raise ModelError(f"top={top!r} must be a whole number ≥ 1 (2 = the top-two box).")
    if design in ("did", "post_only") and not group:
        raise ModelError(f"design={design!r} needs group=, the 0/1 column saying whether the site was co-located.")
    if design == "did" and not time:
        raise ModelError("design='did' needs time= (the survey wave column), with before= and after= values.")
    if unit and design != "did":
        raise ModelError("unit= (site fixed effects) only works with design='did': in one wave the site effects "
                         "would absorb the co-location contrast.")


def _select_waves(data, needed, outcome, design, time, before, after, weights):
    """The rows of the compared waves with every needed value present, and the wave values."""
    frame = data[list(dict.fromkeys(needed))]
    n_in = len(frame)
    if time is not None:
        values = sorted(frame[time].dropna().unique().tolist())
        if design == "did":
            if before is None and after is None:
                if len(values) != 2:
                    raise ModelError(f'"{time}" has {len(values)} values ({values}); pass before= and after= to '
                                     "say which two waves to compare.")
                before, after = values
            if before is None or after is None:
                raise ModelError("Pass both before= and after= (the two values of time= to compare).")
            frame = frame[frame[time].isin([before, after])]
        elif after is not None:
            frame = frame[frame[time] == after]
        elif design == "post_only" and len(values) > 1:
            raise ModelError(f'"{time}" has several waves ({values}): pass after= to choose the one to compare.')
    frame = frame[frame[[c for c in needed if c not in (weights,)]].notna().all(axis=1)]
    if len(frame) == 0:
        raise ModelError(f'No answered row of "{outcome}" is left after selecting the waves and dropping missing '
                         "values.")
    return frame, before, after, n_in - len(frame)


def _top(out, top: int, outcome: str):
    """The top (and, for retrospective items, bottom) categories and their positions among those observed."""
    if top >= len(out.scale):
        raise ModelError(f"top={top} leaves no category below the top: the scale has {len(out.scale)} categories.")
    top_set = tuple(out.scale[-top:])
    top_idx = np.flatnonzero(np.isin(out.positions, np.arange(len(out.scale) - top, len(out.scale))))
    bottom_idx = np.flatnonzero(np.isin(out.positions, np.arange(top)))
    if len(top_idx) == 0 or len(top_idx) == len(out.labels):
        raise ModelError(f'{"No" if len(top_idx) == 0 else "Every"} answer to "{outcome}" is in the top {top} '
                         f"categories {list(top_set)}: the shift in the top share cannot be estimated. Try another "
                         "top=.")
    return top_set, top_idx, tuple(out.scale[:top]), bottom_idx


def _terms(frame, design, group, time, after, unit, covariates, G, P):
    """Model terms, the contrast of interest first, and a working copy holding their columns."""
    terms: list[_Term] = []
    extra: dict[str, np.ndarray] = {}
    if design == "did":
        inter, post = f"{group} × {time}", f"{time} = {after}"
        extra.update({inter: G * P, post: P})
        terms += [_Term(inter, "numeric"), _Term(post, "numeric")]
        if unit:
            oc.check_constant_within(frame, group, unit)
            terms.append(_Term(unit, "categorical", tuple(sorted(frame[unit].unique(), key=str))))
        else:
            extra[group] = G
            terms.append(_Term(group, "numeric"))
    elif group:
        extra[group] = G
        terms.append(_Term(group, "numeric"))
    terms += [_term(frame, c) for c in covariates]
    return terms, frame.assign(**extra)


def _effect(fit, X, wt, rows, contrast, design, group, top_idx, bottom_idx, level):
    """The shift on the probability scale with delta-method errors (t(G − 1) with clusters)."""
    def share(params: np.ndarray, switch_off: bool) -> float:
        Xr = X[rows].copy()
        if switch_off:
            Xr[:, contrast] = 0.0
        probs = fit.cat_probs(Xr, params)
        value = probs[:, top_idx].sum(1)
        if design == "retrospective":
            value = value - probs[:, bottom_idx].sum(1)
        return float(np.average(value, weights=wt[rows]))

    def effect(params: np.ndarray) -> float:
        if contrast is None or (design == "retrospective" and not group):
            return share(params, False)
        return share(params, False) - share(params, True)

    est = effect(fit.params)
    grad = oc.gradient(effect, fit.params)
    se = float(math.sqrt(max(grad @ fit.cov @ grad, 0.0)))
    p_val, lo, hi = (float(v[0]) for v in inf.wald(np.array([est]), np.array([se]), level=level, df=fit.df))
    return est, se, p_val, lo, hi


def _log_odds(model, design, group, level, link, fit, names, outcome) -> Effect | None:
    if model is None or (design == "retrospective" and not group):
        return None
    row = model.coefficients.iloc[0]
    return Effect(estimate=float(row["estimate"]), std_error=float(row["std_error"]), ci_low=float(row["ci_low"]),
                  ci_high=float(row["ci_high"]), p_value=float(row["p_value"]), level=level, link=link,
                  method=model.method, inference=model.inference, n_obs=fit.n_obs, term=names[0],
                  details={"outcome": outcome, "scale": "log odds" if link == "logit" else "probit",
                           "reference_distribution": fit.reference_distribution})
