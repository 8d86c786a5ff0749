"""Aim 3 (samorg.report.programme) on a small registry whose answers are known: which component the data can
separate, which is confounded with a municipality, the grade rule, the trade-offs and the checklist."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
from figure_fit import assert_fits_canvas

from samorg.config import load_study
from samorg.models.grading import grade_evidence
from samorg.report import programme
from samorg.report.synthesis import SynthesisContext

STUDY = """\
title: Small
raw_dir: raw
processed_dir: processed
reports_dir: reports
sites_file: sites.yaml
data_start: 2016-01-01
data_end: 2023-12-31
periods:
  pre: {start: 2016-01-01, end: 2019-12-31}
  transition: {start: 2020-01-01, end: 2020-12-31}
  post: {start: 2021-01-01, end: 2023-12-31}
municipalities:
  "3301": {name: Nordby, co_organised: 2020-01-01}
  "3118": {name: Sørby, co_organised: 2020-01-01}
sources:
  branch_counts: "x/*.csv"
"""

SITE = """\
  {id}:
    name: {name}
    kind: combined
    municipality_code: "{code}"
    co_located: 2021-01-01
    components:
{components}
"""

COMPONENTS = {  # joint desk: all of Nordby, none of Sørby; quiet zone: one site in each; referral: Nordby + b1
    ("a1", "A1", "3301"): {"joint_reception": "true", "quiet_zone": "true", "referral_routines": "true",
                           "co_located_services": "[nav]", "staffed_hours_before": 40, "staffed_hours_after": 30},
    ("a2", "A2", "3301"): {"joint_reception": "true", "quiet_zone": "false", "referral_routines": "true",
                           "co_located_services": "[]", "staffed_hours_before": 40, "staffed_hours_after": 40},
    ("b1", "B1", "3118"): {"joint_reception": "false", "quiet_zone": "true", "referral_routines": "true"},
    ("b2", "B2", "3118"): {"joint_reception": "false", "quiet_zone": "false", "referral_routines": "false"},
}
EFFECTS = {"a1": 0.20, "a2": 0.10, "b1": 0.06, "b2": 0.02}  # log rate ratios of the headlines


@pytest.fixture
def ctx(tmp_path):
    (tmp_path / "study.yaml").write_text(STUDY, encoding="utf-8")
    text = "sites:\n" + "".join(
        SITE.format(id=i, name=n, code=c, components="\n".join(f"      {k}: {v}" for k, v in comp.items()))
        for (i, n, c), comp in COMPONENTS.items())
    (tmp_path / "sites.yaml").write_text(text, encoding="utf-8")
    study = load_study(tmp_path / "study.yaml")
    context = SynthesisContext(study=study, lang="nb")
    context.__dict__["site_results"] = {}
    context.__dict__["pooled"] = None
    context.__dict__["headlines"] = {s: SimpleNamespace(estimate=e, ci_low=e - 0.05, ci_high=e + 0.05)
                                     for s, e in EFFECTS.items()}
    low = grade_evidence(design="comparative_its", n_treated=1, n_comparison=2, pretrends_checked=True,
                         pretrends_parallel=True, interval=(0.05, 0.15))
    assert low.certainty == "low"
    context.cache["programme_grades"] = dict.fromkeys(EFFECTS, low)
    return context


def _line(markdown: str, label: str) -> str:
    return next(line for line in markdown.splitlines() if label in line)


def test_table_shows_each_site_component_effect_and_grade(ctx):
    text = programme.component_table(ctx).data
    assert "| Komponent | A1 | A2 | B1 | B2 |" in text
    assert "| Felles skranke for bibliotek og innbyggertorg | ja | ja | nei | nei |" in text
    assert "| NAV i samme bygg | ja | nei | ikke oppgitt | ikke oppgitt |" in text
    assert "| Tillit | lav | lav | lav | lav |" in text
    assert "+22\xa0%" in _line(text, "Effekt på besøk")  # exp(0.20) − 1


def test_a_component_split_by_municipality_is_confounded_and_graded_down(ctx):
    findings = programme.component_findings(ctx).data
    joint = _line(findings, "Felles skranke")
    assert "ligger i ulike kommuner" in joint and "svært lav" in joint
    assert programme.component_grade(ctx, "joint_reception") == "very_low"  # lowest site grade, one step down


def test_a_component_shared_by_one_municipality_says_so(ctx):
    line = _line(programme.component_findings(ctx).data, "Rutiner for å henvise")
    assert "Alle tiltakssteder i Nordby hadde komponenten" in line
    assert programme.component_grade(ctx, "referral_routines") == "very_low"


def test_a_within_municipality_contrast_is_described_not_claimed(ctx):
    line = _line(programme.component_findings(ctx).data, "Stillesone")
    with_, without = (math.exp((0.20 + 0.06) / 2) - 1), (math.exp((0.10 + 0.02) / 2) - 1)
    assert f"+{round(100 * with_)}\xa0%" in line and f"+{round(100 * without)}\xa0%" in line
    assert "beskrivende" in line
    assert programme.component_grade(ctx, "quiet_zone") == "low"


def test_unrecorded_and_absent_components_are_not_examined(ctx):
    text = programme.checklist(ctx).data
    lines = [line for line in text.splitlines() if line.startswith("- [ ]")]
    assert len(lines) == len(programme.CHECK_COMPONENTS) + 1
    assert "Tillit: ikke undersøkt" in _line(text, "Arrangementer med partnere")
    assert "Tillit: svært lav" in _line(text, "Felles skranke")
    assert "Tillit: lav" in _line(text, "Stillesone")
    assert "B1 og B2" in _line(programme.component_findings(ctx).data, "NAV i samme bygg")  # not recorded there


def test_trade_offs_name_fewer_staffed_hours_as_a_design_choice(ctx):
    text = programme.trade_offs(ctx).data.replace("\xa0", " ")
    assert "1 av 4 tiltakssteder hadde færre betjente timer" in text and "40 → 30" in text
    assert "bør planlegge for fra starten" in text  # a design choice to plan for, not a verdict


def test_logic_model_is_a_figure_built_from_the_registry(ctx):
    from matplotlib.figure import Figure

    fig = programme.logic_model_figure(ctx)
    assert isinstance(fig, Figure)
    texts = [t.get_text().replace("\n", " ") for t in fig.axes[0].texts]
    assert {"Innsats", "Aktiviteter", "Resultater", "Effekter"} <= set(texts)
    assert any("Stillesone (2 av 4 tiltakssteder)" in t for t in texts)
    assert not any("Arrangementer med partnere" in t for t in texts)  # no site recorded it
    assert_fits_canvas(fig)  # reports save it as it lies on its canvas


def test_english(ctx):
    ctx.lang = "en"
    assert "Certainty: not examined" in programme.checklist(ctx).data
    assert "| Component | A1 | A2 | B1 | B2 |" in programme.component_table(ctx).data


def test_research_question_says_synergy_cannot_be_answered(ctx):
    text = programme.research_question(ctx).data
    assert text.startswith("*Forskningsspørsmål:") and "synergi" in text
    assert "fire tiltakssteder i to kommuner" in text


def test_logic_model_caption_is_numbered(ctx):
    assert programme.logic_model_caption(ctx).data.startswith("*Figur 1: Programteorien")
    assert programme.logic_model_caption(ctx).data.startswith("*Figur 2:")


@pytest.mark.parametrize(("low", "high", "phrase"), [(0.02, 0.18, "om lag 11 % høyere enn forventet"),
                                                      (-0.15, 0.35, "intervallet omfatter ingen effekt")])
def test_trade_offs_claim_more_visits_only_when_the_interval_excludes_none(ctx, low, high, phrase):
    ctx.__dict__["pooled"] = SimpleNamespace(estimate=math.log(1.11), ci_low=low, ci_high=high)
    text = programme.trade_offs(ctx).data.replace("\xa0", " ")
    assert phrase in text
