"""Each bad input to a reader gets its own error class and a message naming file, row, column and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from samorg import sources

DEMO_EXPORT = Path(__file__).resolve().parents[1] / "data" / "raw" / "demo" / "filialer" / "drammen_2019.csv"


def _export() -> bytes:
    return DEMO_EXPORT.read_bytes()


CASES = {
    "empty_file": ("read_branch_counts", ".csv", lambda: b"", "EmptyFileError", ["row 1", "the file is empty"]),
    "header_only": ("read_branch_counts", ".csv", lambda: _export().split(b"\n")[0] + b"\n", "EmptyFileError",
                    ["a header and no data rows"]),
    "not_a_number": ("read_branch_counts", ".csv", lambda: _export().replace("2\u00a0223".encode(), b"12,5 k", 1),
                     "ValueFormatError", ["row 2", 'column "Besøk inn"', "'12,5 k' is not a count", "12 500"]),
    "not_a_month": ("read_branch_counts", ".csv", lambda: _export().replace(b"2019-01", b"2019-13", 1),
                    "ValueFormatError", ['column "Måned"', "'2019-13' is not a date"]),
    "truncated": ("read_branch_counts", ".csv", lambda: _export().rstrip(b"\n").rsplit(b";", 3)[0],
                  "TruncatedFileError", ["the last row has 7 of the header's 10 fields", "copy or download the file again"]),
    "not_json": ("read_jsonstat", ".json", lambda: b"{not json", "LayoutError", ["row 1", "not valid JSON"]),
    "not_jsonstat": ("read_jsonstat", ".json", lambda: b'{"a": 1}', "LayoutError", ["no dataset", "JSON-stat 2.0"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_reader_bad_input_message(case, tmp_path):
    reader, suffix, make, error, phrases = CASES[case]
    path = tmp_path / f"export{suffix}"
    path.write_bytes(make())
    with pytest.raises(getattr(sources, error)) as info:
        getattr(sources, reader)(path)
    message = str(info.value)
    assert str(path) in message
    for phrase in phrases:
        assert phrase in message, (phrase, message)
