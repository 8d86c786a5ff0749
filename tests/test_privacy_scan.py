"""scan_outputs on HTML, PDF and notebooks, and the runner refusing to publish a report with a hit."""

from __future__ import annotations

import base64
import struct
import zlib
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from samorg import privacy
from samorg.demo.identifiers import identity_number
from samorg.errors import PrivacyError
from samorg.privacy import mask, scan_outputs

NOTEBOOKS = Path(__file__).parent / "data_notebooks"
FNR = identity_number(np.random.default_rng(list(b"scan")))
PHONE = "912 34 567"
EMAIL = "kari.nordmann@example.com"


def _png(text: bytes) -> str:
    """A valid 1×1 PNG carrying ``text`` in a tEXt chunk, base64-encoded."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
           + chunk(b"tEXt", b"Comment\x00" + text) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))
    return base64.b64encode(raw).decode()


def _notebook(path: Path, *, leak: bool = True) -> Path:
    """An 'executed' notebook: prose, a table, a figure whose bytes hold digit runs, an error."""
    png = _png(f"{FNR} 91234567 {EMAIL}".encode())
    text = f"Ring {PHONE} om saken." if leak else "Ring biblioteket om saken."
    table = (f"<table><tr><th>navn</th><th>besøk</th></tr><tr><td>{'Kari Nordmann' if leak else 'Askim'}</td>"
             "<td>12\u00a0345\u00a0678</td></tr><tr><td>22</td><td>33</td></tr></table>")
    cells = [
        new_markdown_cell("# Rapport\n\nBesøk per innbygger økte i 2022 (95 % KI 1,05–1,32), 12 345 678 besøk."),
        new_code_cell(f"contact = '{EMAIL if leak else 'post@'}'"),
        new_code_cell("print(...)", outputs=[new_output("stream", name="stdout", text=text)]),
        new_code_cell("table", outputs=[new_output("display_data", data={"text/html": table, "text/plain": "tabell",
                                                                          "image/png": png})]),
        new_code_cell("fail()", outputs=[new_output("error", ename="ValueError",
                                                    evalue=f"fnr {FNR}" if leak else "nei",
                                                    traceback=[f"\x1b[0;31mValueError\x1b[0m: fnr {FNR}"
                                                               if leak else "ValueError: nei"])]),
    ]
    nb = new_notebook(cells=cells)
    nbformat.write(nb, path)
    return path


def test_notebook_findings_name_the_cell_and_never_show_the_identifier(tmp_path):
    findings = scan_outputs([_notebook(tmp_path / "r.ipynb")], names=["Kari Nordmann"])
    where = [(f.location, f.kind) for f in findings]
    assert where == [("cell 2 (input)", "email"), ("cell 3 (output)", "phone"), ("cell 4 (output)", "name"),
                     ("cell 5 (output)", "identity_number"),  # the error's value
                     ("cell 5 (output)", "identity_number")]  # and its traceback
    for f in findings:
        text = str(f)
        assert text.startswith("r.ipynb, cell ")
        for ident in (FNR, PHONE, EMAIL, "Kari Nordmann", "Nordmann"):
            assert ident not in text
    assert mask(PHONE) in str(findings[1]) and "Ring" in findings[1].excerpt


def test_a_clean_notebook_has_no_findings_even_with_digits_in_pictures_and_tables(tmp_path):
    assert scan_outputs([_notebook(tmp_path / "r.ipynb", leak=False)], names=["Kari Nordmann", "Per"]) == []


def test_html_and_pdf_findings_name_the_line_and_the_page(tmp_path):
    from samorg.report.render import render_html, render_pdf

    nb = _notebook(tmp_path / "r.ipynb")
    html = render_html(nb, tmp_path / "r.html", title="Rapport")
    pdf = render_pdf(nb, tmp_path / "r.pdf", title="Rapport")
    found = scan_outputs([html, pdf], names=["Kari Nordmann"])
    html_hits = {f.kind for f in found if f.file == html}
    pdf_hits = {f.kind for f in found if f.file == pdf}
    assert {"phone", "name", "identity_number"} <= html_hits and {"phone", "name"} <= pdf_hits
    assert all(f.location.startswith("line ") for f in found if f.file == html)
    assert all(f.location == "page 1" for f in found if f.file == pdf)
    assert not [f for f in found if FNR in str(f) or PHONE in str(f)]
    clean = _notebook(tmp_path / "clean.ipynb", leak=False)
    assert scan_outputs([render_html(clean, tmp_path / "c.html"), render_pdf(clean, tmp_path / "c.pdf", title="R")],
                        names=["Kari Nordmann"]) == []


def test_html_entities_and_link_targets_are_read(tmp_path):
    page = tmp_path / "p.html"
    page.write_text('<html><style>.x{width:91234567px}</style><body>\n<p>skriv til kari&#64;example.com</p>\n'
                    '<a href="mailto:ola@example.org">e-post</a>\n<img src="data:image/png;base64,'
                    f'{FNR}{FNR}AAAA" alt="bilde"></body></html>', encoding="utf-8")
    found = scan_outputs([page])
    assert [(f.location, f.kind) for f in found] == [("line 2", "email"), ("line 3", "email")]


def test_single_word_names_match_as_written_full_names_ignoring_case(tmp_path):
    text = tmp_path / "t.txt"
    text.write_text("Besøk per innbygger.\nLiv i sentrum.\nPER HANSEN var her.\nPer kom også.\n", encoding="utf-8")
    found = scan_outputs([text], names=["Per", "Per Hansen", "liv"])
    assert [(f.location, f.kind) for f in found] == [("line 3", "name"), ("line 4", "name")]
    assert privacy.redact("Besøk per innbygger", names=["Per"]) == "Besøk [fjernet] innbygger"  # redact: any case


def test_unreadable_or_missing_outputs_are_errors_not_silence(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    with pytest.raises(PrivacyError, match="bad.pdf"):
        scan_outputs([bad])
    with pytest.raises(PrivacyError, match="no such file"):
        scan_outputs([tmp_path / "missing.html"])
    broken = tmp_path / "b.ipynb"
    broken.write_text("{", encoding="utf-8")
    with pytest.raises(PrivacyError, match="b.ipynb"):
        scan_outputs([broken])


# ---------------------------------------------------------------- the runner


@pytest.fixture
def fake_papermill(monkeypatch):
    """Papermill without a kernel: the 'executed' notebook prints the job's ``site`` parameter."""
    import papermill

    def execute(input_path, output_path, parameters=None, **kwargs):
        site = (parameters or {}).get("site", "")
        nb = new_notebook(cells=[new_markdown_cell("# Rapport"), new_code_cell(
            "print(site)", outputs=[new_output("stream", name="stdout", text=f"Rapport for {site}\n")])])
        nbformat.write(nb, output_path)

    monkeypatch.setattr(papermill, "execute_notebook", execute)


