"""Municipality codes over time and harmonise(): mergers, renumbering, splits, border changes, rates, statuses."""

from __future__ import annotations

import glob
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from samorg import clean
from samorg.municipalities import (HarmoniseError, code_mapping, derive_tables, harmonise, is_valid, name_of, tables,
                                   valid_codes)

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-formats" / "klass"
DRAMMEN = ["0602", "0625", "0711"]
INDRE_OSTFOLD = ["0122", "0123", "0124", "0125", "0138"]


def _obs(codes, year, indicator="visits", values=None, **extra) -> pd.DataFrame:
    values = values if values is not None else [float(i + 1) for i in range(len(codes))]
    return pd.DataFrame({"municipality_code": codes, "year": year, "indicator": indicator, "value": values,
                         "status": ["" if v == v else ".." for v in values], "source": f"nb/{year}.csv", **extra})


def test_code_counts_per_year():
    assert len(valid_codes(2019)) == 422 and len(valid_codes(2020)) == 356 and len(valid_codes(2024)) == 357
    assert is_valid("3005", 2020) and not is_valid("3005", 2024) and is_valid("3301", 2026)
    assert name_of("0711") == "Svelvik" and name_of("3014", 2021) == "Indre Østfold"


def test_must_hold_2019_to_2024():
    obs = pd.concat([_obs(DRAMMEN, 2019), _obs(INDRE_OSTFOLD, 2019), _obs(["0301"], 2019, values=[9.0])])
    out = harmonise(obs, to_year=2024).set_index("municipality_code")
    assert out.loc["3301", "value"] == 1 + 2 + 3 and out.loc["3301", "harmonised_from"] == "0602+0625+0711"
    assert out.loc["3118", "value"] == 15 and out.loc["3118", "harmonised_from"] == "0122+0123+0124+0125+0138"
    assert out.loc["0301", "value"] == 9 and set(out.index) == {"3301", "3118", "0301"}
    assert (out["boundary_note"] == "").all() and (out["status"] == "").all()


def test_2020_codes_renumbered_in_2024_and_back():
    out = harmonise(_obs(["3005", "3014"], 2021, values=[101859.0, 45201.0]), to_year=2024)
    assert out["municipality_code"].tolist() == ["3118", "3301"]
    back = harmonise(_obs(["3301", "3118"], 2024, values=[105042.0, 47006.0]), to_year=2020)
    assert back.set_index("municipality_code")["value"].to_dict() == {"3005": 105042.0, "3014": 47006.0}
    m = code_mapping(2019, 2024)
    assert m.loc[m["target"] == "3118", "exact"].all() and sorted(m.loc[m["target"] == "3118", "code"]) == INDRE_OSTFOLD


def test_a_missing_part_makes_the_sum_missing_never_an_undercount():
    out = harmonise(_obs(["0602", "0625"], 2019), to_year=2024)
    row = out.iloc[0]
    assert math.isnan(row["value"]) and row["status"] == ".." and "no data for 0711" in row["boundary_note"]
    confidential = _obs(DRAMMEN, 2019, values=[1.0, np.nan, np.nan]).assign(status=["", ":", ".."])
    assert harmonise(confidential, to_year=2024)["status"].item() == ":"  # never revealed through a sum


def test_rates_are_recomputed_from_harmonised_population_never_averaged():
    visits = _obs(DRAMMEN, 2019, values=[300.0, 50.0, 20.0])
    pop = _obs(DRAMMEN, 2019, "population", values=[100.0, 50.0, 20.0])
    rate = _obs(DRAMMEN, 2019, "visits_per_inhabitant", values=[3.0, 1.0, 1.0])
    out = harmonise(pd.concat([visits, pop, rate]), to_year=2024).set_index("indicator")["value"]
    assert out["visits_per_inhabitant"] == pytest.approx(370 / 170)  # the mean of the rates would be 1.67
    per_1000 = _obs(DRAMMEN, 2019, "events_per_1000_inhabitants", values=[10.0, 20.0, 50.0])
    ev = _obs(DRAMMEN, 2019, "events", values=[1.0, 1.0, 1.0])
    got = harmonise(pd.concat([ev, pop, per_1000]), to_year=2024).set_index("indicator")["value"]
    assert got["events_per_1000_inhabitants"] == pytest.approx(3 / 170 * 1000)
    with pytest.raises(HarmoniseError, match="never an average"):
        harmonise(rate, to_year=2024)
    custom = pd.concat([visits, pop.assign(indicator="inhabitants"), rate.assign(indicator="besok_per_innbygger")])
    mine = harmonise(custom, to_year=2024, rates={"besok_per_innbygger": ("visits", "inhabitants")})
    assert mine.set_index("indicator").loc["besok_per_innbygger", "value"] == pytest.approx(370 / 170)


