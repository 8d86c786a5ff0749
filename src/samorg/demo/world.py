"""The demo world's fixed structure: sites, calendar, seasonality, COVID-19, planted effects.

Everything here is deterministic and cheap. The random parts (noise, which months the counter
failed, ...) are drawn by the writers from seeded streams (:func:`stream`), so
:func:`samorg.demo.truth` can report them without writing a file.

Magnitudes follow ``DOMAIN.md``: Drammen about 400–480k visits a year, Indre Østfold about
135–170k over five sites, self-service 15–20 % where it exists, visits −36 % in 2020.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

FIRST_YEAR = 2014
LAST_YEAR = 2025
YEARS = tuple(range(FIRST_YEAR, LAST_YEAR + 1))
N_MONTHS = 12 * len(YEARS)

DRAMMEN = "3301"
INDRE_OSTFOLD = "3118"
#: code(s) of each treated municipality by period (DESIGN.md §1)
CODES = {
    DRAMMEN: {2014: ("0602", "0625", "0711"), 2020: ("3005",), 2024: ("3301",)},
    INDRE_OSTFOLD: {2014: ("0122", "0123", "0124", "0125", "0138"), 2020: ("3014",), 2024: ("3118",)},
}
NAMES = {DRAMMEN: "Drammen", INDRE_OSTFOLD: "Indre Østfold"}
OLD_NAMES = {
    "0602": "Drammen", "0625": "Nedre Eiker", "0711": "Svelvik",
    "0122": "Trøgstad", "0123": "Spydeberg", "0124": "Askim", "0125": "Eidsberg", "0138": "Hobøl",
}
#: county number by municipality code era (Buskerud 06 → Viken 30 → Buskerud 33; Østfold 01 → 30 → 31)
COUNTY = {DRAMMEN: {2014: 6, 2020: 30, 2024: 33}, INDRE_OSTFOLD: {2014: 1, 2020: 30, 2024: 31}}
FILE_STEM = {DRAMMEN: "drammen", INDRE_OSTFOLD: "indre_ostfold"}

#: population 1 January, 2020 boundaries (DOMAIN.md; odd years interpolated, 2023/2025 est.)
POPULATION = {
    DRAMMEN: {2014: 96605, 2015: 97768, 2016: 98930, 2017: 99616, 2018: 100302, 2019: 100581,
              2020: 101386, 2021: 101859, 2022: 102273, 2023: 103658, 2024: 105042, 2025: 105930},
    INDRE_OSTFOLD: {2014: 42926, 2015: 43199, 2016: 43472, 2017: 43754, 2018: 44035, 2019: 44320,
                    2020: 44792, 2021: 45201, 2022: 45608, 2023: 46307, 2024: 47006, 2025: 47420},
}
#: share of each old municipality in its 2020 municipality (1.1.2019, DOMAIN.md, est.)
OLD_SHARE = {
    "0602": 68933 / 100581, "0625": 24963 / 100581, "0711": 6685 / 100581,
    "0124": 15950 / 44320, "0125": 11450 / 44320, "0123": 5900 / 44320, "0122": 5350 / 44320,
    "0138": 5650 / 44320,
}
#: comparison pool: real codes and names unchanged 2014–2025 (KLASS 131 lists 2013, 2017–2020 and
#: the change tables 2013→2020 checked; Ålesund/Haram 2024 excluded), with approximate populations.
POOL = (
    ("1101", "Eigersund", 15000), ("1106", "Haugesund", 37300), ("1119", "Hå", 19000),
    ("1120", "Klepp", 19300), ("1121", "Time", 18900), ("1122", "Gjesdal", 12000),
    ("1124", "Sola", 27000), ("1127", "Randaberg", 11100), ("1130", "Strand", 12500),
    ("1134", "Suldal", 3800), ("1135", "Sauda", 4600), ("1146", "Tysvær", 11000),
    ("1149", "Karmøy", 42200), ("1160", "Vindafjord", 8800), ("1505", "Kristiansund", 24000),
    ("1516", "Ulstein", 8500), ("1517", "Hareid", 5200), ("1520", "Ørsta", 10700),
    ("1525", "Stranda", 4500), ("1528", "Sykkylven", 7600), ("1531", "Sula", 9500),
    ("1532", "Giske", 8400), ("1535", "Vestnes", 6600), ("1539", "Rauma", 7500),
    ("1554", "Averøy", 5800), ("1563", "Sunndal", 7100), ("1566", "Surnadal", 5900),
    ("1804", "Bodø", 52000), ("1813", "Brønnøy", 7900), ("1820", "Alstahaug", 7400),
    ("1824", "Vefsn", 13300), ("1833", "Rana", 26000), ("1837", "Meløy", 6300),
    ("1840", "Saltdal", 4700), ("1860", "Vestvågøy", 11400), ("1865", "Vågan", 9600),
    ("1866", "Hadsel", 8000), ("1868", "Øksnes", 4500), ("1871", "Andøy", 4700),
)

# Seasonality of visits (mean 1): summer dip, Easter in April, autumn high.
SEASON = np.array([1.05, 1.06, 1.10, 0.96, 0.96, 0.86, 0.52, 0.86, 1.12, 1.16, 1.17, 1.18])
SEASON = SEASON / SEASON.mean()
EVENT_SEASON = np.array([0.9, 1.1, 1.2, 1.0, 1.0, 0.5, 0.1, 0.5, 1.3, 1.4, 1.5, 1.5])
EVENT_SEASON = EVENT_SEASON / EVENT_SEASON.mean()

# COVID-19 visit factors by month (1 = normal). National: 12.3.2020 closures, partial reopening in
# May, 2020 ≈ −36 %, 2021 ≈ −30 %, 2022 ≈ −10 %.
_COVID_2020 = [1.0, 1.0, 0.36, 0.02, 0.22, 0.66, 0.72, 0.76, 0.78, 0.76, 0.66, 0.60]
_COVID_2021 = [0.56, 0.60, 0.63, 0.62, 0.66, 0.72, 0.76, 0.78, 0.82, 0.84, 0.82, 0.70]
_COVID_2022 = [0.72, 0.80, 0.90, 0.92, 0.93, 0.94, 0.95, 0.95, 0.95, 0.96, 0.96, 0.96]


def month_start(i: int) -> dt.date:
    """The first day of month number ``i`` (0 = January 2014)."""
    return dt.date(FIRST_YEAR + i // 12, i % 12 + 1, 1)


def month_index(day: dt.date) -> int:
    return (day.year - FIRST_YEAR) * 12 + day.month - 1


def covid_factor(municipality: str | None) -> np.ndarray:
    """Visit factor per month for a treated municipality (``None``: the national pattern)."""
    f = np.ones(N_MONTHS)
    for year, values in ((2020, _COVID_2020), (2021, _COVID_2021), (2022, _COVID_2022)):
        i = month_index(dt.date(year, 1, 1))
        f[i:i + 12] = values
    if municipality == INDRE_OSTFOLD:
        # all libraries closed 9.–31.8.2020 after a local outbreak: 8 of 31 days open
        f[month_index(dt.date(2020, 8, 1))] *= 8 / 31
    if municipality == DRAMMEN:
        f[month_index(dt.date(2021, 1, 1))] = 0.46  # extra measures around Oslo 23.1.–3.2.2021
        f[month_index(dt.date(2020, 5, 1))] = 0.26  # reopened 11.5.2020
    return f


def national_trend(year: int) -> float:
    """Visits per inhabitant relative to 2019 (4.85 in 2019 → 4.78 in 2023)."""
    return math.exp(-0.0037 * (year - 2019))


@dataclass(frozen=True)
class SiteSpec:
    """One demo site: its registry entry plus the parameters that generate its numbers."""

    site_id: str
    name: str
    kind: str
    municipality: str
    former_code: str
    co_located: dt.date | None
    counting_method: str
    aliases: tuple[str, ...]
    catchment: int
    base_visits: float  # counterfactual visits in 2019 (0 for a service centre without a library)
    visit_effect: float  # planted multiplicative effect from co_located on
    self_service_from: dt.date | None = None
    self_service_share: float = 0.0
    self_service_hours_week: float = 0.0
    staffed_hours_week: float = 0.0
    events_per_1000: float = 3.0
    inquiries_per_year: int = 0  # rows in the inquiry log (a registered sample)
    renamed: tuple[tuple[dt.date, str], ...] = ()  # (until, raw name) before the current name

    @property
    def co_organised(self) -> dt.date:
        return dt.date(2020, 1, 1)

    @property
    def has_library(self) -> bool:
        return self.kind in ("library", "combined")

    def raw_name(self, day: dt.date) -> str:
        """The name the site has in exports at ``day`` (renames happen mid-series)."""
        for until, name in self.renamed:
            if day <= until:
                return name
        return self.name


D = dt.date
SITES: tuple[SiteSpec, ...] = (
    SiteSpec("askim", "Askim", "combined", INDRE_OSTFOLD, "0124", D(2020, 1, 1), "people_counter",
             ("Askim bibliotek", "Askim innbyggertorg"), 16300, 50000, 1.12,
             self_service_from=D(2017, 9, 1), self_service_share=0.17, self_service_hours_week=112,
             staffed_hours_week=40, events_per_1000=3.2, inquiries_per_year=110),
    SiteSpec("mysen", "Mysen", "combined", INDRE_OSTFOLD, "0125", D(2020, 1, 1), "people_counter",
             ("Eidsberg bibliotek",), 11700, 40000, 1.15,
             self_service_from=D(2020, 1, 1), self_service_share=0.18, self_service_hours_week=112,
             staffed_hours_week=36, events_per_1000=3.2, inquiries_per_year=90,
             renamed=((D(2019, 12, 31), "Eidsberg bibliotek"),)),
    SiteSpec("skjonhaug", "Skjønhaug", "combined", INDRE_OSTFOLD, "0122", D(2020, 1, 1), "people_counter",
             ("Trøgstad bibliotek",), 5400, 16000, 1.08,
             self_service_from=D(2020, 1, 1), self_service_share=0.19, self_service_hours_week=112,
             staffed_hours_week=24, events_per_1000=3.4, inquiries_per_year=40),
    SiteSpec("spydeberg", "Spydeberg", "combined", INDRE_OSTFOLD, "0123", D(2020, 1, 1), "people_counter",
             ("Spydeberg bibliotek",), 6000, 20000, 1.10,
             self_service_from=D(2020, 1, 1), self_service_share=0.18, self_service_hours_week=112,
             staffed_hours_week=26, events_per_1000=3.2, inquiries_per_year=45),
    SiteSpec("tomter", "Tomter", "combined", INDRE_OSTFOLD, "0138", D(2020, 1, 1), "people_counter",
             ("Hobøl bibliotek",), 5700, 17000, 1.06,
             self_service_from=D(2020, 1, 1), self_service_share=0.20, self_service_hours_week=112,
             staffed_hours_week=22, events_per_1000=3.0, inquiries_per_year=40),
    SiteSpec("papirbredden", "Papirbredden", "library", DRAMMEN, "0602", None, "people_counter",
             ("Drammensbiblioteket", "Hovedbiblioteket Papirbredden"), 45000, 292000, 1.0,
             self_service_from=D(2019, 1, 1), self_service_share=0.10, self_service_hours_week=15,
             staffed_hours_week=58, events_per_1000=2.5),
    SiteSpec("bragernes", "Bragernes", "service_centre", DRAMMEN, "0602", None, "manual",
             ("Rådhuset", "Innbyggertorget Bragernes"), 48000, 0, 1.0, inquiries_per_year=220),
    SiteSpec("konnerud", "Konnerud", "library", DRAMMEN, "0602", None, "people_counter",
             ("Konnerud bibliotek",), 11000, 22000, 1.0,
             self_service_from=D(2018, 1, 1), self_service_share=0.24, self_service_hours_week=112,
             staffed_hours_week=20, events_per_1000=2.8),
    SiteSpec("fjell", "Fjell", "combined", DRAMMEN, "0602", D(2020, 1, 1), "people_counter",
             ("Fjell bibliotek", "Arena Fjell"), 9000, 26000, 1.12,
             self_service_from=D(2018, 1, 1), self_service_share=0.24, self_service_hours_week=112,
             staffed_hours_week=22, events_per_1000=3.0, inquiries_per_year=60),
    SiteSpec("mjondalen", "Mjøndalen", "combined", DRAMMEN, "0625", D(2022, 9, 1), "people_counter",
             ("Mjøndalen bibliotek", "Nedre Eiker bibliotek"), 25000, 48000, 1.20,
             self_service_from=D(2018, 1, 1), self_service_share=0.22, self_service_hours_week=112,
             staffed_hours_week=34, events_per_1000=2.8, inquiries_per_year=80),
    SiteSpec("svelvik", "Svelvik", "combined", DRAMMEN, "0711", D(2021, 6, 1), "people_counter",
             ("Svelvik bibliotek", "Byhuset Svelvik"), 6700, 20000, 1.15,
             self_service_from=D(2018, 1, 1), self_service_share=0.22, self_service_hours_week=112,
             staffed_hours_week=24, events_per_1000=3.0, inquiries_per_year=50),
)
SITE_BY_ID = {s.site_id: s for s in SITES}

#: What each treated site changed at co-location (the registry's ``components:``; samorg.components).
#: Indre Østfold made the same choices at all five sites (one unit, joint desks, cross-trained staff,
#: fewer staffed hours, self-service 06–22 every day); Drammen's sites differ (Fjell shares Arena Fjell
#: without a joint desk; Svelvik opened a joint "Byhuset"; Mjøndalen moved into new joint premises).
_SITE_CHOICES: dict[str, dict] = {
    "askim": {"co_located_services": ["culture"], "quiet_zone": True, "new_premises": None},
    "mysen": {"co_located_services": [], "quiet_zone": False, "new_premises": None},
    "skjonhaug": {"co_located_services": [], "quiet_zone": False, "new_premises": None},
    "spydeberg": {"co_located_services": [], "quiet_zone": False, "new_premises": None},
    "tomter": {"co_located_services": [], "quiet_zone": False, "new_premises": None},
    "fjell": {"joint_reception": False, "cross_trained_staff": False, "co_located_services": ["culture", "health"],
              "quiet_zone": False, "partner_events": True, "referral_routines": False, "new_premises": None},
    "mjondalen": {"joint_reception": True, "cross_trained_staff": True, "co_located_services": ["nav"],
                  "quiet_zone": True, "partner_events": True, "referral_routines": True,
                  "new_premises": D(2022, 9, 1)},
    "svelvik": {"joint_reception": True, "cross_trained_staff": False, "co_located_services": ["culture"],
                "quiet_zone": False, "partner_events": True, "referral_routines": True,
                "new_premises": D(2021, 6, 1)},
}


def site_components(site: SiteSpec) -> dict | None:
    """The registry's ``components:`` of a demo site (``None`` for sites never co-located)."""
    if site.co_located is None or site.site_id not in _SITE_CHOICES:
        return None
    io = site.municipality == INDRE_OSTFOLD
    after = site.staffed_hours_week * (IO_STAFFED_HOURS_2020 if io else 1.0)
    out = {"joint_reception": True, "cross_trained_staff": True, "staffed_hours_before": site.staffed_hours_week,
           "staffed_hours_after": round(after, 1), "self_service_hours": site.self_service_hours_week,
           "partner_events": True, "referral_routines": True}
    out.update(_SITE_CHOICES[site.site_id])
    return out

