"""Coded qualitative material: one row per coded segment, as exported from NVivo, ATLAS.ti or a spreadsheet.

A researcher codes interviews, workshops, observation notes and documents, then exports the coded
segments (CSV in UTF-8 or Latin-1 with ``;`` or ``,``, or XLSX) with a site, a source type, a date, the
informant's role, a theme, the project aim (1–6) the theme speaks to, the direction of what was said
(positive / negative / mixed / neutral), a pseudonymous quote id, the quote and whether the informant
consented to being quoted. Headers may be Norwegian (``Sted``, ``Kildetype``, ``Dato``, ``Informantrolle``,
``Tema``, ``Mål``, ``Retning``, ``Sitat-ID``, ``Sitat``, ``Samtykke``) or English, plus the study's
``columns: qualitative:`` mapping. The quote is free text that may name people: the reader returns it as
written; :mod:`samorg.clean.qualitative` drops it without consent and redacts it otherwise.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from samorg.sources._errors import EmptyFileError, ValueFormatError
from samorg.sources._table import Field, Layout, read_layout
from samorg.sources._text import norm_header

#: source types → the spellings seen in exports (case and spaces ignored)
SOURCE_TYPES: dict[str, tuple[str, ...]] = {
    "interview": ("interview", "intervju", "individuelt intervju", "gruppeintervju", "group interview",
                  "fokusgruppe", "focus group"),
    "workshop": ("workshop", "verksted", "arbeidsverksted", "samling", "dialogmøte"),
    "observation": ("observation", "observasjon", "feltnotat", "field note", "field notes", "feltnotater"),
    "document": ("document", "dokument", "plan", "planverk", "saksframlegg", "rapport", "report"),
}
#: directions → the spellings seen in exports
DIRECTIONS: dict[str, tuple[str, ...]] = {
    "positive": ("positive", "positiv", "pos", "+", "bra", "good"),
    "negative": ("negative", "negativ", "neg", "-", "−", "–", "dårlig", "bad"),
    "mixed": ("mixed", "blandet", "både og", "både-og", "+/-", "±", "ambivalent", "delt"),
    "neutral": ("neutral", "nøytral", "0", "beskrivende", "descriptive"),
}
AIMS = range(1, 7)

LAYOUT = Layout("qualitative", (
    Field("site", ("Sted", "Site", "Bibliotek", "Enhet", "Lokasjon", "Location"), required=True,
          doc="site as named in the registry (name or alias)"),
    Field("source_type", ("Kildetype", "Source type", "Type kilde", "Datakilde", "Metode", "Method"), required=True),
    Field("date", ("Dato", "Date", "Intervjudato", "Dato for intervju", "Gjennomført"), "date", required=True,
          expected="a date such as 14.03.2024"),
    Field("informant_role", ("Informantrolle", "Informant role", "Rolle", "Role"), required=True),
    Field("informant", ("Informant", "Informant-ID", "Informant ID", "Informantnr.", "Informantkode"),
          doc="a pseudonymous informant code (pseudonymised again with the study's key)"),
    Field("theme", ("Tema", "Theme", "Kode", "Code", "Kategori"), required=True),
    Field("aim", ("Mål", "Aim", "Delmål", "Prosjektmål", "Project aim"), required=True),
    Field("direction", ("Retning", "Direction", "Vurdering", "Valens", "Valence"), required=True),
    Field("quote_id", ("Sitat-ID", "Quote ID", "Sitat ID", "SitatID", "Quote-ID", "Segment-ID", "Segment ID"),
          required=True),
    Field("quote", ("Sitat", "Quote", "Kodet tekst", "Coded text", "Tekst", "Text", "Utdrag"), required=True,
          doc="free text: dropped without consent, redacted with it"),
    Field("consent", ("Samtykke", "Consent", "Samtykke til sitering", "Consent to quote", "Kan siteres"), "yesno",
          required=True, expected="Ja or Nei (the informant's consent to be quoted)"),
), sheet_names=("Koding", "Kodede segmenter", "Segmenter", "Coded segments", "Data"))
COLUMNS: dict[str, tuple[str, ...]] = {f.name: f.aliases for f in LAYOUT.fields}
REQUIRED = tuple(f.name for f in LAYOUT.fields if f.required)
_AIM = re.compile(r"(?:mål|aim|delmål)?\s*(\d+)(?:[.,]0+)?(?:\s*[-–:.)]\s*.*)?", re.IGNORECASE | re.DOTALL)


def _lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {norm_header(alias): key for key, aliases in table.items() for alias in (key, *aliases)}


_SOURCE_TYPE_OF, _DIRECTION_OF = _lookup(SOURCE_TYPES), _lookup(DIRECTIONS)


def parse_aim(raw: object) -> int | None:
    """The aim number 1–6 in a cell (``4``, ``4.0``, ``"Mål 4"``, ``"4 – møteplass"``), or None.

    Examples
    --------
    >>> parse_aim("Mål 4"), parse_aim("2 - brukeropplevelse"), parse_aim(7), parse_aim("fire")
    (4, 2, None, None)
    """
    if isinstance(raw, bool) or raw is None:
        return None
    if isinstance(raw, float):
        if not raw.is_integer():
            return None
        raw = int(raw)
    m = _AIM.fullmatch(str(raw).strip())
    if not m:
        return None
    aim = int(m[1])
    return aim if aim in AIMS else None


def _shown(frame: pd.DataFrame, name: str) -> str:
    return frame.attrs.get("columns", {}).get(name, name)


def _check_values(path: Path, frame: pd.DataFrame) -> pd.DataFrame:
    """Aims, directions and source types read into their canonical values; the first bad cell is an error."""
    aims, directions, types = [], [], []
    for raw_aim, raw_dir, raw_type, theme, quote, consent, row in zip(
            frame["aim"], frame["direction"], frame["source_type"], frame["theme"], frame["quote"],
            frame["consent"], frame["row"]):
        aim = parse_aim(raw_aim)
        if aim is None:
            raise ValueFormatError(path, row=int(row), column=_shown(frame, "aim"),
                                   found=f"{raw_aim!r} is not one of the project's aims",
                                   expected="an aim number from 1 to 6 (such as 4 or \"Mål 4\")",
                                   fix="Code the segment to one of the six aims (1–6); a segment on no aim is "
                                   "left out of the export.")
        direction = _DIRECTION_OF.get(norm_header(raw_dir))
        if direction is None:
            raise ValueFormatError(path, row=int(row), column=_shown(frame, "direction"),
                                   found=f"{raw_dir!r} is not a direction",
                                   expected="positiv, negativ, blandet or nøytral (positive, negative, mixed, "
                                   "neutral)", fix="Recode the cell with one of the four directions.")
        kind = _SOURCE_TYPE_OF.get(norm_header(raw_type))
        if kind is None:
            raise ValueFormatError(path, row=int(row), column=_shown(frame, "source_type"),
                                   found=f"{raw_type!r} is not a source type",
                                   expected="intervju, verksted, observasjon or dokument (interview, workshop, "
                                   "observation, document)", fix="Recode the cell with one of the four types.")
        if not str(theme).strip():
            raise ValueFormatError(path, row=int(row), column=_shown(frame, "theme"), found="a blank theme",
                                   expected="the theme (code) the segment was coded with",
                                   fix="Fill in the theme, or leave uncoded segments out of the export.")
        if pd.isna(consent) and str(quote).strip():
            raise ValueFormatError(path, row=int(row), column=_shown(frame, "consent"),
                                   found="a blank consent for a segment with a quote",
                                   expected="Ja or Nei (the informant's consent to be quoted)",
                                   fix="Fill in whether the informant consented to being quoted (Nei if unsure: the "
                                   "quote is then never shown, the segment still counts).")
        aims.append(aim)
        directions.append(direction)
        types.append(kind)
    return frame.assign(aim=pd.Series(aims, index=frame.index, dtype="int64"),
                        direction=pd.Series(directions, index=frame.index, dtype="str"),
                        source_type=pd.Series(types, index=frame.index, dtype="str"),
                        consent=frame["consent"].fillna(False).astype("bool"))


def read_qualitative(path: str | Path, *, columns: Mapping[str, str | Sequence[str]] | None = None,
                     sheet: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read one export of coded qualitative segments (CSV or XLSX), one row per coded segment.

    Parameters
    ----------
    path
        ``;``- or ``,``-CSV (UTF-8 or cp1252/Latin-1) or XLSX, headers in Norwegian or English
        (:data:`COLUMNS`).
    columns
        Extra header names per canonical column (the study's ``columns: qualitative:`` section).
    sheet, encoding
        Override the sheet search (XLSX) or encoding detection (CSV).

    Returns
    -------
    DataFrame
        ``site`` (as written; matched to the registry by :func:`samorg.clean.qualitative_segments`),
        ``source_type`` (interview / workshop / observation / document), ``date`` (datetime64),
        ``informant_role``, ``informant`` (blank when the export has no informant column), ``theme``,
        ``aim`` (int 1–6), ``direction`` (positive / negative / mixed / neutral), ``quote_id``,
        ``quote`` (free text as written: may name people; never write it unprocessed), ``consent``
        (bool; a blank consent on a segment without a quote reads as False), ``source``, ``row``.
        The file is not modified.

    Raises
    ------
    SourceFormatError
        A subclass naming file, row and column: a required column is missing; a date, aim, direction,
        source type or consent cannot be read; a blank theme or quote id; the file is empty, truncated
        or mis-encoded.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "koding.csv"
    >>> _ = p.write_text("Sted;Kildetype;Dato;Informantrolle;Tema;Mål;Retning;Sitat-ID;Sitat;Samtykke\\n"
    ...                  "Fjell;Intervju;14.03.2024;Ansatt;Én dør;2;Positiv;F-01;Alt på ett sted.;Ja\\n",
    ...                  encoding="utf-8")
    >>> read_qualitative(p)[["site", "aim", "direction", "consent"]].to_dict("records")
    [{'site': 'Fjell', 'aim': 2, 'direction': 'positive', 'consent': True}]
    """
    path = Path(path)
    frame = read_layout(path, LAYOUT, columns=columns, sheet=sheet, encoding=encoding)
    if frame.empty:
        raise EmptyFileError(path, row=2, found="no coded segments", expected="one row per coded segment")
    blank_id = frame["quote_id"].str.strip() == ""
    if blank_id.any():
        row = int(frame.loc[blank_id, "row"].iloc[0])
        raise ValueFormatError(path, row=row, column=_shown(frame, "quote_id"), found="a blank quote id",
                               expected="a pseudonymous id for every segment (such as INF03-12)",
                               fix="Give every segment its id in the coding tool and export again.")
    out = _check_values(path, frame)
    out = out[[*COLUMNS, "source", "row"]]
    out.attrs.update(frame.attrs)
    return out
