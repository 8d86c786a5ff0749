"""Alt text for every figure of a rendered report, and SVG made ready to sit inside an HTML page.

A report notebook follows each figure with its caption («*Figur 3: Månedlige besøk ved … Kilde: ….*»,
from :func:`samorg.report.appendix.caption` and friends). :func:`describe_figures` gives each figure
the caption's text, up to its source, as alt text (``output.metadata[mime]["alt"]``); a figure that
carries its own alt text (:func:`samorg.report.figures.with_alt`) keeps it. A figure with neither is
an error: no report is published with an image a screen reader cannot describe (EVIDENCE.md §9).
"""

from __future__ import annotations

import copy
import html
import re
from typing import Any

from samorg.errors import ReportError

__all__ = ["IMAGE_TYPES", "describe_figures", "inline_svg"]

#: Output types drawn as images, in the order nbconvert and pandoc prefer them.
IMAGE_TYPES = ("image/svg+xml", "image/png", "image/jpeg", "image/gif")

#: A caption: «Figur 3: …» / «Figure 3. …», possibly in Markdown emphasis.
_CAPTION = re.compile(r"^[\s*_]*(?:Figur|Figure)\s+\d+[a-z]?\s*[:.]", re.IGNORECASE)
_SOURCE = re.compile(r"\s+(?:Kilde|Source)\s*:.*$", re.IGNORECASE | re.DOTALL)


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _plain(markdown: str) -> str:
    """The caption's words without Markdown emphasis, links or line breaks, and without its source."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)  # [text](url) → text
    text = re.sub(r"(?<![\w\\])[*_]+|[*_]+(?![\w])", "", text)  # emphasis markers, not in words
    text = " ".join(text.split())
    return _SOURCE.sub("", text).strip()


def _image_type(output: Any) -> str | None:
    """The image type an output is shown as; None when it is no image, or also HTML (shown as HTML)."""
    if output.get("output_type") not in ("display_data", "execute_result"):
        return None
    data = output.get("data", {})
    if "text/html" in data:
        return None
    return next((m for m in IMAGE_TYPES if m in data), None)


def _blocks(nb: Any) -> list[tuple[str, Any]]:
    """What a reader sees, in order: ``("image", output)`` or ``("text", markdown or "")``.

    stderr streams are left out (the report drops them); so are outputs with nothing to show.
    """
    out: list[tuple[str, Any]] = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            if _text(cell.source).strip():
                out.append(("text", _text(cell.source)))
            continue
        if cell.cell_type != "code":
            continue
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                if o.get("name") != "stderr" and _text(o.get("text", "")).strip():
                    out.append(("text", ""))
            elif _image_type(o):
                out.append(("image", (cell, o)))
            elif o.get("output_type") in ("display_data", "execute_result"):
                data = o.get("data", {})
                out.append(("text", _text(data["text/markdown"]) if "text/markdown" in data else ""))
            elif o.get("output_type") == "error":
                out.append(("text", ""))
    return out


def describe_figures(nb: Any, *, source: str = "notebook", in_place: bool = False) -> Any:
    """A copy of ``nb`` (``nb`` itself with ``in_place``) whose every image output has alt text in
    ``metadata[mime]["alt"]``.

    The alt text is the output's own (when it has one) or the caption right after the image. Raises
    :class:`~samorg.errors.ReportError` naming the cells of images that have neither.
    """
    nb = nb if in_place else copy.deepcopy(nb)
    blocks = _blocks(nb)
    missing = []
    for i, (kind, item) in enumerate(blocks):
        if kind != "image":
            continue
        cell, output = item
        mime = _image_type(output)
        meta = output.setdefault("metadata", {}).setdefault(mime, {})
        if str(meta.get("alt", "")).strip():
            meta["alt"] = " ".join(str(meta["alt"]).split())
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else ("none", "")
        if following[0] == "text" and _CAPTION.match(following[1]) and _plain(following[1]):
            meta["alt"] = _plain(following[1])
        else:
            missing.append(str(cell.get("id") or f"#{nb.cells.index(cell) + 1}"))
    if missing:
        raise ReportError(
            f"{source}: {len(missing)} figure(s) have no alt text (cell {', '.join(missing)}). Expected each "
            "figure to be followed by its caption («Figur N: …», e.g. from samorg.report.appendix.caption), or "
            "to carry its own alt text (samorg.report.figures.with_alt(fig, text)); a figure a screen reader "
            "cannot describe is not published (universal design)."
        )
    return nb


_PROLOG = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--.*?-->", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')


def inline_svg(svg: str, alt: str, key: str) -> str:
    """``svg`` (matplotlib's output) made ready to sit inside an HTML page: no XML prolog or time stamp,
    its element ids prefixed with ``key`` (several figures share one page), and described for screen
    readers (``role="img"``, a ``<title>`` and ``aria-labelledby`` pointing at it).

    >>> inline_svg('<?xml version="1.0"?><svg width="10pt"><g id="a"><use xlink:href="#a"/></g></svg>', "Figur 1: Besøk", "f1")
    '<svg role="img" aria-labelledby="f1-title" width="10pt"><title id="f1-title">Figur 1: Besøk</title><g id="f1-a"><use xlink:href="#f1-a"/></g></svg>'
    """
    svg = _METADATA.sub("", _PROLOG.sub("", svg)).strip()
    ids = set(_ID.findall(svg))
    if ids:
        svg = _ID.sub(lambda m: f'id="{key}-{m.group(1)}"', svg)
        svg = re.sub(r'(href="#|url\(#)([^")]+)', lambda m: m.group(1) + (f"{key}-{m.group(2)}" if m.group(2) in ids
                                                                           else m.group(2)), svg)
    start = svg.find("<svg")
    if start < 0:
        raise ReportError(f"figure {key}: the SVG output has no <svg> element.")
    end = svg.index(">", start) + 1
    title = f'<title id="{key}-title">{html.escape(alt, quote=False)}</title>'
    head = svg[:end].replace("<svg", f'<svg role="img" aria-labelledby="{key}-title"', 1)
    return head + title + svg[end:]
