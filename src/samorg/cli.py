"""The `samorg` command: a thin layer over the library's functions.

Errors a researcher can fix are printed as a message, not a traceback; ``--debug`` (before or after the
command) shows the traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from samorg.errors import SamorgError

DEFAULT_STUDY = Path("config/demo/study.yaml")


def _default_study() -> Path:
    here = Path.cwd() / DEFAULT_STUDY
    if here.is_file():
        return here
    repo = Path(__file__).resolve().parents[2] / DEFAULT_STUDY
    return repo if repo.is_file() else here


def _command(sub, name: str, **kw) -> argparse.ArgumentParser:
    """A subcommand that also takes ``--debug`` after its name (``samorg data --debug``)."""
    p = sub.add_parser(name, **kw)
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="show the full traceback when something fails")
    return p


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="samorg",
        description="Evaluate co-organised and co-located libraries and citizen service centres.",
    )
    parser.add_argument("--debug", action="store_true", help="show the full traceback when something fails")
    parser.add_argument("--version", action="version", version=f"samorg {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def study_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--study",
            type=Path,
            default=None,
            help=f"the study-design file (default: {DEFAULT_STUDY}, the embedded demo)",
        )

    p_data = _command(sub, "data", help="read the raw files and write validated processed tables")
    study_arg(p_data)
    p_data.add_argument("--force", action="store_true", help="rebuild even when no input has changed")

    p_rep = _command(sub, "report", help="run and render the reports (every site, or --site)")
    study_arg(p_rep)
    p_rep.add_argument("--site", action="append", default=None, metavar="ID",
                       help="only this site (repeat for several)")
    p_rep.add_argument("--kind", action="append", choices=("sites", "synthesis", "quality"), default=None,
                       help="only these kinds of report (repeat for several; default: all)")
    p_rep.add_argument("--lang", choices=("nb", "en"), default="nb", help="report language (default: nb, bokmål)")
    p_rep.add_argument("--workers", type=int, default=None,
                       help="parallel worker processes (default: CPU count + 1)")
    p_rep.add_argument("--no-pdf", action="store_true", help="render HTML only")
    p_rep.add_argument("--show-code", action="store_true", help="reviewer build: show the code cells")
    p_rep.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                       help="extra notebook parameter (must be declared by the notebook)")
    p_rep.add_argument("--executor", choices=("local", "dask"), default="local",
                       help="where the reports run: local worker processes (default) or a Dask cluster")
    p_rep.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="the Dask scheduler's address with --executor dask, e.g. tcp://10.0.0.5:8786")
    p_rep.add_argument("--fresh-kernels", action="store_true",
                       help="start every report's kernel from scratch instead of forking it from a warm one "
                            "that has the report's libraries loaded (slower; for checking that warm kernels "
                            "change nothing)")
    p_rep.add_argument("--force", action="store_true",
                       help="build every report again, also those whose template, parameters, data, study and "
                            "registry entries, samorg code and packages have not changed since they were built "
                            "(without it those are reused as they are)")
    p_rep.add_argument("--no-progress", action="store_true", help="no progress bar")
    p_rep.add_argument("--out", type=Path, default=None, help="output folder (default: the study's reports_dir)")
    p_rep.add_argument("--templates", type=Path, default=None, metavar="DIR",
                       help="folder of the report notebooks (default: the repository's notebooks/ when samorg is "
                            "installed from it, else the templates installed with samorg)")

    p_nat = _command(sub, "national", help="national-scale people-counter data: a synthetic set, or branch-month sums")
    nsub = p_nat.add_subparsers(dest="national_command", required=True, metavar="STEP")
    p_gen = _command(nsub, "generate", help="write a seeded synthetic national dataset (hourly, ~50 million rows)")
    p_gen.add_argument("out", type=Path, help="folder for counters_YYYY.parquet")
    p_gen.add_argument("--first-year", type=int, default=2015)
    p_gen.add_argument("--years", type=int, default=10)
    p_gen.add_argument("--branches", type=int, default=600)
    p_gen.add_argument("--seed", type=int, default=2020)
    p_mon = _command(nsub, "monthly", help="clean hourly counts (spikes, outage days) and sum them to branch-month")
    p_mon.add_argument("path", type=Path, help="a counters parquet file or a folder of them")
    p_mon.add_argument("--first-year", type=int, required=True, help="the year the files' hour column counts from")
    p_mon.add_argument("--out", type=Path, required=True, help="the branch-month table to write (.parquet)")
    p_mon.add_argument("--workers", type=int, default=None, help="local worker processes (default: CPU count)")
    p_mon.add_argument("--executor", choices=("local", "dask"), default="local",
                       help="local worker processes (default) or a Dask cluster (one file per task)")
    p_mon.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="the Dask scheduler's address with --executor dask, e.g. tcp://10.0.0.5:8786")

    p_demo = _command(sub, "demo", help="regenerate the embedded demo world (data/raw/demo, config/demo)")
    p_demo.add_argument("--seed", type=int, default=2020)
    p_demo.add_argument("--root", type=Path, default=Path("."))

    p_init = _command(sub, "init", help="start a new study: config/NAME/ with its own study file, registry and "
                                         "data folders")
    p_init.add_argument("name", help="the study's name, a plain folder name such as 'bergen-2026'")
    p_init.add_argument("--root", type=Path, default=None, metavar="DIR",
                        help="the project folder to create it in (default: the current folder)")
    return parser


def _version() -> str:
    from samorg._version import __version__

    return __version__


def _parse_parameters(items: list[str]) -> dict[str, object]:
    import yaml

    from samorg.errors import ParameterError

    params: dict[str, object] = {}
    for item in items:
        if "=" not in item:
            raise ParameterError(f"-p {item!r}: expected NAME=VALUE, for example -p start_year=2016")
        name, value = item.split("=", 1)
        params[name.strip()] = yaml.safe_load(value)
    return params


def _cmd_data(args: argparse.Namespace) -> int:
    from samorg.config import load_study
    from samorg.pipeline import build_processed

    study = load_study(args.study or _default_study())
    start = time.perf_counter()
    manifest = build_processed(study, force=args.force)
    print(f"Processed data in {study.processed_dir} ({time.perf_counter() - start:.1f} s).")
    summary = getattr(manifest, "summary", None)
    if callable(summary):
        print(summary())
    return 0


def _report_kinds(args: argparse.Namespace) -> tuple[str, ...]:
    """The kinds of report asked for; ``--site`` with a study-wide kind is refused (not dropped)."""
    from samorg.errors import ReportError

    kinds = tuple(dict.fromkeys(args.kind)) if args.kind else ("sites", "synthesis", "quality")
    study_wide = [k for k in kinds if k != "sites"]
    if args.site and args.kind and study_wide:
        names = " ".join(f"--site {s}" for s in args.site)
        raise ReportError(
            f"{names} with --kind {' and --kind '.join(study_wide)}: --site picks site reports, and the "
            f"{' and '.join(study_wide)} report covers the whole study, so they cannot be run together. "
            f"Run `samorg report {' '.join('--kind ' + k for k in study_wide)}` for it, and "
            f"`samorg report {names}` for the site report."
        )
    return kinds


def _build_summary(outcomes) -> str:
    """Which reports were reused (nothing they depend on changed) and why the others were built, one line each."""
    reused = [o.name for o in outcomes if getattr(o, "reused", False)]
    built = [o for o in outcomes if not getattr(o, "reused", False)]
    lines = [f"{len(built)} built, {len(reused)} reused (unchanged)" + (f": {', '.join(reused)}" if reused else "")]
    lines += [f"  built {o.name}: {o.reason or '–'}" + ("" if o.ok else " (failed)") for o in built]
    return "\n".join(lines)


def _cmd_report(args: argparse.Namespace) -> int:
    from samorg.report._imports import skip_iri_format_checker

    skip_iri_format_checker()  # before anything imports nbformat: ~2 s of start-up (see the module)
    from samorg.config import load_study
    from samorg.report import run_study_reports
    from samorg.report.notebooks import template_dir

    kinds = _report_kinds(args)
    study = load_study(args.study or _default_study())
    templates = template_dir(args.templates)
    print(f"Report templates: {templates}", file=sys.stderr)
    outcomes = run_study_reports(
        study,
        sites=args.site,
        lang=args.lang,
        workers=args.workers,
        pdf=not args.no_pdf,
        show_code=args.show_code,
        extra_parameters=_parse_parameters(args.parameter),
        progress=not args.no_progress,
        out_dir=args.out,
        kinds=kinds,
        executor=args.executor,
        scheduler=args.scheduler,
        warm_kernels=not args.fresh_kernels,
        notebooks=templates,
        force=args.force,
    )
    failed = [o for o in outcomes if o.status != "ok"]
    ok = len(outcomes) - len(failed)
    out_dir = args.out or study.reports_dir
    print(_build_summary(outcomes))
    print(f"{ok} of {len(outcomes)} reports written; index: {Path(out_dir) / 'index.html'}")
    for o in failed:
        print(f"FAILED {o.name}: {o.error}\n    partial notebook: {o.ipynb}", file=sys.stderr)
    return 1 if failed else 0


def _cmd_national(args: argparse.Namespace) -> int:
    from samorg.national import counters_to_monthly, generate_counters

    start = time.perf_counter()
    if args.national_command == "generate":
        info = generate_counters(args.out, first_year=args.first_year, years=args.years, branches=args.branches,
                                 seed=args.seed)
        print(f"{info['rows']:,} hourly rows written to {args.out} in {time.perf_counter() - start:.1f} s.")
        return 0
    if args.out.suffix != ".parquet":
        raise SamorgError(f"--out {args.out}: expected a file name ending in .parquet.")
    from samorg.store import write_table

    monthly = counters_to_monthly(args.path, first_year=args.first_year, workers=args.workers,
                                  executor=args.executor, scheduler=args.scheduler)
    write_table(monthly, args.out)
    flagged = int((monthly["outage_days"] > 0).sum())
    print(f"{len(monthly):,} branch-months ({monthly['branch'].nunique():,} branches) written to {args.out} in "
          f"{time.perf_counter() - start:.1f} s; {flagged:,} months have outage days and "
          f"{int(monthly['spike_hours'].sum()):,} spike hours were left out of the visits.")
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    from samorg.scaffold import create_study

    root = (args.root or Path.cwd()).resolve()
    study = Path(create_study(args.name, root=root)).resolve()
    shown = study.relative_to(Path.cwd().resolve()) if study.is_relative_to(Path.cwd().resolve()) else study
    print(f"New study in {study.parent}\n"
          f"Next: put the raw files where {shown} says (raw_dir), describe the sites in "
          f"{shown.parent / 'sites.yaml'}, then run:\n"
          f"    samorg data --study {shown}\n    samorg report --study {shown}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from samorg.demo import generate

    generate(args.root, seed=args.seed)
    print(f"Demo world written under {args.root.resolve()} (seed {args.seed}).")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers = {"data": _cmd_data, "report": _cmd_report, "national": _cmd_national, "demo": _cmd_demo,
                "init": _cmd_init}
    try:
        return handlers[args.command](args)
    except SamorgError as exc:
        if args.debug:
            raise
        print(f"samorg {args.command}: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader of our output went away (e.g. `samorg data | head`): nothing to report.
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("Interrupted. Files already written are complete; run the command again to finish.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