def test_aggregation_by_kind_of_indicator():
    yes_no = _obs(DRAMMEN, 2019, "website_wai", values=[0.0, 1.0, 0.0])
    weeks = _obs(DRAMMEN, 2019, "weeks_main_staffed", values=[50.0, 48.0, 46.0])
    out = harmonise(pd.concat([yes_no, weeks]), to_year=2024).set_index("indicator")
    assert out.loc["website_wai", "value"] == 1.0  # any of the parts
    assert math.isnan(out.loc["weeks_main_staffed", "value"]) and out.loc["weeks_main_staffed", "status"] == "."
    one = harmonise(_obs(["3005"], 2020, "weeks_main_staffed", values=[52.0]), to_year=2024)
    assert one["value"].item() == 52.0  # a renumbering keeps a non-additive value
    summed = harmonise(weeks, to_year=2024, aggregation={"weeks_main_staffed": "sum"})
    assert summed["value"].item() == 144.0
    with pytest.raises(HarmoniseError, match="Unknown aggregation"):
        harmonise(weeks, to_year=2024, aggregation={"weeks_main_staffed": "mean"})


def test_2026_border_change_of_indre_ostfold_is_flagged():
    obs = _obs(["3118", "3207", "3216", "3301"], 2025, values=[47.0, 62.0, 19.0, 105.0])
    out = harmonise(obs, to_year=2026).set_index("municipality_code")
    assert out.loc["3118", "value"] == 47.0 and "3118 Indre Østfold (2025) lost area to 3207, 3216" in out.loc["3118", "boundary_note"]
    assert "3118" in out.loc["3207", "boundary_note"] and "3118" in out.loc["3216", "boundary_note"]
    assert out.loc["3301", "boundary_note"] == ""
    old = harmonise(_obs(INDRE_OSTFOLD, 2019), to_year=2026).set_index("municipality_code")
    assert old.loc["3118", "value"] == 15 and old.loc["3118", "boundary_note"] != ""


def test_split_municipality_is_not_divided_and_its_neighbours_are_flagged():
    obs = _obs(["1805", "1854", "1849", "1850"], 2019, values=[10.0, 2.0, 3.0, 4.0])
    out = harmonise(obs, to_year=2020).set_index("municipality_code")
    assert out.loc["1806", "value"] == 12.0 and out.loc["1875", "value"] == 3.0  # Tysfjord's 4 is in neither
    assert "part of 1850" in out.loc["1806", "boundary_note"] and "1850" not in out.index
    assert "part of 1850" in out.loc["1875", "boundary_note"]
    haram = harmonise(_obs(["1507"], 2023, values=[67.0]), to_year=2024)
    assert haram.empty  # Ålesund 2020-2023 was divided in 2024: no target takes it whole
    whole = harmonise(_obs(["1508", "1580"], 2024, values=[60.0, 9.0]), to_year=2023)
    assert whole["value"].item() == 69.0 and whole["boundary_note"].item() == ""


def test_row_covering_two_municipalities_is_flagged_not_divided():
    from samorg.sources import read_nb_library_stats

    nb = read_nb_library_stats(Path(__file__).parent / "fixtures" / "sources" / "nb" / "folkebibl-2020-kommuner.csv")
    out = harmonise(nb[nb["indicator"] == "population"], to_year=2024).set_index("municipality_code")
    assert out.loc["3905", "value"] == 73000 and "one row covers 3803+3811" in out.loc["3905", "boundary_note"]
    assert "3911" not in out.index and out.loc["3905", "municipality_name"] == "Tønsberg"
    assert "row" not in out.columns and "covers" not in out.columns


