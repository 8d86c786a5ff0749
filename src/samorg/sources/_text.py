"""Shared helpers for the readers: decoding, header matching, Norwegian numbers and dates."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from samorg.errors import SourceFormatError

ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
MISSING = {"", "-", "–", ".", "..", ":", "..."}
_SSB_SYMBOLS = {".", "..", ":", "..."}
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
MONTHS_NB = {"januar": 1, "februar": 2, "mars": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7, "august": 8,
             "september": 9, "oktober": 10, "november": 11, "desember": 12}


def read_text(path: Path) -> tuple[str, str]:
    """The file's text and the encoding that decoded it: UTF-8 (with or without BOM), else cp1252/Latin-1."""
    data = Path(path).read_bytes()
    for enc in ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any byte string")  # pragma: no cover


def read_rows(path: Path, *, sep: str | None = None) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of a delimited file (delimiter sniffed from ``;`` and ``,`` unless given)."""
    text, _ = read_text(path)
    if not text.strip():
        raise SourceFormatError(path, found="the file is empty", expected="a header row and data rows")
    if sep is None:
        first = text.split("\n", 1)[0]
        sep = ";" if first.count(";") >= first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    rows = [r for r in rows if any(c.strip() for c in r)]
    return rows[0], rows[1:]


def norm_header(text: str) -> str:
    """A header as compared with aliases: line breaks and repeated spaces collapsed, case folded."""
    return _SPACES.sub(" ", str(text)).strip().casefold()


def match_columns(header: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Map canonical names to column positions, through each name's aliases (exact after norm_header)."""
    index = {norm_header(h): i for i, h in enumerate(header)}
    found = {}
    for name, alts in aliases.items():
        for alt in alts:
            if norm_header(alt) in index:
                found[name] = index[norm_header(alt)]
                break
    return found


def require(path: Path, found: dict[str, int], aliases: dict[str, tuple[str, ...]], header: list[str],
            required: tuple[str, ...]) -> None:
    """Raise a SourceFormatError naming every required column that is missing."""
    missing = [n for n in required if n not in found]
    if missing:
        wanted = "; ".join(f"{n} (as {' / '.join(repr(a) for a in aliases[n])})" for n in missing)
        raise SourceFormatError(
            path, row=1, found=f"no column for {', '.join(missing)}; the columns are "
            + ", ".join(repr(h) for h in header),
            expected=f"columns {wanted}",
            fix="Rename the column in the export, or add its name as an alias in the reader's catalogue.")


def parse_number(text: str | float | int | None) -> tuple[float, str]:
    """A Norwegian-formatted number → (value, status).

    Handles ``"307 528 "`` (spaces, no-break spaces, trailing space), decimal comma ``"15,6"``,
    ``"1.234,5"``, plain floats ``"3024.0"``. Missing markers (``""``, ``-``, SSB's ``.``, ``..``,
    ``:``) give ``(nan, status)`` where status is the SSB symbol, or ``..`` for ``""``/``-``.
    Raises ValueError for anything else.
    """
    if text is None:
        return float("nan"), ".."
    if isinstance(text, (int, float)):
        return float(text), ("" if text == text else "..")
    s = _SPACES.sub("", str(text))
    if s in MISSING:
        return float("nan"), (s if s in _SSB_SYMBOLS else "..")
    if s.startswith("−"):
        s = "-" + s[1:]
    if "," in s and "." in s:
        s = s.replace(".", "").replace(",", ".")
    elif "," in s:
        s = s.replace(",", ".")
    return float(s), ""


def parse_month(text: str) -> dt.date:
    """First day of the month written as ``2019-01``, ``01.2019``, ``1.2019``, ``januar 2019`` or a date."""
    s = str(text).strip().casefold()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", s)
    if m:
        return dt.date(int(m[1]), int(m[2]), 1)
    m = re.fullmatch(r"(?:\d{1,2}\.)?(\d{1,2})\.(\d{4})", s)
    if m:
        return dt.date(int(m[2]), int(m[1]), 1)
    m = re.fullmatch(r"([a-zæøå]+)\.? (\d{4})", s)
    if m:
        for name, number in MONTHS_NB.items():
            if name.startswith(m[1]) and len(m[1]) >= 3:
                return dt.date(int(m[2]), number, 1)
    raise ValueError(text)


def parse_datetime(text: str) -> dt.datetime:
    """``24.11.2026 13:05``, ``24.11.2026``, ``2026-11-24T13:05`` or ``2026-11-24 13:05:00``."""
    s = str(text).strip()
    for fmt in ("%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(s, fmt)
        except ValueError:
            continue
    raise ValueError(text)
