"""Personal data: find and redact identifiers, hide small counts, scan rendered reports.

Three tools, one set of rules:

- :func:`redact` / :func:`redact_series` replace national identity numbers (fødselsnummer),
  D-numbers, phone numbers, e-mail addresses and configured names in free text by ``[fjernet]``.
- :func:`suppress` hides small counts in a table (primary suppression) and enough other cells
  that no hidden count can be worked out from the totals (secondary suppression);
  :func:`suppress_shares` does the same for shares of people computed from counts.
- :func:`scan_outputs` looks for identifiers in rendered reports (HTML, PDF text, executed
  notebooks) and returns where they are, never the identifier itself in full.

What counts as an identifier (:func:`find_identifiers`)
-------------------------------------------------------
national identity number / D-number
    11 digits, optionally written ``DDMMYY NNNNN``, whose **both** mod-11 check digits are valid
    and whose first six digits are a possible date (day 1–31, or 41–71 for a D-number; month
    1–12, or +40 for H-numbers and +80 for the Tax Administration's synthetic test numbers).
    An 11-digit number with wrong check digits is *kept*: it is far more often a case or order
    number than a mistyped identity number, and processed tables drop free text anyway.
phone number
    8 digits starting with 2–9, written ``91234567``, ``912 34 567`` or ``22 33 44 55``
    (space, no-break space or ``-`` between the groups), optionally after ``+47`` or ``0047``.
    Not a phone number: digits inside a longer number or word (``123456789``, a hex checksum),
    a decimal part (``0,91234567``), a group next to further digit groups (``2019 12 34 56 78``),
    and numbers grouped in thousands (``12 345 678``).
e-mail address
    ``local@domain.tld`` (letters æøå included).
name
    Each entry of a names list, as a whole word (``Kari`` is not found in ``Karina``), also with a
    genitive *s* (``Karis``), any whitespace between the parts of a full name.
    :func:`redact` ignores case. :func:`scan_outputs` ignores case for full names (two or more
    words) but matches a single-word entry only as written, so an entry such as ``Per`` does not
    stop every report that says "besøk per innbygger".
"""

from __future__ import annotations

import functools
import html as _html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from samorg.errors import PrivacyError, SamorgError

__all__ = [
    "REDACTED", "Finding", "Identifier", "SuppressedTable", "find_identifiers", "load_names", "mask",
    "redact", "redact_series", "scan_outputs", "suppress", "suppress_shares", "valid_identity_number",
]

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


# ---------------------------------------------------------------- scanning outputs

@dataclass(frozen=True)
class Finding:
    """An identifier found in a rendered output: the file, where in it, what kind, a masked excerpt."""

    file: Path
    location: str
    kind: str
    excerpt: str

    def describe(self, file_name: str | None = None) -> str:
        """One line for a researcher, e.g. ``askim.html, line 12: phone number in "…ring 9** ** **7 …"``."""
        label = KIND_LABELS.get(self.kind, self.kind)
        return f'{file_name or self.file.name}, {self.location}: {label} in "{self.excerpt}"'

    def __str__(self) -> str:
        return self.describe()


