"""The evidence-grading rule (EVIDENCE.md §4) as a table of cases."""

from __future__ import annotations

import math

import pytest

from samorg.errors import ModelError
from samorg.models.grading import CERTAINTY, grade_evidence

BASE = dict(n_treated=1, n_comparison=2, pretrends_checked=True, pretrends_parallel=True, interval=(0.05, 0.20))


@pytest.mark.parametrize("facts, sms, certainty, n_down", [
    # a clean comparative ITS: credible comparison, precise, no confounding → stays at lav
    (dict(design="comparative_its"), 3, "low", 0),
    # Askim-like: merger on the co-location date and COVID-19 → one step for confounding
    (dict(design="comparative_its", coincides_with_merger=True, overlaps_covid=True), 3, "very_low", 1),
    # Svelvik-like: the date lies in the washout
    (dict(design="comparative_its", in_washout=True), 3, "very_low", 1),
    # pre-trends not checked → SMS 2
    (dict(design="did", pretrends_checked=False), 2, "low", 0),
    # pre-trends checked and not parallel → SMS 2 and confounding
    (dict(design="did", pretrends_parallel=False), 2, "very_low", 1),
    # no comparison units → SMS 1, downgraded for design
    (dict(design="its", n_comparison=0), 1, "very_low", 1),
    # interval includes zero → imprecision
    (dict(design="comparative_its", interval=(-0.05, 0.20)), 3, "very_low", 1),
    # interval wide (ratio bounds more than 2×)
    (dict(design="comparative_its", interval=(0.05, 0.90)), 3, "very_low", 1),
    # interval cannot be bounded
    (dict(design="did", interval=(-math.inf, math.inf)), 3, "very_low", 1),
    (dict(design="did", interval=None), 3, "very_low", 1),
    # sites disagree in sign → inconsistency
    (dict(design="comparative_its", site_estimates=(0.1, -0.05, 0.2)), 3, "very_low", 1),
    # sites agree → no downgrade
    (dict(design="comparative_its", site_estimates=(0.1, 0.05, 0.2)), 3, "low", 0),
    # indirectness (the bundle for co-location)
    (dict(design="comparative_its", indirect=("effekten er pakken", "the effect is the bundle")), 3, "very_low", 1),
    # many units on both sides → SMS 4, still lav
    (dict(design="did", n_treated=25, n_comparison=300), 4, "low", 0),
    # randomised starts high but is capped at middels
    (dict(design="randomised"), 5, "moderate", 0),
    # randomised with imprecision: high − 1 = moderate, no cap needed
    (dict(design="randomised", interval=(-0.1, 0.1)), 5, "moderate", 1),
    # everything wrong: floor at svært lav
    (dict(design="its", n_comparison=0, coincides_with_merger=True, interval=(-1.0, 1.0), indirect=True),
     1, "very_low", 4),
])
def test_grading_table(facts, sms, certainty, n_down):
    g = grade_evidence(**{**BASE, **facts})
    assert g.sms_level == sms
    assert g.certainty == certainty
    downs = [r for r in g.reasons if r[0].startswith("Trekkes ned") or r[0].startswith("Ingen sammenligningsgruppe")]
    assert len(downs) == n_down
    assert g.certainty != "high"
    for lang in ("nb", "en"):
        text = g.sentence(lang)
        assert g.label(lang) in text and len(g.reason_texts(lang)) == len(g.reasons)


def test_labels_and_reasons_are_in_both_languages():
    g = grade_evidence(design="comparative_its", coincides_with_merger=True, **{**BASE, "interval": (-0.1, 0.3)})
    assert g.label("nb") == "svært lav" and g.label("en") == "very low"
    nb, en = g.sentence("nb"), g.sentence("en")
    assert "kommunesammenslåing" in nb and "forveksling" in nb and "upresisjon" in nb
    assert "merger" in en and "confounding" in en and "imprecision" in en
    assert "Maryland-skalaen nivå 3" in nb and "Maryland Scientific Methods Scale level 3" in en
    assert [k for k in CERTAINTY] == ["very_low", "low", "moderate", "high"]
    w = grade_evidence(design="comparative_its", in_washout=True, **BASE)
    assert "holdt utenfor" in w.sentence("nb") and "COVID-19" in w.sentence("nb") and "left-out period" in w.sentence("en")


def test_descriptive_sites_get_no_grade():
    g = grade_evidence(design="descriptive", n_treated=0, n_comparison=0)
    assert g.sms_level is None and g.certainty is None
    assert g.label("nb").startswith("ikke vurdert") and "does not apply" in g.sms_text("en")


@pytest.mark.parametrize("kw, msg", [(dict(design="rct"), "not known"), (dict(design="did", n_treated=-1), "n_treated"),
                                     (dict(design="did", n_comparison=1.5), "n_comparison")])
def test_bad_inputs(kw, msg):
    with pytest.raises(ModelError, match=msg):
        grade_evidence(**{"n_treated": 1, "n_comparison": 1, **kw})
