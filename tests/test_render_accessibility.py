"""Universal design of rendered reports: vector figures with alt text, tagged PDF/UA-1 with its language,
an HTML page with landmarks, a readable measure, scrolling tables and nothing fetched from the network.

Small hand-made notebooks only (no kernel): each test renders in well under a second.
"""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from samorg.errors import ReportError
from samorg.report.figure_alt import describe_figures, inline_svg
from samorg.report.figures import REPORT_RC, with_alt
from samorg.report.render import external_resources, render_html, render_pdf, write_typst_source

CAPTION = "*Figur 1: Månedlige besøk ved Testby 2019–2022; besøket falt i 2020. Kilde: testdata.*"
ALT = "Figur 1: Månedlige besøk ved Testby 2019–2022; besøket falt i 2020."


@pytest.fixture(scope="module")
def svg() -> str:
    """A small figure in the report style, as a report kernel shows it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context(REPORT_RC):
        fig, ax = plt.subplots(figsize=(4, 2))
        ax.plot([2019, 2020, 2021, 2022], [10, 4, 6, 12])
        ax.set_xlabel("År")
        ax.set_ylabel("Besøk")
        buf = io.StringIO()
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
        plt.close(fig)
    return buf.getvalue()


def _figure_cell(data: dict, metadata: dict | None = None):
    return new_code_cell("report.visits_figure(ctx)", outputs=[
        new_output("display_data", data={**data, "text/plain": "<Figure size 400x200 with 1 Axes>"},
                   metadata=metadata or {})])


def _caption_cell(text: str = CAPTION):
    return new_code_cell("appendix.caption(ctx, 'visits')", outputs=[
        new_output("display_data", data={"text/markdown": text, "text/plain": "<Markdown>"})])


def _notebook(tmp_path: Path, cells: list, name: str = "r.ipynb") -> Path:
    table = new_code_cell("table", outputs=[new_output("execute_result", data={
        "text/html": "<table><thead><tr><th>År</th><th>Besøk</th></tr></thead>"
                     "<tbody><tr><td>2019</td><td>1 200</td></tr></tbody></table>", "text/plain": "table"},
        execution_count=1)])
    nb = new_notebook(cells=[new_markdown_cell("## Resultater\n\nTekst om besøket."), *cells, table])
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


@pytest.fixture(scope="module")
def captioned(tmp_path_factory, svg) -> Path:
    return _notebook(tmp_path_factory.mktemp("nb"), [_figure_cell({"image/svg+xml": svg}), _caption_cell()])


@pytest.fixture(scope="module")
def pdf(captioned, tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("pdf") / "r.pdf"
    return render_pdf(captioned, out, title="Stedsrapport: Testby").read_bytes()


def _pdf_objects(data: bytes) -> bytes:
    """The PDF's text with every Flate stream (object streams included) decompressed."""
    parts = [data]
    for m in re.finditer(rb"stream\r?\n", data):
        end = data.find(b"endstream", m.end())
        try:
            parts.append(zlib.decompress(data[m.end():end]))
        except zlib.error:
            pass
    return b"\n".join(parts)


def _pdf_strings(text: bytes, key: bytes) -> list[str]:
    """Values of ``/key`` (literal or hex, PDFDocEncoding or UTF-16) in decompressed PDF objects."""
    out = []
    for m in re.finditer(rb"/" + key + rb"\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)", text):
        raw = m.group(1)
        if raw.startswith(b"<"):
            b = bytes.fromhex(raw[1:-1].decode("ascii"))
        else:
            b = re.sub(rb"\\(.)", lambda e: e.group(1), raw[1:-1], flags=re.S)
        out.append(b[2:].decode("utf-16-be") if b.startswith(b"\xfe\xff") else b.decode("latin-1"))
    return out


# --- alt text ----------------------------------------------------------------------------------


