"""The national and branch-level readers on native-format fixtures (tests/fixtures/sources) and on the real files."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from samorg.sources import (detect_encoding, load_column_mapping, read_branch_counts, read_events, read_inquiries,
                            read_jsonstat, read_klass_changes, read_klass_codes, read_klass_grouping, read_loans,
                            read_nb_library_stats, read_people_counter, read_statbank_csv, read_survey)
from samorg.sources._errors import MappingError, MissingColumnError, UnknownColumnError

FIX = Path(__file__).parent / "fixtures" / "sources"
REAL = Path(__file__).resolve().parents[2] / "shared" / "real-formats"


def real(*parts: str) -> Path:
    path = REAL.joinpath(*parts)
    if not path.is_file():
        pytest.skip(f"real file not present ({path}); ../shared/real-formats/ is not beside this checkout")
    return path


# ---------------------------------------------------------------- National Library

def test_nb_two_years_concatenate_across_renamed_columns():
    nb = read_nb_library_stats([FIX / "nb" / "folkebibl-2019-kommuner.csv", FIX / "nb" / "folkebibl-2020-kommuner.csv"])
    v = nb.set_index(["year", "municipality_code", "indicator"])["value"]
    assert v[(2019, "0602", "events")] == 610 and v[(2020, "3005", "events")] == 380  # "Arrangementer" → "Alle typer"
    assert v[(2019, "0602", "visits")] == 307528 and v[(2020, "0301", "digital_event_attendance")] == 12000
    assert v[(2019, "0711", "website_wai")] == 0 and v[(2019, "0602", "website_wai")] == 1
    status = nb.set_index(["year", "municipality_code", "indicator"])["status"]
    assert math.isnan(v[(2019, "0711", "visits")]) and status[(2019, "0711", "visits")] == ".."
    assert set(nb["year"]) == {2019, 2020} and nb["municipality_code"].str.fullmatch(r"\d{4}").all()


def test_nb_row_for_two_municipalities_is_kept_and_flagged():
    nb = read_nb_library_stats(FIX / "nb" / "folkebibl-2020-kommuner.csv")
    shared = nb[nb["municipality_code"] == "3803"]
    assert set(shared["covers"]) == {"3803+3811"} and "3811" not in set(nb["municipality_code"])
    assert shared.loc[shared["indicator"] == "population", "value"].item() == 73000  # not divided
    assert nb.attrs["shared_rows"][0]["municipality_name"] == "Tønsberg og Færder"
    assert (nb.loc[nb["municipality_code"] != "3803", "covers"] == "").all()


def test_nb_column_mapping_from_config_adds_and_ignores(tmp_path):
    path = tmp_path / "folkebibl-2021-kommuner.csv"
    path.write_text("Kommunenr.,Kommune,Besøk i alt,Merknad fra biblioteket\n3005.0,Drammen,\"410 000 \",stengt i mars\n",
                    encoding="utf-8")
    with pytest.raises(UnknownColumnError) as err:
        read_nb_library_stats(path)
    assert "'Besøk i alt'" in str(err.value) and err.value.row == 1
    mapping = load_column_mapping({"nb_library_stats": {"visits": "Besøk i alt", "ignore": ["Merknad fra biblioteket"]}})
    nb = read_nb_library_stats(path, columns=mapping["nb_library_stats"])
    assert nb[["indicator", "value"]].values.tolist() == [["visits", 410000.0]]
    with pytest.warns(UserWarning, match="Merknad"):
        skipped = read_nb_library_stats(path, columns={"visits": "Besøk i alt"}, unknown_columns="warn")
    assert skipped.attrs["unmapped_columns"][0]["column"] == "Merknad fra biblioteket"


def test_nb_catalogue_covers_every_column_of_the_real_2020_file():
    nb = read_nb_library_stats(real("nb", "folkebibl-2020-kommuner.csv"))
    assert nb.attrs["unmapped_columns"] == []
    ignored = {c["column"] for c in nb.attrs["ignored_columns"]}
    assert ignored == {"Antall kommuner i fylket", "Fylkesnr.", "Samarbeid med andre"}
    assert nb["indicator"].nunique() == 212 - 2 - 3  # code and name are keys; three columns ignored on purpose


def test_nb_real_2020_must_hold_numbers():
    nb = read_nb_library_stats(real("nb", "folkebibl-2020-kommuner.csv"))
    total = nb.groupby("indicator")["value"].sum()
    assert total["population"] == 5_367_580  # SSB: Norway 1.1.2020
    # The national visits total, counted independently of the reader: the "Besøk totalt" column summed
    # with the csv module and a bare digit filter.
    import csv

    with real("nb", "folkebibl-2020-kommuner.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    col = [h.replace("\n", " ").strip() for h in rows[0]].index("Besøk totalt")
    by_hand = sum(int("".join(ch for ch in r[col] if ch.isdigit())) for r in rows[1:]
                  if len(r) > col and any(ch.isdigit() for ch in r[col]))
    assert total["visits"] == by_hand == 15_878_143
    # DOMAIN.md: 4.85 visits per inhabitant in 2019 and about -36 % in 2020, i.e. about 3.1
    assert 2.8 < total["visits"] / total["population"] < 3.4
    assert total["first_time_loans"] == 11_321_162
    pop = nb[nb["indicator"] == "population"]
    assert len(pop) == 355 and "3811" not in set(pop["municipality_code"])
    row = pop[pop["municipality_code"] == "3803"].iloc[0]
    assert row["municipality_name"] == "Tønsberg og Færder" and row["covers"] == "3803+3811"
    yes_no = nb[nb["indicator"] == "website_wai"]["value"]
    assert set(yes_no.dropna()) == {0.0, 1.0}  # " Ja " / " Nei " with stray spaces
    assert (nb.loc[nb["value"].isna(), "status"] == "..").all()


# ---------------------------------------------------------------- JSON-stat and statbank CSV

def test_jsonstat_v1_keeps_status_of_null_cells():
    js = read_jsonstat(FIX / "jsonstat" / "tiny_v1.json", labels=True)
    assert js["status"].tolist() == [".", ".", "", "", "", ".."]
    assert js["value"].isna().tolist() == [True, True, False, False, False, True]
    assert js["PKoder_label"].iloc[3] == "Drikke" and js.attrs["labels"]["PKoder"]["P10"] == "Mat"
    assert js.attrs["version"] == "1.0" and js.attrs["title"] == "Indeks"


def test_jsonstat_v2_dict_values_codes_and_labels_in_attrs():
    js = read_jsonstat(FIX / "jsonstat" / "tiny_v2.json")
    assert list(js.columns) == ["Region", "ContentsCode", "Tid", "value", "status"]
    assert js["status"].tolist() == ["", ".", ".", "", "", ""]
    assert js.attrs["labels"]["Region"]["K-3005"] == "Drammen (2020-2023)"


def test_jsonstat_real_files_keep_every_symbol():
    v1 = read_jsonstat(real("ssb", "ssb_29843_production_index_jsonstat1.json"))
    assert len(v1) == 20 * 6 * 312 and (v1["status"] == ".").sum() == 7200
    assert v1.loc[v1["status"] == ".", "value"].isna().all()
    culture = read_jsonstat(real("ssb", "ssb_05300_distance_culture_jsonstat2.json"), labels=True)
    counts = culture["status"].value_counts()
    assert counts["."] > 0 and counts[".."] > 0 and culture.loc[culture["status"] != "", "value"].isna().all()
    pop = read_jsonstat(real("ssb", "ssb_07459_population_kommune_2022.json"))
    assert pop["value"].sum() == 5_425_270 and pop["Region"].str.fullmatch(r"K-\d{4}").sum() == 356


def test_statbank_csv_long_latin1_with_title_symbols_and_footnote():
    sb = read_statbank_csv(FIX / "statbank" / "07459_long_latin1.csv", labels=True)
    assert sb["Region"].tolist() == ["3301", "3118", "0602", "9999", "5636"]
    assert sb["Region_label"].tolist()[1] == "Indre Østfold"
    assert sb["status"].tolist() == ["", "", ".", "..", ":"]
    assert sb["value"].tolist()[:2] == [105042.0, 47006.0] and sb["value"].iloc[2:].isna().all()
    assert sb.attrs["title"].startswith("07459") and sb.attrs["notes"] and sb.attrs["layout"] == "long"
    assert sb.attrs["encoding"] == "cp1252"


def test_statbank_csv_wide_utf8_with_decimal_comma():
    sb = read_statbank_csv(FIX / "statbank" / "05300_wide_utf8.csv")
    assert sb.attrs["layout"] == "wide" and set(sb["Tid"]) == {"2015", "2021"}
    got = sb.set_index(["avstand", "Tid"])
    assert got.loc[("01", "2015"), "value"] == 34.5 and got.loc[("02", "2021"), "status"] == ".."
    assert got.loc[("03", "2015"), "status"] == "." and set(sb["ContentsCode"]) == {"Avstand"}


def test_statbank_csv_feeds_the_population_table_like_jsonstat():
    from samorg.clean import population_table

    pop = population_table(read_statbank_csv(FIX / "statbank" / "07459_long_latin1.csv"), source="ssb/07459.csv")
    assert pop.set_index("municipality_code").loc["3301", "population"] == 105042
    assert pop.set_index("municipality_code").loc["5636", "status"] == ":"


# ---------------------------------------------------------------- KLASS

def test_klass_codes_latin1_without_9999():
    codes = read_klass_codes(FIX / "klass" / "ssb_kommunekoder_2024.csv")
    assert codes["code"].tolist() == ["0301", "3118", "3301", "5636"]
    assert codes["name"].tolist()[1] == "Indre Østfold" and codes["name"].tolist()[3] == "Unjárga - Nesseby"
    assert codes["valid_from"].iloc[0] == pd.Timestamp("2024-01-01") and codes["valid_to"].isna().all()
    assert codes.attrs["dropped"][0]["code"] == "9999"
    assert len(read_klass_codes(FIX / "klass" / "ssb_kommunekoder_2024.csv", include_unknown=True)) == 5


def test_klass_changes_cp1252_nbsp_and_splittes():
    ch = read_klass_changes(FIX / "klass" / "kommuner_med_endringer_fra2023_til2024.csv")
    assert ch["old_code"].tolist() == ["3005", "3014", "1507", "1507", "5437"]
    assert ch["new_name"].tolist()[1] == "Indre Østfold" and ch["old_name"].iloc[4] == "Kárášjohka - Karasjok"
    assert ch["split"].tolist() == [False, False, True, True, False]
    assert ch["kind"].tolist() == ["renumber", "renumber", "split", "split", "renumber"]
    assert (ch["to_year"] == 2024).all() and ch.attrs["encoding"] == "cp1252"


def test_klass_real_files_decode_norwegian_and_sami_letters():
    codes = read_klass_codes(real("klass", "ssb_kommunekoder_2020.csv"))
    assert len(codes) == 356 and codes.set_index("code").loc["3014", "name"] == "Indre Østfold"
    assert len(read_klass_codes(real("klass", "ssb_kommunekoder_2019.csv"))) == 422
    ch = read_klass_changes(real("klass", "kommuner_med_endringer_fra2019_til2020.csv"))
    names = set(ch["old_name"]) | set(ch["new_name"])
    assert {"Hobøl", "Trøgstad", "Kárášjohka - Karasjok", "Hábmer - Hamarøy"} <= names
    assert set(ch.loc[ch["split"], "old_code"]) == {"1850", "5012"}
    io = ch[ch["new_code"] == "3014"]
    assert sorted(io["old_code"]) == ["0122", "0123", "0124", "0125", "0138"] and set(io["kind"]) == {"merge"}
    grouping = read_klass_grouping(real("klass", "ssb_kommunegruppering_1994-2024.xlsx"))
    drammen = grouping[grouping["group_code"] == "3301"].set_index("code")
    assert drammen.loc["3005", ["first_year", "last_year"]].tolist() == [2020, 2023]
    assert drammen.loc["0711", "name"] == "Svelvik" and drammen.loc["3301", "current"]
    assert grouping.set_index("code").loc["3114", "name"] == "Våler (Østfold)"


def test_klass_grouping_xlsx_found_on_another_sheet(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Om"
    wb.active.append(["Kilde", "SSB"])
    ws = wb.create_sheet("Kommuner")
    ws.append(["GRUPPEKODE", "GRUPPETEKST", "KODE", "TEKST"])
    ws.append(["K.3301", "Drammen", "0711", "Svelvik (1964-2019)"])
    ws.append(["K.3301", "Drammen", 3301, "Drammen"])
    path = tmp_path / "gruppering.xlsx"
    wb.save(path)
    g = read_klass_grouping(path)
    assert g["code"].tolist() == ["0711", "3301"] and g["first_year"].tolist() == [1964, pd.NA]


# ---------------------------------------------------------------- branch-level exports

def test_people_counter_hourly_with_date_and_hour_columns():
    c = read_people_counter(FIX / "branch" / "teller_time.csv")
    assert c.attrs["freq"] == "h" and c.attrs["encoding"] == "cp1252"
    assert c["period_start"].iloc[0] == pd.Timestamp("2019-03-04 08:00") and c["branch"].iloc[0] == "Mjøndalen"
    assert c["visits_in"].iloc[1] == 20 and c["visits_out"].iloc[1] == 18


def test_people_counter_daily_and_single_timestamp_column(tmp_path):
    assert read_people_counter(FIX / "branch" / "teller_dag.csv").attrs["freq"] == "D"
    path = tmp_path / "t.csv"
    path.write_text("Tidspunkt;Sted;Teller;Inn\n2024-01-08 10:00;Fjell;Dør A;12\n2024-01-08 10:15;Fjell;Dør A;9\n",
                    encoding="utf-8")
    c = read_people_counter(path)
    assert c.attrs["freq"] == "15min" and c["counter"].tolist() == ["Dør A"] * 2 and c["visits_out"].isna().all()


def test_loans_monthly_labels_and_transactions(tmp_path):
    loans = read_loans(FIX / "branch" / "utlan.csv")
    assert loans["period_start"].tolist() == [pd.Timestamp("2022-01-01")] * 2 + [pd.Timestamp("2022-02-01")]
    assert loans["loans"].tolist() == [1204.0, 2050.0, 88.0] and math.isnan(loans["renewals"].iloc[2])
    assert (loans["freq"] == "M").all()
    path = tmp_path / "logg.csv"
    path.write_text("Tidspunkt;Filial;Lånernummer\n03.01.2022 10:04;Askim;12345\n03.01.2022 11:30;Askim;999\n",
                    encoding="utf-8")
    log = read_loans(path)
    assert log["loans"].tolist() == [1.0, 1.0] and "Lånernummer" in log.attrs["ignored_columns"]
    assert "12345" not in log.astype(str).to_string()


def test_events_log():
    ev = read_events(FIX / "branch" / "arrangementer.csv")
    assert ev["date"].tolist()[2] == pd.Timestamp("2023-01-26 19:00")
    assert ev["digital"].tolist() == [False, False, True] and ev["attendance"].sum() == 247
    assert ev["partner"].tolist() == ["", "Røde Kors", "Historielaget"]


def test_inquiries_and_survey_fixtures():
    inq = read_inquiries(FIX / "branch" / "henvendelser.csv")
    assert inq["branch"].tolist() == ["Rådhuset", "Askim"] and inq["resolved_first_contact"].tolist() == [True, False]
    survey = read_survey(FIX / "branch" / "undersokelse.csv")
    assert survey["calm"].tolist() == ["Svært fornøyd", "Vet ikke"]
    assert survey["satisfaction"].tolist() == ["Fornøyd", "Svært misfornøyd"]


def test_branch_counts_xlsx_under_a_title_block(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Besøksstatistikk Drammensbiblioteket"])
    ws.append([])
    ws.append(["Filial", "Måned", "Besøk inn", "Besøk ut", "Utlån"])
    ws.append(["Fjell", dt.datetime(2021, 6, 1), 4305, 4403, 2284])
    path = tmp_path / "b.xlsx"
    wb.save(path)
    b = read_branch_counts(path)
    assert b["row"].tolist() == [4] and b["period_start"].iloc[0] == pd.Timestamp("2021-06-01")
    assert b["visits_out"].iloc[0] == 4403 and b.attrs["header_row"] == 3


def test_column_mapping_for_branch_exports(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("Enhet;Periode;Inngang (teller 1);Utgang (teller 1)\nFjell;2021-06;10;12\n", encoding="utf-8")
    with pytest.raises(MissingColumnError) as err:
        read_branch_counts(path)
    assert "visits_in" in str(err.value) and "'Inngang (teller 1)'" in str(err.value)
    mapping = load_column_mapping({"branch_counts": {"branch": "Enhet", "visits_in": "Inngang (teller 1)",
                                                     "visits_out": ["Utgang (teller 1)", "Ut 1"]}})
    b = read_branch_counts(path, columns=mapping["branch_counts"])
    assert b[["branch", "visits_in", "visits_out"]].values.tolist() == [["Fjell", 10.0, 12.0]]


def test_survey_items_mapped_in_config(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("ID;Sted;Dato;Ro i lokalene\n7;Fjell;01.03.2022;Fornøyd\n", encoding="utf-8")
    s = read_survey(path, columns={"calm": "Ro i lokalene"})
    assert s["calm"].tolist() == ["Fornøyd"]


def test_column_mapping_is_validated(tmp_path):
    with pytest.raises(MappingError, match="people_counters"):
        load_column_mapping({"filialer": {"branch": "Sted"}})
    with pytest.raises(MappingError, match="visits_in"):
        load_column_mapping({"branch_counts": {"besok": "Besøk"}})
    with pytest.raises(MappingError, match="header name"):
        load_column_mapping({"inquiries": {"channel": 3}})
    yaml_path = tmp_path / "columns.yaml"
    yaml_path.write_text("columns:\n  events:\n    attendance: Publikum\n", encoding="utf-8")
    assert load_column_mapping(yaml_path) == {"events": {"attendance": ("Publikum",)}}


def test_study_column_mapping_reads_columns_yaml_beside_the_study(tmp_path):
    from types import SimpleNamespace

    from samorg.sources import study_column_mapping

    (tmp_path / "columns.yaml").write_text("columns:\n  inquiries:\n    channel: Kontaktkanal\n", encoding="utf-8")
    assert study_column_mapping(SimpleNamespace(path=tmp_path / "study.yaml")) == {"inquiries": {"channel": ("Kontaktkanal",)}}
    assert study_column_mapping(SimpleNamespace(path=tmp_path / "x" / "study.yaml")) == {}
    own = SimpleNamespace(path=tmp_path / "study.yaml", columns={"loans": {"loans": "Lån"}})
    assert study_column_mapping(own) == {"loans": {"loans": ("Lån",)}}


@pytest.mark.parametrize("encoding, expected", [("utf-8", "utf-8-sig"), ("utf-8-sig", "utf-8-sig"),
                                                ("cp1252", "cp1252"), ("latin-1", "cp1252"), ("utf-16", "utf-16")])
def test_detect_encoding(tmp_path, encoding, expected):
    path = tmp_path / "f.csv"
    path.write_bytes("Filial;Besøk\nSkjønhaug;12\n".encode(encoding))
    assert detect_encoding(path) == expected


def test_docs_sources_lists_every_layout_column_and_alias():
    from samorg.sources import branch_counts, counters, inquiries, loans_events, surveys

    text = (Path(__file__).resolve().parents[1] / "docs" / "sources.md").read_text(encoding="utf-8")
    for kind, layout in [("people_counters", counters.LAYOUT), ("branch_counts", branch_counts.LAYOUT),
                         ("loans", loans_events.LOANS), ("events", loans_events.EVENTS),
                         ("inquiries", inquiries.LAYOUT), ("surveys", surveys.LAYOUT)]:
        section = text.split(f"#### `{kind}`", 1)[1].split("####", 1)[0]
        for f in layout.fields:
            line = next((ln for ln in section.splitlines() if ln.startswith(f"| `{f.name}` |")), "")
            assert line and all(a in line for a in f.aliases), (kind, f.name)
