"""Published difference-in-differences results reproduced through samorg.models.did, to printed precision.

Data (public, small, embedded so the tests run anywhere):

* ``KIELMC``: Kiel & McClain (1995) house sales in North Andover, MA, as distributed with
  Wooldridge, *Introductory Econometrics* (data set KIELMC, 321 sales). Per sale: ``y81 nearinc``
  as two digits, ``age``, nominal ``price``; ``rprice`` (1978 dollars) is ``price / 1.302`` for 1981
  sales (the data set's own deflator, to within its float precision).
* ``INJURY_KY``: Meyer, Viscusi & Durbin (1995) Kentucky workers' compensation claims (Wooldridge
  data set INJURY, ``ky == 1``, 5,626 claims) as a frequency table per ``afchnge highearn`` cell:
  ``weeks x count`` (count 1 when omitted). Only ``durat`` and the two indicators enter the model.

Printed results reproduced (Wooldridge, 7th ed., ch. 13):

* Example 13.3, Table 13.2 col. (1): ``rprice`` on ``y81, nearinc, y81·nearinc``:
  δ = −11,863.90 (7,456.65), n = 321, R² = .174 (classical standard errors).
* Table 13.2 col. (2), adding ``age, age²``: δ = −21,920.27 (6,359.75), R² = .414.
* Example 13.4, eq. (13.12): ``log(durat)`` on ``afchnge, highearn, afchnge·highearn``:
  1.126 (.031), .0077 (.0447), .256 (.047), .191 (.069); n = 5,626; R² = .021.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from samorg.models import did

KIELMC = """
01:48:60000 01:83:40000 01:58:34000 01:11:63900 01:48:44000 01:78:46000 01:22:56000 01:78:38500 01:42:60500
01:41:55000 01:78:39000 01:38:41000 01:18:50900 00:32:52000 00:18:49000 01:58:80000 01:56:50000 01:70:59000
01:26:42000 01:21:71500 01:24:43000 01:33:48000 00:128:37500 00:15:59000 00:7:59000 00:0:94000 00:0:95920
00:0:95000 00:0:95900 00:1:91000 00:0:96900 01:104:47000 01:18:68500 00:188:36000 01:12:90000 00:178:66900
01:1:44000 01:48:43500 01:56:40000 01:3:46000 01:21:48000 01:12:61000 01:28:55500 01:23:63000 01:148:32000
01:25:32000 00:13:82000 01:18:51000 01:38:83000 00:10:100000 00:8:131500 00:21:37500 01:68:49000 01:13:54000
01:38:56900 01:22:62000 01:21:48000 01:56:48000 01:28:53000 01:54:49000 01:28:31000 01:14:56900 01:78:34000
00:153:98000 00:3:85500 00:0:122500 01:189:185000 00:5:67500 00:8:120000 00:1:79000 00:1:77500 00:26:58000
00:0:61900 00:2:79900 00:0:62400 00:1:89500 00:0:89500 00:0:94900 00:0:85900 00:0:92900 00:0:84900 00:0:85900
00:0:85900 00:0:97900 00:0:78400 00:0:91400 00:0:106500 00:0:109500 01:1:148000 00:12:75000 01:1:90400
01:1:125000 00:158:123000 00:30:63000 00:188:87500 00:0:73000 00:0:84900 00:0:80900 00:0:94000 00:0:74500
00:1:82500 00:3:86000 00:1:76900 00:1:75900 00:0:75500 00:0:75000 00:0:73900 00:0:83900 00:1:76900 00:0:84300
00:0:75900 00:0:87900 00:13:65000 00:0:90000 00:5:104500 00:14:63000 00:5:66100 00:6:60000 00:4:73000
00:3:83000 00:1:70500 00:4:120000 00:12:62500 00:1:65500 00:9:84900 00:9:63400 00:2:80000 00:2:86000
00:0:94376 00:0:90500 00:2:90500 00:0:84900 00:2:86000 00:6:91500 00:23:89912 00:23:88000 00:14:73500
00:8:85000 00:13:87000 00:5:97000 00:3:72500 00:4:77000 00:5:85000 00:4:82000 00:0:93000 00:0:105000
00:0:106500 00:15:44900 00:11:73000 00:11:46500 00:13:50000 00:0:90000 00:1:49500 00:28:57000 01:9:120000
00:3:83500 01:0:300000 00:3:64900 01:58:50900 01:12:60500 01:3:70400 01:48:48000 00:25:53500 00:8:66000
00:8:64000 00:11:65000 00:10:72900 00:2:26000 00:0:117000 00:0:97000 00:2:95000 00:0:107900 00:0:120000
00:1:120000 00:0:121000 00:0:107000 00:0:119900 00:0:142500 00:0:84211 11:81:49000 11:71:52000 11:31:68000
11:41:54000 11:31:70000 11:81:47000 11:19:73900 10:1:117500 10:41:60000 10:1:85000 10:26:66479 11:81:70000
11:41:66500 11:31:91000 11:31:72500 11:36:67000 11:21:68000 10:18:85000 11:13:106000 11:24:130000 10:0:119900
10:1:125000 10:0:118000 10:0:100000 10:1:128000 10:0:140000 10:0:143500 11:59:66500 11:51:50000 11:25:65000
11:20:86000 10:131:120000 10:0:135000 10:0:135000 10:0:160000 10:0:168000 10:0:182095 10:0:175000 10:0:162000
10:0:189857 10:0:190508 10:0:234552 10:0:220000 10:0:175000 11:11:118000 11:1:155000 11:0:144000 11:0:216000
11:0:124500 11:0:80000 11:0:100000 11:81:88000 11:41:41000 11:121:66000 11:7:74000 11:1:76900 11:0:132000
11:0:130000 10:39:75000 10:2:156500 10:8:140000 10:81:65000 10:6:150000 10:2:155000 10:0:153000 10:0:160000
10:0:148000 10:0:142000 10:1:162000 10:0:175500 10:1:194000 10:0:130500 10:29:73000 10:0:140000 10:29:82000
10:2:180000 10:0:200000 10:51:52900 10:17:110000 10:0:68000 10:2:90000 10:2:102000 10:0:119600 10:2:113500
10:11:80500 10:19:75900 10:2:109000 10:6:160000 10:8:120000 10:0:135900 10:6:121000 10:15:85000 10:3:133000
10:0:143000 10:2:130000 10:0:135000 10:2:141000 10:0:125000 10:0:172900 10:0:177755 10:0:125000 10:0:173500
10:0:169000 10:0:167950 10:0:145000 10:0:159900 10:0:172267 10:0:156900 10:0:169900 10:7:129900 10:26:109900
10:13:120000 10:7:140000 10:7:83000 10:0:175000 10:7:117500 10:0:155500 10:2:158000 10:7:115000 10:6:133500
10:4:128000 10:5:105000 10:16:90000 11:12:270000 10:26:70000 10:3:98000 10:1:103900 10:6:101100 10:1:107900
11:15:62000 11:1:96750 11:36:79500 11:0:97900 11:0:103900 11:3:70000 10:26:175000 10:65:80000 10:25:60000
10:0:144500 10:20:97000 10:19:95000 10:0:204080
"""

INJURY_KY = """
00|0.25x160 1x296 2x159 3x243 4x161 5x111 6x111 7x71 8x75 9x56 10x45 11x33 12x16 13x16 14x20 15x14 16x13 17x10 18x8 19x6 20x5 21x9 22x6 23x6 24x3 25 26x5 27x6 28 29x5 30x3 32x4 33x2 34 37 38 40x2 42 44 48 49 51 55x2 57 60 64 91 110 112 122 125 128 152 182x3
01|0.25x67 1x217 2x91 3x176 4x117 5x79 6x94 7x59 8x43 9x45 10x26 11x18 12x24 13x20 14x12 15x8 16x13 17x11 18x5 19x6 20x4 21x6 22 23x4 24x3 25x5 26x3 27 28x6 30 31x3 34x3 37x3 38 40x5 41x2 42x2 43 44 45 51 53 54 55 56 61 63 65 73 79 82 90 93 138 150 153x2 159x2 174 182x26
10|0.25x152 1x261 2x142 3x230 4x130 5x114 6x81 7x61 8x58 9x41 10x29 11x30 12x17 13x26 14x10 15x22 16x11 17x9 18x12 19x7 20x4 21x7 22x8 23x4 24x5 25x4 26x2 27 28x2 29x2 30 31x3 32x2 33x4 34x4 36 37x2 39x3 40 43x2 49 51 57 59 61 65 83 86 88 93 94 97 140 155 164 177 182x6
11|0.25x34 1x197 2x85 3x142 4x106 5x83 6x66 7x57 8x41 9x35 10x45 11x17 12x25 13x29 14x18 15x13 16x6 17x9 18x8 19x7 20x5 21x6 22x6 23x8 24x5 25x4 26x4 27x3 28x6 29x2 30x5 31 32x2 33 34x4 35 38x2 42 45x2 46x2 47 49 56 58x2 59 60x3 62 64 67 70 73x2 74 76x3 79x2 80x3 81 83 84x2 86 88 91 94 95 96 98x2 100x2 107 108 110 114 116 117 129 135 146 148 163 168x2 169 171 175 178 182x13
"""


@pytest.fixture(scope="module")
def kielmc() -> pd.DataFrame:
    rows = [r.split(":") for r in KIELMC.split()]
    df = pd.DataFrame({"y81": [int(r[0][0]) for r in rows], "nearinc": [int(r[0][1]) for r in rows],
                       "age": [float(r[1]) for r in rows], "price": [float(r[2]) for r in rows]})
    df["rprice"] = np.where(df["y81"] == 1, df["price"] / 1.302, df["price"])
    df["agesq"] = df["age"] ** 2
    return df


@pytest.fixture(scope="module")
def injury_ky() -> pd.DataFrame:
    parts = []
    for line in INJURY_KY.strip().splitlines():
        cell, values = line.split("|")
        for item in values.split():
            weeks, _, count = item.partition("x")
            parts.append((int(cell[0]), int(cell[1]), float(weeks), int(count or 1)))
    cells = pd.DataFrame(parts, columns=["afchnge", "highearn", "durat", "count"])
    df = cells.loc[cells.index.repeat(cells["count"])].drop(columns="count").reset_index(drop=True)
    return df.assign(ldurat=np.log(df["durat"]))


def _r2(df, y, res) -> float:
    m = res.cell_means  # the 2x2 fit equals the four cell means
    fitted = [m.loc[t, p] for t, p in zip(df[res.details["call"]["group"]], df[res.details["call"]["post"]])]
    resid = df[y] - np.array(fitted)
    return 1 - float(resid @ resid) / float(((df[y] - df[y].mean()) ** 2).sum())


def test_wooldridge_example_13_3_incinerator(kielmc):
    res = did(kielmc, outcome="rprice", group="nearinc", post="y81", inference="classical")
    assert res.n_obs == 321
    assert (round(res.estimate, 2), round(res.std_error, 2)) == (-11863.90, 7456.65)
    c = res.coefficients.round(2)
    assert (c.loc["const", "estimate"], c.loc["post", "estimate"], c.loc["treated", "estimate"]) == (
        82517.23, 18790.29, -18824.37)
    assert round(_r2(kielmc, "rprice", res), 3) == 0.174
    assert "−11\u00a0864" in res.sentence() or "−11\u00a0863,9" in res.sentence()


def test_wooldridge_table_13_2_with_age_controls(kielmc):
    res = did(kielmc, outcome="rprice", group="nearinc", post="y81", covariates=["age", "agesq"],
              inference="classical")
    assert (round(res.estimate, 2), round(res.std_error, 2)) == (-21920.27, 6359.75)
    assert set(res.coefficients.index) == {"const", "treated", "post", "did", "age", "agesq"}


def test_wooldridge_example_13_4_injury_duration(injury_ky):
    res = did(injury_ky, outcome="ldurat", group="highearn", post="afchnge", inference="classical")
    assert res.n_obs == 5626
    c = res.coefficients
    printed = {"const": (1.126, 0.031, 3), "post": (0.0077, 0.0447, 4), "treated": (0.256, 0.047, 3),
               "did": (0.191, 0.069, 3)}
    for term, (b, se, d) in printed.items():
        assert (round(c.loc[term, "estimate"], d), round(c.loc[term, "std_error"], d)) == (b, se), term
    assert round(_r2(injury_ky, "ldurat", res), 3) == 0.021