def _job(name: str, site: str, **kw):
    from samorg.report.runner import ReportJob

    return ReportJob(name, NOTEBOOKS / "site_report.ipynb", {"site": site}, **kw)


def test_a_hit_fails_only_that_report_and_nothing_is_published(fake_papermill, tmp_path):
    from samorg.report.runner import run_reports

    jobs = [_job("lekk", f"Kari Nordmann, tlf {PHONE}"), _job("ok", "Drammen"), _job("navn", "kari nordmann")]
    out = tmp_path / "reports"
    res = run_reports(jobs, out_dir=out, workers=1, formats=("html",), progress=False,
                      scan_names=["Kari Nordmann"])
    assert [r.status for r in res] == ["failed", "ok", "failed"]
    leak = res[0]
    assert leak.error.startswith("PrivacyError: personal data found, the report was not published: "
                                 "lekk.ipynb, cell 2 (output): name in ")
    assert "(and 1 more)" in leak.error and "phone number" in leak.error_detail
    assert PHONE not in leak.error + leak.error_detail and "Nordmann" not in leak.error + leak.error_detail
    assert leak.ipynb is None and leak.html is None
    assert sorted(p.name for p in out.rglob("*")) == ["lekk", "navn", "ok", "ok.html", "ok.ipynb", "run.log"]
    run_log = (out / "run.log").read_text(encoding="utf-8")  # the run's record names the finding, masked
    assert "lekk" in run_log and PHONE not in run_log and "Nordmann" not in run_log
    assert res[2].error.endswith('name in "Rapport for k*** *******n"')


def test_a_hit_only_in_the_rendered_files_keeps_the_previous_good_report(fake_papermill, tmp_path):
    from samorg.report.runner import run_reports

    out = tmp_path / "reports"
    [first] = run_reports([_job("askim", "Askim", title="Askim")], out_dir=out, workers=1, progress=False)
    assert first.ok
    before = {p.name: p.read_bytes() for p in (out / "askim").iterdir() if p.suffix in (".html", ".pdf")}
    [again] = run_reports([_job("askim", "Askim", title="Askim", subtitle=f"Kontakt {EMAIL}, fnr {FNR}")],
                          out_dir=out, workers=1, progress=False)
    assert again.status == "failed" and again.html is None and again.pdf is None
    assert "askim.html, line" in again.error_detail and "askim.pdf, page 1: national identity number" in \
        again.error_detail
    assert EMAIL not in again.error_detail and FNR not in again.error_detail
    after = {p.name: p.read_bytes() for p in (out / "askim").iterdir()}
    assert {k: after[k] for k in before} == before  # the last good HTML and PDF are untouched
    assert not [p for p in out.rglob(".*")]  # no staged file left behind


def test_an_output_that_cannot_be_scanned_is_not_published(fake_papermill, tmp_path, monkeypatch):
    from samorg.report.runner import run_reports

    def broken(paths, *, names=()):
        raise RuntimeError("scanner broke")

    monkeypatch.setattr(privacy, "scan_outputs", broken)
    [res] = run_reports([_job("x", "X")], out_dir=tmp_path, workers=1, formats=("html",), progress=False)
    assert res.status == "failed"
    assert res.error == ("PrivacyError: x.ipynb could not be scanned for personal data (RuntimeError: scanner "
                         "broke); the report was not published")
    assert not list((tmp_path / "x").iterdir())
