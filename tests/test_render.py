"""HTML and PDF rendering of an executed notebook (one Papermill run for the module)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from samorg.errors import ReportError
from samorg.report.render import external_resources, render_html, render_pdf, write_typst_source

NOTEBOOKS = Path(__file__).parent / "data_notebooks"
BANNER = "Syntetiske demodata – tallene er ikke ekte"


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from samorg.report.runner import ReportJob, run_reports

    job = ReportJob("site", NOTEBOOKS / "site_report.ipynb", {"site": "Åsgårdstrand"}, "Site")
    [res] = run_reports([job], out_dir=tmp_path_factory.mktemp("executed"), formats=(), progress=False)
    assert res.status == "ok", res.error_detail
    return res.ipynb


@pytest.fixture
def long_notebook(tmp_path: Path) -> Path:
    """A notebook of several pages, not executed (pandoc only reads it)."""
    cells = [new_markdown_cell(f"## Del {i}\n\n" + "Lang tekst om biblioteket og innbyggertorget. " * 250)
             for i in range(3)]
    path = tmp_path / "long.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    return path


# --- HTML --------------------------------------------------------------------------------------


def test_html_hides_code_by_default_and_shows_it_on_request(executed, tmp_path):
    hidden = render_html(executed, tmp_path / "a.html").read_text(encoding="utf-8")
    shown = render_html(executed, tmp_path / "b.html", show_code=True).read_text(encoding="utf-8")
    highlighted = re.compile(r'class="\s*highlight')  # nbconvert writes class=" highlight hl-ipython3"
    assert not highlighted.search(hidden) and "pd.DataFrame" not in hidden
    assert highlighted.search(shown) and "KERNEL_PYTHON" in shown
    assert hidden.count("KERNEL_PYTHON") == 1  # the printed output stays


def test_html_headings_keep_their_letters(tmp_path):
    """nbconvert writes headings as "Dr&#248;fting"; the page says "Drøfting" (searchable as written), while
    a character reference shown as code stays as typed."""
    nb = new_notebook(cells=[new_markdown_cell("## Drøfting: å tolke\n\nSkrives `&#248;` i HTML, og Æ.")])
    path = tmp_path / "h.ipynb"
    nbformat.write(nb, path)
    html = render_html(path, tmp_path / "h.html").read_text(encoding="utf-8")
    assert "Drøfting: å tolke" in html and not re.search(r"&#(?:x[0-9a-fA-F]+|[0-9]+);", html.split("</style>")[-1])
    assert "<code>&amp;#248;</code>" in html  # shown as typed


def test_html_is_self_contained_with_banner_title_and_language(executed, tmp_path):
    html = render_html(executed, tmp_path / "r.html", banner=BANNER, title="Drammen – rapport").read_text("utf-8")
    assert external_resources(html) == []
    assert "<script src=" not in html and "cdnjs" not in html and "mathjax" not in html.lower()
    assert re.search(r'<svg [^>]*role="img"[^>]*viewBox=', html) and "<img src=\"data:image/png" not in html
    assert '<html lang="nb">' in html and "<title>Drammen – rapport</title>" in html
    assert f'<div class="samorg-banner" role="note">{BANNER}</div>' in html
    assert "position: sticky" in html
    assert "Åsgårdstrand" in html and "æøå ÆØÅ" in html and "<table" in html


def test_html_refuses_output_that_loads_from_the_network(tmp_path):
    cell = new_code_cell("show()", outputs=[new_output(
        "display_data", data={"text/html": '<script src="https://cdn.example.org/plot.js"></script>'})])
    path = tmp_path / "web.ipynb"
    nbformat.write(new_notebook(cells=[cell]), path)
    with pytest.raises(ReportError, match="cdn.example.org"):
        render_html(path, tmp_path / "web.html")
    assert not (tmp_path / "web.html").exists()


def test_warnings_on_stderr_are_left_out_unless_code_is_shown(tmp_path):
    cell = new_code_cell("fit()", outputs=[
        new_output("stream", name="stderr", text="UserWarning: convergence not reached\n"),
        new_output("stream", name="stdout", text="Ferdig\n"),
    ])
    path = tmp_path / "warn.ipynb"
    nbformat.write(new_notebook(cells=[cell]), path)
    html = render_html(path, tmp_path / "w.html").read_text("utf-8")
    typ = write_typst_source(path, tmp_path / "t", title="T").read_text("utf-8")
    assert "Ferdig" in html and "Ferdig" in typ
    assert "convergence" not in html and "convergence" not in typ
    assert "convergence" in write_typst_source(path, tmp_path / "c", title="T", show_code=True).read_text("utf-8")


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_is_written_and_deterministic(executed, tmp_path):
    kw = dict(title="Drammen", subtitle="Samlokalisering", date_text="24.11.2026", banner=BANNER)
    a = render_pdf(executed, tmp_path / "a.pdf", **kw).read_bytes()
    b = render_pdf(executed, tmp_path / "b.pdf", **kw).read_bytes()
    assert a.startswith(b"%PDF") and len(a) > 5000
    assert a == b
    first = _pdf_pages_text(tmp_path / "a.pdf")[0]
    assert "Åsgårdstrand" in first and "Strømsø" in first and "æøå" in first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "b.pdf"]  # build folder removed


def test_typst_source_has_tables_figures_and_no_code(executed, tmp_path):
    src = write_typst_source(executed, tmp_path, title="Drammen", subtitle="Samlokalisering",
                             date_text="24.11.2026", banner=BANNER)
    text = src.read_text(encoding="utf-8")
    assert "table.header(" in text and "[Åsgårdstrand]" in text  # pandas HTML table → Typst table
    assert "align: (right,right,right,left,)" in text  # numbers right, text left
    assert "<Figure size" not in text and "&lt;" not in text  # text/plain duplicates dropped
    assert 'image("media/' in text and list((tmp_path / "media").glob("*.svg"))
    assert "pd.DataFrame" not in text and "KERNEL_PYTHON" in text  # code hidden, output kept
    assert '#let samorg-date = "24.11.2026"' in text and "æøå ÆØÅ" in text
    with_code = write_typst_source(executed, tmp_path / "code", title="T", show_code=True).read_text("utf-8")
    assert "pd.DataFrame" in with_code


def test_banner_is_in_the_header_of_every_page(long_notebook, tmp_path):
    import typst

    src = write_typst_source(long_notebook, tmp_path, title="Lang rapport", banner=BANNER)
    pages = typst.compile(str(src), root=str(tmp_path), ignore_system_fonts=True, format="svg")
    banners = json.loads(typst.query(str(src), "<samorg-banner>", root=str(tmp_path), ignore_system_fonts=True))
    assert len(pages) >= 3
    assert [b["value"] for b in banners] == [BANNER] * len(pages)
    assert '"Side"' in src.read_text(encoding="utf-8")


def test_no_banner_means_no_header(long_notebook, tmp_path):
    import typst

    src = write_typst_source(long_notebook, tmp_path, title="Lang rapport", lang="en")
    assert json.loads(typst.query(str(src), "<samorg-banner>", root=str(tmp_path), ignore_system_fonts=True)) == []
    assert '"Page"' in src.read_text(encoding="utf-8")


def _pdf_pages_text(pdf: Path) -> list[str]:
    """Text of each page, by pypdf or else poppler's pdftotext; skip if neither is there."""
    try:
        from pypdf import PdfReader
    except ImportError:
        if shutil.which("pdftotext") is None:
            pytest.skip("neither pypdf nor pdftotext (poppler-utils) is installed")
        out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
        return [p for p in out.stdout.split("\f") if p.strip()]
    return [page.extract_text() for page in PdfReader(pdf).pages]


