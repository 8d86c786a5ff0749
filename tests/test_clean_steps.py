"""The cleaning steps added for real deliveries: dates, duplicates, counters, hours, Likert, channels, aliases."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from samorg import clean
from samorg.errors import ConfigError, SourceFormatError
from samorg.sources import read_events, read_loans, read_people_counter

FIX = Path(__file__).parent / "fixtures" / "sources" / "branch"


def test_parse_norwegian_dates_is_pure_and_names_bad_cells():
    raw = pd.DataFrame({"d": ["24.11.2026 13:05", "2026-11-24", "", "mars 2019"], "source": "x.csv", "row": [2, 3, 4, 5]})
    before = raw.copy()
    out = clean.parse_norwegian_dates(raw.iloc[:3], columns=["d"])
    pd.testing.assert_frame_equal(raw, before)
    assert out["d"].tolist()[:2] == [pd.Timestamp("2026-11-24 13:05"), pd.Timestamp("2026-11-24")]
    assert pd.isna(out["d"].iloc[2]) and str(out["d"].dtype) == "datetime64[us]"
    with pytest.raises(SourceFormatError) as err:
        clean.parse_norwegian_dates(raw, columns=["d"])
    assert err.value.row == 5 and err.value.column == "d" and "'mars 2019' is not a date" in str(err.value)
    assert clean.parse_norwegian_dates(raw.iloc[3:], columns=["d"], kind="month")["d"].item() == pd.Timestamp("2019-03-01")
    with pytest.raises(SourceFormatError, match="between 01.01.1980"):
        clean.parse_norwegian_dates(pd.DataFrame({"d": ["01.01.1901"]}), columns=["d"])


def test_duplicate_exports_with_another_key():
    nb = pd.DataFrame({"municipality_code": ["3005", "3005", "3005"], "year": 2021, "indicator": "visits",
                       "value": [1.0, 1.0, 2.0], "source": ["a.csv", "a - Kopi.csv", "b (1).csv"], "row": [2, 2, 2]})
    key = ("municipality_code", "year", "indicator")
    dropped = clean.find_duplicate_exports(nb, key=key)
    got = dropped.sort_values("source")
    assert got["source"].tolist() == ["a - Kopi.csv", "b (1).csv"] and got["identical"].tolist() == [True, False]
    assert clean.drop_duplicate_exports(nb, key=key)["source"].tolist() == ["a.csv"]


@dataclass(frozen=True)
class _Site:
    site_id: str
    name: str
    aliases: tuple[str, ...] = ()


def test_branch_renames_through_aliases_and_ambiguous_aliases():
    sites = [_Site("mysen", "Mysen", ("Eidsberg bibliotek", "Mysen bibliotek")), _Site("askim", "Askim", ("Askim bibliotek",))]
    frame = pd.DataFrame({"branch": ["Eidsberg  bibliotek", "MYSEN BIBLIOTEK", "Askim"], "source": "x", "row": [2, 3, 4]})
    assert clean.map_site_ids(frame, sites)["site_id"].tolist() == ["mysen", "mysen", "askim"]
    with pytest.raises(ConfigError, match="'Mysen bibliotek' also belongs to 'mysen'"):
        clean.site_lookup(sites + [_Site("ny", "Ny", ("Mysen bibliotek",))])


SCHEDULE = pd.DataFrame({"branch": ["Mjøndalen", "Mjøndalen", "Fjell"], "weekday": ["man-fre", "lør-søn", "man-søn"],
                         "staffed": ["10-16", "stengt", "10:00-15:00"], "self_service": ["07-23", "07-23", ""]})


def test_classify_opening_hours_staffed_self_service_closed():
    counts = read_people_counter(FIX / "teller_time.csv")  # Monday 4 March 2019, 08-20
    out = clean.classify_opening_hours(counts, SCHEDULE)
    assert out["service"].tolist() == ["self_service"] * 2 + ["staffed"] * 6 + ["self_service"] * 4
    assert (out["open_hours"] == 16).all()
    daily = read_people_counter(FIX / "teller_dag.csv")
    assert clean.classify_opening_hours(daily, SCHEDULE)["service"].tolist() == ["open"] * 3
    assert "service" not in counts  # not modified


def test_counter_outage_and_spike_flagged_not_dropped():
    counts = clean.classify_opening_hours(read_people_counter(FIX / "teller_time.csv"), SCHEDULE)
    before = counts.copy()
    flagged = clean.flag_counter_anomalies(counts, spike_factor=5, spike_min=50)
    pd.testing.assert_frame_equal(counts, before)
    by_hour = flagged.set_index(flagged["period_start"].dt.hour)
    assert by_hour.loc[[12, 13, 14], "status"].tolist() == ["counter_outage"] * 3  # three open hours of zeros
    assert by_hour.loc[[12, 13, 14], "visits"].isna().all() and by_hour.loc[12, "visits_in"] == 0
    assert len(flagged) == len(counts)


def test_spike_needs_a_usual_level():
    hours = pd.date_range("2024-01-01 10:00", periods=24 * 7 * 3, freq="h")
    counts = pd.DataFrame({"branch": "Fjell", "period_start": hours, "visits_in": 20.0, "visits_out": 20.0,
                           "service": "staffed", "source": "t.csv"})
    counts.loc[100, ["visits_in", "visits_out"]] = 900.0
    flagged = clean.flag_counter_anomalies(counts)
    assert flagged["status"].tolist().count("counter_spike") == 1 and flagged.loc[100, "status"] == "counter_spike"
    assert math.isnan(flagged.loc[100, "visits"]) and flagged.loc[101, "visits"] == 20.0


def test_one_closed_zero_is_not_an_outage_and_daily_zero_is():
    daily = clean.classify_opening_hours(read_people_counter(FIX / "teller_dag.csv"), SCHEDULE)
    flagged = clean.flag_counter_anomalies(daily)
    assert flagged["status"].tolist() == ["", "counter_outage", ""]
    closed = daily.assign(service="closed")
    assert (clean.flag_counter_anomalies(closed)["status"] == "").all()


def test_aggregate_counts_to_days_and_months_with_staffed_and_self_service():
    counts = clean.classify_opening_hours(read_people_counter(FIX / "teller_time.csv"), SCHEDULE)
    flagged = clean.flag_counter_anomalies(counts, spike_factor=1000)
    day = clean.aggregate_counts(flagged, freq="D")
    assert day["status"].item() == "counter_outage" and math.isnan(day["visits"].item())
    assert day["flagged_share"].item() == pytest.approx(3 / 12)
    lenient = clean.aggregate_counts(flagged, freq="M", tolerance=0.5)
    visits = (flagged["visits_in"] + flagged["visits_out"]) / 2
    assert lenient["visits"].item() == visits.drop(index=[4, 5, 6]).sum()
    staffed = visits[(counts["service"] == "staffed") & (flagged["status"] == "")].sum()
    assert lenient["visits_staffed"].item() == staffed
    assert lenient["visits_staffed"].item() + lenient["visits_self_service"].item() == lenient["visits"].item()
    with pytest.raises(ValueError):
        clean.aggregate_counts(flagged, freq="W")


def test_loans_and_events_monthly():
    loans = clean.loans_monthly(read_loans(FIX / "utlan.csv"))
    assert loans[["branch", "loans"]].values.tolist() == [["Askim", 3254.0], ["Mysen", 88.0]]
    assert loans["renewals"].tolist()[0] == 430.0 and math.isnan(loans["renewals"].iloc[1])
    ev = clean.events_monthly(read_events(FIX / "arrangementer.csv")).set_index("branch")
    assert ev.loc["Papirbredden", ["events", "event_attendance", "events_external", "events_co_created",
                                   "events_digital"]].tolist() == [2.0, 224.0, 0.0, 1.0, 1.0]
    assert ev.loc["Fjell", "events_external"] == 1.0 and "title" not in ev.columns


def test_likert_recoding_dont_know_and_blank():
    raw = pd.DataFrame({"calm": ["Svært fornøyd", "vet ikke", "", "Svært misfornøyd", None],
                        "noise": ["Helt enig", "Delvis uenig", "Helt uenig", "Vet ikke", "Verken enig eller uenig"],
                        "source": "s.csv", "row": [2, 3, 4, 5, 6]})
    before = raw.copy()
    out = clean.recode_likert(raw, columns=["calm"]).pipe(clean.recode_likert, columns=["noise"], scale="agreement")
    pd.testing.assert_frame_equal(raw, before)
    assert out["calm"].tolist() == [5, pd.NA, pd.NA, 1, pd.NA] and str(out["calm"].dtype) == "Int8"
    assert out["calm_dont_know"].tolist() == [False, True, False, False, False]
    assert out["noise"].tolist() == [5, 2, 1, pd.NA, 3] and out["noise_dont_know"].tolist()[3]
    reversed_ = clean.reverse_code(out, columns=["noise"])
    assert reversed_["noise"].tolist() == [1, 4, 5, pd.NA, 3]  # agreeing that it is noisy is bad
    ks = clean.recode_likert(pd.DataFrame({"q": ["6", "1", "Vet ikke", 4.0]}), columns=["q"], scale="ks6")
    assert ks["q"].tolist() == [6, 1, pd.NA, 4]
    with pytest.raises(SourceFormatError) as err:
        clean.recode_likert(raw.assign(calm=["Fornøyd", "Helt topp", "", "", ""]), columns=["calm"])
    assert err.value.row == 3 and err.value.column == "calm" and "'Helt topp'" in str(err.value)
    with pytest.raises(ValueError, match="codes outside"):
        clean.reverse_code(pd.DataFrame({"x": pd.array([7], dtype="Int8")}), columns=["x"])


def test_channels_normalised_for_the_contract():
    raw = pd.DataFrame({"channel": ["Tlf.", "epost", "Oppmøte", "Webskjema", "Chat", "Brev"]})
    assert clean.normalise_channels(raw)["channel"].tolist() == ["Telefon", "E-post", "Skranke", "Skjema", "Chat", "Brev"]


def test_survey_duplicate_submissions_and_long_table_from_a_real_layout():
    from samorg.sources import read_survey

    wide = read_survey(FIX / "undersokelse.csv")
    doubled = pd.concat([wide, wide.iloc[:1].assign(respondent="3", row=4)], ignore_index=True)
    assert clean.find_duplicate_submissions(doubled)["respondent"].tolist() == ["3"]
    sites = [_Site("askim", "Askim"), _Site("mysen", "Mysen")]
    long = clean.survey_responses(clean.drop_duplicate_submissions(doubled).pipe(clean.map_site_ids, sites),
                                  ["calm", "satisfaction"], salt="s")
    assert len(long) == 4 and long["dont_know"].sum() == 1 and long["response"].isna().sum() == 1
    assert long.groupby("item")["response"].apply(lambda r: sorted(r.dropna().tolist())).to_dict() == {
        "calm": [5], "satisfaction": [1, 4]}