def test_long_observations_wide_tables_and_site_rows():
    wide = pd.DataFrame({"municipality_code": DRAMMEN + ["0301"], "year": 2019, "visits": [1.0, 2.0, 3.0, 9.0],
                         "population": [10.0, 20.0, 30.0, 90.0]})
    out = harmonise(wide, to_year=2024)
    assert out.set_index("municipality_code")[["visits", "population"]].to_dict("index") == {
        "0301": {"visits": 9.0, "population": 90.0}, "3301": {"visits": 6.0, "population": 60.0}}
    obs = pd.DataFrame({"site_id": [np.nan, np.nan, np.nan, "fjell"], "municipality_code": DRAMMEN + [np.nan],
                        "period_start": pd.to_datetime(["2019-01-01"] * 4).astype("datetime64[us]"),
                        "freq": ["A", "A", "A", "M"], "indicator": "visits", "value": [1.0, 2.0, 3.0, 40.0],
                        "status": "", "source": "x"}).astype({"site_id": "str", "municipality_code": "str"})
    before = obs.copy()
    got = clean.harmonise_municipalities(obs, to_year=2024)
    pd.testing.assert_frame_equal(obs, before)
    assert list(got.columns) == list(obs.columns)
    assert got.loc[got["site_id"] == "fjell", "value"].item() == 40.0
    assert got.loc[got["municipality_code"] == "3301", "value"].item() == 6.0


@dataclass(frozen=True)
class _Muni:
    code: str
    all_codes: frozenset


def test_first_version_call_still_works_with_a_config_mapping():
    obs = pd.concat([_obs(DRAMMEN, 2019), _obs(["1101"], 2019, values=[40.0])])
    obs = obs.assign(site_id=np.nan, period_start=pd.Timestamp("2019-01-01"), freq="A")[
        ["site_id", "municipality_code", "period_start", "freq", "indicator", "value", "status", "source"]]
    obs = obs.astype({"site_id": "str", "period_start": "datetime64[us]"})
    out = clean.harmonise_municipalities(obs, [_Muni("3301", frozenset(DRAMMEN + ["3005", "3301"]))])
    assert out.set_index("municipality_code")["value"].to_dict() == {"1101": 40.0, "3301": 6.0}


def test_harmonise_needs_code_and_year():
    with pytest.raises(HarmoniseError, match="municipality_code"):
        harmonise(pd.DataFrame({"kommune": ["0602"], "year": [2019], "visits": [1.0]}), to_year=2024)
    with pytest.raises(HarmoniseError, match="'year' column or a 'period_start'"):
        harmonise(pd.DataFrame({"municipality_code": ["0602"], "indicator": "visits", "value": [1.0]}), to_year=2024)


# ---------------------------------------------------------------- the shipped tables against SSB's files

def _real_files():
    if not REAL.is_dir():
        pytest.skip("../shared/real-formats/klass is not beside this checkout")
    from samorg.sources import read_klass_changes, read_klass_codes, read_klass_grouping

    grouping = read_klass_grouping(REAL / "ssb_kommunegruppering_1994-2024.xlsx")
    changes = [read_klass_changes(p) for p in sorted(glob.glob(str(REAL / "kommuner_med_endringer_*.csv")))]
    lists = {int(re.search(r"(\d{4})", Path(p).name)[1]): read_klass_codes(p)
             for p in glob.glob(str(REAL / "ssb_kommunekoder_*.csv"))}
    return grouping, changes, lists


def test_shipped_tables_are_derived_from_the_real_klass_files():
    grouping, changes, lists = _real_files()
    derived = derive_tables(grouping, changes, {y: set(f["code"]) for y, f in lists.items()})
    shipped = tables()
    pd.testing.assert_frame_equal(derived.codes.reset_index(drop=True), shipped.codes.reset_index(drop=True),
                                  check_dtype=False)
    pd.testing.assert_frame_equal(derived.changes.reset_index(drop=True), shipped.changes.reset_index(drop=True),
                                  check_dtype=False)


