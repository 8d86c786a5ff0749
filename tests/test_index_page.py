"""The landing page (issue 15): built from fake outcomes and the demo study object, no report is run."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import pytest

from samorg import fmt
from samorg.config import load_study
from samorg.report import QUALITY_JOB, SYNTHESIS_JOB
from samorg.report import index as index_module
from samorg.report.index import result_line, write_index
from samorg.report.render import external_resources
from samorg.report.runner import ReportOutcome

ROOT = Path(__file__).resolve().parents[1]
REASON = "Besøkstall mangler for måneden"


@pytest.fixture(scope="module")
def study():
    return load_study(ROOT / "config" / "demo" / "study.yaml")


def _made(folder: Path, name: str, title: str = "", *, pdf: bool = True) -> ReportOutcome:
    (folder / name).mkdir(parents=True, exist_ok=True)
    html = folder / name / f"{name}.html"
    html.write_text("<html></html>", encoding="utf-8")
    pdf_path = folder / name / f"{name}.pdf"
    if pdf:
        pdf_path.write_bytes(b"%PDF")
    return ReportOutcome(name=name, status="ok", html=html, pdf=pdf_path if pdf else None, title=title or name,
                         seconds=3.0)


@pytest.fixture
def outcomes(study, tmp_path):
    """A report per site, the synthesis and the data-quality report, one site failed, in the runner's order."""
    out = tmp_path / "reports"
    sites = list(study.sites)
    failed = sites[1]
    made = []
    for site in sites:
        if site is failed:
            made.append(ReportOutcome(name=site.site_id, status="failed", error=f"ValueError: {REASON}",
                                      title=site.name))
        else:
            made.append(_made(out, site.site_id, site.name))
    made.append(_made(out, QUALITY_JOB, "Datakvalitet"))
    made.append(_made(out, SYNTHESIS_JOB, "Syntese"))
    return out, made, failed


def _page(study, outcomes, lang="nb", monkeypatch=None, cache=None) -> str:
    out, made, _ = outcomes
    if monkeypatch is not None:
        monkeypatch.setattr(index_module, "_cached_results", lambda s: cache or {})
    path = write_index(made, out / "index.html", title="Rapporter", lang=lang, study=study,
                       generated_at=dt.datetime(2026, 1, 2, 3, 4))
    return path.read_text(encoding="utf-8")


def _pos(html: str, needle: str) -> int:
    assert needle in html, needle
    return html.index(needle)


def test_synthesis_first_then_sites_by_municipality_then_data_quality_last(study, outcomes, monkeypatch):
    html = _page(study, outcomes, monkeypatch=monkeypatch)
    main = html.split("<main>")[1].split("</main>")[0]
    synthesis = _pos(main, f'href="{SYNTHESIS_JOB}/{SYNTHESIS_JOB}.html"')
    quality = _pos(main, f'href="{QUALITY_JOB}/{QUALITY_JOB}.html"')
    site_links = [m.start() for m in re.finditer(r'href="(\w+)/\1\.html"', main)
                  if m.group(1) not in (SYNTHESIS_JOB, QUALITY_JOB)]
    assert site_links and synthesis < min(site_links) and quality > max(site_links)
    assert main.index("<h1>") < synthesis  # the study's title, then where to start
    assert study.title_in("nb") in main.split("<h2")[0]


def test_sites_are_grouped_under_their_municipality_with_their_date_or_role(study, outcomes, monkeypatch):
    html = _page(study, outcomes, monkeypatch=monkeypatch)
    main = html.split("<main>")[1].split("</main>")[0]
    heads = {m.group(1): m.start() for m in re.finditer(r"<h3>([^<]+)</h3>", main)}
    codes = list(dict.fromkeys(s.municipality_code for s in study.sites))
    starts = sorted(heads[study.municipalities[c].name] for c in codes)
    for site in study.sites:
        muni = study.municipalities[site.municipality_code].name
        at = main.index(f">{site.name}<")
        following = [p for p in starts if p > heads[muni]]
        assert heads[muni] < at < (following[0] if following else len(main)), site.name
        item = main[at:main.index("</li>", at)]
        if site.role == "treated":
            assert fmt.date(site.co_located, lang="nb") in item, site.name
        elif site.role == "comparison":
            assert "Ikke samlokalisert" in item and "sammenligningssted" in item, site.name


