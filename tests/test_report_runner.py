"""Parameters, the parallel runner and the index, on tiny notebooks in tests/data_notebooks/."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from samorg.errors import ParameterError, ReportError
from samorg.report.index import write_index
from samorg.report.params import notebook_parameters, validate_parameters
from samorg.report.render import external_resources
from samorg.report.runner import ReportJob, ReportOutcome, run_reports

NOTEBOOKS = Path(__file__).parent / "data_notebooks"
SITE = NOTEBOOKS / "site_report.ipynb"
FAILING = NOTEBOOKS / "failing_report.ipynb"
BANNER = "Syntetiske demodata – tallene er ikke ekte"
FAIL_MESSAGE = "ValueError: Besøkstall mangler for Feil: ingen rader i 2023"


def _jobs() -> list[ReportJob]:
    return [
        ReportJob("drammen", SITE, {"site": "Drammen"}, "Drammen bibliotek", "Samlokalisering", BANNER),
        ReportJob("feil", FAILING, {"site": "Feil"}, "Rapport som feiler", banner=BANNER),
        ReportJob("indre", SITE, {"site": "Indre Østfold", "year": 2023}, "Indre Østfold", banner=BANNER),
    ]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[ReportOutcome]]:
    out = tmp_path_factory.mktemp("reports")
    outcomes = run_reports(_jobs(), out_dir=out, workers=2, progress=False, date_text="24.11.2026")
    return out, outcomes


# --- parameters --------------------------------------------------------------------------------


def test_notebook_parameters_reads_names_types_and_defaults():
    params = notebook_parameters(SITE)
    assert list(params) == ["site", "year", "scale", "show_table"]
    type_, default = params["year"]
    assert (type_, default) == ("int", 2024)
    assert params["site"] == ("str", "drammen")
    assert params["scale"].type == "float"


def test_unknown_parameter_lists_bad_name_known_names_and_suggestion():
    with pytest.raises(ParameterError) as err:
        validate_parameters(SITE, {"stie": "drammen", "colour": "red"})
    text = str(err.value)
    assert '"stie"' in text and 'did you mean "site"' in text
    assert '"colour"' in text
    assert "site, year, scale, show_table" in text


def test_wrong_types_are_refused_and_int_is_a_float():
    with pytest.raises(ParameterError) as err:
        validate_parameters(SITE, {"year": "2024", "show_table": 1, "scale": True})
    text = str(err.value)
    assert "3 problems" in text and '"year"' in text and '"show_table"' in text and '"scale"' in text
    validate_parameters(SITE, {"scale": 2, "year": 2020, "site": "x", "show_table": False})


def test_bad_parameter_stops_every_job_before_anything_runs(tmp_path):
    jobs = _jobs() + [ReportJob("oslo", SITE, {"stie": "oslo"}, "Oslo")]
    with pytest.raises(ParameterError) as err:
        run_reports(jobs, out_dir=tmp_path / "reports", progress=False)
    assert 'job "oslo"' in str(err.value) and '"stie"' in str(err.value)
    assert not (tmp_path / "reports").exists()


def test_duplicate_and_unsafe_job_names_are_refused(tmp_path):
    jobs = [ReportJob("a", SITE, {}, "A"), ReportJob("a", SITE, {}, "A"), ReportJob("../x", SITE, {}, "X")]
    with pytest.raises(ReportError) as err:
        run_reports(jobs, out_dir=tmp_path, progress=False)
    assert "used twice" in str(err.value) and "'../x'" in str(err.value)


# --- running -----------------------------------------------------------------------------------


def test_a_failing_job_does_not_stop_the_others(run):
    out, outcomes = run
    assert [o.name for o in outcomes] == ["drammen", "feil", "indre"]
    assert [o.status for o in outcomes] == ["ok", "failed", "ok"]
    for o in (outcomes[0], outcomes[2]):
        assert o.ipynb == out / o.name / f"{o.name}.ipynb" and o.ipynb.is_file()
        assert o.html.is_file() and o.pdf.is_file()
        assert o.pdf.read_bytes().startswith(b"%PDF")
        assert o.error == "" and o.seconds > 0 and set(o.timings) == {"execute", "html", "pdf"}
    assert not list(out.rglob(".*"))  # no temporary files left behind


def test_failed_job_records_the_cell_error_and_the_partial_notebook(run):
    out, outcomes = run
    failed = outcomes[1]
    assert failed.error == FAIL_MESSAGE
    assert "Traceback" not in failed.error and "\n" not in failed.error
    assert "In [4]" in failed.error_detail
    assert failed.html is None and failed.pdf is None
    assert failed.ipynb == out / "feil" / "feil.failed.ipynb"
    nb = nbformat.read(failed.ipynb, as_version=4)
    assert any(o.get("ename") == "ValueError" for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert not (out / "feil" / "feil.ipynb").exists()


def test_parameters_reach_the_notebook_and_kernel_uses_callers_python(run):
    _, outcomes = run
    executed = outcomes[2].ipynb.read_text(encoding="utf-8")
    assert "Indre Østfold" in outcomes[2].html.read_text(encoding="utf-8")
    assert f"KERNEL_PYTHON={sys.executable}" in executed
    # conftest sets MPLBACKEND=Agg; the kernel must still show figures inline
    assert os.environ.get("MPLBACKEND") == "Agg" and '"image/svg+xml"' in executed  # report figures are SVG


def test_failed_rerun_keeps_the_previous_good_report(run, tmp_path):
    out, _ = run
    copy = tmp_path / "reports"
    shutil.copytree(out, copy)
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file() and p.name != "run.log"}
    [again] = run_reports([ReportJob("drammen", FAILING, {}, "Drammen")], out_dir=copy, progress=False)
    assert again.status == "failed" and again.ipynb == copy / "drammen" / "drammen.failed.ipynb"
    for path, data in before.items():
        assert path.read_bytes() == data, f"{path} was changed by another report's failed run"
    html = write_index([again], copy / "index.html", title="R").read_text(encoding="utf-8")
    assert "Forrige vellykkede versjon" in html and 'href="drammen/drammen.pdf"' in html


def test_kernel_that_fails_to_start_is_retried_once(monkeypatch, tmp_path):
    import papermill

    calls = []

    def flaky(input_path, output_path, **kwargs):
        calls.append(kwargs["kernel_manager_class"])
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        nbformat.write(nbformat.read(input_path, as_version=4), output_path)

    monkeypatch.setattr(papermill, "execute_notebook", flaky)
    [res] = run_reports([ReportJob("x", SITE, {}, "X")], out_dir=tmp_path, formats=("html",), progress=False)
    assert res.status == "ok" and len(calls) == 2 and res.pdf is None and res.html.is_file()


def test_kernel_failure_after_retry_is_recorded(monkeypatch, tmp_path):
    import papermill

    def dead(input_path, output_path, **kwargs):
        raise RuntimeError("Kernel died before replying to kernel_info\nmore detail")

    monkeypatch.setattr(papermill, "execute_notebook", dead)
    [res] = run_reports([ReportJob("x", SITE, {}, "X")], out_dir=tmp_path, progress=False)
    assert res.status == "failed" and res.ipynb is None
    assert res.error == "RuntimeError: Kernel died before replying to kernel_info"


# --- index -------------------------------------------------------------------------------------


def test_index_links_every_report_and_shows_the_failure(run):
    out, outcomes = run
    index = write_index(outcomes, out / "index.html", title="Rapporter", banner=BANNER,
                        generated_at=dt.datetime(2026, 11, 24, 9, 30))
    html = index.read_text(encoding="utf-8")
    assert '<html lang="nb">' in html
    for name in ("drammen", "indre"):
        assert f'href="{name}/{name}.html"' in html and f'href="{name}/{name}.pdf"' in html
        assert (out / name / f"{name}.html").is_file()
    assert "Feilet" in html and "OK" in html
    assert FAIL_MESSAGE in html and "feil/feil.failed.ipynb" in html
    assert BANNER in html and "24.11.2026 09:30" in html
    assert external_resources(html) == [] and "http" not in html


def test_index_in_english(run, tmp_path):
    _, outcomes = run
    html = write_index(outcomes, tmp_path / "index.html", title="Reports", lang="en").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Failed" in html and "Feilet" not in html
    assert "../" in html  # links stay relative when the index lives elsewhere
