"""The whole path on the embedded demo world: raw files → processed tables → site reports → index."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # the whole pipeline through the CLI: run once, in the locked environment

ROOT = Path(__file__).resolve().parents[1]
SITES = ("askim", "papirbredden")  # one co-located at the merger, one never co-located


def _samorg(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "samorg.cli", *args], capture_output=True, text=True, cwd=cwd, timeout=900
    )


def _raw_hashes() -> dict[str, str]:
    return {
        str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((ROOT / "data" / "raw" / "demo").rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory, copy_demo_study):
    tmp = tmp_path_factory.mktemp("e2e")
    study = copy_demo_study(tmp)
    before = _raw_hashes()
    data = _samorg("data", "--study", str(study))
    assert data.returncode == 0, data.stderr
    report = _samorg("report", "--study", str(study), "--no-progress", *[a for s in SITES for a in ("--site", s)])
    return {"tmp": tmp, "study": study, "before": before, "data": data, "report": report}


def test_report_command_succeeds_for_each_site(built):
    assert built["report"].returncode == 0, built["report"].stderr
    reports = built["tmp"] / "reports"
    for site in SITES:
        assert (reports / site / f"{site}.html").stat().st_size > 10_000
        assert (reports / site / f"{site}.pdf").read_bytes()[:4] == b"%PDF"


def test_index_links_every_report(built):
    index = (built["tmp"] / "reports" / "index.html").read_text(encoding="utf-8")
    for site in SITES:
        assert f'href="{site}/{site}.html"' in index
        assert f'href="{site}/{site}.pdf"' in index


def test_html_is_for_readers_norwegian_and_marked_synthetic(built):
    html = (built["tmp"] / "reports" / "askim" / "askim.html").read_text(encoding="utf-8")
    assert "Syntetiske demodata" in html
    assert "report.load(" not in html and "import samorg" not in html  # no code cells
    assert "Samlokaliseringen 01.01.2020" in html
    assert re.search(r"\d+,\d+", html), "expected numbers with a decimal comma"
    assert "95 %" in html
    assert not re.search(r"""<(script|link)[^>]+(src|href)="https?://""", html)


def test_every_pdf_page_says_the_data_are_synthetic(built):
    from pypdf import PdfReader

    reader = PdfReader(built["tmp"] / "reports" / "askim" / "askim.pdf")
    assert len(reader.pages) >= 2
    for page in reader.pages:
        text = page.extract_text()
        assert "Syntetiske demodata" in text
    body = "\n".join(p.extract_text() for p in reader.pages)
    assert "Traceback" not in body


def test_never_co_located_site_says_so_instead_of_an_effect(built):
    html = (built["tmp"] / "reports" / "papirbredden" / "papirbredden.html").read_text(encoding="utf-8")
    # One behaviour (EVIDENCE.md §1: never co-located → describe, nothing causal): the visits section says
    # there is no change to analyse, and no co-organisation effect is fitted in its place.
    assert "ingen dato for samlokalisering" in html
    assert "Samorganiseringen" not in html and "samorganiseringen 01.01.2020" not in html


def test_raw_data_is_never_modified(built):
    assert _raw_hashes() == built["before"]


def test_undeclared_parameter_is_refused_before_anything_runs(built, tmp_path):
    out = tmp_path / "out"
    res = _samorg(
        "report", "--study", str(built["study"]), "--site", "askim", "--no-progress",
        "--out", str(out), "-p", "sitee=askim",
    )
    assert res.returncode != 0
    assert "sitee" in res.stderr and "Traceback" not in res.stderr
    assert not (out / "askim").exists()


def test_unknown_site_is_a_clear_error(built):
    res = _samorg("report", "--study", str(built["study"]), "--site", "atlantis", "--no-progress")
    assert res.returncode == 2
    assert "atlantis" in res.stderr and "askim" in res.stderr and "Traceback" not in res.stderr


@pytest.mark.parametrize("site", ["askim", "mysen", "svelvik"])
def test_site_report_model_recovers_the_planted_visit_effect(built, site):
    """The report's ITS (controlled, COVID-19 window left out) covers the effect planted in the demo world."""
    import warnings

    import samorg.report.site as report
    from samorg.demo import truth

    planted = truth().visit_effect[site]
    ctx = report.load(built["study"], site)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = report.visits_effect(ctx)
    low, high = result.ratio_ci()
    assert low <= planted <= high, (site, planted, low, high)
    assert result.details["control"]  # compared with the never-co-located sites
    assert result.details["excluded_windows"]  # COVID-19 months left out


def test_english_report_has_english_words(built, tmp_path):
    out = tmp_path / "en"
    res = _samorg("report", "--study", str(built["study"]), "--site", "mysen", "--lang", "en", "--no-pdf",
                  "--no-progress", "--out", str(out))
    assert res.returncode == 0, res.stderr
    html = (out / "mysen" / "mysen.html").read_text(encoding="utf-8")
    assert "Synthetic demo data" in html
    assert "Co-location on 1 Jan 2020" in html
    for bokmal in ("Syntetiske demodata", "Samlokaliseringen", "Metode og forbehold", "Besøk per måned"):
        assert bokmal not in html


