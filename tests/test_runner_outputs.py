"""What a report run leaves on disk: never a stale or half-good set of outputs, notebooks that re-run as
saved, a clear refusal for a folder that cannot be written, and a log of the run (issue 13)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest

from samorg.errors import ReportError
from samorg.report import render as render_module
from samorg.report.index import write_index
from samorg.report.runner import ReportJob, run_reports


def _notebook(path: Path, *cells: str, params: str = 'study = "study.yaml"\ntag = "a"') -> Path:
    nb = nbformat.v4.new_notebook()
    first = nbformat.v4.new_code_cell(params)
    first.metadata["tags"] = ["parameters"]
    nb.cells = [first] + [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def _files(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "run.log"}


@pytest.fixture
def simple(tmp_path) -> Path:
    return _notebook(tmp_path / "r.ipynb", "print('TAG', tag)")


def test_no_pdf_removes_the_pdf_of_a_rerendered_report_and_the_index_does_not_link_it(tmp_path, simple):
    out = tmp_path / "reports"
    [first] = run_reports([ReportJob("r", simple, {"tag": "old"})], out_dir=out, progress=False, workers=1)
    assert first.ok and first.pdf.is_file()
    [again] = run_reports([ReportJob("r", simple, {"tag": "new"})], out_dir=out, formats=("html",),
                          progress=False, workers=1)
    assert again.ok and again.pdf is None and "TAG new" in again.ipynb.read_text(encoding="utf-8")
    assert not (out / "r" / "r.pdf").exists(), "a PDF of the old run was left beside the new HTML"
    html = write_index([again], out / "index.html", title="R").read_text(encoding="utf-8")
    assert 'href="r/r.html"' in html and "r.pdf" not in html


def test_a_report_whose_rendering_fails_keeps_its_last_good_outputs(tmp_path, simple, monkeypatch):
    out = tmp_path / "reports"
    [good] = run_reports([ReportJob("r", simple, {"tag": "good"})], out_dir=out, progress=False, workers=1)
    assert good.ok
    before = _files(out)

    def broken(*args, **kwargs):
        raise ReportError("Typst could not typeset the PDF: simulated")

    monkeypatch.setattr(render_module, "render_pdf", broken)
    [bad] = run_reports([ReportJob("r", simple, {"tag": "bad"})], out_dir=out, progress=False, workers=1)
    assert bad.status == "failed" and "simulated" in bad.error
    assert bad.ipynb == out / "r" / "r.failed.ipynb" and "TAG bad" in bad.ipynb.read_text(encoding="utf-8")
    after = _files(out)
    for path, data in before.items():  # the last good notebook, HTML and PDF are untouched
        assert after[path] == data, f"{path} was overwritten by a failed run"
    assert set(after) - set(before) == {bad.ipynb}  # no temporary file left behind either


@contextmanager
def _read_only(folder: Path):
    """Make ``folder`` read-only, also for root (who ignores permission bits): the immutable attribute."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def test_a_read_only_report_folder_is_refused_before_anything_runs(tmp_path, simple):
    out = tmp_path / "reports"
    [good] = run_reports([ReportJob("r", simple)], out_dir=out, formats=("html",), progress=False, workers=1)
    assert good.ok
    before = _files(out)
    with _read_only(out / "r"):
        with pytest.raises(ReportError) as err:
            run_reports([ReportJob("r", simple, {"tag": "new"})], out_dir=out, formats=("html",), progress=False,
                        workers=1)
    message = str(err.value)
    assert message.startswith(f"{out / 'r'}: the reports cannot be written here (")
    assert "nothing was run" in message and "--out DIR" in message
    assert _files(out) == before