def test_a_failed_report_says_why_in_plain_words(study, outcomes, monkeypatch):
    _, _, failed = outcomes
    html = _page(study, outcomes, monkeypatch=monkeypatch)
    item = html[html.index(f'id="report-{failed.site_id}"'):]
    item = item[:item.index("</li>")]
    visible = re.sub(r"<details>.*?</details>", "", item, flags=re.S)
    assert f"Rapporten kunne ikke lages: {REASON}" in visible and "ValueError" not in visible
    assert f"ValueError: {REASON}" in item  # the technical message stays, folded away
    assert f'href="{failed.site_id}/' not in item  # nothing to link to


def test_result_line_from_the_cache_beside_a_made_report_only(study, outcomes, monkeypatch):
    _, _, failed = outcomes
    treated = [s for s in study.sites_with_role("treated") if s is not failed]
    entry = {"estimate": math.log(1.10), "ci_low": math.log(1.04), "ci_high": math.log(1.16), "link": "log",
             "level": 0.95, "period_start": "2030-01-01", "period_end": "2033-12-01", "p": 0.01, "p_holm": 0.02}
    cache = {s.site_id: entry for s in study.sites_with_role("treated")}
    html = _page(study, outcomes, monkeypatch=monkeypatch, cache=cache)
    assert html.count('class="result"') == len(treated)
    pct = lambda x: fmt.signed_percent(x, decimals=0)  # noqa: E731
    assert f"om lag {fmt.percent(0.10, decimals=0)} høyere enn forventet" in html and "2030–2033" in html
    assert f"(95 % KI {pct(0.04)} til {pct(0.16)})" in html
    assert 'class="result"' not in _page(study, outcomes, monkeypatch=monkeypatch, cache={})
    comparison = study.sites_with_role("comparison")[0]
    assert result_line(study, comparison, entry, "nb") is None  # never an effect for an untreated site
    wide = dict(entry, ci_low=math.log(0.97))
    assert "Ingen endring er også forenlig med dataene." in result_line(study, treated[0], wide, "nb")


def test_english_page(study, outcomes, monkeypatch):
    html = _page(study, outcomes, lang="en", monkeypatch=monkeypatch)
    assert '<html lang="en">' in html and study.title_in("en") in html
    for words in ("Start here", "Reports by site", "Appendix", "The report could not be produced", "About this build"):
        assert words in html, words
    for word in ("Start her<", "Vedlegg", "Feilet", "ikke samlokalisert", "Rapporter per sted"):
        assert word not in html, word


def test_no_external_requests_and_a_readable_measure(study, outcomes, monkeypatch):
    html = _page(study, outcomes, monkeypatch=monkeypatch)
    assert external_resources(html) == [] and "http" not in html
    assert '<meta name="viewport"' in html and "<main>" in html and "max-width: 46rem" in html


def test_build_facts_and_reuse_only_inside_the_collapsed_details(study, outcomes, monkeypatch):
    out, made, _ = outcomes
    made[0].reused = True
    made[0].reason = "uendrede inndata"
    html = _page(study, (out, made, None), monkeypatch=monkeypatch)
    details = re.findall(r"<details><summary>Om byggingen</summary>.*?</details>", html, flags=re.S)
    assert len(details) == 1
    outside = html.replace(details[0], "")
    for fact in ("uendrede inndata", "Gjenbrukt", "02.01.2026 03:04", ">OK<"):
        assert fact in details[0] and fact not in outside, fact


def test_without_a_study_the_reports_are_listed_in_order(tmp_path):
    out = tmp_path / "reports"
    made = [_made(out, "b", "Bee"), _made(out, "a", "Ay", pdf=False)]
    html = write_index(made, out / "index.html", title="Mine rapporter").read_text(encoding="utf-8")
    assert "<h1>Mine rapporter</h1>" in html and html.index(">Bee<") < html.index(">Ay<")
    assert 'href="a/a.pdf"' not in html and 'href="b/b.pdf"' in html
