"""The parts of a study file that describe its design, so no report or analysis hard-codes them.

Everything a report says about a study comes from the study's own files (``docs/config.md``):
the washout (exclusion) windows and the windows left out in sensitivity analyses, the baseline year
of descriptive before/after comparisons, the primary indicator of each aim, the national comparison
(reorganisation date and donor pool) and the words the reports use about the study, in bokmål and
English. :mod:`samorg.config` calls the parsers here; they add to a list of problems rather than raise,
so a researcher sees every problem in one pass.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from samorg.dates import DateError, parse_date
from samorg.errors import Problem

__all__ = [
    "AIMS",
    "MUNICIPALITY_ROLES",
    "NationalDesign",
    "SITE_ROLES",
    "Text",
    "Window",
    "parse_date_key",
    "parse_national",
    "parse_primary",
    "parse_text",
    "parse_window",
    "parse_windows",
    "parse_words",
]

#: The six aims of the funded project (DESIGN.md §1), by number.
AIMS = (1, 2, 3, 4, 5, 6)
#: What a site is to the analysis (docs/config.md: roles).
SITE_ROLES = ("treated", "comparison", "excluded")
#: What a municipality is to the analysis.
MUNICIPALITY_ROLES = ("treated", "comparison")
#: Words the reports use about the study; each has a bokmål and an English default in report/text.py.
WORD_KEYS = ("topic", "reorganisation")


class Text(str):
    """A piece of study text: the string itself is bokmål, ``.en`` the English version.

    A plain string in the study file is used for both languages.

    >>> w = Text("gjenåpningsåret", en="the reopening year")
    >>> w.in_lang("en"), str(w)
    ('the reopening year', 'gjenåpningsåret')
    """

    en: str

    def __new__(cls, nb: str, *, en: str | None = None) -> "Text":
        obj = super().__new__(cls, nb)
        obj.en = nb if en is None else en
        return obj

    def in_lang(self, lang: str) -> str:
        """The text in ``lang`` ("nb" or "en")."""
        return self.en if lang == "en" else str(self)

    def __reduce__(self):
        return (_text, (str(self), self.en))


def _text(nb: str, en: str) -> Text:
    return Text(nb, en=en)


@dataclass(frozen=True)
class Window:
    """A date window, inclusive at both ends (a period, a washout window or a sensitivity window)."""

    start: dt.date
    end: dt.date
    label: str = ""

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def label_in(self, lang: str) -> str:
        """The window's label in ``lang`` (its bokmål label when no English one was given)."""
        return self.label.in_lang(lang) if isinstance(self.label, Text) else str(self.label)

    def as_tuple(self, lang: str = "nb") -> tuple[dt.date, dt.date, str]:
        """``(start, end, label)`` as the estimators' ``exclude=`` takes it."""
        return self.start, self.end, self.label_in(lang)


@dataclass(frozen=True)
class NationalDesign:
    """How the treated municipalities are compared with the rest of the country (synthetic control).

    ``intervention`` is the first year that counts as "after" in the annual national statistics
    (by default the year of the earliest co-organisation among the treated municipalities).
    The donor pool is every municipality in the national data except the treated ones, narrowed by
    ``donors_include`` (only these, when given) and ``donors_exclude`` (never these).
    """

    outcome: str = "visits_per_inhabitant"
    intervention: int | None = None
    donors_include: tuple[str, ...] = ()
    donors_exclude: tuple[str, ...] = ()

    def donors(self, available: set[str] | list[str], treated: set[str]) -> list[str]:
        """The donor pool: ``available`` codes minus the treated ones, narrowed as configured."""
        pool = [c for c in sorted(set(available)) if c not in treated and c not in self.donors_exclude]
        if self.donors_include:
            pool = [c for c in pool if c in self.donors_include]
        return pool


def parse_date_key(value: Any, where: str, problems: list[Problem], *, required: bool) -> dt.date | None:
    """A date from the study file, read by the same parser the estimators use (:func:`samorg.dates.parse_date`)."""
    if value is None:
        if required:
            problems.append(Problem(where, "is missing", "a date such as 2020-01-01"))
        return None
    try:
        return parse_date(value, where=where)
    except DateError:
        problems.append(Problem(where, f"{value!r} is not a valid date",
                                "a real calendar date written 2020-01-01 (or 01.01.2020, day first)"))
        return None


def parse_text(raw: Any, where: str, problems: list[Problem]) -> Text | None:
    """``"tekst"`` (both languages) or ``{nb: "tekst", en: "text"}``."""
    if raw is None:
        return None
    if isinstance(raw, dict):
        unknown = set(raw) - {"nb", "en"}
        if unknown or "nb" not in raw:
            problems.append(Problem(where, f"is {raw!r}", 'a text, or {nb: "bokmål", en: "English"} with nb given'))
            return None
        return Text(str(raw["nb"]), en=str(raw.get("en", raw["nb"])))
    if isinstance(raw, (str, int, float)) and not isinstance(raw, bool):
        return Text(str(raw))
    problems.append(Problem(where, f"is {raw!r}", 'a text, or {nb: "bokmål", en: "English"}'))
    return None


