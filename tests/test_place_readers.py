"""The three optional place exports (samorg.sources.place, samorg.clean.place) on small files made here."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from samorg import columns as C
from samorg.clean.place import borrower_observations, errand_observations, hourly_observations
from samorg.errors import SourceFormatError
from samorg.sources import MappingError, MissingColumnError, ValueFormatError, load_column_mapping
from samorg.sources.place import (branch_file_kind, read_active_borrowers, read_counter_hours,
                                  read_survey_errands)

SITES = [SimpleNamespace(site_id="torget", name="Torget", aliases=("Torget bibliotek",)),
         SimpleNamespace(site_id="hjornet", name="Hjørnet", aliases=())]


def _write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


BORROWERS = ("Aktive lånere etter bosted\n\nÅr;Område;Aktive lånere\n2019;Torget;1 204\n2019;Torget bibliotek;6\n"
             "2019;Hjørnet;310\n2019;Utenfor kommunen;41\n2019;Ukjent bosted;3\n2020;Torget;1 100\n")


def test_active_borrowers_read_and_summed_per_site(tmp_path):
    path = _write(tmp_path, "lanere.csv", BORROWERS, "cp1252")
    frame = read_active_borrowers(path)
    assert frame.columns.tolist() == ["year", "area", "active_borrowers", "source", "row"]
    assert [d["row"] for d in frame.attrs["outside_catchments"]] == [7, 8]  # outside every catchment, listed
    obs = borrower_observations(frame, SITES)
    got = obs.set_index([C.SITE_ID, obs[C.PERIOD_START].dt.year])[C.VALUE]
    assert got[("torget", 2019)] == 1210 and got[("hjornet", 2019)] == 310 and got[("torget", 2020)] == 1100
    assert set(obs[C.FREQ]) == {"A"} and set(obs[C.INDICATOR]) == {"active_borrowers"}


@pytest.mark.parametrize(("text", "error", "phrases"), [
    ("År;Område;Aktive lånere\n19.5;Torget;10\n", ValueFormatError, ["row 2", 'column "År"', "a year"]),
    ("År;Område;Aktive lånere\n2019;Torget;-4\n", ValueFormatError, ["row 2", "not a count"]),
    ("År;Område\n2019;Torget\n", MissingColumnError, ["active_borrowers"]),
])
def test_active_borrowers_bad_inputs(tmp_path, text, error, phrases):
    with pytest.raises(error) as info:
        read_active_borrowers(_write(tmp_path, "lanere.csv", text))
    for phrase in phrases:
        assert phrase in str(info.value)


def test_an_area_that_is_no_site_is_named(tmp_path):
    frame = read_active_borrowers(_write(tmp_path, "lanere.csv", "År;Område;Aktive lånere\n2019;Bakgården;10\n"))
    with pytest.raises(SourceFormatError, match="'Bakgården' is no site"):
        borrower_observations(frame, SITES)


HOURS = ("Avdeling;Dato;Time;Inn;Ut;Åpningsmodus\n"
         "Torget;11.03.2019;09:00;2;0;Stengt\nTorget;11.03.2019;10:00;20;18;Betjent\n"
         "Torget;11.03.2019;20:00;5;7;Meråpent\nHjørnet;11.03.2019;10:00;4;4;betjent\n")


def test_counter_hours_read_by_mode(tmp_path):
    frame = read_counter_hours(_write(tmp_path, "timer.csv", HOURS))
    assert frame["mode"].tolist() == ["staffed", "closed", "staffed", "self_service"]  # sorted by branch, hour
    obs = hourly_observations(frame, SITES)
    got = obs.set_index([C.SITE_ID, C.INDICATOR])[C.VALUE]
    assert got[("torget", "hourly_visits_staffed")] == 19.0  # mean of IN and OUT
    assert got[("torget", "hourly_visits_self_service")] == 6.0
    assert got[("torget", "hourly_visits_closed")] == 1.0
    assert set(obs[C.FREQ]) == {"H"}


@pytest.mark.parametrize(("text", "phrases"), [
    (HOURS.replace("Meråpent", "Halvåpent"), ["row 4", 'column "Åpningsmodus"', "'Halvåpent'", "Meråpent"]),
    ("Avdeling;Dato;Inn;Ut;Åpningsmodus\nTorget;11.03.2019;20;18;Betjent\nTorget;12.03.2019;2;2;Betjent\n",
     ["daily counts", "hourly data"]),
    (HOURS + "Torget;11.03.2019;10:00;20;18;Betjent\n", ["row 6", "the same door and hour"]),
])
def test_counter_hours_bad_inputs(tmp_path, text, phrases):
    with pytest.raises(ValueFormatError) as info:
        read_counter_hours(_write(tmp_path, "timer.csv", text))
    for phrase in phrases:
        assert phrase in str(info.value)


def test_counter_hours_without_a_mode_column(tmp_path):
    with pytest.raises(MissingColumnError, match="mode"):
        read_counter_hours(_write(tmp_path, "timer.csv", "Avdeling;Dato;Time;Inn;Ut\nTorget;11.03.2019;10:00;1;1\n"))


def test_both_exports_take_the_studys_column_mapping(tmp_path):
    """`columns: active_borrowers:` and `columns: counter_hours:` (counter columns and mode) reach the readers."""
    mapping = load_column_mapping({"active_borrowers": {"active_borrowers": "Lånere i alt"},
                                   "counter_hours": {"mode": "Betjeningsform", "visits_in": "Inngang"}})
    lanere = _write(tmp_path, "lanere.csv", "År;Område;Lånere i alt\n2019;Torget;12\n")
    with pytest.raises(MissingColumnError, match="columns:"):  # the fix names the study's `columns:` section
        read_active_borrowers(lanere)
    assert read_active_borrowers(lanere, columns=mapping["active_borrowers"])["active_borrowers"].tolist() == [12.0]
    timer = _write(tmp_path, "timer.csv", HOURS.replace("Åpningsmodus", "Betjeningsform").replace("Inn", "Inngang"))
    with pytest.raises(MissingColumnError):
        read_counter_hours(timer)
    frame = read_counter_hours(timer, columns=mapping["counter_hours"])
    assert frame.attrs["columns"]["visits_in"] == "Inngang" and set(frame["mode"]) == {"staffed", "closed",
                                                                                          "self_service"}
    with pytest.raises(MappingError, match="counter_hours.area"):
        load_column_mapping({"counter_hours": {"area": "Område"}})


Q1 = "Kom du hit i dag (også) for et ærend til innbyggertorget eller en annen kommunal tjeneste?"
Q2 = "Hvis ja: brukte du også biblioteket under samme besøk (lånte, leste, satt, deltok på arrangement)?"


def test_survey_errands_counted_per_site_and_wave(tmp_path):
    rows = [f"{i};Torget;04.03.2022;{a};{b}" for i, (a, b) in enumerate(
        [("Ja", "Ja"), ("Ja", "Nei"), ("Ja", ""), ("Nei", ""), ("", ""), ("Nei", "")], start=1)]
    path = _write(tmp_path, "svar.csv", f"Respondentnr.;Bibliotek;Dato;{Q1};{Q2}\n" + "\n".join(rows) + "\n")
    frame = read_survey_errands(path)
    assert frame.attrs["asked"] and frame["wave"].iloc[0] == 2022
    obs = errand_observations(frame, SITES).set_index(C.INDICATOR)[C.VALUE]
    assert obs.to_dict() == {"errand_answered": 5, "errand_service": 3, "errand_library_answered": 2,
                             "errand_library": 1}


def test_a_survey_without_the_question_gives_no_rows(tmp_path):
    path = _write(tmp_path, "svar.csv", "Respondentnr.;Bibliotek;Dato;Alt i alt, hvor fornøyd er du?\n"
                                        "1;Torget;04.03.2022;Fornøyd\n")
    frame = read_survey_errands(path)
    assert not frame.attrs["asked"] and frame.empty
    assert errand_observations(frame, SITES).empty


def test_survey_errand_answer_that_is_not_yes_or_no(tmp_path):
    path = _write(tmp_path, "svar.csv", f"Respondentnr.;Bibliotek;Dato;{Q1}\n1;Torget;04.03.2022;Kanskje\n")
    with pytest.raises(ValueFormatError) as info:
        read_survey_errands(path)
    assert "row 2" in str(info.value) and "Kanskje" in str(info.value)


def test_branch_files_are_told_apart_by_their_header(tmp_path):
    """What the pipeline's check of `sources.branch_counts` files sees (it never reads them as another kind)."""
    assert branch_file_kind(_write(tmp_path, "a.csv", BORROWERS)) == "active_borrowers"
    assert branch_file_kind(_write(tmp_path, "b.csv", HOURS)) == "counter_hours"
    assert branch_file_kind(_write(tmp_path, "c.csv", "Måned;Filial;Besøk inn\n2019-01;Torget;5\n")) == "branch_counts"
    assert branch_file_kind(_write(tmp_path, "d.xlsx", "")) == "branch_counts"


