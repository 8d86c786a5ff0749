"""Cleaning steps for coded qualitative segments: consent, redaction, pseudonyms, small groups of informants.

The rules (``docs/sources.md``, *Coded qualitative material*):

* a quote is kept only with the informant's consent; without it the text is dropped here, before
  anything is written, and the segment still counts;
* a kept quote goes through the same redaction as other free text (:func:`samorg.privacy.redact`: the
  study's names list, national identity numbers, phone numbers, e-mail addresses) and, because a quote
  is the one free text samorg shows, also loses every run of two or more capitalised words (a full
  name such as "Kari Nordmann"; a place name written so goes too: over-redaction is the safe side) and
  every run of eight or more digits;
* quote ids and informant codes become keyed pseudonyms (``q-…``, ``i-…``) with the study's key;
* tables shown to readers merge informant roles with fewer informants than ``min_cell``
  (:func:`merge_small_roles`).
"""

from __future__ import annotations

import re
from typing import Iterable

import pandas as pd

from samorg import columns as C
from samorg import privacy
from samorg.clean.people import pseudonymise
from samorg.clean.values import map_site_ids

#: the words tables use for merged informant roles
OTHER_ROLES = {"nb": "andre roller", "en": "other roles"}
_CAP = r"[A-ZÆØÅÄÖÜÉ][a-zæøåäöüéèáóA-ZÆØÅ'’-]+"
#: eight or more digits in a row, also with single spaces, dots or hyphens between them (a phone number next to
#: another number, an account or case number): in a quote, removed
_LONG_NUMBER = re.compile(r"(?<![\w+])\+?\d(?:[ \u00a0.-]?\d){7,}(?!\w)")
_FULL_NAME = re.compile(rf"(?<![\w]){_CAP}(?:[ \u00a0]+(?:(?:van|von|de|der|da|di|af|le|la)[ \u00a0]+)?{_CAP})+(?!\w)")


def redact_quote(text: str, *, names: Iterable[str] = ()) -> str:
    """A quote with identifiers (:func:`samorg.privacy.redact`) and full names replaced by ``[fjernet]``.

    A full name is two or more capitalised words in a row; single first names are found only through
    ``names`` (the study's ``privacy.names_file``). Any eight or more digits in a row (single spaces, dots
    or hyphens between them allowed) go too: a phone number written next to another number is not a
    phone number to :func:`samorg.privacy.redact`, but in a quote it must not be shown.

    Examples
    --------
    >>> redact_quote("Jeg spurte Kari Nordmann, ring 412 34 567 om Per.", names=["Per"])
    'Jeg spurte [fjernet], ring [fjernet] om [fjernet].'
    >>> redact_quote("Ring 412 34 567 1 gang i 2019 og 2020.")
    'Ring [fjernet] gang i 2019 og 2020.'
    """
    if not isinstance(text, str) or not text:
        return text
    out = privacy.redact(text, names=tuple(names))
    out = _LONG_NUMBER.sub(privacy.REDACTED, out)
    return _FULL_NAME.sub(privacy.REDACTED, out)


def find_duplicate_segments(raw: pd.DataFrame) -> pd.DataFrame:
    """Rows repeating an earlier row's quote id, theme and aim (a segment exported twice)."""
    return raw[raw.duplicated(["quote_id", "theme", "aim"], keep="first")]


def drop_duplicate_segments(raw: pd.DataFrame) -> pd.DataFrame:
    """Return the segments without the repeats :func:`find_duplicate_segments` finds."""
    return raw[~raw.duplicated(["quote_id", "theme", "aim"], keep="first")].reset_index(drop=True)


