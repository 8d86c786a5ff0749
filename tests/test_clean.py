"""Cleaning steps: each on a small frame built here; none modifies its input."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from samorg import clean
from samorg.demo.identifiers import identity_number
from samorg.errors import SourceFormatError


@dataclass(frozen=True)
class _Site:
    site_id: str
    name: str
    aliases: tuple[str, ...] = ()


SITES = (_Site("mysen", "Mysen", ("Eidsberg bibliotek",)), _Site("bragernes", "Bragernes", ("Rådhuset",)))


def _branch(**overrides) -> pd.DataFrame:
    base = {
        "branch": ["Mysen", "Mysen", "Mysen", "Mysen"],
        "period_start": pd.to_datetime(["2019-01-01", "2019-02-01", "2019-01-01", "2020-04-01"]).astype("datetime64[us]"),
        "visits_in": [100.0, 0.0, 100.0, 0.0], "visits_out": [102.0, 0.0, 102.0, 0.0],
        "visits_self_service": [10.0, 5.0, 10.0, 0.0], "loans": [50.0, 40.0, 50.0, 3.0],
        "events": [1.0, 2.0, 1.0, 0.0], "event_attendance": [20.0, 30.0, 20.0, 0.0],
        "staffed_hours": [150.0, 150.0, 150.0, 0.0], "self_service_hours": [0.0, 0.0, 0.0, 0.0],
        "source": ["io_2019 - Kopi.csv", "io_2019 - Kopi.csv", "io_2019.csv", "io_2020.csv"],
        "row": [2, 3, 2, 5],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def test_parse_norwegian_numbers_is_pure():
    raw = pd.DataFrame({"n": ["307 528 ", "15,6", "-"], "s": ["a", "b", "c"]})
    before = raw.copy()
    out = clean.parse_norwegian_numbers(raw, columns=["n"])
    pd.testing.assert_frame_equal(raw, before)
    assert out["n"].iloc[0] == 307528.0 and math.isnan(out["n"].iloc[2])


def test_duplicate_exports_keep_the_original_file():
    raw = _branch()
    before = raw.copy()
    dropped = clean.find_duplicate_exports(raw)
    out = clean.drop_duplicate_exports(raw)
    pd.testing.assert_frame_equal(raw, before)
    assert dropped["source"].tolist() == ["io_2019 - Kopi.csv"] and dropped["identical"].tolist() == [True]
    assert dropped["kept_source"].tolist() == ["io_2019.csv"]
    assert len(out) == 3 and "io_2019.csv" in set(out["source"])


def test_duplicate_with_different_values_is_marked_not_identical():
    raw = _branch(loans=[50.0, 40.0, 51.0, 3.0])
    assert clean.find_duplicate_exports(raw)["identical"].tolist() == [False]


def test_counter_outage_flagged_only_when_open():
    raw = clean.drop_duplicate_exports(_branch()).pipe(clean.map_site_ids, SITES).pipe(clean.derive_visits)
    before = raw.copy()
    out = clean.flag_counter_outages(raw)
    pd.testing.assert_frame_equal(raw, before)
    flagged = out.set_index("period_start")["counter_outage"]
    assert flagged[pd.Timestamp("2019-02-01")]  # zeros while staffed: outage
    assert not flagged[pd.Timestamp("2020-04-01")]  # zeros while closed: a real zero
    assert not flagged[pd.Timestamp("2019-01-01")]
    obs = clean.branch_observations(out)
    row = obs[(obs["indicator"] == "visits") & (obs["period_start"] == pd.Timestamp("2019-02-01"))]
    assert row["status"].item() == "counter_outage" and math.isnan(row["value"].item())
    jan = obs[(obs["indicator"] == "visits") & (obs["period_start"] == pd.Timestamp("2019-01-01"))]
    assert jan["value"].item() == 101.0  # mean of the IN and OUT beams
    loans = obs[(obs["indicator"] == "loans") & (obs["period_start"] == pd.Timestamp("2019-02-01"))]
    assert loans["status"].item() == "" and loans["value"].item() == 40.0


def test_map_site_ids_through_aliases_and_unknown_names():
    frame = pd.DataFrame({"branch": ["Eidsberg bibliotek", "rådhuset ", "Mysen"], "source": "x.csv", "row": [2, 3, 4]})
    assert clean.map_site_ids(frame, SITES)["site_id"].tolist() == ["mysen", "bragernes", "mysen"]
    bad = pd.DataFrame({"branch": ["Mysen", "Tomter bibliotek"], "source": "x.csv", "row": [2, 3]})
    with pytest.raises(SourceFormatError) as err:
        clean.map_site_ids(bad, SITES)
    message = str(err.value)
    assert "'Tomter bibliotek'" in message and "'Eidsberg bibliotek'" in message and "aliases" in message
    assert err.value.row == 3


def test_redact_identifiers():
    rng = np.random.default_rng(1)
    fnr, dnr = identity_number(rng), identity_number(rng, d_number=True)
    text = (f"fnr {fnr}, D-nr {dnr}, spaced {fnr[:6]} {fnr[6:]}; ring 91234567, +47 912 34 567, "
            f"+4741234567 eller 0047 41 23 45 67; mail ola.nordmann@example.com. Saken fra 2019 gjaldt 12 arrangement.")
    out = clean.redact_identifiers(text)
    for ident in (fnr, dnr, f"{fnr[:6]} {fnr[6:]}", "91234567", "912 34 567", "41234567", "41 23 45 67",
                  "ola.nordmann@example.com"):
        assert ident not in out, ident
    assert out.count(clean.REDACTED) == 8
    assert "2019" in out and "12 arrangement" in out
    assert clean.redact_identifiers("") == "" and clean.redact_identifiers(None) is None


def test_redaction_keeps_other_eleven_digit_numbers():
    assert clean.redact_identifiers("Ordre 99999999999") == "Ordre 99999999999"


def test_valid_identity_number():
    rng = np.random.default_rng(2)
    good = identity_number(rng)
    assert clean.valid_identity_number(good)
    bad = good[:10] + str((int(good[10]) + 1) % 10)
    assert not clean.valid_identity_number(bad)


def test_pseudonymise_is_keyed_and_stable():
    s = pd.Series(["KN", "AB", "KN", ""])
    a = clean.pseudonymise(s, salt="x", prefix="ansatt-")
    assert a.iloc[0] == a.iloc[2] != a.iloc[1] and pd.isna(a.iloc[3])
    assert a.iloc[0].startswith("ansatt-") and "KN" not in a.iloc[0]
    assert clean.pseudonymise(s, salt="y").iloc[0] != a.iloc[0].removeprefix("ansatt-")


def _survey() -> pd.DataFrame:
    return pd.DataFrame({
        "respondent": ["1", "2", "3"], "branch": ["Mysen", "Mysen", "Mysen"],
        "date": pd.to_datetime(["2019-03-04 10:00", "2019-03-04 11:00", "2019-03-04 10:00"]).astype("datetime64[us]"),
        "age_group": ["20-39 år"] * 3, "sex": ["Mann"] * 3, "comment": ["", "Tlf 91234567", ""],
        "calm": ["Svært fornøyd", "Vet ikke", "Svært fornøyd"], "satisfaction": ["Misfornøyd", "", "Misfornøyd"],
        "wave": [2019] * 3, "source": ["s.csv"] * 3, "row": [2, 3, 4],
    })


def test_duplicate_submissions_and_long_answers():
    raw = _survey()
    before = raw.copy()
    assert clean.find_duplicate_submissions(raw)["respondent"].tolist() == ["3"]
    wide = clean.drop_duplicate_submissions(raw).pipe(clean.map_site_ids, SITES)
    long = clean.survey_responses(wide, ["calm", "satisfaction"], salt="s")
    pd.testing.assert_frame_equal(raw, before)
    assert len(long) == 4 and "comment" not in long.columns
    by = long.set_index(["respondent_id", "item"])
    r1 = clean.pseudonymise(pd.Series(["2019:s.csv:1"]), salt="s", prefix="r-").iloc[0]
    r2 = clean.pseudonymise(pd.Series(["2019:s.csv:2"]), salt="s", prefix="r-").iloc[0]
    assert by.loc[(r1, "calm"), "response"] == 5 and by.loc[(r1, "satisfaction"), "response"] == 2
    assert pd.isna(by.loc[(r2, "calm"), "response"]) and by.loc[(r2, "calm"), "dont_know"]
    assert pd.isna(by.loc[(r2, "satisfaction"), "response"]) and not by.loc[(r2, "satisfaction"), "dont_know"]
    assert str(long["response"].dtype) == "Int8"


def test_unknown_answer_label_is_an_error():
    raw = _survey().assign(calm=["Svært fornøyd", "Helt topp", "Fornøyd"]).pipe(clean.map_site_ids, SITES)
    with pytest.raises(SourceFormatError) as err:
        clean.survey_responses(raw, ["calm"], salt="s")
    assert "'Helt topp'" in str(err.value) and err.value.row == 3


def test_population_table_keeps_status():
    js = pd.DataFrame({"Region": ["K-0602", "K-0602", "K-Rest"], "ContentsCode": "Personer1",
                       "Tid": ["2019", "2020", "2019"], "value": [68933.0, np.nan, 5.0], "status": ["", ".", ""]})
    out = clean.population_table(js, source="ssb/p.json")
    assert out["municipality_code"].tolist() == ["0602", "0602"]
    assert out["status"].tolist() == ["", "."] and out["year"].tolist() == [2019, 2020]


@dataclass(frozen=True)
class _Muni:
    code: str
    all_codes: frozenset


def test_harmonise_municipalities_sums_old_codes():
    def row(code, year, ind, value, status=""):
        return {"site_id": np.nan, "municipality_code": code, "period_start": pd.Timestamp(f"{year}-01-01"),
                "freq": "A", "indicator": ind, "value": value, "status": status, "source": f"nb/{year}.csv"}

    obs = pd.DataFrame([
        row("0602", 2019, "visits", 300.0), row("0625", 2019, "visits", 50.0), row("0711", 2019, "visits", 20.0),
        row("0602", 2019, "new_premises", 0.0), row("0711", 2019, "new_premises", 1.0),
        row("0602", 2018, "visits", 290.0), row("0625", 2018, "visits", np.nan, ".."),
        row("3005", 2020, "visits", 250.0), row("1101", 2019, "visits", 40.0),
    ]).astype({"site_id": "str", "municipality_code": "str", "period_start": "datetime64[us]"})
    before = obs.copy()
    out = clean.harmonise_municipalities(obs, [_Muni("3301", frozenset({"0602", "0625", "0711", "3005", "3301"}))])
    pd.testing.assert_frame_equal(obs, before)
    got = out.set_index(["municipality_code", out["period_start"].dt.year, "indicator"])
    assert got.loc[("3301", 2019, "visits"), "value"] == 370.0
    assert got.loc[("3301", 2019, "new_premises"), "value"] == 1.0
    assert math.isnan(got.loc[("3301", 2018, "visits"), "value"]) and got.loc[("3301", 2018, "visits"), "status"] == ".."
    assert got.loc[("3301", 2020, "visits"), "value"] == 250.0
    assert got.loc[("1101", 2019, "visits"), "value"] == 40.0
    assert set(out["municipality_code"]) == {"3301", "1101"}
    assert got.loc[("3301", 2019, "visits"), "source"] == "nb/2019.csv"


def test_indicator_catalogues_match_the_column_constants():
    from samorg import columns as C
    from samorg.sources.nb_library_stats import INDICATORS

    assert set(C.MUNICIPALITY_ANNUAL_INDICATORS) <= set(INDICATORS)
    assert clean.SITE_INDICATORS == C.SITE_MONTHLY_INDICATORS


@pytest.mark.parametrize("module", ["samorg.clean", "samorg.demo.truth"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    failures, attempted = doctest.testmod(importlib.import_module(module))
    assert failures == 0 and attempted > 0
