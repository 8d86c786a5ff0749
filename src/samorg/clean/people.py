"""Cleaning steps for personal data: redaction, keyed pseudonyms, inquiries and survey answers."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from samorg import columns as C
from samorg import privacy
from samorg.clean.values import _where
from samorg.errors import SourceFormatError
from samorg.sources._text import norm_header

REDACTED = privacy.REDACTED
#: answer label (case-folded) → code (5 best); "Vet ikke" and blanks are missing
RESPONSE_CODES = {label.casefold(): code for code, label in C.RESPONSE_LEVELS.items()}
DONT_KNOW = {"vet ikke", "vet ikke / ikke aktuelt", "ikke aktuelt"}


# ---------------------------------------------------------------- personal data

def valid_identity_number(number: str) -> bool:
    """True if 11 digits carry valid mod-11 check digits (see :func:`samorg.privacy.valid_identity_number`)."""
    return privacy.valid_identity_number(number)


def redact_identifiers(text: str) -> str:
    """Replace e-mail addresses, national identity numbers and D-numbers, and phone numbers by ``[fjernet]``.

    Delegates to :func:`samorg.privacy.redact` (the rules are in :mod:`samorg.privacy`): an 11-digit
    number is removed when both check digits are valid and it starts with a possible date; other
    numbers are kept. Names are not detected here (pass a names list to ``privacy.redact``):
    processed tables drop free text instead of relying on this.

    Examples
    --------
    >>> redact_identifiers("Ring 912 34 567 eller skriv til kari@example.com")
    'Ring [fjernet] eller skriv til [fjernet]'
    """
    return privacy.redact(text)


def redact_free_text(values: pd.Series) -> pd.Series:
    """A new Series with :func:`redact_identifiers` applied to every value (:func:`samorg.privacy.redact_series`)."""
    return privacy.redact_series(values)


def pseudonymise(values: pd.Series, *, salt: str, prefix: str = "") -> pd.Series:
    """Replace each value by ``prefix`` + 10 hex digits of SHA-256(salt, value); blanks stay blank.

    The same value and salt always give the same pseudonym; without the salt it cannot be looked up.
    """
    def one(v: object) -> object:
        if v is None or (isinstance(v, float) and np.isnan(v)) or str(v).strip() == "":
            return np.nan
        return prefix + hashlib.sha256(f"{salt}\x1f{v}".encode("utf-8")).hexdigest()[:10]

    return pd.Series([one(v) for v in values.tolist()], index=values.index, dtype="str")


# ---------------------------------------------------------------- inquiries

#: channel names seen in inquiry logs → the contract's channels
CHANNEL_NAMES = {"skranke": "Skranke", "oppmøte": "Skranke", "personlig oppmøte": "Skranke", "disk": "Skranke",
                 "telefon": "Telefon", "tlf": "Telefon", "tlf.": "Telefon", "e-post": "E-post", "epost": "E-post",
                 "e-mail": "E-post", "mail": "E-post", "chat": "Chat", "chatbot": "Chat", "skjema": "Skjema",
                 "webskjema": "Skjema", "web-skjema": "Skjema", "digitalt skjema": "Skjema"}


def normalise_channels(raw: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with ``channel`` spelled as the contract has it (``Tlf.`` → ``Telefon``, ``epost`` → ``E-post``).

    Names it does not know are left as they are (the inquiries contract then names them).
    """
    key = raw["channel"].map(norm_header)
    return raw.assign(channel=key.map(CHANNEL_NAMES).fillna(raw["channel"]).astype("str"))


