"""What the demo world plants, known exactly: tests check that estimators recover it."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from samorg.demo import identifiers as ids
from samorg.demo import place
from samorg.demo import world as w


@dataclass(frozen=True)
class PlantedText:
    """A free-text note or comment holding fake identifiers, and where it is planted."""

    target: str  # "inquiries" or "surveys"
    text: str
    identifiers: tuple[str, ...]


@dataclass(frozen=True)
class DemoTruth:
    """The planted effects and planted mess of one demo world (one seed).

    Attributes
    ----------
    seed
        The seed the world was generated with.
    co_located
        Site id → co-location date (``None``: never co-located).
    visit_effect, visit_log_rr
        Site id → planted multiplicative effect on monthly visits from the first month of
        ``co_located`` on (1.0 and 0.0 for sites never co-located), and its natural log.
    events_effect, loans_effect
        The trade-off planted at every co-located site: events up, loans down (multiplicative).
    municipality_visit_effect
        Current municipality code → ratio of expected annual visits with / without the site
        effects in the steady state (2023 on, when every planned co-location has happened).
    municipality_visit_effect_by_year
        The same ratio for every year 2014–2025 (1.0 before 2020; Drammen ramps up as sites
        co-locate in 2020, mid-2021 and late 2022).
    survey_latent_shift
        Survey item → latent logit shift for respondents at sites co-located on the response
        date, 2022 wave (the proportional-odds coefficient of "co-located").
    survey_wave_shift
        Latent shift of the 2022 wave at every site.
    inquiry_resolution_log_odds
        Log-odds shift of first-contact resolution at service desks once the site is co-located.
    outage_site, outage_months
        Where and when the people counter failed (visits in and out written as 0, site open).
    duplicated_file, duplicate_of
        Relative paths (under ``data/raw/demo``) of the duplicated branch export and its original.
    renamed_site, renamed_from, renamed_until
        The site whose exports use an old name up to a date (the old name is a registry alias).
    duplicate_survey_submissions
        (wave, respondent number) of rows that repeat an earlier submission.
    reach_effect
        Percentage points (as a share) added to the share of a site's catchment who are active
        borrowers, in every full year after co-location (:func:`samorg.demo.place.reach_share`).
    errand_service_share, errand_library_share
        P(a respondent came for a municipal service) and P(also used the library | came for one), for
        sites co-located on the response date (``co_located``) and otherwise (``other``).
    footfall_service_hours
        (first, end) hour on weekdays where the co-location effect's extra visits fall in the hourly
        counter's sample weeks (:func:`samorg.demo.place.service_hour_share` gives the expected share).
    planted_texts, planted_identifiers
        Free texts with fake identifiers, and every identifier string planted (fødselsnummer and
        D-numbers with valid check digits, phone numbers, e-mail addresses, names).
    """

    seed: int
    co_located: Mapping[str, dt.date | None]
    visit_effect: Mapping[str, float]
    visit_log_rr: Mapping[str, float]
    events_effect: float
    loans_effect: float
    municipality_visit_effect: Mapping[str, float]
    municipality_visit_effect_by_year: Mapping[str, Mapping[int, float]]
    survey_latent_shift: Mapping[str, float]
    survey_wave_shift: float
    inquiry_resolution_log_odds: float
    outage_site: str
    outage_months: tuple[dt.date, ...]
    duplicated_file: str
    duplicate_of: str
    renamed_site: str
    renamed_from: str
    renamed_until: dt.date
    duplicate_survey_submissions: tuple[tuple[int, int], ...]
    planted_texts: tuple[PlantedText, ...]
    planted_identifiers: tuple[str, ...]
    reach_effect: float = 0.0
    errand_service_share: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    errand_library_share: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    footfall_service_hours: tuple[int, int] = (0, 0)

    @property
    def identity_numbers(self) -> tuple[str, ...]:
        """The planted fødselsnummer and D-numbers, digits only."""
        digits = ("".join(c for c in i if c.isdigit()) for i in self.planted_identifiers)
        return tuple(d for d in digits if len(d) == 11 and ids.is_valid_identity_number(d))


def _outage(seed: int) -> tuple[str, tuple[dt.date, ...]]:
    rng = w.stream(seed, "outage")
    candidates = [s.site_id for s in w.SITES if s.has_library and s.site_id != "papirbredden"]
    site = str(rng.choice(candidates))
    year = int(rng.choice([2016, 2017, 2018, 2019, 2023, 2024]))
    month = int(rng.choice([2, 3, 4, 9, 10]))  # two open months, away from summer
    return site, (dt.date(year, month, 1), dt.date(year, month + 1, 1))


def _duplicate(seed: int) -> tuple[str, str]:
    rng = w.stream(seed, "duplicate")
    code = str(rng.choice([w.DRAMMEN, w.INDRE_OSTFOLD]))
    year = int(rng.integers(2015, 2025))
    stem = f"{w.FILE_STEM[code]}_{year}"
    return f"filialer/{stem} - Kopi.csv", f"filialer/{stem}.csv"


def _planted_texts(seed: int) -> tuple[PlantedText, ...]:
    rng = w.stream(seed, "identifiers")
    out = []
    for _ in range(2):
        name, fnr = ids.person_name(rng), ids.identity_number(rng)
        out.append(PlantedText("inquiries", f"Innbygger {name} (fnr {fnr}) trengte hjelp med søknad om bostøtte.",
                               (name, fnr)))
        phone = ids.phone_number(rng)
        out.append(PlantedText("inquiries", f"Ring tilbake på {phone} om eiendomsskatt.", (phone,)))
        dnr = ids.identity_number(rng, d_number=True)
        out.append(PlantedText("inquiries", f"D-nummer {dnr}, skattekort - henvist til Skatteetaten.", (dnr,)))
        name2 = ids.person_name(rng)
        mail = ids.email(rng, name2)
        out.append(PlantedText("inquiries", f"Svar sendt til {mail} ({name2}).", (mail, name2)))
        fnr2 = ids.identity_number(rng)
        spaced = f"{fnr2[:6]} {fnr2[6:]}"
        phone2 = ids.phone_number(rng)
        out.append(PlantedText("inquiries", f"Fødselsnr. {spaced}, tlf. {phone2}. BankID sperret.", (spaced, phone2)))
    for _ in range(2):
        name = ids.person_name(rng)
        mail = ids.email(rng, name)
        out.append(PlantedText("surveys", f"Savner lørdagsåpent. Kontakt meg gjerne: {mail}", (mail,)))
        phone = ids.phone_number(rng)
        out.append(PlantedText("surveys", f"Jeg heter {name}, ring meg på {phone} om arrangementene.", (name, phone)))
        fnr = ids.identity_number(rng)
        out.append(PlantedText("surveys", f"Fikk ikke logget inn, mitt personnummer er {fnr}.", (fnr,)))
    return tuple(out)


def _duplicate_submissions(seed: int) -> tuple[tuple[int, int], ...]:
    # The survey writer appends these copies after the last real respondent of each wave.
    from samorg.demo.surveys import duplicate_numbers

    return duplicate_numbers(seed)


def truth(seed: int = 2020) -> DemoTruth:
    """The planted truth of the demo world for ``seed``, without writing any file (cheap).

    Examples
    --------
    >>> t = truth()
    >>> round(t.visit_effect["mysen"], 2)
    1.15
    """
    outage_site, outage_months = _outage(seed)
    duplicated, original = _duplicate(seed)
    texts = _planted_texts(seed)
    by_year = w.municipality_effect_by_year()
    renamed = next(s for s in w.SITES if s.renamed)
    return DemoTruth(
        seed=seed,
        co_located=MappingProxyType({s.site_id: s.co_located for s in w.SITES}),
        visit_effect=MappingProxyType({s.site_id: s.visit_effect for s in w.SITES}),
        visit_log_rr=MappingProxyType({s.site_id: math.log(s.visit_effect) for s in w.SITES}),
        events_effect=w.EVENTS_EFFECT,
        loans_effect=w.LOANS_EFFECT,
        municipality_visit_effect=MappingProxyType({c: v[2023] for c, v in by_year.items()}),
        municipality_visit_effect_by_year=MappingProxyType(
            {c: MappingProxyType(v) for c, v in by_year.items()}),
        survey_latent_shift=MappingProxyType(dict(w.SURVEY_SHIFTS)),
        survey_wave_shift=w.SURVEY_WAVE_SHIFT,
        inquiry_resolution_log_odds=w.INQUIRY_RESOLUTION_SHIFT,
        outage_site=outage_site,
        outage_months=outage_months,
        duplicated_file=duplicated,
        duplicate_of=original,
        renamed_site=renamed.site_id,
        renamed_from=renamed.renamed[0][1],
        renamed_until=renamed.renamed[0][0],
        duplicate_survey_submissions=_duplicate_submissions(seed),
        planted_texts=texts,
        planted_identifiers=tuple(i for t in texts for i in t.identifiers),
        reach_effect=place.REACH_EFFECT,
        errand_service_share=MappingProxyType(dict(place.ERRAND_SERVICE)),
        errand_library_share=MappingProxyType(dict(place.ERRAND_LIBRARY)),
        footfall_service_hours=place.SERVICE_HOURS,
    )
