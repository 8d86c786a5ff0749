"""Privacy of the qualitative evidence: quotes only with consent, redacted, ids pseudonymised with the study's key,
small groups of informants hidden; a planted name and phone number never reach the processed table or a report."""

from __future__ import annotations


import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from samorg import store
from samorg.config import load_study
from samorg.pipeline import build_processed
from samorg.privacy.keys import KEY_ENV
from samorg.report import qualitative as R

KEY = "a-secret-key-for-the-tests-0123456789"
HEADER = "Sted;Kildetype;Dato;Informant;Informantrolle;Tema;Mål;Retning;Sitat-ID;Sitat;Samtykke\n"
NAME, PHONE, EMAIL, FIRST = "Ragnhild Øvrebø", "934 56 781", "tor.lien@example.org", "Gunnvor"


def _segments() -> str:
    rows = []
    for i in range(6):  # six visitors: enough to be shown with min_cell 5
        rows.append(f"Fjell;Verksted;14.03.2024;INF-{i};besøkende;Én dør;2;Positiv;FJ-{i}-1;"
                    f"Alt på ett sted {i}.;Ja")
    rows.append(f"Fjell;Intervju;15.03.2024;INF-9;leder;Én dør;2;Positiv;FJ-9-1;Jeg ringte {NAME} på {PHONE}, "
                f"og {FIRST} svarte.;Ja")
    rows.append(f"Fjell;Intervju;15.03.2024;INF-8;bibliotekar;Én dør;2;Negativ;FJ-8-1;Skriv til {EMAIL} om "
                "det hemmelige.;Nei")
    return HEADER + "\n".join(rows) + "\n"


