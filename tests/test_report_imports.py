"""samorg's own report processes skip jsonschema's unused IRI grammars (samorg.report._imports)."""

import subprocess
import sys

import pytest

PROBE = """
import sys
{setup}
import nbformat
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("x")])
nbformat.validate(nb)  # validation still works
print(repr(sys.modules.get("rfc3987_syntax", "absent")))
"""


def _probe(setup: str) -> str:
    res = subprocess.run([sys.executable, "-c", PROBE.format(setup=setup)], capture_output=True, text=True,
                         check=True)
    return res.stdout.strip()


def test_a_report_worker_never_loads_the_iri_grammars():
    assert _probe("from samorg.report.dispatch import _worker_start; _worker_start()") == "None"


def test_the_report_command_skips_them_before_anything_imports_nbformat(monkeypatch):
    from samorg import cli

    calls = []
    monkeypatch.setattr("samorg.report._imports.skip_iri_format_checker", lambda: calls.append(1))
    with pytest.raises(AttributeError):  # an empty argument set: the command stops right after the call
        cli._cmd_report(type("Args", (), {})())
    assert calls == [1]


def test_a_process_that_already_imported_jsonschema_keeps_it_as_it_was():
    out = _probe("import jsonschema\nfrom samorg.report._imports import skip_iri_format_checker\n"
                 "assert skip_iri_format_checker() is False")
    assert out != "None"  # loaded as installed (or "absent" where rfc3987-syntax is not installed)
