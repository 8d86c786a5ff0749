"""Every demo report obeys EVIDENCE.md §6 (issue 12): what is never printed, checked on the rendered text.

All demo reports (every site, the synthesis) are rendered once; their text is scanned for an infinite or
unbounded interval, a statistic divided by a number that is zero in practice, "more than 1 000"
ratios, effects on sites that were never treated, a method called "honest", and internal names.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

NEVER = {
    "an infinite interval": re.compile(r"∞"),
    "a pre-period fit error of zero": re.compile(r"0,0000\b"),
    "a ratio divided by ~0": re.compile(r"mer enn 1\s?000"),
    "a method called honest": re.compile(r"\bærlig", re.I),
    "an internal name": re.compile(r"read_source|site_id|period_start|\bits\(|report\.load\("),
}


def _text(html: Path) -> str:
    raw = html.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
    raw = re.sub(r"<img\b[^>]*>", " ", raw)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", raw))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, copy_demo_study):
    from samorg.config import load_study
    from samorg.pipeline import build_processed
    from samorg.report import run_study_reports

    study = load_study(copy_demo_study(tmp_path_factory.mktemp("evidence")))
    build_processed(study)
    outcomes = run_study_reports(study, pdf=False, progress=False, kinds=("sites", "synthesis"))
    assert all(o.status == "ok" for o in outcomes), [(o.name, o.status) for o in outcomes if o.status != "ok"]
    return study


def test_no_report_prints_what_evidence_md_forbids(rendered):
    found = []
    for html in sorted(rendered.reports_dir.glob("*/*.html")):
        text = _text(html)
        for what, pattern in NEVER.items():
            for m in pattern.finditer(text):
                found.append(f"{html.parent.name}: {what}: …{text[max(0, m.start() - 60):m.end() + 40]}…")
    assert not found, "\n".join(found)


def test_sites_never_treated_get_no_effect(rendered):
    for site in rendered.sites:
        text = _text(rendered.reports_dir / site.site_id / f"{site.site_id}.html")
        if site.role == "treated":
            assert "enn forventet uten samlokalisering" in text, site.site_id
            assert "Tillit til resultatet" in text, site.site_id
        else:
            assert "enn forventet uten samlokalisering" not in text, site.site_id
            assert "; forhåndsspesifisert)" not in text and "Tillit til resultatet" not in text, site.site_id
            assert "får ikke noe eget effektanslag" in text or "anslår ingen effekt" in text, site.site_id


def test_every_treated_site_states_its_estimand(rendered):
    from samorg.analysis import estimand

    for site in rendered.sites_with_role("treated"):
        text = _text(rendered.reports_dir / site.site_id / f"{site.site_id}.html")
        kind = estimand(rendered, site).kind
        phrase = "samlet" if kind == "bundle" else "gitt at bibliotek og innbyggertorg allerede var samorganisert"
        assert "Hva dataene kan vise" in text and phrase in text, (site.site_id, kind)


def test_site_and_synthesis_reports_have_the_anatomy(rendered):
    """EVIDENCE.md §7: the same headings in every site report and the synthesis (bokmål here; English in
    test_second_study)."""
    for site in rendered.sites:
        text = _text(rendered.reports_dir / site.site_id / f"{site.site_id}.html")
        for heading in ("Sammendrag", "Innledning", "Data og metode", "Resultater", "Drøfting", "Konklusjon",
                        "Referanser", "Ordliste", "Teknisk vedlegg"):
            assert heading in text, (site.site_id, heading)
        assert "Figur 1:" in text or site.role != "treated", site.site_id
        assert "Kilde:" in text or site.role != "treated", site.site_id
    synthesis = _text(rendered.reports_dir / "syntese" / "syntese.html")
    for heading in ("Innhold", "Sammendrag", "Innledning", "Data og metode", "Resultater", "Drøfting", "Referanser"):
        assert heading in synthesis, heading
