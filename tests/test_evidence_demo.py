"""The demo world's planted visit effects are recovered by the new building blocks (issue 12, "must show"):
site by site as average post-washout effects, and pooled by municipality with the control used once."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from samorg.models import (
    grade_evidence,
    its,
    pool_municipalities,
    post_washout_effect,
    robustness_verdict,
)

WASHOUT = [("2020-03-01", "2021-12-31", "COVID-19")]


@pytest.fixture(scope="module")
def demo(tmp_path_factory, copy_demo_study):
    from samorg.config import load_study
    from samorg.pipeline import build_processed

    study = load_study(copy_demo_study(tmp_path_factory.mktemp("evidence_demo")))
    build_processed(study)
    obs = pd.read_parquet(study.processed_dir / "observations.parquet")
    visits = obs[(obs["freq"] == "M") & (obs["indicator"] == "visits") & obs["site_id"].notna()]
    visits = visits[visits["status"].fillna("") == ""].dropna(subset=["value"])
    wide = visits.pivot(index="period_start", columns="site_id", values="value")
    never = [s.site_id for s in study.sites if s.co_located is None and s.kind != "service_centre"]
    wide["comparison"] = wide[never].sum(axis=1, min_count=len(never))
    return study, wide


def _fit(wide, site, when, **kw):
    data = wide[[site, "comparison"]].dropna().reset_index()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return its(data, outcome=site, time="period_start", intervention=pd.Timestamp(when), family="quasipoisson",
                   seasonality="month", exclude=kw.pop("exclude", WASHOUT), comparison="comparison", **kw)


@pytest.fixture(scope="module")
def fits(demo):
    study, wide = demo
    return {s.site_id: (s, _fit(wide, s.site_id, s.co_located)) for s in study.sites if s.co_located is not None}


def test_site_headlines_recover_the_planted_effects(fits):
    from samorg.demo import truth

    planted = truth()
    covered = 0
    for site_id, (site, res) in fits.items():
        head = post_washout_effect(res, unit="besøk")
        covered += head.ci_low <= planted.visit_log_rr[site_id] <= head.ci_high
        assert abs(head.estimate - planted.visit_log_rr[site_id]) < 0.06, site_id
        assert head.baseline > 0 and head.n_periods >= 36
        assert (head.intervention_in_window is not None) == (site_id == "svelvik")
    assert covered >= len(fits) - 1


def test_pooled_by_municipality_recovers_the_planted_average(demo, fits):
    from samorg.demo import truth

    planted = truth()
    heads = {sid: post_washout_effect(res) for sid, (_, res) in fits.items()}
    muni = [fits[sid][0].municipality_code for sid in heads]
    pooled = pool_municipalities(heads, municipality=muni)
    by_muni: dict[str, list[float]] = {}
    for sid, m in zip(heads, muni):
        by_muni.setdefault(m, []).append(planted.visit_log_rr[sid])
    truth_mean = float(np.mean([np.mean(v) for v in by_muni.values()]))
    assert pooled.n_municipalities == 2 and pooled.k == 8
    assert abs(pooled.estimate - truth_mean) < 0.04
    assert pooled.ci_low < truth_mean < pooled.ci_high
    assert pooled.control_std_error > 0 and math.isnan(pooled.pi_low)
    for lang in ("nb", "en"):
        text = pooled.sentence(lang=lang)
        assert "∞" not in text and "nan" not in text.lower()


def test_verdict_and_grade_for_askim(demo, fits):
    _, wide = demo
    site, main = fits["askim"]
    variants = {
        "no_2022": _fit(wide, "askim", site.co_located,
                        exclude=WASHOUT + [("2022-01-01", "2022-12-31", "2022")]),
        "with_covid": _fit(wide, "askim", site.co_located, exclude=[]),
    }
    head = post_washout_effect(main)
    heads = {k: post_washout_effect(v) for k, v in variants.items()}
    verdict = robustness_verdict(head, heads)
    assert verdict.compared == ("no_2022", "with_covid")
    agree = [np.sign(v.estimate) == np.sign(head.estimate) and v.ci_low <= head.ci_high and head.ci_low <= v.ci_high
             for v in heads.values()]
    assert verdict.robust == all(agree)
    assert heads["no_2022"].period_start == pd.Timestamp("2023-01-01")  # the average starts after 2022 is left out
    grade = grade_evidence(design="comparative_its", n_treated=1, n_comparison=2, pretrends_checked=False,
                           coincides_with_merger=True, overlaps_covid=True, interval=(head.ci_low, head.ci_high),
                           indirect=("effekten er samlet for sammenslåing, samorganisering og samlokalisering",
                                     "the effect is the bundle of merger, co-organisation and co-location"))
    assert grade.sms_level == 2 and grade.certainty == "very_low"
    assert "sammenslåing" in grade.sentence("nb")
