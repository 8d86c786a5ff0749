"""read_processed keeps parsed tables per process: a fresh copy each call, a rewritten file read again."""

from __future__ import annotations

import os

import pandas as pd
import pytest

from samorg import store


@pytest.fixture
def folder(tmp_path):
    store.clear_read_cache()
    pd.DataFrame({"site_id": ["a", "b", "c"], "value": [1.0, 2.0, 3.0]}).to_parquet(tmp_path / "sites.parquet")
    yield tmp_path
    store.clear_read_cache()


def test_each_call_gets_its_own_copy(folder):
    first = store.read_processed(folder, "sites")
    first.loc[0, "value"] = -99.0
    first["extra"] = 1
    second = store.read_processed(folder, "sites")
    assert second["value"].tolist() == [1.0, 2.0, 3.0]
    assert "extra" not in second.columns
    assert second is not first


def test_parsed_once_per_unchanged_file(folder, monkeypatch):
    calls = []
    real = pd.read_parquet
    monkeypatch.setattr(store.pd, "read_parquet", lambda *a, **k: calls.append(k) or real(*a, **k))
    store.read_processed(folder, "sites")
    store.read_processed(folder, "sites")
    assert len(calls) == 1
    # other columns or filters are another read
    assert store.read_processed(folder, "sites", columns=["value"]).columns.tolist() == ["value"]
    got = store.read_processed(folder, "sites", filters=[("site_id", "in", ["a", "c"])])
    assert got["site_id"].tolist() == ["a", "c"]
    store.read_processed(folder, "sites", filters=[("site_id", "in", ["a", "c"])])
    assert len(calls) == 3


def test_rewritten_file_is_read_again(folder):
    assert store.read_processed(folder, "sites")["value"].sum() == 6.0
    # the pipeline replaces tables atomically (a new file); a same-size rewrite in place is also seen
    tmp = folder / "new.parquet"
    pd.DataFrame({"site_id": ["a", "b", "c"], "value": [10.0, 20.0, 30.0]}).to_parquet(tmp)
    os.replace(tmp, folder / "sites.parquet")
    assert store.read_processed(folder, "sites")["value"].sum() == 60.0
    path = folder / "sites.parquet"
    data = path.read_bytes()
    pd.DataFrame({"site_id": ["a", "b", "c"], "value": [7.0, 8.0, 9.0]}).to_parquet(path)
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert len(path.read_bytes()) == len(data)
    assert store.read_processed(folder, "sites")["value"].sum() == 24.0


def test_a_damaged_file_is_not_served_from_the_cache(folder):
    store.read_processed(folder, "sites")
    path = folder / "sites.parquet"
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(store.ProcessedDataError):
        store.read_processed(folder, "sites")
