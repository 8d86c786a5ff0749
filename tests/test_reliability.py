"""Nothing lost: atomic writes, skip/rebuild by the manifest, killed runs re-run to identical files,
raw files only read.

In-process tests use a part of the demo world (every reader, a few files) to stay fast; the kill test
runs the real ``samorg data`` command on the whole demo world in a subprocess.
"""

from __future__ import annotations

import builtins
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from samorg import store
from samorg.config import load_study
from samorg.pipeline import build_processed

ROOT = Path(__file__).resolve().parents[1]
DEMO_STUDY = ROOT / "config" / "demo" / "study.yaml"
DEMO_RAW = (DEMO_STUDY.parent / yaml.safe_load(DEMO_STUDY.read_text(encoding="utf-8"))["raw_dir"]).resolve()
SOME_SOURCES = {  # a few CSV and JSON-stat files of every kind (fast)
    "nb_library_stats": "nb/folkebibl-2019-kommuner.csv",
    "branch_counts": "filialer/indre_ostfold_201[78]*.csv",  # includes the duplicated export
    "inquiries": "henvendelser/drammen_2020.csv",
    "surveys": "undersokelser/*.csv",
    "population": "ssb/*.json",
}
EVERY_READER = {**SOME_SOURCES, "surveys": "undersokelser/*"}  # and the xlsx survey


class Killed(BaseException):
    """Stands in for the process being killed (not an Exception: nothing may catch it)."""


def _study(tmp: Path, name: str, *, raw: Path = DEMO_RAW, sources: dict | None = None, processed: str | None = None
           ) -> Path:
    data = yaml.safe_load(DEMO_STUDY.read_text(encoding="utf-8"))
    data.update(raw_dir=str(raw), sites_file=str((DEMO_STUDY.parent / data["sites_file"]).resolve()),
                processed_dir=str(tmp / (processed or f"processed_{name}")), reports_dir=str(tmp / "reports"))
    if sources is not None:
        data["sources"] = sources
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _hashes(folder: Path, pattern: str = "*.parquet") -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob(pattern))}


def _visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """A clean in-process build of part of the demo world: the bytes every other build must give."""
    tmp = tmp_path_factory.mktemp("reference")
    study = load_study(_study(tmp, "part", sources=SOME_SOURCES))
    manifest = build_processed(study)
    return {"tmp": tmp, "study": study, "manifest": manifest, "hashes": _hashes(study.processed_dir)}


# ---------------------------------------------------------------- atomic writes


def test_processed_files_are_written_under_a_temporary_name_then_renamed(reference, tmp_path, monkeypatch):
    study = load_study(_study(tmp_path, "part", sources=SOME_SOURCES))
    real_replace, real_write = os.replace, store.pq.write_table
    written, renamed = [], []

    def write_table(table, where, **kw):
        written.append(Path(where))
        return real_write(table, where, **kw)

    def replace(src, dst):
        src, dst = Path(src), Path(dst)
        if dst.parent == study.processed_dir:
            assert src.parent == dst.parent and src.name.startswith(f".{dst.name}.") and src.suffix == ".tmp"
            if dst.suffix == ".parquet":
                assert pq.read_metadata(src).num_rows >= 0  # the temporary file is complete before the rename
            else:
                json.loads(src.read_text(encoding="utf-8"))
            renamed.append(dst.name)
        return real_replace(src, dst)

    monkeypatch.setattr(store.pq, "write_table", write_table)
    monkeypatch.setattr(os, "replace", replace)
    build_processed(study)
    assert renamed == [f"{t}.parquet" for t in store.TABLES] + ["manifest.json"]  # the manifest last
    assert written and all(p.name.startswith(".") and p.suffix == ".tmp" for p in written)
    assert _hashes(study.processed_dir) == reference["hashes"]
    assert _visible(study.processed_dir) == sorted([f"{t}.parquet" for t in store.TABLES] + ["manifest.json"])


