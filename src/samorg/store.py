"""The processed-data store: atomic, deterministic parquet files plus ``manifest.json``.

Writes go to a temporary file in the target folder, then ``os.replace`` (a reader never sees half
a file). The same frame gives byte-identical parquet: no index, no timestamps, fixed row order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from samorg.errors import SamorgError, SourceFormatError

TABLES = ("sites", "observations", "inquiries", "survey_responses", "population")
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


def remove_stale_temporaries(folder: str | Path) -> int:
    """Delete temporary files left by a build that was killed mid-write; return how many."""
    folder = Path(folder)
    if not folder.is_dir():
        return 0
    stale = [p for p in folder.glob(".*.tmp") if p.is_file()]
    for p in stale:
        p.unlink(missing_ok=True)
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


@dataclass
class Manifest:
    """What a build read, wrote and decided (``manifest.json`` next to the tables).

    ``inputs`` maps each input (raw file or config, relative path) to its sha256; ``tables`` maps a
    table to ``{"file", "rows", "sha256"}``; ``decisions`` lists cleaning decisions (rows dropped
    and why, outages flagged). ``skipped`` is True when the build found nothing changed.
    """

    samorg_version: str
    study: str
    built_at: str
    inputs: dict[str, str] = field(default_factory=dict)
    tables: dict[str, dict] = field(default_factory=dict)
    decisions: list[dict] = field(default_factory=list)
    skipped: bool = False

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("skipped")
        return d

    @classmethod
    def from_dict(cls, data: dict) -> "Manifest":
        return cls(**{k: data[k] for k in ("samorg_version", "study", "built_at", "inputs", "tables", "decisions")})

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


def read_processed(processed_dir: str | Path, table: str) -> pd.DataFrame:
    """Read one processed table (``sites``, ``observations``, ``inquiries``, ``survey_responses``, ``population``).

    Raises
    ------
    SamorgError
        The table name is unknown or the file is missing (run ``samorg data`` first).
    """
    if table not in TABLES:
        raise SamorgError(f"Unknown processed table {table!r}. Expected one of: {', '.join(TABLES)}.")
    path = Path(processed_dir) / f"{table}.parquet"
    if not path.is_file():
        raise SourceFormatError(path, found="the processed table does not exist",
                                expected="a table written by the data pipeline",
                                fix="Run `samorg data` (or samorg.pipeline.build_processed) first.")
    return pd.read_parquet(path)
