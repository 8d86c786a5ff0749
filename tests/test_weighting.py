"""samorg.models.weighting: post-stratification and raking hit their targets; empty cells and bad margins are errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from samorg.errors import ModelError
from samorg.models.weighting import WeightingResult, design_effect, poststratify, rake
from conftest import seeded_rng

AGES = ["Under 20 år", "20-39 år", "40-66 år", "67 år og eldre"]
SEXES = ["Kvinne", "Mann"]
MUNIS = ["3118", "3301"]


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    rng = seeded_rng("weighting population")
    return pd.DataFrame([(a, s, m, int(rng.integers(1_000, 15_000))) for a in AGES for s in SEXES for m in MUNIS],
                        columns=["age_group", "sex", "municipality_code", "population"])


@pytest.fixture(scope="module")
def answers() -> pd.DataFrame:
    """Long survey answers: 600 respondents × 3 items, older women over-represented."""
    rng = seeded_rng("weighting answers")
    n = 600
    resp = pd.DataFrame({
        "respondent_id": [f"r-{i:04d}" for i in range(n)],
        "age_group": rng.choice(AGES, n, p=[0.1, 0.2, 0.35, 0.35]),
        "sex": rng.choice(SEXES, n, p=[0.65, 0.35]),
        "municipality_code": rng.choice(MUNIS, n, p=[0.3, 0.7]),
    })
    long = resp.loc[resp.index.repeat(3)].assign(item=["a", "b", "c"] * n, weight=1.0)
    return long.reset_index(drop=True)


def test_poststratification_weights_are_population_over_respondents(answers, population):
    res = poststratify(answers, population, by=["age_group", "sex", "municipality_code"], respondent="respondent_id")
    assert isinstance(res, WeightingResult) and res.method == "post-stratification"
    assert res.n_respondents == 600 and len(res.data) == len(answers)
    resp = answers.drop_duplicates("respondent_id")
    n = resp.groupby(["age_group", "sex", "municipality_code"]).size()
    N = population.set_index(["age_group", "sex", "municipality_code"])["population"]
    expected = resp.apply(lambda r: N[tuple(r[["age_group", "sex", "municipality_code"]])]
                          / n[tuple(r[["age_group", "sex", "municipality_code"]])], axis=1)
    assert res.weights.to_numpy() == pytest.approx(expected.to_numpy())
    assert res.weights.sum() == pytest.approx(population["population"].sum())
    # every answer of a respondent carries the respondent's weight
    assert (res.data.groupby("respondent_id")["weight"].nunique() == 1).all()
    # weighted cell totals are the population
    totals = res.data.drop_duplicates("respondent_id").groupby(["age_group", "sex", "municipality_code"])["weight"]
    assert totals.sum().reindex(N.index).to_numpy() == pytest.approx(N.to_numpy())


def test_design_effect_is_kish(answers, population):
    res = poststratify(answers, population, by=["age_group", "sex", "municipality_code"], respondent="respondent_id")
    w = res.weights.to_numpy()
    assert res.deff == pytest.approx(len(w) * np.sum(w**2) / np.sum(w) ** 2)
    assert res.effective_n == pytest.approx(600 / res.deff)
    assert res.deff > 1
    assert design_effect(np.ones(10)) == 1.0
    assert design_effect([1, 3]) == pytest.approx(2 * 10 / 16)
    assert res.to_frame()["deff"].iloc[0] == pytest.approx(res.deff)


def test_raking_meets_every_margin(answers, population):
    age_sex = population.groupby(["age_group", "sex"])["population"].sum()
    muni = population.groupby("municipality_code")["population"].sum().to_dict()
    res = rake(answers, {("age_group", "sex"): age_sex, "municipality_code": muni}, respondent="respondent_id")
    assert res.converged and res.max_error < 1e-8 and res.method == "raking"
    resp = res.data.drop_duplicates("respondent_id")
    got = resp.groupby(["age_group", "sex"])["weight"].sum()
    assert got.reindex(age_sex.index).to_numpy() == pytest.approx(age_sex.to_numpy(), rel=1e-8)
    assert resp.groupby("municipality_code")["weight"].sum().to_dict() == pytest.approx(muni, rel=1e-8)
    assert set(res.cells.columns) >= {"margin", "level", "target", "weighted", "respondents"}


def test_raking_to_the_full_cross_is_poststratification(answers, population):
    full = population.set_index(["age_group", "sex", "municipality_code"])["population"]
    raked = rake(answers, {("age_group", "sex", "municipality_code"): full}, respondent="respondent_id")
    post = poststratify(answers, population, by=["age_group", "sex", "municipality_code"], respondent="respondent_id")
    assert raked.weights.to_numpy() == pytest.approx(post.weights.to_numpy())


def test_raking_a_textbook_two_by_two():
    # IPF on a 2 × 2 sample to margins (50, 50) and (40, 60): the classic closed form for one respondent per cell
    resp = pd.DataFrame({"sex": ["K", "K", "M", "M"], "age": ["ung", "eldre", "ung", "eldre"]})
    res = rake(resp, {"sex": {"K": 50, "M": 50}, "age": {"ung": 40, "eldre": 60}})
    assert res.weights.tolist() == pytest.approx([20, 30, 20, 30])


def test_base_weights_are_respected():
    resp = pd.DataFrame({"sex": ["K", "K", "M"], "d": [1.0, 3.0, 2.0]})
    res = rake(resp, {"sex": {"K": 100, "M": 50}}, base_weight="d")
    assert res.weights.tolist() == pytest.approx([25, 75, 50])


def test_input_is_not_modified(answers, population):
    a, p = answers.copy(), population.copy()
    res = poststratify(answers, population, by=["sex"], respondent="respondent_id")  # finer table: summed
    by_sex = res.data.drop_duplicates("respondent_id").groupby("sex")["weight"].sum()
    assert by_sex.to_dict() == pytest.approx(population.groupby("sex")["population"].sum().to_dict())
    pd.testing.assert_frame_equal(answers, a)
    pd.testing.assert_frame_equal(population, p)


# -- clear errors -------------------------------------------------------------------------------------
def test_empty_cell_is_an_error(answers, population):
    thin = answers[~((answers["age_group"] == "Under 20 år") & (answers["sex"] == "Mann")
                     & (answers["municipality_code"] == "3118"))]
    with pytest.raises(ModelError, match="no respondents: Under 20 år × Mann × 3118.*Collapse cells.*rake"):
        poststratify(thin, population, by=["age_group", "sex", "municipality_code"], respondent="respondent_id")
    with pytest.raises(ModelError, match="no respondent there"):
        rake(thin.assign(cell=thin["age_group"] + thin["sex"] + thin["municipality_code"]),
             {"cell": {f"{a}{s}{m}": 1 for a in AGES for s in SEXES for m in MUNIS}}, respondent="respondent_id")


def test_margins_that_do_not_sum_are_an_error(answers):
    with pytest.raises(ModelError, match="do not sum to the same population total.*sex: 1,000.*municipality_code: 900"):
        rake(answers, {"sex": {"Kvinne": 500, "Mann": 500}, "municipality_code": {"3118": 400, "3301": 500}},
             respondent="respondent_id")


def test_other_errors(answers, population):
    with pytest.raises(ModelError, match="not in the population table: Vil ikke oppgi"):
        poststratify(answers.assign(sex="Vil ikke oppgi"), population, by=["sex"], respondent="respondent_id")
    with pytest.raises(ModelError, match="which the margin lacks"):
        rake(answers, {"sex": {"Kvinne": 1.0}}, respondent="respondent_id")
    with pytest.raises(ModelError, match="more than one value"):
        bad = answers.copy()
        bad.loc[1, "sex"] = "Mann" if bad.loc[0, "sex"] == "Kvinne" else "Kvinne"
        poststratify(bad, population, by=["sex"], respondent="respondent_id")
    with pytest.raises(ModelError, match="no value in"):
        poststratify(answers.assign(sex=None), population, by=["sex"], respondent="respondent_id")
    with pytest.raises(ModelError, match="repeats the row for cell"):
        poststratify(answers, pd.concat([population, population]), by=["age_group", "sex", "municipality_code"],
                     respondent="respondent_id")
    with pytest.raises(ModelError, match="not in the data"):
        poststratify(answers, population, by=["kommune"])
    with pytest.raises(ModelError, match="non-negative"):
        design_effect([1, np.nan])


def test_docstring_examples_run():
    import doctest

    import samorg.models.weighting as module

    failures, attempted = doctest.testmod(module)
    assert attempted >= 3 and failures == 0
