"""The qualitative reader, fuzzed like every other reader (tests/test_fuzz_readers.py): arbitrary bytes, a mangled
real-looking export and well-formed files with arbitrary cells give a table or a SourceFormatError naming the file
and the row or column, with found, expected and a fix; nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from test_fuzz_readers import CELLS, SETTINGS, _check, _mangle, _xlsx, delimited

DEMO = Path(__file__).resolve().parents[1] / "data" / "raw" / "demo" / "kvalitativt"
SEED = (DEMO / "koding_drammen.csv").read_bytes()[:1500] if (DEMO / "koding_drammen.csv").is_file() else b""
HEADER = ["Sted", "Kildetype", "Dato", "Informantrolle", "Tema", "Mål", "Retning", "Sitat-ID", "Sitat", "Samtykke"]
QUAL_CELLS = st.one_of(CELLS, st.sampled_from(["Fjell", "Intervju", "verksted", "Mål 4", "4", "7", "Positiv",
                                               "blandet", "±", "Ja", "Nei", "14.03.2024", "F-01", ""]))


def test_the_seed_is_the_committed_demo_export():
    assert SEED.startswith("Sted;Kildetype;Dato".encode("latin-1"))


@SETTINGS
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes_give_a_source_error_or_a_table(data):
    _check("read_qualitative", data, ".csv")


@SETTINGS
@given(cut=st.integers(min_value=0), insert=st.binary(max_size=40), at=st.integers(min_value=0))
def test_mangled_real_looking_export_gives_a_source_error_or_a_table(cut, insert, at):
    _check("read_qualitative", _mangle(SEED, cut, insert, at), ".csv")


@SETTINGS
@given(data=st.data())
def test_well_formed_files_with_arbitrary_cells(data):
    _check("read_qualitative", data.draw(delimited(HEADER)), ".csv")


@SETTINGS
@given(rows=st.lists(st.lists(st.one_of(st.none(), st.integers(-10, 10**6), st.floats(allow_nan=False,
                                                                                      allow_infinity=False),
                                        QUAL_CELLS, st.booleans()), min_size=9, max_size=11), max_size=5))
def test_workbooks_with_arbitrary_cells(rows):
    _check("read_qualitative", _xlsx([HEADER, *rows]), ".xlsx")


@pytest.mark.parametrize("cells", [["Fjell", "Intervju", "14.03.2024", "Ansatt", "Tema", "Mål 4", "Positiv", "F-1",
                                    "Sitat", "Ja"]])
def test_a_valid_row_reads(cells, tmp_path):
    path = tmp_path / "k.csv"
    path.write_text(";".join(HEADER) + "\n" + ";".join(cells) + "\n", encoding="utf-8")
    from samorg.sources import read_qualitative

    assert read_qualitative(path)["aim"].tolist() == [4]
