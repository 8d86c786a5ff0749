"""The environment: lock files follow pyproject.toml, the minimum lock pins every floor, internals are capped.

`./dev` installs ``requirements.lock`` (every package pinned by ``uv pip compile``) into ``.venv`` and
``requirements-min.lock`` (every direct dependency at its declared floor) into ``.venv-min``; CI's
``./dev test`` runs the suite in both. These tests fail when pyproject.toml changes without
``./dev lock``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
#: Libraries whose internals samorg uses (subclasses, private options, the pandoc CLI): they need a cap.
USES_INTERNALS = ("papermill", "ipykernel", "jupyter-client", "nbconvert", "typst", "pypandoc-binary")


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _requirements(*extras: str) -> list[Requirement]:
    meta = _project()
    reqs = list(meta["dependencies"])
    for extra in extras:
        reqs += meta["optional-dependencies"][extra]
    return [Requirement(r) for r in reqs]


def _pins(lock: str) -> dict[str, str]:
    """Package → pinned version of the lock's lines that apply to this Python and platform."""
    pins: dict[str, str] = {}
    for line in (ROOT / lock).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        req = Requirement(line)
        assert len(req.specifier) == 1 and next(iter(req.specifier)).operator == "==", f"{lock}: {line!r} is not a pin"
        if req.marker is None or req.marker.evaluate():
            pins[canonicalize_name(req.name)] = next(iter(req.specifier)).version
    return pins


@pytest.mark.parametrize(("lock", "extras"), [("requirements.lock", ("test", "lab")),
                                             ("requirements-min.lock", ("test",))])
def test_every_dependency_is_pinned_within_its_declared_range(lock, extras):
    pins = _pins(lock)
    problems = []
    for req in _requirements(*extras):
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{req.name} is not in {lock}")
        elif not req.specifier.contains(pins[name], prereleases=True):
            problems.append(f"{req.name}=={pins[name]} does not satisfy {req.specifier}")
    assert not problems, f"{lock} is out of date (run `./dev lock`): " + "; ".join(problems)


def test_the_minimum_lock_pins_every_direct_dependency_at_its_floor():
    """Each pin is the floor's release (``scipy>=1.11`` may pin 1.11.1 when 1.11.0 was withdrawn)."""
    pins = _pins("requirements-min.lock")
    off = []
    for req in _requirements("test"):
        floors = [Version(s.version) for s in req.specifier if s.operator == ">="]
        assert floors, f"{req.name}: every dependency needs a declared floor (>=)"
        pinned = Version(pins.get(canonicalize_name(req.name), "0"))
        if pinned < floors[0] or pinned.release[:len(floors[0].release)] != floors[0].release:
            off.append(f"{req.name}: floor {floors[0]}, pinned {pinned}")
    assert not off, "requirements-min.lock must pin each floor (run `./dev lock`): " + "; ".join(off)


def test_libraries_whose_internals_are_used_have_an_upper_bound():
    declared = {canonicalize_name(r.name): r for r in _requirements()}
    for name in USES_INTERNALS:
        assert any(s.operator == "<" for s in declared[name].specifier), f"{name} needs an upper bound"
    typst = next(s.version for s in declared["typst"].specifier if s.operator == "<")
    assert typst.startswith("0."), "typst is before 1.0: cap it at the next minor release"


def test_dev_installs_from_the_lock_and_ci_tests_both_environments():
    dev = (ROOT / "dev").read_text(encoding="utf-8")
    assert re.search(r"^LOCK=requirements\.lock\b", dev, re.M) and re.search(r"^MIN_LOCK=requirements-min\.lock\b",
                                                                             dev, re.M)
    assert '-r "$lock"' in dev and "--no-deps -e ." in dev
    test_task = dev[dev.index("task_test()"):dev.index("task_lab()")]
    assert '"$PY" -m pytest' in test_task and '"$MIN_VENV/bin/python" -m pytest' in test_task
    ci = [ln for ln in (ROOT / ".ci/run").read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    assert ci[-1] == "./dev test"
