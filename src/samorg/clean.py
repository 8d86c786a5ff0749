"""Cleaning steps: pure DataFrame → DataFrame functions, chained with ``.pipe``.

No step modifies its input. Steps that drop rows come in pairs — ``find_…`` returns what would be
dropped (for the manifest) and ``drop_…`` drops it — so every decision can be recorded.

Processed tables hold no free text, no names and no national identity numbers: free-text columns
are dropped (:func:`redact_identifiers` exists for text that must be kept), staff initials and
respondent numbers are replaced by keyed pseudonyms (:func:`pseudonymise`).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from samorg import columns as C
from samorg import privacy
from samorg.errors import SourceFormatError
from samorg.sources._text import norm_header, parse_number

REDACTED = privacy.REDACTED
SITE_INDICATORS = C.SITE_MONTHLY_INDICATORS
#: answer label (case-folded) → code (5 best); "Vet ikke" and blanks are missing
RESPONSE_CODES = {label.casefold(): code for code, label in C.RESPONSE_LEVELS.items()}
DONT_KNOW = {"vet ikke", "vet ikke / ikke aktuelt", "ikke aktuelt"}
_COPY_MARK = re.compile(r"( - kopi| - copy|\(\d+\)|_kopi|kopi av )", re.IGNORECASE)


# ---------------------------------------------------------------- numbers

def parse_norwegian_numbers(frame: pd.DataFrame, *, columns: Iterable[str]) -> pd.DataFrame:
    """Return a copy with ``columns`` parsed from Norwegian text (``"12 345"``, ``"15,6"``, ``-``) to float.

    Examples
    --------
    >>> parse_norwegian_numbers(pd.DataFrame({"n": ["307 528 ", "15,6", "-"]}), columns=["n"])["n"].tolist()
    [307528.0, 15.6, nan]
    """
    out = frame.copy()
    for col in columns:
        out[col] = [parse_number(v)[0] for v in frame[col].tolist()]
        out[col] = out[col].astype("float64")
    return out


# ---------------------------------------------------------------- duplicate exports

def _file_rank(source: str) -> tuple[int, int, str]:
    name = Path(source).name
    return (1 if _COPY_MARK.search(name) else 0, len(name), name)


def find_duplicate_exports(branch: pd.DataFrame) -> pd.DataFrame:
    """Rows repeating a (branch, month) already present in another file, with the file kept.

    The kept file is the one without a copy mark (``- Kopi``, ``(1)``), then the shortest name,
    then the first in alphabetical order. Returns the dropped rows with ``kept_source`` and
    ``identical`` (whether every number equals the kept row's).
    """
    key = ["branch", "period_start"]
    ranked = branch.assign(_rank=branch["source"].map(_file_rank)).sort_values(["_rank", "row"], kind="stable")
    dup = ranked.duplicated(key, keep="first")
    first = ranked[~dup].set_index(key)
    dropped = ranked[dup].drop(columns="_rank")
    numeric = [c for c in branch.columns if c not in (*key, "source", "row")]
    kept = first.loc[pd.MultiIndex.from_frame(dropped[key])]
    same = (kept[numeric].to_numpy() == dropped[numeric].to_numpy()) | (
        kept[numeric].isna().to_numpy() & dropped[numeric].isna().to_numpy())
    return dropped.assign(kept_source=kept["source"].to_numpy(), identical=same.all(axis=1))


def drop_duplicate_exports(branch: pd.DataFrame) -> pd.DataFrame:
    """Return the branch rows without the duplicates :func:`find_duplicate_exports` finds."""
    dropped = find_duplicate_exports(branch)
    keep = ~pd.MultiIndex.from_frame(branch[["source", "row"]]).isin(
        pd.MultiIndex.from_frame(dropped[["source", "row"]]))
    return branch[keep].reset_index(drop=True)


# ---------------------------------------------------------------- sites

def site_lookup(sites: Iterable) -> dict[str, str]:
    """Normalised name or alias → site id, from the registry's sites (objects with name/aliases)."""
    table: dict[str, str] = {}
    for s in sites:
        for name in (s.site_id, s.name, *s.aliases):
            table[norm_header(name)] = s.site_id
    return table


def map_site_ids(frame: pd.DataFrame, sites: Iterable, *, column: str = "branch") -> pd.DataFrame:
    """Return a copy with ``site_id`` from the names in ``column`` (names and aliases of the registry).

    Raises
    ------
    SourceFormatError
        A name matches no site; the message lists the known names.
    """
    sites = list(sites)
    lookup = site_lookup(sites)
    ids = frame[column].map(lambda n: lookup.get(norm_header(n)))
    unknown = frame[ids.isna()]
    if len(unknown):
        first = unknown.iloc[0]
        names = sorted({n for s in sites for n in (s.name, *s.aliases)})
        raise SourceFormatError(
            first.get("source", "?"), row=int(first["row"]) if "row" in unknown else None, column=column,
            found=f"the name {first[column]!r} is no site in the registry"
            + (f" (also: {', '.join(repr(x) for x in sorted(set(unknown[column])) if x != first[column])})"
               if unknown[column].nunique() > 1 else ""),
            expected="one of " + ", ".join(repr(n) for n in names),
            fix="Add the name to the site's aliases in sites.yaml.")
    return frame.assign(site_id=ids.astype("str"))


# ---------------------------------------------------------------- branch counts

def derive_visits(branch: pd.DataFrame) -> pd.DataFrame:
    """Add ``visits`` (mean of the counter's IN and OUT beams) and ``visits_staffed`` (minus self-service)."""
    visits = (branch["visits_in"] + branch["visits_out"]) / 2
    return branch.assign(visits=visits, visits_staffed=visits - branch["visits_self_service"].fillna(0))


def flag_counter_outages(branch: pd.DataFrame) -> pd.DataFrame:
    """Mark months where both counter beams read 0 while the branch was open (staffed or self-service hours).

    Adds a boolean ``counter_outage``; visits of those months become NaN (the rows are kept).
    """
    open_ = (branch["staffed_hours"].fillna(0) > 0) | (branch["self_service_hours"].fillna(0) > 0)
    outage = (branch["visits_in"] == 0) & (branch["visits_out"] == 0) & open_
    out = branch.assign(counter_outage=outage)
    for col in ("visits", "visits_staffed", "visits_in", "visits_out"):
        if col in out:
            out[col] = out[col].mask(outage)
    return out


def branch_observations(branch: pd.DataFrame) -> pd.DataFrame:
    """Long monthly observations (DESIGN.md §3) from cleaned branch rows with ``site_id``."""
    present = [c for c in SITE_INDICATORS if c in branch]
    long = branch.melt(id_vars=["site_id", "period_start", "source", "counter_outage"], value_vars=present,
                       var_name=C.INDICATOR, value_name=C.VALUE)
    visits_like = long[C.INDICATOR].isin(["visits", "visits_staffed"])
    status = np.where(long["counter_outage"] & visits_like, C.STATUS_COUNTER_OUTAGE,
                      np.where(long[C.VALUE].isna(), C.STATUS_NOT_AVAILABLE, C.STATUS_OK))
    return pd.DataFrame({
        C.SITE_ID: long["site_id"].astype("str"), C.MUNICIPALITY_CODE: pd.Series(np.nan, index=long.index, dtype="str"),
        C.PERIOD_START: long["period_start"].astype("datetime64[us]"), C.FREQ: "M",
        C.INDICATOR: long[C.INDICATOR].astype("str"), C.VALUE: long[C.VALUE].astype("float64"),
        C.STATUS: pd.Series(status, index=long.index, dtype="str"), C.SOURCE: long["source"].astype("str"),
    })


def nb_observations(nb: pd.DataFrame) -> pd.DataFrame:
    """Annual municipality-level observations from :func:`samorg.sources.read_nb_library_stats` rows."""
    return pd.DataFrame({
        C.SITE_ID: pd.Series(np.nan, index=nb.index, dtype="str"),
        C.MUNICIPALITY_CODE: nb["municipality_code"].astype("str"),
        C.PERIOD_START: pd.to_datetime(nb["year"].astype(str) + "-01-01").astype("datetime64[us]"),
        C.FREQ: "A", C.INDICATOR: nb["indicator"].astype("str"), C.VALUE: nb["value"].astype("float64"),
        C.STATUS: nb["status"].astype("str"), C.SOURCE: nb["source"].astype("str"),
    })


def sort_observations(obs: pd.DataFrame) -> pd.DataFrame:
    """A stable, documented row order (so rebuilt files are identical)."""
    keys = [C.FREQ, C.MUNICIPALITY_CODE, C.SITE_ID, C.INDICATOR, C.PERIOD_START]
    return obs.sort_values(keys, kind="stable", na_position="first").reset_index(drop=True)


YES_NO_INDICATORS = ("website_wai", "new_premises")


def harmonise_municipalities(obs: pd.DataFrame, municipalities: Iterable) -> pd.DataFrame:
    """Annual municipality rows re-keyed to each treated municipality's current code (a merged series).

    Rows of earlier codes (e.g. 0602, 0625, 0711 → 3301) are summed per year and indicator;
    yes/no indicators (:data:`YES_NO_INDICATORS`) take the maximum. A sum with any part missing is
    missing (status ``..``). Other municipalities' rows and all site rows are returned unchanged.
    ``municipalities`` are objects with ``code`` and ``all_codes`` (:class:`samorg.config.Municipality`).
    The sources of the parts are joined with ``" + "``.
    """
    to_current = {old: m.code for m in municipalities for old in m.all_codes}
    annual = obs[C.MUNICIPALITY_CODE].isin(to_current.keys())
    keep, part = obs[~annual], obs[annual].assign(**{C.MUNICIPALITY_CODE: obs.loc[annual, C.MUNICIPALITY_CODE].map(to_current)})
    if part.empty:
        return obs.copy()
    keys = [C.MUNICIPALITY_CODE, C.PERIOD_START, C.FREQ, C.INDICATOR]
    grouped = part.groupby(keys, sort=True, dropna=False)
    summed = grouped[C.VALUE].sum(min_count=1)
    maxed = grouped[C.VALUE].max()
    any_missing = grouped[C.VALUE].count() < grouped[C.VALUE].size()
    flag = pd.Series(summed.index.get_level_values(C.INDICATOR).isin(YES_NO_INDICATORS), index=summed.index)
    value = maxed.where(flag, summed).mask(any_missing & ~flag)
    out = value.rename(C.VALUE).reset_index()
    out[C.SITE_ID] = pd.Series(np.nan, index=out.index, dtype="str")
    out[C.STATUS] = np.where(out[C.VALUE].isna(), C.STATUS_NOT_AVAILABLE, C.STATUS_OK)
    out[C.SOURCE] = grouped[C.SOURCE].apply(lambda s: " + ".join(sorted(set(s)))).to_numpy()
    out = out[list(obs.columns)].astype(obs.dtypes.to_dict())
    return sort_observations(pd.concat([keep, out], ignore_index=True))


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

def inquiries_table(raw: pd.DataFrame, *, salt: str) -> pd.DataFrame:
    """The processed inquiries: free text dropped, staff pseudonymised. Needs ``site_id`` (:func:`map_site_ids`)."""
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


# ---------------------------------------------------------------- population

def population_table(jsonstat: pd.DataFrame, *, source: str = "") -> pd.DataFrame:
    """Municipality population per year from a 07459-style JSON-stat frame (Region ``K-3301``, Tid)."""
    region = jsonstat["Region"].str.replace(r"^K-", "", regex=True)
    keep = region.str.fullmatch(r"\d{4}")
    part = jsonstat[keep]
    out = pd.DataFrame({
        C.MUNICIPALITY_CODE: region[keep].astype("str"), C.YEAR: part["Tid"].astype("int64"),
        C.AGE_GROUP: "total", C.POPULATION: part["value"].astype("float64"),
        C.STATUS: part["status"].astype("str"), C.SOURCE: source,
    })
    return out.sort_values([C.MUNICIPALITY_CODE, C.YEAR], kind="stable").reset_index(drop=True)