def test_html_figure_is_inline_svg_described_by_its_caption(captioned, tmp_path):
    html = render_html(captioned, tmp_path / "r.html", title="Stedsrapport: Testby").read_text("utf-8")
    svg_tag = re.search(r"<svg [^>]*>", html).group(0)
    assert 'role="img"' in svg_tag and 'aria-labelledby="samorg-fig1-title"' in svg_tag and "viewBox=" in svg_tag
    assert f'<title id="samorg-fig1-title">{ALT}</title>' in html  # the caption without its source
    assert "No description has been provided" not in html and "<img" not in html
    assert "<?xml" not in html and "<metadata>" not in html
    assert re.search(r"font(-family)?: (\d+(\.\d+)?px )?'Libertinus Serif', 'DejaVu Serif', serif", html)  # text kept as text
    assert external_resources(html) == [] and "http://www.w3.org/2000/svg" in html  # a namespace, not a request


def test_pdf_figure_is_vector_with_alt_text_and_the_reports_typeface(pdf):
    objects = _pdf_objects(pdf)
    assert ALT in _pdf_strings(objects, b"Alt")
    assert b"/Subtype /Image" not in objects and b"/Subtype/Image" not in objects  # no raster image
    assert b"LibertinusSerif" in objects and b"DejaVuSerif" not in objects  # the SVG's text in Typst's face


def test_typst_source_gives_every_image_its_alt_text(captioned, tmp_path):
    text = write_typst_source(captioned, tmp_path, title="T").read_text("utf-8")
    assert re.search(r'#align\(center, image\("media/[0-9a-f]+\.svg", alt: "Figur 1: Månedlige besøk', text)


def test_a_figure_without_alt_text_stops_the_render(tmp_path, svg):
    path = _notebook(tmp_path, [_figure_cell({"image/svg+xml": svg}),
                                new_markdown_cell("Besøket falt i 2020.")])  # text, but not a caption
    with pytest.raises(ReportError, match=r"1 figure\(s\) have no alt text .*caption"):
        render_html(path, tmp_path / "r.html")
    with pytest.raises(ReportError, match="no alt text"):
        render_pdf(path, tmp_path / "r.pdf", title="T")
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "r.pdf").exists()


def test_a_figure_may_carry_its_own_alt_text(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [1, 0])
    plt.close(fig)
    data, meta = with_alt(fig, "Skogplott over endringen i besøk ved tre steder.")._repr_mimebundle_()
    assert data["image/svg+xml"].lstrip().startswith(("<?xml", "<svg")) and "<dc:date>" not in data["image/svg+xml"]
    path = _notebook(tmp_path, [_figure_cell(data, meta)])  # no caption follows it
    html = render_html(path, tmp_path / "r.html").read_text("utf-8")
    assert '<title id="samorg-fig1-title">Skogplott over endringen i besøk ved tre steder.</title>' in html
    with pytest.raises(ValueError, match="non-empty"):
        with_alt(fig, "  ")


def test_a_raster_figure_gets_an_alt_attribute_too(tmp_path):
    png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    path = _notebook(tmp_path, [_figure_cell({"image/png": png}), _caption_cell()])
    html = render_html(path, tmp_path / "r.html").read_text("utf-8")
    assert f'alt="{ALT}"' in html and "No description" not in html


def test_caption_pairing_takes_the_caption_right_after_each_figure(svg):
    nb = new_notebook(cells=[_figure_cell({"image/svg+xml": svg}), _caption_cell(),
                             _figure_cell({"image/svg+xml": svg}),
                             _caption_cell("*Figure 2: Yearly visits at Testby. Source: test data.*")])
    described = describe_figures(nb)
    alts = [c.outputs[0].metadata["image/svg+xml"]["alt"] for c in described.cells[::2]]
    assert alts == [ALT, "Figure 2: Yearly visits at Testby."]
    assert "alt" not in nb.cells[0].outputs[0].metadata.get("image/svg+xml", {})  # the input is not changed


def test_inline_svg_ids_are_unique_per_figure(svg):
    a, b = inline_svg(svg, "A", "f1"), inline_svg(svg, "B", "f2")
    ids_a, ids_b = set(re.findall(r'\bid="([^"]+)"', a)), set(re.findall(r'\bid="([^"]+)"', b))
    assert ids_a and not ids_a & ids_b
    refs = set(re.findall(r'(?:href="#|url\(#)([^")]+)', a))
    assert refs <= ids_a  # every reference points at an element of the same figure


