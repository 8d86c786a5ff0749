"""One way to read a date, for the study file and every estimator alike.

Accepted: ``datetime.date``, ``datetime.datetime`` (its date), pandas ``Timestamp``, numpy
``datetime64``, ISO text ``"YYYY-MM-DD"``, ISO month ``"YYYY-MM"`` (the first of the month) and
Norwegian ``"dd.mm.yyyy"`` (day first, always: ``"01.02.2020"`` is 1 February 2020). Anything else
(numbers, bare years, US-style or ambiguous text) is refused with a :class:`DateError` naming where
the value came from, what it was and what is expected.

Years are never dates: a year stands for a window (1 January to 31 December), see :func:`year_window`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from samorg.errors import SamorgError

__all__ = ["DateError", "parse_date", "year_window", "EXPECTED"]

EXPECTED = 'a date written "2020-02-01" (ISO), "2020-02" (first of the month) or "01.02.2020" (day first)'

_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_NORWEGIAN = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


class DateError(SamorgError, ValueError):
    """A value that should be a date is not one samorg reads unambiguously."""

    def __init__(self, value: Any, *, where: str = "", reason: str = ""):
        self.value = value
        self.where = where
        found = f"{value!r} ({type(value).__name__})" if not isinstance(value, str) else repr(value)
        text = f"{where}: " if where else ""
        text += f"found {found}"
        if reason:
            text += f", {reason}"
        text += f". Expected {EXPECTED}."
        super().__init__(text)


def _calendar(year: int, month: int, day: int, value: Any, where: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(value, where=where, reason=f"which is not a real calendar date ({exc})") from None


def parse_date(value: Any, *, where: str = "") -> dt.date:
    """The calendar date ``value`` stands for; see the module docstring for what is accepted.

    >>> parse_date("01.02.2020"), parse_date("2020-02"), parse_date("2020-02-01")
    (datetime.date(2020, 2, 1), datetime.date(2020, 2, 1), datetime.date(2020, 2, 1))
    """
    if isinstance(value, bool) or value is None:
        raise DateError(value, where=where)
    # pandas Timestamp is a datetime subclass; NaT is not, but has the same type name check below.
    if isinstance(value, dt.datetime):
        if value != value:  # NaT
            raise DateError(value, where=where, reason="a missing date")
        return value.date()
    if isinstance(value, dt.date):
        return value
    type_name = type(value).__name__
    if type_name in ("NaTType",):
        raise DateError(value, where=where, reason="a missing date")
    if type_name == "datetime64":
        import numpy as np

        if np.isnat(value):
            raise DateError(value, where=where, reason="a missing date")
        day = value.astype("datetime64[D]").astype(object)
        return day if isinstance(day, dt.date) else _from_numpy_days(value, where)
    if isinstance(value, str):
        text = value.strip()
        if m := _ISO_DAY.match(text):
            return _calendar(int(m[1]), int(m[2]), int(m[3]), value, where)
        if m := _ISO_MONTH.match(text):
            return _calendar(int(m[1]), int(m[2]), 1, value, where)
        if m := _NORWEGIAN.match(text):
            return _calendar(int(m[3]), int(m[2]), int(m[1]), value, where)
        if re.fullmatch(r"\d{4}", text):
            raise DateError(value, where=where, reason="a year, not a date (a year is a window: use a "
                                                       "(start, end) pair such as (\"2020-01-01\", \"2020-12-31\"))")
        raise DateError(value, where=where)
    if isinstance(value, (int, float)) or type_name.startswith(("int", "float", "uint")):
        raise DateError(value, where=where, reason="a number, not a date")
    raise DateError(value, where=where)


def _from_numpy_days(value: Any, where: str) -> dt.date:
    import numpy as np

    days = int(value.astype("datetime64[D]").astype(np.int64))
    try:
        return dt.date(1970, 1, 1) + dt.timedelta(days=days)
    except OverflowError:
        raise DateError(value, where=where, reason="outside the calendar Python can represent") from None


def year_window(year: Any, *, where: str = "") -> tuple[dt.date, dt.date]:
    """The full-year window (1 January, 31 December) of ``year``; the only way a year becomes dates."""
    if isinstance(year, bool):
        raise DateError(year, where=where, reason="expected a year such as 2020")
    try:
        number = int(year)
    except (TypeError, ValueError):
        raise DateError(year, where=where, reason="expected a year such as 2020") from None
    if number != year and str(year).strip() != str(number):
        raise DateError(year, where=where, reason="expected a whole year such as 2020")
    if not 1 <= number <= 9999:
        raise DateError(year, where=where, reason="expected a year between 1 and 9999")
    return dt.date(number, 1, 1), dt.date(number, 12, 31)