def qualitative_segments(raw: pd.DataFrame, sites: Iterable, *, salt: str, names: Iterable[str] = ()) -> pd.DataFrame:
    """The processed ``qualitative_segments`` table from :func:`samorg.sources.read_qualitative` rows.

    Sites are matched to the registry (names and aliases; an unknown site is an error naming file,
    row and value), quotes without consent are blanked, kept quotes redacted (:func:`redact_quote`),
    quote ids and informants pseudonymised with ``salt``. An export without an informant column
    counts one informant per site, date, role and source type (one interview). Duplicate segments
    are dropped (:func:`drop_duplicate_segments`). ``raw`` is not modified.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> raw = pd.DataFrame({"site": ["Fjell"], "source_type": ["interview"], "date": [pd.Timestamp("2024-03-14")],
    ...     "informant_role": ["Ansatt"], "informant": [""], "theme": ["Én dør"], "aim": [2],
    ...     "direction": ["positive"], "quote_id": ["F-01"], "quote": ["Vi ringte Kari Nordmann på 91234567"],
    ...     "consent": [True], "source": ["k.csv"], "row": [2]})
    >>> qualitative_segments(raw, [NS(site_id="fjell", name="Fjell", aliases=())], salt="s")["quote"].tolist()
    ['Vi ringte [fjernet] på [fjernet]']
    """
    raw = drop_duplicate_segments(map_site_ids(raw, sites, column="site"))
    consent = raw["consent"].astype("bool")
    kept = raw["quote"].astype("str").str.strip().where(consent, "")
    names = tuple(names)
    quote = kept.map(lambda t: redact_quote(t, names=names) if t else "")
    informant = raw["informant"].astype("str").str.strip()
    fallback = (raw["site_id"] + "|" + raw["date"].dt.strftime("%Y-%m-%d") + "|" + raw["informant_role"].astype("str")
                + "|" + raw["source_type"])
    informant = informant.where(informant != "", "session:" + fallback)
    out = pd.DataFrame({
        C.SITE_ID: raw["site_id"].astype("str"),
        C.SOURCE_TYPE: raw["source_type"].astype("str"),
        C.DATE: raw["date"].dt.normalize().astype("datetime64[us]"),
        C.INFORMANT_ROLE: raw["informant_role"].astype("str").str.strip(),
        C.INFORMANT_ID: pseudonymise(informant, salt=salt, prefix="i-"),
        C.THEME: raw["theme"].astype("str").str.strip(),
        C.AIM: raw["aim"].astype("int64"),
        C.DIRECTION: raw["direction"].astype("str"),
        C.QUOTE_ID: pseudonymise(raw["quote_id"].astype("str").str.strip(), salt=salt, prefix="q-"),
        C.QUOTE: quote.astype("str"),
        C.CONSENT: consent,
        C.SOURCE: raw["source"].astype("str"),
    })
    return out.sort_values([C.AIM, C.SITE_ID, C.THEME, C.QUOTE_ID], kind="stable").reset_index(drop=True)


def merge_small_roles(segments: pd.DataFrame, *, min_cell: int, by: Iterable[str] = (),
                      lang: str = "nb") -> pd.DataFrame:
    """Return a copy where roles with fewer than ``min_cell`` informants (within each ``by`` group) are merged.

    Merged roles are called :data:`OTHER_ROLES` (``"andre roller"``). If the merged group itself has
    fewer than ``min_cell`` informants it stays merged: tables then suppress its counts.

    Examples
    --------
    >>> seg = pd.DataFrame({"informant_role": ["leder", "ansatt", "ansatt"], "informant_id": ["a", "b", "c"]})
    >>> merge_small_roles(seg, min_cell=2)["informant_role"].tolist()
    ['andre roller', 'ansatt', 'ansatt']
    """
    by = list(by)
    counts = segments.groupby([*by, C.INFORMANT_ROLE], sort=False)[C.INFORMANT_ID].transform("nunique")
    other = OTHER_ROLES["en" if lang == "en" else "nb"]
    return segments.assign(**{C.INFORMANT_ROLE: segments[C.INFORMANT_ROLE].where(counts >= min_cell, other)})
