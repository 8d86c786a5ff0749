"""The docs stay true: every test the bad-input catalogue names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_test_named_in_the_bad_input_catalogue_exists():
    text = (ROOT / "docs" / "bad-inputs.md").read_text(encoding="utf-8")
    named = re.findall(r"`(test_[a-z0-9_]+\.py)::(test_[A-Za-z0-9_]+)`", text)
    assert len(named) >= 25
    missing = []
    for file, test in named:
        path = ROOT / "tests" / file
        if not path.is_file() or not re.search(rf"^def {test}\(", path.read_text(encoding="utf-8"), re.M):
            missing.append(f"{file}::{test}")
    assert not missing, missing
