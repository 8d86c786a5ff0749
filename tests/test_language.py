"""The bokmål terms of EVIDENCE.md §8, everywhere samorg writes text (issue 15).

Scans every source file of the package (report texts and the estimators' sentences alike) for the wrong
terms the standard lists, with the right term in the message.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WRONG = {
    r"\blagger\b": "etterslep",
    r"(?<!over)spredning\b(?!sparameter)": "overspredningsparameter (or «variasjon mellom steder»)",
    r"behandlet gruppe|behandlede? (enhet|enheter|gruppe|klynger)|den behandlede": "tiltaksstedet / tiltakskommunen",
    r"avviser for ofte": "forkaster nullhypotesen for ofte",
    r"ærlig": "(never about a method)",
    r"fornøydhet": "samlet tilfredshet",
    r"andel toppsvar|\btoppsvar": "andel i de to øverste kategoriene",
    r"meta-analyse": "metaanalyse",
    r"Perioder før \(−\) og etter \(\+\)": "År før/etter samlokalisering",
    r"endret seg med [+−-]|endret seg med \{": "«var om lag N % høyere/lavere enn forventet …»",
}


def _scan(text: str) -> list[str]:
    hits = []
    for number, line in enumerate(text.splitlines(), 1):
        for pattern, right in WRONG.items():
            if re.search(pattern, line, re.I):
                hits.append(f"line {number}: {line.strip()[:90]} (write: {right})")
    return hits


def test_no_wrong_bokmal_terms_in_the_package():
    found = [f"{p.relative_to(ROOT)}: {h}" for p in sorted((ROOT / "src" / "samorg").rglob("*.py"))
             for h in _scan(p.read_text(encoding="utf-8"))]
    assert not found, "\n".join(found)


def test_the_scan_finds_each_wrong_term():
    sample = "\n".join(["4 lagger", "spredning 10", "behandlet gruppe", "avviser for ofte", "ærligere",
                        "fornøydhet", "andel toppsvar", "meta-analyse", "Perioder før (−) og etter (+) tiltaket",
                        "Besøkene endret seg med +10 % ved tiltaket", "andelen endret seg med {change} prosentpoeng"])
    assert len(_scan(sample)) == 11
    assert _scan("overspredningsparameter 10,3; metaanalyse; etterslep") == []
