"""Shared helpers for the readers: decoding, delimited records, header matching, Norwegian numbers and dates."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from samorg.errors import SourceFormatError
from samorg.sources._errors import (DateRangeError, EmptyFileError, EncodingError, MissingColumnError,
                                    TruncatedFileError, ValueFormatError)

ENCODINGS = ("utf-8-sig", "cp1252")
MISSING = {"", "-", "–", ".", "..", ":", "..."}
_SSB_SYMBOLS = {".", "..", ":", "..."}
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
#: text encoded twice: UTF-8 bytes read as cp1252/Latin-1 and saved again ("Ã¸" for "ø")
_MOJIBAKE = re.compile("[ÃÂ][\u00a0-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                       "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")
MONTHS_NB = {"januar": 1, "februar": 2, "mars": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7, "august": 8,
             "september": 9, "oktober": 10, "november": 11, "desember": 12}
#: dates outside this range are refused: no study data can have them (two-digit years, Excel serials)
DATE_RANGE = (dt.date(1980, 1, 1), dt.date(2049, 12, 31))
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def _line_of(data: bytes, pos: int) -> int:
    return data[:pos].count(b"\n") + 1


def decode(data: bytes, path: str | Path, *, encoding: str | None = None) -> tuple[str, str]:
    """Decode a text file's bytes; return ``(text, encoding)``.

    Without ``encoding``: UTF-16 with a byte-order mark, else UTF-8 (with or without BOM), else
    cp1252 (a superset of ISO-8859-1 for printable text). Raises :class:`EmptyFileError` for no
    bytes and :class:`EncodingError` for binary data, undecodable bytes or text encoded twice.
    """
    if not data.strip():
        raise EmptyFileError(path, row=1, found="the file is empty", expected="a file with data in it")
    if data[:4] == b"PK\x03\x04":
        raise EncodingError(path, row=1, found="a ZIP archive (an XLSX workbook?) where text was expected",
                            expected="a delimited text file (CSV)",
                            fix="Give the workbook a .xlsx name, or save it as CSV (UTF-8) in Excel.")
    if encoding is None and data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    if encoding is None and b"\x00" in data:
        pos = data.index(b"\x00")
        raise EncodingError(path, row=_line_of(data, pos), found="NUL bytes: binary data, or UTF-16 without a "
                            "byte-order mark", expected="text in UTF-8 or cp1252/ISO-8859-1")
    tried = (encoding,) if encoding else ENCODINGS
    text = used = None
    last: UnicodeDecodeError | None = None
    for enc in tried:
        try:
            text, used = data.decode(enc), enc
            break
        except (UnicodeDecodeError, LookupError) as exc:
            if isinstance(exc, LookupError):
                raise EncodingError(path, row=1, found=f"the encoding name {encoding!r} is unknown",
                                    expected="an encoding such as utf-8, cp1252 or latin-1") from None
            last = exc
    if text is None:
        assert last is not None
        bad = data[last.start:last.start + 1]
        raise EncodingError(path, row=_line_of(data, last.start),
                            found=f"byte 0x{bad.hex().upper()} cannot be {'/'.join(tried)} text",
                            expected="text in UTF-8 or cp1252/ISO-8859-1") from None
    m = _MOJIBAKE.search(text)
    if m:
        raise EncodingError(path, row=text[:m.start()].count("\n") + 1,
                            found=f"{m.group()!r} where a Norwegian letter belongs: the text was encoded twice "
                            "(UTF-8 read as Latin-1 and saved again)", expected="æ, ø, å written once",
                            fix="Export the file again from the source system, or repair it (e.g. with ftfy) "
                            "before reading.")
    return text.removeprefix("\ufeff"), used


def read_text(path: str | Path, *, encoding: str | None = None) -> tuple[str, str]:
    """The file's text and the encoding that decoded it (see :func:`decode`)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceFormatError(path, row=None, column=None, found=f"the file cannot be read ({exc.strerror})",
                                expected="a readable file", fix="Check the path and the file's permissions.") from None
    return decode(data, path, encoding=encoding)