def test_valid_codes_equal_ssb_code_lists_and_names():
    _, changes, lists = _real_files()
    for year, codes in lists.items():
        assert set(valid_codes(year)) == set(codes["code"]), year
    names = lists[2020].set_index("code")["name"]
    ours = valid_codes(2020)
    assert sum(ours[c] == n for c, n in names.items()) > 340  # the grouping's names are newer for a few


def test_mapping_2019_to_2020_agrees_with_the_klass_change_table():
    _, changes, _ = _real_files()
    ch = next(c for c in changes if c["to_year"].iloc[0] == 2020)
    m = code_mapping(2019, 2020)
    for r in ch[ch["old_code"] != ch["new_code"]].itertuples():
        hit = m[(m["code"] == r.old_code) & (m["target"] == r.new_code)]
        assert len(hit) == 1, (r.old_code, r.new_code)
        assert bool(hit["primary"].item()) == (not r.split)


# ---------------------------------------------------------------- the acceptance tests filed with the issue

def _rows(rows):
    return pd.DataFrame(rows, columns=["municipality_code", "year", "indicator", "value"])


def test_2019_data_harmonised_to_2024_sums_the_merged_municipalities():
    old = {"0602": 68933, "0625": 24963, "0711": 6685,  # Drammen, Nedre Eiker, Svelvik
           "0122": 5350, "0123": 5900, "0124": 15950, "0125": 11450, "0138": 5650}  # Indre Østfold's five
    frame = _rows([(code, 2019, "population", float(n)) for code, n in old.items()]
                  + [(code, 2019, "visits", float(n) * 4) for code, n in old.items()])
    out = harmonise(frame, to_year=2024)
    pop = out[out["indicator"] == "population"].set_index("municipality_code")["value"]
    assert pop["3301"] == 68933 + 24963 + 6685
    assert pop["3118"] == 5350 + 5900 + 15950 + 11450 + 5650
    assert set(out["municipality_code"]) == {"3301", "3118"}
    assert frame["municipality_code"].iloc[0] == "0602"  # input not modified


def test_rates_are_recomputed_from_the_sums_never_averaged():
    frame = _rows([("0602", 2019, "visits", 300.0), ("0602", 2019, "population", 100.0),
                   ("0711", 2019, "visits", 10.0), ("0711", 2019, "population", 10.0),
                   ("0625", 2019, "visits", 90.0), ("0625", 2019, "population", 90.0),
                   ("0602", 2019, "visits_per_inhabitant", 3.0), ("0711", 2019, "visits_per_inhabitant", 1.0),
                   ("0625", 2019, "visits_per_inhabitant", 1.0)])
    out = harmonise(frame, to_year=2024)
    rate = out[(out["municipality_code"] == "3301") & (out["indicator"] == "visits_per_inhabitant")]["value"]
    assert rate.iloc[0] == pytest.approx(400 / 200)  # not the mean of 3, 1 and 1


def test_indre_ostfold_border_change_in_2026_is_flagged():
    out = harmonise(_rows([("3118", 2024, "population", 47006.0)]), to_year=2026)
    assert out["boundary_note"].fillna("").str.len().gt(0).any()


def test_klass_names_decode_with_norwegian_letters():
    from samorg.sources import read_klass_changes, read_klass_codes

    codes_file = REAL / "ssb_kommunekoder_2020.csv"
    if not codes_file.is_file():
        pytest.skip("real KLASS files not present (../shared/real-formats/klass)")
    codes = read_klass_codes(codes_file)
    names = set(codes["name"])
    assert {"Bærum", "Tromsø", "Ålesund"} <= names and "Indre Østfold" in names
    assert len(codes[codes["code"] != "9999"]) == 356
    changes = read_klass_changes(REAL / "kommuner_med_endringer_fra2019_til2020.csv")
    assert len(changes) > 0 and not changes.astype(str).apply(lambda c: c.str.contains("\u00a0")).any().any()
