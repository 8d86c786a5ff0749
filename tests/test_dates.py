"""samorg.dates: one reading of a date everywhere (day first for Norwegian dates)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from samorg.dates import DateError, parse_date, year_window
from samorg.errors import SamorgError

FEB1 = dt.date(2020, 2, 1)


@pytest.mark.parametrize("value", [
    FEB1, dt.datetime(2020, 2, 1, 13, 5), pd.Timestamp("2020-02-01 10:00"), np.datetime64("2020-02-01"),
    np.datetime64("2020-02-01T05:00"), "2020-02-01", " 2020-02-01 ", "2020-02", "01.02.2020", "1.2.2020",
])
def test_accepted_forms_mean_first_february(value):
    assert parse_date(value) == FEB1


@pytest.mark.parametrize("value", [
    "2020", 2020, 2020.0, True, None, "02/01/2020", "2020-02-30", "31.02.2020", "2020-13", "Feb 1 2020",
    "2020-02-01T00:00", pd.NaT, np.datetime64("NaT"), [2020, 2, 1],
])
def test_everything_else_is_refused_with_where_found_expected(value):
    with pytest.raises(DateError) as info:
        parse_date(value, where="its(intervention=...)")
    text = str(info.value)
    assert text.startswith("its(intervention=...): found ")
    assert "Expected a date written" in text and "01.02.2020" in text
    assert isinstance(info.value, SamorgError)


def test_norwegian_dates_are_day_first_in_the_estimators_too():
    from samorg.models._panel import to_time
    from samorg.models._timeaxis import TimeAxis

    axis = TimeAxis("date", "period_start", 1.0)
    assert axis.to_model("01.02.2020", what="intervention") == 2020 * 12 + 1
    assert to_time("01.02.2020", "date", what="intervention", column="t") == np.datetime64("2020-02-01", "ns")


def test_year_window_is_the_whole_year():
    assert year_window(2020) == (dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    assert year_window("2021") == (dt.date(2021, 1, 1), dt.date(2021, 12, 31))
    for bad in ("twenty", 2020.5, True, 0):
        with pytest.raises(DateError):
            year_window(bad)


def test_text_dates_in_a_time_column_are_read_day_first():
    import pandas as pd

    from samorg.models._panel import time_values
    from samorg.models._timeaxis import model_time

    col = pd.Series(["01.02.2020", "01.03.2020", "2020-04-01"])
    t, axis = model_time(col, column="month")
    assert axis.kind == "date" and t.tolist() == [2020 * 12 + 1, 2020 * 12 + 2, 2020 * 12 + 3]
    values, kind = time_values(col, "month")
    assert kind == "date" and str(values[0])[:10] == "2020-02-01"
    from samorg.errors import ModelError

    with pytest.raises(ModelError, match='time column "month"'):
        model_time(pd.Series(["02/01/2020", "2020-03-01"]), column="month")
