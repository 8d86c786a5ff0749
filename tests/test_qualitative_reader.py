"""The qualitative reader: Norwegian and English headers, CSV (UTF-8, Latin-1, ';' or ',') and XLSX, the study's
column mapping, and a bad-input catalogue (docs/bad-inputs.md, section "Qualitative material", lists every case)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from samorg import sources
from samorg.errors import SourceFormatError
from samorg.sources.qualitative import parse_aim, read_qualitative

NB = "Sted;Kildetype;Dato;Informantrolle;Tema;Mål;Retning;Sitat-ID;Sitat;Samtykke\n"
EN = "Site,Source type,Date,Informant role,Theme,Aim,Direction,Quote ID,Quote,Consent\n"
ROW = "Fjell;Intervju;14.03.2024;Bibliotekansatt;Én dør for alt;2;Positiv;F-01;Alt på ett sted.;Ja\n"


def _write(tmp: Path, text: str, *, name: str = "koding.csv", encoding: str = "utf-8") -> Path:
    path = tmp / name
    path.write_bytes(text.encode(encoding))
    return path


def test_norwegian_headers_latin1_semicolon(tmp_path):
    path = _write(tmp_path, NB + ROW + "Arena Fjell;Verksted;15.03.2024;Besøkende;Mer liv, mindre ro;Mål 4;Negativ;"
                  "F-02;;Nei\n", encoding="latin-1")
    out = read_qualitative(path)
    assert out.attrs["encoding"] == "cp1252"
    assert out[["site", "source_type", "aim", "direction", "consent"]].values.tolist() == [
        ["Fjell", "interview", 2, "positive", True], ["Arena Fjell", "workshop", 4, "negative", False]]
    assert out["theme"].tolist() == ["Én dør for alt", "Mer liv, mindre ro"]
    assert str(out["date"].iloc[0].date()) == "2024-03-14" and out["row"].tolist() == [2, 3]


def test_english_headers_comma_utf8(tmp_path):
    path = _write(tmp_path, EN + "Fjell,Observation,2024-03-14,Observer,Calm,4,Mixed,O-1,\"Quiet, then busy\",No\n")
    out = read_qualitative(path)
    assert out[["source_type", "direction", "quote", "consent"]].values.tolist() == [
        ["observation", "mixed", "Quiet, then busy", False]]


def test_xlsx_on_a_later_sheet_with_english_headers(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Info"
    wb.active.append(["Project", "x"])
    ws = wb.create_sheet("Coded segments")
    ws.append(EN.strip().split(","))
    ws.append(["Fjell", "Interview", None, "Staff", "Training", 3.0, "Positive", "F-9", "Good course", "Yes"])
    import datetime as dt

    ws["C2"] = dt.datetime(2024, 3, 14)
    buf = io.BytesIO()
    wb.save(buf)
    path = tmp_path / "k.xlsx"
    path.write_bytes(buf.getvalue())
    out = read_qualitative(path)
    assert out.attrs["sheet"] == "Coded segments"
    assert out[["aim", "direction", "consent"]].values.tolist() == [[3, "positive", True]]


def test_study_column_mapping_names_other_headers(tmp_path):
    text = NB.replace("Tema", "Kodenavn") + ROW
    path = _write(tmp_path, text)
    mapping = sources.load_column_mapping({"qualitative": {"theme": "Kodenavn"}})
    assert read_qualitative(path, columns=mapping["qualitative"])["theme"].tolist() == ["Én dør for alt"]
    with pytest.raises(sources.MissingColumnError):
        read_qualitative(path)


@pytest.mark.parametrize(("raw", "aim"), [("4", 4), (4.0, 4), ("Mål 6", 6), ("1 – effekter", 1), ("aim 2", 2),
                                          ("0", None), ("7", None), ("4,5", None), ("", None), (True, None)])
def test_parse_aim(raw, aim):
    assert parse_aim(raw) == aim


# ---------------------------------------------------------------- bad inputs


@dataclass(frozen=True)
class Case:
    id: str
    input: str
    text: str
    error: type
    row: int | None
    column: str | None
    phrase: str


CASES = [
    Case("missing_column", "an export without the consent column", NB.replace(";Samtykke", "") + ROW.rsplit(";", 1)[0]
         + "\n", sources.MissingColumnError, 1, "consent", "no column for consent"),
    Case("bad_date", "a date that is no date (`31.02.2024`)", NB + ROW.replace("14.03.2024", "31.02.2024"),
         sources.ValueFormatError, 2, "Dato", "'31.02.2024' is not a date"),
    Case("aim_outside", "an aim outside 1–6 (`7`)", NB + ROW.replace(";2;", ";7;"), sources.ValueFormatError, 2,
         "Mål", "'7' is not one of the project's aims"),
    Case("unknown_direction", "a direction that is not one of the four (`Kanskje`)",
         NB + ROW.replace("Positiv", "Kanskje"), sources.ValueFormatError, 2, "Retning",
         "'Kanskje' is not a direction"),
    Case("unknown_source_type", "a source type that is not one of the four (`Spørreskjema`)",
         NB + ROW.replace("Intervju", "Spørreskjema"), sources.ValueFormatError, 2, "Kildetype",
         "'Spørreskjema' is not a source type"),
    Case("consent_not_yes_no", "consent that is not yes or no (`Muntlig`)", NB + ROW.replace(";Ja\n", ";Muntlig\n"),
         sources.ValueFormatError, 2, "Samtykke", "'Muntlig' is not yes or no"),
    Case("consent_blank", "a quote with a blank consent", NB + ROW.replace(";Ja\n", ";\n"), sources.ValueFormatError, 2,
         "Samtykke", "a blank consent for a segment with a quote"),
    Case("blank_quote_id", "a segment without its quote id", NB + ROW.replace(";F-01;", ";;"), sources.ValueFormatError,
         2, "Sitat-ID", "a blank quote id"),
    Case("blank_theme", "a segment without a theme", NB + ROW.replace(";Én dør for alt;", ";;"),
         sources.ValueFormatError, 2, "Tema", "a blank theme"),
    Case("no_rows", "a header and no coded segments", NB, sources.EmptyFileError, 1, None, "a header and no data rows"),
]
BY_ID = {c.id: c for c in CASES}


def _raise(case: Case, tmp: Path) -> SourceFormatError:
    path = _write(tmp, case.text)
    with pytest.raises(case.error) as info:
        read_qualitative(path)
    return info.value


@pytest.mark.parametrize("case_id", list(BY_ID))
def test_bad_input(case_id, tmp_path):
    case = BY_ID[case_id]
    err = _raise(case, tmp_path)
    assert err.path == str(tmp_path / "koding.csv") and str(err.path) in str(err)
    assert (err.row, err.column) == (case.row, case.column)
    assert err.found and err.expected and err.fix
    assert case.phrase in str(err), str(err)


def test_unknown_site_is_matched_against_registry_names_and_aliases(tmp_path):
    from types import SimpleNamespace as NS

    from samorg.clean import qualitative_segments

    sites = [NS(site_id="fjell", name="Fjell", aliases=("Arena Fjell",))]
    path = _write(tmp_path, NB + ROW + ROW.replace("Fjell;", "Arena Fjell;").replace("F-01", "F-02"))
    assert qualitative_segments(read_qualitative(path), sites, salt="k")["site_id"].tolist() == ["fjell", "fjell"]
    path = _write(tmp_path, NB + ROW.replace("Fjell;", "Fjel;"))
    with pytest.raises(SourceFormatError) as info:
        qualitative_segments(read_qualitative(path), sites, salt="k")
    err = info.value
    assert err.row == 2 and "the name 'Fjel' is no site in the registry" in str(err)
    assert "'Arena Fjell'" in str(err) and "aliases in sites.yaml" in str(err)


def test_catalogue_in_docs_lists_every_case():
    text = (Path(__file__).resolve().parents[1] / "docs" / "bad-inputs.md").read_text(encoding="utf-8")
    section = text.split("### Qualitative material", 1)[1]
    missing = [c.id for c in CASES if f"({c.id})" not in section]
    assert not missing, f"docs/bad-inputs.md lacks {missing}: run `python tests/test_qualitative_reader.py`"


def test_docs_sources_lists_every_column_and_alias():
    from samorg.sources.qualitative import LAYOUT

    text = (Path(__file__).resolve().parents[1] / "docs" / "sources.md").read_text(encoding="utf-8")
    section = text.split("#### `qualitative`", 1)[1].split("## ", 1)[0]
    for f in LAYOUT.fields:
        line = next((ln for ln in section.splitlines() if ln.startswith(f"| `{f.name}` |")), "")
        assert line and all(a in line for a in f.aliases), f.name
        assert ("| yes |" in line) == f.required, f.name


if __name__ == "__main__":  # print the docs table: python tests/test_qualitative_reader.py
    import tempfile

    lines = ["| input | message (as the user sees it) | test that proves it |", "|---|---|---|"]
    for case in CASES:
        sub = Path(tempfile.mkdtemp())
        try:
            read_qualitative(_write(sub, case.text))
        except SourceFormatError as err:
            message = str(err).replace(str(sub) + "/", "…/")
        lines.append(f"| {case.input} | `{message}` | `test_qualitative_reader.py::test_bad_input` ({case.id}) |")
    print("\n".join(lines))
