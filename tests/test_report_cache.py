"""The report cache (issue 17): a report is executed again only when its key changes; counted, not timed.

Execution is Papermill's ``execute_notebook``, replaced here by a stand-in that counts its calls and writes
the notebook with one output (no kernel), so each run takes a fraction of a second; rendering is real.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import nbformat
import pytest

from samorg.report import cache
from samorg.report.runner import ReportJob, run_reports


@pytest.fixture
def executions(monkeypatch) -> list[str]:
    """Names of the reports executed (the stand-in fails a report whose ``fail`` parameter is True)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    calls: list[str] = []

    def execute(input_path, output_path, *, parameters, **kwargs):
        calls.append(Path(output_path).parent.name)
        nb = nbformat.read(input_path, as_version=4)
        if parameters.get("fail"):
            nbformat.write(nb, output_path)
            raise PapermillExecutionError(1, 1, "print(site)", "ValueError", "no rows", [])
        nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"{parameters}\n")]
        nbformat.write(nb, output_path)
        return nb

    monkeypatch.setattr(papermill, "execute_notebook", execute)
    return calls


@pytest.fixture
def template(tmp_path) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('site = "a"\nfail = False')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("print(site)")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    return path


def _jobs(template: Path, **changes) -> list[ReportJob]:
    jobs = [ReportJob(name, template, {"site": name}, title=name.title(), inputs={"site": {"name": name}})
            for name in ("a", "b", "c")]
    return [dataclasses.replace(j, **changes[j.name]) if j.name in changes else j for j in jobs]


def _run(jobs, out: Path, **kw):
    kw = {"formats": ("html",), "progress": False, "workers": 1, "warm_kernels": False, "cache": True, **kw}
    return {o.name: o for o in run_reports(jobs, out_dir=out, **kw)}


def _files(out: Path) -> dict[Path, tuple[bytes, int]]:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file() and p.name != "run.log"}


def test_unchanged_rerun_executes_nothing_and_leaves_every_file_as_it_was(tmp_path, template, executions):
    out = tmp_path / "out"
    first = _run(_jobs(template), out)
    assert sorted(executions) == ["a", "b", "c"]
    assert all(o.ok and not o.reused and o.reason == "første bygg" for o in first.values())
    before = _files(out)
    again = _run(_jobs(template), out)
    assert sorted(executions) == ["a", "b", "c"]  # nothing more ran
    assert all(o.reused and o.ok and o.reason == "uendret" for o in again.values())
    assert again["a"].html == out / "a" / "a.html" and again["a"].ipynb == out / "a" / "a.ipynb"
    assert _files(out) == before  # same bytes, not even touched
    log = (out / "run.log").read_text(encoding="utf-8")
    assert "0 built, 3 reused" in log and "a: ok, reused (uendret)" in log


def test_a_changed_parameter_or_input_rebuilds_only_that_report(tmp_path, template, executions):
    out = tmp_path / "out"
    _run(_jobs(template), out)
    executions.clear()
    changed = _run(_jobs(template, b={"parameters": {"site": "B"}}), out)
    assert executions == ["b"] and changed["b"].reason == "parametrene er endret" and changed["a"].reused
    executions.clear()
    changed = _run(_jobs(template, b={"parameters": {"site": "B"}}, c={"inputs": {"site": {"name": "C"}}}), out,
                   lang="nb")
    assert executions == ["c"] and changed["c"].reason == "registeroppføringen for stedet er endret"
    assert "c: ok in" in (out / "run.log").read_text(encoding="utf-8")


def test_force_builds_every_report(tmp_path, template, executions):
    out = tmp_path / "out"
    _run(_jobs(template), out)
    forced = _run(_jobs(template), out, force=True)
    assert sorted(executions) == ["a", "a", "b", "b", "c", "c"]
    assert all(not o.reused and o.reason == "--force" for o in forced.values())


def test_a_failed_report_is_never_reused(tmp_path, template, executions):
    out = tmp_path / "out"
    failing = {"a": {"parameters": {"site": "a", "fail": True}}}
    first = _run(_jobs(template, **failing), out)
    assert first["a"].status == "failed" and first["b"].ok
    executions.clear()
    again = _run(_jobs(template, **failing), out)
    assert executions == ["a"] and again["a"].status == "failed" and again["a"].reason == "forrige bygg feilet"
    record = json.loads((out / "a" / cache.CACHE_FILE).read_text(encoding="utf-8"))
    assert record["status"] == "failed" and "outputs" not in record


def test_a_deleted_or_edited_output_is_built_again(tmp_path, template, executions):
    out = tmp_path / "out"
    _run(_jobs(template), out)
    executions.clear()
    (out / "a" / "a.html").unlink()
    with open(out / "b" / "b.ipynb", "a", encoding="utf-8") as fh:
        fh.write(" ")
    again = _run(_jobs(template), out)
    assert sorted(executions) == ["a", "b"] and again["c"].reused
    assert again["a"].reason == "en utdatafil mangler eller er endret" and (out / "a" / "a.html").is_file()
    executions.clear()
    assert all(o.reused for o in _run(_jobs(template), out).values()) and executions == []