def test_pdf_text_has_banner_and_page_numbers_on_every_page(long_notebook, tmp_path):
    pdf = render_pdf(long_notebook, tmp_path / "long.pdf", title="Lang rapport", date_text="24.11.2026",
                     banner=BANNER)
    pages = _pdf_pages_text(pdf)
    assert len(pages) >= 3
    for i, page in enumerate(pages, start=1):
        assert BANNER in page and f"Side {i} av {len(pages)}" in page
    assert "Lang rapport" in pages[0] and "24.11.2026" in pages[0]


def test_awkward_titles_are_typeset_verbatim(executed, tmp_path):
    title = 'Drammen "bibliotek" #1 $x$ \\ [a] <b> *c* _d_ @e'
    src = write_typst_source(executed, tmp_path, title=title, subtitle="Linje\nto")
    import typst

    assert typst.compile(str(src), root=str(tmp_path), ignore_system_fonts=True).startswith(b"%PDF")
    assert '#let samorg-title = "Drammen \\"bibliotek\\" #1 $x$ \\\\ [a] <b> *c* _d_ @e"' in src.read_text("utf-8")


def test_a_notebook_in_memory_renders_as_its_file_and_is_left_as_it_was(executed, tmp_path):
    nb = nbformat.read(executed, as_version=4)  # as the runner holds it, from papermill.execute_notebook
    before = json.dumps(nb, sort_keys=True)
    kw = dict(title="Drammen", banner=BANNER, date_text="24.11.2026")
    html = render_html(nb, tmp_path / "n.html", **kw).read_bytes()
    pdf = render_pdf(nb, tmp_path / "n.pdf", **kw).read_bytes()  # after the HTML, from the same node
    assert json.dumps(nb, sort_keys=True) == before
    assert html == render_html(executed, tmp_path / "p.html", **kw).read_bytes()
    assert pdf == render_pdf(executed, tmp_path / "p.pdf", **kw).read_bytes()


