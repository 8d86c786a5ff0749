"""samorg report on a Dask distributed cluster: a 2-worker LocalCluster stands in for a real one."""

from __future__ import annotations

from pathlib import Path

import pytest

from samorg.errors import ReportError
from samorg.report.runner import ReportJob, run_reports

NOTEBOOKS = Path(__file__).parent / "data_notebooks"


def test_reports_run_on_a_dask_cluster_and_a_failure_stays_isolated(tmp_path):
    from distributed import LocalCluster

    jobs = [
        ReportJob("drammen", NOTEBOOKS / "site_report.ipynb", {"site": "Drammen"}, "Drammen"),
        ReportJob("feil", NOTEBOOKS / "failing_report.ipynb", {"site": "Feil"}, "Feiler"),
    ]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        outcomes = run_reports(jobs, out_dir=tmp_path, executor="dask", scheduler=cluster.scheduler_address,
                               formats=("html",), progress=False)
    by_name = {o.name: o for o in outcomes}
    assert by_name["drammen"].status == "ok" and by_name["drammen"].html.is_file()
    assert by_name["feil"].status == "failed" and "ValueError" in by_name["feil"].error
    assert by_name["feil"].ipynb is not None and by_name["feil"].ipynb.is_file()


def test_dask_without_a_scheduler_address_is_refused_before_anything_runs(tmp_path):
    job = ReportJob("drammen", NOTEBOOKS / "site_report.ipynb", {"site": "Drammen"}, "Drammen")
    with pytest.raises(ReportError, match="scheduler"):
        run_reports([job], out_dir=tmp_path / "out", executor="dask", progress=False)


def test_unreachable_scheduler_is_a_clear_error(tmp_path, monkeypatch):
    import samorg.report.runner as runner

    monkeypatch.setattr(runner, "DASK_CONNECT_TIMEOUT", 2)
    job = ReportJob("drammen", NOTEBOOKS / "site_report.ipynb", {"site": "Drammen"}, "Drammen")
    with pytest.raises(ReportError, match="Could not reach the Dask scheduler at tcp://127.0.0.1:9"):
        run_reports([job], out_dir=tmp_path / "out", executor="dask", scheduler="tcp://127.0.0.1:9", progress=False)