def test_samorg_report_into_a_read_only_folder_is_a_message_and_exit_2(tmp_path, copy_demo_study, capsys):
    from samorg import cli

    study = copy_demo_study(tmp_path)
    (tmp_path / "processed").mkdir(exist_ok=True)
    (tmp_path / "processed" / "observations.parquet").write_bytes(b"")  # nothing runs: a stand-in is enough
    reports = tmp_path / "reports"
    reports.mkdir(exist_ok=True)
    with _read_only(reports):
        code = cli.main(["report", "--study", str(study), "--kind", "quality", "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert f"samorg report: {reports}: the reports cannot be written here" in err
    assert "Make the folder writable" in err and list(reports.iterdir()) == []


def test_the_executed_notebook_keeps_the_study_path_relative_and_runs_again_as_saved(tmp_path):
    import papermill

    study = tmp_path / "project" / "config" / "s" / "study.yaml"
    study.parent.mkdir(parents=True)
    study.write_text("title: x\n", encoding="utf-8")
    nb = _notebook(tmp_path / "r.ipynb", "from pathlib import Path\nprint('FOUND', Path(study).read_text().strip())")
    out = tmp_path / "project" / "reports"
    [res] = run_reports([ReportJob("r", nb, {"study": str(study)})], out_dir=out, formats=("html",),
                        progress=False, workers=1)
    assert res.ok, res.error_detail
    saved = nbformat.read(res.ipynb, as_version=4)
    injected = next(c.source for c in saved.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert 'study = "../../config/s/study.yaml"' in injected and str(tmp_path) not in injected
    assert "FOUND title: x" in res.ipynb.read_text(encoding="utf-8")
    # Run again as saved, in its own folder, with no parameters given.
    again = tmp_path / "again.ipynb"
    papermill.execute_notebook(str(res.ipynb), str(again), cwd=str(res.ipynb.parent), progress_bar=False,
                               kernel_name="python3")
    assert "FOUND title: x" in again.read_text(encoding="utf-8")


def test_the_runs_log_names_the_templates_each_report_and_its_kernel(tmp_path, simple):
    failing = _notebook(tmp_path / "bad.ipynb", "raise ValueError('no visits for 2031')")
    out = tmp_path / "reports"
    run_reports([ReportJob("r", simple), ReportJob("bad", failing)], out_dir=out, formats=("html",),
                progress=False, workers=1, warm_kernels=False)
    log = (out / "run.log").read_text(encoding="utf-8")
    assert f"report templates: {tmp_path}" in log and "2 reports, 1 ok, 1 failed" in log
    assert "r: ok in " in log and "bad: failed in " in log and "ValueError: no visits for 2031" in log
    assert log.count("kernel fresh (warm kernels were turned off (--fresh-kernels))") == 2


def test_templates_come_from_a_defined_place_not_the_current_folder(tmp_path, monkeypatch, capsys):
    from samorg import cli
    from samorg.report import notebook_dir
    from samorg.report.notebooks import REPORT_NOTEBOOKS, template_dir

    repo = Path(__file__).resolve().parents[1] / "notebooks"
    decoy = tmp_path / "notebooks"
    decoy.mkdir()
    for name in REPORT_NOTEBOOKS:
        shutil.copy(repo / name, decoy / name)
    monkeypatch.chdir(tmp_path)
    assert template_dir() == repo and notebook_dir() == repo  # not ./notebooks of wherever samorg runs
    assert template_dir(decoy) == decoy  # only when asked for
    (decoy / "synthesis.ipynb").unlink()
    code = cli.main(["report", "--templates", str(decoy), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and "lacks synthesis.ipynb" in err and "Traceback" not in err


def test_the_cli_says_which_templates_it_used(tmp_path, copy_demo_study, capsys):
    from samorg import cli

    study = copy_demo_study(tmp_path)
    (tmp_path / "processed").mkdir(exist_ok=True)
    (tmp_path / "processed" / "observations.parquet").write_bytes(b"")
    code = cli.main(["report", "--study", str(study), "--site", "mysen", "-p", "nope=1", "--no-progress"])
    err = capsys.readouterr().err
    repo = Path(__file__).resolve().parents[1] / "notebooks"
    assert code == 2 and f"Report templates: {repo}" in err


def test_cli_report_in_a_subprocess_from_another_folder_uses_the_repository_templates(tmp_path):
    code = "from samorg.report.notebooks import template_dir; print(template_dir())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert out.stdout.strip() == str(Path(__file__).resolve().parents[1] / "notebooks")