@pytest.fixture()
def study(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    (tmp_path / "raw" / "kvalitativt").mkdir(parents=True)
    (tmp_path / "raw" / "kvalitativt" / "koding.csv").write_bytes(_segments().encode("cp1252"))
    (tmp_path / "navn.txt").write_text(f"{FIRST}\n", encoding="utf-8")
    (tmp_path / "sites.yaml").write_text(
        "sites:\n  fjell:\n    name: Fjell\n    kind: combined\n    municipality_code: \"3301\"\n"
        "    co_located: 2022-01-01\n", encoding="utf-8")
    (tmp_path / "study.yaml").write_text(
        "title: Liten\nraw_dir: raw\nprocessed_dir: processed\nreports_dir: reports\nsites_file: sites.yaml\n"
        "data_start: 2021-01-01\ndata_end: 2025-12-31\nperiods:\n  pre: {start: 2021-01-01, end: 2021-03-31}\n"
        "  transition: {start: 2021-04-01, end: 2021-06-30}\n  post: {start: 2021-07-01, end: 2025-12-31}\n"
        "municipalities:\n  \"3301\": {name: Kommunen}\nprivacy: {min_cell: 5, names_file: navn.txt}\nsources:\n"
        "  branch_counts: {pattern: \"filialer/*.csv\", optional: true}\n"
        "  nb_library_stats: {pattern: \"nb/*.csv\", optional: true}\n"
        "  population: {pattern: \"ssb/*.json\", optional: true}\n"
        "  qualitative: \"kvalitativt/*\"\n", encoding="utf-8")
    study = load_study(tmp_path / "study.yaml")
    build_processed(study)
    return study


def _leaks(text: str) -> list[str]:
    digits = "".join(c for c in text if c.isdigit())
    found = [s for s in (NAME, "Ragnhild", "Øvrebø", FIRST, EMAIL, "hemmelige", "INF-", "FJ-") if s.casefold() in
             text.casefold()]
    return found + (["phone"] if "93456781" in digits else [])


def test_planted_name_and_phone_never_reach_the_table_or_a_report(study):
    raw = (study.raw_dir / "kvalitativt" / "koding.csv").read_text(encoding="cp1252")
    assert _leaks(raw)  # the positive control: they are there to leak
    table = store.read_processed(study.processed_dir, "qualitative_segments")
    cells = "\n".join(str(v) for v in table.astype(str).to_numpy().ravel())
    assert _leaks(cells) == []
    assert "Jeg ringte [fjernet] på [fjernet], og [fjernet] svarte." in table["quote"].tolist()
    blocks = [R.themes_markdown(study, lang=lang) + R.quotes_markdown(study, lang=lang, per_aim=10)
              + R.evidence_markdown(study, lang=lang) + R.themes_markdown(study, site="fjell", lang=lang)
              for lang in ("nb", "en")]
    assert _leaks("\n".join(blocks)) == []
    assert "[fjernet]" in blocks[0]  # the redacted quote is shown, so the check above looked at it


def test_without_consent_the_text_is_dropped_and_the_segment_counts(study):
    table = store.read_processed(study.processed_dir, "qualitative_segments")
    assert len(table) == 8 and table[~table["consent"]]["quote"].tolist() == [""]
    manifest = store.read_manifest(study.processed_dir)
    steps = {d["step"]: d["rows"] for d in manifest.decisions if d.get("table") == "qualitative_segments"}
    assert steps["drop_quotes_without_consent"] == 1 and steps["redact_quotes"] == 1


def test_ids_are_keyed_pseudonyms(study, monkeypatch):
    from samorg.clean import pseudonymise
    import pandas as pd

    table = store.read_processed(study.processed_dir, "qualitative_segments")
    assert table["quote_id"].str.fullmatch(r"q-[0-9a-f]{10}").all()
    assert table["informant_id"].nunique() == 8
    expected = pseudonymise(pd.Series(["FJ-0-1"]), salt=KEY, prefix="q-").iloc[0]
    other = pseudonymise(pd.Series(["FJ-0-1"]), salt="another-key-0123456789", prefix="q-").iloc[0]
    assert expected in table["quote_id"].tolist() and other not in table["quote_id"].tolist()


def test_small_roles_are_merged_and_small_counts_hidden(study):
    quotes = R.quotes_markdown(study, lang="nb", per_aim=10)
    assert "— besøkende, Fjell" in quotes  # six visitors: the role is named
    assert "leder" not in quotes and "— informant, Fjell" in quotes  # one leader: not named
    site = R.theme_table(study, site="fjell")
    assert site.loc[0, "Informanter"] == 8 and site.loc[0, "Segmenter"] == 8
    few = R.qualitative_directions(study, quantitative={2: 1})
    assert few.loc[few["aim"] == 2, "agreement"].item() == "agreeing"
    assert few.loc[few["aim"] == 1, "agreement"].item() == "no_qualitative"


def test_a_theme_heard_from_fewer_informants_than_min_cell_shows_no_counts(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    rows = [f"Fjell;Intervju;14.03.2024;INF-{i};ansatt;Kø;2;Negativ;K-{i};;Nei" for i in range(3)]
    (tmp_path / "raw" / "kvalitativt").mkdir(parents=True)
    (tmp_path / "raw" / "kvalitativt" / "k.csv").write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "sites.yaml").write_text("sites:\n  fjell:\n    name: Fjell\n    kind: library\n"
                                         "    municipality_code: \"3301\"\n", encoding="utf-8")
    (tmp_path / "study.yaml").write_text(
        "title: Liten\nraw_dir: raw\nprocessed_dir: processed\nreports_dir: reports\nsites_file: sites.yaml\n"
        "data_start: 2021-01-01\ndata_end: 2025-12-31\nperiods:\n  pre: {start: 2021-01-01, end: 2021-03-31}\n"
        "  transition: {start: 2021-04-01, end: 2021-06-30}\n  post: {start: 2021-07-01, end: 2025-12-31}\n"
        "municipalities:\n  \"3301\": {name: Kommunen}\nsources:\n"
        "  branch_counts: {pattern: \"filialer/*.csv\", optional: true}\n"
        "  nb_library_stats: {pattern: \"nb/*.csv\", optional: true}\n"
        "  population: {pattern: \"ssb/*.json\", optional: true}\n  qualitative: \"kvalitativt/*\"\n",
        encoding="utf-8")
    study = load_study(tmp_path / "study.yaml")
    build_processed(study)
    table = R.theme_table(study)
    assert table.loc[0, ["Segmenter", "Informanter", "Retning"]].tolist() == ["·", "·", "·"]
    directions = R.qualitative_directions(study, co_located_only=False)
    assert directions.loc[directions["aim"] == 2, "agreement"].item() == "too_few"
    assert "3" not in R.evidence_markdown(study, co_located_only=False).split("2: ", 1)[1].split("\n")[0]


def test_who_was_heard_merges_small_roles_and_hides_small_counts(study):
    table = R.informants_table(study)
    assert list(table.index) == ["andre roller", "besøkende"]  # leder and bibliotekar: one each, merged
    assert table.loc["besøkende", "verksteder"] == 6  # (its total may be hidden as a complement)
    assert table.loc["andre roller", "intervjuer"] == "·" and table.loc["andre roller", "i alt"] == "·"
    assert "leder" not in R.informants_table(study, lang="en").to_string()


WORDS = st.lists(st.sampled_from(list("abcæøå ,.!?-:;()«»\n") + ["og", "på", "Det", "Hun", "1", "2024"]),
                 max_size=12).map("".join)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(before=WORDS, between=WORDS, after=WORDS,
       phone=st.sampled_from(["412 34 567", "41234567", "+47 412 34 567", "+4741234567", "41 23 45 67"]))
def test_a_full_name_and_a_phone_number_never_survive_redaction(before, between, after, phone):
    from samorg.clean import redact_quote

    text = f"{before} {NAME} {between} {phone} {after}"
    out = redact_quote(text)
    assert "Ragnhild" not in out and "Øvrebø" not in out
    assert "41234567" not in "".join(c for c in out if c.isdigit() or c == " ").replace(" ", "")


def test_the_study_wide_table_of_aims_by_site(study):
    text = R.aims_by_site_markdown(study)
    assert "| Fjell | 0 | 8 | 0 | 0 | 0 | 0 |" in text
    grid = R.aims_by_site_table(study)
    assert grid.loc["Fjell", "Mål 2"] == 8 and grid.loc["Fjell", "Mål 1"] == 0
    assert "færre enn 5 informanter" in text
