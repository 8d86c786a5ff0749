"""Packaging: environment.yml follows pyproject.toml; the public API is deliberate; import is light."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_environment_yml_is_generated_from_pyproject():
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import environment_yml
    finally:
        sys.path.pop(0)
    committed = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert committed == environment_yml.render(), (
        "environment.yml is out of date: run `python tools/environment_yml.py > environment.yml`"
    )


def test_import_samorg_does_not_import_heavy_libraries():
    code = (
        "import sys, samorg; heavy = [m for m in ('statsmodels', 'matplotlib', 'seaborn', 'papermill', "
        "'nbconvert') if m in sys.modules]; print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_api_is_sorted_and_importable():
    import samorg

    assert list(samorg.__all__) == sorted(samorg.__all__)
    for name in samorg.__all__:
        assert hasattr(samorg, name), name