#: trade-off planted at co-location (multiplicative, on the monthly mean)
EVENTS_EFFECT = 1.30
LOANS_EFFECT = 0.94
#: Indre Østfold's reorganisation cut staffed hours (fewer Saturdays) from 2020
IO_STAFFED_HOURS_2020 = 0.85

#: survey items: id → question text (column header in the exports)
SURVEY_ITEMS = {
    "satisfaction": "Hvor fornøyd er du alt i alt med biblioteket?",
    "accessibility": "Hvor fornøyd er du med hvor lett det er å komme til og bruke lokalene?",
    "opening_hours": "Hvor fornøyd er du med åpningstidene?",
    "staff_help": "Hvor fornøyd er du med hjelpen du fikk av de ansatte?",
    "calm": "Hvor fornøyd er du med roen og atmosfæren i lokalene?",
    "place_to_stay": "Hvor fornøyd er du med biblioteket som et sted å være uten et ærend?",
}
#: latent logit shift for co-located sites in the 2022 wave (on top of the wave effect)
SURVEY_SHIFTS = {
    "satisfaction": 0.30, "accessibility": 0.50, "opening_hours": 0.60, "staff_help": 0.20,
    "calm": -0.60, "place_to_stay": -0.30,
}
SURVEY_WAVE_SHIFT = -0.15  # 2022 vs 2019 everywhere (after COVID-19)
#: first-contact resolution at service desks: log-odds shift once the site is co-located
INQUIRY_RESOLUTION_SHIFT = 0.35


