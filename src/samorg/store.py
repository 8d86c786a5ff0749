"""The processed-data store: atomic, deterministic parquet files plus ``manifest.json``.

Writes go to a temporary file in the target folder, then ``os.replace`` (a reader never sees half
a file). The same frame gives byte-identical parquet: no index, no timestamps, fixed row order.
:func:`write_processed` writes *every* table of a build to temporary files first and renames
them into place only when all are written, the manifest last: a build that fails anywhere
before that (a bad raw file, a full disk, a read-only folder) leaves the last good tables and
manifest byte-identical, and a build killed during the renames is never taken for a finished
one (the old manifest no longer matches, so the next ``samorg data`` rebuilds).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from samorg import columns as C
from samorg.errors import SamorgError, SourceFormatError


class ProcessedDataError(SamorgError):
    """The processed-data folder cannot be written, or a processed table cannot be read."""

TABLES = ("sites", "observations", "inquiries", "survey_responses", "population", "qualitative_segments")
MANIFEST = "manifest.json"


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _not_writable(folder: Path, exc: OSError) -> ProcessedDataError:
    return ProcessedDataError(
        f"{folder}: the processed-data folder cannot be written ({type(exc).__name__}: {exc.strerror or exc}). "
        "Expected a folder `samorg data` may create files in. Give your user write permission on the folder "
        "(e.g. `chmod u+w` on it), free disk space, or set processed_dir in the study file to a folder you can "
        "write. The processed tables already there are unchanged.")


def remove_stale_temporaries(folder: str | Path) -> int:
    """Delete temporary files left by a build that was killed mid-write; return how many."""
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    stale = [p for p in folder.glob(".*.tmp") if p.is_file()]
    try:
        for p in stale:
            p.unlink(missing_ok=True)
    except OSError as exc:
        raise _not_writable(folder, exc) from None
    return len(stale)


def _atomic_write_bytes(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        # mkstemp creates the file private (0600); a processed table is readable like any other file.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_table(frame: pd.DataFrame, path: str | Path) -> str:
    """Write ``frame`` to parquet atomically and deterministically; return the file's sha256."""
    path = Path(path)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    _atomic_write_bytes(path, lambda tmp: pq.write_table(table, tmp, compression="zstd", write_statistics=True))
    return sha256_file(path)


