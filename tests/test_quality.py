"""quality.summarise: rows read, dropped and why, outages and missing values by status, per raw file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from samorg import store
from samorg.errors import SamorgError
from samorg.quality import COLUMNS, summarise

DECISIONS = [
    {"step": "read_source", "kind": "branch_counts", "source": "filialer/a.csv", "rows": 24},
    {"step": "read_source", "kind": "branch_counts", "source": "filialer/a - Kopi.csv", "rows": 24},
    {"step": "drop_duplicate_exports", "table": "observations", "source": "filialer/a - Kopi.csv", "rows": 24},
    {"step": "flag_counter_outages", "table": "observations", "source": "filialer/a.csv", "rows": 1},
    {"step": "read_source", "kind": "nb_library_stats", "source": "nb/folkebibl-2020-kommuner.csv", "rows": 355},
    {"step": "drop_rows_without_unit", "kind": "nb_library_stats", "source": "nb/folkebibl-2020-kommuner.csv", "rows": 1},
    {"step": "flag_shared_row", "kind": "nb_library_stats", "source": "nb/folkebibl-2020-kommuner.csv", "rows": 1},
    {"step": "pseudonymise", "table": "inquiries", "column": "handled_by", "rows": 10},
]


def _manifest() -> store.Manifest:
    return store.Manifest(samorg_version="x", study="s.yaml", built_at="t", decisions=list(DECISIONS))


def _tables(folder):
    obs = pd.DataFrame({"source": ["filialer/a.csv"] * 3 + ["nb/folkebibl-2020-kommuner.csv"] * 4,
                        "value": [1.0, np.nan, 3.0, 4.0, np.nan, np.nan, np.nan],
                        "status": ["", "counter_outage", "", "", "..", ":", "."]})
    pop = pd.DataFrame({"source": ["ssb/p.json"] * 2, "population": [np.nan, 5.0], "status": [".", ""]})
    store.write_table(obs, folder / "observations.parquet")
    store.write_table(pop, folder / "population.parquet")


def test_summary_from_a_processed_folder(tmp_path):
    _tables(tmp_path)
    store.write_manifest(_manifest(), tmp_path)
    full = summarise(tmp_path)
    assert list(full.columns) == COLUMNS
    q = full.set_index("source")
    kopi = q.loc["filialer/a - Kopi.csv"]
    assert kopi["rows_read"] == 24 and kopi["rows_dropped"] == 24 and kopi["dropped_why"] == "24 duplicate export"
    a = q.loc["filialer/a.csv"]
    assert a["outages_flagged"] == 1 and a["missing_counter_outage"] == 1 and a["values"] == 2
    nb = q.loc["nb/folkebibl-2020-kommuner.csv"]
    assert (nb["missing_not_available"], nb["missing_confidential"], nb["missing_not_applicable"]) == (1, 1, 1)
    assert nb["dropped_why"] == "1 no municipality number" and nb["shared_rows"] == 1
    assert q["kind"].tolist() == ["branch_counts", "branch_counts", "nb_library_stats"]


def test_summary_from_a_manifest_without_tables_leaves_missing_unknown(tmp_path):
    q = summarise(_manifest())
    assert q["missing_not_available"].isna().all() and q["rows_read"].sum() == 24 + 24 + 355
    with_tables = summarise(_manifest().to_dict(), processed_dir=tmp_path)
    assert (with_tables["missing_not_available"] == 0).all()


def test_summary_needs_a_manifest(tmp_path):
    with pytest.raises(SamorgError, match="samorg data"):
        summarise(tmp_path)


def test_summary_of_the_demo_build(tmp_path):
    from samorg.config import load_study
    from samorg.demo import generate
    from samorg.pipeline import build_processed

    pytest.importorskip("pyarrow")
    generate(tmp_path, seed=2020)
    study = load_study(tmp_path / "config" / "demo" / "study.yaml")
    # the branch exports alone keep this quick: outages, the duplicated export and counts of rows
    import yaml

    raw = yaml.safe_load(study.path.read_text(encoding="utf-8"))
    kept = ("branch_counts", "active_borrowers", "counter_hours")  # the others declared absent on purpose
    raw["sources"] = {**{kind: raw["sources"][kind] for kind in kept},
                      "nb_library_stats": {"pattern": "none/*.csv", "optional": True},
                      "population": {"pattern": "none/*.json", "optional": True}}
    study.path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    study = load_study(study.path)
    build_processed(study)
    q = summarise(study.processed_dir)
    place = q[q["kind"].isin(["active_borrowers", "counter_hours"])]  # the optional place exports (issue 14)
    assert set(place["kind"]) == {"active_borrowers", "counter_hours"}
    assert place.loc[place["kind"] == "active_borrowers", "dropped_why"].str.contains("outside every catchment").all()
    q = q[q["kind"] == "branch_counts"]
    assert q["rows_read"].sum() == 25 * 60 and q["rows_dropped"].sum() == 60
    assert q["outages_flagged"].sum() >= 1 and q["missing_counter_outage"].sum() == 2 * q["outages_flagged"].sum()
