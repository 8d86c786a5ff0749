"""The readers' bad-input catalogue: each case raises its SourceFormatError subclass naming file, row, column,
what was found, what was expected and the fix. docs/bad-inputs.md (## Readers) lists every case by its id."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest

from samorg import sources
from samorg.errors import SamorgError, SourceFormatError

NBSP = "\u00a0"
FIX = Path(__file__).parent / "fixtures" / "sources"
BRANCH = "Filial;Måned;Besøk inn;Besøk ut;Utlån\r\n"


@dataclass(frozen=True)
class Case:
    id: str
    input: str
    name: str
    content: Callable[[Path], bytes]
    read: Callable[[Path], object]
    error: type
    row: int | None
    column: str | None
    phrases: tuple[str, ...]


def _xlsx(sheets: dict[str, list[list]]) -> Callable[[Path], bytes]:
    def make(tmp: Path) -> bytes:
        from openpyxl import Workbook

        wb = Workbook()
        wb.remove(wb.active)
        for name, rows in sheets.items():
            ws = wb.create_sheet(name)
            for r in rows:
                ws.append(r)
        wb.save(tmp / "_wb.xlsx")
        return (tmp / "_wb.xlsx").read_bytes()
    return make


def _b(text: str, encoding: str = "utf-8") -> Callable[[Path], bytes]:
    return lambda tmp: text.encode(encoding)


SURVEY = _xlsx({"Info": [["Undersøkelse", "2022"]],
                "Svar": [["RespondentID", "Sted", "Innsendt", "Hvor fornøyd er du med åpningstidene?"],
                         [1, "Fjell", "07.03.2022", "Fornøyd"]]})
NB_HEAD = "Kommunenr.,Kommune,Totalt per 1.1.2020,Følger hjemme-sidene WAI-standarden\r\n"
JS = {"class": "dataset", "id": ["Tid"], "size": [2], "dimension": {"Tid": {"category": {"index": ["2020", "2021"]}}},
      "value": [1, 2]}

CASES = [
    Case("encoded_twice", "a cp1252 export opened as Latin-1 and saved again as UTF-8 (`SkjÃ¸nhaug`)", "b.csv",
         _b(BRANCH + "SkjÃ¸nhaug;2019-01;1;1;1\r\n"), sources.read_branch_counts, sources.EncodingError, 2, None,
         ("'Ã¸' where a Norwegian letter belongs", "encoded twice")),
    Case("wrong_declared_encoding", "a cp1252 inquiry log read with `encoding='utf-8'`", "h.csv",
         _b("Tidspunkt;Kanal;Sted\r\n04.01.2021 10:15;Telefon;Rådhuset\r\n", "cp1252"),
         lambda p: sources.read_inquiries(p, encoding="utf-8"), sources.EncodingError, 2, None,
         ("byte 0xE5 cannot be utf-8 text", "pass encoding=")),
    Case("undecodable_bytes", "bytes that are neither UTF-8 nor cp1252 (0x81)", "b.csv",
         lambda tmp: BRANCH.encode() + b"Fjell\x81;2019-01;1;1;1\r\n", sources.read_branch_counts,
         sources.EncodingError, 2, None, ("byte 0x81",)),
    Case("xlsx_named_csv", "an XLSX workbook saved with a .csv name, given to a CSV-only reader", "koder.csv",
         _xlsx({"Ark1": [["code", "name"]]}), sources.read_klass_codes, sources.EncodingError, 1, None,
         ("a ZIP archive (an XLSX workbook?)",)),
    Case("utf16_without_bom", "UTF-16 text without a byte-order mark", "s.csv",
         lambda tmp: (BRANCH + "Fjell;2019-01;1;1;1\r\n").encode("utf-16-le"), sources.read_branch_counts,
         sources.EncodingError, 1, None, ("NUL bytes",)),
    Case("missing_column", "a branch export without the OUT beam (`Besøk ut`)", "b.csv",
         _b("Filial;Måned;Besøk inn\nFjell;2021-06;12\n"), sources.read_branch_counts, sources.MissingColumnError,
         1, "visits_out", ("no column for visits_out", "'Besøk ut'", "under `columns:`")),
    Case("renamed_column", "a survey whose respondent column was renamed (`Svarnummer`)", "s.csv",
         _b("Svarnummer;Bibliotek;Dato;Hvor fornøyd er du med åpningstidene?\n1;Askim;04.03.2019;Fornøyd\n"),
         sources.read_survey, sources.MissingColumnError, 1, "respondent",
         ("no column for respondent", "'Svarnummer'", "'Respondentnr.'")),
    Case("no_time_column", "a people-counter export without a time column", "t.csv",
         _b("Sted;Inn;Ut\nFjell;12;10\n"), sources.read_people_counter, sources.MissingColumnError, 1, "timestamp",
         ("no time column", "'Tidspunkt'")),
    Case("unmapped_nb_column", "a National Library column in no catalogue entry", "folkebibl-2020-kommuner.csv",
         _b(NB_HEAD.rstrip() + ",Ny kolonne 2020\r\n3005.0,Drammen,\"101 386 \", Ja ,1\r\n"),
         sources.read_nb_library_stats, sources.UnknownColumnError, 1, "Ny kolonne 2020",
         ("1 column(s) in no catalogue entry: 'Ny kolonne 2020'", "unknown_columns='ignore'")),
    Case("not_a_count", "a count written `12,5 k`", "b.csv", _b(BRANCH + "Fjell;2021-06;12,5 k;3;1\r\n"),
         sources.read_branch_counts, sources.ValueFormatError, 2, "Besøk inn", ("'12,5 k' is not a count",)),
    Case("negative_count", "a negative count (`-4`)", "b.csv", _b(BRANCH + "Fjell;2021-06;-4;3;1\r\n"),
         sources.read_branch_counts, sources.ValueFormatError, 2, "Besøk inn", ("'-4' is not a count",)),
    Case("nb_not_a_number", "a National Library cell `mange`", "folkebibl-2020-kommuner.csv",
         _b(NB_HEAD + "3005.0,Drammen,mange, Ja \r\n"), sources.read_nb_library_stats, sources.ValueFormatError, 2,
         "Totalt per 1.1.2020", ("'mange' is not a number", '"307 528 "')),
    Case("nb_not_yes_no", "a yes/no column holding `Kanskje`", "folkebibl-2020-kommuner.csv",
         _b(NB_HEAD + '3005.0,Drammen,"101 386 ",Kanskje\r\n'), sources.read_nb_library_stats,
         sources.ValueFormatError, 2, "Følger hjemme-sidene WAI-standarden", ("'Kanskje' is not yes or no", "Ja or Nei")),
    Case("statbank_not_a_number", "a statbank value `n/a`", "07459.csv",
         _b('"region";"år";"Befolkning"\n"3301 Drammen";"2024";"n/a"\n', "latin-1"), sources.read_statbank_csv,
         sources.ValueFormatError, 2, "Befolkning", ("'n/a' is not a number", "SSB's symbols")),
    Case("jsonstat_not_a_number", "a JSON-stat value `\"abc\"`", "t.json",
         _b(json.dumps({**JS, "value": [1, "abc"]})), sources.read_jsonstat, sources.ValueFormatError, None, "value[1]",
         ("'abc' is not a number",)),
    Case("not_a_date", "an impossible date (`31.02.2021`)", "h.csv",
         _b("Tidspunkt;Kanal;Sted\n31.02.2021 10:15;Telefon;Askim\n"), sources.read_inquiries,
         sources.ValueFormatError, 2, "Tidspunkt", ("'31.02.2021 10:15' is not a date", "24.11.2026 13:05")),
    Case("two_digit_year", "a survey date with a two-digit year (`04.03.19`)", "s.csv",
         _b("Respondentnr.;Bibliotek;Dato;Hvor fornøyd er du med åpningstidene?\n1;Askim;04.03.19;Fornøyd\n"),
         sources.read_survey, sources.ValueFormatError, 2, "Dato", ("'04.03.19' is not a date",)),
    Case("date_out_of_range", "an inquiry dated 1921", "h.csv",
         _b("Tidspunkt;Kanal;Sted\n04.01.1921 10:15;Telefon;Askim\n"), sources.read_inquiries,
         sources.DateRangeError, 2, "Tidspunkt", ("is the date 1921-01-04", "between 01.01.1980 and 31.12.2049")),
    Case("month_out_of_range", "a month in 2051", "b.csv", _b(BRANCH + "Fjell;2051-06;1;1;1\r\n"),
         sources.read_branch_counts, sources.DateRangeError, 2, "Måned", ("2051-06-01",)),
    Case("code_not_valid_that_year", "an old municipality number (0602) in the 2020 statistics",
         "folkebibl-2020-kommuner.csv", _b(NB_HEAD + '602.0,Drammen,"68 933 ", Ja \r\n'),
         sources.read_nb_library_stats, sources.UnknownMunicipalityError, 2, "Kommunenr.",
         ("'602.0' (0602) is not a municipality number valid in 2020", "356 codes of 2020")),
    Case("unknown_code", "a municipality number that never existed (8888)", "folkebibl-2019-kommuner.csv",
         _b(NB_HEAD.replace("2020", "2019") + '8888.0,Atlantis,"100 ", Ja \r\n'), sources.read_nb_library_stats,
         sources.UnknownMunicipalityError, 2, "Kommunenr.", ("(8888) is not a municipality number valid in 2019",)),
    Case("municipality_twice", "the same municipality in two rows", "folkebibl-2020-kommuner.csv",
         _b(NB_HEAD + '3005.0,Drammen,"1 ", Ja \r\n3005.0,Drammen,"1 ", Ja \r\n'), sources.read_nb_library_stats,
         sources.ValueFormatError, 3, "Kommunenr.", ("municipality 3005 a second time (first in row 2)",)),
    Case("klass_code_not_four_digits", "a KLASS code `30A5`", "ssb_kommunekoder_2020.csv",
         _b('"code";"name"\n"30A5";"Drammen"\n', "latin-1"), sources.read_klass_codes, sources.ValueFormatError, 2,
         "code", ("'30A5' is not a municipality number",)),
    Case("klass_bad_split_flag", "a `splittes` flag `2`", "kommuner_med_endringer_fra2019_til2020.csv",
         _b(f"kommuner_2019;kommuner_2020;splittes\r\n0602{NBSP}-{NBSP}Drammen;3005{NBSP}-{NBSP}Drammen;2\r\n",
            "cp1252"), sources.read_klass_changes, sources.ValueFormatError, 2, "splittes", ("'2'", "0 or 1")),
    Case("klass_unknown_layout", "a change table with other headers", "endringer.csv",
         _b("fra;til\n0602;3005\n"), sources.read_klass_changes, sources.LayoutError, 1, None,
         ("kommuner_YYYY;kommuner_YYYY",)),
    Case("empty_csv", "an empty (0-byte) export", "b.csv", _b(""), sources.read_branch_counts, sources.EmptyFileError,
         1, None, ("the file is empty",)),
    Case("empty_json", "an empty JSON-stat file", "t.json", _b(""), sources.read_jsonstat, sources.EmptyFileError, 1,
         None, ("the file is empty",)),
    Case("empty_xlsx", "an empty (0-byte) .xlsx", "s.xlsx", _b(""), sources.read_survey, sources.EmptyFileError, 1,
         None, ("the file is empty",)),
    Case("header_only", "a header and no rows", "b.csv", _b(BRANCH), sources.read_branch_counts, sources.EmptyFileError,
         1, None, ("a header and no data rows",)),
    Case("statbank_title_only", "a statbank download with only its title", "t.csv", _b('"07459: Befolkning"\n'),
         sources.read_statbank_csv, sources.EmptyFileError, 1, None, ("title lines and no table",)),
    Case("unterminated_quote", "a file cut inside a quoted field", "s.csv",
         _b('Respondentnr.;Bibliotek;Dato;Kommentar\n1;Askim;04.03.2019;"Fint, men'), sources.read_survey,
         sources.TruncatedFileError, 2, None, ("ends inside a quoted field",)),
    Case("cut_mid_row", "a file cut off mid-row (no final line break)", "b.csv",
         _b(BRANCH + "Fjell;2021-06;12;3;1\r\nFjell;2021-07;4"), sources.read_branch_counts,
         sources.TruncatedFileError, 3, None, ("the last row has 3 of the header's 5 fields",)),
    Case("truncated_json", "a JSON-stat download cut short", "t.json", lambda tmp: json.dumps(JS).encode()[:-20],
         sources.read_jsonstat, sources.TruncatedFileError, 1, None, ("the document stops",)),
    Case("jsonstat_too_few_values", "a JSON-stat `value` list shorter than its dimensions", "t.json",
         _b(json.dumps({**JS, "value": [1]})), sources.read_jsonstat, sources.TruncatedFileError, None, "value",
         ("1 value cells where the dimensions give 2",)),
    Case("truncated_xlsx", "an XLSX workbook cut short", "s.xlsx", lambda tmp: SURVEY(tmp)[:900], sources.read_survey,
         sources.TruncatedFileError, 1, None, ("the workbook cannot be opened",)),
    Case("data_on_other_sheet", "an XLSX with the answers on sheet `Svar`, read with `sheet='Info'`", "s.xlsx", SURVEY,
         lambda p: sources.read_survey(p, sheet="Info"), sources.SheetNotFoundError, 1, None,
         ("they are on sheet 'Svar'", "Pass sheet='Svar'")),
    Case("no_data_sheet", "an XLSX where no sheet has the expected header", "s.xlsx",
         _xlsx({"Forside": [["Rapport"]], "Tall": [["a", "b"], [1, 2]]}), sources.read_survey,
         sources.SheetNotFoundError, 1, None, ("no sheet has a header with the columns respondent, branch, date",)),
    Case("extra_fields", "a row with more fields than the header (an unquoted decimal comma in a comma file)", "e.csv",
         _b("Dato,Sted,Deltakere\n12.01.2023,Fjell,84\n19.01.2023,Fjell,2,5\n"), sources.read_events,
         sources.ValueFormatError, 3, None, ("4 fields where the header has 3", "Quote text that holds the separator")),
    Case("not_jsonstat", "JSON that is not JSON-stat", "t.json", _b('{"a": 1}'), sources.read_jsonstat,
         sources.LayoutError, None, "(top level)", ("no dataset",)),
]
BY_ID = {c.id: c for c in CASES}


def _raise(case: Case, tmp_path: Path) -> SourceFormatError:
    path = tmp_path / case.name
    path.write_bytes(case.content(tmp_path))
    with pytest.raises(case.error) as info:
        case.read(path)
    err = info.value
    assert str(path) in str(err)
    return err


@pytest.mark.parametrize("case_id", list(BY_ID))
def test_bad_input(case_id, tmp_path):
    case = BY_ID[case_id]
    err = _raise(case, tmp_path)
    assert isinstance(err, SourceFormatError) and isinstance(err, SamorgError)
    assert err.path == str(tmp_path / case.name)
    assert (err.row, err.column) == (case.row, case.column)
    assert err.found and err.expected and err.fix, "every message has found, expected and a fix"
    message = str(err)
    assert ". Expected " in message and message.endswith(".")
    for phrase in case.phrases:
        assert phrase in message, (phrase, message)


def test_catalogue_in_docs_lists_every_case():
    text = (Path(__file__).resolve().parents[1] / "docs" / "bad-inputs.md").read_text(encoding="utf-8")
    readers = text.split("## Readers", 1)[1]
    missing = [c.id for c in CASES if f"({c.id})" not in readers]
    assert not missing, f"docs/bad-inputs.md lacks {missing}: run `python tests/test_sources_bad_input.py`"


def test_harmonise_refuses_an_unknown_code():
    from samorg.municipalities import harmonise

    obs = pd.DataFrame({"municipality_code": ["3301", "0602"], "year": 2024, "indicator": "visits",
                        "value": [1.0, 2.0], "source": "nb/x.csv", "row": [2, 3]})
    with pytest.raises(sources.UnknownMunicipalityError) as err:
        harmonise(obs, to_year=2024)
    assert err.value.path == "nb/x.csv" and err.value.row == 3 and err.value.column == "municipality_code"
    assert "0602 is not a municipality code valid in 2024; 0602 was valid 1994–2019" in str(err.value)


def _tiny_study(tmp_path: Path, export: bytes) -> object:
    from samorg.config import load_study

    raw = tmp_path / "raw" / "filialer"
    raw.mkdir(parents=True)
    (raw / "fjell.csv").write_bytes(export)
    (tmp_path / "sites.yaml").write_text(
        "sites:\n  fjell:\n    name: Fjell\n    kind: library\n    municipality_code: \"3301\"\n", encoding="utf-8")
    (tmp_path / "study.yaml").write_text(
        "title: Liten\nraw_dir: raw\nprocessed_dir: processed\nreports_dir: reports\nsites_file: sites.yaml\n"
        "data_start: 2021-01-01\ndata_end: 2021-12-31\nperiods:\n  pre: {start: 2021-01-01, end: 2021-03-31}\n"
        "  transition: {start: 2021-04-01, end: 2021-06-30}\n  post: {start: 2021-07-01, end: 2021-12-31}\n"
        "municipalities:\n  \"3301\": {name: Drammen}\nsources:\n  branch_counts: \"filialer/*.csv\"\n"
        "  nb_library_stats: {pattern: \"nb/*.csv\", optional: true}\n"
        "  population: {pattern: \"ssb/*.json\", optional: true}\n", encoding="utf-8")
    return load_study(tmp_path / "study.yaml")


def test_a_bad_raw_file_leaves_processed_data_as_they_were(tmp_path):
    from samorg.pipeline import build_processed

    good = (BRANCH + "Fjell;2021-06;12;10;3\r\nFjell;2021-07;14;12;5\r\n").encode("cp1252")
    study = _tiny_study(tmp_path, good)
    build_processed(study)
    before = {p.name: p.read_bytes() for p in study.processed_dir.iterdir()}
    (study.raw_dir / "filialer" / "fjell.csv").write_bytes(good.replace(b"14;12;5", b"14;1x;5"))
    with pytest.raises(sources.ValueFormatError, match=r"fjell.csv, row 3, column \"Besøk ut\""):
        build_processed(study)
    after = {p.name: p.read_bytes() for p in study.processed_dir.iterdir()}
    assert after == before  # nothing half-written, no temporary files left


def render_markdown(tmp_path: Path) -> str:
    """The table of this catalogue for docs/bad-inputs.md (paths shortened to …/)."""
    lines = ["| input | message (as the user sees it) | test that proves it |", "|---|---|---|"]
    for case in CASES:
        try:
            sub = tmp_path / case.id
            sub.mkdir()
            path = sub / case.name
            path.write_bytes(case.content(sub))
            case.read(path)
        except SourceFormatError as err:
            message = str(err).replace(str(sub) + "/", "…/")
        lines.append(f"| {case.input} | `{message}` | `test_sources_bad_input.py::test_bad_input` ({case.id}) |")
    return "\n".join(lines)


if __name__ == "__main__":  # print the docs table: python tests/test_sources_bad_input.py
    import tempfile

    print(render_markdown(Path(tempfile.mkdtemp())))
