"""samorg.models.event_study: Callaway–Sant'Anna group-time effects, permutation inference, the demo world."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import yaml

from samorg.errors import ModelError
from samorg.models import EventStudyResult, ModelWarning, event_study
from conftest import seeded_rng


def staggered(*, seed: str, cohorts=((2018, 3), (2020, 3)), never: int = 10, years=range(2012, 2025),
              effect=lambda g, e: 1.0 + 0.3 * e, pretrend: float = 0.0, sd: float = 0.3) -> pd.DataFrame:
    """Units with unit and year effects; cohort g gets ``effect(g, e)`` at event time e ≥ 0."""
    rng = seeded_rng(seed)
    years = np.asarray(list(years))
    year_fx = rng.normal(0, 1, len(years)).cumsum()
    rows, unit = [], 0
    for g, n in list(cohorts) + [(None, never)]:
        for _ in range(n):
            a = rng.normal(0, 2)
            for y, fx in zip(years, year_fx):
                e = None if g is None else y - g
                eff = effect(g, e) if e is not None and e >= 0 else 0.0
                trend = pretrend * e if e is not None and e < 0 else 0.0
                rows.append((f"u{unit:02d}", y, g if g is not None else np.nan,
                             a + fx + eff + trend + rng.normal(0, sd)))
            unit += 1
    return pd.DataFrame(rows, columns=["unit", "year", "first", "y"])


def true_simple_aggregate(df: pd.DataFrame, effect) -> float:
    """Σ over treated unit-years after treatment of the planted effect / their number (units × cells)."""
    post = df[df["first"].notna() & (df["year"] >= df["first"])]
    return float(np.mean([effect(g, y - g) for g, y in zip(post["first"], post["year"])]))


def test_recovers_heterogeneous_staggered_effects():
    effect = lambda g, e: (1.0 if g == 2018 else 3.0) + 0.3 * e  # noqa: E731 - differs by cohort and over time
    df = staggered(seed="event recovery", effect=effect)
    before = df.copy()
    res = event_study(df, outcome="y", unit="unit", time="year", first_treated="first", draws=299)
    pd.testing.assert_frame_equal(df, before)
    assert isinstance(res, EventStudyResult)
    truth = true_simple_aggregate(df, effect)
    assert abs(res.estimate - truth) < 0.5 and res.ci_low < truth < res.ci_high
    noiseless = event_study(staggered(seed="event recovery", effect=effect, sd=0.0), outcome="y", unit="unit",
                            time="year", first_treated="first", inference="cluster")
    assert noiseless.estimate == pytest.approx(truth)  # unbiased: exact without noise
    coef = res.coefficients
    assert coef.loc[-1, "estimate"] == 0 and math.isnan(coef.loc[-1, "p_value"])
    for e in (0, 2, 4, 6):  # dynamic effects: the cohort-size weighted mean of the planted ones
        cohorts = [g for g in (2018, 2020) if g + e <= 2024]
        assert noiseless.coefficients.loc[e, "estimate"] == pytest.approx(np.mean([effect(g, e) for g in cohorts]))
        assert coef.loc[e, "ci_low"] < coef.loc[e, "estimate"] < coef.loc[e, "ci_high"]
    assert res.pretrend["p_value"] > 0.05
    assert list(coef.columns) == ["estimate", "std_error", "ci_low", "ci_high", "p_value", "n_treated", "n_cohorts"]
    gt = res.group_time
    assert {"cohort", "time", "event_time", "base", "att", "n_treated", "n_control"} <= set(gt.columns)


def test_group_time_effect_is_the_difference_of_mean_changes():
    df = staggered(seed="event cell", never=5)
    res = event_study(df, outcome="y", unit="unit", time="year", first_treated="first", comparison="never",
                      inference="cluster")
    wide = df.pivot(index="unit", columns="year", values="y")
    first = df.groupby("unit")["first"].first()
    g, t = 2020, 2022
    change = wide[t] - wide[g - 1]
    expected = change[first == g].mean() - change[first.isna()].mean()
    row = res.group_time[(res.group_time["cohort"] == g) & (res.group_time["time"] == t)].iloc[0]
    assert row["att"] == pytest.approx(expected) and row["base"] == g - 1 and row["event_time"] == 2


def test_not_yet_treated_controls_use_later_cohorts():
    df = staggered(seed="event not yet", never=0, cohorts=((2016, 3), (2019, 3), (2022, 3)))
    with pytest.raises(ModelError, match="comparison='not_yet'"):
        event_study(df, outcome="y", unit="unit", time="year", first_treated="first")
    res = event_study(df, outcome="y", unit="unit", time="year", first_treated="first", comparison="not_yet", draws=199)
    gt = res.group_time
    assert gt[(gt["cohort"] == 2016) & (gt["time"] == 2017)]["n_control"].iloc[0] == 6
    assert gt[(gt["cohort"] == 2019) & (gt["time"] == 2020)]["n_control"].iloc[0] == 3
    assert gt["time"].max() < 2022  # once everyone is treated there is no comparison


def test_permutation_is_exact_with_few_units_and_reports_the_floor():
    df = staggered(seed="event exact", cohorts=((2018, 1), (2020, 1)), never=6, effect=lambda g, e: 4.0)
    res = event_study(df, outcome="y", unit="unit", time="year", first_treated="first")
    assert res.details["enumerated"] and res.details["n_assignments"] == 8 * 7  # 8!/(1! 1! 6!)
    assert res.details["min_attainable_p"] == pytest.approx(1 / 56)
    assert res.p_value == pytest.approx(1 / 56)
    assert "(minste oppnåelige)" in res.sentence() and "56" in res.sentence("en")
    assert res.ci_low < 4.0 < res.ci_high


def test_pretrend_test_detects_anticipation():
    df = staggered(seed="event pretrend", pretrend=0.8, cohorts=((2019, 4),), never=12)
    res = event_study(df, outcome="y", unit="unit", time="year", first_treated="first", draws=499)
    assert res.pretrend["p_value"] < 0.05
    assert "Test of no pre-treatment difference in trends" in res.sentence("en")


def test_analytic_inference_warns_with_few_treated_units():
    df = staggered(seed="event analytic", cohorts=((2018, 2),), never=10)
    with pytest.warns(ModelWarning, match="far too small"):
        res = event_study(df, outcome="y", unit="unit", time="year", first_treated="first", inference="cluster")
    assert "few_treated_units" in res.caveats and res.pretrend["method"].startswith("Wald")


def test_excluded_window_moves_the_base_period():
    df = staggered(seed="event exclude", cohorts=((2020, 3),), never=8, effect=lambda g, e: 2.0)
    res = event_study(df, outcome="y", unit="unit", time="year", first_treated="first", draws=199,
                      exclude=[(2019, 2020, "COVID-19")])
    gt = res.group_time
    assert set(gt["base"]) == {2018.0} and not gt["time"].isin([2019, 2020]).any()
    assert abs(res.estimate - 2.0) < 0.5 and "COVID-19" in res.sentence()


@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        ("one", {}, "one site"),
        ("at_start", {}, "No unit is first treated inside the data"),
        ("after_end", {}, "No unit is first treated inside the data"),
        ("constant", {}, "constant"),
        ("all_treated", {"comparison": "not_yet"}, "no comparison group"),
        (None, {"inference": "bootstrap"}, "not supported"),
        (None, {"reference": 0}, "negative"),
        (None, {"first_treated": "start"}, "not in the data"),
    ],
)
def test_edge_cases_raise_model_error(change, kwargs, message):
    df = staggered(seed="event edge", never=4)
    if change == "one":
        df = df[df["unit"] == "u00"]
    elif change == "at_start":
        df = df.assign(first=np.where(df["first"].notna(), 2012, np.nan))
    elif change == "after_end":
        df = df.assign(first=np.where(df["first"].notna(), 2030, np.nan))
    elif change == "constant":
        df = df.assign(y=1.0)
    elif change == "all_treated":
        df = df.assign(first=2018)
    args = {"outcome": "y", "unit": "unit", "time": "year", "first_treated": "first", "draws": 99, **kwargs}
    with pytest.warns(ModelWarning) if change == "at_start" else warnings.catch_warnings():
        with pytest.raises(ModelError, match=message):
            event_study(df, **args)


def test_first_treated_must_be_constant_within_a_unit():
    df = staggered(seed="event varying", never=4)
    df.loc[0, "first"] = 2016
    with pytest.raises(ModelError, match="varies within unit"):
        event_study(df, outcome="y", unit="unit", time="year", first_treated="first")


def test_docstring_example_runs():
    import doctest

    import samorg.models.event as module

    assert doctest.testmod(module).failed == 0


# -- the demo world ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_visits(tmp_path_factory):
    from pathlib import Path

    from samorg.config import load_study
    from samorg.pipeline import build_processed

    root = Path(__file__).resolve().parents[1]
    demo = root / "config" / "demo" / "study.yaml"
    raw = yaml.safe_load(demo.read_text(encoding="utf-8"))
    tmp = tmp_path_factory.mktemp("event_demo")
    raw["raw_dir"] = str((demo.parent / raw["raw_dir"]).resolve())
    raw["sites_file"] = str((demo.parent / raw["sites_file"]).resolve())
    raw["processed_dir"], raw["reports_dir"] = str(tmp / "processed"), str(tmp / "reports")
    study = tmp / "study.yaml"
    study.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    build_processed(load_study(study))
    obs = pd.read_parquet(tmp / "processed" / "observations.parquet")
    sites = pd.read_parquet(tmp / "processed" / "sites.parquet")
    visits = obs[(obs["freq"] == "M") & (obs["indicator"] == "visits") & obs["site_id"].notna()]
    visits = visits[visits["status"].fillna("") == ""]  # counter outages are not zero visits
    first = sites.set_index("site_id")["co_located"]
    return visits.assign(log_visits=np.log(visits["value"]), first=visits["site_id"].map(first))


def test_recovers_the_demo_worlds_planted_visit_effects(demo_visits):
    """Monthly branch visits, COVID-19 months left out, never-co-located branches as controls."""
    from samorg.demo import truth

    planted = truth()
    res = event_study(demo_visits, outcome="log_visits", unit="site_id", time="period_start", first_treated="first",
                      window=(-24, 36), exclude=[("2020-03-01", "2021-12-31", "COVID-19")], draws=199)
    cohorts = demo_visits.drop_duplicates("site_id").groupby("first")["site_id"].apply(list)
    gt = res.group_time[res.group_time["event_time"] >= 0]
    weights = gt["n_treated"].to_numpy(dtype=float)
    truths = [np.mean([planted.visit_log_rr[s] for s in cohorts[pd.Timestamp(c)]]) for c in gt["cohort"]]
    truth_simple = float(np.sum(weights * truths) / weights.sum())
    assert res.ci_low < truth_simple < res.ci_high, (truth_simple, res.ci_low, res.ci_high)
    assert abs(res.estimate - truth_simple) < 0.05
    assert res.details["n_never_treated"] == 2 and res.details["n_cohorts"] == 3


def test_not_yet_with_anticipation_keeps_never_treated_units_in_the_last_period():
    """Issue 12 §6: with reference=-2 and comparison="not_yet", the never-treated units dropped out of the
    comparison group in the panel's last period and those cells silently vanished (ATT −0.0073 against
    −0.0452 from two reference implementations). Checked against 2x2 ATTs computed by hand."""
    rng = seeded_rng("event not yet anticipation")
    years = [2010, 2011, 2012, 2013]
    first = {"a": 2012, "b": 2013, "c": np.nan, "d": np.nan, "e": np.nan}
    y = {(u, t): float(rng.normal(0, 1)) for u in first for t in years}
    df = pd.DataFrame([{"unit": u, "year": t, "first": first[u], "y": y[u, t]} for u in first for t in years])
    with warnings.catch_warnings():
        warnings.simplefilter("error", ModelWarning)  # no cell may be dropped silently or otherwise
        res = event_study(df, outcome="y", unit="unit", time="year", first_treated="first", reference=-2,
                          comparison="not_yet", draws=99)

    def att(treated, g_base, t, comparison):
        change = y[treated, t] - y[treated, g_base]
        return change - np.mean([y[c, t] - y[c, g_base] for c in comparison])

    # base period = first treated − 2; comparison: not yet treated at t + 1 (one period of anticipation)
    cells = {(2012, 2012): att("a", 2010, 2012, ["c", "d", "e"]),  # b is treated at 2013 = t + 1: out
             (2012, 2013): att("a", 2010, 2013, ["c", "d", "e"]),
             (2013, 2013): att("b", 2011, 2013, ["c", "d", "e"])}  # the last period: never-treated stay in
    gt = res.group_time.set_index(["cohort", "time"])
    for (g, t), expected in cells.items():
        assert gt.loc[(g, t), "att"] == pytest.approx(expected), (g, t)
        assert gt.loc[(g, t), "n_control"] == 3
    assert res.estimate == pytest.approx(np.mean(list(cells.values())))  # simple ATT: one treated unit per cell


def test_old_names_still_work_with_a_future_warning():
    df = staggered(seed="event old names", cohorts=((2018, 3),), never=6)
    with pytest.warns(FutureWarning) as record:
        old = event_study(df, outcome="y", unit="unit", time="year", first_treated="first", control="never",
                          inference="analytic")
    text = " ".join(str(w.message) for w in record)
    assert "use comparison=" in text and "inference='cluster'" in text
    new = event_study(df, outcome="y", unit="unit", time="year", first_treated="first", comparison="never",
                      inference="cluster")
    assert (old.estimate, old.std_error) == (new.estimate, new.std_error)


def test_mpdta_with_anticipation_matches_the_differences_package():
    """Issue 12 §6 on the published example panel (R did's mpdta): reference=-2 with not-yet-treated
    comparisons gave a simple ATT of −0.0073 against −0.0452 from two reference implementations."""
    import json
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1].parent / "shared" / "reference-cases" / "crosscheck"
    if not (folder / "mpdta.csv").exists():
        pytest.skip(f"reference data {folder / 'mpdta.csv'} not present (R did's mpdta)")
    data = pd.read_csv(folder / "mpdta.csv").assign(first=lambda d: d["first.treat"].replace(0, np.nan))
    ref = json.loads((folder / "differences_mpdta_anticipation1.json").read_text(encoding="utf-8"))["results"]
    for comparison in ("never", "not_yet"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ModelWarning)
            res = event_study(data, outcome="lemp", unit="countyreal", time="year", first_treated="first",
                              reference=-2, comparison=comparison, inference="cluster")
        assert res.estimate == pytest.approx(ref[comparison]["simple"], abs=1e-12), comparison
        gt = res.group_time.set_index(["cohort", "time"])["att"]
        for cell in ref[comparison]["cells"]:
            if cell["time"] == cell["base"]:
                continue  # the base period itself (0 by construction) is not a cell here
            assert gt.loc[(cell["cohort"], cell["time"])] == pytest.approx(cell["att"], abs=1e-12), cell


def test_cluster_inference_uses_t_with_units_minus_one_degrees_of_freedom():
    from scipy import stats

    df = staggered(seed="event cluster t", cohorts=((2018, 3), (2020, 3)), never=6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        res = event_study(df, outcome="y", unit="unit", time="year", first_treated="first", inference="cluster")
    n_units = res.details["n_units"]
    assert res.details["reference_distribution"] == f"t({n_units - 1})"
    assert res.ci_high - res.estimate == pytest.approx(stats.t.ppf(0.975, n_units - 1) * res.std_error)
