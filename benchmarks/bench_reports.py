"""Report throughput: `samorg report` against the loop a researcher would write by hand.

Run on demand: ``.venv/bin/python benchmarks/bench_reports.py [--sites N]``. It builds the processed
demo data into a temporary folder, then times, in the same run:

* samorg: ``samorg report`` for every demo report (sites, synthesis, data quality; HTML and PDF),
  and for one site only, to get the marginal cost of one more site; and all reports again with
  ``--fresh-kernels`` (every kernel started from scratch), to show what warm kernels bring;
* naive: for each report, the papermill CLI, then ``jupyter nbconvert --to html --no-input``, then the
  same PDF step samorg uses, one report after another.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _study(tmp: Path) -> Path:
    demo = ROOT / "config" / "demo" / "study.yaml"
    raw = yaml.safe_load(demo.read_text(encoding="utf-8"))
    raw["raw_dir"] = str((demo.parent / raw["raw_dir"]).resolve())
    raw["sites_file"] = str((demo.parent / raw["sites_file"]).resolve())
    raw["processed_dir"] = str(tmp / "processed")
    raw["reports_dir"] = str(tmp / "reports")
    path = tmp / "study.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def _run(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def naive(study: Path, out: Path, jobs: list[tuple[str, str, dict]]) -> float:
    from samorg.report.render import render_pdf

    start = time.perf_counter()
    for name, notebook, params in jobs:
        executed = out / f"{name}.ipynb"
        args = [str(BIN / "papermill"), str(ROOT / "notebooks" / notebook), str(executed), "--no-progress-bar"]
        for key, value in params.items():
            args += ["-p", key, str(value)]
        subprocess.run(args, check=True, capture_output=True, cwd=ROOT / "notebooks")
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                       check=True, capture_output=True)
        render_pdf(executed, out / f"{name}.pdf", title=name)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each samorg variant (the median is shown)")
    args = parser.parse_args()
    from samorg.config import load_study

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        study_path = _study(tmp)
        samorg = [str(BIN / "samorg")]
        _run(samorg + ["data", "--study", str(study_path)])
        study = load_study(study_path)
        workers = ["--workers", str(args.workers)] if args.workers else []
        report = samorg + ["report", "--study", str(study_path), "--no-progress"] + workers
        first = study.site_ids[0]

        def median(extra: list[str]) -> float:
            return statistics.median(_run(report + extra + ["--out", str(tmp / f"r{i}")]) for i in range(args.repeat))

        t_all = median([])
        t_one = median(["--site", first])
        t_fresh = median(["--fresh-kernels"])
        jobs = [(s, "site_report.ipynb", {"study": study_path, "site": s, "lang": "nb"}) for s in study.site_ids]
        jobs += [("syntese", "synthesis.ipynb", {"study": study_path, "lang": "nb"}),
                 ("datakvalitet", "data_quality.ipynb", {"study": study_path, "lang": "nb"})]
        (tmp / "naive").mkdir()
        t_naive = naive(study_path, tmp / "naive", jobs)
        n_sites = len(study.site_ids)
        print(f"reports: {len(jobs)} ({n_sites} sites + synthesis + data quality), HTML and PDF each")
        print(f"samorg report, all:        {t_all:7.1f} s")
        print(f"  same, --fresh-kernels:   {t_fresh:7.1f} s")
        print(f"naive loop, all:           {t_naive:7.1f} s")
        print(f"speed-up:                  {t_naive / t_all:7.2f} x")
        print(f"samorg report, one site:   {t_one:7.1f} s")
        print(f"marginal cost per site:    {(t_all - t_one) / (len(jobs) - 1):7.2f} s (all reports minus one, per extra report)")


if __name__ == "__main__":
    main()
