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

# status codes (why a value is missing or suspect)
STATUS_OK = ""
STATUS_NOT_APPLICABLE = "."  # SSB: category did not exist
STATUS_NOT_AVAILABLE = ".."  # SSB: not available
STATUS_CONFIDENTIAL = ":"  # SSB: suppressed
STATUS_COUNTER_OUTAGE = "counter_outage"
STATUS_DUPLICATE = "duplicate_export"
