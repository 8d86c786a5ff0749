"""No demo fact lives in the report code (issue 13): years, places and counts come from the study's files.

The check reads every source file under src/samorg/report and the report templates' generator, and
fails on a calendar year, a place name of the demo world, a count of municipalities written out, or
COVID-19 named as a fact of the study. Each hit is listed with its file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "src" / "samorg" / "report").rglob("*.py"))


def _demo_places() -> set[str]:
    from samorg.config import load_study

    study = load_study(ROOT / "config" / "demo" / "study.yaml")
    names = {m.name for m in study.municipalities.values()}
    for s in study.sites:
        names |= {s.name, *s.aliases}
    return {n for n in names if n}


PATTERNS = {
    "a calendar year": re.compile(r"(?<![\d.,])(19[5-9]\d|20[0-4]\d)(?![\d])"),
    "a count of municipalities": re.compile(r"\b(to|two|åtte|eight) (kommuner|municipalities)\b", re.I),
    # COVID-19 in words; an estimator's keyword such as overlaps_covid= is an API name, not a claim.
    "COVID-19 as a fact of the study": re.compile(r"(?<![_a-z])covid(?![_a-z])", re.I),
}


def _hits(text: str, places: set[str]) -> list[tuple[int, str]]:
    hits = []
    for number, line in enumerate(text.splitlines(), 1):
        for what, pattern in PATTERNS.items():
            if pattern.search(line):
                hits.append((number, f"{what}: {line.strip()[:100]}"))
        for place in places:
            if re.search(rf"\b{re.escape(place)}\b", line):
                hits.append((number, f"the demo place {place!r}: {line.strip()[:100]}"))
    return hits


def test_report_code_holds_no_demo_facts():
    places = _demo_places()
    assert {"Drammen", "Askim", "Indre Østfold"} <= places
    found = [f"{path.relative_to(ROOT)}:{n}: {what}" for path in FILES
             for n, what in _hits(path.read_text(encoding="utf-8"), places)]
    assert not found, "\n".join(found)


def test_the_check_finds_what_it_looks_for():
    places = {"Askim"}
    sample = ('x = t("key", year=2019)\n"Bare to kommuner"\n"COVID-19 window"\n"Askim bibliotek"\n'
              '"{n} kommuner 3,2020"\ngrade(overlaps_covid=True)')
    assert [n for n, _ in _hits(sample, places)] == [1, 2, 3, 4]