def write_json(data: dict, path: str | Path) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    _atomic_write_bytes(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def _stage(folder: Path, name: str, write) -> str:
    """Write a temporary ``.name.XXXX.tmp`` in ``folder`` with ``write(tmp)``; return its path."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private (0600); a table is readable like any file
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def write_processed(tables: dict[str, pd.DataFrame], manifest: "Manifest", processed_dir: str | Path) -> "Manifest":
    """Write every table and then the manifest, all or (until the renames) nothing.

    Each table is written to a temporary file in ``processed_dir``; only when all of them and the
    manifest are complete are they renamed into place, tables first, the manifest last. Fills in
    ``manifest.tables`` (file, rows, sha256) and returns the manifest.

    Raises
    ------
    ProcessedDataError
        The folder cannot be created or written (read-only, no permission, disk full); nothing in
        it has changed.
    """
    folder = Path(processed_dir)
    staged: list[tuple[str, Path]] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in tables.items():
            table = pa.Table.from_pandas(frame, preserve_index=False)
            tmp = _stage(folder, f"{name}.parquet", lambda t, table=table: pq.write_table(
                table, t, compression="zstd", write_statistics=True))
            staged.append((tmp, folder / f"{name}.parquet"))
            manifest.tables[name] = {"file": f"{name}.parquet", "rows": int(len(frame)), "sha256": sha256_file(tmp)}
        text = json.dumps(manifest.to_dict(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"
        staged.append((_stage(folder, MANIFEST, lambda t: Path(t).write_text(text, encoding="utf-8")),
                       folder / MANIFEST))
        while staged:
            tmp, final = staged[0]
            os.replace(tmp, final)
            staged.pop(0)
    except OSError as exc:
        raise _not_writable(folder, exc) from None
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return manifest


@dataclass
class Manifest:
    """What a build read, wrote and decided (``manifest.json`` next to the tables).

    ``inputs`` maps each input (raw file or config, relative path) to its sha256; ``tables`` maps a
    table to ``{"file", "rows", "sha256"}``; ``decisions`` lists cleaning decisions (rows dropped
    and why, outages flagged). ``build_key`` is what else decides the tables (samorg's code hash
    and version, library versions, the pseudonym key's fingerprint: :func:`samorg.provenance.build_key`);
    ``provenance`` is :func:`samorg.provenance.provenance` at build time. ``skipped`` is True when
    the build found nothing changed.
    """

    samorg_version: str
    study: str
    built_at: str
    inputs: dict[str, str] = field(default_factory=dict)
    tables: dict[str, dict] = field(default_factory=dict)
    decisions: list[dict] = field(default_factory=list)
    build_key: dict = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    skipped: bool = False

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("skipped")
        return d

    @classmethod
    def from_dict(cls, data: dict) -> "Manifest":
        return cls(**{k: data[k] for k in ("samorg_version", "study", "built_at", "inputs", "tables", "decisions")},
                   build_key=data.get("build_key") or {}, provenance=data.get("provenance") or {})

    def rows(self, table: str) -> int:
        return int(self.tables[table]["rows"])

    def summary(self) -> str:
        """A few lines for the command line."""
        head = "Nothing changed since the last build; tables kept." if self.skipped else f"Built {self.built_at}."
        lines = [head] + [f"  {t}: {info['rows']:,} rows".replace(",", " ") for t, info in self.tables.items()]
        by_step: dict[str, int] = {}
        for d in self.decisions:
            by_step[d["step"]] = by_step.get(d["step"], 0) + int(d.get("rows", 0))
        lines += [f"  decision {step}: {n} rows" for step, n in by_step.items()]
        return "\n".join(lines)


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def write_manifest(manifest: Manifest, processed_dir: str | Path) -> Path:
    path = Path(processed_dir) / MANIFEST
    write_json(manifest.to_dict(), path)
    return path


def read_manifest(processed_dir: str | Path) -> Manifest | None:
    """The manifest in ``processed_dir``, or None if there is none (or it is unreadable)."""
    path = Path(processed_dir) / MANIFEST
    try:
        return Manifest.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def read_processed(processed_dir: str | Path, table: str, *, columns: list[str] | None = None,
                   filters: list | None = None) -> pd.DataFrame:
    """Read one processed table (``sites``, ``observations``, ``inquiries``, ``survey_responses``, ``population``,
    ``qualitative_segments``).

    ``columns`` and ``filters`` are passed to :func:`pandas.read_parquet` (e.g.
    ``filters=[("site_id", "==", "askim")]``). Reads are kept per process (see ``_CACHE``): the same file,
    unchanged, with the same columns and filters is parsed once; every call returns its own copy.

    Raises
    ------
    SamorgError
        The table name is unknown or the file is missing (run ``samorg data`` first).
    ProcessedDataError
        The file is truncated, corrupt or unreadable (the message says to run ``samorg data --force``).
    """
    if table not in TABLES:
        raise SamorgError(f"Unknown processed table {table!r}. Expected one of: {', '.join(TABLES)}.")
    path = Path(processed_dir) / f"{table}.parquet"
    if not path.is_file():
        raise SourceFormatError(path, found="the processed table does not exist",
                                expected="a table written by the data pipeline",
                                fix="Run `samorg data` (or samorg.pipeline.build_processed) first.")
    key = _cache_key(path, columns, filters)
    with _CACHE_LOCK:
        cached = _CACHE.get(key) if key is not None else None
        if cached is not None:
            _CACHE.move_to_end(key)
    if cached is None:
        try:
            cached = pd.read_parquet(path, columns=columns, filters=filters)
        except (OSError, pa.ArrowException, ValueError) as exc:
            raise unreadable_table(path, exc) from None
        if key is not None:
            with _CACHE_LOCK:
                _CACHE[key] = cached
                while len(_CACHE) > _CACHE_SIZE:
                    _CACHE.popitem(last=False)
    return cached.copy(deep=True)


#: Frames read by :func:`read_processed` in this process, keyed on the file's identity (path, inode, size,
#: modification and change times) and the columns and filters asked for. A site report reads the same
#: tables a few dozen times and the synthesis over a hundred; parsing parquet again each time was a
#: tenth of a report's time. A rewritten file (``samorg data`` replaces tables atomically, so a new inode
#: and new times) is a new key; callers always get a copy, so they cannot change what the next one reads.
_CACHE: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
_CACHE_SIZE = 24
_CACHE_LOCK = threading.Lock()


def _freeze(value: Any) -> Any:
    """``value`` as something hashable (lists and tuples become tuples); ``TypeError`` when it cannot be."""
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(_freeze(v) for v in value)))
    hash(value)
    return (type(value).__name__, value)


def file_identity(path: str | Path) -> tuple | None:
    """What tells one version of a file from another without reading it: its resolved path, inode, size and
    modification and change times (``samorg data`` replaces a table atomically: a new inode and new times);
    ``None`` when it cannot be stat'ed. For caches kept per process of what was read from a file."""
    try:
        st = os.stat(path)
        return str(Path(path).resolve()), st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns
    except OSError:
        return None


def _cache_key(path: Path, columns: Any, filters: Any) -> tuple | None:
    """The cache key of one read, or ``None`` (not cached) when the file cannot be stat'ed or the
    columns/filters are not plain values."""
    identity = file_identity(path)
    try:
        return None if identity is None else (*identity, _freeze(columns), _freeze(filters))
    except TypeError:
        return None


def clear_read_cache() -> None:
    """Forget every frame :func:`read_processed` has kept (tests; a long session that wants the memory back)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def load_survey_responses(processed_dir: str | Path, *, ordered: bool = True) -> pd.DataFrame:
    """The processed survey answers; with ``ordered=True`` ``response`` becomes an ordered categorical.

    The stored ``response`` is a nullable Int8 code 1–5 (``samorg.columns.RESPONSE_LEVELS``; 5 =
    "Svært fornøyd"), missing for "Vet ikke" (``dont_know`` True) and blank answers. ``ordered=True``
    maps the codes to the bokmål labels as an ordered ``Categorical`` (worst → best), as cumulative-link
    models expect. The file is only read. (Here rather than in :mod:`samorg.pipeline`, which re-exports it,
    so that report kernels read answers without importing the pipeline and pandera.)
    """
    frame = read_processed(processed_dir, "survey_responses")
    if ordered:
        levels = list(C.RESPONSE_LEVELS.values())
        labels = frame[C.RESPONSE].map(C.RESPONSE_LEVELS, na_action="ignore")
        frame = frame.assign(**{C.RESPONSE: pd.Categorical(labels, categories=levels, ordered=True)})
    return frame


def verify_processed(processed_dir: str | Path) -> Manifest:
    """Check that every processed table is the one ``samorg data`` wrote (its sha256 in the manifest).

    For commands that read the tables (``samorg report``): a truncated, corrupt or hand-edited
    table is named before any report runs, instead of failing inside a notebook. Returns the manifest.

    Raises
    ------
    ProcessedDataError
        No readable manifest, or a table missing or different from what the manifest records;
        the message says to run ``samorg data`` (``--force`` for a damaged table).
    """
    folder = Path(processed_dir)
    manifest = read_manifest(folder)
    if manifest is None:
        raise ProcessedDataError(f"{folder / MANIFEST}: missing or unreadable. Expected the manifest `samorg data` "
                                 "writes beside the processed tables. Run `samorg data --force` to rebuild them.")
    for table in TABLES:
        info = manifest.tables.get(table) or {}
        path = folder / str(info.get("file") or f"{table}.parquet")
        if not path.is_file():
            raise ProcessedDataError(f"{path}: the processed table is missing. Expected the table listed in "
                                     f"{MANIFEST}. Run `samorg data --force` to rebuild it.")
        if sha256_file(path) != info.get("sha256"):
            raise ProcessedDataError(
                f"{path}: the file differs from the one `samorg data` wrote (its SHA-256 is not the one in "
                f"{MANIFEST}). Expected the table unchanged since the build; it may have been cut short (a full "
                "disk, a copy that stopped) or changed by another program. Run `samorg data --force` to rebuild it.")
    return manifest


def unreadable_table(path: str | Path, exc: BaseException) -> ProcessedDataError:
    """The error for a processed table that cannot be read (truncated, corrupt, unreadable)."""
    detail = str(exc).splitlines()[0][:200] if str(exc) else ""
    return ProcessedDataError(
        f"{path}: the processed table cannot be read ({type(exc).__name__}: {detail}). Expected a complete "
        "parquet file written by `samorg data`; it may have been cut short (a full disk, a copy that stopped) "
        "or changed by another program. Run `samorg data --force` to rebuild it from the raw files.")
