"""Column names of the processed tables (DESIGN.md §3), in one place.

Use these constants instead of string literals so a rename happens once.
"""

from __future__ import annotations

# sites
SITE_ID = "site_id"
NAME = "name"
KIND = "kind"
MUNICIPALITY_CODE = "municipality_code"
FORMER_MUNICIPALITY_CODE = "former_municipality_code"
CO_ORGANISED = "co_organised"
CO_LOCATED = "co_located"
COUNTING_METHOD = "counting_method"

# observations
PERIOD_START = "period_start"
FREQ = "freq"
INDICATOR = "indicator"
VALUE = "value"
STATUS = "status"
SOURCE = "source"
YEAR = "year"

# inquiries
TIMESTAMP = "timestamp"
CHANNEL = "channel"
TOPIC = "topic"
RESOLVED_FIRST_CONTACT = "resolved_first_contact"
WAIT_MINUTES = "wait_minutes"
HANDLED_BY = "handled_by"

# survey responses
RESPONDENT_ID = "respondent_id"
WAVE = "wave"
DATE = "date"
ITEM = "item"
RESPONSE = "response"
WEIGHT = "weight"
AGE_GROUP = "age_group"
SEX = "sex"

# population
POPULATION = "population"

# qualitative segments (coded interviews, workshops, observation, documents; one row per coded segment)
SOURCE_TYPE = "source_type"
INFORMANT_ROLE = "informant_role"
INFORMANT_ID = "informant_id"  # keyed pseudonym
THEME = "theme"
AIM = "aim"
DIRECTION = "direction"
QUOTE_ID = "quote_id"  # keyed pseudonym
QUOTE = "quote"  # redacted; blank without consent
CONSENT = "consent"
#: the values of ``source_type`` and ``direction``
SOURCE_TYPES = ("interview", "workshop", "observation", "document")
DIRECTIONS = ("positive", "negative", "mixed", "neutral")

# status codes (why a value is missing or suspect)
STATUS_OK = ""
STATUS_NOT_APPLICABLE = "."  # SSB: category did not exist
STATUS_NOT_AVAILABLE = ".."  # SSB: not available
STATUS_CONFIDENTIAL = ":"  # SSB: suppressed
STATUS_COUNTER_OUTAGE = "counter_outage"
STATUS_DUPLICATE = "duplicate_export"

# sites (beyond DESIGN.md §3's minimum)
CATCHMENT_POPULATION = "catchment_population"
ALIASES = "aliases"  # the registry's other names, joined by " | "

# survey responses: "Vet ikke" (don't know) is kept apart from a blank answer
DONT_KNOW = "dont_know"
#: response code → bokmål label; processed ``response`` holds the code (nullable Int8), 5 is best
RESPONSE_LEVELS = {
    1: "Svært misfornøyd",
    2: "Misfornøyd",
    3: "Verken fornøyd eller misfornøyd",
    4: "Fornøyd",
    5: "Svært fornøyd",
}

# indicator ids in observations
#: monthly, per site (from branch exports); visits = mean of the counter's IN and OUT beams
SITE_MONTHLY_INDICATORS = (
    "visits",
    "visits_staffed",
    "visits_self_service",
    "loans",
    "events",
    "event_attendance",
    "staffed_hours",
    "self_service_hours",
)
#: annual, per municipality code as reported (from the National Library's statistics)
MUNICIPALITY_ANNUAL_INDICATORS = (
    "population",
    "population_0_14",
    "population_15_plus",
    "visits",
    "visits_staffed",
    "events",
    "event_attendance",
    "events_external",
    "digital_events",
    "digital_event_attendance",
    "first_time_loans",
    "first_time_loans_books",
    "loans_total",
    "active_borrowers",
    "website_wai",
    "new_premises",
    "library_units",
    "hours_main_staffed_before_17",
    "hours_main_staffed_after_17",
    "hours_main_self_service",
    "hours_branches_staffed_before_17",
    "hours_branches_staffed_after_17",
    "hours_branches_self_service",
)
