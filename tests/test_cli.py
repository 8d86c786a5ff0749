"""The ``samorg`` command: a bad input gets its message and exit code 2, never a traceback; ``--debug`` shows one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from samorg import cli

ROOT = Path(__file__).resolve().parents[1]
DEMO_STUDY = ROOT / "config" / "demo" / "study.yaml"


@pytest.fixture
def study(tmp_path) -> Path:
    """The demo study with outputs in ``tmp_path`` and a stand-in processed table, so ``samorg report``
    gets as far as checking its parameters (nothing here runs a notebook)."""
    raw = yaml.safe_load(DEMO_STUDY.read_text(encoding="utf-8"))
    raw.update(raw_dir=str((DEMO_STUDY.parent / raw["raw_dir"]).resolve()),
               sites_file=str((DEMO_STUDY.parent / raw["sites_file"]).resolve()),
               processed_dir=str(tmp_path / "processed"), reports_dir=str(tmp_path / "reports"))
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (tmp_path / "processed").mkdir()
    (tmp_path / "processed" / "observations.parquet").write_bytes(b"")
    return path


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_missing_study_file_is_a_message_not_a_traceback(capsys, tmp_path):
    code, out, err = _run(capsys, "data", "--study", str(tmp_path / "nope.yaml"))
    assert code == 2 and out == ""
    assert err.startswith("samorg data: The study configuration has problems (1):\n  - ")
    assert "nope.yaml: the file does not exist" in err and "Traceback" not in err


def test_debug_shows_the_traceback_and_the_default_does_not(tmp_path):
    missing = str(tmp_path / "nope.yaml")
    plain = subprocess.run([sys.executable, "-m", "samorg.cli", "data", "--study", missing],
                           capture_output=True, text=True, cwd=tmp_path)
    debug = subprocess.run([sys.executable, "-m", "samorg.cli", "--debug", "data", "--study", missing],
                           capture_output=True, text=True, cwd=tmp_path)
    assert plain.returncode == 2 and "Traceback" not in plain.stderr and "does not exist" in plain.stderr
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert "samorg.errors.ConfigError" in debug.stderr and "does not exist" in debug.stderr


def test_every_config_problem_is_printed_at_once(capsys, tmp_path):
    bad = tmp_path / "study.yaml"
    bad.write_text("title: x\ndata_start: 2020-02-30\nprivacy: {min_cell: 1}\nsoruces: {}\n", encoding="utf-8")
    code, _, err = _run(capsys, "data", "--study", str(bad))
    assert code == 2 and "Traceback" not in err
    for part in ("'2020-02-30' is not a valid date", "privacy.min_cell: 1", "soruces: is not a known key",
                 "Did you mean 'sources'?", "raw_dir: is missing"):
        assert part in err, part


def test_invalid_yaml_names_the_line(capsys, tmp_path):
    bad = tmp_path / "study.yaml"
    bad.write_text("title: [unclosed\nraw_dir: x\n", encoding="utf-8")
    code, _, err = _run(capsys, "data", "--study", str(bad))
    assert code == 2 and "study.yaml, line" in err and "is not valid YAML" in err


def test_parameter_without_a_value(capsys, study):
    code, _, err = _run(capsys, "report", "--study", str(study), "--no-progress", "-p", "site")
    assert code == 2
    assert "-p 'site': expected NAME=VALUE, for example -p start_year=2016" in err


def test_undeclared_and_mistyped_parameters_stop_every_report_before_anything_runs(capsys, study, tmp_path):
    code, _, err = _run(capsys, "report", "--study", str(study), "--no-progress", "-p", "sitee=askim",
                        "-p", "lang=5")
    assert code == 2 and "Traceback" not in err
    assert "nothing was run" in err and '"sitee"' in err and 'did you mean "site"' in err
    assert '"lang"' in err
    assert not (tmp_path / "reports").exists()


def test_unknown_site_names_the_known_ones(capsys, study):
    code, _, err = _run(capsys, "report", "--study", str(study), "--site", "atlantis", "--no-progress")
    assert code == 2 and "'atlantis'" in err and "is not in the site registry" in err and "askim" in err


def test_report_before_data_says_which_command_to_run(capsys, study, tmp_path):
    (tmp_path / "processed" / "observations.parquet").unlink()
    code, _, err = _run(capsys, "report", "--study", str(study), "--no-progress")
    assert code == 2 and "No processed data in" in err and f"Run `samorg data --study {study}` first." in err


def test_bad_choice_is_refused_by_the_parser(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["report", "--lang", "se"])
    assert info.value.code == 2
    assert "invalid choice: 'se'" in capsys.readouterr().err


def test_interrupted_command_says_what_was_kept(capsys, monkeypatch, study):
    import samorg.pipeline

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(samorg.pipeline, "build_processed", interrupted)
    code, _, err = _run(capsys, "data", "--study", str(study))
    assert code == 130 and "Files already written are complete" in err and "Traceback" not in err


def test_a_bug_is_not_hidden(monkeypatch, study):
    """Only errors samorg raises on purpose (SamorgError) become messages; anything else is a bug and
    keeps its traceback."""
    import samorg.pipeline

    def bug(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(samorg.pipeline, "build_processed", bug)
    with pytest.raises(ZeroDivisionError):
        cli.main(["data", "--study", str(study)])


def test_version(capsys):
    from samorg import __version__

    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0 and capsys.readouterr().out.strip() == f"samorg {__version__}"


def test_debug_is_accepted_after_the_command_too(tmp_path):
    missing = str(tmp_path / "nope.yaml")
    after = subprocess.run([sys.executable, "-m", "samorg.cli", "data", "--study", missing, "--debug"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert after.returncode == 1 and "Traceback (most recent call last)" in after.stderr
    nested = subprocess.run([sys.executable, "-m", "samorg.cli", "national", "generate", str(tmp_path / "n"),
                             "--branches", "0", "--debug"], capture_output=True, text=True, cwd=tmp_path)
    assert nested.returncode == 1 and "Traceback (most recent call last)" in nested.stderr


@pytest.mark.parametrize("kinds", [["quality"], ["synthesis", "sites"]])
def test_site_with_a_study_wide_kind_is_refused_not_dropped(capsys, study, kinds):
    argv = ["report", "--study", str(study), "--site", "mysen", "--no-progress"]
    for kind in kinds:
        argv += ["--kind", kind]
    code, out, err = _run(capsys, *argv)
    wide = [k for k in kinds if k != "sites"][0]
    assert code == 2 and out == "" and "Traceback" not in err
    assert f"--site mysen with --kind {wide}: --site picks site reports" in err
    assert f"samorg report --kind {wide}" in err
    assert not (study.parent / "reports").exists()  # nothing ran


def test_site_with_kind_sites_runs_as_asked(capsys, study):
    # Gets as far as checking parameters: the combination itself is accepted.
    code, _, err = _run(capsys, "report", "--study", str(study), "--site", "mysen", "--kind", "sites",
                        "-p", "nope=1", "--no-progress")
    assert code == 2 and 'unknown parameter "nope"' in err and "cannot be run together" not in err


def test_national_generate_with_few_branches_works_and_nonsense_is_refused(capsys, tmp_path):
    import pandas as pd

    code, out, _ = _run(capsys, "national", "generate", str(tmp_path / "n"), "--branches", "5", "--years", "1",
                        "--first-year", "2021")
    table = pd.read_parquet(tmp_path / "n" / "counters_2021.parquet")
    assert code == 0 and len(table) == 5 * 8760 and f"{5 * 8760:,} hourly rows" in out
    assert table.groupby("branch")["municipality"].first().nunique() == 5  # one municipality per branch
    code, _, err = _run(capsys, "national", "generate", str(tmp_path / "m"), "--branches", "0")
    assert code == 2 and "branches=0: expected a whole number of at least 1" in err and "Traceback" not in err


def test_init_creates_a_study_and_says_what_to_run_next(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run(capsys, "init", "bergen")
    study = Path("config") / "bergen" / "study.yaml"
    assert code == 0 and (tmp_path / study).is_file()
    assert f"New study in {tmp_path / 'config' / 'bergen'}" in out
    assert f"samorg data --study {study}" in out and f"samorg report --study {study}" in out
    code, out, err = _run(capsys, "init", "bergen")  # never overwrites
    assert code == 2 and "already exists" in err
    code, out, _ = _run(capsys, "init", "moss", "--root", str(tmp_path / "elsewhere"))
    assert code == 0 and (tmp_path / "elsewhere" / "config" / "moss" / "study.yaml").is_file()
