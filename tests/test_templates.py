"""The report templates are the source (issue 15): output-free, stable unique cell ids, the anatomy of
EVIDENCE.md §7 in both languages, and a cell a researcher adds in JupyterLab survives."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from samorg.report.localise import localised_template

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ANATOMY = {
    "site_report.ipynb": {
        "nb": ["Sammendrag", "Innledning", "Data og metode", "Resultater", "Drøfting", "Konklusjon", "Referanser",
               "Ordliste", "Teknisk vedlegg", "Sporbarhet"],
        "en": ["Summary", "Introduction", "Data and method", "Results", "Discussion", "Conclusion", "References",
               "Glossary", "Technical appendix", "Provenance"],
    },
    "synthesis.ipynb": {
        "nb": ["Innhold", "Sammendrag", "Innledning", "Data og metode", "Resultater", "Drøfting", "Referanser",
               "Ordliste"],
        "en": ["Contents", "Summary", "Introduction", "Data and method", "Results", "Discussion", "References",
               "Glossary"],
    },
}


def _headings(nb, lang: str) -> list[str]:
    out = []
    for cell in nb.cells:
        if cell.cell_type == "markdown" and f"lang-{lang}" in cell.metadata.get("tags", []):
            out += [m.group(1) for m in re.finditer(r"^## ([^\n:]+)", cell.source, re.M)]
    return out


@pytest.mark.parametrize("name", ["site_report.ipynb", "synthesis.ipynb", "data_quality.ipynb"])
def test_templates_are_clean_with_stable_unique_ids(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    ids = [c["id"] for c in nb.cells]
    assert len(ids) == len(set(ids))
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell["id"]
    assert "parameters" in nb.cells[0].metadata.get("tags", [])


@pytest.mark.parametrize("name", sorted(ANATOMY))
def test_anatomy_headings_in_both_languages(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for lang, wanted in ANATOMY[name].items():
        found = _headings(nb, lang)
        assert [h for h in found if h.split(" ")[0] in {w.split(" ")[0] for w in wanted}], (lang, found)
        missing = [w for w in wanted if not any(h.startswith(w) for h in found)]
        assert not missing, (name, lang, missing)
    # Every bokmål Markdown cell has its English twin right after it.
    cells = nb.cells
    for i, cell in enumerate(cells):
        if "lang-nb" in cell.metadata.get("tags", []):
            assert "lang-en" in cells[i + 1].metadata.get("tags", []), cell["id"]


def test_localised_template_keeps_one_language_and_a_researchers_own_cell(tmp_path):
    nb = nbformat.read(NOTEBOOKS / "site_report.ipynb", as_version=4)
    own = nbformat.v4.new_markdown_cell("Min egen merknad")
    own["id"] = "my-note"
    nb.cells.insert(3, own)
    path = tmp_path / "site_report.ipynb"
    nbformat.write(nb, path)
    for lang, other in (("nb", "lang-en"), ("en", "lang-nb")):
        out = nbformat.read(localised_template(path, lang), as_version=4)
        assert not [c for c in out.cells if other in c.metadata.get("tags", [])]
        assert "my-note" in [c["id"] for c in out.cells]
    assert nbformat.read(path, as_version=4) == nb  # the template itself is never changed


def test_localised_copy_is_a_valid_notebook_and_a_broken_template_is_named(tmp_path):
    from samorg.errors import ReportError

    out = localised_template(NOTEBOOKS / "synthesis.ipynb", "en")
    nbformat.validate(nbformat.read(out, as_version=4))  # Papermill reads and validates it
    broken = tmp_path / "mine.ipynb"
    broken.write_text('{"cells": [', encoding="utf-8")
    with pytest.raises(ReportError, match="mine.ipynb: the report template cannot be read"):
        localised_template(broken, "nb")
