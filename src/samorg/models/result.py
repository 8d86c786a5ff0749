"""The common result of every estimator: an :class:`Effect` (DESIGN.md §4).

An ``Effect`` holds one number with its uncertainty, on the scale named by ``link``
(``identity``: the outcome's own units; ``log``: a log rate ratio; ``logit``: a log odds
ratio), how it was estimated (``method``) and how its uncertainty was computed
(``inference``), the design details a reader needs to judge it, and caveats. It turns
itself into a one-row table (:meth:`Effect.to_frame`) and a sentence in bokmål or English
(:meth:`Effect.sentence`), with every number formatted by :mod:`samorg.fmt`.

Caveats are either keys of :data:`CAVEATS` (translated into the sentence's language) or
free text (shown as given, in both languages).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

from samorg import fmt
from samorg.errors import ModelError
from samorg.models._display import ResultDisplay, interval_text, label, number_decimals

__all__ = ["CAVEATS", "Effect", "ModelWarning", "caveat_text"]

LINKS = ("identity", "log", "logit", "probit")
#: Links whose effects have a ratio (``exp(estimate)``): rate ratios and odds ratios.
RATIO_LINKS = ("log", "logit")


class ModelWarning(UserWarning):
    """Something about the data weakens a model without stopping it (gaps, short series, few clusters)."""


#: Standard caveats by key: (bokmål, English).
CAVEATS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "covid": (
            "COVID-19-pandemien (stengte bibliotek og kapasitetsgrenser 2020–2021) overlapper omorganiseringen, "
            "så effekten av tiltaket kan ikke helt skilles fra pandemien.",
            "The COVID-19 pandemic (library closures and capacity limits 2020–2021) overlaps the "
            "reorganisation, so the intervention's effect cannot be fully separated from the pandemic.",
        ),
        "short_series": (
            "Tidsserien har færre enn 8 observasjoner før eller etter tiltaket; trend og nivåendring er usikre.",
            "The series has fewer than 8 observations before or after the intervention; trend and level "
            "change are uncertain.",
        ),
        "missing_periods": (
            "Noen perioder mangler i tidsserien; modellen bruker den faktiske tiden, men autokorrelasjonen "
            "er anslått over hullene.",
            "Some periods are missing from the series; the model uses actual time, but autocorrelation is "
            "estimated across the gaps.",
        ),
        "overdispersion": (
            "Tellingene varierer mer enn Poisson-modellen tillater; klassiske Poisson-standardfeil er for små "
            "(bruk kvasi-Poisson eller HAC-standardfeil).",
            "The counts vary more than the Poisson model allows; classical Poisson standard errors are too "
            "small (use quasi-Poisson or HAC standard errors).",
        ),
        "few_clusters": (
            "Få klynger: klyngerobuste p-verdier forkaster nullhypotesen for ofte; tolk med forsiktighet.",
            "Few clusters: cluster-robust p-values over-reject; interpret with caution.",
        ),
        "few_clusters_wild": (
            "Få klynger: wild cluster bootstrap med Webb-vekter er brukt, men er bare tilnærmet med så få klynger.",
            "Few clusters: the wild cluster bootstrap with Webb weights was used, but it is only approximate with "
            "so few clusters.",
        ),
        "few_treated_clusters": (
            "Bare én eller to klynger med tiltaket: også klyngerobuste og wild bootstrap-p-verdier er upålitelige; "
            "permutasjonsinferens over sammenligningsenhetene er tryggere.",
            "Only one or two treated clusters: cluster-robust and wild bootstrap p-values are unreliable too; "
            "permutation inference over the comparison units is safer.",
        ),
        "rows_independent": (
            "Klassiske og robuste standardfeil behandler hver rad som uavhengig; med gjentatte rader per enhet blir "
            "de for små. Bruk klynge- eller permutasjonsinferens.",
            "Classical and robust standard errors treat every row as independent; with repeated rows per unit they "
            "are too small. Use cluster or permutation inference.",
        ),
        "few_donors": (
            "Færre enn 19 sammenligningsenheter: ingen p-verdi under 0,05 er mulig i placebotesten.",
            "Fewer than 19 comparison units: no p-value below 0.05 is attainable in the placebo test.",
        ),
        "poor_pre_fit": (
            "Den syntetiske kontrollen følger tiltaksenheten dårlig før tiltaket; effektanslaget er usikkert.",
            "The synthetic control tracks the treated unit poorly before the intervention; the estimate is fragile.",
        ),
        "few_treated_units": (
            "Bare én eller to tiltaksenheter i hver kohort: analytiske og bootstrap-intervaller bygger på svært "
            "få enheter og er for optimistiske; permutasjonsinferens er tryggere.",
            "Only one or two treated units per cohort: analytic and bootstrap intervals rest on very few units and "
            "are too optimistic; permutation inference is safer.",
        ),
        "min_attainable_p": (
            "Designet kan ikke gi en mindre p-verdi enn den minste oppnåelige; p-verdien sier derfor lite om "
            "styrken i bevisene.",
            "The design cannot give a p-value below its smallest attainable value, so the p-value says little "
            "about the strength of the evidence.",
        ),
    }
)


def caveat_text(caveat: str, *, lang: str = "nb") -> str:
    """The text of a caveat: a key of :data:`CAVEATS` translated, or free text as given."""
    if caveat in CAVEATS:
        return CAVEATS[caveat][0 if lang == "nb" else 1]
    return caveat


# How each kind of effect is named in a sentence: (bokmål, English).
_TERMS: dict[str, tuple[str, str]] = {
    "effect": ("effekten", "the effect"),
    "level_change": ("nivåendringen ved tiltaket", "the level change at the intervention"),
    "slope_change": ("endringen i trend etter tiltaket (per periode)", "the change in trend after the "
                     "intervention (per period)"),
    "did": ("forskjell-i-forskjeller-effekten", "the difference-in-differences effect"),
}
_RATIO_NAMES = {"log": ("et rateforhold på", "a rate ratio of"), "logit": ("et oddsforhold på", "an odds ratio of")}


def _auto_decimals(se: float) -> int:
    """Decimals that show the standard error with about two significant digits (0–4)."""
    if not math.isfinite(se) or se <= 0:
        return 2
    return int(min(4, max(0, 1 - math.floor(math.log10(se)))))


@dataclass(frozen=True, kw_only=True)
class Effect(ResultDisplay):
    """One estimated effect with its uncertainty, design details and caveats.

    Attributes
    ----------
    estimate, std_error, ci_low, ci_high, p_value : float
        On the scale of ``link`` (a log rate ratio for ``link="log"``).
    level : float
        Confidence level of ``ci_low``–``ci_high``.
    link : {"identity", "log", "logit", "probit"}
        ``"probit"``: a shift on the latent scale of an ordinal probit model, in standard deviations
        of the latent variable; like ``"identity"`` it has no ratio.
    method : str
        The estimator, e.g. ``"interrupted time series (quasi-Poisson GLM)"``.
    inference : str
        How uncertainty was computed, e.g. ``"HAC (Newey-West, 3 lags)"``.
    n_obs : int
        Observations used in the fit.
    term : str
        What the effect is (``"level_change"``, ``"slope_change"``, ``"did"``, ``"effect"``).
    details : Mapping
        Design details (clusters, dispersion, excluded windows, smallest attainable p, ...).
    caveats : tuple of str
        Keys of :data:`CAVEATS` or free text.
    """

    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float
    level: float = 0.95
    link: str = "identity"
    method: str = ""
    inference: str = ""
    n_obs: int = 0
    term: str = "effect"
    details: Mapping[str, Any] = field(default_factory=dict)
    caveats: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.link not in LINKS:
            raise ValueError(f"link={self.link!r} is not one of {LINKS}.")
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))
        object.__setattr__(self, "caveats", tuple(dict.fromkeys(self.caveats)))

    # -- display (one-line repr, summary(), notebook HTML/Markdown: samorg.models._display) ------------
    def _headline(self) -> str:
        d = number_decimals(self.estimate, self.std_error, self.ci_low, self.ci_high)
        est = fmt.number(self.estimate, decimals=d, lang="en")
        interval = interval_text(self, d, "en")
        interval = f"[{interval.replace(' to ', ', ')}]" if " to " in interval else interval
        p = fmt.p_value(self.p_value, lang="en").replace(" ", "")
        how = "; ".join(x for x in (self.method, self.inference) if x)
        return f"{self.term}: {est} {interval} {p} n={self.n_obs}" + (f" · {how}" if how else "")

    def _summary_title(self, lang: str) -> str:
        method = self.details.get("method_nb", self.method) if lang == "nb" else self.method
        return method or type(self).__name__

    def _summary_rows(self, lang: str) -> list[tuple[str, str]]:
        d = number_decimals(self.estimate, self.std_error, self.ci_low, self.ci_high)
        rows = [(label("term", lang), self.term),
                (label("estimate", lang), fmt.number(self.estimate, decimals=d, lang=lang)),
                (label("interval", lang, level=fmt.level_text(self.level, lang=lang)), interval_text(self, d, lang)),
                (label("p", lang), fmt.p_value(self.p_value, lang=lang,
                                               min_attainable=self.details.get("min_attainable_p")))]
        if self.link in RATIO_LINKS:
            bounds = interval_text(self, 3, lang, ratio=True)
            rows.append((label("ratio", lang), f"{fmt.number(self.ratio(), decimals=3, lang=lang)} ({bounds})"))
        rows.append((label("n", lang), fmt.number(self.n_obs, lang=lang)))
        rows.append((label("inference", lang), self.details.get("inference_nb", self.inference) if lang == "nb"
                     else self.inference))
        extra = self._extra_caveats(lang) + self.caveat_texts(lang=lang)
        if extra:
            rows.append((label("caveats", lang), "\n".join(f"- {c}" for c in extra)))
        return rows

    # -- ratios ---------------------------------------------------------------------------------
    def ratio(self) -> float:
        """``exp(estimate)``: the rate ratio (log link) or odds ratio (logit link)."""
        self._require_ratio()
        return math.exp(self.estimate)

    def ratio_ci(self) -> tuple[float, float]:
        """``(exp(ci_low), exp(ci_high))``."""
        self._require_ratio()
        return math.exp(self.ci_low), math.exp(self.ci_high)

    def _require_ratio(self) -> None:
        if self.link == "probit":
            raise ModelError(
                f"This effect ({self.method or self.term}) is in probit units (standard deviations of the latent "
                "scale), so it has no ratio. Use .estimate, or fit with link='logit' to get an odds ratio."
            )
        if self.link not in RATIO_LINKS:
            raise ModelError(
                f"This effect ({self.method or self.term}) is on the outcome's own scale (link='identity'), so it "
                "has no ratio. Use .estimate, or fit a count model (family='poisson' or 'quasipoisson') to get a "
                "rate ratio."
            )

    # -- outputs --------------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """One-row tidy table of the effect (ratio columns are NaN for identity links)."""
        ratio, (r_lo, r_hi) = (
            (self.ratio(), self.ratio_ci()) if self.link in RATIO_LINKS else (math.nan, (math.nan, math.nan))
        )
        row = {
            "term": self.term,
            "estimate": self.estimate,
            "std_error": self.std_error,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "p_value": self.p_value,
            "ratio": ratio,
            "ratio_ci_low": r_lo,
            "ratio_ci_high": r_hi,
            "level": self.level,
            "link": self.link,
            "method": self.method,
            "inference": self.inference,
            "n_obs": self.n_obs,
        }
        return pd.DataFrame([row])

    def caveat_texts(self, *, lang: str = "nb") -> list[str]:
        """The caveats as sentences in ``lang``."""
        return [caveat_text(c, lang=lang) for c in self.caveats]

    def sentence(
        self,
        lang: str = "nb",
        *,
        outcome_label: str | None = None,
        decimals: int | None = None,
        caveats: bool = True,
    ) -> str:
        """A plain-language sentence: the effect, its confidence interval, p-value, method and caveats.

        Parameters
        ----------
        lang : {"nb", "en"}
        outcome_label : str, optional
            How to name the outcome ("besøk per innbygger"); defaults to ``details["outcome"]``.
        decimals : int, optional
            Decimals for identity-scale numbers; by default chosen from the standard error.
            Ratios always show three.
        caveats : bool
            Append the caveats.
        """
        fmt._check_lang(lang)
        nb = lang == "nb"
        i = 0 if nb else 1
        label = outcome_label or self.details.get("outcome") or ("utfallet" if nb else "the outcome")
        term = _TERMS.get(self.term, (self.term, self.term))[i]
        p_text = fmt.p_value(self.p_value, lang=lang, min_attainable=self.details.get("min_attainable_p"))
        if self.link not in RATIO_LINKS:
            d = _auto_decimals(self.std_error) if decimals is None else decimals
            value = fmt.number(self.estimate, decimals=d, lang=lang)
            if self.link == "probit":
                value += " probitenheter" if nb else " probit units"
            interval = fmt.ci(self.ci_low, self.ci_high, decimals=d, lang=lang, level=self.level)
        else:
            ratio_name = _RATIO_NAMES[self.link][i]
            value = f"{ratio_name} {fmt.number(self.ratio(), decimals=3, lang=lang)}"
            if self.link == "log":
                change = fmt.signed_percent(self.ratio() - 1, decimals=1, lang=lang)
                value += f", dvs. {change}" if nb else f", i.e. {change}"
            interval = fmt.ci(*self.ratio_ci(), decimals=3, lang=lang, level=self.level)
        if nb:
            text = f"For {label} er {term} anslått til {value} ({interval}; {p_text})."
        else:
            text = f"For {label}, {term} is estimated as {value} ({interval}; {p_text})."
        method = self.details.get("method_nb", self.method) if nb else self.method
        inference = self.details.get("inference_nb", self.inference) if nb else self.inference
        how = ", ".join(x for x in (method, inference) if x)
        if how:
            text += (" Metode: " if nb else " Method: ") + how + "."
        if caveats:
            extra = self._extra_caveats(lang) + self.caveat_texts(lang=lang)
            if extra:
                text += (" Forbehold: " if nb else " Caveats: ") + " ".join(extra)
        return text

    def _extra_caveats(self, lang: str) -> list[str]:
        """Caveats generated from the design details (subclasses add their own)."""
        return []
