"""Generate environment.yml (for conda users) from pyproject.toml, so the two never drift.

Usage: python tools/environment_yml.py > environment.yml
A test regenerates it and compares with the committed file.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Packages that conda-forge does not carry under the same name stay pip installs.
PIP_ONLY = {"pypandoc-binary", "typst"}
# Packages conda-forge carries under another name.
CONDA_NAMES = {"jupyter-client": "jupyter_client"}


def _name(requirement: str) -> str:
    return requirement.split(">")[0].split("<")[0].split("=")[0].strip()


def _conda(requirement: str) -> str:
    name = _name(requirement)
    return CONDA_NAMES.get(name, name) + requirement[len(name):]


def render() -> str:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    python = meta["requires-python"].removeprefix(">=")
    deps = list(meta["dependencies"]) + list(meta["optional-dependencies"]["test"])
    deps += list(meta["optional-dependencies"]["lab"])
    conda = [_conda(d) for d in deps if _name(d) not in PIP_ONLY]
    pip = [d for d in deps if _name(d) in PIP_ONLY]
    lines = [
        "# Generated from pyproject.toml by tools/environment_yml.py: do not edit by hand.",
        "name: samorg",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        f"  - python>={python}",
        "  - pip",
    ]
    lines += [f"  - {d}" for d in conda]
    lines += ["  - pip:"] + [f"      - {d}" for d in pip] + ["      - -e ."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
