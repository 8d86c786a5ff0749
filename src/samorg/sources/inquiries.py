"""Inquiry logs of a service desk (innbyggertorg): one row per inquiry, ``;``-CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from samorg.errors import SourceFormatError
from samorg.sources._text import match_columns, parse_datetime, parse_number, read_rows, require

COLUMNS: dict[str, tuple[str, ...]] = {
    "timestamp": ("Tidspunkt", "Dato og tid", "Registrert", "Tid"),
    "channel": ("Kanal",),
    "topic": ("Tema", "Emne", "Kategori"),
    "branch": ("Sted", "Innbyggertorg", "Avdeling", "Servicested"),
    "resolved_first_contact": ("Løst ved første kontakt", "Løst i første kontakt", "Avklart ved første henvendelse"),
    "wait_minutes": ("Ventetid (min)", "Ventetid", "Ventetid i minutter"),
    "handled_by": ("Saksbehandler", "Behandlet av", "Ansatt"),
    "note": ("Notat", "Kommentar", "Fritekst", "Beskrivelse"),
}
REQUIRED = ("timestamp", "channel", "branch")
YES = {"ja", "j", "yes", "1", "true", "sann"}
NO = {"nei", "n", "no", "0", "false", "usann"}


def read_inquiries(path: str | Path) -> pd.DataFrame:
    """Read one inquiry log.

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
        A required column is missing; a timestamp, yes/no or number cannot be read.
    """
    path = Path(path)
    header, rows = read_rows(path)
    cols = match_columns(header, COLUMNS)
    require(path, cols, COLUMNS, header, REQUIRED)
    records = []
    for n, r in enumerate(rows, start=2):
        r = r + [""] * (len(header) - len(r))

        def get(name: str) -> str:
            return r[cols[name]].strip() if name in cols else ""

        try:
            ts = parse_datetime(get("timestamp"))
        except ValueError:
            raise SourceFormatError(path, row=n, column=header[cols["timestamp"]], found=repr(get("timestamp")),
                                    expected="a time such as 24.11.2026 13:05") from None
        resolved_raw = get("resolved_first_contact").casefold()
        if resolved_raw in YES:
            resolved = True
        elif resolved_raw in NO:
            resolved = False
        elif resolved_raw == "":
            resolved = pd.NA
        else:
            raise SourceFormatError(path, row=n, column=header[cols["resolved_first_contact"]],
                                    found=repr(get("resolved_first_contact")), expected="Ja or Nei")
        try:
            wait = parse_number(get("wait_minutes"))[0]
        except ValueError:
            raise SourceFormatError(path, row=n, column=header[cols["wait_minutes"]],
                                    found=f"{get('wait_minutes')!r} is not a number",
                                    expected="minutes such as 4,5") from None
        records.append({"timestamp": ts, "channel": get("channel"), "topic": get("topic"), "branch": get("branch"),
                        "resolved_first_contact": resolved, "wait_minutes": wait, "handled_by": get("handled_by"),
                        "note": get("note"), "source": str(path), "row": n})
    frame = pd.DataFrame(records, columns=["timestamp", "channel", "topic", "branch", "resolved_first_contact",
                                           "wait_minutes", "handled_by", "note", "source", "row"])
    return frame.astype({"timestamp": "datetime64[us]", "channel": "str", "topic": "str", "branch": "str",
                         "resolved_first_contact": "boolean", "wait_minutes": "float64", "handled_by": "str",
                         "note": "str", "source": "str", "row": "int64"})
