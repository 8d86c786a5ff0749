"""`samorg data` refuses silent damage (issue 13): rows outside the study period, sources that select nothing,
emptied tables, an unwritable folder, a corrupt table. Each case: a clear message, exit 2, and the processed
data already on disk byte-identical."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

from samorg import sources, store
from samorg.cli import main
from samorg.config import load_study
from samorg.errors import ConfigError
from samorg.pipeline import build_processed, load_site_monthly
from samorg.store import ProcessedDataError, read_processed

ROOT = Path(__file__).resolve().parents[1]
POPULATION = ROOT / "data" / "raw" / "demo" / "ssb" / "07459_befolkning_2014-2025.json"
NB = ROOT / "tests" / "fixtures" / "sources" / "nb"
BRANCH = "Filial;Måned;Besøk inn;Besøk ut;Arrangementer\r\n"
GOOD_BRANCH = BRANCH + "Fjell;2021-01;120;118;3\r\nFjell;2021-02;130;126;4\r\nFjell;2021-03;125;121;2\r\n"
INQUIRIES = "Tidspunkt;Kanal;Tema;Sted;Løst ved første kontakt;Ventetid (min);Saksbehandler;Notat\r\n"
GOOD_INQUIRIES = (INQUIRIES + "04.01.2021 10:15;Telefon;Skatt;Fjell;Ja;4,8;KN;\r\n"
                  "05.01.2021 11:37;E-post;Bolig;Fjell;Nei;;AB;\r\n")
SURVEY = "Respondentnr.;Bibliotek;Dato;Aldersgruppe;Kjønn;Hvor fornøyd er du alt i alt med biblioteket?;Kommentar\r\n"
GOOD_SURVEY = (SURVEY + "1;Fjell;04.03.2021;20-39 år;Kvinne;Svært fornøyd;\r\n"
               "2;Fjell;05.03.2021;67 år og eldre;Mann;Fornøyd;\r\n")
SOURCES = {"branch_counts": "filialer/*.csv", "nb_library_stats": "nb/*.csv", "population": "ssb/*.json",
           "inquiries": "henvendelser/*.csv", "surveys": "undersokelser/*.csv"}


def make_study(tmp: Path, *, sources: dict | None = None, branch: str = GOOD_BRANCH, inquiries: str = GOOD_INQUIRIES,
               survey: str = GOOD_SURVEY, start: str = "2020-01-01", end: str = "2021-12-31") -> Path:
    """A one-site demo-flagged study in ``tmp`` with every source kind (NB 2019 and 2020, SSB 2014–2025)."""
    raw = tmp / "raw"
    for folder, name, text in (("filialer", "fjell.csv", branch), ("henvendelser", "fjell.csv", inquiries),
                               ("undersokelser", "fjell.csv", survey)):
        (raw / folder).mkdir(parents=True, exist_ok=True)
        (raw / folder / name).write_bytes(text.encode("utf-8"))
    shutil.copytree(NB, raw / "nb", dirs_exist_ok=True)
    (raw / "ssb").mkdir(exist_ok=True)
    shutil.copy(POPULATION, raw / "ssb" / POPULATION.name)
    (tmp / "sites.yaml").write_text("sites:\n  fjell: {name: Fjell, kind: combined, municipality_code: \"3301\"}\n",
                                    encoding="utf-8")
    study = {
        "title": "Liten studie", "demo": True, "raw_dir": "raw", "processed_dir": "processed",
        "reports_dir": "reports", "sites_file": "sites.yaml", "data_start": start, "data_end": end,
        "periods": {"pre": {"start": start, "end": "2020-12-31"},
                    "transition": {"start": "2021-01-01", "end": "2021-03-31"},
                    "post": {"start": "2021-04-01", "end": end}},
        "municipalities": {"3301": {"name": "Drammen", "codes": {"2019": ["0602"], "2020": "3005"}}},
        "sources": SOURCES if sources is None else sources,
    }
    path = tmp / "study.yaml"
    path.write_text(yaml.safe_dump(study, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def tree(folder: Path) -> dict[str, str]:
    """Every file in the folder (hidden ones too) → sha256."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def refused(path: Path, capsys, error: type[BaseException], match: str) -> str:
    """Build once with ``build_processed`` (expecting ``error``), then through the CLI (exit 2); return stderr."""
    study = load_study(path)
    before = tree(study.processed_dir) if study.processed_dir.is_dir() else {}
    with pytest.raises(error, match=match):
        build_processed(study)
    assert main(["data", "--study", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("samorg data: ")
    assert (tree(study.processed_dir) if study.processed_dir.is_dir() else {}) == before
    return err


@pytest.fixture
def built(tmp_path):
    """A good first build: the study file, the study, and the processed files' hashes."""
    path = make_study(tmp_path)
    study = load_study(path)
    build_processed(study)
    return path, study, tree(study.processed_dir)


# ---------------------------------------------------------------- rows outside the study period

@pytest.mark.parametrize("month, shown", [("2031-05", "2031-05"), ("mai 2012", "2012-05"), ("2026-12", "2026-12")])
def test_a_branch_month_outside_the_study_period_is_an_error_naming_the_cell(built, capsys, month, shown):
    path, study, before = built
    (study.raw_dir / "filialer" / "fjell.csv").write_bytes((GOOD_BRANCH + f"Fjell;{month};108;108;108\r\n").encode())
    err = refused(path, capsys, sources.PeriodError, rf'fjell.csv, row 5, column "Måned": {shown} is outside the '
                                                     r"study period 2020-01-01 to 2021-12-31")
    assert "Expected months from 2020-01 to 2021-12" in err and "widen data_start/data_end" in err
    assert tree(study.processed_dir) == before


def test_every_row_outside_is_counted_and_the_first_named(tmp_path):
    path = make_study(tmp_path, branch=BRANCH + "Fjell;2021-01;1;1;1\r\nFjell;2031-05;1;1;1\r\nFjell;2019-12;1;1;1\r\n")
    with pytest.raises(sources.PeriodError) as err:
        build_processed(load_study(path))
    assert err.value.row == 3 and err.value.column == "Måned"
    assert "1 more row(s) of this file lie outside it too (2019-12 to 2031-05)" in str(err.value)


def test_inquiries_and_survey_answers_outside_the_period_are_errors(tmp_path, capsys):
    path = make_study(tmp_path / "a", inquiries=GOOD_INQUIRIES + "04.01.2024 10:15;Telefon;Skatt;Fjell;Ja;1;KN;\r\n")
    refused(path, capsys, sources.PeriodError,
            r'henvendelser/fjell.csv, row 4, column "Tidspunkt": 2024-01-04 10:15 is outside the study period')
    path = make_study(tmp_path / "b", survey=GOOD_SURVEY + "3;Fjell;04.03.2012;20-39 år;Kvinne;Fornøyd;\r\n")
    refused(path, capsys, sources.PeriodError,
            r'undersokelser/fjell.csv, row 4, column "Dato": 2012-03-04 is outside the study period')


def test_the_last_day_of_the_period_and_its_first_month_are_inside(tmp_path):
    path = make_study(tmp_path, start="2020-01-15", branch=BRANCH + "Fjell;2020-01;1;1;1\r\nFjell;2021-12;1;1;1\r\n",
                      inquiries=INQUIRIES + "31.12.2021 23:59;Telefon;Skatt;Fjell;Ja;1;KN;\r\n")
    manifest = build_processed(load_study(path))
    assert manifest.rows("inquiries") == 1
    assert len(load_site_monthly(load_study(path).processed_dir, "fjell")) == 2


def test_national_rows_outside_the_period_are_left_out_and_listed(tmp_path):
    path = make_study(tmp_path)  # NB files of 2019 and 2020, SSB 2014–2025; the study covers 2020–2021
    study = load_study(path)
    manifest = build_processed(study)
    dropped = {d["source"]: d for d in manifest.decisions if d["step"] == "drop_outside_study_period"}
    assert set(dropped) == {"nb/folkebibl-2019-kommuner.csv", f"ssb/{POPULATION.name}"}
    assert dropped["nb/folkebibl-2019-kommuner.csv"]["years"] == "2019"
    assert dropped[f"ssb/{POPULATION.name}"]["years"] == "2014–2025"  # before and after the study period
    obs = read_processed(study.processed_dir, "observations")
    assert set(obs.loc[obs["freq"] == "A", "period_start"].dt.year) == {2020}
    assert set(read_processed(study.processed_dir, "population")["year"]) == {2020, 2021}
    from samorg.quality import summarise

    q = summarise(study.processed_dir).set_index("source")
    assert "outside the study period" in q.loc["nb/folkebibl-2019-kommuner.csv", "dropped_why"]


# ---------------------------------------------------------------- sources that select nothing

def test_a_misspelt_pattern_is_an_error_with_a_suggestion(built, capsys):
    path, study, before = built
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["sources"]["inquiries"] = "henvendelse/*.csv"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    err = refused(path, capsys, ConfigError, r"sources.inquiries: the pattern 'henvendelse/\*.csv' matches no file")
    assert "Did you mean 'henvendelser/*.csv'?" in err and "optional: true" in err
    assert tree(study.processed_dir) == before


@pytest.mark.parametrize("kind", ["population", "branch_counts", "nb_library_stats"])
def test_leaving_out_a_source_the_reports_need_is_an_error(built, capsys, kind):
    path, study, before = built
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["sources"][kind]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    err = refused(path, capsys, ConfigError, rf"sources.{kind}: is missing. Expected a file pattern under raw_dir")
    assert "The reports need it" in err
    assert tree(study.processed_dir) == before


def test_optional_sources_may_match_nothing_and_plain_strings_still_work(tmp_path):
    path = make_study(tmp_path, sources={
        "branch_counts": "filialer/*.csv", "nb_library_stats": "nb/*.csv", "population": "ssb/*.json",
        "inquiries": {"pattern": "ingen/*.csv", "optional": True}})
    study = load_study(path)
    assert study.sources["inquiries"].optional and not study.sources["branch_counts"].optional
    manifest = build_processed(study)
    assert manifest.rows("inquiries") == 0 and manifest.rows("observations") > 0


def test_a_source_with_no_rows_inside_the_period_is_an_error_unless_optional(tmp_path, capsys):
    sources_ = {**SOURCES, "nb_library_stats": "nb/folkebibl-2019-kommuner.csv"}  # all rows before 2020
    path = make_study(tmp_path / "a", sources=sources_)
    err = refused(path, capsys, ConfigError, r"sources.nb_library_stats: the files matched by "
                                             r"'nb/folkebibl-2019-kommuner.csv' give 0 rows inside the study period")
    assert "rows read, all outside it" in err
    optional = {**sources_, "nb_library_stats": {"pattern": "nb/folkebibl-2019-kommuner.csv", "optional": True}}
    assert build_processed(load_study(make_study(tmp_path / "b", sources=optional))).rows("population") > 0


@pytest.mark.parametrize("entry, message", [
    ({"pattern": "x/*.csv", "optionall": True}, "sources.inquiries.optionall: is not a known key"),
    ({"optional": True}, "sources.inquiries.pattern: is missing"),
    ({"pattern": "x/*.csv", "optional": "ja"}, "sources.inquiries.optional: 'ja'. Expected true or false"),
    (5, "sources.inquiries: is 5. Expected a glob pattern under raw_dir"),
])
def test_malformed_source_entries_are_config_errors(tmp_path, entry, message):
    path = make_study(tmp_path, sources={**SOURCES, "inquiries": entry})
    with pytest.raises(ConfigError) as err:
        load_study(path)
    assert message in str(err.value)


def test_an_unknown_source_kind_is_named(tmp_path):
    path = make_study(tmp_path, sources={**SOURCES, "populaton": "ssb/*.json"})
    with pytest.raises(ConfigError, match="sources.populaton: is not a known key.*Did you mean 'population'"):
        load_study(path)


# ---------------------------------------------------------------- the optional place exports (issue 14)

BORROWERS = "År;Område;Lånere i alt\r\n2020;Fjell;310\r\n2021;Fjell;330\r\n2021;Utenfor kommunen;12\r\n"
HOURS = ("Avdeling;Dato;Time;Inn;Ut;Betjeningsform\r\nFjell;09.03.2021;09:00;2;0;Stengt\r\n"
         "Fjell;09.03.2021;10:00;20;18;Betjent\r\nFjell;09.03.2021;20:00;5;7;Meråpent\r\n")


def _place_study(tmp: Path, files: dict[str, str], sources_: dict, columns: dict | None = None) -> Path:
    path = make_study(tmp, sources={**SOURCES, **sources_})
    for name, text in files.items():
        (tmp / "raw" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "raw" / name).write_bytes(text.encode("utf-8"))
    if columns:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        path.write_text(yaml.safe_dump({**data, "columns": columns}, allow_unicode=True), encoding="utf-8")
    return path


def test_place_exports_are_read_from_their_own_sources_with_their_columns(tmp_path):
    """Each kind from its own pattern, with its `columns:` section; a file both patterns match is not a branch file."""
    path = _place_study(tmp_path, {"utlan/lanere.csv": BORROWERS, "filialer/timer_uke10.csv": HOURS},
                        {"active_borrowers": "utlan/*.csv", "counter_hours": "filialer/timer_*.csv"},
                        {"active_borrowers": {"active_borrowers": "Lånere i alt"},
                         "counter_hours": {"mode": "Betjeningsform"}})
    study = load_study(path)
    manifest = build_processed(study)
    read = {d["source"]: d["kind"] for d in manifest.decisions if d["step"] == "read_source"}
    assert read["utlan/lanere.csv"] == "active_borrowers" and read["filialer/timer_uke10.csv"] == "counter_hours"
    assert [s for s, k in read.items() if k == "branch_counts"] == ["filialer/fjell.csv"]
    obs = read_processed(study.processed_dir, "observations")
    got = {(r.indicator, str(r.period_start)): r.value for r in obs[obs["site_id"] == "fjell"].itertuples()}
    assert got[("active_borrowers", "2021-01-01 00:00:00")] == 330  # the row outside every catchment left out
    assert got[("hourly_visits_staffed", "2021-03-09 10:00:00")] == 19  # mean of IN and OUT


def test_a_place_export_among_the_branch_files_is_an_error_naming_the_file(built, capsys):
    path, study, before = built
    (study.raw_dir / "filialer" / "lanere.csv").write_bytes(BORROWERS.replace("Lånere i alt", "Aktive lånere")
                                                            .encode("utf-8"))
    (study.raw_dir / "filialer" / "timer.csv").write_bytes(HOURS.replace("Betjeningsform", "Åpningsmodus").encode())
    err = refused(path, capsys, ConfigError, r"sources.branch_counts: matches \S*filialer/lanere.csv, which is the "
                                             r"library system's active borrowers by area of residence and year")
    assert 'Declare the file under sources.active_borrowers (e.g. active_borrowers: "filialer/lanere.csv"' in err
    assert "filialer/timer.csv, which is the people counter's hourly counts" in err
    assert 'Declare the file under sources.counter_hours (e.g. counter_hours: "filialer/timer.csv"' in err
    assert tree(study.processed_dir) == before


# ---------------------------------------------------------------- the last good tables stay

def test_a_table_with_rows_is_not_replaced_by_an_empty_one_without_force(built, capsys):
    path, study, before = built
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["sources"]["inquiries"] = {"pattern": "henvendelser/*.csv", "optional": True}
    shutil.rmtree(study.raw_dir / "henvendelser")
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    err = refused(path, capsys, ProcessedDataError, r"inquiries.parquet: this build would replace the table's 2 rows "
                                                    r"with none")
    assert "samorg data --force" in err
    assert tree(study.processed_dir) == before
    assert build_processed(load_study(path), force=True).rows("inquiries") == 0


def test_a_read_only_processed_folder_is_a_message_and_nothing_changes(built, capsys, monkeypatch):
    path, study, before = built
    (study.raw_dir / "filialer" / "fjell.csv").write_bytes((GOOD_BRANCH + "Fjell;2021-04;1;1;1\r\n").encode())
    import tempfile

    def denied(*args, **kwargs):  # the tests run as root, where chmod cannot make a folder read-only
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    err = refused(path, capsys, ProcessedDataError, "the processed-data folder cannot be written "
                                                    r"\(PermissionError: Permission denied\)")
    assert "set processed_dir in the study file" in err and "unchanged" in err
    assert tree(study.processed_dir) == before


def test_a_failure_during_the_renames_leaves_no_temporary_file(built, monkeypatch):
    path, study, before = built
    (study.raw_dir / "filialer" / "fjell.csv").write_bytes((GOOD_BRANCH + "Fjell;2021-04;1;1;1\r\n").encode())
    real = os.replace

    def full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(ProcessedDataError, match="No space left on device"):
        build_processed(load_study(path))
    monkeypatch.setattr(os, "replace", real)
    assert tree(study.processed_dir) == before  # the first rename failed: nothing moved, temporaries removed


def test_a_truncated_table_gives_a_message_naming_the_fix_and_a_rebuild_repairs_it(built, capsys):
    path, study, before = built
    table = study.processed_dir / "observations.parquet"
    table.write_bytes(table.read_bytes()[: len(table.read_bytes()) // 2])
    with pytest.raises(ProcessedDataError, match=r"observations.parquet: the processed table cannot be read .*"
                                                 r"Run `samorg data --force`"):
        read_processed(study.processed_dir, "observations")
    with pytest.raises(ProcessedDataError, match="samorg data --force"):
        load_site_monthly(study.processed_dir, "fjell")
    assert main(["data", "--study", str(path)]) == 0  # the manifest's checksum no longer matches: rebuilt
    capsys.readouterr()
    assert tree(study.processed_dir)["observations.parquet"] == before["observations.parquet"]


def test_the_manifest_lists_inputs_and_provenance_and_stays_json(built):
    path, study, _ = built
    manifest = json.loads((study.processed_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["provenance"]["study_file"]["path"] == "study.yaml"
    assert manifest["provenance"]["inputs"] == manifest["inputs"]
    assert set(manifest["build_key"]) == {"samorg_version", "code_sha256", "dependencies", "pseudonym_key"}
    assert store.read_manifest(study.processed_dir).provenance == manifest["provenance"]


def test_verify_processed_names_a_damaged_or_missing_table_before_anything_reads_it(built):
    from samorg.store import verify_processed

    path, study, before = built
    assert verify_processed(study.processed_dir).tables["inquiries"]["rows"] == 2
    table = study.processed_dir / "population.parquet"
    table.write_bytes(table.read_bytes() + b"\0")  # still readable by pyarrow? no matter: not the file written
    with pytest.raises(ProcessedDataError, match=r"population.parquet: the file differs from the one `samorg data` "
                                                 r"wrote .* Run `samorg data --force`"):
        verify_processed(study.processed_dir)
    table.unlink()
    with pytest.raises(ProcessedDataError, match=r"population.parquet: the processed table is missing"):
        verify_processed(study.processed_dir)
    (study.processed_dir / "manifest.json").write_text("{", encoding="utf-8")
    with pytest.raises(ProcessedDataError, match=r"manifest.json: missing or unreadable"):
        verify_processed(study.processed_dir)