def test_a_failed_write_leaves_the_previous_file_and_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "t.json"
    store.write_json({"a": 1}, target)

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        store.write_json({"a": 2}, target)
    assert json.loads(target.read_text(encoding="utf-8")) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["t.json"]


def test_a_build_killed_between_writes_reruns_to_identical_files(reference, tmp_path, monkeypatch):
    """Crash over an older complete build of other inputs: before any table is renamed into place, after
    the first, with one table left, and with every table new but the manifest still the old one."""
    old_sources = {**SOME_SOURCES, "branch_counts": "filialer/indre_ostfold_2017.csv"}
    old = load_study(_study(tmp_path, "old", sources=old_sources, processed="old_build"))
    build_processed(old)
    real_replace = os.replace
    n_tables = len(store.TABLES)
    for k in (0, 1, n_tables - 1, n_tables):
        processed = tmp_path / f"crash_{k}"
        shutil.copytree(old.processed_dir, processed)
        study = load_study(_study(tmp_path, f"new_{k}", sources=SOME_SOURCES, processed=f"crash_{k}"))
        calls = []

        def replace(src, dst, k=k, calls=calls):
            if Path(dst).parent == processed:
                calls.append(dst)
                if len(calls) > k:
                    raise Killed
            return real_replace(src, dst)

        monkeypatch.setattr(os, "replace", replace)
        with pytest.raises(Killed):
            build_processed(study)
        monkeypatch.setattr(os, "replace", real_replace)
        assert len(calls) == k + 1
        again = build_processed(study)
        assert not again.skipped, k  # a half-finished build is never taken for a finished one
        assert _hashes(processed) == reference["hashes"], k
        assert again.tables == reference["manifest"].tables
        assert build_processed(study).skipped


# ---------------------------------------------------------------- raw files are only read


def test_raw_files_are_only_opened_for_reading(tmp_path, monkeypatch):
    study = load_study(_study(tmp_path, "every_reader", sources=EVERY_READER))
    raw = study.raw_dir
    before = {p: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest()) for p in raw.rglob("*")
              if p.is_file()}
    opened, writes = set(), []

    def under_raw(path) -> Path | None:
        try:
            p = Path(os.fsdecode(path)).resolve()
        except TypeError:
            return None  # a file descriptor
        return p if p.is_relative_to(raw) else None

    real_open, real_os_open = builtins.open, os.open

    def spy_open(file, mode="r", *args, **kwargs):
        p = under_raw(file) if isinstance(file, (str, bytes, os.PathLike)) else None
        if p is not None:
            opened.add(p)
            if any(c in mode for c in "wax+"):
                writes.append((p, mode))
        return real_open(file, mode, *args, **kwargs)

    def spy_os_open(path, flags, *args, **kwargs):
        p = under_raw(path)
        if p is not None and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND):
            writes.append((p, flags))
        return real_os_open(path, flags, *args, **kwargs)

    def refuse(name):
        real = getattr(os, name)

        def spy(*args, **kwargs):
            for a in args[:2]:
                if isinstance(a, (str, os.PathLike)) and under_raw(a) is not None:
                    writes.append((under_raw(a), name))
            return real(*args, **kwargs)
        return spy

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    for name in ("replace", "rename", "remove", "unlink", "chmod", "utime", "truncate"):
        monkeypatch.setattr(os, name, refuse(name))
    manifest = build_processed(study)
    monkeypatch.undo()
    inputs = {raw / rel for rel in manifest.inputs if not rel.startswith("config:")}
    assert any(p.suffix == ".xlsx" for p in inputs) and any(p.suffix == ".json" for p in inputs)
    assert inputs and inputs <= opened  # every input was read through the spied functions
    assert writes == []
    after = {p: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest()) for p in raw.rglob("*")
             if p.is_file()}
    assert after == before


# ---------------------------------------------------------------- the real command, killed


