"""The survey effects planted in the demo world are recovered from the processed demo data.

The demo's 2019 and 2022 survey waves draw answers from a proportional-odds model whose latent
shift for respondents at co-located sites in 2022 is planted per item
(``samorg.demo.truth().survey_latent_shift``), on top of a wave shift for everyone. In 2019 no
site is co-located yet; in March 2022 seven of ten are (Mjøndalen co-locates only in September
2022), so wave × co-located is a before/after design with a comparison group.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import samorg.demo
from samorg.models.ordinal import ordinal_change



@pytest.fixture(scope="module")
def processed(tmp_path_factory, copy_demo_study) -> Path:
    from samorg import config, pipeline

    study = config.load_study(copy_demo_study(tmp_path_factory.mktemp("ordinal_demo")))
    pipeline.build_processed(study)
    return Path(study.processed_dir)


@pytest.fixture(scope="module")
def answers(processed) -> pd.DataFrame:
    from samorg import pipeline, store

    data = pipeline.load_survey_responses(processed)
    sites = store.read_processed(processed, "sites")
    co = dict(zip(sites["site_id"], pd.to_datetime(sites["co_located"])))
    at_date = [int(pd.notna(co[s]) and d >= co[s]) for s, d in zip(data["site_id"], data["date"])]
    data = data.assign(co_located_now=at_date)
    by_after = data[data["wave"] == 2022].groupby("site_id")["co_located_now"].max()
    return data.assign(co_located=data["site_id"].map(by_after))


@pytest.fixture(scope="module")
def fits(answers):
    truth = samorg.demo.truth()
    return {item: ordinal_change(answers[answers["item"] == item], outcome="response", group="co_located",
                                 time="wave", before=2019, after=2022)
            for item in truth.survey_latent_shift}


def test_design_is_what_the_demo_planted(answers):
    assert set(answers.loc[answers["wave"] == 2019, "co_located_now"]) == {0}
    after = answers[answers["wave"] == 2022].groupby("site_id")["co_located"].first()
    assert sorted(after[after == 0].index) == ["konnerud", "mjondalen", "papirbredden"]


def test_planted_latent_shifts_are_recovered(fits):
    truth = samorg.demo.truth().survey_latent_shift
    est = {item: fits[item].log_odds for item in truth}
    for item, shift in truth.items():
        lo = est[item]
        assert lo.ci_low < shift < lo.ci_high, (item, shift, lo.estimate, lo.std_error)
        if abs(shift) >= 0.5:  # the big planted effects are found, with the right sign
            assert np.sign(lo.estimate) == np.sign(shift) and lo.p_value < 0.05, item
    errors = np.array([est[i].estimate - s for i, s in truth.items()])
    assert abs(errors.mean()) < 0.15  # no systematic bias over the six items
    assert np.corrcoef([est[i].estimate for i in truth], list(truth.values()))[0, 1] > 0.8


def test_top_box_shift_matches_the_implied_truth(fits, answers):
    """The shift in the top-two share equals the planted latent shift pushed through the demo's own model."""
    from scipy.special import expit

    from samorg.demo import surveys, world

    truth = samorg.demo.truth()
    rng = world.stream(truth.seed, "surveys")  # the demo draws the site effects first
    site_effect = {s: float(rng.normal(0, 0.25)) for s in surveys.RESPONDENTS}
    cut = surveys.THRESHOLDS[2]  # "Fornøyd" or better: latent above the third threshold
    treated = answers[(answers["wave"] == 2022) & (answers["co_located"] == 1)]
    for item, shift in truth.survey_latent_shift.items():
        rows = treated[(treated["item"] == item) & treated["response"].notna()]
        eta = (surveys.ITEM_BASE[item] + rows["site_id"].map(site_effect).to_numpy()
               + 0.3 * (rows["age_group"] == surveys.AGE_GROUPS[3]).to_numpy() + truth.survey_wave_shift)
        implied = float(np.mean(expit(eta + shift - cut) - expit(eta - cut)))
        res = fits[item]
        assert abs(res.estimate - implied) < 2.5 * res.std_error, (item, implied, res.estimate, res.std_error)
        assert res.details["top_categories"] == ("Fornøyd", "Svært fornøyd")


def test_trade_off_reads_right_in_the_sentences(fits):
    calm = fits["calm"]
    assert calm.estimate < 0 and calm.ci_high < 0
    text = calm.sentence(outcome_label="ro og atmosfære")
    assert text.startswith("For ro og atmosfære er endringen i andelen som svarer «Fornøyd» eller «Svært fornøyd»")
    assert "prosentpoeng" in text and "−" in text


def test_post_only_design_on_the_2022_wave(answers):
    """The real 2022 survey had no baseline: one wave, co-located vs not, with its caveat."""
    part = answers[(answers["item"] == "opening_hours")]
    res = ordinal_change(part, outcome="response", design="post_only", group="co_located_now", time="wave",
                         after=2022)
    assert res.n_obs == part[(part["wave"] == 2022)]["response"].notna().sum()
    assert "post_only" in res.caveats


def test_weighted_analysis_with_raked_weights(processed, answers, fits):
    """Rake respondents to the municipalities' populations, then fit the weighted model (robust errors)."""
    from samorg import store
    from samorg.models.weighting import rake

    pop = store.read_processed(processed, "population")
    pop = pop[(pop["year"] == 2022) & (pop["age_group"] == "total")].set_index("municipality_code")["population"]
    size = {"3301": float(pop["3005"]), "3118": float(pop["3014"])}  # Drammen and Indre Østfold, 2020 codes
    sites = store.read_processed(processed, "sites").set_index("site_id")["municipality_code"]
    data = answers.assign(municipality=answers["site_id"].map(sites))
    margin = {(wave, m): n for wave in (2019, 2022) for m, n in size.items()}
    weighted = rake(data, {("wave", "municipality"): margin}, respondent="respondent_id")
    assert weighted.converged and weighted.deff > 1
    calm = weighted.data[weighted.data["item"] == "calm"]
    res = ordinal_change(calm, outcome="response", group="co_located", time="wave", weights="weight")
    assert res.inference.startswith("robust") and res.details["weights"] == "weight"
    assert res.log_odds.ci_low < samorg.demo.truth().survey_latent_shift["calm"] < res.log_odds.ci_high
    assert abs(res.log_odds.estimate - fits["calm"].log_odds.estimate) < res.log_odds.std_error