_STYLE = re.compile(r"<style\b.*?</style\s*>", re.IGNORECASE | re.DOTALL)
_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")
_TAG = re.compile(r"<[^>]*>")
_ATTR = re.compile(r"""\b(?:href|title|alt|content|aria-label)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _keep_lines(pattern: re.Pattern[str], text: str, keep_attributes: bool = False) -> str:
    """Replace each match by a separator that no identifier spans, keeping its line breaks."""
    def repl(m: re.Match[str]) -> str:
        inner = ""
        if keep_attributes:
            inner = "|".join(a or b for a, b in _ATTR.findall(m[0]))
        return "|" + inner + "|" + "\n" * m[0].count("\n")

    return pattern.sub(repl, text)


def _html_text(source: str) -> str:
    """Visible text of an HTML page (and link targets, titles, alt texts), entities decoded, lines kept."""
    text = _keep_lines(_STYLE, source)
    text = _keep_lines(_DATA_URI, text)
    text = _keep_lines(_TAG, text, keep_attributes=True)
    return _html.unescape(text)


def _scan_text(text: str, file: Path, where, names: tuple[str, ...]) -> list[Finding]:
    found = _find(text, names, True)
    return [Finding(file, where(i), i.kind, _excerpt(text, i, found)) for i in found]


def _scan_html(path: Path, names: tuple[str, ...]) -> list[Finding]:
    text = _html_text(path.read_text(encoding="utf-8", errors="replace"))
    return _scan_text(text, path, lambda i: f"line {text.count(chr(10), 0, i.start) + 1}", names)


def _scan_pdf(path: Path, names: tuple[str, ...]) -> list[Finding]:
    try:
        from pypdf import PdfReader
    except ImportError as exc:  # fail closed: an unscanned PDF is not published
        raise PrivacyError(f"{path}: the PDF cannot be scanned for personal data without pypdf "
                           "(`pip install pypdf`).") from exc
    try:
        pages = [page.extract_text() or "" for page in PdfReader(path).pages]
    except Exception as exc:  # noqa: BLE001 - any unreadable PDF fails closed
        raise PrivacyError(f"{path}: the PDF cannot be read to scan it for personal data ({exc}).") from exc
    findings = []
    for number, text in enumerate(pages, start=1):
        findings += _scan_text(text, path, lambda i, n=number: f"page {n}", names)
    return findings


def _output_texts(output: dict) -> list[str]:
    kind = output.get("output_type")
    if kind == "stream":
        return [_join(output.get("text", ""))]
    if kind == "error":
        return [str(output.get("ename", "")), str(output.get("evalue", "")),
                _ANSI.sub("", "\n".join(output.get("traceback", [])))]
    texts = []
    for mime, value in (output.get("data") or {}).items():
        if mime.startswith("image/") and mime != "image/svg+xml":
            continue  # binary pictures: nothing to read
        value = _join(value) if isinstance(value, (str, list)) else json.dumps(value, ensure_ascii=False)
        texts.append(_html_text(value) if mime in ("text/html", "image/svg+xml") else value)
    return texts


def _join(value: str | list) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _scan_ipynb(path: Path, names: tuple[str, ...]) -> list[Finding]:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (ValueError, KeyError, TypeError) as exc:
        raise PrivacyError(f"{path}: the notebook cannot be read to scan it for personal data ({exc}).") from exc
    findings = []
    for number, cell in enumerate(cells, start=1):
        findings += _scan_text(_join(cell.get("source", "")), path, lambda i, n=number: f"cell {n} (input)", names)
        for output in cell.get("outputs", []):
            for text in _output_texts(output):
                findings += _scan_text(text, path, lambda i, n=number: f"cell {n} (output)", names)
    return findings


def scan_outputs(paths: Iterable[str | Path], *, names: Iterable[str] = ()) -> list[Finding]:
    """Look for identifiers in rendered outputs; return every finding (an empty list: nothing found).

    Parameters
    ----------
    paths : iterable of path
        ``.html``/``.htm`` (visible text, link targets, titles and alt texts; embedded images and
        styles skipped), ``.pdf`` (the text of each page, via pypdf), ``.ipynb`` (cell sources and
        text outputs; images skipped); anything else is read as UTF-8 text. Files are only read.
    names : iterable of str
        Names that must not appear (full names ignoring case, single words as written).

    Returns
    -------
    list of Finding
        File, location (``line 12``, ``page 2``, ``cell 5 (output)``), kind and an excerpt in
        which every identifier is masked (:func:`mask`).

    Raises
    ------
    PrivacyError
        A file cannot be read, so it cannot be shown to be free of identifiers.

    Examples
    --------
    >>> scan_outputs(["reports/askim/askim.html", "reports/askim/askim.pdf"])  # doctest: +SKIP
    []
    """
    names = tuple(names)
    findings: list[Finding] = []
    for path in map(Path, paths):
        if not path.is_file():
            raise PrivacyError(f"{path}: no such file to scan for personal data.")
        suffix = path.suffix.lower()
        if suffix in (".html", ".htm"):
            findings += _scan_html(path, names)
        elif suffix == ".pdf":
            findings += _scan_pdf(path, names)
        elif suffix == ".ipynb":
            findings += _scan_ipynb(path, names)
        else:
            text = path.read_text(encoding="utf-8", errors="replace")
            findings += _scan_text(text, path, lambda i, t=text: f"line {t.count(chr(10), 0, i.start) + 1}", names)
    return findings


# ---------------------------------------------------------------- small-cell suppression

SUPPRESSION_NOTE = {
    "nb": "{marker} = skjult av personvernhensyn: færre enn {threshold} personer, eller skjult for at et "
          "lite tall ikke skal kunne regnes ut fra summene.",
    "en": "{marker} = hidden to protect privacy: fewer than {threshold} people, or hidden so that a small "
          "number cannot be worked out from the totals.",
}


@dataclass(frozen=True)
class SuppressedTable:
    """A count (or share) table after small-cell suppression.

    Attributes
    ----------
    table
        For display: the original values where shown, the marker where hidden (object dtype).
    values
        The numbers with NaN where hidden (for figures and further formatting).
    mask
        True where a cell is hidden.
    primary
        True where a cell is hidden because it is small (``0 < n < threshold``); the other hidden
        cells are secondary (hidden so the small ones cannot be worked out from totals).
    threshold, marker
        The rule and the symbol used.
    """

    table: pd.DataFrame
    values: pd.DataFrame
    mask: pd.DataFrame
    primary: pd.DataFrame
    threshold: int
    marker: str

    @property
    def secondary(self) -> pd.DataFrame:
        return self.mask & ~self.primary

    def note(self, lang: str = "nb") -> str:
        """The footnote explaining the marker, in bokmål (``"nb"``) or English (``"en"``)."""
        return SUPPRESSION_NOTE["en" if lang == "en" else "nb"].format(marker=self.marker, threshold=self.threshold)


def _counts(table: pd.DataFrame, threshold: int) -> np.ndarray:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or threshold < 1:
        raise SamorgError(f"threshold {threshold!r} is not a whole number of at least 1. Expected e.g. 5.")
    bad = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])
           or pd.api.types.is_bool_dtype(table[c])]
    if bad:
        raise SamorgError(f"suppress() needs a table of counts; the column(s) {bad!r} are not numbers. "
                          "Move labels into the index (df.set_index(...)).")
    values = table.to_numpy(dtype="float64", na_value=np.nan)
    if (values < 0).any():
        raise SamorgError("suppress() needs counts of people (0 or more); the table has negative numbers.")
    return values


def _lines(shape: tuple[int, int], known_sums: str) -> list[list[tuple[int, int]]]:
    """The lines whose sums are taken to be known: rows (with 2+ cells) and columns (with 2+ cells)."""
    n_rows, n_cols = shape
    lines = []
    if n_cols >= 2 and known_sums in ("both", "rows"):
        lines += [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    if n_rows >= 2 and known_sums in ("both", "columns"):
        lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    return lines


def _choose(cells: Iterable[tuple[int, int]], values: np.ndarray, hidden: np.ndarray,
            totals: np.ndarray) -> tuple[int, int] | None:
    """The cell to hide as a complement: not a total, not zero, in a crossing line that already has
    a hidden cell (no new line to protect), then the smallest; ties by position."""
    def key(c: tuple[int, int]) -> tuple:
        i, j = c
        crossing = hidden[i, :].any() and hidden[:, j].any()
        return (bool(totals[i, j]), values[i, j] == 0, not crossing, values[i, j], i, j)

    free = [c for c in cells if not hidden[c] and not np.isnan(values[c])]
    return min(free, key=key) if free else None


def _bridge_fix(values: np.ndarray, hidden: np.ndarray, totals: np.ndarray) -> tuple[int, int] | None:
    """A hidden cell that the row and column sums still pin down, and the cell that frees it.

    Hidden cells are edges between their row and column; a cell's value is determined by the sums
    exactly when its edge is a bridge (lies on no cycle). Hiding a cell that joins the two sides
    puts the bridge on a cycle.
    """
    n_rows, n_cols = hidden.shape
    edges = list(zip(*np.nonzero(hidden)))
    adjacency: dict[tuple[str, int], set[tuple[str, int]]] = {}
    for i, j in edges:
        adjacency.setdefault(("r", i), set()).add(("c", j))
        adjacency.setdefault(("c", j), set()).add(("r", i))
    for i, j in edges:
        side, todo = {("r", i)}, [("r", i)]
        while todo:
            node = todo.pop()
            for nxt in adjacency[node]:
                if {node, nxt} == {("r", i), ("c", j)} or nxt in side:
                    continue
                side.add(nxt)
                todo.append(nxt)
        if ("c", j) in side:
            continue  # on a cycle: safe
        rows_a = {k for t, k in side if t == "r"}
        cols_a = {k for t, k in side if t == "c"}
        cells = [(r, c) for r in range(n_rows) for c in range(n_cols)
                 if (r in rows_a) != (c in cols_a) and (r, c) != (i, j)]
        choice = _choose(cells, values, hidden, totals)
        if choice is not None:
            return choice
    return None


def suppress(
    table: pd.DataFrame,
    *,
    threshold: int = 5,
    suppress_zeros: bool = False,
    row_total: str | None = None,
    column_total: str | None = None,
    known_sums: str = "both",
    marker: str = "·",
    small_marker: str | None = None,
) -> SuppressedTable:
    """Hide small counts of people and enough other cells that no hidden count can be worked out.

    Primary suppression hides every count with ``0 < n < threshold`` (totals included). Zeros are
    shown by default: a count of nobody identifies nobody, and hiding zeros would hide that a
    service went unused; ``suppress_zeros=True`` hides them too.

    Secondary suppression assumes every row and column sum is known to the reader (printed in the
    table, or elsewhere in the report; ``known_sums`` narrows this), and hides further cells,
    repeating until nothing changes, until (1) no row or column has exactly one hidden cell, and
    (2) no hidden cell is pinned down by the sums of several lines together (each hidden cell's
    row–column edge lies on a cycle of hidden cells). The complement chosen is the smallest
    non-zero cell that is not a total, preferring cells whose other line already has a hidden
    cell. A table of one row or one column has one known sum.
    This protects against recovering a hidden count exactly; it does not hide that a hidden count
    lies in a range (the marker itself says "small or hidden").

    Parameters
    ----------
    table : DataFrame
        Counts (or weighted counts), labels in the index, every column numeric, none negative.
        Missing values (NaN) are left as they are. Not modified.
    threshold : int
        Smallest count shown (``privacy.min_cell`` in study.yaml; default 5).
    suppress_zeros : bool
        Hide zeros as well as small counts.
    row_total, column_total : str, optional
        The label of the column holding each row's total, and of the row holding each column's total,
        when the table shows them: they are then part of the lines they sum.
    known_sums : {"both", "rows", "columns"}
        Which sums a reader can know: row and column sums (default, the safe choice), only each
        row's sum (e.g. shares within rows with each row's *n* printed), or only each column's.
    marker : str
        The symbol shown for every hidden cell (default ``"·"``).
    small_marker : str, optional
        A different symbol for primary cells, e.g. ``"<5"``. By default both look the same, so a
        reader cannot tell the small cells from their complements.

    Returns
    -------
    SuppressedTable

    Examples
    --------
    >>> counts = pd.DataFrame({"telefon": [12, 3, 20], "skranke": [30, 14, 41], "digitalt": [25, 18, 9]},
    ...                       index=["Askim", "Mysen", "Svelvik"])
    >>> suppress(counts).table
            telefon skranke digitalt
    Askim         ·       ·       25
    Mysen         ·       ·       18
    Svelvik      20      41        9
    """
    if known_sums not in ("both", "rows", "columns"):
        raise SamorgError(f"known_sums={known_sums!r}. Expected 'both', 'rows' or 'columns'.")
    values = _counts(table, threshold)
    primary = (values < threshold) & ((values > 0) | suppress_zeros) & ~np.isnan(values)
    totals = np.zeros(values.shape, dtype=bool)
    if row_total is not None:
        totals[:, table.columns.get_loc(row_total)] = True
    if column_total is not None:
        totals[table.index.get_loc(column_total), :] = True
    hidden = _complements(values, primary, totals, known_sums)
    return _result(table, table, hidden, primary, threshold, marker, small_marker)


def _complements(values: np.ndarray, primary: np.ndarray, totals: np.ndarray, known_sums: str) -> np.ndarray:
    """Primary cells plus the secondary cells that keep them from being worked out (repeat until stable)."""
    hidden = primary.copy()
    lines = _lines(values.shape, known_sums)
    two_way = values.shape[0] >= 2 and values.shape[1] >= 2 and known_sums == "both"
    while True:
        changed = False
        for line in lines:
            if sum(hidden[c] for c in line) == 1:
                choice = _choose(line, values, hidden, totals)
                if choice is not None:
                    hidden[choice] = changed = True
        if changed:
            continue
        choice = _bridge_fix(values, hidden, totals) if two_way and hidden.any() else None
        if choice is None:
            return hidden
        hidden[choice] = True


def _result(original: pd.DataFrame, shown_values: pd.DataFrame, hidden: np.ndarray, primary: np.ndarray,
            threshold: int, marker: str, small_marker: str | None) -> SuppressedTable:
    mask_frame = pd.DataFrame(hidden, index=original.index, columns=original.columns)
    primary_frame = pd.DataFrame(primary, index=original.index, columns=original.columns)
    shown = shown_values.astype(object).mask(mask_frame, marker)
    if small_marker is not None:
        shown = shown.mask(primary_frame, small_marker)
    return SuppressedTable(table=shown, values=shown_values.mask(mask_frame).astype("float64"), mask=mask_frame,
                           primary=primary_frame, threshold=int(threshold), marker=marker)


def suppress_shares(
    counts: pd.DataFrame,
    *,
    within: str = "row",
    threshold: int = 5,
    suppress_zeros: bool = False,
    known_sums: str | None = None,
    marker: str = "·",
    small_marker: str | None = None,
) -> SuppressedTable:
    """Shares of people (0–1) within each row (``within="row"``) or column, with the counts' suppression.

    The counts are suppressed with :func:`suppress`; a share is hidden wherever its count is, so a
    share cannot be turned back into a small count (with the base *n* printed, a visible share is a
    visible count), and a whole line whose base is below the threshold is hidden. By default only
    the bases are taken as known (``known_sums="rows"`` for shares within rows); pass
    ``known_sums="both"`` when the report also shows the counts' totals the other way.
    ``values`` holds the shares with NaN where hidden; ``counts`` is not modified.

    Examples
    --------
    >>> counts = pd.DataFrame({"fornøyd": [40, 3], "misfornøyd": [10, 1]}, index=["Askim", "Mysen"])
    >>> suppress_shares(counts).table
          fornøyd misfornøyd
    Askim     0.8        0.2
    Mysen       ·          ·
    """
    if within not in ("row", "column"):
        raise SamorgError(f"within={within!r}. Expected 'row' or 'column'.")
    known_sums = known_sums or ("rows" if within == "row" else "columns")
    if known_sums not in ("both", "rows", "columns"):
        raise SamorgError(f"known_sums={known_sums!r}. Expected 'both', 'rows' or 'columns'.")
    values = _counts(counts, threshold)
    axis = 0 if within == "row" else 1
    base = np.nansum(values, axis=1 - axis)
    small_base = (base > 0) & (base < threshold)
    primary = ((values < threshold) & ((values > 0) | suppress_zeros) & ~np.isnan(values)
               | (small_base[:, None] if axis == 0 else small_base[None, :]))
    hidden = _complements(values, primary, np.zeros(values.shape, dtype=bool), known_sums)
    shares = counts.div(counts.sum(axis=1 - axis), axis=axis).astype("float64")
    return _result(counts, shares, hidden, primary, threshold, marker, small_marker)
