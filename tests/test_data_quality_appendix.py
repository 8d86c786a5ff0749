"""The data-quality report as a methods appendix (issue 15): cheap checks on in-memory tables and the template."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import samorg.report.data_quality as dq
from samorg import columns as C
from samorg.config import load_study

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "notebooks" / "data_quality.ipynb"


@pytest.fixture(scope="module")
def study():
    return load_study(ROOT / "config" / "demo" / "study.yaml")


def _ctx(study, lang="nb", decisions=()):
    ctx = dq.QualityContext(study=study, lang=lang)
    ctx.__dict__["manifest"] = {"inputs": {}, "tables": {}, "decisions": list(decisions)}  # no processed data needed
    return ctx


def _monthly(site: str, months: pd.DatetimeIndex, *, missing: dict[pd.Timestamp, str]) -> pd.DataFrame:
    return pd.DataFrame({
        C.SITE_ID: site, C.MUNICIPALITY_CODE: "0000", C.PERIOD_START: months, C.FREQ: "M", C.INDICATOR: "visits",
        C.VALUE: [float("nan") if m in missing else 100.0 for m in months],
        C.STATUS: [missing.get(m, "") for m in months], C.SOURCE: "x.csv",
    })


def test_coverage_names_each_missing_month_and_why(study):
    site = study.sites_with_role("treated")[0]
    months = pd.date_range("2030-01-01", "2030-12-01", freq="MS")
    outage, gap = months[3], months[7]
    obs = _monthly(site.site_id, months.delete(7), missing={outage: C.STATUS_COUNTER_OUTAGE})
    frame = dq.coverage_table(_ctx(study), obs)
    row = frame.iloc[0]
    assert row["Sted"] == site.name and row["Måneder med verdi"] == 10 and row["Av"] == 12
    assert "04.2030 (teller ute av drift)" in row["Måneder uten verdi"]
    assert "08.2030 (mangler i eksporten)" in row["Måneder uten verdi"]


def test_sections_with_nothing_to_show_say_so_in_one_sentence(study):
    ctx, empty = _ctx(study), pd.DataFrame()
    texts = [dq.table(ctx, dq.coverage_table(ctx, empty), "coverage", empty="no_monthly").data,
             dq.decisions(ctx).data, dq.small_cells(ctx, empty).data, dq.outages(ctx, empty).data,
             dq.table(ctx, dq.national_table(ctx, empty, empty), "national", empty="no_national").data]
    for text in texts:
        assert text.count(".") >= 1 and "|" not in text and "Tabell" not in text, text
    assert ctx.cache.get("table_count", 0) == 0  # no number spent on a table that is not there


def test_captions_are_numbered_in_order_with_their_source(study):
    ctx = _ctx(study, decisions=[{"step": "drop_duplicate_exports", "source": "a/b - Kopi.csv", "rows": 3},
                                 {"step": "read_source", "source": "a/c.csv", "rows": 9},
                                 {"step": "some_future_step", "table": "observations", "rows": 1}])
    ctx.manifest["tables"] = {"observations": {"rows": 12}}
    first = dq.decisions(ctx).data
    second = dq.tables_written(ctx).data
    assert first.startswith("*Tabell 1: ") and "Kilde: manifest.json" in first
    assert second.startswith("*Tabell 2: ")
    assert "b - Kopi.csv" in first and "c.csv" not in first  # reading a file is not a cleaning decision
    assert "some_future_step" not in first and "Annen rensing" in first  # never an internal step name


def test_small_cells_count_the_cells_the_site_report_hides(study):
    site = study.sites_with_role("treated")[0]
    stamps = [pd.Timestamp("2030-01-05")] * 40 + [pd.Timestamp("2031-01-05")] * 40 + [pd.Timestamp("2031-02-05")] * 2
    channels = ["Skranke"] * 20 + ["Telefon"] * 20 + ["Skranke"] * 20 + ["Telefon"] * 20 + ["Telefon"] * 2
    inquiries = pd.DataFrame({C.SITE_ID: site.site_id, C.TIMESTAMP: stamps, C.CHANNEL: channels})
    assert dq.small_cells_table(_ctx(study), inquiries).empty  # every cell holds 20 or more: nothing hidden
    assert "ingenting er skjult" in dq.small_cells(_ctx(study), inquiries).data
    few = inquiries.iloc[:-1].assign(**{C.CHANNEL: ["Skranke"] * 80 + ["E-post"]})
    hidden = dq.small_cells_table(_ctx(study), few)
    assert list(hidden["Sted"]) == [site.name] and hidden.iloc[0]["Celler i tabellen"] == 4
    assert hidden.iloc[0, 2] >= 1 and hidden.iloc[0, 3] >= 1  # the single e-mail, and a cell protecting it
    text = dq.small_cells(_ctx(study, "en"), few).data
    assert "The threshold in this study is 5" in text and "Table 1:" in text


def test_data_per_site_hides_small_counts_of_people(study):
    sites = study.sites
    inquiries = pd.DataFrame({C.SITE_ID: [sites[0].site_id] * 3 + [sites[1].site_id] * 30})
    frame = dq.data_per_site_table(_ctx(study), observations=pd.DataFrame(), inquiries=inquiries,
                                   surveys=pd.DataFrame(), qualitative=pd.DataFrame())
    by_site = frame.set_index("Sted")["Henvendelser"]
    assert by_site[sites[0].name] == dq.MARKER and by_site[sites[1].name] == 30 and by_site[sites[2].name] == "–"
    assert "færre enn 5" in dq.marker_note(_ctx(study), frame)


def test_template_pairs_every_bokmal_cell_with_english_and_shows_its_code():
    nb = nbformat.read(TEMPLATE, as_version=4)
    cells = nb.cells
    heads = {lang: [m.group(1) for c in cells if f"lang-{lang}" in c.metadata.get("tags", [])
                    for m in re.finditer(r"^##+ (.+)$", c.source, re.M)] for lang in ("nb", "en")}
    assert len(heads["nb"]) == len(heads["en"]) >= 8
    assert "Om vedlegget" in heads["nb"] and "About this appendix" in heads["en"]
    for i, cell in enumerate(cells):
        if "lang-nb" in cell.metadata.get("tags", []):
            assert "lang-en" in cells[i + 1].metadata.get("tags", []), cell["id"]
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    assert 'read_table(ctx, "observations")' in code and "coverage_table(" in code  # data loaded in view
    assert nb.cells[0].source.count("=") == 2  # the parameters report/__init__ passes: study and lang


def test_every_cleaning_step_the_pipeline_records_is_explained_in_both_languages():
    from samorg.report.data_quality_text import STEPS

    source = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "src" / "samorg").rglob("*.py"))
    recorded = set(re.findall(r'"step": "([a-z_]+)"', source)) - {"read_source"}
    assert recorded and not recorded - set(STEPS), sorted(recorded - set(STEPS))
    assert all(all(text.strip() for text in texts) for texts in STEPS.values())


def test_every_processed_table_has_a_reader_facing_name_in_both_languages():
    """The appendix names tables as a reader knows them, never by their file name (``qualitative_segments``)."""
    from samorg.report.text import label
    from samorg.store import TABLES

    for table in TABLES:
        for lang in ("nb", "en"):
            assert label(table, lang) != table and "_" not in label(table, lang), (table, lang)
    assert label("qualitative_segments", "nb") == "Kodede kvalitative utsagn"
