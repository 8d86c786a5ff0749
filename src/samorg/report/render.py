"""Render an executed notebook to a self-contained HTML page and an A4 PDF.

HTML comes from nbconvert (code hidden, figures as inline SVG, no script
fetched from a CDN, a readable measure on any screen). The PDF comes from pandoc
(the ``pypandoc-binary`` wheel, which has a Typst writer) and the ``typst``
wheel, with its own fonts only, so the same notebook gives the same PDF bytes
on every machine; it is tagged and conforms to PDF/UA-1.

Every figure has alt text, from the caption that follows it
(:mod:`samorg.report.figure_alt`); a figure without one stops the render.

Every output file is written under a temporary name in its own folder and then
renamed into place, so a failed render never leaves half a file behind nor
destroys the previous version.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import nbformat

from samorg.errors import ReportError
from samorg.report._files import replace_atomically as _replace_atomically
from samorg.report._notebook_source import notebook_location, own_copy
from samorg.report.figure_alt import IMAGE_TYPES, describe_figures, inline_svg

__all__ = [
    "external_resources",
    "render_html",
    "render_pdf",
    "write_typst_source",
]

_HERE = Path(__file__).parent
TEMPLATES = _HERE / "templates"
LUA_FILTER = _HERE / "notebook_to_report.lua"
TYPST_TEMPLATE = TEMPLATES / "report.typ"

#: PDF standards Typst checks at build time: PDF/UA-1 (accessible: tagged, language set, every figure
#: with alt text); a document that does not conform is an error, not a PDF.
PDF_STANDARDS = ("ua-1",)

#: Words around the page number in the PDF footer ("Side 1 av 5").
PAGE_WORDS = {"nb": ("Side", "av"), "nn": ("Side", "av"), "en": ("Page", "of")}

_EXTERNAL = re.compile(
    r"""<(?:script|link|img|iframe|source|video|audio|embed)\b[^>]*?\b(?:src|href)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)""",
    re.IGNORECASE,
)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?["']?((?:https?:)?//[^"')\s;]+)""", re.IGNORECASE)


def external_resources(html: str) -> list[str]:
    """List the URLs a page would fetch from the network when opened.

    Plain links (``<a href="https://...">``) are not counted: they are only
    followed when clicked.

    >>> external_resources('<script src="https://cdn.example/x.js"></script><a href="https://ssb.no">SSB</a>')
    ['https://cdn.example/x.js']
    """
    return _EXTERNAL.findall(html) + _CSS_IMPORT.findall(html)


def _drop_stderr(nb: nbformat.NotebookNode) -> None:
    """Remove stderr streams (warnings, progress bars) from every code cell, in place."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", []) if not (o.output_type == "stream" and o.get("name") == "stderr")]


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]")


def _plain_text(output) -> None:
    """Terminal colour codes and control characters out of a text output, in place: no font has glyphs
    for them, and PDF/UA-1 does not allow text that cannot be shown."""
    if output.get("output_type") == "stream":
        output["text"] = _ANSI.sub("", _text(output.get("text", "")))
    elif output.get("output_type") == "error":
        output["traceback"] = [_ANSI.sub("", line) for line in output.get("traceback", [])]
    elif "text/plain" in output.get("data", {}):
        output["data"]["text/plain"] = _ANSI.sub("", _text(output["data"]["text/plain"]))


def _markdown_outputs_as_cells(out: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Turn rich Markdown outputs (``IPython.display.Markdown``) into Markdown cells; drop the pictures of
    outputs that are also HTML (the HTML page shows only the HTML).

    pandoc's ipynb reader ignores ``text/markdown`` outputs and would print their plain-text
    stand-in (``<IPython.core.display.Markdown object>``); as Markdown cells they are typeset.
    Changes ``out`` (the renderer's own copy) and returns it.
    """
    cells = []
    for cell in out.cells:
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        kept, pending = [], []
        for o in cell.get("outputs", []):
            data = o.get("data", {}) if o.get("output_type") in ("execute_result", "display_data") else {}
            _plain_text(o)
            if "text/html" in data:  # shown as HTML, as in the HTML page: not also as a picture
                for mime in IMAGE_TYPES:
                    data.pop(mime, None)
            if "text/markdown" in data:
                text = data["text/markdown"]
                pending.append("".join(text) if isinstance(text, list) else text)
            else:
                kept.append(o)
        cell.outputs = kept
        if kept or cell.get("source"):
            cells.append(cell)
        for i, text in enumerate(pending):
            # as nbformat.v4.new_markdown_cell makes it, without its schema check: this copy is for pandoc only
            cells.append(nbformat.NotebookNode(cell_type="markdown", id=f"{cell.get('id', 'cell')}-md{i}",
                                               metadata=nbformat.NotebookNode(), source=text))
    out.cells = cells
    return out


