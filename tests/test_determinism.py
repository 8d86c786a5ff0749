"""The demo world's outputs: deterministic, and free of the fake identifiers planted in its raw data.

One build of the processed tables and one site report rendered twice (in parallel, HTML and PDF)
serve both kinds of test, to keep the suite fast:

- determinism: the same inputs give byte-identical processed data (also in another process, hash
  seed and folder), and the same report twice has the same numbers;
- privacy: the planted identifiers are in the raw free text and redaction removes each one (the
  positive control); none reaches a processed table or a rendered report, and the scan every report
  goes through finds nothing in them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from samorg import store
from samorg.demo import truth
from samorg.privacy import find_identifiers, redact_series, scan_outputs

ROOT = Path(__file__).resolve().parents[1]
DEMO_STUDY = ROOT / "config" / "demo" / "study.yaml"
SITE = "askim"
_CELL_ID = re.compile(r"cell-id=[0-9a-f-]+")
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\b")  # the provenance stamp's clock time
_BASE64 = re.compile(r"[A-Za-z0-9+/=\\n]{200,}")  # embedded pictures: not text


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.parquet"))}


def _study_copy(tmp: Path, raw_dir: Path) -> Path:
    raw = yaml.safe_load(DEMO_STUDY.read_text(encoding="utf-8"))
    raw.update(raw_dir=str(raw_dir), sites_file=str((DEMO_STUDY.parent / raw["sites_file"]).resolve()),
               processed_dir=str(tmp / "processed"), reports_dir=str(tmp / "reports"))
    path = tmp / "study.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def planted_names() -> list[str]:
    return [i for i in truth().planted_identifiers if "@" not in i and not any(c.isdigit() for c in i)]


def present(identifiers, pieces) -> list[str]:
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
def world(tmp_path_factory):
    """The committed demo world (seed 2020; tests/test_demo.py shows the generator rewrites it byte for
    byte), its processed tables built in this process, and one site's report rendered twice."""
    from samorg.config import load_study
    from samorg.pipeline import build_processed
    from samorg.report import site_jobs
    from samorg.report.runner import ReportJob, run_reports

    tmp = tmp_path_factory.mktemp("world")
    raw = (DEMO_STUDY.parent / yaml.safe_load(DEMO_STUDY.read_text(encoding="utf-8"))["raw_dir"]).resolve()
    study = load_study(_study_copy(tmp, raw))
    manifest = build_processed(study)
    [job] = site_jobs(study, sites=[SITE])
    twice = [ReportJob(name, job.notebook, job.parameters, job.title, job.subtitle, job.banner) for name in ("a", "b")]
    reports = run_reports(twice, out_dir=tmp / "reports", workers=2, progress=False, date_text="24.11.2026")
    return {"raw": raw, "study": study, "manifest": manifest, "reports": reports}


# ---------------------------------------------------------------- determinism


def test_same_inputs_give_byte_identical_processed_data_in_another_process(world, tmp_path):
    """The same raw files copied elsewhere, built by ``samorg data`` in another process (another hash
    seed, working folder and output folder), give the same bytes."""
    raw = tmp_path / "copy" / "raw"
    shutil.copytree(world["raw"], raw)
    study = _study_copy(tmp_path, raw)
    env = {k: v for k, v in os.environ.items() if k != "SAMORG_PSEUDONYM_SALT"} | {"PYTHONHASHSEED": "4242"}
    res = subprocess.run([sys.executable, "-m", "samorg.cli", "data", "--study", str(study)], cwd=tmp_path,
                         capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    other = tmp_path / "processed"
    assert _hashes(other) == _hashes(world["study"].processed_dir)
    assert len(_hashes(other)) == len(store.TABLES)
    manifest = json.loads((other / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"] == world["manifest"].tables
    assert manifest["decisions"] == world["manifest"].decisions

    def raw_inputs(inputs: dict) -> dict:
        return {k: v for k, v in inputs.items() if not k.startswith("config:")}  # study files name other folders

    assert raw_inputs(manifest["inputs"]) == raw_inputs(world["manifest"].inputs)


def _report_text(ipynb: Path) -> list[tuple[int, str, str]]:
    """Every output of the executed notebook as (cell, kind, text), clock times masked, pictures hashed."""
    nb = json.loads(ipynb.read_text(encoding="utf-8"))
    out = []
    for i, cell in enumerate(nb["cells"]):
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                out.append((i, o["name"], _TIME.sub("<time>", "".join(o["text"]))))
            for mime, value in sorted((o.get("data") or {}).items()):
                text = "".join(value) if isinstance(value, list) else str(value)
                out.append((i, mime, _TIME.sub("<time>", text) if mime.startswith("text/") else
                            hashlib.sha256(text.encode()).hexdigest()))
    return out


def test_the_same_report_twice_has_the_same_numbers(world):
    from pypdf import PdfReader

    a, b = world["reports"]
    assert a.ok and b.ok, (a.error_detail, b.error_detail)
    text_a, text_b = _report_text(a.ipynb), _report_text(b.ipynb)
    assert any(kind == "text/markdown" and re.search(r"\d+,\d+", t) for _, kind, t in text_a)  # numbers to compare
    assert text_a == text_b
    # papermill gives the cell it injects (the parameters) a random id; nbconvert writes it into the HTML
    html_a, html_b = (_CELL_ID.sub("cell-id=<id>", _TIME.sub("<time>", r.html.read_text(encoding="utf-8")))
                      for r in (a, b))
    assert html_a == html_b
    pdf_a, pdf_b = ([_TIME.sub("<time>", p.extract_text()) for p in PdfReader(r.pdf).pages] for r in (a, b))
    assert pdf_a == pdf_b


# ---------------------------------------------------------------- privacy


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
    assert set(present(planted, raw_values)) == set(planted)
    redacted = [v for s in texts for v in redact_series(s, names=planted_names()).dropna().astype(str)]
    assert present(planted, redacted) == []
    for text in truth().planted_texts:
        found = {i.text for i in find_identifiers(text.text, names=planted_names())}
        assert set(text.identifiers) <= found, text.text


def test_no_planted_identifier_reaches_processed_data(world):
    processed = world["study"].processed_dir
    planted = truth().planted_identifiers
    files = sorted(processed.glob("*.parquet"))
    assert len(files) == len(store.TABLES)
    for path in files:
        table = pq.read_table(path)
        cells = [str(v) for col in table.columns for v in col.to_pylist()]
        metadata = [v.decode("utf-8", "replace") for v in (table.schema.metadata or {}).values()]
        assert present(planted, cells + metadata) == [], path.name
        assert not [c for c in cells if "@" in c], path.name
    manifest = (processed / "manifest.json").read_text(encoding="utf-8")
    assert present(planted, manifest.splitlines()) == []


def test_no_planted_identifier_reaches_the_rendered_report(world):
    from pypdf import PdfReader

    report = world["reports"][0]
    assert report.ok, report.error_detail
    assert scan_outputs([report.ipynb, report.html, report.pdf], names=planted_names()) == []
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(report.pdf).pages)
    planted = truth().planted_identifiers
    for text in (report.ipynb.read_text(encoding="utf-8"), report.html.read_text(encoding="utf-8"), pdf_text):
        assert present(planted, _BASE64.sub(" ", text).splitlines()) == []
