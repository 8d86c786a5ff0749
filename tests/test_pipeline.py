"""The pipeline on the demo world: decisions recorded, no personal data out, reproducible, effects visible."""

from __future__ import annotations

import hashlib
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from samorg import schemas
from samorg.config import load_study
from samorg.demo import generate
from samorg.errors import DataValidationError, SamorgError
from samorg.pipeline import build_processed, load_site_monthly
from samorg.store import TABLES, read_manifest, read_processed


def _hash_tree(folder: Path, pattern: str = "*") -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob(pattern)) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("world")
    truth = generate(root, seed=2020)
    study = load_study(root / "config" / "demo" / "study.yaml")
    raw_before = _hash_tree(study.raw_dir)
    manifest = build_processed(study)
    tables = {t: read_processed(study.processed_dir, t) for t in TABLES}
    return {"root": root, "truth": truth, "study": study, "raw_before": raw_before, "manifest": manifest,
            "tables": tables}


def test_every_table_meets_its_contract(built):
    for name, frame in built["tables"].items():
        schemas.validate(frame, name)
        assert len(frame) > 0, name
    m = built["manifest"]
    assert {t: m.rows(t) for t in TABLES} == {t: len(f) for t, f in built["tables"].items()}
    assert len(m.inputs) == len(_hash_tree(built["study"].raw_dir)) - 1 + 2  # minus README, plus two configs


def test_duplicate_export_dropped_and_recorded(built):
    t, m = built["truth"], built["manifest"]
    dup = [d for d in m.decisions if d["step"] == "drop_duplicate_exports"]
    assert [d["source"] for d in dup] == [t.duplicated_file]
    assert dup[0]["kept_source"] == t.duplicate_of and dup[0]["identical"] and dup[0]["rows"] == 60
    obs = built["tables"]["observations"]
    assert t.duplicated_file not in set(obs["source"])
    monthly = obs[obs["freq"] == "M"]
    assert not monthly.duplicated(["site_id", "period_start", "indicator"]).any()


def test_outage_flagged_where_planted(built):
    t = built["truth"]
    series = load_site_monthly(built["study"].processed_dir, t.outage_site)
    flagged = series[series["status"] == "counter_outage"]
    assert [d.date() for d in flagged["period_start"]] == list(t.outage_months)
    assert flagged["value"].isna().all()
    recorded = [(d["site_id"], d["period_start"]) for d in built["manifest"].decisions
                if d["step"] == "flag_counter_outages"]
    assert recorded == [(t.outage_site, d.isoformat()) for d in t.outage_months]
    assert (series["status"] == "").sum() == 144 - len(t.outage_months)


def test_renamed_branch_mapped_to_one_site(built):
    t = built["truth"]
    series = load_site_monthly(built["study"].processed_dir, t.renamed_site)
    assert len(series) == 144 and series["period_start"].is_monotonic_increasing


def test_no_free_text_names_or_identifiers_in_processed_data(built):
    t = built["truth"]
    strings = []
    for frame in built["tables"].values():
        for col in frame.columns:
            if frame[col].dtype == object or str(frame[col].dtype) in ("str", "string"):
                strings += frame[col].dropna().astype(str).unique().tolist()
    blob = "\n".join(strings)
    digits_blob = re.sub(r"\D", "", blob)
    for ident in t.planted_identifiers:
        assert ident not in blob, ident
        digits = re.sub(r"\D", "", ident)
        if len(digits) >= 8:
            assert digits[-8:] not in digits_blob, ident
    assert "@" not in blob
    inquiries = built["tables"]["inquiries"]
    assert "note" not in inquiries.columns and inquiries["handled_by"].str.startswith("ansatt-").all()
    survey = built["tables"]["survey_responses"]
    assert "comment" not in survey.columns and survey["respondent_id"].str.startswith("r-").all()
    raw_staff = set(pd.concat([pd.read_csv(p, sep=";", encoding="utf-8-sig", dtype=str)["Saksbehandler"]
                               for p in (built["study"].raw_dir / "henvendelser").glob("*.csv")]))
    assert not raw_staff & set(inquiries["handled_by"])


def test_duplicate_survey_submissions_dropped(built):
    t, m = built["truth"], built["manifest"]
    dropped = [d for d in m.decisions if d["step"] == "drop_duplicate_submissions"]
    assert len(dropped) == len(t.duplicate_survey_submissions)
    survey = built["tables"]["survey_responses"]
    n_items = survey["item"].nunique()
    per_wave = survey.groupby("wave")["respondent_id"].nunique()
    from samorg.demo.surveys import RESPONDENTS, _n

    assert per_wave.to_dict() == {w: sum(_n(s, w) for s in RESPONDENTS) for w in (2019, 2022)}
    assert len(survey) == per_wave.sum() * n_items


def test_rerun_skips_and_force_rebuild_is_byte_identical(built):
    study = built["study"]
    parquet_before = _hash_tree(study.processed_dir, "*.parquet")
    again = build_processed(study)
    assert again.skipped
    forced = build_processed(study, force=True)
    assert not forced.skipped
    assert _hash_tree(study.processed_dir, "*.parquet") == parquet_before
    assert forced.tables == built["manifest"].tables
    assert _hash_tree(study.raw_dir) == built["raw_before"]