# --- PDF/UA-1 ----------------------------------------------------------------------------------


def test_pdf_is_tagged_pdf_ua_1_with_its_language(pdf, captioned, tmp_path):
    objects = _pdf_objects(pdf)
    catalog = re.search(rb"/Type\s*/Catalog.*?>>\s*>>|/Type\s*/Catalog.{0,800}", objects, re.S).group(0)
    assert b"/Lang(nb)" in catalog.replace(b" ", b"") and b"/StructTreeRoot" in catalog
    assert re.search(rb"/MarkInfo\s*<<\s*/Marked\s+true", objects)
    assert re.search(rb"<pdfuaid:part>1</pdfuaid:part>|pdfuaid:part=\"1\"", objects)
    english = _pdf_objects(render_pdf(captioned, tmp_path / "en.pdf", title="Site report", lang="en").read_bytes())
    assert b"/Lang(en)" in english.replace(b" ", b"")


def test_code_and_checksums_are_tagged_in_the_report_language(tmp_path):
    """Typst tags code (file names, checksums, a model call) as English unless told otherwise; a screen reader
    would switch voice for every checksum in a bokmål report."""
    path = _notebook(tmp_path, [new_markdown_cell("Studiefil: `study.yaml` (SHA-256 `ea63101c669be264`)\n\n"
                                                  "```\nits(data, outcome=\"value\")\n```")])
    objects = _pdf_objects(render_pdf(path, tmp_path / "r.pdf", title="T", lang="nb").read_bytes())
    assert b"/Code" in objects and b"/Lang(en)" not in objects.replace(b" ", b"")


# --- HTML page ---------------------------------------------------------------------------------


def test_html_page_has_landmarks_a_measure_and_scrolling_tables(captioned, tmp_path):
    html = render_html(captioned, tmp_path / "r.html", title="Stedsrapport: Testby", banner="Demodata",
                       lang="nb").read_text("utf-8")
    assert '<html lang="nb">' in html
    assert html.index('role="note"') < html.index("<header") < html.index("<main>") < html.index("</main>")
    assert "<h1>Stedsrapport: Testby</h1>" in html and "<h2" in html
    assert "max-width: 75ch" in html and 'name="viewport"' in html
    assert '<div class="samorg-table" role="region" tabindex="0" aria-label="Tabell"><table' in html
    assert "jp-icon-" not in html and len(html) < 60_000  # our stylesheet, not JupyterLab's 400 KB


def test_terminal_colour_codes_do_not_break_pdf_ua(tmp_path):
    """No font has glyphs for ANSI escapes, and PDF/UA-1 refuses text it cannot show: they are dropped."""
    cell = new_code_cell("fit()", outputs=[new_output("stream", name="stdout",
                                                      text="\x1b[0;31mAdvarsel\x1b[0m: 3 måneder utelatt\n")])
    path = _notebook(tmp_path, [cell])
    text = _pdf_objects(render_pdf(path, tmp_path / "r.pdf", title="T").read_bytes())
    assert b"/StructTreeRoot" in text
    assert "Advarsel: 3 måneder utelatt" in write_typst_source(path, tmp_path / "t", title="T").read_text("utf-8")


def test_pdf_keeps_a_figure_and_its_caption_on_one_page(captioned, tmp_path):
    """A page break between a figure and "Figur N: ..." left the caption alone at the top of the next page."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    typ = write_typst_source(captioned, tmp_path / "t", title="T").read_text("utf-8")
    block = typ.index("#block(breakable: false, width: 100%)[")
    assert block < typ.index("image(") < typ.index("Figur 1:") < typ.index("]", typ.index("Figur 1:"))
    # A figure without a caption after it (its own alt text) is not wrapped.
    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [1, 0])
    plt.close(fig)
    data, meta = with_alt(fig, "Besøk per år.")._repr_mimebundle_()
    alone = _notebook(tmp_path, [_figure_cell(data, meta)], name="alone.ipynb")
    typ = write_typst_source(alone, tmp_path / "a", title="T").read_text("utf-8")
    assert "image(" in typ and "breakable: false, width: 100%" not in typ
