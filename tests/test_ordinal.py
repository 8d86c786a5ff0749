"""samorg.models.ordinal: a published ordered logit reproduced, weights, ordinal_change designs, clear errors."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from samorg.errors import ModelError
from samorg.models import ModelWarning
from samorg.models.ordinal import OrdinalChangeResult, OrdinalResult, ordinal, ordinal_change
from conftest import seeded_rng

# UCLA OARC (IDRE) "Ordered logistic regression | Stata data analysis examples", ologit.dta: 400 students,
# apply (0 unlikely, 1 somewhat likely, 2 very likely), pared, public, gpa. The same file ships with statsmodels
# (miscmodels/tests/results/ologit_ucla.csv). Encoded six characters a row: apply, pared, public, gpa × 100.
_OLOGIT = (
    "200326110321011394100281100253001259100256100273000300110350011365100284201390100268010357000309"
    "001350000217201336100340200275110320000244000283001300101327110314100337201279000290100338001295"
    "000298011381000274000262000285100250100275000226000203110285000272100289110247000304000310000257"
    "000209100294000345000276201296000289100297101391100277000251000324000244100278000294010322000350"
    "210357100317001323000291000328001332000362000255000297210363001302001360000295211381110268010372"
    "000249000272010225000253000326200257000290000305100285100400210340101324001351200255000306200300"
    "100313000316100247100289000274000316000292100357110349101256110312110265100251100308100265000299"
    "000263100280101346000361000308010328001331000257100339000226000242000260111344100298110309001334"
    "000284000281000279000240000302100265100255110312000298210361000298000319000351000310000355000298"
    "200299000305000299000232000250001290211328100295100354100311010325000244000213100322100316000339"
    "100270100309100316000228000291000365000286001339000371000325000314000241100308001302100315200295"
    "000222100286110288200262000337100351100365210342200241201321000322000253100264000294100256001312"
    "100334000322100305100329100271000287000329000336011285000279100369200356000352011338201311110320"
    "000283000308201297000264000247200307100320000255000248000329100264100322110280100362000262101304"
    "001249001310210315100265000304001305000288100286100300000223001314000267000311100373100245000304"
    "000240100343100257000284000267211345110288100278000322010330110286100283100370100315111308000292"
    "000289210353000310110336100274100273010272000353010345000298100288210321000306000240100357010288"
    "000327000292200270110253100338000316100260000276000356000287110299000268000299100296011277100328"
    "001274000190000305101244100333101356000215000283100279100272210304001303000288100321000274000357"
    "100243000311000276100313000275000260000367000326000341200324000305110238100261111318000334100284"
    "000280000321000263000231000229000351100287000309110288010247101372000320100257000305000327000330"
    "000273010263000277000315000285000225100356000270200294110258100297200338200296000244101375100307"
    "100272000313000339001238100287001291210325111351010365100311200271000305000293100235100249000326"
    "000377001349000339000337000198010293000336000312100323101390000270000234000330100311000314110368"
    "100222000261101348200308000279000312001267100354200298110332110354000370000263100225100326200352"
)
LEVELS = ["unlikely", "somewhat likely", "very likely"]


@pytest.fixture(scope="module")
def ologit() -> pd.DataFrame:
    s = "".join(_OLOGIT)
    rows = [s[i:i + 6] for i in range(0, len(s), 6)]
    # gpa is a Stata float in ologit.dta: np.float32 reproduces the stored values (3.94 → 3.9400001).
    return pd.DataFrame({
        "apply": pd.Categorical.from_codes([int(r[0]) for r in rows], categories=LEVELS, ordered=True),
        "pared": [int(r[1]) for r in rows], "public": [int(r[2]) for r in rows],
        "gpa": np.float32([int(r[3:]) / 100 for r in rows]).astype(float),
    })


def simulate(*, seed: str, n: int = 1500, effect: float = 0.6, wave_shift: float = -0.2, group_shift: float = 0.3,
             cuts=(-2.6, -1.6, -0.2, 1.4), by_site: bool = False) -> pd.DataFrame:
    """Before/after × group survey answers from a proportional-odds model with a planted interaction."""
    rng = seeded_rng(seed)
    site = rng.integers(0, 12, n)
    g = (site < 6).astype(int) if by_site else rng.integers(0, 2, n)
    t = rng.integers(0, 2, n)
    age = rng.choice(["ung", "middels", "eldre"], n)
    latent = group_shift * g + wave_shift * t + effect * g * t + 0.3 * (age == "eldre") + rng.logistic(size=n)
    y = np.searchsorted(np.asarray(cuts), latent) + 1
    return pd.DataFrame({"y": y, "group": g, "wave": np.where(t == 1, 2022, 2019), "age": age,
                         "site": site})


# -- the published example ------------------------------------------------------------------------
def test_data_match_the_published_tables(ologit):
    # UCLA's tab apply / tab apply pared / tab apply public
    assert ologit["apply"].value_counts().reindex(LEVELS).tolist() == [220, 140, 40]
    assert pd.crosstab(ologit["apply"], ologit["pared"]).to_numpy().tolist() == [[200, 20], [110, 30], [27, 13]]
    assert pd.crosstab(ologit["apply"], ologit["public"]).to_numpy().tolist() == [[189, 31], [124, 16], [30, 10]]


def test_reproduces_the_ucla_stata_ologit_to_printed_precision(ologit):
    res = ordinal(ologit, outcome="apply", predictors=["pared", "public", "gpa"])
    # Stata: ologit apply pared public gpa (printed to 7 significant digits)
    b = res.coefficients["estimate"]
    assert b["pared"] == pytest.approx(1.047664, abs=5e-7)
    assert b["public"] == pytest.approx(-0.0586828, abs=5e-8)
    assert b["gpa"] == pytest.approx(0.6157458, abs=5e-8)
    assert res.thresholds["estimate"].tolist() == pytest.approx([2.203323, 4.298767], abs=5e-7)
    # R MASS::polr on the same data (statsmodels' reference results, printed to 4 decimals)
    assert res.coefficients["std_error"].tolist() == pytest.approx([0.2658, 0.2979, 0.2606], abs=5e-5)
    assert res.coefficients["p_value"].tolist() == pytest.approx([8.087070e-05, 8.435464e-01, 1.811594e-02],
                                                                 rel=2e-3)
    assert res.thresholds.index.tolist() == ["unlikely|somewhat likely", "somewhat likely|very likely"]
    assert isinstance(res, OrdinalResult) and res.term == "pared" and res.link == "logit"
    assert res.ratio() == pytest.approx(np.exp(1.047664), rel=1e-6)


def test_reproduces_r_polr_probit(ologit):
    res = ordinal(ologit, outcome="apply", predictors=["pared", "public", "gpa"], link="probit")
    # R MASS::polr(method="probit"), printed to 4-5 significant digits
    assert res.coefficients["estimate"].tolist() == pytest.approx([0.59811, 0.01016, 0.35815], abs=5e-5)
    assert res.coefficients["std_error"].tolist() == pytest.approx([0.1579, 0.1728, 0.1568], abs=5e-5)
    assert res.thresholds["estimate"].tolist() == pytest.approx([1.2968, 2.5028], abs=5e-4)
    assert res.link == "probit"  # probit units: no ratio, and the sentence says so
    with pytest.raises(ModelError, match="probit units"):
        res.ratio()
    assert "probit-koeffisienten for pared anslått til 0,598 (" in res.sentence("nb")
    assert "oddsforhold" not in res.sentence("nb") and "odds ratio" not in res.sentence("en")
    assert math.isnan(res.to_frame()["ratio"].item())


def test_robust_errors_are_statsmodels_hc0_with_the_small_sample_factor(ologit):
    import warnings

    from statsmodels.miscmodels.ordinal_model import OrderedModel

    res = ordinal(ologit, outcome="apply", predictors=["pared", "public", "gpa"], inference="robust")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = OrderedModel(ologit["apply"], ologit[["pared", "public", "gpa"]], distr="logit").fit(
            method="bfgs", disp=False, gtol=1e-10, maxiter=2000, cov_type="HC0")
    assert res.coefficients["std_error"].to_numpy() == pytest.approx(ref.bse.to_numpy()[:3] * np.sqrt(400 / 399),
                                                                     rel=1e-4)


# -- weights --------------------------------------------------------------------------------------
def test_frequency_weights_equal_expanded_rows(ologit):
    counts = ologit.groupby(["apply", "pared", "public"], observed=True).size().rename("n").reset_index()
    collapsed = ordinal(counts, outcome="apply", predictors=["pared", "public"], weights="n")
    expanded = ordinal(ologit, outcome="apply", predictors=["pared", "public"])
    assert collapsed.coefficients["estimate"].to_numpy() == pytest.approx(
        expanded.coefficients["estimate"].to_numpy(), abs=1e-6)
    assert collapsed.thresholds["estimate"].to_numpy() == pytest.approx(expanded.thresholds["estimate"].to_numpy(),
                                                                        abs=1e-6)
    assert collapsed.inference.startswith("robust")


def test_rescaled_weights_change_nothing():
    df = simulate(seed="ordinal rescale", n=600)
    df["w"] = np.random.default_rng(3).uniform(0.5, 3, len(df))
    a = ordinal(df, outcome="y", predictors=["group", "age"], weights="w")
    b = ordinal(df.assign(w=df["w"] * 250), outcome="y", predictors=["group", "age"], weights="w")
    pd.testing.assert_frame_equal(a.coefficients, b.coefficients, rtol=1e-6)


def test_weights_recover_population_shares_from_an_unbalanced_sample():
    rng = seeded_rng("ordinal population shares")
    n = 4000
    old = rng.random(n) < 0.8  # the elderly answer four times as often as their population share of 50 %
    y = np.searchsorted([-1.5, 0.0, 1.5], 1.2 * old + rng.logistic(size=n)) + 1
    df = pd.DataFrame({"y": y, "old": old.astype(int), "w": np.where(old, 0.5 / 0.8, 0.5 / 0.2)})
    res = ordinal(df, outcome="y", predictors=["old"], weights="w")
    from scipy.special import expit

    cuts = np.array([-1.5, 0.0, 1.5])
    truth = 0.5 * np.diff(np.r_[0, expit(cuts), 1]) + 0.5 * np.diff(np.r_[0, expit(cuts - 1.2), 1])
    assert res.probabilities().iloc[0].to_numpy() == pytest.approx(truth, abs=0.02)
    unweighted = ordinal(df, outcome="y", predictors=["old"]).probabilities().iloc[0].to_numpy()
    assert np.abs(unweighted - truth).max() > 0.04  # the sample alone is biased towards the elderly's answers


def test_probabilities_by_group_and_predict(ologit):
    res = ordinal(ologit, outcome="apply", predictors=["pared", "public", "gpa"])
    by = res.probabilities(by="pared")
    assert by.index.tolist() == [0, 1] and by.columns.tolist() == LEVELS
    assert by.sum(axis=1).to_numpy() == pytest.approx([1, 1])
    assert by.loc[1, "very likely"] > by.loc[0, "very likely"]
    pred = res.predict(ologit.head(3))
    assert pred.to_numpy().sum(axis=1) == pytest.approx([1, 1, 1])
    # R polr's first predicted row, 0.5488310 0.3593310 0.09183798 (polr stops earlier than Stata: 1e-3)
    assert pred.iloc[0].to_numpy() == pytest.approx([0.5488310, 0.3593310, 0.09183798], abs=1e-3)


def test_categories_nobody_chose_get_probability_zero():
    df = simulate(seed="ordinal empty category", n=400)
    df["answer"] = pd.Categorical(df["y"].clip(2, 5).map({2: "b", 3: "c", 4: "d", 5: "e"}),
                                  categories=["a", "b", "c", "d", "e"], ordered=True)
    res = ordinal(df, outcome="answer", predictors=["group"])
    assert res.categories == ("a", "b", "c", "d", "e")
    assert res.probabilities()["a"].iloc[0] == 0
    assert res.details["categories_not_chosen"] == ("a",)


def test_input_is_not_modified(ologit):
    before = ologit.copy()
    ordinal(ologit, outcome="apply", predictors=["pared"], weights=None)
    pd.testing.assert_frame_equal(ologit, before)


def test_sentences_follow_the_language(ologit):
    res = ordinal(ologit, outcome="apply", predictors=["pared", "gpa"])
    nb, en = res.sentence(), res.sentence("en", outcome_label="applying")
    assert "oddsforholdet" in nb and "2,8" in nb and "95\u00a0% KI" in nb
    assert en.startswith("For applying, the odds ratio") and "95% CI" in en


# -- ordinal_change ----------------------------------------------------------------------------------
def test_did_recovers_a_planted_interaction():
    df = simulate(seed="ordinal did", n=3000, effect=0.6)
    res = ordinal_change(df, outcome="y", group="group", time="wave", covariates=["age"])
    assert isinstance(res, OrdinalChangeResult) and res.term == "top_box_shift"
    lo = res.log_odds
    assert lo.ci_low < 0.6 < lo.ci_high and lo.p_value < 0.01
    assert res.estimate > 0 and res.ci_low > 0
    # the shift equals fitted share in the co-located after-cell minus its counterfactual
    cf = res.category_probabilities
    cell = cf[(cf["group"] == 1) & (cf["period"] == 2022)]
    top = [4, 5]
    fitted = cell[(cell["scenario"] == "fitted") & cell["category"].isin(top)]["probability"].sum()
    counter = cell[(cell["scenario"] == "counterfactual") & cell["category"].isin(top)]["probability"].sum()
    assert res.estimate == pytest.approx(fitted - counter, abs=1e-9)
    assert set(res.cells["period"]) == {2019, 2022} and res.cells["n"].sum() == len(df)


def test_did_with_site_fixed_effects_and_probit():
    df = simulate(seed="ordinal did fe", n=2000, effect=0.5, by_site=True)  # group fixed per site, as unit= needs
    res = ordinal_change(df, outcome="y", group="group", time="wave", unit="site", link="probit")
    assert res.log_odds.link == "probit" and res.estimate > 0
    assert "probitenheter" in res.log_odds.sentence("nb") and "probit units" in res.log_odds.sentence("en")
    assert res.model.coefficients.index[0] == "group × wave"


def test_post_only_compares_groups_in_one_wave():
    df = simulate(seed="ordinal post only, wave 2022", n=3000, effect=0.0, group_shift=0.5)
    res = ordinal_change(df, outcome="y", design="post_only", group="group", time="wave", after=2022)
    assert res.n_obs == (df["wave"] == 2022).sum()
    assert res.log_odds.ci_low < 0.5 < res.log_odds.ci_high
    assert "post_only" in res.caveats and "én måling" in res.sentence()


def test_retrospective_share_is_the_observed_net_share():
    rng = seeded_rng("ordinal retro")
    y = rng.choice([1, 2, 3, 4, 5], size=500, p=[0.05, 0.1, 0.45, 0.25, 0.15])
    w = rng.uniform(0.5, 2, 500)
    df = pd.DataFrame({"change": y, "w": w})
    res = ordinal_change(df, outcome="change", design="retrospective", weights="w")
    net = np.average(np.isin(y, [4, 5]), weights=w) - np.average(np.isin(y, [1, 2]), weights=w)
    assert res.estimate == pytest.approx(net, abs=1e-6)  # the intercept-only model is saturated
    d = np.isin(y, [4, 5]).astype(float) - np.isin(y, [1, 2])
    lin = np.sqrt(np.sum(w**2 * (d - net) ** 2) / w.sum() ** 2 * 500 / 499)  # linearisation (Taylor) SE
    assert res.std_error == pytest.approx(lin, rel=1e-3)
    assert res.term == "net_improvement" and res.log_odds is None and "retrospective" in res.caveats


def test_retrospective_with_groups():
    df = simulate(seed="ordinal retro groups", n=1500, effect=0.0, wave_shift=0.0, group_shift=0.8)
    res = ordinal_change(df, outcome="y", design="retrospective", group="group")
    assert res.estimate > 0 and res.log_odds.estimate > 0
    assert "forskjellen mellom" in res.sentence()


def test_sentence_in_percentage_points_with_decimal_comma():
    res = ordinal_change(simulate(seed="ordinal sentence", n=1500), outcome="y", group="group", time="wave",
                         group_labels={1: "Mysen", 0: "de andre stedene"})
    nb, en = res.sentence(outcome_label="tilfredshet"), res.sentence("en")
    assert "prosentpoeng" in nb and "Mysen" in nb and "«4» eller «5»" in nb and "," in nb
    assert "percentage points" in en and "odds ratio" in en and "mean score" in en
    assert res.details["mean_score_change"] == pytest.approx(
        (res.cells["mean_score"][1] - res.cells["mean_score"][0])
        - (res.cells["mean_score"][3] - res.cells["mean_score"][2]))


# -- clear errors -----------------------------------------------------------------------------------
def test_all_answers_identical():
    df = pd.DataFrame({"y": [4] * 30, "x": [0, 1] * 15})
    with pytest.raises(ModelError, match="All 30 answers"):
        ordinal(df, outcome="y", predictors=["x"])
    with pytest.raises(ModelError, match="at least two different answers"):
        ordinal_change(df.assign(t=[0] * 15 + [1] * 15), outcome="y", group="x", time="t")


def test_a_group_with_no_respondents():
    df = simulate(seed="ordinal empty group", n=400)
    gone = df[~((df["group"] == 0) & (df["wave"] == 2022))]
    with pytest.raises(ModelError, match="No respondent answered .* sites without co-location, wave = 2022"):
        ordinal_change(gone, outcome="y", group="group", time="wave")
    with pytest.raises(ModelError, match="same value"):
        ordinal(df[df["group"] == 1], outcome="y", predictors=["group"])


@pytest.mark.parametrize(("bad", "match"), [(0.0, "zero or less"), (np.nan, "no weight"), (-1.0, "zero or less")])
def test_weights_zero_or_missing(bad, match):
    df = simulate(seed="ordinal weights", n=300).assign(w=1.0)
    df.loc[5, "w"] = bad
    with pytest.raises(ModelError, match=match):
        ordinal(df, outcome="y", predictors=["group"], weights="w")
    with pytest.raises(ModelError, match=match):
        ordinal_change(df, outcome="y", group="group", time="wave", weights="w")


def test_other_errors_say_what_to_do():
    df = simulate(seed="ordinal errors", n=300)
    with pytest.raises(ModelError, match="not in the data"):
        ordinal(df, outcome="y", predictors=["nope"])
    with pytest.raises(ModelError, match="link="):
        ordinal(df, outcome="y", predictors=["group"], link="cloglog")
    with pytest.raises(ModelError, match="ordered categorical"):
        ordinal(df.assign(y=df["y"].astype(str)), outcome="y", predictors=["group"])
    with pytest.raises(ModelError, match="needs group="):
        ordinal_change(df, outcome="y", time="wave")
    with pytest.raises(ModelError, match="design="):
        ordinal_change(df, outcome="y", group="group", design="its")
    with pytest.raises(ModelError, match="inference='classical' is wrong"):
        ordinal(df.assign(w=1.0), outcome="y", predictors=["group"], weights="w", inference="classical")
    with pytest.raises(ModelError, match="top=5"):
        ordinal_change(df, outcome="y", group="group", time="wave", top=5)
    with pytest.raises(ModelError, match="collinear"):
        ordinal(df.assign(g2=df["group"]), outcome="y", predictors=["group", "g2"])


def test_separation_is_an_error_not_a_crash():
    df = pd.DataFrame({"y": [1, 2, 1, 2, 1, 3, 3, 3, 3, 3], "x": [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]})
    with pytest.raises(ModelError, match="separates"):
        ordinal(df, outcome="y", predictors=["x"])


def test_docstring_examples_run():
    import doctest
    import importlib

    # samorg.models binds the function of the same name, so "import ... as" would give the function
    module = importlib.import_module("samorg.models.ordinal")

    failures, attempted = doctest.testmod(module)
    assert attempted >= 2 and failures == 0


def test_site_fixed_effects_need_a_group_fixed_per_site():
    df = simulate(seed="ordinal fe varying", n=600)
    with pytest.raises(ModelError, match="varies within site"):
        ordinal_change(df, outcome="y", group="group", time="wave", unit="site")
    with pytest.raises(ModelError, match="only works with design='did'"):
        ordinal_change(df, outcome="y", design="post_only", group="group", unit="site")


def test_cluster_robust_errors_over_sites():
    df = simulate(seed="ordinal cluster", n=1500, by_site=True)
    res = ordinal_change(df, outcome="y", group="group", time="wave", cluster="site")
    assert res.details["n_clusters"] == 12 and res.inference.startswith("cluster-robust")
    assert "site_level" not in res.caveats and "few_clusters" not in res.caveats
    plain = ordinal(df, outcome="y", predictors=["group"], cluster="site")
    assert plain.details["n_clusters"] == 12


def test_few_clusters_warn_and_say_so():
    from samorg.models.result import ModelWarning

    df = simulate(seed="ordinal few clusters", n=1500, by_site=True)
    df = df.assign(site=df["site"] % 8)
    df["group"] = (df["site"] < 4).astype(int)
    with pytest.warns(ModelWarning, match="Only 8 clusters"):
        res = ordinal_change(df, outcome="y", group="group", time="wave", cluster="site")
    assert "few_clusters" in res.caveats and "Få klynger" in res.sentence()
    with pytest.raises(ModelError, match="Only 1 cluster"):
        ordinal(df.assign(one=1), outcome="y", predictors=["group"], cluster="one")


def test_ordinal_change_docstring_examples_run():
    import doctest
    import importlib

    failures, _ = doctest.testmod(importlib.import_module("samorg.models.ordinal_diff"))
    assert failures == 0


def test_clustered_models_use_t_with_g_minus_1_degrees_of_freedom():
    """Issue 12 §6: with ~10 clusters a normal reference over-rejects; intervals and p use t(G − 1)."""
    from scipy import stats

    df = simulate(seed="ordinal t reference", n=1500, by_site=True)
    df = df.assign(site=df["site"] % 10)
    df["group"] = (df["site"] < 5).astype(int)
    with pytest.warns(ModelWarning, match="Only 10 clusters"):
        res = ordinal(df, outcome="y", predictors=["group", "wave"], cluster="site")
    row = res.coefficients.loc["group"]
    q = stats.t.ppf(0.975, 9)  # G − 1 = 9; the normal 1.96 was used before
    assert row["ci_high"] - row["estimate"] == pytest.approx(q * row["std_error"])
    assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(row["estimate"] / row["std_error"]), 9))
    assert res.details["reference_distribution"] == "t(9)"
    with pytest.warns(ModelWarning, match="Only 10 clusters"):
        change = ordinal_change(df, outcome="y", group="group", time="wave", cluster="site")
    half = (change.ci_high - change.ci_low) / 2
    assert half == pytest.approx(q * change.std_error)
    assert change.details["reference_distribution"] == "t(9)"
    unclustered = ordinal(df, outcome="y", predictors=["group", "wave"])
    assert unclustered.details["reference_distribution"] == "normal"


def test_old_names_period_and_model_still_work_with_a_future_warning():
    df = simulate(seed="ordinal old names", n=800)
    with pytest.warns(FutureWarning, match="use time="):
        old = ordinal_change(df, outcome="y", group="group", period="wave")
    assert old.estimate == ordinal_change(df, outcome="y", group="group", time="wave").estimate
    with pytest.warns(FutureWarning, match="inference='classical'"):
        ordinal(df, outcome="y", predictors=["group"], inference="model")


def test_the_dotted_path_is_the_function_and_patching_it_works(monkeypatch):
    """Issue 16: samorg.models.ordinal_change used to be both a module and (shadowing it) the function."""
    import importlib
    import sys

    import samorg.models as models

    assert callable(models.ordinal_change) and "samorg.models.ordinal_change" not in sys.modules
    module = importlib.import_module("samorg.models.ordinal_diff")
    assert module.ordinal_change is models.ordinal_change
    monkeypatch.setattr("samorg.models.ordinal_change", lambda *a, **k: "patched")
    assert models.ordinal_change() == "patched"