def test_changed_input_triggers_rebuild(built, tmp_path):
    import shutil

    import yaml

    raw = tmp_path / "raw"
    shutil.copytree(built["study"].raw_dir / "filialer", raw / "filialer")
    text = yaml.safe_load(built["study"].path.read_text(encoding="utf-8"))
    text.update(raw_dir=str(raw), processed_dir=str(tmp_path / "processed"),
                sites_file=str(built["study"].sites_path),
                sources={"branch_counts": "filialer/*.csv",
                         "nb_library_stats": {"pattern": "nb/*.csv", "optional": True},
                         "population": {"pattern": "ssb/*.json", "optional": True}})
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(text, allow_unicode=True), encoding="utf-8")
    study = load_study(path)
    build_processed(study)
    assert build_processed(study).skipped
    (raw / "filialer" / "drammen_2014.csv").unlink()
    again = build_processed(study)
    assert not again.skipped
    assert "filialer/drammen_2014.csv" not in read_manifest(study.processed_dir).inputs
    assert again.rows("inquiries") == 0  # no source configured: an empty table that meets its contract
    assert again.rows("population") == 0  # declared optional and absent: empty, knowingly


def test_schema_failures_are_listed_together():
    bad = pd.DataFrame({"municipality_code": ["301", "3301"], "year": [2020, 2020], "age_group": "total",
                        "population": [-1.0, np.nan], "status": ["", ""], "source": "x"})
    with pytest.raises(DataValidationError) as err:
        schemas.validate(bad, "population")
    text = str(err.value)
    assert "municipality_code" in text and "population" in text and "status saying why" in text


def test_load_site_monthly_unknown_site(built):
    with pytest.raises(SamorgError, match="askim"):
        load_site_monthly(built["study"].processed_dir, "atlantis")


def _annual(obs: pd.DataFrame, site: str, year: int) -> float:
    part = obs[(obs["site_id"] == site) & (obs["indicator"] == "visits") & (obs["period_start"].dt.year == year)]
    assert part["value"].notna().all(), (site, year)
    return float(part["value"].sum())


def _full_year_before_after(co_located) -> tuple[int, int]:
    before = min(co_located.year - 1, 2019)
    after = max(co_located.year + 1, 2023) if co_located.month > 1 else max(co_located.year, 2023)
    return before, after


def test_planted_site_effect_is_visible(built):
    """Crude difference in differences: visits in a full year after vs before co-location (outside COVID),
    relative to the never co-located library sites of the same municipality (or Drammen's for Indre Østfold)."""
    t, obs = built["truth"], built["tables"]["observations"]
    obs = obs[obs["freq"] == "M"]
    controls = ["papirbredden", "konnerud"]
    from samorg.demo.world import POPULATION, SITE_BY_ID

    for site, day in t.co_located.items():
        if day is None or not SITE_BY_ID[site].has_library:
            continue
        before, after = _full_year_before_after(day)
        if t.outage_site == site:
            before = before - 1 if any(d.year == before for d in t.outage_months) else before
        ratio = _annual(obs, site, after) / _annual(obs, site, before)
        control = np.mean([_annual(obs, c, after) / _annual(obs, c, before) for c in controls])
        pop = POPULATION[SITE_BY_ID[site].municipality]
        growth = (pop[after] / pop[before]) / (POPULATION["3301"][after] / POPULATION["3301"][before])
        estimate = ratio / control / growth
        assert math.isclose(estimate, t.visit_effect[site], rel_tol=0.04), (site, estimate, t.visit_effect[site])


def test_planted_municipality_effect_is_visible(built):
    """Indre Østfold's visits per inhabitant 2023 vs 2019, against the comparison pool's median change."""
    t, obs = built["truth"], built["tables"]["observations"]
    annual = obs[(obs["freq"] == "A") & obs["indicator"].isin(["visits", "population"])]
    wide = annual.assign(year=annual["period_start"].dt.year).pivot_table(
        index=["municipality_code", "year"], columns="indicator", values="value")
    rate = (wide["visits"] / wide["population"]).unstack("year")
    io_before = (wide.loc[["0122", "0123", "0124", "0125", "0138"]].xs(2019, level="year").sum())
    io_change = (rate.loc["3014", 2023] if 2023 in rate.columns else np.nan) / (io_before["visits"] / io_before["population"])
    pool = rate[~rate.index.str.match(r"^(0[1-9]|30|31|33)")]
    pool_change = (pool[2023] / pool[2019]).median()
    assert math.isclose(io_change / pool_change, t.municipality_visit_effect["3118"], rel_tol=0.05)


def test_planted_survey_trade_off_is_visible(built):
    """Calm falls and accessibility rises at co-located sites between the waves, relative to the others."""
    survey = built["tables"]["survey_responses"]
    colocated = {s for s, d in built["truth"].co_located.items() if d is not None and d.year <= 2021}
    survey = survey.assign(treated=survey["site_id"].isin(colocated))
    means = survey.groupby(["item", "treated", "wave"])["response"].mean().astype(float)

    def did(item: str) -> float:
        m = means[item]
        return (m[True][2022] - m[True][2019]) - (m[False][2022] - m[False][2019])

    assert did("calm") < -0.1
    assert did("accessibility") > 0.1


def test_survey_loader_gives_ordered_categories(built):
    from samorg.pipeline import load_survey_responses

    ordered = load_survey_responses(built["study"].processed_dir)
    codes = load_survey_responses(built["study"].processed_dir, ordered=False)
    assert ordered["response"].cat.ordered
    assert list(ordered["response"].cat.categories)[-1] == "Svært fornøyd"
    assert (ordered["response"].cat.codes + 1).where(codes["response"].notna(), -1).tolist() == \
        codes["response"].fillna(-1).astype(int).tolist()
    assert ordered.loc[ordered["dont_know"], "response"].isna().all()
