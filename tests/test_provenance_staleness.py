"""Provenance and staleness (issue 13): the rebuild key holds samorg's code hash and the output libraries'
versions, so a changed cleaning step rebuilds; the provenance record is plain JSON and never fails."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from test_pipeline_bad_inputs import make_study

from samorg import provenance, store
from samorg._version import __version__
from samorg.config import load_study
from samorg.pipeline import build_processed


@pytest.fixture
def study(tmp_path):
    study = load_study(make_study(tmp_path))
    assert not build_processed(study).skipped
    assert build_processed(study).skipped
    return study


def test_a_change_in_samorgs_code_rebuilds(study, monkeypatch):
    monkeypatch.setattr(provenance, "code_hash", lambda *a, **k: "0" * 64)
    again = build_processed(study)
    assert not again.skipped and again.build_key["code_sha256"] == "0" * 64
    assert build_processed(study).skipped


@pytest.mark.parametrize("library", provenance.OUTPUT_DEPENDENCIES)
def test_a_new_version_of_an_output_library_rebuilds(study, monkeypatch, library):
    real = provenance.dependency_versions()
    monkeypatch.setattr(provenance, "dependency_versions", lambda *a, **k: {**real, library: "99.0"})
    assert not build_processed(study).skipped


def test_a_manifest_from_before_the_rebuild_key_rebuilds(study):
    path = study.processed_dir / store.MANIFEST
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["build_key"]
    path.write_text(json.dumps(data), encoding="utf-8")
    assert not build_processed(study).skipped


def test_code_hash_follows_the_files_and_ignores_compiled_ones(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "data").mkdir(parents=True)
    (pkg / "__init__.py").write_text("x = 1\n", encoding="utf-8")
    (pkg / "data" / "codes.csv").write_text("a;b\n", encoding="utf-8")
    first = provenance.code_hash(pkg)
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"\0")
    provenance._code_hash.cache_clear()
    assert provenance.code_hash(pkg) == first
    (pkg / "data" / "codes.csv").write_text("a;c\n", encoding="utf-8")  # a package data file counts
    provenance._code_hash.cache_clear()
    second = provenance.code_hash(pkg)
    assert second != first
    (pkg / "clean.py").write_text("def step(df): return df\n", encoding="utf-8")  # so does a new module
    provenance._code_hash.cache_clear()
    assert provenance.code_hash(pkg) not in (first, second)


def test_git_state_is_none_outside_a_checkout_and_flags_a_dirty_tree(tmp_path):
    pkg = tmp_path / "repo" / "pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("x = 1\n", encoding="utf-8")
    assert provenance.git_state(pkg) == {"commit": None, "dirty": None}
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(git + ["init", "-q"], cwd=pkg.parent, check=True)
    assert provenance.git_state(pkg) == {"commit": None, "dirty": None}  # samorg's files not tracked
    subprocess.run(git + ["add", "."], cwd=pkg.parent, check=True)
    subprocess.run(git + ["commit", "-q", "-m", "x"], cwd=pkg.parent, check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=pkg.parent, capture_output=True, text=True).stdout.strip()
    assert provenance.git_state(pkg) == {"commit": head, "dirty": False}
    (pkg.parent / "notes.txt").write_text("untracked\n", encoding="utf-8")
    assert provenance.git_state(pkg)["dirty"] is False  # untracked files do not count
    (pkg / "__init__.py").write_text("x = 2\n", encoding="utf-8")
    assert provenance.git_state(pkg) == {"commit": head, "dirty": True}


def test_git_state_never_fails_without_git(tmp_path, monkeypatch):
    def no_git(*args, **kwargs):
        raise FileNotFoundError("git")

    monkeypatch.setattr(subprocess, "run", no_git)
    assert provenance.git_state(tmp_path) == {"commit": None, "dirty": None}


def test_provenance_is_plain_json_with_every_field(study):
    manifest = store.read_manifest(study.processed_dir)
    record = provenance.provenance(study, manifest.inputs)
    assert json.loads(json.dumps(record)) == record
    assert record["samorg_version"] == __version__
    assert record["python"].count(".") == 2
    assert set(provenance.OUTPUT_DEPENDENCIES) <= set(record["packages"])
    assert record["packages"]["pandas"] == provenance.dependency_versions(("pandas",))["pandas"]
    assert record["study_file"] == {"path": "study.yaml",
                                    "sha256": hashlib.sha256(Path(study.path).read_bytes()).hexdigest()}
    assert record["sites_file"]["sha256"] == hashlib.sha256(Path(study.sites_path).read_bytes()).hexdigest()
    assert record["inputs"] == manifest.inputs and "filialer/fjell.csv" in record["inputs"]
    assert record["git_dirty"] in (True, False, None)
    assert (record["git_commit"] is None) == (record["git_dirty"] is None)
    assert manifest.provenance["inputs"] == manifest.inputs  # the build stored it


def test_provenance_of_a_missing_library_is_none():
    assert provenance.dependency_versions(("no-such-package-samorg",)) == {"no-such-package-samorg": None}
