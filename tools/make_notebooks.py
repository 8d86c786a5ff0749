"""Write the report templates in notebooks/: the parameters cell, then one library call per cell.

The templates are generated so they stay clean (no outputs, stable cell ids) and diff well.
Usage: python tools/make_notebooks.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat as nbf

ROOT = Path(__file__).resolve().parents[1]

SITE_PARAMETERS = '''# Parameters: `samorg report` sets these; edit them to run this notebook by hand.
study = "../config/demo/study.yaml"  # the study-design file
site = "askim"  # site id from the site registry
lang = "nb"  # report language: "nb" (bokmål) or "en" (English)'''

SITE_CALLS = [
    "import samorg.report.site as report\nimport samorg.report.site_sections as sections",
    "ctx = report.load(study, site, lang=lang)",
    "report.title_block(ctx)",
    "report.key_results(ctx)",
    'report.section(ctx, "facts")',
    "report.site_facts(ctx)",
    'report.section(ctx, "data_heading", level=3)',
    "sections.data_availability(ctx)",
    'report.section(ctx, "aim1")',
    'report.section(ctx, "visits_heading", level=3)',
    "report.visits_figure(ctx, report.visits_effect(ctx))",
    "report.visits_summary(ctx, report.visits_effect(ctx))",
    'report.section(ctx, "sens_heading", level=3)',
    "report.visits_sensitivity(ctx)",
    'report.section(ctx, "did_heading", level=3)',
    "sections.did_figure(ctx)",
    "sections.did_summary(ctx)",
    'report.section(ctx, "event_heading", level=3)',
    "sections.event_figure(ctx)",
    'report.section(ctx, "event_note", level=0)',
    'report.section(ctx, "service_centre_heading", level=3)',
    "sections.service_centre(ctx)",
    "sections.service_centre_figure(ctx)",
    'report.section(ctx, "aim2")',
    "sections.user_experience(ctx)",
    "sections.user_experience_change(ctx)",
    'report.section(ctx, "aim4")',
    "sections.meeting_place_figure(ctx)",
    "sections.meeting_place(ctx)",
    'report.section(ctx, "aim5")',
    "sections.place_development(ctx)",
    'report.section(ctx, "caveats")',
    "report.caveats(ctx)",
    'report.section(ctx, "provenance")',
    "report.provenance(ctx)",
]


QUALITY_PARAMETERS = '''# Parameters: `samorg report` sets these; edit them to run this notebook by hand.
study = "../config/demo/study.yaml"  # the study-design file
lang = "nb"  # report language: "nb" (bokmål) or "en" (English)'''

QUALITY_CALLS = [
    "import samorg.report.data_quality as report",
    "ctx = report.load(study, lang=lang)",
    "report.title_block(ctx)",
    'report.section(ctx, "dq_intro", level=0)',
    'report.section(ctx, "dq_sources")',
    "report.sources_read(ctx)",
    'report.section(ctx, "dq_tables")',
    "report.tables_written(ctx)",
    'report.section(ctx, "dq_decisions")',
    "report.decisions(ctx)",
    'report.section(ctx, "dq_missing")',
    "report.missing_by_status(ctx)",
    'report.section(ctx, "dq_outages")',
    "report.outages(ctx)",
]

SYNTHESIS_CALLS = [
    "import samorg.report.synthesis as report",
    "ctx = report.load(study, lang=lang)",
    "report.title_block(ctx)",
    'report.section(ctx, "syn_evidence_heading")',
    "report.evidence_map(ctx)",
    'report.section(ctx, "syn_sites_heading")',
    "report.site_effects_table(ctx)",
    'report.section(ctx, "syn_pool_heading")',
    "report.forest_figure(ctx)",
    "report.pooled_summary(ctx)",
    'report.section(ctx, "syn_metareg_heading")',
    "report.meta_regression_table(ctx)",
    'report.section(ctx, "syn_survey_heading")',
    "report.survey_changes(ctx)",
    'report.section(ctx, "syn_national_heading")',
    "report.national_figure(ctx)",
    "report.national_text(ctx)",
    'report.section(ctx, "syn_generalise_heading")',
    "report.generalise(ctx)",
]

NOTEBOOKS = {
    "synthesis.ipynb": (QUALITY_PARAMETERS, SYNTHESIS_CALLS),
    "site_report.ipynb": (SITE_PARAMETERS, SITE_CALLS),
    "data_quality.ipynb": (QUALITY_PARAMETERS, QUALITY_CALLS),
}


def build(parameters: str, calls: list[str]) -> nbf.NotebookNode:
    nb = nbf.v4.new_notebook()
    params = nbf.v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [nbf.v4.new_code_cell(c) for c in calls]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


if __name__ == "__main__":
    for name, (parameters, calls) in NOTEBOOKS.items():
        nbf.write(build(parameters, calls), ROOT / "notebooks" / name)
