"""The demo world's coded interviews: deterministic files, and the report blocks recover the planted themes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from samorg import store
from samorg.config import load_study
from samorg.demo import qualitative as demo
from samorg.pipeline import build_processed
from samorg.report import qualitative as R

ROOT = Path(__file__).resolve().parents[1]
DEMO_STUDY = ROOT / "config" / "demo" / "study.yaml"


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_files_are_byte_identical_for_a_seed_and_committed(tmp_path):
    demo.write(tmp_path / "a", 2020)
    demo.write(tmp_path / "b", 2020)
    a = _digest(tmp_path / "a" / "kvalitativt")
    assert a == _digest(tmp_path / "b" / "kvalitativt") and len(a) == 2
    raw = DEMO_STUDY.parent / yaml.safe_load(DEMO_STUDY.read_text(encoding="utf-8"))["raw_dir"]
    assert _digest(raw / "kvalitativt") == a, "run `python -m samorg.demo` and commit data/raw/demo"
    demo.write(tmp_path / "c", 7)
    assert _digest(tmp_path / "c" / "kvalitativt") != a


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    """The demo's raw files and registry, only the qualitative source built (seconds, not the whole world)."""
    tmp = tmp_path_factory.mktemp("qual")
    raw = yaml.safe_load(DEMO_STUDY.read_text(encoding="utf-8"))
    raw.update(raw_dir=str((DEMO_STUDY.parent / raw["raw_dir"]).resolve()),
               sites_file=str((DEMO_STUDY.parent / raw["sites_file"]).resolve()),
               processed_dir=str(tmp / "processed"), reports_dir=str(tmp / "reports"),
               sources={"qualitative": "kvalitativt/*",
                        **{k: {"pattern": "none/*", "optional": True}
                           for k in ("branch_counts", "nb_library_stats", "population")}})
    path = tmp / "study.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    study = load_study(path)
    build_processed(study)
    return study


def test_the_planted_directions_are_recovered_at_co_located_sites(study):
    found = R.qualitative_directions(study, quantitative={1: 1, 2: 1, 4: 1})
    by_aim = dict(zip(found["aim"], found["qualitative"]))
    assert {a: by_aim[a] for a in demo.PLANTED_DIRECTIONS} == {a: float(d) for a, d in demo.PLANTED_DIRECTIONS.items()}
    agreement = dict(zip(found["aim"], found["agreement"]))
    assert agreement == {1: "agreeing", 2: "agreeing", 3: "qualitative_only", 4: "contradicting",
                         5: "qualitative_only", 6: "no_qualitative"}


def test_aim_4_points_the_other_way_where_nothing_was_co_located(study):
    others = [s.site_id for s in study.sites if not s.co_located]
    found = R.qualitative_directions(study, sites=others)
    assert found.loc[found["aim"] == 4, "qualitative"].item() == demo.PLANTED_AIM4_NOT_CO_LOCATED


def test_planted_identifiers_stay_out_of_the_table_and_the_blocks(study):
    table = store.read_processed(study.processed_dir, "qualitative_segments")
    assert (~table["consent"]).sum() > 50 and (table.loc[~table["consent"], "quote"] == "").all()
    text = "\n".join(table["quote"]) + "\n".join(
        R.quotes_markdown(study, site=s.site_id, lang=lang, per_aim=50) for s in study.sites for lang in ("nb", "en"))
    assert "[fjernet]" in text
    digits = "".join(c for c in text if c.isdigit())
    assert demo.PLANTED_NAME not in text and "Kvamme" not in text and demo.PLANTED_EMAIL not in text
    assert demo.PLANTED_PHONE.replace(" ", "") not in digits


def test_blocks_in_both_languages(study):
    nb, en = R.themes_markdown(study), R.themes_markdown(study, lang="en")
    assert nb.startswith("Materialet er") and "| Mål | Tema | Steder |" in nb
    assert en.startswith("The material is") and "| Aim | Theme | Sites |" in en
    grid = R.aims_by_site_table(study)
    assert list(grid.columns) == [f"Mål {a}" for a in range(1, 7)] and (grid["Mål 6"] == 0).all()
    assert R.quotes_markdown(study, lang="en").count("> «") == 10
    assert R.evidence_markdown(study, quantitative={4: -1}, lang="en").count("\n") == 7


def test_a_site_table_by_aim_shows_what_a_table_by_theme_hides(study):
    by_theme = R.theme_table(study, site="askim")
    by_aim = R.theme_table(study, site="askim", level="aim")
    hidden = (by_theme["Informanter"] == "·").sum()
    assert hidden > (by_aim["Informanter"] == "·").sum()
    shown = by_aim[by_aim["Informanter"] != "·"]
    assert len(shown) >= 3 and (shown["Informanter"] >= 5).all()
    assert list(by_aim.columns) == ["Mål", "Temaer", "Segmenter", "Informanter", "Retning"]
    with pytest.raises(ValueError, match="level"):
        R.theme_table(study, level="site")


def test_quantitative_direction_from_an_interval():
    from types import SimpleNamespace as NS

    assert R.quantitative_direction(NS(ci_low=0.03, ci_high=0.17)) == 1
    assert R.quantitative_direction(NS(ci_low=-0.3, ci_high=-0.01)) == -1
    assert R.quantitative_direction(NS(ci_low=-0.3, ci_high=0.01)) == 0
    assert R.quantitative_direction(NS(ci_low=0.1, ci_high=0.2), higher_is_better=False) == -1
    assert R.quantitative_direction(None) is None
    assert R.quantitative_direction(NS(ci_low=float("nan"), ci_high=1.0)) is None


def test_quotes_take_turns_over_the_directions(study):
    text = R.quotes_markdown(study, lang="nb", per_aim=2)
    aim4 = text.split("**Mål 4", 1)[1].split("**Mål 5", 1)[0]
    negative = demo.THEMES["Mer liv, mindre ro"][2]["negative"]
    positive = demo.THEMES["Et sted å være uten ærend"][2]["positive"]
    assert aim4.count("> «") == 2
    assert any(q in aim4 for q in negative) and any(q in aim4 for q in positive)
    assert aim4.index(next(q for q in negative if q in aim4)) < aim4.index(next(q for q in positive if q in aim4))
