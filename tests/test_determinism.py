"""Determinism: the same inputs and seed give byte-identical processed data and the same report numbers."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEMO_STUDY = ROOT / "config" / "demo" / "study.yaml"
SITE = "mysen"
_CELL_ID = re.compile(r"cell-id=[0-9a-f-]+")
_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\b")  # the provenance stamp's clock time


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.parquet"))}


def _study_copy(tmp: Path, raw_dir: Path) -> Path:
    raw = yaml.safe_load(DEMO_STUDY.read_text(encoding="utf-8"))
    raw.update(raw_dir=str(raw_dir), sites_file=str((DEMO_STUDY.parent / raw["sites_file"]).resolve()),
               processed_dir=str(tmp / "processed"), reports_dir=str(tmp / "reports"))
    path = tmp / "study.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The committed demo world (seed 2020; tests/test_demo.py shows the generator rewrites it byte for
    byte) and its processed tables, built in this process."""
    from samorg.config import load_study
    from samorg.pipeline import build_processed

    tmp = tmp_path_factory.mktemp("world")
    raw = (DEMO_STUDY.parent / yaml.safe_load(DEMO_STUDY.read_text(encoding="utf-8"))["raw_dir"]).resolve()
    study = load_study(_study_copy(tmp, raw))
    manifest = build_processed(study)
    return {"raw": raw, "study": study, "manifest": manifest}


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
    assert len(_hashes(other)) == 5
    manifest = json.loads((other / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"] == world["manifest"].tables
    assert manifest["decisions"] == world["manifest"].decisions
    def raw_inputs(inputs: dict) -> dict:
        return {k: v for k, v in inputs.items() if not k.startswith("config:")}  # study files name other folders

    assert raw_inputs(manifest["inputs"]) == raw_inputs(world["manifest"].inputs)


def _report_text(ipynb: Path) -> list[tuple[int, str, str]]:
    """Every output of the executed notebook as (cell, kind, text), clock times masked."""
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


def test_the_same_report_twice_has_the_same_numbers(world, tmp_path):
    from samorg.report import site_jobs
    from samorg.report.runner import ReportJob, run_reports

    [job] = site_jobs(world["study"], sites=[SITE])
    twice = [ReportJob(name, job.notebook, job.parameters, job.title, job.subtitle, job.banner) for name in ("a", "b")]
    a, b = run_reports(twice, out_dir=tmp_path, workers=2, formats=("html",), progress=False, date_text="24.11.2026")
    assert a.ok and b.ok, (a.error_detail, b.error_detail)
    text_a, text_b = _report_text(a.ipynb), _report_text(b.ipynb)
    assert any(kind == "text/markdown" and re.search(r"\d+,\d+", t) for _, kind, t in text_a)  # numbers to compare
    assert text_a == text_b
    # papermill gives the cell it injects (the parameters) a random id; nbconvert writes it into the HTML
    html_a, html_b = (_CELL_ID.sub("cell-id=<id>", _TIME.sub("<time>", r.html.read_text(encoding="utf-8")))
                      for r in (a, b))
    assert html_a == html_b
