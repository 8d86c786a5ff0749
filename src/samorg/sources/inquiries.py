"""Inquiry logs of a service desk (innbyggertorg): one row per inquiry, ``;``-CSV or XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from samorg.sources._table import Field, Layout, read_layout

LAYOUT = Layout("inquiries", (
    Field("timestamp", ("Tidspunkt", "Dato og tid", "Registrert", "Tid", "Opprettet"), "datetime", required=True),
    Field("channel", ("Kanal", "Kontaktkanal", "Henvendelsesform"), required=True),
    Field("topic", ("Tema", "Emne", "Kategori", "Sakstype")),
    Field("branch", ("Sted", "Innbyggertorg", "Avdeling", "Servicested", "Enhet"), required=True),
    Field("resolved_first_contact", ("Løst ved første kontakt", "Løst i første kontakt",
                                     "Avklart ved første henvendelse", "Løst i førstelinje"), "yesno"),
    Field("wait_minutes", ("Ventetid (min)", "Ventetid", "Ventetid i minutter"), "number",
          expected="minutes such as 4,5"),
    Field("handled_by", ("Saksbehandler", "Behandlet av", "Ansatt"), doc="staff initials: pseudonymised"),
    Field("note", ("Notat", "Kommentar", "Fritekst", "Beskrivelse"), doc="free text: never written"),
), sheet_names=("Henvendelser", "Logg", "Data"))
COLUMNS: dict[str, tuple[str, ...]] = {f.name: f.aliases for f in LAYOUT.fields}
REQUIRED = tuple(f.name for f in LAYOUT.fields if f.required)
YES = {"ja", "j", "yes", "1", "true", "sann"}
NO = {"nei", "n", "no", "0", "false", "usann"}


def read_inquiries(path: str | Path, *, columns: Mapping[str, str | Sequence[str]] | None = None,
                   sheet: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read one inquiry log.

    Parameters
    ----------
    path
        ``;``-CSV (any supported encoding) or XLSX; headers as in :data:`COLUMNS`.
    columns
        Extra header names per canonical column (the study's ``columns: inquiries:`` section).
    sheet, encoding
        Override the sheet search or encoding detection.

    Returns
    -------
    DataFrame
        ``timestamp`` (datetime64), ``channel``, ``topic``, ``branch`` (the desk as named in the log),
        ``resolved_first_contact`` (boolean, nullable), ``wait_minutes`` (float), ``handled_by`` (as
        written: staff initials; pseudonymise before writing), ``note`` (free text: may hold personal
        data, never write it unredacted), ``source``, ``row``. The file is not modified.

    Raises
    ------
    SourceFormatError
        A subclass naming the cell: a required column is missing; a timestamp, yes/no or number
        cannot be read; a date is out of range; the file is empty, truncated or mis-encoded.
    """
    frame = read_layout(path, LAYOUT, columns=columns, sheet=sheet, encoding=encoding)
    return frame[[*COLUMNS, "source", "row"]]
