"""The demo world: reproducible to the byte, consistent with its planted truth, realistic in size."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pytest

from samorg.config import load_study
from samorg.demo import generate, truth
from samorg.demo.identifiers import is_valid_identity_number

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT.parent / "shared" / "real-formats"
RAW = Path("data") / "raw" / "demo"


def _hashes(root: Path) -> dict[str, str]:
    out = {}
    for base in (root / RAW, root / "config" / "demo"):
        for p in sorted(base.rglob("*")):
            if p.is_file():
                out[p.relative_to(root).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    t = generate(root, seed=2020)
    return root, t


def test_same_seed_gives_byte_identical_files(world, tmp_path):
    root, _ = world
    generate(tmp_path, seed=2020)
    first, second = _hashes(root), _hashes(tmp_path)
    assert len(first) > 50
    assert first == second


def test_committed_demo_world_is_what_the_generator_writes(world):
    root, _ = world
    if not (ROOT / RAW).is_dir():
        pytest.skip("no committed demo world in this checkout")
    assert _hashes(ROOT) == _hashes(root), "data/raw/demo is stale: run `python -m samorg.demo` and commit"


def test_other_seed_changes_numbers_not_structure(world, tmp_path):
    root, _ = world
    generate(tmp_path, seed=7)
    a, b = _hashes(root), _hashes(tmp_path)
    assert {k for k in a if "Kopi" not in k} == {k for k in b if "Kopi" not in k}
    assert a["data/raw/demo/filialer/drammen_2019.csv"] != b["data/raw/demo/filialer/drammen_2019.csv"]


def test_truth_without_files_equals_what_generate_returns(world):
    _, t = world
    assert truth(2020) == t
    assert truth(7) != t


def test_generated_config_loads_with_staggered_co_location(world):
    root, t = world
    study = load_study(root / "config" / "demo" / "study.yaml")
    assert study.demo and len(study.sites) >= 8
    dates = {s.co_located for s in study.sites}
    assert None in dates and len(dates - {None}) >= 3
    assert {s.site_id: s.co_located for s in study.sites} == dict(t.co_located)
    assert study.raw_dir == (root / RAW).resolve()
    renamed = study.site(t.renamed_site)
    assert t.renamed_from in renamed.aliases


def _rows(path: Path, encoding: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding=encoding)), delimiter=";"))


def test_outage_duplicate_and_rename_are_in_the_files(world):
    root, t = world
    raw = root / RAW
    assert (raw / t.duplicated_file).read_bytes() == (raw / t.duplicate_of).read_bytes()
    site = t.outage_site
    name = {"askim": "Askim", "mysen": "Mysen", "skjonhaug": "Skjønhaug", "spydeberg": "Spydeberg",
            "tomter": "Tomter", "konnerud": "Konnerud", "fjell": "Fjell", "mjondalen": "Mjøndalen",
            "svelvik": "Svelvik"}[site]
    for month in t.outage_months:
        stem = "drammen" if site in ("konnerud", "fjell", "mjondalen", "svelvik") else "indre_ostfold"
        enc = "utf-8" if stem == "drammen" else "cp1252"
        rows = _rows(raw / "filialer" / f"{stem}_{month.year}.csv", enc)
        label = f"{month.year}-{month.month:02d}" if stem == "drammen" else f"{month.month:02d}.{month.year}"
        if month.year <= 2019 and site == "mysen":
            name = t.renamed_from
        row = next(r for r in rows if r[next(iter(r))] == name and label in r.values())
        values = list(row.values())
        assert values[2] == "0" and values[3] == "0"  # IN and OUT beams
        assert values[8] not in ("0,0", "")  # staffed hours: the branch was open
    old = (raw / "filialer" / "indre_ostfold_2019.csv").read_text(encoding="cp1252")
    new = (raw / "filialer" / "indre_ostfold_2020.csv").read_text(encoding="cp1252")
    assert t.renamed_from in old and t.renamed_from not in new


def test_planted_identifiers_are_in_the_raw_free_text_and_valid(world):
    root, t = world
    text = "".join(p.read_text(encoding="utf-8-sig") for p in (root / RAW / "henvendelser").glob("*.csv"))
    text += (root / RAW / "undersokelser" / "brukerundersokelse_2019.csv").read_text(encoding="latin-1")
    from openpyxl import load_workbook

    wb = load_workbook(root / RAW / "undersokelser" / "brukerundersokelse_2022.xlsx", read_only=True)
    text += " ".join(str(c) for row in wb["Svar"].iter_rows(values_only=True) for c in row if c)
    wb.close()
    for ident in t.planted_identifiers:
        assert ident in text, ident
    numbers = t.identity_numbers
    assert len(numbers) >= 6
    assert all(is_valid_identity_number(n) for n in numbers)
    assert any(int(n[0]) >= 4 for n in numbers), "expected a D-number (day + 40)"


def test_nb_files_look_like_the_real_one(world):
    root, _ = world
    raw = (root / RAW / "nb" / "folkebibl-2020-kommuner.csv").read_bytes()
    assert b'"Antall deltakere/\r\ntilskuere - digitale arrangement"' in raw
    assert b",3005.0,Drammen," in raw and b",3014.0,Indre \xc3\x98stfold," in raw
    text = raw.decode("utf-8")
    assert "0-14 år per 1.1.2020" in text and " Ja ," in text
    old = (root / RAW / "nb" / "folkebibl-2019-kommuner.csv").read_text(encoding="utf-8")
    assert ",602.0,Drammen," in old and ",711.0,Svelvik," in old and "per 1.1.2019" in old
    new = (root / RAW / "nb" / "folkebibl-2024-kommuner.csv").read_text(encoding="utf-8")
    assert ",3301.0,Drammen," in new and ",3118.0,Indre Østfold," in new


def test_comparison_pool_codes_never_changed():
    if not (REAL / "klass").is_dir():
        pytest.skip("real KLASS files not present (../shared/real-formats/klass)")
    from samorg.demo.world import POOL

    def codes(year: int) -> dict[str, str]:
        rows = csv.DictReader(io.StringIO((REAL / "klass" / f"ssb_kommunekoder_{year}.csv")
                                          .read_text(encoding="latin-1")), delimiter=";")
        return {r["code"]: r["name"] for r in rows}

    changed = "".join(p.read_text(encoding="cp1252") for p in (REAL / "klass").glob("kommuner_med_endringer*.csv"))
    assert len(POOL) >= 30
    for code, name, _ in POOL:
        for year in (2013, 2017, 2018, 2019, 2020):
            assert codes(year).get(code) == name, (code, year)
        assert code not in changed, code


def test_population_covers_every_nb_code_and_year(world):
    root, _ = world
    doc = json.loads((root / RAW / "ssb" / "07459_befolkning_2014-2025.json").read_text(encoding="utf-8"))
    regions = set(doc["dimension"]["Region"]["category"]["index"])
    for year in range(2014, 2026):
        text = (root / RAW / "nb" / f"folkebibl-{year}-kommuner.csv").read_text(encoding="utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))[1:]
        for r in rows:
            assert f"K-{int(float(r[2])):04d}" in regions


def test_magnitudes_follow_domain(world):
    root, t = world
    rows = list(csv.reader(io.StringIO((root / RAW / "nb" / "folkebibl-2019-kommuner.csv")
                                       .read_text(encoding="utf-8"), newline="")))
    visits = {f"{int(float(r[2])):04d}": float(r[7].replace(" ", "")) for r in rows[1:]}
    drammen = sum(visits[c] for c in ("0602", "0625", "0711"))
    indre = sum(visits[c] for c in ("0122", "0123", "0124", "0125", "0138"))
    assert 400_000 <= drammen <= 480_000
    assert 135_000 <= indre <= 170_000
    assert 1.08 < t.municipality_visit_effect["3118"] < 1.15
    assert 1.0 < t.municipality_visit_effect["3301"] < t.municipality_visit_effect["3118"]
    assert t.municipality_visit_effect_by_year["3301"][2019] == 1.0
    assert t.outage_months[0] < t.outage_months[1]
    assert not (dt.date(2020, 3, 1) <= t.outage_months[0] <= dt.date(2022, 12, 1))


def test_total_size_is_modest():
    if not (ROOT / RAW).is_dir():
        pytest.skip("no committed demo world")
    size = sum(p.stat().st_size for p in (ROOT / RAW).rglob("*") if p.is_file())
    assert size < 2_000_000


def test_workbooks_get_the_same_bytes_whichever_xml_writer_openpyxl_used():
    """openpyxl writes ``<a />`` with the standard library and ``<a/>`` (namespaces declared elsewhere)
    with lxml; the demo world's workbooks must not depend on which is installed."""
    import io
    import re
    import zipfile

    from openpyxl import Workbook

    from samorg.demo._format import normalise_xlsx

    wb = Workbook()
    wb.active.append(["Respondent", "Svar"])
    wb.active.append([1, "Svært fornøyd"])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    other = io.BytesIO()
    with zipfile.ZipFile(other, "w") as dst:  # the other serialiser's habits, same content
        for name in src.namelist():
            data = src.read(name)
            if name.endswith((".xml", ".rels")):
                data = re.sub(rb" />", b"/>", data).replace(b"<?xml version='1.0' encoding='utf-8'?>", b"")
            dst.writestr(name, data)
    assert other.getvalue() != buf.getvalue()
    assert normalise_xlsx(other.getvalue()) == normalise_xlsx(buf.getvalue())