def test_missing_notebook_is_a_report_error(tmp_path):
    with pytest.raises(ReportError, match="no such notebook"):
        render_pdf(tmp_path / "nope.ipynb", tmp_path / "x.pdf", title="X")
    with pytest.raises(ReportError, match="no such notebook"):
        render_html(tmp_path / "nope.ipynb", tmp_path / "x.html")


def test_the_reused_html_exporter_carries_nothing_from_one_notebook_to_the_next(executed, tmp_path):
    first = render_html(executed, tmp_path / "1.html", banner=BANNER, title="Første").read_bytes()
    other = tmp_path / "other.ipynb"
    nbformat.write(new_notebook(cells=[new_markdown_cell("## Bare tekst\n\nIngen figurer her.")]), other)
    second = render_html(other, tmp_path / "2.html", title="Andre").read_text(encoding="utf-8")
    again = render_html(executed, tmp_path / "3.html", banner=BANNER, title="Første").read_bytes()
    assert again == first
    assert "Åsgårdstrand" not in second and BANNER not in second and "<title>Andre</title>" in second


def test_report_kernels_draw_figures_as_svg_in_the_report_typeface(executed):
    nb = nbformat.read(executed, as_version=4)
    outputs = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "display_data"]
    svgs = [o.data["image/svg+xml"] for o in outputs if "image/svg+xml" in o.get("data", {})]
    assert len(svgs) == 1 and not any("image/png" in o.get("data", {}) for o in outputs)
    # matplotlib 3.9 writes the CSS shorthand ("font: 11px ..."), later versions "font-family: ..."
    assert re.search(r"font(-family)?: (\d+(\.\d+)?px )?'Libertinus Serif', 'DejaVu Serif', serif", svgs[0])  # text stays text
    assert "<dc:date>" not in svgs[0]  # the same notebook gives the same figure


def test_rendering_html_leaves_notebook_validation_strict(tmp_path):
    # nbformat 5.10 replaced its cached strict validator by the relaxed one nbconvert asks for, after which no
    # check in the process (the report engine's included) caught a wrongly typed output
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Tittel")])
    nbformat.write(nb, tmp_path / "a.ipynb")
    render_html(tmp_path / "a.ipynb", tmp_path / "a.html", title="Tittel")
    bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    bad.cells[0].outputs = [nbformat.from_dict({"output_type": "display_data", "data": {"text/plain": 42},
                                                "metadata": {}})]
    with pytest.raises(nbformat.ValidationError):
        nbformat.validate(bad)