def detect_encoding(path: str | Path) -> str:
    """The encoding samorg's readers decode ``path`` with (``utf-8-sig``, ``cp1252`` or ``utf-16``).

    Raises :class:`EncodingError` when no supported encoding fits.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes("Filial;Besøk\\n".encode("cp1252"))
    >>> detect_encoding(p)
    'cp1252'
    """
    return read_text(path)[1]


@dataclass
class Records:
    """A delimited file split into records, each with its row number (header row = 1, blank rows counted)."""

    rows: list[tuple[int, list[str]]]
    sep: str
    encoding: str
    ends_with_newline: bool


def sniff_separator(text: str) -> str:
    """``;``, ``,`` or tab: whichever the first lines hold most of outside quotes (``;`` on ties, and by default)."""
    lines = [line for line in text.splitlines()[:20] if line.strip()][:10]
    bare = re.sub(r'"[^"]*"', "", "\n".join(lines))
    counts = {s: bare.count(s) for s in (";", ",", "\t")}
    best = max(counts, key=lambda s: (counts[s], s == ";"))
    return best if counts[best] else ";"


def read_records(path: str | Path, *, sep: str | None = None, encoding: str | None = None) -> Records:
    """All records of a delimited text file, with row numbers; blank records dropped.

    Raises
    ------
    EmptyFileError, EncodingError
        See :func:`decode`.
    TruncatedFileError
        The file ends inside a quoted field.
    ValueFormatError
        A quote is misplaced (text after a closing quote).
    """
    path = Path(path)
    text, used = read_text(path, encoding=encoding)
    sep = sep or sniff_separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    rows: list[tuple[int, list[str]]] = []
    n = 0
    try:
        for n, rec in enumerate(reader, start=1):
            if any(c.strip() for c in rec):
                rows.append((n, rec))
    except csv.Error as exc:
        row = n + 1
        if "end of data" in str(exc):
            raise TruncatedFileError(path, row=row, found="the file ends inside a quoted field",
                                     expected="every opening quote closed") from None
        raise ValueFormatError(path, row=row, found=f"malformed quoting ({exc})",
                               expected=f"fields separated by {sep!r}, quotes only around whole fields",
                               fix="Re-export the file with standard CSV quoting.") from None
    if not rows:
        raise EmptyFileError(path, row=1, found="no rows with text", expected="a header row and data rows")
    return Records(rows, sep, used, text.endswith(("\n", "\r")))


def read_rows(path: Path, *, sep: str | None = None) -> tuple[list[str], list[list[str]]]:
    """Header and data rows of a delimited file (kept for callers of the first version)."""
    rec = read_records(path, sep=sep)
    return rec.rows[0][1], [r for _, r in rec.rows[1:]]


def norm_header(text: object) -> str:
    """A header as compared with aliases: line breaks and repeated spaces collapsed, case folded."""
    return _SPACES.sub(" ", str(text)).strip().casefold()


