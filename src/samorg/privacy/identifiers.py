"""Finding, redacting and masking personal identifiers in text (the rules: see :mod:`samorg.privacy`)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from samorg.errors import SamorgError

REDACTED = "[fjernet]"
KIND_LABELS = {
    "identity_number": "national identity number",
    "d_number": "D-number",
    "phone": "phone number",
    "email": "e-mail address",
    "name": "name",
}

# ---------------------------------------------------------------- finding identifiers

_W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_NOT_IN_NUMBER = r"(?<![\w+])(?<![0-9][.,])"
_END = r"(?!\w)(?![.,][0-9])"
_SEP = r"[ \u00a0-]"
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@(?:[\w-]+\.)+[^\W\d_]{2,}(?!\w)")
_ELEVEN = re.compile(_NOT_IN_NUMBER + r"([0-9]{6})[ \u00a0]?([0-9]{5})" + _END)
_GROUPED = (rf"(?:[2-9][0-9]{{2}}{_SEP}[0-9]{{2}}{_SEP}[0-9]{{3}}"
            rf"|[2-9][0-9]{_SEP}[0-9]{{2}}{_SEP}[0-9]{{2}}{_SEP}[0-9]{{2}})(?!{_SEP}[0-9])")
_PHONE = re.compile(
    _NOT_IN_NUMBER
    + rf"(?:(?:\+|00)47{_SEP}?(?:[2-9][0-9]{{7}}|{_GROUPED})"  # with country code
    + rf"|[2-9][0-9]{{7}}|(?<![0-9]{_SEP}){_GROUPED})"  # without: no digit group just before
    + _END
)
_CHEAP = re.compile(r"[0-9]{2}|@")


@dataclass(frozen=True)
class Identifier:
    """One identifier found in a text: its kind, where it starts and ends, and the text itself."""

    kind: str
    start: int
    end: int
    text: str


def valid_identity_number(number: str) -> bool:
    """True if 11 digits carry valid mod-11 check digits (fødselsnummer, D- and H-numbers).

    Examples
    --------
    >>> valid_identity_number("10015034365"), valid_identity_number("10015034366")
    (True, False)
    """
    if len(number) != 11 or not number.isascii() or not number.isdigit():
        return False
    d = [int(c) for c in number]
    k1 = (11 - sum(w * x for w, x in zip(_W1, d)) % 11) % 11
    k2 = (11 - sum(w * x for w, x in zip(_W2, d[:9] + [k1])) % 11) % 11
    return k1 != 10 and k2 != 10 and k1 == d[9] and k2 == d[10]


def _identity_kind(first6: str) -> str | None:
    """``"identity_number"``, ``"d_number"`` or None when the six digits cannot be a birth date."""
    day, month = int(first6[:2]), int(first6[2:4])
    kind = "identity_number"
    if day > 40:
        day, kind = day - 40, "d_number"
    if month > 80:
        month -= 80  # synthetic test persons
    elif month > 40:
        month -= 40  # H-number
    if 1 <= month <= 12 and 1 <= day <= _DAYS[month - 1]:
        return kind
    return None


@functools.lru_cache(maxsize=32)
def _names_patterns(names: tuple[str, ...], exact_single_words: bool) -> tuple[re.Pattern[str], ...]:
    entries = sorted({" ".join(n.split()) for n in names if n and n.strip()}, key=lambda n: (-len(n), n))
    if not entries:
        return ()

    def pattern(items: list[str], flags: int) -> re.Pattern[str]:
        alt = "|".join(r"\s+".join(re.escape(part) for part in n.split()) for n in items)
        return re.compile(rf"(?<!\w)(?:{alt})(?:'?s|')?(?!\w)", flags)

    if not exact_single_words:
        return (pattern(entries, re.IGNORECASE),)
    full = [n for n in entries if " " in n]
    single = [n for n in entries if " " not in n]
    return tuple(p for p in (pattern(full, re.IGNORECASE) if full else None,
                             pattern(single, 0) if single else None) if p is not None)


def _find(text: str, names: tuple[str, ...], exact_single_words: bool) -> list[Identifier]:
    found: list[Identifier] = []
    if _CHEAP.search(text):
        for m in _EMAIL.finditer(text):
            found.append(Identifier("email", m.start(), m.end(), m[0]))
        for m in _ELEVEN.finditer(text):
            kind = _identity_kind(m[1])
            if kind and valid_identity_number(m[1] + m[2]):
                found.append(Identifier(kind, m.start(), m.end(), m[0]))
        for m in _PHONE.finditer(text):
            found.append(Identifier("phone", m.start(), m.end(), m[0]))
    for pat in _names_patterns(names, exact_single_words):
        for m in pat.finditer(text):
            found.append(Identifier("name", m.start(), m.end(), m[0]))
    found.sort(key=lambda i: (i.start, -(i.end - i.start)))
    kept: list[Identifier] = []
    for ident in found:  # the first (and longest) of overlapping matches wins
        if not kept or ident.start >= kept[-1].end:
            kept.append(ident)
    return kept


def find_identifiers(text: str, *, names: Iterable[str] = ()) -> list[Identifier]:
    """Every identifier in ``text``, in order, without overlaps (rules in the module docstring).

    Names are matched ignoring case, as :func:`redact` does.

    Examples
    --------
    >>> [(i.kind, i.text) for i in find_identifiers("Ring +47 912 34 567, ikke 2019 eller 12 345 678.")]
    [('phone', '+47 912 34 567')]
    """
    return _find(text, tuple(names), False)


def redact(text: str, *, names: Iterable[str] = ()) -> str:
    """Replace every identifier in ``text`` by ``[fjernet]`` (``samorg.privacy.REDACTED``).

    Parameters
    ----------
    text : str
        Free text. Anything that is not a non-empty string (None, NaN) is returned as it is.
    names : iterable of str
        Names to remove (a staff list, a respondents' list), matched as whole words ignoring case.

    Returns
    -------
    str
        A new string; ordinary numbers (years, amounts, 11-digit numbers with wrong check digits)
        are kept.

    Examples
    --------
    >>> redact("Kari ringte fra 912 34 567 om 2 bøker, fnr 100150 34365.", names=["kari"])
    '[fjernet] ringte fra [fjernet] om 2 bøker, fnr [fjernet].'
    """
    if not isinstance(text, str) or not text:
        return text
    out = text
    for ident in reversed(_find(text, tuple(names), False)):
        out = out[:ident.start] + REDACTED + out[ident.end:]
    return out


def redact_series(values: pd.Series, *, names: Iterable[str] = ()) -> pd.Series:
    """A new Series with :func:`redact` applied to every text value (missing values stay missing).

    Only values that can hold an identifier (two digits in a row, an ``@``, or a configured name,
    found with pandas' vectorised string methods) go through :func:`redact`; each distinct value
    is redacted once. ``values`` is not modified; the result keeps its index, name and dtype.

    Examples
    --------
    >>> redact_series(pd.Series(["ok", "tlf 91234567", "ola@example.com"])).tolist()
    ['ok', 'tlf [fjernet]', '[fjernet]']
    """
    names = tuple(names)
    text = values.astype("object").where(values.notna(), None)
    is_str = text.map(lambda v: isinstance(v, str))
    as_str = text.where(is_str, "").astype(str)
    candidate = as_str.str.contains(_CHEAP.pattern, regex=True)
    for pat in _names_patterns(names, False):
        candidate |= as_str.str.contains(pat, regex=True)
    cache: dict[str, str] = {}

    def one(v: str) -> str:
        if v not in cache:
            cache[v] = redact(v, names=names)
        return cache[v]

    out = values.copy()
    hits = candidate & is_str
    if hits.any():
        redacted = text[hits].map(one)
        if isinstance(out.dtype, np.dtype) and out.dtype != object:
            out = out.astype(object)
        out[hits] = redacted
    return out


def load_names(path: str | Path) -> tuple[str, ...]:
    """Names from a UTF-8 text file, one per line; blank lines and lines starting with ``#`` are skipped.

    Raises
    ------
    SamorgError
        The file is missing or not UTF-8 text (the message names the file).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SamorgError(f"{path}: the names file does not exist. Expected a UTF-8 text file with one name "
                          "per line (privacy.names_file in study.yaml).") from None
    except UnicodeDecodeError as exc:
        raise SamorgError(f"{path}: byte {exc.start} is not UTF-8 text. Expected a UTF-8 text file with one "
                          "name per line. Save it as UTF-8 (in Excel: 'CSV UTF-8').") from None
    lines = (" ".join(line.split()) for line in text.splitlines())
    return tuple(dict.fromkeys(n for n in lines if n and not n.startswith("#")))


# ---------------------------------------------------------------- masking

def mask(identifier: str) -> str:
    """The identifier with its letters and digits starred, keeping the first (and, from 8 on, the last).

    Examples
    --------
    >>> mask("+47 912 34 567"), mask("Per")
    ('+4* *** ** **7', 'P**')
    """
    positions = [i for i, c in enumerate(identifier) if c.isalnum()]
    keep = {positions[0]} if positions else set()
    if len(positions) >= 8:
        keep.add(positions[-1])
    return "".join(c if (i in keep or not c.isalnum()) else "*" for i, c in enumerate(identifier))


def _excerpt(text: str, ident: Identifier, others: Sequence[Identifier], width: int = 30) -> str:
    start, end = max(0, ident.start - width), min(len(text), ident.end + width)
    for o in others:  # never cut an identifier in half at the window's edge
        if o.start < start < o.end:
            start = o.start
        if o.start < end < o.end:
            end = o.end
    pieces, pos = [], start
    for o in others:
        if o.end <= start or o.start >= end:
            continue
        pieces += [text[pos:o.start], mask(o.text)]
        pos = o.end
    pieces.append(text[pos:end])
    body = " ".join("".join(pieces).split())
    return ("…" if start > 0 else "") + body + ("…" if end < len(text) else "")