def inquiries_table(raw: pd.DataFrame, *, salt: str) -> pd.DataFrame:
    """The processed inquiries: free text dropped, staff pseudonymised. Needs ``site_id`` (:func:`map_site_ids`)."""
    raw = normalise_channels(raw)
    out = pd.DataFrame({
        C.SITE_ID: raw["site_id"].astype("str"), C.TIMESTAMP: raw["timestamp"].astype("datetime64[us]"),
        C.CHANNEL: raw["channel"].astype("str"), C.TOPIC: raw["topic"].astype("str"),
        C.RESOLVED_FIRST_CONTACT: raw["resolved_first_contact"].astype("boolean"),
        C.WAIT_MINUTES: raw["wait_minutes"].astype("float64"),
        C.HANDLED_BY: pseudonymise(raw["handled_by"], salt=salt, prefix="ansatt-"),
        C.SOURCE: raw["source"].astype("str"),
    })
    return out.sort_values([C.SITE_ID, C.TIMESTAMP, C.CHANNEL, C.TOPIC], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------- surveys

#: answer scales: label (case-folded) → code, highest = best; "Vet ikke" is missing on every scale
SCALES: dict[str, dict[str, int]] = {
    "satisfaction": RESPONSE_CODES,
    "agreement": {"helt uenig": 1, "uenig": 2, "delvis uenig": 2, "litt uenig": 2, "verken enig eller uenig": 3,
                  "delvis enig": 4, "litt enig": 4, "enig": 4, "helt enig": 5},
    "ks6": {str(i): i for i in range(1, 7)} | {"1 - svært misfornøyd": 1, "6 - svært fornøyd": 6},
}


def recode_likert(survey: pd.DataFrame, *, columns: Iterable[str], scale: str = "satisfaction") -> pd.DataFrame:
    """Return a copy with answer labels in ``columns`` replaced by codes (nullable Int8, highest = best).

    "Vet ikke" (and "Ikke aktuelt") becomes missing with ``<column>_dont_know`` True; a blank is
    missing with ``<column>_dont_know`` False. Labels are matched ignoring case and spaces.

    Raises
    ------
    SourceFormatError
        A label not on the scale, naming ``source``, ``row`` and the column.

    Examples
    --------
    >>> out = recode_likert(pd.DataFrame({"calm": ["Svært fornøyd", "Vet ikke", ""]}), columns=["calm"])
    >>> out["calm"].tolist(), out["calm_dont_know"].tolist()
    ([5, <NA>, <NA>], [False, True, False])
    """
    codes = SCALES[scale]
    out = survey.copy()
    for col in columns:
        key = survey[col].map(lambda v: norm_header(v) if isinstance(v, str) else ("" if pd.isna(v) else norm_header(str(v))))
        key = key.str.replace(r"\.0$", "", regex=True)
        mapped = key.map(codes)
        dont_know = key.isin(DONT_KNOW)
        bad = mapped.isna() & ~dont_know & (key != "")
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            source, row = _where(survey, i)
            raise SourceFormatError(source, row=row, column=col, found=f"the answer {survey[col].iloc[i]!r}",
                                    expected=f"a label of the {scale} scale: "
                                    + ", ".join(repr(k) for k in codes if not k[0].isdigit() or scale == "ks6")
                                    + ", or 'Vet ikke'", fix="Recode the answer, or choose the scale it belongs to.")
        out[col] = mapped.astype("Int8")
        out[f"{col}_dont_know"] = dont_know.astype("bool")
    return out


def reverse_code(survey: pd.DataFrame, *, columns: Iterable[str], levels: int = 5) -> pd.DataFrame:
    """Return a copy with coded answers in ``columns`` reversed (``levels + 1 - code``), for items worded so agreeing is bad.

    Examples
    --------
    >>> reverse_code(pd.DataFrame({"noise": pd.array([1, 5, None], dtype="Int8")}), columns=["noise"])["noise"].tolist()
    [5, 1, <NA>]
    """
    out = survey.copy()
    for col in columns:
        values = survey[col].astype("Int16")
        if ((values < 1) | (values > levels)).any():
            raise ValueError(f"{col}: codes outside 1..{levels}; recode labels with recode_likert first")
        out[col] = (levels + 1 - values).astype(survey[col].dtype)
    return out


def find_duplicate_submissions(survey: pd.DataFrame) -> pd.DataFrame:
    """Respondent rows identical to an earlier-numbered row in everything but the respondent number."""
    content = [c for c in survey.columns if c not in ("respondent", "row")]
    order = survey.assign(_n=pd.to_numeric(survey["respondent"], errors="coerce")).sort_values(
        ["source", "_n", "row"], kind="stable")
    dup = order.duplicated(content, keep="first")
    return order[dup].drop(columns="_n")


def drop_duplicate_submissions(survey: pd.DataFrame) -> pd.DataFrame:
    """Return the survey rows without the repeats :func:`find_duplicate_submissions` finds."""
    dropped = find_duplicate_submissions(survey)
    keep = ~pd.MultiIndex.from_frame(survey[["source", "row"]]).isin(
        pd.MultiIndex.from_frame(dropped[["source", "row"]]))
    return survey[keep].reset_index(drop=True)


def survey_responses(survey: pd.DataFrame, items: Iterable[str], *, salt: str) -> pd.DataFrame:
    """Long survey answers (respondent × item) with codes 1–5 (5 = "Svært fornøyd").

    ``response`` is a nullable Int8: ``<NA>`` for "Vet ikke" (then ``dont_know`` is True) and for a
    blank answer. Respondent numbers become pseudonyms keyed by wave and file; the comment is dropped.
    Needs ``site_id`` (:func:`map_site_ids`).
    """
    items = [i for i in items if i in survey]
    long = survey.melt(id_vars=["respondent", "site_id", "wave", "date", "age_group", "sex", "source", "row"],
                       value_vars=items, var_name=C.ITEM, value_name="label")
    key = long["label"].map(lambda s: norm_header(s) if isinstance(s, str) else "")
    codes = key.map(RESPONSE_CODES)
    bad = ~(codes.notna() | key.isin(DONT_KNOW) | (key == ""))
    if bad.any():
        first = long[bad].iloc[0]
        raise SourceFormatError(first["source"], row=int(first["row"]), column=first[C.ITEM],
                                found=f"the answer {first['label']!r}",
                                expected="one of " + ", ".join(repr(k.capitalize()) for k in RESPONSE_CODES)
                                + " or 'Vet ikke'")
    ids = long["wave"].astype(str) + ":" + long["source"].map(lambda p: Path(p).name) + ":" + long["respondent"]
    out = pd.DataFrame({
        C.RESPONDENT_ID: pseudonymise(ids, salt=salt, prefix="r-"), C.SITE_ID: long["site_id"].astype("str"),
        C.WAVE: long["wave"].astype("int64"), C.DATE: long["date"].dt.normalize().astype("datetime64[us]"),
        C.ITEM: long[C.ITEM].astype("str"), C.RESPONSE: codes.astype("Int8"),
        C.DONT_KNOW: key.isin(DONT_KNOW).astype("bool"), C.WEIGHT: 1.0,
        C.AGE_GROUP: long["age_group"].astype("str"), C.SEX: long["sex"].astype("str"),
    })
    return out.sort_values([C.WAVE, C.SITE_ID, C.RESPONDENT_ID, C.ITEM], kind="stable").reset_index(drop=True)
