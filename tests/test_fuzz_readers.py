"""Every reader, fed arbitrary bytes, mangled real-looking files and well-formed files with arbitrary cells,
returns a table or raises a SourceFormatError subclass naming the file and the row or column; nothing else.

A short run (50 examples per reader and strategy) is part of the normal suite; set SAMORG_FUZZ_EXAMPLES for
the long run: ``SAMORG_FUZZ_EXAMPLES=1000 .venv/bin/pytest tests/test_fuzz_readers.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from samorg import sources
from samorg.errors import SourceFormatError

EXAMPLES = int(os.environ.get("SAMORG_FUZZ_EXAMPLES", "50"))
LONG = EXAMPLES > 50
DEMO = Path(__file__).resolve().parents[1] / "data" / "raw" / "demo"
FIX = Path(__file__).parent / "fixtures" / "sources"
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=not LONG,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def _xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Info"
    wb.active.append(["Eksport", "test"])
    ws = wb.create_sheet("Data")
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _seed(path: Path) -> bytes | None:
    return path.read_bytes() if path.is_file() else None


# reader name, file suffix, real-looking seed bytes, header for well-formed files with arbitrary cells
READERS = [
    ("read_branch_counts", ".csv", _seed(DEMO / "filialer" / "drammen_2019.csv"),
     ["Filial", "Måned", "Besøk inn", "Besøk ut", "Meråpent besøk", "Betjente timer"]),
    ("read_nb_library_stats", ".csv", _seed(FIX / "nb" / "folkebibl-2020-kommuner.csv"),
     ["Kommunenr.", "Kommune", "Totalt per 1.1.2020", "Besøk totalt", "Følger hjemme-sidene WAI-standarden"]),
    ("read_inquiries", ".csv", _seed(DEMO / "henvendelser" / "drammen_2021.csv"),
     ["Tidspunkt", "Kanal", "Sted", "Løst ved første kontakt", "Ventetid (min)"]),
    ("read_survey", ".csv", _seed(DEMO / "undersokelser" / "brukerundersokelse_2019.csv"),
     ["Respondentnr.", "Bibliotek", "Dato", "Hvor fornøyd er du med åpningstidene?"]),
    ("read_jsonstat", ".json", _seed(FIX / "jsonstat" / "tiny_v2.json"), None),
    ("read_statbank_csv", ".csv", _seed(FIX / "statbank" / "07459_long_latin1.csv"), ["region", "år", "Befolkning"]),
    ("read_klass_codes", ".csv", _seed(FIX / "klass" / "ssb_kommunekoder_2024.csv"), ["code", "name", "validFrom"]),
    ("read_klass_changes", ".csv", _seed(FIX / "klass" / "kommuner_med_endringer_fra2023_til2024.csv"),
     ["kommuner_2023", "kommuner_2024", "splittes"]),
    ("read_people_counter", ".csv", _seed(FIX / "branch" / "teller_time.csv"), ["Sted", "Dato", "Time", "Inn", "Ut"]),
    ("read_loans", ".csv", _seed(FIX / "branch" / "utlan.csv"), ["Filial", "Måned", "Antall utlån", "Fornyelser"]),
    ("read_events", ".csv", _seed(FIX / "branch" / "arrangementer.csv"), ["Dato", "Sted", "Deltakere", "Digitalt"]),
    ("read_klass_grouping", ".xlsx", _xlsx([["GRUPPEKODE", "GRUPPETEKST", "KODE", "TEKST"],
                                             ["K.3301", "Drammen", "0711", "Svelvik (1964-2019)"]]),
     ["GRUPPEKODE", "GRUPPETEKST", "KODE", "TEKST"]),
]
XLSX_READERS = [  # the readers that take workbooks, with a header for workbooks of arbitrary cells
    ("read_survey", ["RespondentID", "Sted", "Innsendt", "Hvor fornøyd er du med roen og atmosfæren i lokalene?"]),
    ("read_branch_counts", ["Filial", "Måned", "Besøk inn", "Besøk ut"]),
    ("read_people_counter", ["Sted", "Tidspunkt", "Inn", "Ut"]),
    ("read_klass_grouping", ["GRUPPEKODE", "GRUPPETEKST", "KODE", "TEKST"]),
]
IDS = [r[0] for r in READERS]
BY_NAME = {r[0]: r for r in READERS}
WELL_FORMED = [r[0] for r in READERS if r[3] and r[1] == ".csv"]
CELL_CHARS = st.sampled_from(list("0123456789 ,.;:-–−+eE/\"'\n\tJaNeiæøåÆØÅáš\u00a0kK"))
TOKENS = st.sampled_from(list("0123456789 ,.;:-–−+eE/\"'\n\tJaNeiæøåÆØÅáš\u00a0kK")
                         + ["..", "Ã¸", "2019-", "01.03.", "2020", "13:00", " Ja ", "Nei", "0301", "3005.0", "K.3301",
                            "(2020-2023)", "Vet ikke", "Fornøyd", "30.02.2021", "1 234,5"])
CELLS = st.lists(TOKENS, max_size=5).map("".join)


def _check(name: str, data: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"fuzz{suffix}"
        path.write_bytes(data)
        try:
            out = getattr(sources, name)(path)
        except SourceFormatError as exc:
            assert exc.path == str(path) and str(path) in str(exc), f"{name}: the message does not name the file: {exc}"
            assert exc.row is not None or exc.column is not None, f"{name}: no row or column: {exc}"
            assert exc.found and exc.expected and exc.fix, f"{name}: found, expected and fix: {exc}"
        else:
            assert isinstance(out, pd.DataFrame)


def _mangle(seed: bytes, cut: int, insert: bytes, at: int) -> bytes:
    """A real-looking file, truncated and with junk spliced in."""
    if not seed:
        return insert
    cut = cut % (len(seed) + 1)
    at = at % (cut + 1)
    return seed[:at] + insert + seed[at:cut]


@pytest.mark.parametrize("name", IDS)
@SETTINGS
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes_give_a_source_error_or_a_table(name, data):
    _check(name, data, BY_NAME[name][1])


@pytest.mark.parametrize("name", IDS)
@SETTINGS
@given(cut=st.integers(min_value=0), insert=st.binary(max_size=40), at=st.integers(min_value=0))
def test_mangled_real_looking_files_give_a_source_error_or_a_table(name, cut, insert, at):
    _, suffix, seed, _ = BY_NAME[name]
    _check(name, _mangle(seed, cut, insert, at), suffix)


@st.composite
def delimited(draw, header: list[str]) -> bytes:
    """A well-formed header and rows of arbitrary cells, in a random encoding, separator and line ending."""
    sep = draw(st.sampled_from([";", ",", "\t"]))
    rows = draw(st.lists(st.lists(CELLS, min_size=len(header) - 1,
                                  max_size=len(header) + 1), max_size=6))
    quote = draw(st.booleans())

    def line(cells: list[str]) -> str:
        return sep.join(('"' + c.replace('"', '""') + '"') if quote or sep in c or '"' in c or "\n" in c else c
                        for c in cells)

    text = "\n".join([line(header)] + [line(r) for r in rows]) + draw(st.sampled_from(["", "\n"]))
    text = text.replace("\n", draw(st.sampled_from(["\n", "\r\n"])))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return text.encode(encoding, errors="replace")


@pytest.mark.parametrize("name", WELL_FORMED)
@SETTINGS
@given(data=st.data())
def test_well_formed_files_with_arbitrary_cells(name, data):
    _check(name, data.draw(delimited(BY_NAME[name][3])), ".csv")


JSON_VALUES = st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(allow_nan=False), CELLS,
                        st.booleans())


@st.composite
def jsonstat_docs(draw) -> bytes:
    """JSON-stat-like documents (2.0 or 1.0) whose sizes, categories, values and statuses may disagree."""
    n = draw(st.integers(1, 3))
    ids = [f"D{i}" for i in range(n)]
    sizes = [draw(st.integers(0, 3)) for _ in ids]
    dims = {}
    for i, size in zip(ids, sizes):
        k = draw(st.sampled_from([size, size, max(size - 1, 0), size + 1]))
        codes = [f"c{j}" for j in range(k)]
        index = draw(st.sampled_from(["list", "dict", "none"]))
        cat = {"label": {c: c.upper() for c in codes}}
        if index == "list":
            cat["index"] = codes
        elif index == "dict":
            cat["index"] = {c: j for j, c in enumerate(codes)}
        dims[i] = {"label": i, "category": cat}
    total = 1
    for s in sizes:
        total *= s
    count = draw(st.sampled_from([total, total, max(total - 1, 0), total + 1]))
    values = draw(st.one_of(st.lists(JSON_VALUES, min_size=count, max_size=count),
                            st.dictionaries(st.sampled_from([str(j) for j in range(total + 2)] + ["x"]), JSON_VALUES,
                                            max_size=4)))
    status = draw(st.one_of(st.none(), st.sampled_from([".", "..", ":"]),
                            st.dictionaries(st.sampled_from([str(j) for j in range(total + 1)]),
                                            st.sampled_from([".", "..", ":", None]), max_size=3)))
    if draw(st.booleans()):
        doc = {"class": "dataset", "id": ids, "size": sizes, "dimension": dims, "value": values}
        if status is not None:
            doc["status"] = status
    else:
        doc = {"ds": {"dimension": {"id": ids, "size": sizes, **dims}, "value": values, "status": status}}
    return json.dumps(doc).encode()


@SETTINGS
@given(doc=jsonstat_docs())
def test_jsonstat_like_documents(doc):
    _check("read_jsonstat", doc, ".json")


XLSX_CELLS = st.one_of(st.none(), st.integers(-10**9, 10**9), st.floats(allow_nan=False, allow_infinity=False),
                       CELLS, st.booleans(),
                       st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)))


@pytest.mark.parametrize(("name", "header"), XLSX_READERS, ids=[r[0] for r in XLSX_READERS])
@settings(max_examples=max(EXAMPLES // 2, 10), deadline=None, derandomize=not LONG,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rows=st.lists(st.lists(XLSX_CELLS, min_size=1, max_size=5), max_size=4), cut=st.one_of(st.none(), st.integers(0, 6000)))
def test_workbooks_with_arbitrary_cells_or_cut_short(name, header, rows, cut):
    data = _xlsx([header] + rows)
    _check(name, data if cut is None else data[:cut], ".xlsx")
