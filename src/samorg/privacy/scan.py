"""Scanning rendered reports (HTML, PDF text, executed notebooks) for personal identifiers."""

from __future__ import annotations

import html as _html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from samorg.errors import PrivacyError
from samorg.privacy.identifiers import KIND_LABELS, _excerpt, _find

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


def _pdf_pages(path: Path) -> list[str]:
    """The text of each page of a PDF, through PDFium (pypdfium2), line breaks as ``\n``.

    PDFium reads a 13-page report in about 0.04 s; pypdf, used before, took 0.6–0.8 s, and that was
    the largest step of a report after its cells (issue 17). On all 13 demo PDFs both give the same words,
    except in figures' rotated axis titles, where PDFium breaks a line inside a word ("Besøk per in" /
    "nbygger"). That text is scanned whole all the same: a figure is SVG whose text the executed
    notebook (always scanned) and the HTML hold as written.
    """
    try:
        import pypdfium2 as pdfium
    except ImportError as exc:  # fail closed: an unscanned PDF is not published
        raise PrivacyError(f"{path}: the PDF cannot be scanned for personal data without pypdfium2 "
                           "(`pip install pypdfium2`).") from exc
    pages = []
    try:
        doc = pdfium.PdfDocument(str(path))
        try:
            for number in range(len(doc)):
                page = doc[number]
                text = page.get_textpage()
                pages.append(text.get_text_bounded().replace("\r\n", "\n").replace("\r", "\n"))
                text.close()
                page.close()
        finally:
            doc.close()
    except Exception as exc:  # noqa: BLE001 - any unreadable PDF fails closed
        raise PrivacyError(f"{path}: the PDF cannot be read to scan it for personal data ({exc}).") from exc
    return pages


def _scan_pdf(path: Path, names: tuple[str, ...]) -> list[Finding]:
    findings = []
    for number, text in enumerate(_pdf_pages(path), start=1):
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
        styles skipped), ``.pdf`` (the text of each page, via PDFium), ``.ipynb`` (cell sources and
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
