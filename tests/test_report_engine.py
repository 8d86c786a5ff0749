"""samorg's Papermill engine: the same executed notebook as Papermill's own, with fewer writes on the way."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from samorg.report import engine
from samorg.report.runner import ReportJob, run_reports


def _notebook(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


@pytest.fixture
def count_saves(monkeypatch):
    calls = []
    original = engine.NotebookExecutionManager.save

    def counting(self, **kwargs):
        calls.append(self.nb.metadata.papermill.get("end_time"))
        return original(self, **kwargs)

    monkeypatch.setattr(engine.NotebookExecutionManager, "save", counting)
    return calls


def test_a_run_saves_at_start_and_end_not_after_every_cell(tmp_path, count_saves):
    nb = _notebook(tmp_path / "n.ipynb", *[f"print({i})" for i in range(12)])
    [res] = run_reports([ReportJob("n", nb)], out_dir=tmp_path / "out", formats=(), progress=False, workers=1)
    assert res.ok
    assert len(count_saves) == 2 and count_saves[-1] is not None  # start, and end (with its end time)
    executed = nbformat.read(res.ipynb, as_version=4)
    assert [c.outputs[0]["text"] for c in executed.cells] == [f"{i}\n" for i in range(12)]
    assert all(c.metadata.papermill["status"] == "completed" for c in executed.cells)


def test_a_long_run_is_saved_as_it_goes(tmp_path, count_saves, monkeypatch):
    monkeypatch.setattr(engine, "SAVE_EVERY", 0.0)
    nb = _notebook(tmp_path / "n.ipynb", "print(1)", "print(2)")
    [res] = run_reports([ReportJob("n", nb)], out_dir=tmp_path / "out", formats=(), progress=False, workers=1)
    assert res.ok and len(count_saves) >= 5  # start, before and after each cell, end


def test_a_failed_run_leaves_the_partial_notebook_with_the_error(tmp_path, count_saves):
    nb = _notebook(tmp_path / "n.ipynb", "print('før')", "raise ValueError('ingen besøkstall')", "print('etter')")
    [res] = run_reports([ReportJob("n", nb)], out_dir=tmp_path / "out", formats=(), progress=False, workers=1)
    assert res.status == "failed" and res.error == "ValueError: ingen besøkstall"
    partial = nbformat.read(res.ipynb, as_version=4)
    assert partial.cells[0].cell_type == "markdown"  # papermill's error banner
    code = [c for c in partial.cells if c.cell_type == "code"]
    assert code[0].outputs[0]["text"] == "før\n"
    assert code[1].metadata.papermill["status"] == "failed" and code[1].outputs[0]["ename"] == "ValueError"
    assert code[2].metadata.papermill["status"] == "pending" and not code[2].outputs
