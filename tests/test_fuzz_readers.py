"""Every reader, fed arbitrary bytes and mangled real-looking files, fails only with a SamorgError that
names the file (and, where a cell is to blame, the row and column).

A short run is part of the normal suite; set SAMORG_FUZZ_EXAMPLES (e.g. 1000) for the long run:
``SAMORG_FUZZ_EXAMPLES=1000 .venv/bin/pytest tests/test_fuzz_readers.py``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samorg import sources
from samorg.errors import SamorgError

EXAMPLES = int(os.environ.get("SAMORG_FUZZ_EXAMPLES", "40"))
DEMO = Path(__file__).resolve().parents[1] / "data" / "raw" / "demo"

# reader, file suffix, a real-looking seed file from the demo world (or None)
READERS = [
    ("read_branch_counts", ".csv", DEMO / "filialer" / "drammen_2019.csv"),
    ("read_nb_library_stats", ".csv", DEMO / "nb" / "folkebibl-2019-kommuner.csv"),
    ("read_inquiries", ".csv", DEMO / "henvendelser" / "drammen_2021.csv"),
    ("read_survey", ".csv", DEMO / "undersokelser" / "brukerundersokelse_2019.csv"),
    ("read_jsonstat", ".json", next(iter(sorted((DEMO / "ssb").glob("*.json"))), None)),
    ("read_statbank_csv", ".csv", None),
    ("read_klass_codes", ".csv", None),
    ("read_klass_changes", ".csv", None),
    ("read_people_counter", ".csv", None),
    ("read_loans", ".csv", None),
    ("read_events", ".csv", None),
]

SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    derandomize=EXAMPLES <= 40)


def _call(name: str, data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_bytes(data)
        try:
            getattr(sources, name)(path)
        except SamorgError as exc:
            assert str(path) in str(exc) or path.name in str(exc), f"{name}: message does not name the file: {exc}"


def _mangle(seed: bytes, cut: int, insert: bytes, at: int) -> bytes:
    """A real-looking file, truncated and with junk spliced in."""
    if not seed:
        return insert
    cut = cut % (len(seed) + 1)
    at = at % (cut + 1)
    return seed[:at] + insert + seed[at:cut]


@pytest.mark.parametrize(("name", "suffix", "seed"), READERS, ids=[r[0] for r in READERS])
@SETTINGS
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes_give_a_samorg_error_or_a_table(name, suffix, seed, data):
    _call(name, data, suffix)


@pytest.mark.parametrize(("name", "suffix", "seed"), [r for r in READERS if r[2] is not None and r[2].is_file()],
                         ids=[r[0] for r in READERS if r[2] is not None and r[2].is_file()])
@SETTINGS
@given(cut=st.integers(min_value=0), insert=st.binary(max_size=40), at=st.integers(min_value=0))
def test_mangled_real_looking_files_give_a_samorg_error_or_a_table(name, suffix, seed, cut, insert, at):
    _call(name, _mangle(seed.read_bytes(), cut, insert, at), suffix)
