"""The study's ``privacy:`` settings: defaults, a names file, and every mistake named with its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from samorg.config import PrivacySettings, load_study
from samorg.errors import ConfigError

STUDY = """\
title: Test study
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
municipalities:
  "3301": {name: Drammen, co_organised: 2020-01-01}
sources:
  branch_counts: "filialer/*.csv"
"""
SITES = """\
sites:
  fjell: {name: Fjell, kind: combined, municipality_code: "3301"}
"""


def _study(tmp_path: Path, privacy: str = "") -> Path:
    (tmp_path / "study.yaml").write_text(STUDY + privacy, encoding="utf-8")
    (tmp_path / "sites.yaml").write_text(SITES, encoding="utf-8")
    return tmp_path / "study.yaml"


def test_without_a_privacy_key_the_threshold_is_5_and_no_names(tmp_path):
    study = load_study(_study(tmp_path))
    assert study.privacy == PrivacySettings() and study.privacy.min_cell == 5 and study.privacy.names == ()


def test_min_cell_and_names_file_relative_to_the_study(tmp_path):
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "navn.txt").write_text("# ansatte\nKari Nordmann\nÅse\n", encoding="utf-8")
    study = load_study(_study(tmp_path, "privacy: {min_cell: 3, names_file: lists/navn.txt}\n"))
    assert study.privacy.min_cell == 3
    assert study.privacy.names_file == (tmp_path / "lists" / "navn.txt").resolve()
    assert study.privacy.names == ("Kari Nordmann", "Åse")


@pytest.mark.parametrize("privacy, message", [
    ("privacy: {min_cell: 1}\n", "privacy.min_cell: 1. Expected a whole number of at least 2"),
    ("privacy: {min_cell: fem}\n", "privacy.min_cell: 'fem'. Expected a whole number"),
    ("privacy: {min_cell: true}\n", "privacy.min_cell: True"),
    ("privacy: {min_cel: 5}\n", "privacy.min_cel: is not a known key. Expected one of min_cell, names_file, key_file. "
                                "Did you mean 'min_cell'?"),
    ("privacy: {names_file: mangler.txt}\n", "mangler.txt does not exist. Expected a UTF-8 text file"),
    ("privacy: 5\n", "privacy: is 5. Expected a mapping with min_cell and/or names_file"),
])
def test_privacy_mistakes_are_named_with_the_key(tmp_path, privacy, message):
    with pytest.raises(ConfigError) as err:
        load_study(_study(tmp_path, privacy))
    assert message in str(err.value)


def test_names_file_that_is_not_utf8_is_a_config_error(tmp_path):
    (tmp_path / "navn.txt").write_bytes("Åse Bjørnstad\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"navn.txt is not UTF-8 text.*Save it as UTF-8"):
        load_study(_study(tmp_path, "privacy: {names_file: navn.txt}\n"))


def test_a_names_file_that_git_would_commit_is_a_config_error(tmp_path):
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "navn.txt").write_text("Kari Nordmann\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"privacy.names_file: .*navn.txt is inside a git repository and not "
                                          r"git-ignored. Expected the names file in a git-ignored folder"):
        load_study(_study(tmp_path, "privacy: {names_file: navn.txt}\n"))
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "navn.txt").write_text("Kari Nordmann\n", encoding="utf-8")
    (tmp_path / ".gitignore").write_text("private/\n", encoding="utf-8")
    assert load_study(_study(tmp_path, "privacy: {names_file: private/navn.txt}\n")).privacy.names == ("Kari Nordmann",)
