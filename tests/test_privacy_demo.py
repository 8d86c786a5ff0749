"""The demo world's planted fake identifiers never reach processed data or a rendered report.

One build of the processed tables and one site report (HTML and PDF), both into a temporary folder.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from samorg.demo import truth
from samorg.privacy import find_identifiers, redact_series, scan_outputs

ROOT = Path(__file__).resolve().parents[1]
DEMO_STUDY = ROOT / "config" / "demo" / "study.yaml"
SITE = "askim"


def _study_copy(tmp: Path) -> Path:
    """The demo study with its outputs redirected into ``tmp`` (raw data read in place)."""
    raw = yaml.safe_load(DEMO_STUDY.read_text(encoding="utf-8"))
    raw["raw_dir"] = str((DEMO_STUDY.parent / raw["raw_dir"]).resolve())
    raw["sites_file"] = str((DEMO_STUDY.parent / raw["sites_file"]).resolve())
    raw["processed_dir"] = str(tmp / "processed")
    raw["reports_dir"] = str(tmp / "reports")
    path = tmp / "study.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _planted_names() -> list[str]:
    return [i for i in truth().planted_identifiers if "@" not in i and not any(c.isdigit() for c in i)]


def _present(identifiers, pieces) -> list[str]:
    """The identifiers found in any of the text ``pieces`` (cells, lines): as written, ignoring case, or
    as digits only (a phone number's last 8 digits, an identity number's 11) within one piece."""
    pieces = [str(p) for p in pieces]
    lowered = [p.casefold() for p in pieces]
    digit_pieces = [re.sub(r"\D", "", p) for p in pieces]
    found = []
    for ident in identifiers:
        digits = re.sub(r"\D", "", ident)
        key = digits[-8:] if len(digits) in (8, 10, 12) else digits  # phone (with 47 / 0047) or fnr
        if any(ident.casefold() in p for p in lowered) or (len(key) >= 8 and any(key in d for d in digit_pieces)):
            found.append(ident)
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from samorg.config import load_study
    from samorg.pipeline import build_processed
    from samorg.report import run_study_reports

    tmp = tmp_path_factory.mktemp("privacy_demo")
    study = load_study(_study_copy(tmp))
    build_processed(study)
    [outcome] = run_study_reports(study, sites=[SITE], workers=1, progress=False)
    return {"study": study, "outcome": outcome}


def test_planted_identifiers_are_in_the_raw_free_text_and_redaction_removes_every_one():
    """The positive control: the identifiers really are there to leak, and the rules catch each one."""
    from samorg.sources import read_inquiries, read_survey

    raw = DEMO_STUDY.parent / yaml.safe_load(DEMO_STUDY.read_text(encoding="utf-8"))["raw_dir"]
    notes = [read_inquiries(p)["note"] for p in sorted((raw / "henvendelser").glob("*.csv"))]
    comments = [read_survey(p)["comment"] for p in sorted((raw / "undersokelser").glob("*"))
                if p.suffix in (".csv", ".xlsx")]
    texts = notes + comments
    planted = truth().planted_identifiers
    raw_values = [v for s in texts for v in s.dropna().astype(str)]
    assert set(_present(planted, raw_values)) == set(planted)
    redacted = [v for s in texts for v in redact_series(s, names=_planted_names()).dropna().astype(str)]
    assert _present(planted, redacted) == []
    for text in truth().planted_texts:
        found = {i.text for i in find_identifiers(text.text, names=_planted_names())}
        assert set(text.identifiers) <= found, text.text


def test_no_planted_identifier_reaches_processed_data(demo):
    processed = demo["study"].processed_dir
    planted = truth().planted_identifiers
    files = sorted(processed.glob("*.parquet"))
    assert len(files) == 5
    for path in files:
        table = pq.read_table(path)
        cells = [str(v) for col in table.columns for v in col.to_pylist()]
        metadata = [v.decode("utf-8", "replace") for v in (table.schema.metadata or {}).values()]
        assert _present(planted, cells + metadata) == [], path.name
        assert not [c for c in cells if "@" in c], path.name
    manifest = (processed / "manifest.json").read_text(encoding="utf-8")
    assert _present(planted, manifest.splitlines()) == []


def test_no_planted_identifier_reaches_the_rendered_report(demo):
    from pypdf import PdfReader

    outcome = demo["outcome"]
    assert outcome.ok, outcome.error_detail
    files = [outcome.ipynb, outcome.html, outcome.pdf]
    assert scan_outputs(files, names=_planted_names()) == []
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(outcome.pdf).pages)
    planted = truth().planted_identifiers
    for text in (outcome.ipynb.read_text(encoding="utf-8"), outcome.html.read_text(encoding="utf-8"), pdf_text):
        without_pictures = re.sub(r"[A-Za-z0-9+/=\\n]{200,}", " ", text)  # base64 images: not text
        assert _present(planted, without_pictures.splitlines()) == []


def test_raw_folders_other_than_the_demo_are_ignored_by_git():
    def ignored(path: str) -> bool:
        res = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=ROOT, capture_output=True)
        assert res.returncode in (0, 1), res.stderr
        return res.returncode == 0

    assert ignored("data/raw/somemunicipality/x.csv")
    assert ignored("data/raw/drammen/henvendelser/2024.xlsx")
    assert ignored("data/raw/x.csv")
    assert not ignored("data/raw/demo/henvendelser/drammen_2020.csv")
    assert not ignored("data/raw/README.md")