def match_columns(header: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Map canonical names to column positions, through each name's aliases (exact after norm_header)."""
    index: dict[str, int] = {}
    for i, h in enumerate(header):
        index.setdefault(norm_header(h), i)
    found = {}
    for name, alts in aliases.items():
        for alt in alts:
            if norm_header(alt) in index:
                found[name] = index[norm_header(alt)]
                break
    return found


def require(path: Path, found: dict[str, int], aliases: dict[str, tuple[str, ...]], header: list[str],
            required: tuple[str, ...], *, row: int = 1) -> None:
    """Raise a MissingColumnError naming every required column that is missing."""
    missing = [n for n in required if n not in found]
    if missing:
        wanted = "; ".join(f"{n} (as {' / '.join(repr(a) for a in aliases[n])})" for n in missing)
        raise MissingColumnError(
            path, row=row, column=missing[0], found=f"no column for {', '.join(missing)}; the columns are "
            + ", ".join(repr(norm_header(h)) for h in header),
            expected=f"columns {wanted}")


def parse_number(text: str | float | int | None) -> tuple[float, str]:
    """A Norwegian-formatted number → (value, status).

    Handles ``"307 528 "`` (spaces, no-break spaces, trailing space), decimal comma ``"15,6"``,
    ``"1.234,5"``, plain floats ``"3024.0"``. Missing markers (``""``, ``-``, SSB's ``.``, ``..``,
    ``...``, ``:``) give ``(nan, status)`` where status is the SSB symbol, or ``..`` for ``""``/``-``.
    Raises ValueError for anything else (also for infinities and NaN written out).

    Examples
    --------
    >>> parse_number("307 528 "), parse_number("15,6"), parse_number(":")
    ((307528.0, ''), (15.6, ''), (nan, ':'))
    """
    if text is None:
        return float("nan"), ".."
    if isinstance(text, bool):
        raise ValueError(text)
    if isinstance(text, (int, float)):
        value = float(text)
        if value in (float("inf"), float("-inf")):
            raise ValueError(text)
        return value, ("" if value == value else "..")
    s = _SPACES.sub("", str(text))
    if s in MISSING:
        return float("nan"), (s if s in _SSB_SYMBOLS else "..")
    if s[:1] in ("−", "–"):
        s = "-" + s[1:]
    if not re.fullmatch(r"[-+]?(\d+([.,]\d*)*|[.,]\d+)([eE][-+]?\d+)?", s):
        raise ValueError(text)
    if "," in s and "." in s:
        s = s.replace(".", "").replace(",", ".")
    elif s.count(",") == 1:
        s = s.replace(",", ".")
    elif s.count(",") > 1 or s.count(".") > 1:
        sep = "," if "," in s else "."
        if not re.fullmatch(r"[-+]?\d{1,3}(\%s\d{3})+" % sep, s):
            raise ValueError(text)
        s = s.replace(sep, "")
    return float(s), ""


def in_range(day: dt.date | dt.datetime, path: Path | str, row: int, column: str, raw: object) -> None:
    """Raise :class:`DateRangeError` if ``day`` lies outside :data:`DATE_RANGE`."""
    d = day.date() if isinstance(day, dt.datetime) else day
    lo, hi = DATE_RANGE
    if not lo <= d <= hi:
        raise DateRangeError(path, row=row, column=column, found=f"{raw!r} is the date {d.isoformat()}",
                             expected=f"a date between {lo:%d.%m.%Y} and {hi:%d.%m.%Y}")


def excel_serial(value: float) -> dt.datetime:
    """An Excel serial day number (as a date cell reads when it lost its format) → datetime."""
    if not 20000 <= value <= 60000:
        raise ValueError(value)
    return _EXCEL_EPOCH + dt.timedelta(days=float(value))


def parse_month(text: object) -> dt.date:
    """First day of the month written as ``2019-01``, ``01.2019``, ``1.2019``, ``januar 2019``, ``2019M01`` or a date."""
    if isinstance(text, dt.datetime):
        return dt.date(text.year, text.month, 1)
    if isinstance(text, dt.date):
        return dt.date(text.year, text.month, 1)
    s = str(text).strip().casefold()
    m = re.fullmatch(r"(\d{4})(?:-|m)(\d{1,2})(?:-\d{1,2})?", s)
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
    day = parse_datetime(text)  # a full date (and time): its month
    return dt.date(day.year, day.month, 1)


_DATETIME_FORMATS = ("%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y kl. %H:%M", "%d.%m.%Y kl %H:%M",
                     "%d.%m.%Y %H.%M", "%d.%m.%Y", "%d/%m/%Y", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S",
                     "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(text: object) -> dt.datetime:
    """``24.11.2026 13:05``, ``24.11.2026``, ``24.11.2026 kl. 13:05``, ``2026-11-24T13:05`` or ``2026-11-24 13:05:00``.

    Years must have four digits (``01.03.19`` is refused rather than read as year 19).
    """
    if isinstance(text, dt.datetime):
        return text
    if isinstance(text, dt.date):
        return dt.datetime.combine(text, dt.time())
    s = _SPACES.sub(" ", str(text)).strip()
    if not re.search(r"\d{4}", s):
        raise ValueError(text)
    for fmt in _DATETIME_FORMATS:
        try:
            return dt.datetime.strptime(s, fmt)
        except ValueError:
            continue
    raise ValueError(text)