def parse_window(raw: Any, where: str, problems: list[Problem]) -> Window | None:
    """``{start: 2020-03-01, end: 2021-12-31, label: ...}`` with the label a text or ``{nb, en}``."""
    if not isinstance(raw, dict):
        problems.append(Problem(where, f"is {raw!r}", "a mapping with start and end dates"))
        return None
    for key in raw:
        if key not in ("start", "end", "label"):
            problems.append(Problem(f"{where}.{key}", "is not a known key", "start, end, label"))
    start = parse_date_key(raw.get("start"), f"{where}.start", problems, required=True)
    end = parse_date_key(raw.get("end"), f"{where}.end", problems, required=True)
    if start and end and end < start:
        problems.append(Problem(where, f"ends ({end}) before it starts ({start})", "start on or before end"))
        return None
    if start is None or end is None:
        return None
    label = parse_text(raw.get("label", ""), f"{where}.label", problems) or Text("")
    return Window(start, end, label)


def parse_windows(raw: Any, where: str, problems: list[Problem]) -> tuple[Window, ...]:
    """A list of windows (or nothing)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(Problem(where, f"is {raw!r}", "a list of windows, each {start, end, label}"))
        return ()
    out = [parse_window(w, f"{where}[{i}]", problems) for i, w in enumerate(raw)]
    return tuple(w for w in out if w is not None)


def parse_primary(raw: Any, where: str, problems: list[Problem]) -> dict[int, str]:
    """``primary_outcomes``: a mapping aim → indicator (``{1: visits, 4: place_to_stay}``).

    The older list form (``[visits]``) means aim 1.
    """
    if raw is None:
        return {}
    if isinstance(raw, str):
        raw = [raw]
    if isinstance(raw, list):
        if len(raw) > 1:
            problems.append(Problem(where, f"lists {len(raw)} outcomes without their aims",
                                    "one primary indicator per aim, e.g. {1: visits, 2: satisfaction}",
                                    "Write the aim number before each indicator."))
        return {1: str(raw[0])} if raw else {}
    if not isinstance(raw, dict):
        problems.append(Problem(where, f"is {raw!r}", "a mapping from aim (1-6) to its primary indicator"))
        return {}
    out: dict[int, str] = {}
    for aim, indicator in raw.items():
        try:
            number = int(aim)
        except (TypeError, ValueError):
            number = 0
        if number not in AIMS:
            problems.append(Problem(f"{where}.{aim}", "is not an aim", "an aim number 1-6"))
            continue
        if not isinstance(indicator, str) or not indicator.strip():
            problems.append(Problem(f"{where}.{aim}", f"is {indicator!r}", "one indicator id, e.g. visits"))
            continue
        out[number] = indicator.strip()
    return out


def parse_words(raw: Any, where: str, problems: list[Problem]) -> dict[str, Text]:
    """``words: {topic: {nb, en}, reorganisation: {nb, en}}``: how the reports name the study's change."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append(Problem(where, f"is {raw!r}", "a mapping of " + ", ".join(WORD_KEYS)))
        return {}
    out = {}
    for key, value in raw.items():
        if key not in WORD_KEYS:
            problems.append(Problem(f"{where}.{key}", "is not a known key", "one of " + ", ".join(WORD_KEYS)))
            continue
        text = parse_text(value, f"{where}.{key}", problems)
        if text is not None:
            out[key] = text
    return out


def _codes(raw: Any, where: str, problems: list[Problem]) -> tuple[str, ...]:
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for c in items:
        c = str(c).strip()
        if not (len(c) == 4 and c.isdigit()):
            problems.append(Problem(where, f"code {c!r}", 'a 4-digit municipality code in quotes, e.g. "3005"'))
        else:
            out.append(c)
    return tuple(out)


def parse_national(raw: Any, where: str, problems: list[Problem]) -> NationalDesign:
    """``national: {outcome, intervention_year, donors: {include: [...], exclude: [...]}}`` (all optional)."""
    if raw is None:
        return NationalDesign()
    if not isinstance(raw, dict):
        problems.append(Problem(where, f"is {raw!r}", "a mapping with outcome, intervention_year and donors"))
        return NationalDesign()
    for key in raw:
        if key not in ("outcome", "intervention_year", "donors"):
            problems.append(Problem(f"{where}.{key}", "is not a known key", "outcome, intervention_year, donors"))
    year = raw.get("intervention_year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1900 < year < 2200):
        problems.append(Problem(f"{where}.intervention_year", f"{year!r}", "a year such as 2020"))
        year = None
    donors = raw.get("donors") or {}
    if not isinstance(donors, dict):
        problems.append(Problem(f"{where}.donors", f"is {donors!r}", "a mapping with include and/or exclude"))
        donors = {}
    for key in donors:
        if key not in ("include", "exclude"):
            problems.append(Problem(f"{where}.donors.{key}", "is not a known key", "include, exclude"))
    return NationalDesign(
        outcome=str(raw.get("outcome", "visits_per_inhabitant")),
        intervention=year,
        donors_include=_codes(donors.get("include"), f"{where}.donors.include", problems),
        donors_exclude=_codes(donors.get("exclude"), f"{where}.donors.exclude", problems),
    )
