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
    """The executed notebook's end time each time it is written, by this engine or by Papermill after it."""
    calls = []
    original = nbformat.writes

    def counting(nb, *args, **kwargs):
        if "papermill" in nb.get("metadata", {}):  # the running notebook, not a template
            calls.append(nb.metadata.papermill.get("end_time"))
        return original(nb, *args, **kwargs)

    monkeypatch.setattr(nbformat, "writes", counting)
    return calls


def test_a_run_saves_at_start_and_end_not_after_every_cell(tmp_path, count_saves):
    nb = _notebook(tmp_path / "n.ipynb", *[f"print({i})" for i in range(12)])
    [res] = run_reports([ReportJob("n", nb)], out_dir=tmp_path / "out", formats=(), progress=False, workers=1)
    assert res.ok
    # the start, and the finished notebook once (with its end time): Papermill writes it, the engine does not too
    assert len(count_saves) == 2 and count_saves[0] is None and count_saves[-1] is not None
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
    assert len(count_saves) == 2  # the start, and Papermill's notebook with its error banner
    partial = nbformat.read(res.ipynb, as_version=4)
    assert partial.cells[0].cell_type == "markdown"  # papermill's error banner
    code = [c for c in partial.cells if c.cell_type == "code"]
    assert code[0].outputs[0]["text"] == "før\n"
    assert code[1].metadata.papermill["status"] == "failed" and code[1].outputs[0]["ename"] == "ValueError"
    assert code[2].metadata.papermill["status"] == "pending" and not code[2].outputs


# --- without a kernel: the engine around a stand-in for nbclient ------------------------------------------------


def _display(data: dict) -> dict:
    return {"header": {"msg_type": "display_data"}, "content": {"data": data, "metadata": {}}}


@pytest.fixture
def stand_in(tmp_path, monkeypatch):
    """A two-cell template and an engine whose "kernel" gives the first cell the output ``display``
    (built by nbclient's own ``output_from_msg``), then raises ``raises`` if set."""
    import nbclient.client

    how: dict = {"display": _display({"text/plain": "42"}), "raises": None}

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
        nb_man.nb.cells[0].outputs = [nbclient.client.output_from_msg(how["display"])]
        nb_man.nb.cells[0].execution_count = 1
        if how["raises"] is not None:
            raise how["raises"]

    monkeypatch.setattr(engine.SamorgEngine, "execute_managed_notebook", execute_managed_notebook)
    how["template"] = _notebook(tmp_path / "t.ipynb", "41 + 1", "print('etter')")
    return how


def test_a_finished_notebook_is_written_once_and_is_the_notebook_returned(tmp_path, stand_in, count_saves):
    import papermill

    out = tmp_path / "out.ipynb"
    nb = papermill.execute_notebook(stand_in["template"], out, engine_name=engine.ENGINE_NAME, kernel_name="python3",
                                    progress_bar=False, samorg_metadata={"kernel": "fresh"})
    assert len(count_saves) == 2 and count_saves[0] is None and count_saves[1] is not None
    assert out.read_text(encoding="utf-8") == nbformat.writes(nb)
    assert nb.metadata.samorg == {"kernel": "fresh"} and nb.cells[0].outputs[0].data == {"text/plain": "42"}


def test_an_engine_that_raises_still_leaves_the_partial_notebook(tmp_path, stand_in, count_saves):
    import papermill

    stand_in["raises"] = TimeoutError("Cell execution timed out")
    out = tmp_path / "out.ipynb"
    with pytest.raises(TimeoutError):
        papermill.execute_notebook(stand_in["template"], out, engine_name=engine.ENGINE_NAME, kernel_name="python3",
                                   progress_bar=False)
    partial = nbformat.read(out, as_version=4)
    assert partial.cells[0].outputs[0]["data"] == {"text/plain": "42"} and not partial.cells[1].outputs
    assert partial.metadata.papermill["end_time"] is not None and len(count_saves) == 2


def test_outputs_are_built_without_their_own_schema_check_only_inside_the_engine():
    import nbclient.client
    from nbformat.v4 import output_from_msg

    good, bad = _display({"text/plain": "42", "image/svg+xml": "<svg/>"}), _display({"text/plain": 42})
    with engine.outputs_unvalidated() as unvalidated:
        assert unvalidated
        assert nbclient.client.output_from_msg(good) == output_from_msg(good)
        assert nbclient.client.output_from_msg(bad).data == {"text/plain": 42}  # not checked here
    with pytest.raises(nbformat.ValidationError):
        nbclient.client.output_from_msg(bad)  # outside the engine: nbformat's own, checked
    assert nbclient.client.output_from_msg(good) == output_from_msg(good)


def test_an_output_that_breaks_the_schema_still_fails_the_report(tmp_path, stand_in):
    import papermill

    stand_in["display"] = _display({"text/plain": 42})
    out = tmp_path / "out.ipynb"
    with pytest.raises(nbformat.ValidationError):
        papermill.execute_notebook(stand_in["template"], out, engine_name=engine.ENGINE_NAME, kernel_name="python3",
                                   progress_bar=False)
    assert nbformat.read(out, as_version=4).cells[0].outputs[0]["data"] == {"text/plain": 42}  # the partial notebook


def test_the_output_check_ignores_what_is_not_an_output():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="1\n")])])
    nb.metadata["kernelspec"] = {"name": 3}  # invalid, but not an output: Papermill only logs it
    engine._check_outputs(nb)
    nb.cells[0].outputs[0]["text"] = 1
    with pytest.raises(nbformat.ValidationError):
        engine._check_outputs(nb)


def test_the_injected_parameters_cell_has_the_same_id_in_every_build(tmp_path, stand_in):
    """Papermill gives it a random id: two builds of one report differed in their notebook and HTML."""
    import papermill

    template = nbformat.read(stand_in["template"], as_version=4)
    template.cells[0].metadata["tags"] = ["parameters"]
    template.cells[1].id = engine.INJECTED_ID  # a template cell that happens to have the fixed id keeps it
    nbformat.write(template, stand_in["template"])
    ids = []
    for run in (1, 2):
        nb = papermill.execute_notebook(stand_in["template"], tmp_path / f"{run}.ipynb", engine_name=engine.ENGINE_NAME,
                                        kernel_name="python3", progress_bar=False, parameters={"site": "askim"})
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1 and len({c.id for c in nb.cells}) == len(nb.cells)
        ids.append(injected[0].id)
        nbformat.validate(nb)
    assert ids[0] == ids[1] == f"{engine.INJECTED_ID}-2"
    assert (tmp_path / "1.ipynb").read_text(encoding="utf-8").count(f'"id": "{engine.INJECTED_ID}-2"') == 1
