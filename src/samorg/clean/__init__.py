"""Cleaning steps: pure DataFrame → DataFrame functions, chained with ``.pipe``.

No step modifies its input. Steps that drop rows come in pairs — ``find_…`` returns what would be
dropped (for the manifest) and ``drop_…`` drops it — so every decision can be recorded.

Processed tables hold no free text, no names and no national identity numbers: free-text columns
are dropped (:func:`redact_identifiers` exists for text that must be kept), staff initials and
respondent numbers are replaced by keyed pseudonyms (:func:`pseudonymise`).

The steps live in five modules, all importable from here: :mod:`~samorg.clean.values` (numbers,
dates, duplicate exports, site names), :mod:`~samorg.clean.counts` (visits, outages, opening hours,
monthly sums, observations, municipalities, population), :mod:`~samorg.clean.people` (redaction,
pseudonyms, inquiries, surveys), :mod:`~samorg.clean.period` (rows outside the study period) and
:mod:`~samorg.clean.qualitative` (coded qualitative segments: consent, quote redaction, small roles).
"""

import datetime as dt  # noqa: F401 (the docstring examples run in this namespace: see __test__)

import pandas as pd  # noqa: F401

from samorg.clean.counts import (OWN_ORGANISERS, SITE_INDICATORS, STATUS_COUNTER_SPIKE, YES_NO_INDICATORS,
                                 aggregate_counts, branch_observations, classify_opening_hours, derive_visits,
                                 events_monthly, flag_counter_anomalies, flag_counter_outages,
                                 harmonise_municipalities, loans_monthly, nb_observations, population_table,
                                 sort_observations)
from samorg.clean.people import (CHANNEL_NAMES, DONT_KNOW, REDACTED, RESPONSE_CODES, SCALES,
                                 drop_duplicate_submissions, find_duplicate_submissions, inquiries_table,
                                 normalise_channels, pseudonymise, recode_likert, redact_free_text, redact_identifiers,
                                 reverse_code, survey_responses, valid_identity_number)
from samorg.clean.period import (check_study_period, drop_years_outside_period, find_rows_outside_period,
                                 find_years_outside_period)
from samorg.clean.qualitative import (OTHER_ROLES, drop_duplicate_segments, find_duplicate_segments,
                                      merge_small_roles, qualitative_segments, redact_quote)
from samorg.clean.values import (drop_duplicate_exports, find_duplicate_exports, map_site_ids, parse_norwegian_dates,
                                 parse_norwegian_numbers, site_lookup)

__all__ = [
    "CHANNEL_NAMES", "DONT_KNOW", "OTHER_ROLES", "OWN_ORGANISERS", "REDACTED", "RESPONSE_CODES", "SCALES",
    "SITE_INDICATORS", "STATUS_COUNTER_SPIKE", "YES_NO_INDICATORS", "aggregate_counts", "branch_observations",
    "check_study_period", "classify_opening_hours", "derive_visits", "drop_duplicate_exports",
    "drop_duplicate_segments", "drop_duplicate_submissions", "drop_years_outside_period", "events_monthly",
    "find_duplicate_exports", "find_duplicate_segments", "find_duplicate_submissions", "find_rows_outside_period",
    "find_years_outside_period", "flag_counter_anomalies", "flag_counter_outages", "harmonise_municipalities",
    "inquiries_table", "loans_monthly", "map_site_ids", "merge_small_roles", "nb_observations",
    "normalise_channels", "parse_norwegian_dates", "parse_norwegian_numbers", "population_table", "pseudonymise",
    "qualitative_segments", "recode_likert", "redact_free_text", "redact_identifiers", "redact_quote",
    "reverse_code", "site_lookup", "sort_observations", "survey_responses", "valid_identity_number",
]
#: doctest.testmod(samorg.clean) runs the examples of every step, wherever it is defined
__test__ = {name: obj for name, obj in list(globals().items()) if callable(obj) and name in __all__}
