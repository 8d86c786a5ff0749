"""Shared test set-up: a non-interactive plotting backend and no figure left open."""

from __future__ import annotations

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture(scope="session")
def copy_demo_study():
    """A function writing the demo study into a folder with its outputs redirected there.

    The raw demo data and the site registry are read in place (never written); processed data and
    reports go to ``folder/processed`` and ``folder/reports``. Returns the new study file.
    """
    from pathlib import Path

    import yaml

    demo = Path(__file__).resolve().parents[1] / "config" / "demo" / "study.yaml"

    def copy(folder: Path) -> Path:
        raw = yaml.safe_load(demo.read_text(encoding="utf-8"))
        raw["raw_dir"] = str((demo.parent / raw["raw_dir"]).resolve())
        raw["sites_file"] = str((demo.parent / raw["sites_file"]).resolve())
        raw["processed_dir"] = str(folder / "processed")
        raw["reports_dir"] = str(folder / "reports")
        path = folder / "study.yaml"
        path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return copy