def visit_multiplier(site: SiteSpec) -> np.ndarray:
    """Planted effect per month: 1 before co-location, ``visit_effect`` from its first month on."""
    m = np.ones(N_MONTHS)
    if site.co_located is not None:
        m[month_index(site.co_located):] = site.visit_effect
    return m


def expected_visits(site: SiteSpec, *, treated: bool = True) -> np.ndarray:
    """Expected monthly visits (no noise); ``treated=False`` gives the counterfactual."""
    if not site.has_library:
        return np.zeros(N_MONTHS)
    pop = POPULATION[site.municipality]
    growth = np.array([pop[FIRST_YEAR + i // 12] / pop[2019] * national_trend(FIRST_YEAR + i // 12)
                       for i in range(N_MONTHS)])
    season = np.tile(SEASON, len(YEARS))
    base = site.base_visits / 12 * growth * season * covid_factor(site.municipality)
    return base * visit_multiplier(site) if treated else base


def municipality_effect_by_year() -> dict[str, dict[int, float]]:
    """Ratio of expected annual visits with and without the planted site effects."""
    out: dict[str, dict[int, float]] = {}
    for code in (DRAMMEN, INDRE_OSTFOLD):
        sites = [s for s in SITES if s.municipality == code and s.has_library]
        treated = sum(expected_visits(s) for s in sites).reshape(len(YEARS), 12).sum(axis=1)
        control = sum(expected_visits(s, treated=False) for s in sites).reshape(len(YEARS), 12).sum(axis=1)
        out[code] = {y: round(float(t / c), 6) for y, t, c in zip(YEARS, treated, control)}
    return out


STREAMS = {"branches": 1, "outage": 2, "national": 3, "inquiries": 4, "surveys": 5, "identifiers": 6,
           "population": 7, "duplicate": 8, "place": 9, "counter_hours": 10, "errands": 11}


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream for one part of the world."""
    return np.random.default_rng(np.random.SeedSequence([seed, STREAMS[name]]))
