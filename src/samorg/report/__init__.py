"""Reports: run the report notebooks for a study and render them (HTML, PDF, index)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from samorg.config import Study
from samorg.errors import ReportError
from samorg.report.localise import localised_template

__all__ = ["notebook_dir", "run_study_reports", "site_jobs", "study_jobs"]

SITE_NOTEBOOK = "site_report.ipynb"
QUALITY_NOTEBOOK = "data_quality.ipynb"
SYNTHESIS_NOTEBOOK = "synthesis.ipynb"
SYNTHESIS_JOB = "syntese"
KINDS = ("sites", "synthesis", "quality")
#: Job names of the study-wide reports (site ids may not use them).
QUALITY_JOB = "datakvalitet"


def notebook_dir() -> Path:
    """The folder holding the report templates (:func:`samorg.report.notebooks.template_dir`)."""
    from samorg.report.notebooks import template_dir

    return template_dir()


def site_jobs(
    study: Study,
    *,
    sites: Sequence[str] | None = None,
    lang: str = "nb",
    extra_parameters: dict[str, Any] | None = None,
    notebooks: Path | None = None,
):
    """One :class:`~samorg.report.runner.ReportJob` per site (all sites, or those named)."""
    from samorg.report.runner import ReportJob
    from samorg.report.text import t

    chosen = [study.site(s) for s in sites] if sites else list(study.sites)
    nb = localised_template((notebooks or notebook_dir()) / SITE_NOTEBOOK, lang)
    banner = t("banner", lang) if study.demo else None
    jobs = []
    for site in chosen:
        params = {"study": str(study.path), "site": site.site_id, "lang": lang}
        params.update(extra_parameters or {})
        jobs.append(
            ReportJob(
                name=site.site_id,
                notebook=nb,
                parameters=params,
                title=f"{t('site_report', lang)}: {site.name}",
                subtitle=study.title_in(lang),
                banner=banner,
                cost=1.0 if site.role == "treated" else 0.6,  # a treated site's report fits its models
            )
        )
    return jobs


def study_jobs(
    study: Study,
    *,
    sites: Sequence[str] | None = None,
    lang: str = "nb",
    extra_parameters: dict[str, Any] | None = None,
    notebooks: Path | None = None,
    kinds: Sequence[str] = KINDS,
):
    """The reports of a study: one per site, the synthesis and the data-quality report.

    ``kinds`` picks among ``"sites"``, ``"synthesis"`` and ``"quality"``; naming ``sites`` gives only
    those site reports. ``extra_parameters`` go to the site reports, whose notebook must declare them.
    """
    from samorg.report.runner import ReportJob
    from samorg.report.text import t

    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise ReportError(f"Unknown report kind(s) {sorted(unknown)}; expected some of {', '.join(KINDS)}.")
    jobs = []
    if "sites" in kinds or sites:
        jobs = site_jobs(study, sites=sites, lang=lang, extra_parameters=extra_parameters, notebooks=notebooks)
    if sites:
        return jobs
    folder = notebooks or notebook_dir()
    banner = t("banner", lang) if study.demo else None
    if "synthesis" in kinds:
        jobs.append(ReportJob(name=SYNTHESIS_JOB, notebook=localised_template(folder / SYNTHESIS_NOTEBOOK, lang),
                              parameters={"study": str(study.path), "lang": lang},
                              title=t("syn_report", lang), subtitle=study.title_in(lang), banner=banner,
                              cost=3.0))  # it reads every site: the longest report, started first
    if "quality" in kinds:
        jobs.append(ReportJob(name=QUALITY_JOB, notebook=localised_template(folder / QUALITY_NOTEBOOK, lang),
                              parameters={"study": str(study.path), "lang": lang},
                              title=t("dq_report", lang), subtitle=study.title_in(lang), banner=banner,
                              cost=0.5))
    return jobs


def run_study_reports(
    study: Study,
    *,
    sites: Sequence[str] | None = None,
    lang: str = "nb",
    workers: int | None = None,
    pdf: bool = True,
    show_code: bool = False,
    extra_parameters: dict[str, Any] | None = None,
    progress: bool = True,
    out_dir: Path | None = None,
    kinds: Sequence[str] = KINDS,
    executor: str = "local",
    scheduler: str | None = None,
    warm_kernels: bool = True,
    notebooks: Path | None = None,
    force: bool = False,
):
    """Run the reports of ``study`` (``kinds``) in parallel, render HTML and PDF, and write the index.

    ``notebooks`` is the folder of report templates (default :func:`notebook_dir`). A report whose inputs
    have not changed since its files were built is reused (:mod:`samorg.report.cache`: what each report
    reads of the study is part of its key); ``force`` builds every report again.

    A failed site does not stop the others; its outcome says why and where the partial notebook is.
    Returns the list of :class:`~samorg.report.runner.ReportOutcome`.
    """
    from samorg.report.cache import with_study_inputs
    from samorg.report.index import write_index
    from samorg.report.runner import run_reports
    from samorg.report.text import t

    if not (study.processed_dir / "observations.parquet").is_file():
        raise ReportError(
            f"No processed data in {study.processed_dir}. Run `samorg data --study {study.path}` first."
        )
    out = Path(out_dir) if out_dir else study.reports_dir
    jobs = study_jobs(study, sites=sites, lang=lang, extra_parameters=extra_parameters, kinds=kinds,
                      notebooks=notebooks)
    outcomes = run_reports(
        with_study_inputs(study, jobs, quality=QUALITY_JOB),
        out_dir=out,
        workers=workers,
        formats=("html", "pdf") if pdf else ("html",),
        show_code=show_code,
        progress=progress,
        lang=lang,
        scan_names=study.privacy.names,
        executor=executor,
        scheduler=scheduler,
        warm_kernels=warm_kernels,
        cache=True,
        force=force,
    )
    every = study_jobs(study, lang=lang, extra_parameters=extra_parameters, notebooks=notebooks)
    write_index(
        _with_existing(outcomes, out, every),
        out / "index.html",
        title=f"{t('index_title', lang)}: {study.title_in(lang)}",
        lang=lang,
        banner=t("banner", lang) if study.demo else None,
        study=study,
    )
    return outcomes


def _with_existing(outcomes, out: Path, jobs) -> list:
    """Outcomes of this run plus the study's reports already in ``out`` from earlier runs (so none is
    lost from the index), in the study's order: sites as in the registry, then the synthesis and the
    data-quality report."""
    from samorg.report.runner import ReportOutcome

    by_name = {o.name: o for o in outcomes}
    ordered = []
    for job in jobs:
        if job.name in by_name:
            ordered.append(by_name.pop(job.name))
            continue
        folder = out / job.name
        html = folder / f"{job.name}.html"
        if html.is_file():
            pdf = folder / f"{job.name}.pdf"
            earlier = ReportOutcome(name=job.name, status="ok", ipynb=folder / f"{job.name}.ipynb", html=html,
                                    pdf=pdf if pdf.is_file() else None, title=job.title)
            earlier.reused = True  # not run this time: the index's build facts say it was kept from before
            ordered.append(earlier)
    return ordered + list(by_name.values())
