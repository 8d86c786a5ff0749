"""samorg.models.synthetic_control: Prop 99, planted effects, exact placebo inference, edge cases.

``PROP99``: per-capita cigarette sales (packs) by US state, 1970–2000, California and the 38 states
without large tobacco-control programmes (Abadie, Diamond & Hainmueller 2010; the
``california_prop99`` table shipped with the synthdid package of Arkhangelsky et al. 2021),
one decimal as published. Proposition 99 took effect in 1989.

Published numbers checked (Arkhangelsky, Athey, Hirshberg, Imbens & Wager 2021, AER, Table 1):

* difference in differences −27.3: reproduced exactly by ``did`` (two-way fixed effects);
* synthetic control −19.6: ``synthetic_control`` gives −19.5. The paper's solver (Frank–Wolfe
  with a stopping rule) ends at weights with a larger pre-period loss (52.66 against the exact
  optimum 52.13 found here); the exact optimum's estimate is −19.51. The test pins our weights'
  loss below theirs and the estimate within 0.15 of the printed one.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from samorg.errors import ModelError
from samorg.models import ModelWarning, SynthResult, did, synthetic_control

PROP99 = """
Alabama: 89.8 95.4 101.1 102.9 108.2 111.7 116.2 117.1 123 121.4 123.2 119.6 119.1 116.3 113 114.5 116.3 114 112.1 105.6 108.6 107.9 109.1 108.5 107.1 102.6 101.4 104.9 106.2 100.7 96.2
Arkansas: 100.3 104.1 103.9 108 109.7 114.8 119.1 122.6 127.3 126.5 131.8 128.7 127.4 128 123.1 125.8 126 122.3 121.5 118.3 113.1 116.8 126 113.8 108.8 113 110.7 108.7 109.5 104.8 99.4
California: 123 121 123.5 124.4 126.7 127.1 128 126.4 126.1 121.9 120.2 118.6 115.4 110.8 104.8 102.8 99.7 97.5 90.1 82.4 77.8 68.7 67.5 63.4 58.6 56.4 54.5 53.8 52.3 47.2 41.6
Colorado: 124.8 125.5 134.3 137.9 132.8 131 134.2 132 129.2 131.5 131 133.8 130.5 125.3 119.7 112.4 109.9 102.4 94.6 88.8 87.4 90.2 88.3 88.6 89.1 85.4 83.1 81.3 81.2 79.6 73
Connecticut: 120 117.6 110.8 109.3 112.4 110.2 113.4 117.3 117.5 117.4 118 116.4 114.7 114.1 112.5 111 108.5 109 104.8 100.6 91.5 86.7 83.5 79.1 76.6 79.3 76 75.9 75.5 73.4 71.4
Delaware: 155 161.1 156.3 154.7 151.3 147.6 153 153.3 155.5 150.2 150.5 152.6 154.1 149.6 144 144.5 142.4 141 137.1 131.7 127.2 118.8 120 123.8 126.1 127.2 128.3 124.1 132.8 139.5 140.7
Georgia: 109.9 115.7 117 119.8 123.7 122.9 125.9 127.9 130.6 131 134 131.7 131.2 128.6 126.3 128.8 129 129.3 124.1 117.1 113.8 109.6 109.2 109.2 107.8 100.3 102.7 100.6 100.5 97.1 88.4
Idaho: 102.4 108.5 126.1 121.8 125.6 123.3 125.1 125 122.8 117.5 115.2 114.1 111.5 111.3 103.6 100.7 96.7 95 84.5 78.4 90.1 85.4 85.1 86.7 93 78.2 73.6 75 78.9 75.1 66.9
Illinois: 124.8 125.6 126.6 124.4 131.9 131.8 134.4 134 136.7 135.3 135.2 133 130.7 127.9 124 121.6 118.2 109.5 107.6 104.6 94.1 96.1 94.8 94.6 85.7 84.3 81.8 79.6 80.3 72.2 70
Indiana: 134.6 139.3 149.2 156 159.6 162.4 166.6 173 150.9 148.9 146.9 148.5 147.7 143 137.8 135.3 137.6 134 134 132.5 128.3 127.2 128.2 126.8 128.2 135.4 135.1 135.3 135.9 133.3 125.5
Iowa: 108.5 108.4 109.4 110.6 116.1 120.5 124.4 125.5 127.1 124.2 124.6 132.9 116.2 115.6 111.2 109.4 104.1 101.1 100.2 94.4 95.4 97.1 95.2 92.5 93.4 93 94 93.9 94 91.7 88.9
Kansas: 114 102.8 111 115.2 118.6 123.4 127.7 127.9 127.1 126.4 127.1 132 130.9 127.6 121.7 115.7 109.4 105.2 103.2 96.5 94.3 91.8 90 89.9 89.1 90.1 88.7 89.2 87.6 83.3 79.8
Kentucky: 155.8 163.5 179.4 201.9 212.4 223 230.9 229.4 224.7 214.9 215.3 209.7 210.6 201.1 183.2 182.4 179.8 171.2 173.2 171.6 182.5 170.4 167.6 167.6 170.1 175.3 179 186.8 171.3 165.3 156.2
Louisiana: 115.9 119.8 125.3 126.7 129.9 133.6 139.6 140 142.7 140.1 143.8 144 143.9 133.7 128.9 125 121.2 116.5 110.9 103.6 101.5 107.2 108.5 106.2 105.3 105.7 106.8 105.3 103.2 101 104.3
Maine: 128.5 133.2 136.5 138 142.1 140.7 144.9 145.6 143.9 138.5 141.2 138.9 139.5 135.4 135.5 127.9 119 125 125 122.4 117.5 116.1 114.5 108.5 101.6 102.3 100 101.1 94.5 85.5 82.9
Minnesota: 104.3 116.4 96.8 106.8 110.6 111.5 116.7 117.2 118.9 118.3 117.7 120.8 119.4 113.2 110.8 113 104.3 108.8 94.1 92.3 90.7 86.2 83.8 81.6 83.4 84.1 81.7 84.1 83.2 80.7 76
Mississippi: 93.4 105.4 112.1 115 117.1 116.8 120.9 122.1 124.9 123.9 127 125.3 125.8 122.3 116.4 115.3 113.2 110 109 108.3 101.8 105.6 103.9 105.4 106 107.5 106.9 106.3 107 103.9 97.2
Missouri: 121.3 127.6 130 132.1 135.4 135.6 139.5 140.8 141.8 140.2 142.1 140.5 139.7 134.1 130 129.2 128.8 128.7 127.4 122.8 119.1 119.9 122.3 121.6 119.4 124 124.1 120.6 120.1 118 113.8
Montana: 111.2 115.6 122.2 119.9 121.9 123.7 124.9 127 127.2 120.3 122 121.1 122.4 113.7 110.1 103.6 97.8 91.7 87.1 86.2 84.7 82.9 86.6 86 88.2 90.5 87.3 88.9 89.1 82.6 75.5
Nebraska: 108.1 108.6 104.9 106.6 110.5 114.1 118.1 117.7 117.4 116.1 116.3 117 117.1 110.8 107.7 105.1 103.1 101.3 92.9 93.8 89.9 92.4 90.6 91.1 85.9 88.5 86.2 85.5 83.1 86.6 77.6
Nevada: 189.5 190.5 198.6 201.5 204.7 205.2 201.4 190.8 187 183.3 177.7 171.9 165.1 159.2 136.6 146.7 142.6 147.7 141.9 137.9 137.3 115.5 110 108.1 105.2 100.9 99 95.6 102.4 103.9 93.2
New Hampshire: 265.7 278 296.2 279 269.8 269.1 290.5 278.8 269.6 254.6 247.8 245.4 239.8 232.9 215.1 201.1 195.9 195.1 180.4 172.9 152.4 144.8 143.7 148.9 153.8 158.5 158 174.4 173.8 171.7 147.3
New Mexico: 90 92.6 99.3 98.9 100.3 103.1 102.4 102.4 103.1 101 102.7 103 97.5 96.3 88.9 88 88.2 82.3 77.7 74.4 70.8 69.9 71.4 69 68.2 67 65.7 61.8 62.6 59.7 53.8
North Carolina: 172.4 187.6 214.1 226.5 227.3 226 230.2 217 205.5 197.3 187.8 179.3 179 169.8 160.6 156.3 154.4 150.5 146 139.3 133.7 132.7 128.9 129.7 112.7 124.9 129.7 125.6 126 113.1 109
North Dakota: 93.8 98.5 103.8 108.7 110.5 117.9 125.4 122.2 121.9 121.3 123.7 125.7 126.8 119.6 109.4 103.2 99.8 92.3 87.1 84.1 77.1 85.2 74.3 83 81 80.6 80.8 77.5 79.1 74.7 72.5
Ohio: 121.6 124.6 124.4 120.5 122.1 122.5 124.6 127.3 131.3 130.9 133.5 132.8 134 130 127.1 126.7 126.3 124.6 122.4 118.6 115.5 113.2 112.3 108.9 108.6 111.7 107.6 108.6 106.4 104 99.9
Oklahoma: 108.4 115.4 121.7 124.1 130.5 132.9 138.6 140.4 143.6 141.6 141.6 143.7 147 140 128.1 124.2 119.9 113.1 103.6 97.5 88.4 87.8 86.3 86.2 104.8 109.5 110.8 111.8 112.2 111.4 108.9
Pennsylvania: 107.3 106.3 109 110.7 114.2 114.6 118.8 120.1 122.3 122.6 124 125.2 123.3 125.3 115.3 115.8 113.9 110.6 107.6 107.1 101.3 102.5 96.2 94.7 95.4 95.4 93.3 92.9 92.1 91.1 87.9
Rhode Island: 123.9 123.2 134.4 142 146.1 154.7 150.2 148.8 146.8 145.8 149.3 151.2 146.3 135.8 136.9 133.4 136.3 124.4 138 120.8 101.4 103.6 100.1 94.1 91.9 90.8 87.5 90 88.7 86.9 83.1
South Carolina: 103.6 115 118.7 125.5 129.7 130.5 136.8 137.2 140.4 135.7 138.3 136.1 136 131.1 127 125.4 126.6 126.6 124.4 122.4 118.6 121.5 112.8 115.2 112.2 109.2 102.9 124.5 126.9 109.4 103.9
South Dakota: 92.7 96.7 103 103.5 108.4 113.5 116.7 115.6 116.9 117.4 114.7 115.7 113 109.8 105.7 104.4 97 95.8 91.9 87.4 88.3 91.8 93 91.6 94.8 98.6 92.3 88.8 88.3 83.5 75.1
Tennessee: 99.8 106.3 111.5 109.7 114.8 117.4 121.7 124.6 127.3 127.2 130.4 129.1 131.4 129 125.1 128.7 129 130.6 125.3 124.7 121.8 120.6 121 120.8 118.8 125.4 119.2 118.9 119.7 115.6 108.7
Texas: 106.4 108.9 108.6 110.4 114.7 116 121.4 124.2 126.6 126.4 129.7 129 131.2 126.4 117.2 115.9 113.7 105.8 96.5 94.5 85.6 79.4 77.2 81.3 78.8 75.2 74.6 72.6 73.2 67.6 69.3
Utah: 65.5 67.7 71.3 72.7 75.6 75.8 77.9 78 79.6 79.1 74.8 77.6 73.6 69 66.3 66.5 64.4 67.7 55 57 53.4 53.5 55 56.2 55.8 52 54 57 42.3 43.9 40.7
Vermont: 122.6 124.4 138 146.8 151.8 155.5 171.1 169.4 162.4 160.9 161.6 163.8 162.3 153.8 144.3 144.5 131.2 128.3 128.7 120.9 124.3 120.9 126.5 117.2 120.3 123.2 102.5 97.7 97 94.1 88.9
Virginia: 124.3 128.4 137 143.1 149.6 152.7 158.1 157.7 155.9 151.8 148.9 149.9 147.4 144.7 136.8 134.6 135.8 133 129.5 122.5 118.9 109.1 108.2 105.4 106.2 106.7 104.6 108 105.6 102.1 96.7
West Virginia: 114.5 111.5 117.5 116.6 119.9 123.2 129.7 133.9 131.6 122.1 122.3 120.5 119.8 115.7 111.9 109.1 112.1 107.5 109.1 104 104.1 100.1 97.9 111 104.2 115.2 112.7 114.5 114.6 112.4 107.9
Wisconsin: 106.4 105.4 108.8 109.5 111.8 113.5 115.4 117.2 116.7 117.1 117.6 119.9 115.6 106.3 105.6 107 105.4 106 102.6 100.3 94 95.5 96.2 91.2 91.8 93.5 92.1 91.9 88.7 84.4 80.1
Wyoming: 132.2 131.7 140 141.2 145.8 160.7 161.5 160.4 160.3 168.6 158.1 163.1 157.7 141.2 128.9 125.7 124.8 110.4 114.3 111.4 96.9 109.1 110.8 108.4 111.2 115 110.3 108.8 102.9 104.8 90.5
"""


def _seed(text: str) -> int:
    return int.from_bytes(text.encode(), "little") % 2**32


@pytest.fixture(scope="module")
def prop99() -> pd.DataFrame:
    rows = []
    for line in PROP99.strip().splitlines():
        state, values = line.split(": ")
        rows += [(state, 1970 + i, float(v)) for i, v in enumerate(values.split())]
    return pd.DataFrame(rows, columns=["state", "year", "packs"])


@pytest.fixture(scope="module")
def california(prop99) -> SynthResult:
    return synthetic_control(prop99, outcome="packs", unit="state", time="year", treated="California",
                             intervention=1989)


def test_prop99_difference_in_differences_is_arkhangelsky_et_al_table_1(prop99):
    df = prop99.assign(ca=(prop99["state"] == "California").astype(int), post=(prop99["year"] >= 1989).astype(int))
    res = did(df, outcome="packs", treated="ca", post="post", unit="state", time="year", inference="permutation")
    assert round(res.estimate, 1) == -27.3
    assert res.details["n_assignments"] == 39 and res.details["min_attainable_p"] == pytest.approx(1 / 39)


def test_prop99_synthetic_control(california, prop99):
    res = california
    assert round(res.estimate, 2) == -19.51 and abs(res.estimate - (-19.6)) < 0.15
    w = res.weights
    assert w.min() >= 0 and w.sum() == pytest.approx(1.0)
    assert set(w[w > 0.01].index) == {"Utah", "Montana", "Nevada", "Connecticut", "New Hampshire", "Colorado"}
    # pre-period loss at the exact optimum is below the one of the paper's solver (52.66)
    wide = prop99.pivot(index="state", columns="year", values="packs")
    synth = w.to_numpy() @ wide.loc[w.index, :1988].to_numpy()
    loss = float(((wide.loc["California", :1988].to_numpy() - synth) ** 2).sum())
    assert loss == pytest.approx(52.13, abs=0.01) and loss < 52.66
    # placebo-in-space: rank 3 of 39 by the post/pre RMSPE ratio (outcome paths only)
    assert res.details["rank"] == 3 and res.p_value == pytest.approx(3 / 39)
    assert res.details["min_attainable_p"] == pytest.approx(1 / 39)
    assert len(res.placebos) == 39 and res.placebo_gaps.shape == (31, 38)
    assert round(res.details["pre_rmspe"], 2) == 1.66
    assert "rank 3 of 39" in res.sentence("en") and "nummer 3 av 39" in res.sentence()


def test_interval_inverts_the_placebo_test(california):
    res = california
    gap = res.series.loc[res.series["post"], "gap"].to_numpy()
    pre = res.details["pre_rmspe"]
    placebo = res.placebos["ratio"].to_numpy()[1:]

    def p_of(b0):
        ratio = math.sqrt(np.mean((gap - b0) ** 2)) / pre
        return (1 + np.sum(placebo >= ratio)) / (len(placebo) + 1)

    assert res.ci_low < res.estimate < res.ci_high
    for bound, inside in ((res.ci_low, +1), (res.ci_high, -1)):
        assert p_of(bound + inside * 1e-6) > 0.05 >= p_of(bound - inside * 1e-6)


def panel(*, seed: str, donors: int = 30, periods: int = 20, start: int = 12, effect: float = 5.0):
    """Donors are noisy factor-model paths; the treated unit is a convex mix of three of them."""
    rng = np.random.default_rng(_seed(seed))
    t = np.arange(periods)
    factors = np.column_stack([np.ones(periods), t / periods, np.sin(t / 3)])
    loads = rng.uniform(0.5, 2.0, (donors, 3)) * [50, 10, 5]
    Y = loads @ factors.T + rng.normal(0, 0.3, (donors, periods))
    mix = np.zeros(donors)
    mix[[0, 1, 2]] = (0.5, 0.3, 0.2)
    y = mix @ (loads @ factors.T) + rng.normal(0, 0.3, periods) + effect * (t >= start)
    units = [f"d{j:02d}" for j in range(donors)] + ["treated"]
    values = np.vstack([Y, y])
    return pd.DataFrame([(u, 2000 + i, v) for u, row in zip(units, values) for i, v in enumerate(row)],
                        columns=["unit", "year", "y"])


def test_recovers_a_planted_effect_and_is_top_ranked():
    df = panel(seed="synth planted")
    before = df.copy()
    res = synthetic_control(df, outcome="y", unit="unit", time="year", treated="treated", intervention=2012)
    pd.testing.assert_frame_equal(df, before)
    assert abs(res.estimate - 5.0) < 0.5 and res.ci_low < 5.0 < res.ci_high
    assert res.details["rank"] == 1 and res.p_value == pytest.approx(1 / 31)
    assert res.details["pre_rmspe"] < 0.5
    assert not {"few_donors", "poor_pre_fit"} & set(res.caveats)


def test_few_donors_warn_and_say_so():
    df = panel(seed="synth few", donors=9)
    with pytest.warns(ModelWarning, match="Only 9 donors"):
        res = synthetic_control(df, outcome="y", unit="unit", time="year", treated="treated", intervention=2012)
    assert "few_donors" in res.caveats and res.p_value >= 0.1
    assert (res.ci_low, res.ci_high) == (-math.inf, math.inf)  # no constant effect can be rejected
    assert "1/10 = 0.100" in res.sentence("en") and "Fewer than 19" in res.sentence("en")


def test_poor_pre_fit_warns():
    df = panel(seed="synth poor", effect=0.0)
    df.loc[df["unit"] == "treated", "y"] += 400.0  # far above every donor
    with pytest.warns(ModelWarning, match="Poor pre-period fit"):
        res = synthetic_control(df, outcome="y", unit="unit", time="year", treated="treated", intervention=2012)
    assert "poor_pre_fit" in res.caveats


def test_excluded_window_leaves_the_fit_and_the_average():
    df = panel(seed="synth window")
    df.loc[(df["unit"] == "treated") & df["year"].isin([2012, 2013]), "y"] -= 30  # a shock only in the window
    res = synthetic_control(df, outcome="y", unit="unit", time="year", treated="treated", intervention=2012,
                            exclude=[(2012, 2013, "COVID-19")])
    assert abs(res.estimate - 5.0) < 0.5 and res.details["n_post"] == 6
    assert res.series["excluded"].sum() == 2 and "COVID-19" in res.sentence()


@pytest.mark.parametrize(
    ("change", "kwargs", "message"),
    [
        ("one", {}, "Only one unit"),
        (None, {"intervention": 2000}, "no pre-period"),
        (None, {"intervention": 2030}, "no post-period"),
        ("constant", {}, "constant"),
        (None, {"treated": "nowhere"}, "not in"),
        (None, {"treated": ["treated", "d01"]}, "one treated unit"),
        (None, {"outcome": "visits"}, "not in the data"),
        (None, {"intervention": "2012-01-01"}, "holds numbers"),
    ],
)
def test_edge_cases_raise_model_error(change, kwargs, message):
    df = panel(seed="synth edge", donors=20)
    if change == "one":
        df = df[df["unit"] == "treated"]
    elif change == "constant":
        df = df.assign(y=7.0)
    args = {"outcome": "y", "unit": "unit", "time": "year", "treated": "treated", "intervention": 2012, **kwargs}
    with pytest.raises(ModelError, match=message):
        synthetic_control(df, **args)


def test_all_units_treated_means_no_donors():
    df = panel(seed="synth all treated", donors=20)
    with pytest.raises(ModelError, match="donor units that were not treated"):
        synthetic_control(df, outcome="y", unit="unit", time="year", treated="treated", intervention=2012,
                          donors=["treated"])


def test_docstring_example_runs():
    import doctest

    import samorg.models.synth as module

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ModelWarning)
        assert doctest.testmod(module).failed == 0
