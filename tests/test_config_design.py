"""The design keys of a study file (issue 13): roles, windows, words, primary indicators, national donors,
one date reader, and `samorg init`'s scaffold. Each bad value is an error naming the key and the fix."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from samorg.config import load_study
from samorg.errors import ConfigError
from samorg.scaffold import create_study

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "config" / "demo"


def _study(tmp_path: Path, edit=None, edit_sites=None) -> Path:
    study = yaml.safe_load((DEMO / "study.yaml").read_text(encoding="utf-8"))
    sites = yaml.safe_load((DEMO / "sites.yaml").read_text(encoding="utf-8"))
    if edit:
        edit(study)
    if edit_sites:
        edit_sites(sites["sites"])
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(study, allow_unicode=True), encoding="utf-8")
    (tmp_path / "sites.yaml").write_text(yaml.safe_dump(sites, allow_unicode=True), encoding="utf-8")
    return tmp_path / "study.yaml"


def _problems(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_study(path)
    return str(info.value)


def test_roles_default_from_the_dates_and_contradictions_are_errors(tmp_path):
    study = load_study(DEMO / "study.yaml")
    roles = {s.site_id: s.role for s in study.sites}
    assert roles["askim"] == "treated" and roles["papirbredden"] == "comparison" and roles["bragernes"] == "excluded"

    def comparison_with_date(sites):
        sites["askim"]["role"] = "comparison"

    text = _problems(_study(tmp_path, edit_sites=comparison_with_date))
    assert "sites.askim.role" in text and "cannot be a comparison" in text


def test_a_comparison_municipality_is_never_analysed_as_reorganised(tmp_path):
    def add_comparison(study):
        study["municipalities"]["3024"] = {"name": "Bærum", "codes": {"2014": "0219", "2020": "3024"}}

    study = load_study(_study(tmp_path, edit=add_comparison))
    assert study.municipalities["3024"].role == "comparison"
    assert set(study.treated_municipalities()) == {"3301", "3118"}
    assert study.national.donors({"3024", "3301", "3118", "1103"}, set(study.treated_municipalities())) == ["1103", "3024"]

    def contradiction(study):
        study["municipalities"]["3024"] = {"name": "Bærum", "role": "treated"}

    text = _problems(_study(tmp_path, edit=contradiction))
    assert "municipalities.3024.role" in text and "co_organised" in text


def test_sites_and_municipalities_follow_one_role_rule(tmp_path):
    """The same contradictions are errors for both, on the role key, naming the date key that contradicts it."""
    def municipalities(study):
        study["municipalities"]["3301"]["role"] = "comparison"  # it has a co_organised date
        study["municipalities"]["3118"]["role"] = "excluded"  # not a municipality role

    def sites(entries):
        entries["papirbredden"]["role"] = "treated"  # it has no co_located date
        entries["bragernes"]["role"] = "control"

    text = _problems(_study(tmp_path, edit=municipalities, edit_sites=sites))
    assert re.search(r"municipalities\.3301\.role.*'comparison' but co_organised is 2020-01-01.*cannot be a comparison",
                     text)
    assert re.search(r"municipalities\.3118\.role.*'excluded'.*one of treated, comparison\b", text)
    assert re.search(r"sites\.papirbredden\.role.*'treated' but co_located is empty.*role: comparison or role: excluded",
                     text)
    assert re.search(r"sites\.bragernes\.role.*'control'.*one of treated, comparison, excluded", text)


def test_day_first_dates_mean_the_same_in_the_study_file_and_the_estimators(tmp_path):
    from samorg.dates import parse_date

    def day_first(study):
        study["municipalities"]["3301"]["co_organised"] = "01.02.2020"

    study = load_study(_study(tmp_path, edit=day_first))
    assert study.municipalities["3301"].co_organised == parse_date("01.02.2020") == parse_date("2020-02-01")

    def us_style(study):
        study["municipalities"]["3301"]["co_organised"] = "02/01/2020"

    assert "municipalities.3301.co_organised" in _problems(_study(tmp_path, edit=us_style))


def test_words_windows_and_primary_indicators_come_in_both_languages(tmp_path):
    study = load_study(DEMO / "study.yaml")
    assert study.washout_windows[0].label_in("en").startswith("COVID-19: closures")
    assert study.sensitivity_windows[0].label_in("nb") == "gjenåpningsåret 2022"
    assert study.primary_by_aim == {1: "visits", 2: "satisfaction", 4: "place_to_stay"}
    assert study.words["topic"].in_lang("en") == "co-organised library and citizen service centre"
    assert study.baseline_year == 2019 and study.national_intervention == 2020

    def bad(study):
        study["primary_outcomes"] = {7: "visits"}
        study["words"] = {"topic": {"de": "x"}}
        study["covid_windows"] = study["washout_windows"]

    text = _problems(_study(tmp_path, edit=bad))
    assert "primary_outcomes.7" in text and "words.topic" in text and "covid_windows" in text


def test_docs_name_every_key_of_the_study_file_and_the_registry():
    from samorg import _config_sites, config

    doc = (ROOT / "docs" / "config.md").read_text(encoding="utf-8")
    missing = [k for k in [*config._STUDY_KEYS, *_config_sites._SITE_KEYS] if not re.search(rf"`{k}`|\b{k}:", doc)]
    assert not missing, missing


def test_init_scaffolds_a_study_that_loads_and_never_overwrites(tmp_path):
    path = create_study("moss", root=tmp_path)
    study = load_study(path)
    assert study.processed_dir == (tmp_path / "data" / "processed" / "moss").resolve()
    assert study.reports_dir == (tmp_path / "reports" / "moss").resolve()
    assert not study.demo and study.privacy.key_file.is_file()
    assert len(study.privacy.key_file.read_text().strip()) == 64
    assert (path.parent / "columns.yaml").is_file()
    from samorg.config import SOURCE_KINDS

    assert set(study.sources) == set(SOURCE_KINDS), "the template should show every kind of source a study can read"
    with pytest.raises(ConfigError, match="already exists"):
        create_study("moss", root=tmp_path)
    with pytest.raises(ConfigError, match="study name"):
        create_study("Moss kommune", root=tmp_path)


@pytest.mark.slow
def test_init_then_data_then_report_on_a_new_study_with_the_demo_raw_files(tmp_path):
    """What a new user does: init, paste their municipalities and sites, copy raw files, build, render."""
    from samorg.pipeline import build_processed
    from samorg.report import run_study_reports

    path = create_study("kopi", root=tmp_path)
    demo = yaml.safe_load((DEMO / "study.yaml").read_text(encoding="utf-8"))
    mine = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in ("municipalities", "data_start", "data_end", "periods"):
        mine[key] = demo[key]
    mine["sources"] = demo["sources"]
    path.write_text(yaml.safe_dump(mine, allow_unicode=True), encoding="utf-8")
    shutil.copy(DEMO / "sites.yaml", path.parent / "sites.yaml")
    shutil.copytree(ROOT / "data" / "raw" / "demo", tmp_path / "data" / "raw" / "kopi", dirs_exist_ok=True)
    study = load_study(path)
    build_processed(study)
    outcomes = run_study_reports(study, sites=["askim"], pdf=False, progress=False, workers=1)
    assert [o.status for o in outcomes] == ["ok"], [getattr(o, "error", None) for o in outcomes]
    html = (tmp_path / "reports" / "kopi" / "askim" / "askim.html").read_text(encoding="utf-8")
    assert "kopi: samlokalisering av bibliotek og innbyggertorg" in html
    assert "Syntetiske demodata" not in html  # the demo banner does not carry over
    assert not (ROOT / "reports" / "kopi").exists()
