"""`./dev`: JupyterLab is in the environment, `./dev lab` passes its arguments on and installs nothing when
nothing changed, and `./dev help` says what `./dev test` runs."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_dev_lab_passes_its_arguments_to_jupyterlab_and_does_not_reinstall():
    # JupyterLab is part of the locked environment `./dev` makes (the lab extra), not installed on first use.
    probe = [str(ROOT / ".venv" / "bin" / "python"), "-c", "import jupyterlab; print(jupyterlab.__version__)"]
    version = subprocess.run(probe, capture_output=True, text=True, timeout=120, check=True).stdout.strip()
    done = subprocess.run([str(ROOT / "dev"), "lab", "--version"], capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert version and done.stdout.strip() == version  # `--version` reached JupyterLab
    assert "Installing" not in done.stderr  # the stamp says nothing changed: no network, no reinstall


def test_dev_help_says_what_dev_test_runs():
    done = subprocess.run([str(ROOT / "dev"), "help"], capture_output=True, text=True, timeout=60)
    line = next(ln for ln in done.stderr.splitlines() if ln.strip().startswith("test "))
    assert ".venv-min" in line and "minimum versions" in line and "ARGS" in line
