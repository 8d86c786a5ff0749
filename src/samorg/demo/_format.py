"""Deterministic text and spreadsheet output for the demo writers."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

NBSP = "\u00a0"
_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def thousands(value: float | int, sep: str = " ", *, trailing: str = "") -> str:
    """An integer written with a thousands separator: ``307 528``."""
    text = f"{int(round(value)):,}".replace(",", sep)
    return text + trailing


def decimal_comma(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def write_text(path: Path, text: str, *, encoding: str = "utf-8", newline: str = "\n") -> None:
    """Write ``text`` (with ``\\n`` line ends) as bytes: the same text gives the same file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.replace("\n", newline).encode(encoding)
    path.write_bytes(data)


def csv_line(values: list[str], sep: str) -> str:
    out = []
    for v in values:
        v = str(v)
        if sep in v or '"' in v or "\n" in v or "\r" in v:
            v = '"' + v.replace('"', '""') + '"'
        out.append(v)
    return sep.join(out)


_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def normalise_xlsx(data: bytes) -> bytes:
    """Rewrite an .xlsx so it is byte-identical between runs and machines: fixed zip times and document
    dates, and every XML part in canonical form (C14N 2.0), since openpyxl writes the same workbook in
    other bytes when lxml is installed (``<a/>`` for ``<a />``, namespaces declared elsewhere)."""
    import xml.etree.ElementTree as ET

    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            content = src.read(name)
            if name == "docProps/core.xml":
                text = content.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                              r"\g<1>2022-04-01T08:00:00Z\g<3>", text)
                content = text.encode("utf-8")
            if name.endswith((".xml", ".rels")):
                content = _XML_DECLARATION + ET.canonicalize(content.decode("utf-8")).encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, content)
    return out.getvalue()