def _samorg(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "samorg.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)


@pytest.mark.slow  # whole-study work; runs in the locked environment (CI time with two environments)
def test_samorg_data_killed_at_random_moments_reruns_to_identical_files_then_skips(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(DEMO_RAW, raw)
    reference = load_study(_study(tmp_path, "reference", raw=raw, sources=SOME_SOURCES))
    build_processed(reference)
    want = _hashes(reference.processed_dir)

    path = _study(tmp_path, "killed", raw=raw, sources=SOME_SOURCES)
    processed = tmp_path / "processed_killed"
    rng = random.Random("samorg data, killed")
    states = []
    # The first kill lands as soon as a file appears in the (still empty) processed folder, so at least
    # one kill is surely mid-build however fast the build is; then two at random moments.
    for moment in ["first write"] + [rng.uniform(0.1, 1.5) for _ in range(2)]:
        proc = _samorg("data", "--study", str(path))
        start = time.perf_counter()
        if moment == "first write":  # kill as soon as a file appears in the processed folder
            while proc.poll() is None and not (processed.exists() and any(
                    p.suffix == ".tmp" or p.name.endswith(".parquet") for p in processed.iterdir())):
                time.sleep(0.001)
        else:
            while proc.poll() is None and time.perf_counter() - start < moment:
                time.sleep(0.01)
        proc.kill()
        proc.communicate()
        states.append(sorted(p.name for p in processed.iterdir()) if processed.exists() else [])
    assert any("manifest.json" not in s and s for s in states), states  # at least one kill landed mid-build

    done = _samorg("data", "--study", str(path))
    out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    assert _hashes(processed) == want
    assert _visible(processed) == _visible(reference.processed_dir)
    assert all(n.endswith(".tmp") for n in set(os.listdir(processed)) - set(_visible(processed)))
    assert json.loads((processed / "manifest.json").read_text())["tables"] == \
        json.loads((reference.processed_dir / "manifest.json").read_text())["tables"]

    # unchanged inputs: skipped, nothing rewritten
    mtimes = {p.name: p.stat().st_mtime_ns for p in processed.glob("*.parquet")}
    again = _samorg("data", "--study", str(path))
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0 and "Nothing changed since the last build" in out, err
    assert {p.name: p.stat().st_mtime_ns for p in processed.glob("*.parquet")} == mtimes

    # a changed input: rebuilt, and only the table it feeds changes
    branch = raw / "filialer" / "indre_ostfold_2017.csv"
    text = branch.read_bytes().decode("latin-1")  # a Latin-1 export
    first_row = text.splitlines()[1]
    cells = first_row.split(";")
    cells[2] = str(int(cells[2]) + 8)  # eight more visitors one month
    branch.write_bytes(text.replace(first_row, ";".join(cells), 1).encode("latin-1"))
    rebuilt = _samorg("data", "--study", str(path))
    out, err = rebuilt.communicate(timeout=120)
    assert rebuilt.returncode == 0 and "Built " in out, err
    now = _hashes(processed)
    assert now["observations.parquet"] != want["observations.parquet"]
    assert {k: v for k, v in now.items() if k != "observations.parquet"} == \
        {k: v for k, v in want.items() if k != "observations.parquet"}


def test_stale_temporaries_of_a_killed_build_are_cleared_and_tables_are_readable(tmp_path):
    """A killed build leaves `.x.tmp` files; the next build removes them. Tables are not private (0600)."""
    import stat

    from samorg import store

    folder = tmp_path / "processed"
    folder.mkdir()
    (folder / ".observations.parquet.abc.tmp").write_bytes(b"half")
    assert store.remove_stale_temporaries(folder) == 1
    assert not list(folder.glob(".*.tmp"))
    import pandas as pd

    store.write_table(pd.DataFrame({"a": [1]}), folder / "t.parquet")
    mode = stat.S_IMODE((folder / "t.parquet").stat().st_mode)
    assert mode & stat.S_IRGRP, oct(mode)
