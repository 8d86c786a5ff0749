"""The pseudonymisation key (issue 13): secret, outside git, never derived from the printed title.

A real study with personal data (inquiries, surveys) needs a key from the environment or a
git-ignored key file; the demo uses a fixed, documented demo key."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml
from test_pipeline_bad_inputs import SOURCES, make_study, tree

from samorg.cli import main
from samorg.clean import pseudonymise
from samorg.config import load_study
from samorg.errors import PrivacyError
from samorg.pipeline import build_processed
from samorg.privacy.keys import DEMO_KEY, KEY_ENV, create_key_file, pseudonym_key
from samorg.store import read_processed

STAFF = pd.Series(["KN", "AB"])


@pytest.fixture(autouse=True)
def _no_key_in_the_environment(monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)


def edit(path: Path, **changes) -> Path:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(changes)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def staff_pseudonyms(path: Path) -> set[str]:
    study = load_study(path)
    build_processed(study)
    return set(read_processed(study.processed_dir, "inquiries")["handled_by"])


def test_a_real_study_with_personal_data_and_no_key_is_refused_with_the_recipe(tmp_path, capsys):
    path = edit(make_study(tmp_path), demo=False)
    with pytest.raises(PrivacyError) as err:
        build_processed(load_study(path))
    text = str(err.value)
    assert f"{path}: privacy.key_file: is missing and {KEY_ENV} is not set" in text
    assert "secrets.token_hex(32)" in text and f"{tmp_path}/.secrets/pseudonym.key" in text
    assert "key_file: .secrets/pseudonym.key" in text
    assert main(["data", "--study", str(path)]) == 2
    assert "privacy.key_file: is missing" in capsys.readouterr().err
    assert not (tmp_path / "processed").exists()  # nothing was written


def test_a_key_file_gives_keyed_pseudonyms_independent_of_the_title(tmp_path):
    key = create_key_file(tmp_path / ".secrets" / "pseudonym.key")
    path = edit(make_study(tmp_path), demo=False, privacy={"key_file": ".secrets/pseudonym.key"})
    first = staff_pseudonyms(path)
    secret = key.read_text(encoding="utf-8").strip()
    assert first == set(pseudonymise(STAFF, salt=secret, prefix="ansatt-"))
    assert not first & set(pseudonymise(STAFF, salt="samorg:Liten studie", prefix="ansatt-"))  # the old default
    assert staff_pseudonyms(edit(path, title="En annen tittel")) == first
    manifest = (tmp_path / "processed" / "manifest.json").read_text(encoding="utf-8")
    assert secret not in manifest  # only a fingerprint of the key is stored
    key.write_text("b" * 64 + "\n", encoding="utf-8")  # a new key: a rebuild with new pseudonyms
    again = build_processed(load_study(path))
    assert not again.skipped
    assert set(read_processed(tmp_path / "processed", "inquiries")["handled_by"]).isdisjoint(first)


def test_the_environment_variable_overrides_the_key_file(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "e" * 32)
    path = edit(make_study(tmp_path), demo=False, privacy={"key_file": ".secrets/missing.key"})
    assert staff_pseudonyms(path) == set(pseudonymise(STAFF, salt="e" * 32, prefix="ansatt-"))


def test_the_demo_uses_the_documented_demo_key_not_its_title(tmp_path):
    path = make_study(tmp_path)  # demo: true, no key configured
    assert staff_pseudonyms(path) == set(pseudonymise(STAFF, salt=DEMO_KEY, prefix="ansatt-"))


def test_a_study_without_personal_data_needs_no_key(tmp_path):
    sources = {k: v for k, v in SOURCES.items() if k not in ("inquiries", "surveys")}
    path = edit(make_study(tmp_path, sources=sources), demo=False)
    manifest = build_processed(load_study(path))
    assert manifest.rows("observations") > 0 and manifest.build_key["pseudonym_key"] is None


@pytest.mark.parametrize("content, message", [
    (None, "does not exist. Expected a file holding the secret pseudonymisation key"),
    ("kort\n", "holds 4 characters. Expected a secret of at least 16 characters"),
    (b"\xff\xfe\x00", "cannot be read (UnicodeDecodeError)"),
])
def test_key_file_problems_are_named(tmp_path, content, message):
    key = tmp_path / ".secrets" / "pseudonym.key"
    if content is not None:
        key.parent.mkdir()
        key.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(PrivacyError) as err:
        pseudonym_key(demo=False, key_file=key, study_path=tmp_path / "study.yaml", environ={})
    assert f"{tmp_path / 'study.yaml'}: privacy.key_file: {key}" in str(err.value) and message in str(err.value)


def test_a_short_key_in_the_environment_is_refused():
    with pytest.raises(PrivacyError, match=f"environment variable {KEY_ENV}: a key of 6 characters"):
        pseudonym_key(demo=True, key_file=None, environ={KEY_ENV: "hemmel"})


def test_a_key_file_that_git_would_commit_is_refused(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    key = create_key_file(tmp_path / "config" / "studie" / "nokkel.txt")
    with pytest.raises(PrivacyError, match="is inside a git repository and not git-ignored"):
        pseudonym_key(demo=False, key_file=key, environ={})
    (tmp_path / ".gitignore").write_text("nokkel.txt\n", encoding="utf-8")
    assert pseudonym_key(demo=False, key_file=key, environ={}).origin == "key_file"


def test_the_repository_ignores_study_secrets_and_names_files():
    root = Path(__file__).resolve().parents[1]
    for path in ("config/ny/.secrets/pseudonym.key", "config/ny/private/navn.txt"):
        res = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=root)
        assert res.returncode == 0, f"{path} is not git-ignored"


def test_create_key_file_is_private_random_and_never_overwrites(tmp_path):
    path = create_key_file(tmp_path / "a" / "pseudonym.key")
    text = path.read_text(encoding="utf-8")
    assert len(text.strip()) == 64 and int(text, 16) >= 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert create_key_file(path).read_text(encoding="utf-8") == text
    assert create_key_file(tmp_path / "b.key").read_text(encoding="utf-8") != text
    assert "value" not in repr(pseudonym_key(demo=False, key_file=path, environ={})) and text.strip() not in repr(
        pseudonym_key(demo=False, key_file=path, environ={}))


def test_a_refused_key_leaves_an_earlier_build_as_it_was(tmp_path, capsys):
    key = create_key_file(tmp_path / ".secrets" / "pseudonym.key")
    path = edit(make_study(tmp_path), demo=False, privacy={"key_file": ".secrets/pseudonym.key"})
    build_processed(load_study(path))
    before = tree(tmp_path / "processed")
    key.unlink()
    assert main(["data", "--study", str(path)]) == 2
    assert "privacy.key_file" in capsys.readouterr().err
    assert tree(tmp_path / "processed") == before
