"""Every public estimator speaks the vocabulary of docs/api.md (issue 16).

The tables are read from the document itself, so the doc and the signatures cannot drift apart: a new
keyword has to be written down (with its meaning) before an estimator may take it.
"""

from __future__ import annotations

import inspect
import re
import warnings
from pathlib import Path

import pytest

import samorg.models as models
from samorg.models._vocabulary import INFERENCE

DOC = Path(__file__).resolve().parents[1] / "docs" / "api.md"
ESTIMATORS = ("its", "did", "event_study", "synthetic_control", "ordinal", "ordinal_change", "pool",
              "meta_regression", "adjust", "rake", "poststratify", "sample_size", "detectable_shift")
#: Names that meant two things before issue 16 and may now appear in no signature.
RETIRED = {"se", "control", "period", "knapp_hartung", "donors"}


def _section(title: str) -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    part = text.split(f"## {title}", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in part.splitlines() if line.startswith("| ") and not line.startswith("|---")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[1:]]


def _names(cell: str) -> list[str]:
    return re.findall(r"`([a-z_]+)=?[^`]*`", cell)


def _estimators(cell: str) -> set[str]:
    return {name for name in re.split(r"[,\s]+", cell) if name in ESTIMATORS}


def _vocabulary() -> tuple[dict[str, set[str] | None], dict[str, set[str]], dict[str, set[str]]]:
    shared: dict[str, set[str] | None] = {}
    for cells in _section("1. The shared words"):
        if len(cells) != 4:
            continue  # the estimator-specific table of §1
        _, keyword, _, used_by = cells
        for name in _names(keyword):
            shared[name] = _estimators(used_by) or None  # None: any estimator may take it
    specific: dict[str, set[str]] = {e: set() for e in ESTIMATORS}
    text = DOC.read_text(encoding="utf-8").split("Estimator-specific keywords", 1)[1].split("\n## ", 1)[0]
    for line in text.splitlines():
        if line.startswith("| `"):
            keywords, owners = line.strip("|").split("|")[:2]
            for e in _estimators(owners):
                specific[e] |= set(_names(keywords))
    deprecated: dict[str, set[str]] = {e: set() for e in ESTIMATORS}
    for owners, old, _ in _section("6. Deprecated names (they still work, with a FutureWarning naming the new "
                                   "keyword)"):
        if "inference=" in old:
            continue  # an old value, not an old keyword
        for e in _estimators(owners):
            deprecated[e] |= set(_names(old))
    assert shared and any(specific.values()) and any(deprecated.values())
    return shared, specific, deprecated


SHARED, SPECIFIC, DEPRECATED = _vocabulary()


def _parameters(name: str) -> list[str]:
    return [p for p in inspect.signature(getattr(models, name)).parameters if p not in ("self",)]


@pytest.mark.parametrize("name", ESTIMATORS)
def test_every_keyword_is_in_the_vocabulary(name):
    unknown = [p for p in _parameters(name)
               if p not in SPECIFIC[name] and p not in DEPRECATED[name]
               and not (p in SHARED and (SHARED[p] is None or name in SHARED[p]))]
    assert not unknown, f"{name}() takes {unknown}, which docs/api.md does not give to {name}()"


@pytest.mark.parametrize("name", ESTIMATORS)
def test_no_estimator_takes_a_retired_name(name):
    kept = [p for p in _parameters(name) if p in RETIRED and p not in DEPRECATED[name]]
    assert not kept, f"{name}() still takes {kept} (see docs/api.md §1: never used for another meaning)"


def test_each_shared_word_is_taken_by_every_estimator_it_names():
    missing = [(word, e) for word, owners in SHARED.items() if owners for e in owners if word not in _parameters(e)]
    assert not missing, missing


def test_inference_is_one_keyword_with_one_set_of_values():
    for name in ESTIMATORS:
        params = inspect.signature(getattr(models, name)).parameters
        if "inference" not in params:
            continue
        default = params["inference"].default
        assert default is None or default in INFERENCE, (name, default)
    values = {cells[0].strip('`"') for cells in _section("2. Inference: one set of values")}
    assert values == set(INFERENCE)


def test_deprecated_keywords_are_shimmed_as_documented():
    for name, olds in DEPRECATED.items():
        fn = getattr(models, name)
        shimmed = set(getattr(fn, "__renamed_keywords__", {}))
        in_signature = set(_parameters(name))
        assert olds <= shimmed | in_signature, (name, olds - shimmed - in_signature)


def test_an_old_name_warns_and_names_the_new_keyword():
    import pandas as pd

    df = pd.DataFrame({"y": [1.0, 2, 3, 6, 1, 2, 3, 7], "g": [0, 0, 1, 1] * 2, "p": [0, 1] * 4})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        models.did(df, outcome="y", treated="g", post="p", inference="classical")
    messages = [str(w.message) for w in caught if issubclass(w.category, FutureWarning)]
    assert messages and "use group=" in messages[0]
