"""The study configuration loader: valid files load, every problem is reported at once."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from samorg.config import load_study
from samorg.errors import ConfigError

STUDY = """\
title: Test study
demo: true
raw_dir: raw
processed_dir: processed
reports_dir: reports
sites_file: sites.yaml
data_start: 2014-01-01
data_end: 2025-12-31
periods:
  pre: {start: 2014-01-01, end: 2019-12-31}
  transition: {start: 2020-01-01, end: 2021-12-31}
  post: {start: 2022-01-01, end: 2025-12-31}
covid_windows:
  - {start: 2020-03-01, end: 2021-12-31, label: COVID-19}
municipalities:
  "3301":
    name: Drammen
    codes: {"2014": ["0602", "0625", "0711"], "2020": "3005", "2024": "3301"}
    co_organised: 2020-01-01
primary_outcomes: [visits]
sources:
  branch_counts: "filialer/*.csv"
"""

SITES = """\
sites:
  fjell:
    name: Fjell
    kind: combined
    municipality_code: "3301"
    former_municipality_code: "0602"
    co_organised: 2020-01-01
    co_located: 2020-01-01
    aliases: [Fjell bibliotek]
    catchment_population: 9000
  papirbredden:
    name: Papirbredden
    kind: library
    municipality_code: "3301"
    former_municipality_code: "0602"
    co_organised: 2020-01-01
    co_located: null
"""


def write(tmp_path: Path, study: str = STUDY, sites: str = SITES) -> Path:
    (tmp_path / "study.yaml").write_text(textwrap.dedent(study), encoding="utf-8")
    (tmp_path / "sites.yaml").write_text(textwrap.dedent(sites), encoding="utf-8")
    return tmp_path / "study.yaml"


def test_valid_study_loads_with_absolute_paths_and_dates(tmp_path):
    study = load_study(write(tmp_path))
    assert study.raw_dir == (tmp_path / "raw").resolve()
    assert study.site_ids == ("fjell", "papirbredden")
    assert study.site("fjell").co_located == dt.date(2020, 1, 1)
    assert study.site("papirbredden").co_located is None
    assert study.municipalities["3301"].codes_in(2019) == ("0602", "0625", "0711")
    assert study.municipalities["3301"].codes_in(2021) == ("3005",)
    assert study.covid_windows[0].contains(dt.date(2020, 6, 1))


def test_unknown_site_id_names_the_known_ones(tmp_path):
    study = load_study(write(tmp_path))
    with pytest.raises(ConfigError, match="fjell, papirbredden"):
        study.site("mysen")


def test_every_registry_problem_is_reported_at_once(tmp_path):
    bad_sites = SITES + """\
  fjell:
    name: Fjell again
    kind: combined
    municipality_code: "3301"
  svelvik:
    name: Svelvik
    kind: libary
    municipality_code: "9999"
    co_located: 2021-02-30
  mjondalen:
    name: Mjøndalen
    kind: combined
    municipality_code: "3301"
    co_located: 2010-05-01
  tomter:
    kind: combined
    municipality_code: "3301"
    colocated: 2020-01-01
"""
    with pytest.raises(ConfigError) as info:
        load_study(write(tmp_path, sites=bad_sites))
    text = str(info.value)
    problems = info.value.problems
    assert "the key 'fjell' appears again" in text  # duplicate site id
    assert "'libary'" in text and "library, service_centre, combined" in text  # unknown kind
    assert "'9999' is not a municipality of this study" in text  # unknown code
    assert "'2021-02-30' is not a valid date" in text  # impossible date
    assert "2010-05-01 is before the data start 2014-01-01" in text  # co-location before data
    assert "sites.tomter.name: is missing" in text  # missing required key
    assert "Did you mean 'co_located'?" in text  # misspelt key
    assert all("sites.yaml" in str(p) for p in problems)
    assert len(problems) >= 7


def test_study_file_problems_name_the_key(tmp_path):
    study = STUDY.replace("data_end: 2025-12-31", "data_end: 2013-12-31").replace(
        "  post: {start: 2022-01-01, end: 2025-12-31}\n", ""
    )
    with pytest.raises(ConfigError) as info:
        load_study(write(tmp_path, study=study))
    text = str(info.value)
    assert "data_end" in text and "periods.post: is missing" in text


def test_missing_study_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_study(tmp_path / "nope.yaml")


def test_invalid_yaml_names_the_line(tmp_path):
    (tmp_path / "study.yaml").write_text("title: [unclosed\nraw_dir: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line"):
        load_study(tmp_path / "study.yaml")