def test_synthesis_and_data_quality_reports_render(built, tmp_path):
    out = tmp_path / "study_reports"
    res = _samorg("report", "--study", str(built["study"]), "--kind", "synthesis", "--kind", "quality",
                  "--no-progress", "--out", str(out))
    assert res.returncode == 0, res.stderr
    synthesis = (out / "syntese" / "syntese.html").read_text(encoding="utf-8")
    assert "kunnskapskart" in synthesis and "prediksjonsintervall" in synthesis
    quality = (out / "datakvalitet" / "datakvalitet.html").read_text(encoding="utf-8")
    assert "Duplisert eksportfil forkastet" in quality and "Besøksteller ute av drift" in quality
    assert (out / "syntese" / "syntese.pdf").read_bytes()[:4] == b"%PDF"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="syntese/syntese.html"' in index and 'href="datakvalitet/datakvalitet.pdf"' in index


def test_exploration_notebook_runs_every_model(built, tmp_path):
    """The JupyterLab starting point executes top to bottom on the demo study."""
    import papermill

    out = tmp_path / "exploration.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "1.01-samorg-exploration.ipynb"), str(out),
        parameters={"study_file": str(built["study"])}, cwd=str(ROOT / "notebooks"), progress_bar=False,
        kernel_name="python3",
    )
    text = out.read_text(encoding="utf-8")
    for phrase in ("interrupted time series", "difference in differences", "Callaway", "ordered",
                   "random-effects", "synthetic control"):
        assert phrase in text, phrase


def test_an_unchanged_rerun_executes_no_report(built):
    """Issue 17: the same `samorg report` again reuses every report; its files are not even touched."""
    reports = built["tmp"] / "reports"
    before = {p: p.stat().st_mtime_ns for site in SITES for p in (reports / site).iterdir()}
    res = _samorg("report", "--study", str(built["study"]), "--no-progress", *[a for s in SITES for a in ("--site", s)])
    assert res.returncode == 0, res.stderr
    assert f"0 built, 2 reused (unchanged): {', '.join(SITES)}" in res.stdout, res.stdout
    assert {p: p.stat().st_mtime_ns for p in before} == before
    assert "2 reused (unchanged)" in (reports / "run.log").read_text(encoding="utf-8")


def test_a_changed_registry_entry_rebuilds_that_site_and_the_synthesis_only(built, tmp_path):
    """Issue 17, counted not timed: a copy of the study with four sites (two treated ones and their two
    comparison sites) built once, HTML only; then nothing changed executes nothing, and one site's changed
    registry entry executes that site and the synthesis (the index is written each run), nothing else."""
    import shutil
    from html import unescape

    import yaml

    from samorg import fmt
    from samorg.config import load_study
    from samorg.report import run_study_reports

    shutil.copytree(built["tmp"] / "processed", tmp_path / "processed")
    raw = yaml.safe_load(built["study"].read_text(encoding="utf-8"))
    registry = yaml.safe_load(Path(raw["sites_file"]).read_text(encoding="utf-8"))
    kept = ("askim", "mysen", "papirbredden", "konnerud")
    registry["sites"] = {k: v for k, v in registry["sites"].items() if k in kept}
    (tmp_path / "sites.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    raw.update(sites_file=str(tmp_path / "sites.yaml"), processed_dir=str(tmp_path / "processed"),
               reports_dir=str(tmp_path / "reports"))
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")

    def run() -> dict:
        outcomes = run_study_reports(load_study(tmp_path / "study.yaml"), pdf=False, progress=False, workers=2)
        assert all(o.ok for o in outcomes), [(o.name, o.error) for o in outcomes]
        return {o.name: o for o in outcomes}

    first = run()
    assert sorted(first) == ["askim", "datakvalitet", "konnerud", "mysen", "papirbredden", "syntese"]
    assert not any(o.reused for o in first.values())
    again = run()
    assert all(o.reused for o in again.values()), {n: o.reason for n, o in again.items()}
    index = tmp_path / "reports" / "index.html"
    index_before = index.stat().st_mtime_ns
    registry["sites"]["askim"]["catchment_population"] += 1000
    (tmp_path / "sites.yaml").write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
    after = run()
    assert sorted(n for n, o in after.items() if not o.reused) == ["askim", "syntese"], \
        {n: o.reason for n, o in after.items()}
    assert after["askim"].reason == "registeroppføringen for stedet er endret"
    assert after["syntese"].reason == "stedsregisteret er endret"
    html = unescape((tmp_path / "reports" / "askim" / "askim.html").read_text(encoding="utf-8"))
    assert fmt.number(registry["sites"]["askim"]["catchment_population"], lang="nb") in html
    assert index.stat().st_mtime_ns > index_before
