"""Grading the evidence (EVIDENCE.md §4): Maryland Scientific Methods Scale and a GRADE-style certainty.

One rule, used by the site page 1, the evidence map and the synthesis alike. The inputs are plain facts
about a result, so the rule is code and every step of it prints a reason.

**Maryland Scientific Methods Scale** (Sherman et al. 1997; as used by the UK What Works Centre for
Local Economic Growth) for the design:

====  =====================================================================================
 1    before/after without a comparison (``"before_after"``, ``"its"`` without comparison units)
 2    before/after with a comparison whose credibility is not shown (comparison units, but pre-trends not
      checked or not parallel)
 3    comparison with a credible counterfactual: ``"comparative_its"``, ``"did"``, ``"event_study"`` or
      ``"synthetic_control"`` with pre-trends checked and parallel (or a good pre-period fit)
 4    as 3 with many units on both sides (at least :data:`MANY_UNITS` treated and comparison units)
 5    randomised (``"randomised"``)
====  =====================================================================================

``"descriptive"`` designs (never-treated sites, service centres) get no level and no certainty: there is
no effect to grade.

**GRADE-style certainty** (Guyatt et al. 2008, adapted): ``høy`` > ``middels`` > ``lav`` > ``svært lav``.
Observational designs start at ``lav`` (randomised at ``høy``); one step down for each of:

* **design**: SMS level 1 (no comparison);
* **confounding**: the intervention coincides with a merger or co-organisation, overlaps COVID-19, or
  its date lies inside the washout (one step however many; each is named);
* **imprecision**: the interval includes the null value, is wider than ``max_width`` (default ``log 2``:
  the upper bound is more than twice the lower on the ratio scale), or cannot be bounded;
* **inconsistency**: the site estimates differ in sign (two or more sites);
* **indirectness**: the estimate answers a different question than asked (e.g. the bundle of merger,
  co-organisation and co-location for co-location), given as ``indirect`` (text or True).

The result never goes below ``svært lav`` and, in this study (two treated municipalities), never above
``middels``: nothing here can be ``høy`` (:data:`HIGHEST`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from samorg import fmt
from samorg.errors import ModelError

__all__ = ["CERTAINTY", "DESIGNS", "HIGHEST", "MANY_UNITS", "EvidenceGrade", "grade_evidence"]

DESIGNS = ("descriptive", "before_after", "its", "comparative_its", "did", "event_study", "synthetic_control",
           "randomised")
_COMPARATIVE = ("comparative_its", "did", "event_study", "synthetic_control")
#: Certainty levels, lowest first: key → (bokmål, English).
CERTAINTY = {"very_low": ("svært lav", "very low"), "low": ("lav", "low"), "moderate": ("middels", "moderate"),
             "high": ("høy", "high")}
_ORDER = list(CERTAINTY)
#: The highest certainty any result can get here (EVIDENCE.md §4: nothing can be høy).
HIGHEST = "moderate"
#: Treated and comparison units needed for SMS level 4.
MANY_UNITS = 20
_SMS = {
    1: ("før/etter uten sammenligning", "before/after without comparison"),
    2: ("før/etter med sammenligning", "before/after with comparison"),
    3: ("sammenligning med troverdig kontrafaktisk forløp", "comparison with a credible counterfactual"),
    4: ("mange enheter med troverdig sammenligning", "many units with a credible comparison"),
    5: ("randomisert", "randomised"),
}


@dataclass(frozen=True)
class EvidenceGrade:
    """An SMS level, a certainty and the reasons, each in bokmål and English."""

    sms_level: int | None
    certainty: str | None  # a key of CERTAINTY, or None for descriptive results
    reasons: tuple[tuple[str, str], ...]

    def label(self, lang: str = "nb") -> str:
        """The certainty as a word («lav», «svært lav» …), or «ikke vurdert» for descriptive results."""
        fmt._check_lang(lang)
        if self.certainty is None:
            return "ikke vurdert (beskrivende)" if lang == "nb" else "not graded (descriptive)"
        return CERTAINTY[self.certainty][0 if lang == "nb" else 1]

    def sms_text(self, lang: str = "nb") -> str:
        """«Maryland-skalaen nivå 3 (…)», or that the scale does not apply."""
        fmt._check_lang(lang)
        if self.sms_level is None:
            return "Maryland-skalaen gjelder ikke (ingen effekt anslås)" if lang == "nb" else \
                "The Maryland scale does not apply (no effect is estimated)"
        what = _SMS[self.sms_level][0 if lang == "nb" else 1]
        return (f"Maryland-skalaen nivå {self.sms_level} ({what})" if lang == "nb" else
                f"Maryland Scientific Methods Scale level {self.sms_level} ({what})")

    def reason_texts(self, lang: str = "nb") -> list[str]:
        fmt._check_lang(lang)
        return [r[0 if lang == "nb" else 1] for r in self.reasons]

    def sentence(self, lang: str = "nb") -> str:
        """The grade with its reasons, e.g. «Tillit til resultatet: svært lav. Maryland-skalaen nivå 2 (…). …»."""
        head = ("Tillit til resultatet: " if lang == "nb" else "Certainty of the evidence: ") + self.label(lang)
        parts = [head, self.sms_text(lang)] + self.reason_texts(lang)
        return ". ".join(p.rstrip(".") for p in parts) + "."


def grade_evidence(
    *,
    design: str,
    n_treated: int,
    n_comparison: int,
    pretrends_checked: bool = False,
    pretrends_parallel: bool | None = None,
    coincides_with_merger: bool = False,
    overlaps_covid: bool = False,
    in_washout: bool = False,
    interval: tuple[float, float] | None = None,
    null: float = 0.0,
    max_width: float = math.log(2),
    site_estimates: Sequence[float] = (),
    indirect: bool | str | tuple[str, str] = False,
) -> EvidenceGrade:
    """Grade one result: SMS level of its design and GRADE-style certainty, with reasons (see module docstring).

    Parameters
    ----------
    design : str
        One of :data:`DESIGNS`.
    n_treated, n_comparison : int
        Treated units and comparison units (sites, municipalities, donors).
    pretrends_checked : bool
        Whether parallel pre-trends (or the pre-period fit) were examined.
    pretrends_parallel : bool, optional
        The outcome of that check (``None``: not known).
    coincides_with_merger, overlaps_covid : bool
        The intervention date coincides with a merger/co-organisation; the period overlaps COVID-19.
    in_washout : bool
        The intervention date lies inside a washout (exclusion) window, so the effect is only seen after it.
    interval : (low, high), optional
        The confidence interval on the estimate's scale (log scale for ratios); ``None`` or non-finite
        bounds: it cannot be bounded.
    null : float
        The no-effect value on that scale (0 for log ratios and differences).
    max_width : float
        Widest interval still called precise (default ``log 2``).
    site_estimates : sequence of float
        The site estimates behind a pooled result (inconsistency), on the same scale.
    indirect : bool, str or (bokmål, English)
        Why the estimate answers a different question (``True``: a generic reason).

    Returns
    -------
    EvidenceGrade

    Examples
    --------
    >>> g = grade_evidence(design="comparative_its", n_treated=1, n_comparison=2, pretrends_checked=True,
    ...                    pretrends_parallel=True, coincides_with_merger=True, interval=(0.03, 0.17))
    >>> g.sms_level, g.label("nb"), g.label("en")
    (3, 'svært lav', 'very low')
    """
    if design not in DESIGNS:
        raise ModelError(f"design={design!r} is not known. Expected one of {DESIGNS}.")
    for name, n in (("n_treated", n_treated), ("n_comparison", n_comparison)):
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ModelError(f"{name}={n!r} must be a whole number ≥ 0.")
    if design == "descriptive":
        return EvidenceGrade(None, None, (("Ingen effekt anslås; resultatet er beskrivende.",
                                           "No effect is estimated; the result is descriptive."),))
    sms = _sms_level(design, n_treated, n_comparison, pretrends_checked, pretrends_parallel)
    reasons: list[tuple[str, str]] = []
    level = _ORDER.index("high" if design == "randomised" else "low")
    reasons.append(("Randomisert design: starter på høy." if design == "randomised" else
                    "Observasjonsdata: starter på lav.",
                    "Randomised design: starts at high." if design == "randomised" else
                    "Observational data: starts at low."))
    for down, text in _downgrades(sms, coincides_with_merger, overlaps_covid or in_washout, in_washout, interval, null, max_width,
                                  site_estimates, indirect, pretrends_checked, pretrends_parallel, design):
        level -= down
        reasons.append(text)
    if level > _ORDER.index(HIGHEST):
        reasons.append(("Med to tiltakskommuner kan ingenting vurderes som høy.",
                        "With two treated municipalities nothing can be graded high."))
    level = max(0, min(level, _ORDER.index(HIGHEST)))
    return EvidenceGrade(sms, _ORDER[level], tuple(reasons))


def _sms_level(design: str, n_treated: int, n_comparison: int, checked: bool, parallel: bool | None) -> int:
    if design == "randomised":
        return 5
    if design in ("before_after", "its") or n_comparison == 0:
        return 1
    credible = design in _COMPARATIVE and checked and parallel is not False
    if not credible:
        return 2
    return 4 if min(n_treated, n_comparison) >= MANY_UNITS else 3


def _downgrades(sms, merger, covid, washout, interval, null, max_width, sites, indirect, checked, parallel, design):
    if sms == 1:
        yield 1, ("Ingen sammenligningsgruppe: trekkes ned for design.", "No comparison group: downgraded for design.")
    confounders = [(nb, en) for flag, nb, en in (
        (merger, "tiltaket faller sammen med kommunesammenslåing eller samorganisering",
         "the intervention coincides with a municipal merger or co-organisation"),
        (covid, "perioden overlapper COVID-19-pandemien", "the period overlaps the COVID-19 pandemic"),
        (washout, "tiltaksdatoen ligger i perioden som er holdt utenfor, så effekten ses først etter den",
         "the intervention date lies in the left-out period, so the effect is only seen after it"),
    ) if flag]
    if design != "randomised" and sms == 2 and checked and parallel is False:
        confounders.append(("trendene før tiltaket er ikke parallelle", "the pre-intervention trends are not parallel"))
    if confounders:
        yield 1, ("Trekkes ned for forveksling: " + "; ".join(c[0] for c in confounders) + ".",
                  "Downgraded for confounding: " + "; ".join(c[1] for c in confounders) + ".")
    bounded = interval is not None and all(isinstance(x, (int, float)) and math.isfinite(x) for x in interval)
    if not bounded:
        yield 1, ("Trekkes ned for upresisjon: intervallet kan ikke avgrenses.",
                  "Downgraded for imprecision: the interval cannot be bounded.")
    else:
        low, high = sorted(interval)
        if low <= null <= high:
            yield 1, ("Trekkes ned for upresisjon: intervallet omfatter ingen effekt.",
                      "Downgraded for imprecision: the interval includes no effect.")
        elif high - low > max_width:
            yield 1, ("Trekkes ned for upresisjon: intervallet er bredt.",
                      "Downgraded for imprecision: the interval is wide.")
    signs = {math.copysign(1, s) for s in sites if math.isfinite(s) and s != 0}
    if len(signs) > 1:
        yield 1, ("Trekkes ned for inkonsistens: stedene viser effekter i ulik retning.",
                  "Downgraded for inconsistency: the sites show effects in different directions.")
    if indirect:
        if isinstance(indirect, tuple):
            nb, en = indirect
        elif isinstance(indirect, str):
            nb = en = indirect
        else:
            nb, en = ("anslaget svarer på et annet spørsmål enn det som stilles",
                      "the estimate answers a different question than the one asked")
        yield 1, (f"Trekkes ned for indirekthet: {nb.rstrip('.')}.", f"Downgraded for indirectness: {en.rstrip('.')}.")
