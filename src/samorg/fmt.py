"""Numbers, shares, dates, intervals and p-values as text, in bokmål or English.

Every number a model sentence, a table or a plot label shows goes through here, so
Norwegian conventions hold everywhere (DESIGN.md §5):

* ``lang="nb"`` (default): decimal comma, a no-break space (U+00A0) between groups of
  three digits (also in four-digit numbers, so columns line up), the typographic minus
  sign "−" (U+2212, as Språkrådet recommends), a no-break space before "%", dates as
  ``24.11.2026``, intervals as ``95 % KI 1,2–3,4``.
* ``lang="en"``: decimal point, comma thousands separator, hyphen-minus "-", "12.3%",
  dates as ``24 Nov 2026``, intervals as ``95% CI 1.2 to 3.4``.

Missing values (``None``, NaN, ``pd.NA``, ``NaT``) print as an en dash "–".
Pure functions; nothing here imports pandas or numpy at module level.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

__all__ = ["MISSING", "NBSP", "ci", "date", "level_text", "month", "number", "p_value", "percent", "signed_percent"]

NBSP = "\u00a0"
MINUS = "\u2212"
MISSING = "\u2013"  # en dash
_LANGS = ("nb", "en")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _check_lang(lang: str) -> str:
    if lang not in _LANGS:
        raise ValueError(f'lang={lang!r} is not supported. Expected "nb" (bokmål) or "en" (English).')
    return lang


def _is_missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return bool(x != x)  # NaN, NaT
    except TypeError:  # pd.NA raises on bool()
        return True


def number(x: float | int | None, *, decimals: int = 0, lang: str = "nb", sign: bool = False) -> str:
    """Format a number with the conventions of ``lang``.

    Parameters
    ----------
    x : number or None
        The value; ``None``/NaN gives "–", infinities "∞"/"−∞".
    decimals : int
        Digits after the decimal mark (rounded half to even, as Python does).
    lang : {"nb", "en"}
    sign : bool
        Show "+" on positive values (for changes).

    Examples
    --------
    >>> number(-1234.5, decimals=1)
    '−1\\xa0234,5'
    >>> number(1234.5, decimals=1, lang="en")
    '1,234.5'
    """
    _check_lang(lang)
    if _is_missing(x):
        return MISSING
    value = float(x)
    minus = MINUS if lang == "nb" else "-"
    if math.isinf(value):
        return ("" if value > 0 else minus) + "\u221e"
    text = f"{abs(value):,.{max(int(decimals), 0)}f}"
    if float(text.replace(",", "")) == 0:  # no "−0,0"
        value = 0.0
    if lang == "nb":
        text = text.replace(",", NBSP).replace(".", ",")
    if value < 0:
        return minus + text
    if sign and value > 0:
        return "+" + text
    return text


def percent(x: float | None, *, decimals: int = 1, lang: str = "nb", sign: bool = False) -> str:
    """Format a share (0.123) as a percentage: "12,3 %" (nb) or "12.3%" (en)."""
    _check_lang(lang)
    if _is_missing(x):
        return MISSING
    text = number(float(x) * 100, decimals=decimals, lang=lang, sign=sign)
    return text + (NBSP + "%" if lang == "nb" else "%")


def signed_percent(x: float | None, *, decimals: int = 1, lang: str = "nb") -> str:
    """A relative change as a signed percentage: 0.05 → "+5,0 %", -0.106 → "−10,6 %"."""
    return percent(x, decimals=decimals, lang=lang, sign=True)


def date(d: dt.date | dt.datetime | Any, *, lang: str = "nb") -> str:
    """Format a date: "24.11.2026" (nb) or "24 Nov 2026" (en).

    Accepts ``datetime.date``, ``datetime.datetime``, ``pandas.Timestamp``,
    ``numpy.datetime64`` and ISO strings. The time of day is dropped.
    """
    _check_lang(lang)
    if _is_missing(d):
        return MISSING
    if isinstance(d, str):
        from samorg.dates import parse_date

        d = parse_date(d[:10] if len(d) > 10 and d[10:11] in ("T", " ") else d, where="fmt.date")
    elif not isinstance(d, dt.date):
        if hasattr(d, "to_pydatetime"):
            d = d.to_pydatetime()
        elif type(d).__name__ == "datetime64":
            import pandas as pd

            d = pd.Timestamp(d).to_pydatetime()
        else:
            raise TypeError(f"date() expected a date, datetime or ISO string, got {type(d).__name__}: {d!r}")
    if lang == "nb":
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    return f"{d.day} {_EN_MONTHS[d.month - 1]} {d.year}"


def time_value(value: Any, *, lang: str = "nb") -> str:
    """A time on a model's time axis: a date as :func:`date`, a whole number (a year, a period
    index) without a thousands separator ("2020", never "2 020"), other numbers with two decimals.

    >>> time_value(2020), time_value("2020-03-01"), time_value(12.5, lang="en")
    ('2020', '01.03.2020', '12.50')
    """
    _check_lang(lang)
    if _is_missing(value):
        return MISSING
    if isinstance(value, (int, float)) and not isinstance(value, bool) or type(value).__name__.startswith(
            ("int", "float", "uint")):
        number_value = float(value)
        if number_value.is_integer():
            return (MINUS if number_value < 0 and lang == "nb" else "-" if number_value < 0 else "") + str(
                abs(int(number_value)))
        return number(number_value, decimals=2, lang=lang)
    return date(value, lang=lang)


def month(d: dt.date | Any, *, lang: str = "nb") -> str:
    """Format the month of a date: "11.2026" (nb) or "Nov 2026" (en)."""
    full = date(d, lang=lang)
    if full == MISSING:
        return full
    return full[3:] if lang == "nb" else full.split(" ", 1)[1]


def ci(
    low: float | None,
    high: float | None,
    *,
    decimals: int = 2,
    lang: str = "nb",
    pct: bool = False,
    level: float = 0.95,
    label: bool = True,
) -> str:
    """Format a confidence interval.

    nb: "95 % KI 1,2–3,4"; when a bound is negative the dash would read as a minus,
    so "95 % KI −1,2 til 3,4". en: "95% CI 1.2 to 3.4". With ``pct=True`` the bounds
    are shares shown as percentages ("95 % KI 12,3–15,6 %"). ``label=False`` drops
    the "95 % KI" prefix.
    """
    _check_lang(lang)
    scale = 100 if pct else 1
    lo, hi = (MISSING if _is_missing(v) else number(float(v) * scale, decimals=decimals, lang=lang) for v in (low, high))
    unit = (NBSP + "%" if lang == "nb" else "%") if pct else ""
    if lang == "nb":
        negative = any(not _is_missing(v) and float(v) < 0 for v in (low, high))
        body = f"{lo} til {hi}{unit}" if negative or MISSING in (lo, hi) else f"{lo}\u2013{hi}{unit}"
        prefix = f"{level_text(level, lang=lang)} KI "
    else:
        body = f"{lo}{unit} to {hi}{unit}"
        prefix = f"{level_text(level, lang=lang)} CI "
    return (prefix if label else "") + body


def level_text(level: float, *, lang: str = "nb") -> str:
    """A confidence level as text: 0.95 → "95 %" (nb) / "95%" (en)."""
    digits = 0 if abs(level * 100 - round(level * 100)) < 1e-9 else 1
    return percent(level, decimals=digits, lang=lang)


def p_value(p: float | None, *, lang: str = "nb", min_attainable: float | None = None) -> str:
    """Format a p-value: "p = 0,046", "p < 0,001" (nb) / "p = 0.046", "p < 0.001" (en).

    Three decimals, or "p < 0,001" below that. When ``min_attainable`` (the smallest
    p-value the design can give, e.g. 1/(J+1) for a permutation test) is given and
    ``p`` is at that floor, the text says so: "p = 0,048 (minste oppnåelige)" /
    "p = 0.048 (smallest attainable)", because such a p-value is as small as the design
    allows, not a measure of how strong the evidence is.
    """
    _check_lang(lang)
    if _is_missing(p):
        return "p = " + MISSING
    p = float(p)
    if not 0 <= p <= 1 + 1e-12:
        raise ValueError(f"p_value() got {p!r}, which is not a probability between 0 and 1.")
    if p < 0.001 and (min_attainable is None or min_attainable < 0.001):
        text = "p < " + number(0.001, decimals=3, lang=lang)
    elif p > 0.999:
        text = "p > " + number(0.999, decimals=3, lang=lang)
    else:
        text = "p = " + number(min(p, 1.0), decimals=3, lang=lang)
    if min_attainable is not None and p <= float(min_attainable) * (1 + 1e-9):
        text += " (minste oppnåelige)" if lang == "nb" else " (smallest attainable)"
    return text
