"""The synthesis harmonises the annual observations once per process (and again when the table changes), and
reads the survey answers as the pipeline does without importing it."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pandas as pd

from samorg import columns as C
from samorg import store
from samorg.report import _synthesis_panel as panel


@dataclass(frozen=True)
class _Muni:
    code: str
    all_codes: frozenset


def _write(folder, visits: list[float]) -> None:
    obs = pd.DataFrame({"site_id": [np.nan, np.nan, np.nan, "fjell"], "municipality_code": ["0602", "0625", "0711", np.nan],
                        "period_start": pd.to_datetime(["2019-01-01"] * 4).astype("datetime64[us]"), "freq": "A",
                        "indicator": "visits", "value": visits, "status": "", "source": "x"})
    store.write_table(obs.astype({"site_id": "str", "municipality_code": "str"}), folder / "observations.parquet")


def test_annual_observations_are_harmonised_once_and_again_when_the_table_changes(tmp_path, monkeypatch):
    _write(tmp_path, [1.0, 2.0, 3.0, 40.0])
    study = SimpleNamespace(processed_dir=tmp_path, municipalities={"3301": _Muni("3301", frozenset(["0602", "0625", "0711"]))})
    reads = []
    monkeypatch.setattr(store, "read_processed", lambda *a, **k: reads.append(a) or store.pd.read_parquet(
        tmp_path / "observations.parquet", filters=k.get("filters")))
    first = panel.annual_observations(study)
    assert first.dropna(subset=["municipality_code"]).set_index("municipality_code")["value"].to_dict() == {"3301": 6.0}
    first.loc[:, "value"] = 0.0  # a caller changing its frame changes no one else's
    again = panel.annual_observations(study)
    assert len(reads) == 1 and again["value"].tolist() == [40.0, 6.0]
    _write(tmp_path, [1.0, 2.0, 4.0, 40.0])
    assert panel.annual_observations(study)["value"].tolist() == [40.0, 7.0] and len(reads) == 2
    study.municipalities = {"3301": _Muni("3301", frozenset(["0602", "0625"]))}  # another study's mapping
    assert sorted(panel.annual_observations(study)["value"].dropna()) == [3.0, 4.0, 40.0] and len(reads) == 3


def test_survey_answers_of_the_synthesis_are_those_of_the_pipeline(tmp_path):
    from samorg import pipeline

    assert pipeline.load_survey_responses is store.load_survey_responses  # one reader, importable without pandera
    frame = pd.DataFrame({"site_id": ["a", "a", "b"], "item": "calm", "response": pd.array([5, None, 1], dtype="Int8")})
    store.write_table(frame, tmp_path / "survey_responses.parquet")
    got = store.load_survey_responses(tmp_path)
    assert list(got["response"].cat.categories) == list(C.RESPONSE_LEVELS.values())
    assert got["response"].cat.ordered and got["response"].isna().tolist() == [False, True, False]
