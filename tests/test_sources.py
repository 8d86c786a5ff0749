"""Readers, each on a small file written here in its native format, and on the real files when present."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pandas as pd
import pytest

from samorg.errors import SourceFormatError
from samorg.sources import read_branch_counts, read_inquiries, read_jsonstat, read_nb_library_stats, read_survey
from samorg.sources._text import parse_month, parse_number

REAL = Path(__file__).resolve().parents[2] / "shared" / "real-formats"
NBSP = "\u00a0"


# ---------------------------------------------------------------- helpers

@pytest.mark.parametrize("text, value, status", [
    ("307 528 ", 307528.0, ""), (f"12{NBSP}345", 12345.0, ""), ("15,6", 15.6, ""), ("1.234,5", 1234.5, ""),
    ("3024.0", 3024.0, ""), ("-", math.nan, ".."), ("", math.nan, ".."), (":", math.nan, ":"),
    ("..", math.nan, ".."), (".", math.nan, "."), ("−3", -3.0, ""),
])
def test_parse_number(text, value, status):
    v, s = parse_number(text)
    assert s == status
    assert (math.isnan(v) and math.isnan(value)) or v == value


@pytest.mark.parametrize("text", ["2019-03", "03.2019", "3.2019", "mars 2019", "Mars 2019", "2019-03-01",
                                  "01.03.2019", "mar. 2019"])
def test_parse_month(text):
    assert parse_month(text) == dt.date(2019, 3, 1)


def test_parse_number_rejects_text():
    with pytest.raises(ValueError):
        parse_number("12,5 k")


# ---------------------------------------------------------------- branch counts

def test_branch_counts_cp1252_with_nbsp_and_decimal_comma(tmp_path):
    text = ("Avdeling;Periode;Besøkende inn;Besøkende ut;Besøk meråpent;Utlån;Arrangement;"
            "Deltakere arrangement;Åpningstimer betjent;Åpningstimer meråpent\r\n"
            f"Skjønhaug;01.2019;1{NBSP}234;1{NBSP}230;0;987;3;61;95,3;0,0\r\n"
            f"Skjønhaug;02.2019;0;0;12;1{NBSP}001;2;40;95,3;0,0\r\n")
    path = tmp_path / "io.csv"
    path.write_bytes(text.encode("cp1252"))
    df = read_branch_counts(path)
    assert df["branch"].tolist() == ["Skjønhaug", "Skjønhaug"]
    assert df["period_start"].tolist() == [pd.Timestamp("2019-01-01"), pd.Timestamp("2019-02-01")]
    assert df["visits_in"].tolist() == [1234.0, 0.0]
    assert df.loc[1, "loans"] == 1001.0 and df.loc[0, "staffed_hours"] == 95.3
    assert df["row"].tolist() == [2, 3] and str(df["period_start"].dtype) == "datetime64[us]"


def test_branch_counts_utf8_other_header_names(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("Filial;Måned;Besøk inn;Besøk ut;Utlån\nMjøndalen;2021-06;4 305;4 403;2 284\n", encoding="utf-8")
    df = read_branch_counts(path)
    assert df.loc[0, "visits_out"] == 4403.0
    assert math.isnan(df.loc[0, "events"])  # absent column: missing, not zero


def test_branch_counts_missing_column_names_it(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Filial;Måned;Besøk\nFjell;2021-06;12\n", encoding="utf-8")
    with pytest.raises(SourceFormatError) as err:
        read_branch_counts(path)
    assert "visits_in" in str(err.value) and "'Besøk'" in str(err.value)


def test_branch_counts_bad_number_says_where(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Filial;Måned;Besøk inn;Besøk ut\nFjell;2021-06;12;12\nFjell;2021-07;12,5 k;3\n",
                    encoding="utf-8")
    with pytest.raises(SourceFormatError) as err:
        read_branch_counts(path)
    assert err.value.row == 3 and err.value.column == "Besøk inn" and "12,5 k" in str(err.value)


def test_branch_counts_bad_month(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Filial;Måned;Besøk inn;Besøk ut\nFjell;sommer;1;1\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="sommer"):
        read_branch_counts(path)


# ---------------------------------------------------------------- National Library statistics

NB_FIXTURE = (
    'Antall kommuner i fylket,Fylkesnr.,Kommunenr.,Kommune,0-14 år per 1.1.2020,15 år og eldre per 1.1.2020,'
    'Totalt per 1.1.2020,Besøk totalt,Besøk i betjent åpningstid,"Antall deltakere/\r\ntilskuere - digitale '
    'arrangement",Følger hjemme-sidene WAI-standarden,Antall faste bibliotek-enheter,Noe annet\r\n'
    ',3.0,301.0,Oslo,"115 000 ",578 000 ,693 000 ,"2 000 000 ",-,1 200 , Ja ,22.0,x\r\n'
    ',30.0,3024.0,Bærum,24 806 ,102 925 ,127 731 ,307 528 ,307 145 ,, Nei ,5.0,y\r\n'
)


def test_nb_reader_on_fixture(tmp_path):
    path = tmp_path / "folkebibl-2020-kommuner.csv"
    path.write_bytes(NB_FIXTURE.encode("utf-8"))
    df = read_nb_library_stats(path, columns={"ignore": ["Noe annet"]})
    assert set(df["municipality_code"]) == {"0301", "3024"}
    assert (df["year"] == 2020).all()
    v = df.set_index(["municipality_code", "indicator"])
    assert v.loc[("3024", "visits"), "value"] == 307528.0
    assert v.loc[("0301", "population"), "value"] == 693000.0
    assert math.isnan(v.loc[("0301", "visits_staffed"), "value"]) and v.loc[("0301", "visits_staffed"), "status"] == ".."
    assert v.loc[("0301", "digital_event_attendance"), "value"] == 1200.0
    assert v.loc[("0301", "website_wai"), "value"] == 1.0 and v.loc[("3024", "website_wai"), "value"] == 0.0
    assert v.loc[("0301", "library_units"), "value"] == 22.0
    assert "Noe annet" not in set(df["column"])


def test_nb_reader_year_from_file_name_when_headers_lack_it(tmp_path):
    path = tmp_path / "folkebibl-2015-kommuner.csv"
    path.write_text("Fylkesnr.,Kommunenr.,Kommune,Besøk totalt\n11.0,1101.0,Eigersund,44 977 \n", encoding="utf-8")
    df = read_nb_library_stats(path)
    assert df["year"].tolist() == [2015] and df["value"].tolist() == [44977.0]


def test_nb_reader_bad_number(tmp_path):
    path = tmp_path / "folkebibl-2015-kommuner.csv"
    path.write_text("Fylkesnr.,Kommunenr.,Kommune,Besøk totalt\n11.0,1101.0,Eigersund,mange\n", encoding="utf-8")
    with pytest.raises(SourceFormatError) as err:
        read_nb_library_stats(path)
    assert err.value.row == 2 and err.value.column == "Besøk totalt"


def test_nb_reader_on_the_real_2020_file():
    path = REAL / "nb" / "folkebibl-2020-kommuner.csv"
    if not path.is_file():
        pytest.skip("real NB file not present (../shared/real-formats/nb)")
    df = read_nb_library_stats(path)
    pop = df[df["indicator"] == "population"]
    # Norway 1.1.2020; one row ("Tønsberg og Færder", 3803) serves two municipalities, 3811 has none
    assert pop["value"].sum() == 5_367_580
    assert len(pop) == 355 and "3811" not in set(pop["municipality_code"])
    assert pop.loc[pop["municipality_code"] == "3803", "municipality_name"].item() == "Tønsberg og Færder"
    assert "0301" in set(pop["municipality_code"])
    visits = df[(df["indicator"] == "visits") & (df["municipality_code"] == "3024")]["value"].item()
    assert visits == 307528
    assert df[df["indicator"] == "digital_event_attendance"]["value"].notna().sum() > 100


# ---------------------------------------------------------------- inquiries

def test_inquiries_with_bom(tmp_path):
    text = ("Tidspunkt;Kanal;Tema;Sted;Løst ved første kontakt;Ventetid (min);Saksbehandler;Notat\n"
            "04.01.2021 10:15;Telefon;Renovasjon;Rådhuset;Ja;4,8;RSH;\n"
            '05.01.2021 11:37;E-post;Bostøtte;Askim;Nei;;AB;"Ring 912 34 567; gjerne før 12"\n')
    path = tmp_path / "h.csv"
    path.write_bytes(text.encode("utf-8-sig"))
    df = read_inquiries(path)
    assert df["timestamp"].tolist() == [pd.Timestamp("2021-01-04 10:15"), pd.Timestamp("2021-01-05 11:37")]
    assert df["resolved_first_contact"].tolist() == [True, False]
    assert df["wait_minutes"].iloc[0] == 4.8 and math.isnan(df["wait_minutes"].iloc[1])
    assert df["note"].iloc[1] == "Ring 912 34 567; gjerne før 12"
    assert df["branch"].tolist() == ["Rådhuset", "Askim"]


def test_inquiries_bad_timestamp(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("Tidspunkt;Kanal;Sted\ni går;Telefon;Askim\n", encoding="utf-8")
    with pytest.raises(SourceFormatError) as err:
        read_inquiries(path)
    assert err.value.row == 2 and err.value.column == "Tidspunkt"


# ---------------------------------------------------------------- surveys

ITEM = "Hvor fornøyd er du med roen og atmosfæren i lokalene?"


def test_survey_csv_latin1(tmp_path):
    text = (f"Respondentnr.;Bibliotek;Dato;Aldersgruppe;Kjønn;{ITEM};Ukjent spørsmål;Kommentar\r\n"
            "1;Askim;04.03.2019;20-39 år;Kvinne;Svært fornøyd;x;\r\n"
            "2;Mysen;05.03.2019;67 år og eldre;Mann;Vet ikke;y;Fint!\r\n")
    path = tmp_path / "s.csv"
    path.write_bytes(text.encode("latin-1"))
    df = read_survey(path)
    assert df["calm"].tolist() == ["Svært fornøyd", "Vet ikke"]
    assert df["wave"].tolist() == [2019, 2019] and df["respondent"].tolist() == ["1", "2"]
    assert df["sex"].iloc[0] == "Kvinne" and df["comment"].iloc[1] == "Fint!"
    assert "Ukjent spørsmål" not in df.columns


def test_survey_xlsx_finds_the_answer_sheet(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Info"
    wb.active.append(["Undersøkelse", "test"])
    ws = wb.create_sheet("Svar")
    ws.append(["RespondentID", "Sted", "Innsendt", "Alder", "Kjønn", ITEM, "Kommentar"])
    ws.append([22001, "Fjell", dt.datetime(2022, 3, 7, 9, 31), "40-66 år", "Mann", "Misfornøyd", None])
    path = tmp_path / "s.xlsx"
    wb.save(path)
    df = read_survey(path)
    assert df["respondent"].tolist() == ["22001"] and df["date"].iloc[0] == pd.Timestamp("2022-03-07 09:31")
    assert df["calm"].iloc[0] == "Misfornøyd" and df["comment"].iloc[0] == "" and df["wave"].iloc[0] == 2022


def test_survey_without_known_items(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("Respondentnr.;Bibliotek;Dato;Spørsmål 1\n1;Askim;04.03.2019;Fornøyd\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="no known survey question"):
        read_survey(path)


# ---------------------------------------------------------------- JSON-stat

def test_jsonstat2_with_status_and_dict_values(tmp_path):
    doc = {"class": "dataset", "version": "2.0", "id": ["Region", "Tid"], "size": [2, 2],
           "dimension": {"Region": {"category": {"index": {"K-0602": 0, "K-3005": 1},
                                                  "label": {"K-0602": "Drammen (-2019)", "K-3005": "Drammen"}}},
                         "Tid": {"category": {"index": ["2019", "2020"]}}},
           "value": {"0": 68933, "3": 101386}, "status": {"1": ".", "2": ".."}}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    df = read_jsonstat(path, labels=True)
    assert df["Region"].tolist() == ["K-0602", "K-0602", "K-3005", "K-3005"]
    assert df["Tid"].tolist() == ["2019", "2020", "2019", "2020"]
    assert df["status"].tolist() == ["", ".", "..", ""]
    assert df["value"].iloc[3] == 101386 and math.isnan(df["value"].iloc[1])
    assert df["Region_label"].iloc[0] == "Drammen (-2019)"


def test_jsonstat_not_json(tmp_path):
    path = tmp_path / "p.json"
    path.write_text("<html>", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="not valid JSON"):
        read_jsonstat(path)


def test_jsonstat_real_files():
    pop = REAL / "ssb" / "ssb_07459_population_kommune_2022.json"
    v1 = REAL / "ssb" / "ssb_29843_production_index_jsonstat1.json"
    if not pop.is_file():
        pytest.skip("real SSB files not present (../shared/real-formats/ssb)")
    df = read_jsonstat(pop)
    assert df["value"].sum() == 5_425_270  # Norway 1.1.2022 (municipalities plus Svalbard and the rest)
    assert df["Region"].str.fullmatch(r"K-\d{4}").sum() == 356
    if v1.is_file():
        one = read_jsonstat(v1)
        assert (one["status"] == ".").sum() == 7200 and one["value"].isna().sum() == 7200


def test_jsonstat_05300_keeps_both_missing_symbols():
    path = REAL / "ssb" / "ssb_05300_distance_culture_jsonstat2.json"
    if not path.is_file():
        pytest.skip("real SSB files not present (../shared/real-formats/ssb)")
    df = read_jsonstat(path)
    statuses = set(df["status"].dropna())
    assert {".", ".."} <= statuses
    assert df.loc[df["status"].isin([".", ".."]), "value"].isna().all()