def test_a_changed_template_or_format_builds_again_with_the_reason_in_english(tmp_path, template, executions):
    out = tmp_path / "out"
    _run(_jobs(template), out, lang="en")
    nb = nbformat.read(template, as_version=4)
    nb.cells[1].source = "print(site.upper())"
    nbformat.write(nb, template)
    executions.clear()
    again = _run(_jobs(template), out, lang="en")
    assert sorted(executions) == ["a", "b", "c"] and again["a"].reason == "the template changed"
    show = _run(_jobs(template), out, lang="en", show_code=True)
    assert show["a"].reason == "the output formats or settings changed"


def test_without_the_cache_every_report_runs_and_nothing_is_recorded(tmp_path, template, executions):
    out = tmp_path / "out"
    _run(_jobs(template), out, cache=False)
    again = _run(_jobs(template), out, cache=False)
    assert sorted(executions) == ["a", "a", "b", "b", "c", "c"] and not any(o.reused for o in again.values())
    assert not list(out.rglob(cache.CACHE_FILE))


def test_study_inputs_tie_a_site_entry_to_its_site_and_the_synthesis_only():
    """The key parts each study report gets (no report runs): which reports a registry change reaches."""
    from samorg.config import load_study

    root = Path(__file__).resolve().parents[1]
    study = load_study(root / "config" / "demo" / "study.yaml")
    names = [*study.site_ids, "syntese", "datakvalitet"]
    jobs = [ReportJob(n, root / "notebooks" / "site_report.ipynb") for n in names]

    def keys(s) -> dict[str, dict[str, str]]:
        return {j.name: cache.key_parts(j.notebook, {}, (), {}, j.inputs)
                for j in cache.with_study_inputs(s, jobs, quality="datakvalitet")}

    def changed(before, after) -> set[str]:
        return {n for n in before if before[n] != after[n]}

    base = keys(study)
    treated = [s for s in study.sites if s.role == "treated"]
    site = treated[0]
    bigger = dataclasses.replace(site, catchment_population=(site.catchment_population or 0) + 1000)
    edited = dataclasses.replace(study, sites=tuple(bigger if s is site else s for s in study.sites))
    assert changed(base, keys(edited)) == {site.site_id, "syntese"}
    renamed = dataclasses.replace(site, name=site.name + " bibliotek")
    edited = dataclasses.replace(study, sites=tuple(renamed if s is site else s for s in study.sites))
    assert changed(base, keys(edited)) == {site.site_id, "syntese", "datakvalitet"}
    # a design field (the co-location date) reaches every site report: estimands and the Holm family use it
    moved = dataclasses.replace(site, co_located=site.co_located.replace(year=site.co_located.year + 1))
    edited = dataclasses.replace(study, sites=tuple(moved if s is site else s for s in study.sites))
    assert changed(base, keys(edited)) == set(study.site_ids) | {"syntese"}


def test_samorg_data_after_a_registry_change_rebuilds_no_other_site(tmp_path, copy_demo_study):
    """`samorg data` records the registry file's hash among its inputs; that hash must not reach the site
    reports' keys (each reads its own entry), or one changed entry would rebuild every report."""
    from samorg.config import load_study
    from samorg.store import Manifest, write_manifest

    study = load_study(copy_demo_study(tmp_path))
    jobs = [ReportJob(n, Path(__file__).resolve().parents[1] / "notebooks" / "site_report.ipynb")
            for n in [*study.site_ids, "syntese"]]

    def keys(inputs: dict[str, str]) -> dict[str, dict[str, str]]:
        study.processed_dir.mkdir(parents=True, exist_ok=True)
        write_manifest(Manifest("0", str(study.path), "now", inputs=inputs), study.processed_dir)
        return {j.name: cache.key_parts(j.notebook, {}, (), {}, j.inputs)
                for j in cache.with_study_inputs(study, jobs, quality="datakvalitet")}

    base = keys({"config:sites.yaml": "a", "filialer/x.csv": "b"})
    registry = keys({"config:sites.yaml": "c", "filialer/x.csv": "b"})
    assert all(base[s] == registry[s] for s in study.site_ids)
    raw = keys({"config:sites.yaml": "a", "filialer/x.csv": "d"})
    assert all(base[s] != raw[s] for s in study.site_ids)  # a changed raw file reaches every report


def test_the_longest_reports_start_first_by_cost_then_by_the_last_build(tmp_path, template, executions):
    out = tmp_path / "out"
    jobs = _jobs(template, b={"cost": 3.0}, c={"cost": 0.5})
    outcomes = _run(jobs, out)
    assert executions == ["b", "a", "c"]  # no build recorded yet: by cost
    assert [o.name for o in outcomes.values()] == ["a", "b", "c"]  # the outcomes keep the jobs' order
    for name, seconds in (("a", 9.0), ("b", 1.0), ("c", 4.0)):  # as if the last build had taken these times
        record = json.loads((out / name / cache.CACHE_FILE).read_text(encoding="utf-8"))
        assert record["seconds"] >= 0
        (out / name / cache.CACHE_FILE).write_text(json.dumps({**record, "seconds": seconds}), encoding="utf-8")
    executions.clear()
    _run(jobs, out, force=True)
    assert executions == ["a", "c", "b"]  # every job has a measured time: by that