def test_processed_rows_hold_no_person(tmp_path):
    """Only site aggregates reach the observations table: no respondent number, area row or hour per door."""
    rows = [f"{i};Torget;04.03.2022;Ja;Ja" for i in range(1, 4)]
    path = _write(tmp_path, "svar.csv", f"Respondentnr.;Bibliotek;Dato;{Q1};{Q2}\n" + "\n".join(rows) + "\n")
    obs = errand_observations(read_survey_errands(path), SITES)
    assert obs.columns.tolist() == [C.SITE_ID, C.MUNICIPALITY_CODE, C.PERIOD_START, C.FREQ, C.INDICATOR, C.VALUE,
                                    C.STATUS, C.SOURCE]
    assert len(obs) == 4 and not pd.Series(obs[C.SOURCE]).str.contains(";").any()


# --- fuzzing: arbitrary cells under a well-formed header give a table or a SourceFormatError, nothing else ---

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_CELL = st.one_of(st.text(max_size=12), st.integers(-5, 30000).map(str), st.sampled_from(
    ["Ja", "Nei", "Betjent", "Meråpent", "Stengt", "11.03.2019", "10:00", "2019", "Torget", "", "1 204"]))
_FUZZ = [(read_active_borrowers, ["År", "Område", "Aktive lånere"]),
         (read_counter_hours, ["Avdeling", "Dato", "Time", "Inn", "Ut", "Åpningsmodus"]),
         (read_survey_errands, ["Respondentnr.", "Bibliotek", "Dato", Q1, Q2])]


@pytest.mark.parametrize(("reader", "header"), _FUZZ, ids=["borrowers", "hours", "errands"])
@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(_CELL, min_size=1, max_size=6), min_size=0, max_size=4))
def test_arbitrary_cells_give_a_table_or_a_source_error(tmp_path, reader, header, rows):
    text = ";".join(header) + "\n" + "\n".join(";".join(c.replace(";", ",").replace("\n", " ").replace('"', "")
                                                       for c in r) for r in rows)
    path = tmp_path / "fuzz.csv"
    path.write_bytes(text.encode("utf-8"))
    try:
        frame = reader(path)
    except SourceFormatError as exc:
        assert str(path) in str(exc)
    else:
        assert isinstance(frame, pd.DataFrame)
