"""samorg.fmt: bokmål and English numbers, shares, dates, intervals and p-values."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from samorg import fmt

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("x", "kwargs", "expected"),
    [
        (1234.5, {"decimals": 1}, f"1{NBSP}234,5"),
        (-1234.5, {"decimals": 1}, f"\u22121{NBSP}234,5"),
        (1234567, {}, f"1{NBSP}234{NBSP}567"),
        (0.5, {"decimals": 2}, "0,50"),
        (-0.0004, {"decimals": 2}, "0,00"),  # no negative zero
        (3.2, {"decimals": 1, "sign": True}, "+3,2"),
        (1234.5, {"decimals": 1, "lang": "en"}, "1,234.5"),
        (-1234.5, {"decimals": 1, "lang": "en"}, "-1,234.5"),
        (float("inf"), {}, "\u221e"),
    ],
)
def test_number(x, kwargs, expected):
    assert fmt.number(x, **kwargs) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT])
def test_missing_values_print_as_en_dash(missing):
    assert fmt.number(missing) == "\u2013"
    assert fmt.percent(missing) == "\u2013"
    assert fmt.date(missing) == "\u2013"


def test_percent():
    assert fmt.percent(0.123) == f"12,3{NBSP}%"
    assert fmt.percent(0.123, lang="en") == "12.3%"
    assert fmt.percent(0.5, decimals=0) == f"50{NBSP}%"
    assert fmt.signed_percent(-0.106) == f"\u221210,6{NBSP}%"
    assert fmt.signed_percent(0.05, lang="en") == "+5.0%"


@pytest.mark.parametrize(
    "value", [dt.date(2026, 11, 24), dt.datetime(2026, 11, 24, 13, 5), pd.Timestamp("2026-11-24"),
              np.datetime64("2026-11-24"), "2026-11-24"]
)
def test_date(value):
    assert fmt.date(value) == "24.11.2026"
    assert fmt.date(value, lang="en") == "24 Nov 2026"


def test_month():
    assert fmt.month(dt.date(2020, 3, 1)) == "03.2020"
    assert fmt.month(dt.date(2020, 3, 1), lang="en") == "Mar 2020"


def test_ci():
    assert fmt.ci(1.234, 3.456, decimals=1) == f"95{NBSP}% KI 1,2\u20133,5"
    assert fmt.ci(1.234, 3.456, decimals=1, lang="en") == "95% CI 1.2 to 3.5"
    # a dash next to a minus sign reads badly: use "til"
    assert fmt.ci(-1.2, 3.4, decimals=1) == f"95{NBSP}% KI \u22121,2 til 3,4"
    assert fmt.ci(0.123, 0.156, decimals=1, pct=True) == f"95{NBSP}% KI 12,3\u201315,6{NBSP}%"
    assert fmt.ci(0.123, 0.156, decimals=1, pct=True, lang="en") == "95% CI 12.3% to 15.6%"
    assert fmt.ci(1, 2, decimals=0, level=0.9, lang="en") == "90% CI 1 to 2"
    assert fmt.ci(1, 2, decimals=0, label=False) == "1\u20132"


def test_p_value():
    assert fmt.p_value(0.0001) == "p < 0,001"
    assert fmt.p_value(0.0001, lang="en") == "p < 0.001"
    assert fmt.p_value(0.0456) == "p = 0,046"
    assert fmt.p_value(0.0456, lang="en") == "p = 0.046"
    assert fmt.p_value(1.0) == "p > 0,999"
    assert fmt.p_value(math.nan) == "p = \u2013"
    assert fmt.p_value(1 / 21, min_attainable=1 / 21) == "p = 0,048 (minste oppnåelige)"
    assert fmt.p_value(1 / 21, lang="en", min_attainable=1 / 21) == "p = 0.048 (smallest attainable)"
    assert fmt.p_value(0.3, min_attainable=1 / 21) == "p = 0,300"


def test_bad_input_is_reported():
    with pytest.raises(ValueError, match="lang"):
        fmt.number(1, lang="nn")
    with pytest.raises(ValueError, match="probability"):
        fmt.p_value(1.5)


def test_time_value_writes_years_without_thousands_separator():
    from samorg.fmt import time_value

    assert time_value(2020) == "2020" and time_value(2020.0, lang="en") == "2020"
    assert time_value(-3) == "\u22123" and time_value(12.5) == "12,50"
    assert time_value("2020-03-01") == "01.03.2020" and time_value("01.03.2020", lang="en") == "1 Mar 2020"
