"""The facts a grade rests on, read off the study and the results, for :func:`samorg.models.grading.grade_evidence`.

The grading rule lives in one place (:mod:`samorg.models.grading`: Maryland Scientific Methods Scale
and a GRADE-style certainty). This module only collects its inputs from the registry and the fitted
results, the same way for a site's page 1, the synthesis and the evidence map:

- the design: a comparative ITS when the site has comparison sites, a plain ITS otherwise;
- the pre-trend check: the site's event study, when it could be estimated; its pre-period test counts
  as showing parallel trends only when it had power to reject (smallest attainable p below 0,10) and
  did not;
- confounding: the estimand is the bundle (co-located on the merger or co-organisation date), and a
  washout window lies within a year of the intervention date;
- indirectness: the bundle answers a different question than "what did co-location do?".
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from samorg.config import Site, Study

__all__ = ["grade_pooled", "grade_site", "grade_survey", "grade_synthetic_control", "near_washout"]

_BUNDLE = ("anslaget gjelder kommunesammenslåing, samorganisering og samlokalisering samlet, ikke samlokalisering alene",
           "the estimate covers the merger, co-organisation and co-location together, not co-location alone")


def near_washout(study: Study, day: dt.date | None, *, days: int = 366) -> bool:
    """Whether a washout window lies within ``days`` of ``day`` (or contains it)."""
    if day is None:
        return False
    span = dt.timedelta(days=days)
    return any(w.start - span <= day <= w.end + span for w in study.washout_windows)


def _pretrend(event: Any) -> tuple[bool, bool | None]:
    pt = getattr(event, "pretrend", None) or {}
    p = pt.get("p_value")
    if p is None or not math.isfinite(p):
        return False, None
    floor = pt.get("min_attainable_p") or 0.0
    if floor >= 0.10:
        return True, None  # a test that cannot reject shows nothing either way
    return True, bool(p >= 0.10)


def _interval(effect: Any) -> tuple[float, float] | None:
    if effect is None:
        return None
    return float(effect.ci_low), float(effect.ci_high)


def grade_site(study: Study, site: Site, headline: Any, *, event: Any = None):
    """The grade of one site's headline (descriptive when the site has no effect)."""
    from samorg.analysis import estimand
    from samorg.models.grading import grade_evidence

    est = estimand(study, site)
    if not est.has_effect or headline is None:
        return grade_evidence(design="descriptive", n_treated=0, n_comparison=0)
    checked, parallel = _pretrend(event)
    return grade_evidence(
        design="comparative_its" if est.comparison else "its",
        n_treated=1, n_comparison=len(est.comparison),
        pretrends_checked=checked, pretrends_parallel=parallel,
        coincides_with_merger=est.kind == "bundle",
        overlaps_covid=near_washout(study, site.co_located),
        interval=_interval(headline),
        indirect=_BUNDLE if est.kind == "bundle" else False,
    )


def grade_pooled(study: Study, pooled: Any, site_effects: dict[str, Any]):
    """The grade of the pooled effect over the treated sites."""
    from samorg.analysis import estimand
    from samorg.models.grading import grade_evidence

    if pooled is None:
        return grade_evidence(design="descriptive", n_treated=0, n_comparison=0)
    kinds = {estimand(study, s).kind for s in site_effects}
    comparison = {c.site_id for s in site_effects for c in estimand(study, s).comparison}
    return grade_evidence(
        design="comparative_its" if comparison else "its",
        n_treated=int(getattr(pooled, "n_municipalities", len(site_effects))), n_comparison=len(comparison),
        coincides_with_merger="bundle" in kinds,
        overlaps_covid=any(near_washout(study, study.site(s).co_located) for s in site_effects),
        interval=_interval(pooled),
        site_estimates=[float(e.estimate) for e in site_effects.values()],
        indirect=_BUNDLE if "bundle" in kinds else False,
    )


def grade_survey(study: Study, result: Any, *, n_treated: int, n_comparison: int):
    """The grade of a before/after survey comparison, co-located against other sites."""
    from samorg.models.grading import grade_evidence

    if result is None or isinstance(result, Exception):
        return grade_evidence(design="descriptive", n_treated=0, n_comparison=0)
    organised = [m.co_organised for m in study.treated_municipalities().values() if m.co_organised]
    return grade_evidence(
        design="did", n_treated=n_treated, n_comparison=n_comparison,
        coincides_with_merger=bool(organised),
        overlaps_covid=any(near_washout(study, d) for d in organised),
        interval=_interval(result),
    )


def grade_synthetic_control(study: Study, code: str, result: Any):
    """The grade of a treated municipality (``code``) against its synthetic control."""
    from samorg.analysis import _merged_in
    from samorg.models.grading import grade_evidence

    if result is None or isinstance(result, Exception):
        return grade_evidence(design="descriptive", n_treated=0, n_comparison=0)
    year = study.national_intervention
    day = dt.date(year, 1, 1) if year else None
    low, high = getattr(result, "ci_low", math.nan), getattr(result, "ci_high", math.nan)
    return grade_evidence(
        design="synthetic_control", n_treated=1, n_comparison=int(result.details.get("n_donors", 0) or 0),
        pretrends_checked=True, pretrends_parallel=None,
        coincides_with_merger=bool(year) and _merged_in(study.municipalities.get(code), year),
        overlaps_covid=near_washout(study, day),
        interval=(low, high) if math.isfinite(low) and math.isfinite(high) else None,
    )
