"""Report throughput: `samorg report` against the loop a researcher would write by hand.

Run on demand: ``.venv/bin/python benchmarks/bench_reports.py [--repeat 3] [--workers N]``. It builds the processed
demo data into a temporary folder, then times, in the same run:

* samorg: ``samorg report`` for every demo report (sites, synthesis, data quality; HTML and PDF),
  and for one site only, to get the marginal cost of one more site; and all reports again with
  ``--fresh-kernels`` (every kernel started from scratch), to show what warm kernels bring;
* naive: for each report, the papermill CLI, then ``jupyter nbconvert --to html --no-input``, then the
  same PDF step samorg uses, one report after another;
* the report cache (issue 17): the same ``samorg report`` again with nothing changed (target: at most 5 %
  of the cold build), and again after one site's registry entry changed (its catchment population, in
  the benchmark's own copy of the registry): how many reports were built (target: that site and the
  synthesis; the index is written on every run) and how long it took.

Every samorg variant writes to its own folders, so no run reuses another variant's reports.
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
    """The demo study with its outputs and a copy of its site registry in ``tmp``."""
    demo = ROOT / "config" / "demo" / "study.yaml"
    raw = yaml.safe_load(demo.read_text(encoding="utf-8"))
    raw["raw_dir"] = str((demo.parent / raw["raw_dir"]).resolve())
    (tmp / "sites.yaml").write_bytes((demo.parent / raw["sites_file"]).read_bytes())
    raw["sites_file"] = str(tmp / "sites.yaml")
    raw["processed_dir"] = str(tmp / "processed")
    raw["reports_dir"] = str(tmp / "reports")
    path = tmp / "study.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def _run(cmd: list[str]) -> float:
    return _run_out(cmd)[0]


def _run_out(cmd: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, cwd=ROOT, text=True)
    if res.returncode not in (0, 1):  # 1: some report failed; its time still counts, and it is said below
        raise subprocess.CalledProcessError(res.returncode, cmd, res.stdout, res.stderr)
    if res.returncode == 1:
        print(f"  (a report failed in {' '.join(cmd[-2:])}: {res.stderr.strip().splitlines()[-1:]})", flush=True)
    return time.perf_counter() - start, res.stdout


def _built(stdout: str) -> tuple[int, str]:
    """How many reports `samorg report` built, and the lines saying which and why."""
    head = next(line for line in stdout.splitlines() if " built, " in line and "reused" in line)
    why = [line.strip() for line in stdout.splitlines() if line.startswith("  built ")]
    return int(head.split()[0]), "; ".join(why)


def _change_registry(study: Path, site: str) -> None:
    """One site's registry entry changed the way a researcher fixes one: its catchment population."""
    path = Path(yaml.safe_load(study.read_text(encoding="utf-8"))["sites_file"])
    registry = yaml.safe_load(path.read_text(encoding="utf-8"))
    registry["sites"][site]["catchment_population"] = (registry["sites"][site].get("catchment_population") or 0) + 1000
    path.write_text(yaml.safe_dump(registry, allow_unicode=True, sort_keys=False), encoding="utf-8")


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
    parser.add_argument("--cache-only", action="store_true",
                        help="only the cold build, the unchanged re-run and the registry change (no naive loop, "
                             "no one-site and --fresh-kernels runs)")
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

        def out(variant: str, i: int) -> list[str]:
            return ["--out", str(tmp / f"{variant}-{i}")]

        def median(variant: str, extra: list[str]) -> float:
            return statistics.median(_run(report + extra + out(variant, i)) for i in range(args.repeat))

        # each cold build, then at once the same command again into its folder: nothing changed (right after,
        # so that samorg's code and git commit are the same in both runs while others work in the tree)
        colds, reruns = [], []
        for i in range(args.repeat):
            colds.append(_run(report + out("all", i)))
            reruns.append(_run_out(report + out("all", i)))
        t_all = statistics.median(colds)
        t_rerun = statistics.median(t for t, _ in reruns)
        n_rerun, why_rerun = max(_built(o) for _, o in reruns)
        print(f"samorg report, all (cold): {t_all:7.1f} s", flush=True)
        print(f"unchanged re-run, all:     {t_rerun:7.2f} s = {t_rerun / t_all:.1%} of the cold build "
              f"(target <= 5 %); reports built: {n_rerun} {why_rerun}", flush=True)
        _change_registry(study_path, first)
        changed = [_run_out(report + out("all", i)) for i in range(args.repeat)]
        t_changed = statistics.median(t for t, _ in changed)
        n_changed, why = _built(changed[0][1])
        print(f"{first}'s registry changed: {t_changed:7.1f} s; reports built: {n_changed} (+ the index): {why}",
              flush=True)
        if args.cache_only:
            return
        t_one = median("one", ["--site", first])
        t_fresh = median("fresh", ["--fresh-kernels"])
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