def _inline_figures(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Replace each SVG output by a placeholder, in place; return placeholder → the SVG made ready for the
    page (described, ids unique). The SVGs go in after nbconvert, which would otherwise parse and
    rewrite their thousands of elements (0.3 s a report) and lower-case names such as ``viewBox``."""
    figures: dict[str, str] = {}
    for cell in nb.cells:
        for o in cell.get("outputs", []) if cell.cell_type == "code" else ():
            data = o.get("data", {})
            if (o.get("output_type") in ("display_data", "execute_result") and "image/svg+xml" in data
                    and "text/html" not in data):
                key = f"samorg-fig{len(figures) + 1}"
                alt = o["metadata"]["image/svg+xml"]["alt"]
                figures[f"<!--{key}-->"] = inline_svg(_text(data["image/svg+xml"]), alt, key)
                data["image/svg+xml"] = f"<!--{key}-->"
    return figures


_CHAR_REF = re.compile(r"&#(?:x([0-9a-fA-F]+)|([0-9]+));")


def _literal_characters(html: str) -> str:
    """Non-ASCII characters as themselves, not as character references: nbconvert writes headings through
    ElementTree, which gives "Dr&#248;fting" (the BeautifulSoup pass we skip used to turn them back). Only
    characters above ASCII are turned back; none of them has a meaning in HTML, so the page is the same page,
    and its text can be searched as written."""
    def literal(m: re.Match[str]) -> str:
        code = int(m[1], 16) if m[1] else int(m[2])
        return chr(code) if 127 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m[0]

    return _CHAR_REF.sub(literal, html)


def _put_figures(html: str, figures: dict[str, str]) -> str:
    for placeholder, svg in figures.items():
        if html.count(placeholder) != 1:
            raise ReportError(f"figure {placeholder[4:-3]} was not placed in the HTML page exactly once.")
        html = html.replace(placeholder, svg)
    return html


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


#: Name of a table's scrolling frame for screen readers ("region" landmarks need one).
TABLE_WORD = {"nb": "Tabell", "nn": "Tabell", "en": "Table"}


def _scrolling_tables(html: str, lang: str) -> str:
    """Put each table in a frame that scrolls sideways (on a narrow screen the page itself does not),
    reachable by keyboard (``tabindex``) and named for screen readers."""
    label = TABLE_WORD.get(lang, TABLE_WORD["en"])
    opened = re.sub(r"<table\b", f'<div class="samorg-table" role="region" tabindex="0" aria-label="{label}"><table',
                    html)
    return opened.replace("</table>", "</table></div>")


_HTML_LOCK = threading.Lock()


def _validate_relaxed_only_if_needed(nb) -> None:
    """nbconvert's check of a notebook (extra keys allowed), strict first. nbformat 5.10 caches the relaxed
    validator in place of the strict one, after which no validation in the process catches extra keys or a
    wrongly typed output any more (the report engine's check of finished notebooks included); a report's
    notebook passes the strict check and never asks for the relaxed one."""
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError:
        nbformat.validate(nb, relax_add_props=True)


@functools.lru_cache(maxsize=1)
def _exporter_class():
    """nbconvert's HTMLExporter without its last pass, which parses the whole page again with BeautifulSoup to
    give images without alt text a placeholder and make every output focusable: 0.2 s of the 0.25 s a site
    report's HTML took (issue 17); and validating the notebook once instead of after every preprocessor. samorg's template does both where they matter: every figure has its alt
    text (a figure without one stops the render) and a figure's scrolling frame is focusable, as tables' are.
    The steps before that pass are nbconvert's own (the same in 7.16.5 and 7.17)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class _Exporter(HTMLExporter):
        def _validate_preprocessor(self, nbc, preprocessor):
            pass  # nbconvert validates the whole notebook after each of its ~12 preprocessors; we do it once, below

        def from_notebook_node(self, nb, resources=None, **kw):
            _validate_relaxed_only_if_needed(nb)
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code",
                                 self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return _Exporter


@functools.lru_cache(maxsize=8)
def _html_exporter(show_code: bool, lang: str):
    """One HTML exporter per setting and process: nbconvert compiles its Jinja templates per exporter
    (0.13 s a report), and an exporter renders any number of notebooks (as nbconvert's own CLI does)."""
    return _exporter_class()(
        template_name="samorg_html",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=not show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
        language_code=lang,
    )


def render_html(
    ipynb: str | Path | nbformat.NotebookNode,
    html_path: str | Path,
    *,
    show_code: bool = False,
    banner: str | None = None,
    title: str | None = None,
    lang: str = "nb",
    subtitle: str = "",
    date_text: str = "",
) -> Path:
    """Render an executed notebook to one self-contained HTML file.

    Parameters
    ----------
    ipynb : path or NotebookNode
        The executed notebook, or the notebook ``papermill.execute_notebook`` returned (no need to read its
        file again). It is read, never modified.
    html_path : path
        Where to write the page; replaced atomically.
    show_code : bool
        Show code cells (and stderr output). By default only outputs and prose are shown.
    banner : str, optional
        Text of a banner that stays on screen at the top of the page, e.g.
        ``"Syntetiske demodata – tallene er ikke ekte"``.
    title : str, optional
        The page title (``<title>``); defaults to the notebook's file name.
    lang : str
        ISO 639-1 language of the page (``<html lang=...>``).
    subtitle, date_text : str
        Shown under the title in the page's title block (as on the PDF's first page).

    Returns
    -------
    Path
        ``html_path``.

    Examples
    --------
    >>> render_html("reports/drammen/drammen.ipynb", "reports/drammen/drammen.html",
    ...             banner="Syntetiske demodata – tallene er ikke ekte")  # doctest: +SKIP
    """
    nb, ipynb = own_copy(ipynb)
    html_path = Path(html_path)
    if not show_code:
        _drop_stderr(nb)
    if title:
        nb.metadata["title"] = title
    nb = describe_figures(nb, source=str(ipynb), in_place=True)  # our own copy
    figures = _inline_figures(nb)
    exporter = _html_exporter(show_code, lang)
    resources = {"samorg_banner": banner or "", "samorg_title": title or "", "samorg_subtitle": subtitle,
                 "samorg_date": date_text, "metadata": {"name": title or ipynb.stem, "path": str(ipynb.parent)}}
    try:
        with _HTML_LOCK:  # one exporter may serve several threads (e.g. a Dask worker)
            html, _ = exporter.from_notebook_node(nb, resources=resources)
    except Exception as exc:
        raise ReportError(f"{ipynb}: nbconvert could not render HTML: {exc}") from exc
    html = _put_figures(_scrolling_tables(_literal_characters(html), lang), figures)
    urls = external_resources(html)
    if urls:
        raise ReportError(
            f"{ipynb}: the HTML report would load {len(urls)} resource(s) from the network "
            f"({', '.join(sorted(set(urls))[:3])}). Expected a self-contained page. "
            "Show figures as static images (matplotlib) instead of web widgets, and link images from local files."
        )
    _replace_atomically(html_path, html.encode("utf-8"))
    return html_path


def _typst_string(text: str | None) -> str:
    """A Typst string literal (or ``none``) holding ``text`` verbatim."""
    if text is None:
        return "none"
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _pandoc_path() -> str:
    import pypandoc

    try:
        return pypandoc.get_pandoc_path()
    except OSError as exc:
        raise ReportError(
            f"pandoc was not found ({exc}). Expected the pandoc binary from the pypandoc-binary wheel. "
            "Install it with `pip install pypandoc-binary`."
        ) from exc


def write_typst_source(
    ipynb: str | Path | nbformat.NotebookNode,
    work_dir: str | Path,
    *,
    title: str,
    subtitle: str = "",
    date_text: str = "",
    banner: str | None = None,
    show_code: bool = False,
    lang: str = "nb",
) -> Path:
    """Convert an executed notebook (a file, or a ``NotebookNode``, not modified) to a Typst document in ``work_dir``.

    Writes ``work_dir/report.typ`` and the notebook's images under
    ``work_dir/media/`` (relative paths, so Typst finds them with
    ``root=work_dir``). Used by :func:`render_pdf`; useful on its own to
    inspect the source.

    Returns
    -------
    Path
        The ``report.typ`` file.
    """
    nb, ipynb = own_copy(ipynb if isinstance(ipynb, dict) else Path(ipynb).resolve())
    ipynb, work_dir = ipynb.resolve(), Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    prepared = work_dir / "notebook.ipynb"
    nb = _markdown_outputs_as_cells(describe_figures(nb, source=str(ipynb), in_place=True))
    # For pandoc only: plain JSON, without nbformat's copy, line splitting and schema check of the whole notebook.
    prepared.write_text(json.dumps(nb, sort_keys=True, ensure_ascii=False), encoding="utf-8")
    cmd = [
        _pandoc_path(),
        str(prepared),
        "--from=ipynb",
        "--to=typst",
        "--ipynb-output=all",
        "--extract-media=media",
        "--metadata=samorg-media-dir=media",
        f"--lua-filter={LUA_FILTER}",
        "--syntax-highlighting=none",
        "--wrap=preserve",
        "--metadata=samorg-show-code=" + ("true" if show_code else "false"),
        "--output=body.typ",
    ]
    proc = subprocess.run(cmd, cwd=work_dir, capture_output=True, text=True, encoding="utf-8", errors="replace")
    if proc.returncode != 0:
        raise ReportError(f"{ipynb}: pandoc could not convert the notebook to Typst: {proc.stderr.strip()}")
    body = (work_dir / "body.typ").read_text(encoding="utf-8")
    page_word, of_word = PAGE_WORDS.get(lang, PAGE_WORDS["en"])
    preamble = "\n".join(
        [
            f"#let samorg-title = {_typst_string(title)}",
            f"#let samorg-subtitle = {_typst_string(subtitle or '')}",
            f"#let samorg-date = {_typst_string(date_text or '')}",
            f"#let samorg-banner = {_typst_string(banner)}",
            f"#let samorg-lang = {_typst_string(lang)}",
            f"#let samorg-page-word = {_typst_string(page_word)}",
            f"#let samorg-of-word = {_typst_string(of_word)}",
            "",
        ]
    )
    source = work_dir / "report.typ"
    source.write_text(preamble + TYPST_TEMPLATE.read_text(encoding="utf-8") + "\n" + body, encoding="utf-8")
    return source


def render_pdf(
    ipynb: str | Path | nbformat.NotebookNode,
    pdf_path: str | Path,
    *,
    title: str,
    subtitle: str = "",
    date_text: str = "",
    banner: str | None = None,
    show_code: bool = False,
    lang: str = "nb",
) -> Path:
    """Render an executed notebook to an A4 PDF via pandoc → Typst.

    The page has a title block (title, subtitle, date), page numbers
    ("Side 1 av 5") and, when ``banner`` is given, the banner in the header of
    every page. Figures are vector graphics (SVG) at most the text width, each
    with its alt text; tables are set small. The PDF is tagged, carries its
    language and conforms to PDF/UA-1 (:data:`PDF_STANDARDS`): Typst refuses a
    document that does not, e.g. one with a figure without alt text.
    Code cells are left out unless ``show_code``. Only the fonts bundled in the
    ``typst`` wheel are used and the PDF carries no time stamp, so the same
    notebook gives the same bytes.

    Parameters
    ----------
    ipynb : path or NotebookNode
        The executed notebook, or the notebook ``papermill.execute_notebook`` returned; read, never modified.
    pdf_path : path
        Where to write the PDF; replaced atomically. A temporary build folder
        is made next to it and removed afterwards.
    title, subtitle, date_text : str
        The title block. ``date_text`` is shown as given (e.g. ``"24.11.2026"``).
    banner : str, optional
        Shown in the header of every page.
    show_code : bool
        Include code cells.
    lang : str
        ``"nb"`` (default) or ``"en"``: hyphenation and the page-number words.

    Returns
    -------
    Path
        ``pdf_path``.
    """
    import typst

    pdf_path = Path(pdf_path)
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(dir=pdf_path.parent, prefix=f".{pdf_path.stem}-typst-"))
    try:
        source = write_typst_source(
            ipynb, work_dir, title=title, subtitle=subtitle, date_text=date_text,
            banner=banner, show_code=show_code, lang=lang,
        )
        try:
            pdf = typst.compile(str(source), root=str(work_dir), ignore_system_fonts=True, format="pdf",
                                pdf_standards=list(PDF_STANDARDS))
        except typst.TypstError as exc:
            detail = getattr(exc, "diagnostic", "") or getattr(exc, "message", "") or str(exc)
            raise ReportError(f"{notebook_location(ipynb)}: Typst could not typeset the PDF: {detail.strip()}") from exc
        _replace_atomically(pdf_path, pdf)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    return pdf_path
