"""Data contracts of the processed tables (DESIGN.md §3) as pandera schemas.

:func:`validate` checks every rule at once (lazy) and raises one
:class:`~samorg.errors.DataValidationError` listing each failure. Strings are pandas' ``str``
dtype and datetimes ``datetime64`` at any unit (pandas 3 reads parquet as ``datetime64[us]``).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from samorg import columns as C
from samorg.errors import DataValidationError, Problem

STATUSES = ("", ".", "..", ":", C.STATUS_COUNTER_OUTAGE, C.STATUS_DUPLICATE)
KINDS = ("library", "service_centre", "combined")
CHANNELS = ("Skranke", "Telefon", "E-post", "Chat", "Skjema")

_is_datetime = pa.Check(lambda s: pd.api.types.is_datetime64_any_dtype(s), element_wise=False,
                        error="is not a datetime64 column")
_code = pa.Check.str_matches(r"^\d{4}$")


def _str(*checks: pa.Check, nullable: bool = False, unique: bool = False) -> pa.Column:
    return pa.Column(str, checks=list(checks), nullable=nullable, unique=unique, coerce=False)


def _dt(nullable: bool = False) -> pa.Column:
    return pa.Column(None, checks=[_is_datetime], nullable=nullable)


SITES = pa.DataFrameSchema(
    {
        C.SITE_ID: _str(pa.Check.str_matches(r"^[a-z][a-z0-9_]*$"), unique=True),
        C.NAME: _str(),
        C.KIND: _str(pa.Check.isin(KINDS)),
        C.MUNICIPALITY_CODE: _str(_code),
        C.FORMER_MUNICIPALITY_CODE: _str(_code, nullable=True),
        C.CO_ORGANISED: _dt(nullable=True),
        C.CO_LOCATED: _dt(nullable=True),
        C.COUNTING_METHOD: _str(),
        C.CATCHMENT_POPULATION: pa.Column(float, pa.Check.gt(0), nullable=True),
        C.ALIASES: _str(nullable=True),
    },
    strict=True, name="sites",
)

OBSERVATIONS = pa.DataFrameSchema(
    {
        C.SITE_ID: _str(nullable=True),
        C.MUNICIPALITY_CODE: _str(_code, nullable=True),
        C.PERIOD_START: _dt(),
        C.FREQ: _str(pa.Check.isin(["H", "D", "M", "A"])),  # H: hourly sample weeks (samorg.clean.place)
        C.INDICATOR: _str(pa.Check.str_matches(r"^[a-z][a-z0-9_]*$")),
        C.VALUE: pa.Column(float, nullable=True),
        C.STATUS: _str(pa.Check.isin(STATUSES)),
        C.SOURCE: _str(),
    },
    checks=[
        pa.Check(lambda d: d[C.SITE_ID].isna() != d[C.MUNICIPALITY_CODE].isna(),
                 error="exactly one of site_id and municipality_code is set"),
        pa.Check(lambda d: d[C.VALUE].notna() | (d[C.STATUS] != ""),
                 error="a missing value has a status saying why"),
        pa.Check(lambda d: ~d.duplicated([C.SITE_ID, C.MUNICIPALITY_CODE, C.PERIOD_START, C.FREQ, C.INDICATOR]),
                 error="one row per unit, period and indicator"),
    ],
    strict=True, name="observations",
)

INQUIRIES = pa.DataFrameSchema(
    {
        C.SITE_ID: _str(),
        C.TIMESTAMP: _dt(),
        C.CHANNEL: _str(pa.Check.isin(CHANNELS)),
        C.TOPIC: _str(),
        C.RESOLVED_FIRST_CONTACT: pa.Column("boolean", nullable=True),
        C.WAIT_MINUTES: pa.Column(float, pa.Check.ge(0), nullable=True),
        C.HANDLED_BY: _str(pa.Check.str_matches(r"^ansatt-[0-9a-f]{10}$"), nullable=True),
        C.SOURCE: _str(),
    },
    strict=True, name="inquiries",
)

SURVEY_RESPONSES = pa.DataFrameSchema(
    {
        C.RESPONDENT_ID: _str(pa.Check.str_matches(r"^r-[0-9a-f]{10}$")),
        C.SITE_ID: _str(),
        C.WAVE: pa.Column(int),
        C.DATE: _dt(),
        C.ITEM: _str(),
        C.RESPONSE: pa.Column("Int8", pa.Check.isin([1, 2, 3, 4, 5]), nullable=True),
        C.DONT_KNOW: pa.Column(bool),
        C.WEIGHT: pa.Column(float, pa.Check.gt(0)),
        C.AGE_GROUP: _str(nullable=True),
        C.SEX: _str(nullable=True),
    },
    checks=[pa.Check(lambda d: ~d.duplicated([C.RESPONDENT_ID, C.ITEM]), error="one answer per respondent and item")],
    strict=True, name="survey_responses",
)

POPULATION = pa.DataFrameSchema(
    {
        C.MUNICIPALITY_CODE: _str(_code),
        C.YEAR: pa.Column(int, pa.Check.in_range(1900, 2100)),
        C.AGE_GROUP: _str(),
        C.POPULATION: pa.Column(float, pa.Check.ge(0), nullable=True),
        C.STATUS: _str(pa.Check.isin(STATUSES)),
        C.SOURCE: _str(),
    },
    checks=[pa.Check(lambda d: d[C.POPULATION].notna() | (d[C.STATUS] != ""),
                     error="a missing value has a status saying why")],
    strict=True, name="population",
)

QUALITATIVE_SEGMENTS = pa.DataFrameSchema(
    {
        C.SITE_ID: _str(),
        C.SOURCE_TYPE: _str(pa.Check.isin(C.SOURCE_TYPES)),
        C.DATE: _dt(),
        C.INFORMANT_ROLE: _str(),
        C.INFORMANT_ID: _str(pa.Check.str_matches(r"^i-[0-9a-f]{10}$")),
        C.THEME: _str(pa.Check.str_length(min_value=1)),
        C.AIM: pa.Column(int, pa.Check.in_range(1, 6)),
        C.DIRECTION: _str(pa.Check.isin(C.DIRECTIONS)),
        C.QUOTE_ID: _str(pa.Check.str_matches(r"^q-[0-9a-f]{10}$")),
        C.QUOTE: _str(),
        C.CONSENT: pa.Column(bool),
        C.SOURCE: _str(),
    },
    checks=[pa.Check(lambda d: d[C.CONSENT] | (d[C.QUOTE] == ""), error="a quote is kept only with consent"),
            pa.Check(lambda d: ~d.duplicated([C.QUOTE_ID, C.THEME, C.AIM]),
                     error="one row per segment, theme and aim")],
    strict=True, name="qualitative_segments",
)

SCHEMAS = {"sites": SITES, "observations": OBSERVATIONS, "inquiries": INQUIRIES,
           "survey_responses": SURVEY_RESPONSES, "population": POPULATION,
           "qualitative_segments": QUALITATIVE_SEGMENTS}


def validate(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Check ``frame`` against the contract of ``table``; return it unchanged or raise.

    Raises
    ------
    DataValidationError
        Listing every failed check (column, check, a few failing values).
    """
    schema = SCHEMAS[table]
    try:
        schema.validate(frame, lazy=True)
    except (pa.errors.SchemaErrors, pa.errors.SchemaError) as exc:
        cases = getattr(exc, "failure_cases", None)
        problems = []
        if cases is not None and len(cases):
            for (column, check), group in cases.groupby(["column", "check"], dropna=False, sort=True):
                examples = ", ".join(repr(v) for v in group["failure_case"].head(3).tolist())
                problems.append(Problem(f"{table}.{column if column == column else '(table)'}",
                                        f"fails {check} ({len(group)} rows, e.g. {examples})",
                                        "the contract in DESIGN.md §3",
                                        "Columns found: " + ", ".join(map(str, frame.columns))))
        else:
            problems.append(Problem(table, str(exc), "the contract in DESIGN.md §3"))
        raise DataValidationError(problems, source=table) from None
    return frame
