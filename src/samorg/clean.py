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
from samorg.errors import ConfigError, Problem, SourceFormatError
from samorg.sources._text import in_range, norm_header, parse_datetime, parse_month, parse_number

REDACTED = privacy.REDACTED
SITE_INDICATORS = C.SITE_MONTHLY_INDICATORS
#: answer label (case-folded) → code (5 best); "Vet ikke" and blanks are missing
RESPONSE_CODES = {label.casefold(): code for code, label in C.RESPONSE_LEVELS.items()}
DONT_KNOW = {"vet ikke", "vet ikke / ikke aktuelt", "ikke aktuelt"}
_COPY_MARK = re.compile(r"( - kopi| - copy|\(\d+\)|_kopi|kopi av )", re.IGNORECASE)
#: a value flagged as implausibly high for its counter, hour and weekday (kept apart from outages)
STATUS_COUNTER_SPIKE = "counter_spike"


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


def _where(frame: pd.DataFrame, i: int) -> tuple[str, int | None]:
    source = str(frame["source"].iloc[i]) if "source" in frame else "<table>"
    row = int(frame["row"].iloc[i]) if "row" in frame and pd.notna(frame["row"].iloc[i]) else None
    return source, row


def parse_norwegian_dates(frame: pd.DataFrame, *, columns: Iterable[str], kind: str = "datetime") -> pd.DataFrame:
    """Return a copy with ``columns`` parsed from Norwegian text to ``datetime64[us]``.

    ``kind="datetime"`` reads ``24.11.2026 13:05``, ``24.11.2026`` and ISO forms; ``kind="month"``
    reads ``2019-01``, ``01.2019``, ``januar 2019`` and ``2019M01`` (first of the month). Blanks
    become NaT. A date outside 1980–2049 (a two-digit year, an Excel serial) is an error.

    Raises
    ------
    SourceFormatError
        A cell that is not a date, naming ``source`` and ``row`` when the frame has them.

    Examples
    --------
    >>> parse_norwegian_dates(pd.DataFrame({"d": ["24.11.2026 13:05", "mars 2019", ""]}), columns=["d"],
    ...                       kind="month")["d"].tolist()
    [Timestamp('2026-11-01 00:00:00'), Timestamp('2019-03-01 00:00:00'), NaT]
    """
    parse = {"datetime": parse_datetime, "month": parse_month}[kind]
    out = frame.copy()
    for col in columns:
        values = []
        for i, raw in enumerate(frame[col].tolist()):
            if raw is None or (isinstance(raw, float) and np.isnan(raw)) or str(raw).strip() == "":
                values.append(pd.NaT)
                continue
            source, row = _where(frame, i)
            try:
                day = parse(raw)
            except ValueError:
                raise SourceFormatError(source, row=row, column=col, found=f"{raw!r} is not a date",
                                        expected="a date such as 24.11.2026 or a month such as 2019-03",
                                        fix="Correct the cell in the export.") from None
            in_range(day, source, row or 0, col, raw)
            values.append(pd.Timestamp(day))
        out[col] = pd.Series(values, index=frame.index, dtype="datetime64[us]")
    return out


# ---------------------------------------------------------------- duplicate exports

def _file_rank(source: str) -> tuple[int, int, str]:
    name = Path(source).name
    return (1 if _COPY_MARK.search(name) else 0, len(name), name)


def find_duplicate_exports(frame: pd.DataFrame, *, key: Iterable[str] = ("branch", "period_start")) -> pd.DataFrame:
    """Rows repeating a ``key`` (branch and month by default) already present in another file, with the file kept.

    The kept file is the one without a copy mark (``- Kopi``, ``(1)``), then the shortest name,
    then the first in alphabetical order. Returns the dropped rows with ``kept_source`` and
    ``identical`` (whether every other column equals the kept row's). For the National Library's
    long rows use ``key=("municipality_code", "year", "indicator")``.
    """
    key = list(key)
    ranked = frame.assign(_rank=frame["source"].map(_file_rank)).sort_values(["_rank", "row"], kind="stable")
    dup = ranked.duplicated(key, keep="first")
    first = ranked[~dup].set_index(key)
    dropped = ranked[dup].drop(columns="_rank")
    compare = [c for c in frame.columns if c not in (*key, "source", "row")]
    index = pd.MultiIndex.from_frame(dropped[key]) if len(key) > 1 else pd.Index(dropped[key[0]])
    kept = first.loc[index]
    a, b = kept[compare].to_numpy(), dropped[compare].to_numpy()
    same = (a == b) | (pd.isna(a) & pd.isna(b))
    return dropped.assign(kept_source=kept["source"].to_numpy(), identical=same.all(axis=1) if len(compare) else True)


def drop_duplicate_exports(frame: pd.DataFrame, *, key: Iterable[str] = ("branch", "period_start")) -> pd.DataFrame:
    """Return the rows without the duplicates :func:`find_duplicate_exports` finds."""
    dropped = find_duplicate_exports(frame, key=key)
    keep = ~pd.MultiIndex.from_frame(frame[["source", "row"]]).isin(
        pd.MultiIndex.from_frame(dropped[["source", "row"]]))
    return frame[keep].reset_index(drop=True)


# ---------------------------------------------------------------- sites

def site_lookup(sites: Iterable) -> dict[str, str]:
    """Normalised name or alias → site id, from the registry's sites (objects with name/aliases).

    Raises
    ------
    ConfigError
        One name or alias belongs to two sites (a rename must point at one site only).
    """
    table: dict[str, str] = {}
    problems = []
    for s in sites:
        for name in (s.site_id, s.name, *s.aliases):
            key = norm_header(name)
            if key in table and table[key] != s.site_id:
                problems.append(Problem(f"sites.{s.site_id}", f"the name or alias {name!r} also belongs to "
                                        f"{table[key]!r}", "each name and alias on one site only",
                                        "Remove the alias from one of the two sites in sites.yaml."))
            table.setdefault(key, s.site_id)
    if problems:
        raise ConfigError(problems)
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


_DAYS = {"man": 0, "tir": 1, "ons": 2, "tor": 3, "fre": 4, "lør": 5, "søn": 6, "mon": 0, "tue": 1, "wed": 2,
         "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def _weekdays(raw: object) -> list[int]:
    s = str(raw).strip().casefold()
    if s.isdigit():
        return [int(s)]
    if "-" in s:
        a, b = (x.strip()[:3] for x in s.split("-", 1))
        return list(range(_DAYS[a], _DAYS[b] + 1))
    return [_DAYS[s[:3]]]


def _span(raw: object) -> tuple[float, float] | None:
    s = str(raw).strip()
    if not s or s.casefold() in ("stengt", "closed", "nan", "none", "-"):
        return None
    a, b = (x.strip() for x in s.replace("–", "-").split("-", 1))

    def hours(t: str) -> float:
        h, _, m = t.replace(".", ":").partition(":")
        return int(h) + int(m or 0) / 60

    return hours(a), hours(b)


def classify_opening_hours(counts: pd.DataFrame, schedule: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with ``service`` (``staffed``, ``self_service`` or ``closed``) and ``open_hours``.

    ``schedule`` has one row per branch and weekday: ``branch``, ``weekday`` (0 = Monday, or
    ``man``…``søn``, or a range ``man-fre``), ``staffed`` and ``self_service`` as ``10-19`` or
    ``10:00-19:30`` (blank or ``stengt``: none). Staffed time wins where the two overlap. For
    daily counts ``service`` is ``open`` or ``closed``; ``open_hours`` is the day's open hours
    (staffed plus self-service outside staffed time). Branches missing from the schedule count as
    closed, so their zeros are never flagged as outages.

    Examples
    --------
    >>> sched = pd.DataFrame({"branch": ["Fjell"], "weekday": ["man-søn"], "staffed": ["10-16"],
    ...                       "self_service": ["07-23"]})
    >>> counts = pd.DataFrame({"branch": "Fjell", "period_start": pd.to_datetime(["2024-01-08 06:00",
    ...                        "2024-01-08 08:00", "2024-01-08 12:00"])})
    >>> classify_opening_hours(counts, sched)["service"].tolist()
    ['closed', 'self_service', 'staffed']
    """
    plan: dict[tuple[str, int], tuple[tuple[float, float] | None, tuple[float, float] | None]] = {}
    for r in schedule.itertuples(index=False):
        for day in _weekdays(r.weekday):
            plan[(norm_header(r.branch), day)] = (_span(getattr(r, "staffed", "")), _span(getattr(r, "self_service", "")))
    starts = pd.to_datetime(counts["period_start"])
    daily = bool((starts == starts.dt.normalize()).all())
    service, open_hours = [], []
    for branch, ts in zip(counts["branch"], starts):
        staffed, selfs = plan.get((norm_header(branch), ts.weekday()), (None, None))
        length = (staffed[1] - staffed[0] if staffed else 0) + (
            max(0.0, (selfs[1] - selfs[0]) - (max(0.0, min(selfs[1], staffed[1]) - max(selfs[0], staffed[0]))
                                              if staffed else 0)) if selfs else 0)
        open_hours.append(float(length))
        hour = ts.hour + ts.minute / 60
        if daily:
            service.append("open" if length > 0 else "closed")
        elif staffed and staffed[0] <= hour < staffed[1]:
            service.append("staffed")
        elif selfs and selfs[0] <= hour < selfs[1]:
            service.append("self_service")
        else:
            service.append("closed")
    return counts.assign(service=pd.Series(service, index=counts.index, dtype="str"),
                         open_hours=pd.Series(open_hours, index=counts.index, dtype="float64"))


def flag_counter_anomalies(counts: pd.DataFrame, *, min_run: int | None = None, spike_factor: float = 5.0,
                           spike_min: float = 50.0) -> pd.DataFrame:
    """Flag outages and spikes in hourly (or finer, or daily) people-counter data; keep every row.

    Needs ``service`` from :func:`classify_opening_hours`. Adds ``visits`` (mean of the IN and OUT
    beams, IN alone for one-beam counters) and ``status``:

    * ``counter_outage``: the counter read nothing (0 or blank) through ``min_run`` or more open
      intervals in a row (default 3 for sub-daily data, 1 for daily), or a blank while open;
    * ``counter_spike``: more than ``spike_factor`` times the usual count of the same branch, door,
      weekday and time of day (the median of its non-zero values), and more than ``spike_min``.

    Flagged rows keep their raw beams; their ``visits`` is missing. The input is not modified.
    """
    out = counts.copy()
    one_beam = out["visits_out"].isna() if "visits_out" in out else pd.Series(True, index=out.index)
    visits = ((out["visits_in"] + out["visits_out"]) / 2).where(~one_beam, out["visits_in"]) \
        if "visits_out" in out else out["visits_in"]
    start = pd.to_datetime(out["period_start"])
    daily = bool((start == start.dt.normalize()).all())
    run_needed = min_run if min_run is not None else (1 if daily else 3)
    is_open = out["service"] != "closed"
    empty = (visits.fillna(0) == 0) & is_open
    door = out["counter"] if "counter" in out else pd.Series("", index=out.index)
    order = pd.DataFrame({"b": out["branch"], "c": door, "t": start}).sort_values(["b", "c", "t"]).index
    outage = pd.Series(False, index=out.index)
    run: list = []
    prev = None
    for i in order:
        unit = (out.at[i, "branch"], door.at[i])
        if unit != prev:
            if len(run) >= run_needed:
                outage[run] = True
            run, prev = [], unit
        if not is_open.at[i]:
            continue  # closed hours neither break nor extend a run
        if empty.at[i]:
            run.append(i)
        else:
            if len(run) >= run_needed:
                outage[run] = True
            run = []
    if len(run) >= run_needed:
        outage[run] = True
    outage |= visits.isna() & is_open
    slot = pd.DataFrame({"b": out["branch"], "c": door, "w": start.dt.day_of_week, "h": start.dt.hour * 60 + start.dt.minute})
    usual = visits.where(visits > 0).groupby([slot["b"], slot["c"], slot["w"], slot["h"]]).transform("median")
    spike = (visits > spike_factor * usual) & (visits > spike_min) & ~outage
    status = np.where(outage, C.STATUS_COUNTER_OUTAGE, np.where(spike, STATUS_COUNTER_SPIKE, C.STATUS_OK))
    out["visits"] = visits.mask(outage | spike).astype("float64")
    out["status"] = pd.Series(status, index=out.index, dtype="str")
    return out


def aggregate_counts(counts: pd.DataFrame, *, freq: str = "M", tolerance: float = 0.0) -> pd.DataFrame:
    """Sum flagged counter data (:func:`flag_counter_anomalies`) to days or months per branch.

    Returns ``branch``, ``period_start`` (first day of the period), ``visits``, ``visits_staffed``,
    ``visits_self_service`` (by ``service``, when known), ``flagged_share`` (share of open intervals
    flagged), ``status`` and ``source``. A period with more than ``tolerance`` of its open intervals
    flagged is missing, with the flag's status (an outage before a spike), never a silent
    undercount. The input is not modified.
    """
    if freq not in ("D", "M"):
        raise ValueError(f"freq must be 'D' or 'M', not {freq!r}")
    start = pd.to_datetime(counts["period_start"])
    period = start.dt.normalize() if freq == "D" else start.dt.to_period("M").dt.start_time
    service = counts["service"] if "service" in counts else pd.Series("open", index=counts.index)
    work = pd.DataFrame({
        "branch": counts["branch"], "period_start": period.astype("datetime64[us]"), "visits": counts["visits"],
        "staffed": counts["visits"].where(service == "staffed"),
        "self_service": counts["visits"].where(service == "self_service"),
        "open": service != "closed", "outage": counts["status"] == C.STATUS_COUNTER_OUTAGE,
        "spike": counts["status"] == STATUS_COUNTER_SPIKE, "source": counts["source"].astype(str),
    })
    g = work.groupby(["branch", "period_start"], sort=True)
    out = pd.DataFrame({
        "visits": g["visits"].sum(min_count=1), "visits_staffed": g["staffed"].sum(min_count=1),
        "visits_self_service": g["self_service"].sum(min_count=1),
        "_open": g["open"].sum(), "_outage": g["outage"].sum(), "_spike": g["spike"].sum(),
        "source": g["source"].agg(lambda x: " + ".join(sorted(set(x)))),
    }).reset_index()
    share = ((out["_outage"] + out["_spike"]) / out["_open"].where(out["_open"] > 0)).fillna(0.0)
    bad = share > tolerance
    status = np.where(bad, np.where(out["_outage"] > 0, C.STATUS_COUNTER_OUTAGE, STATUS_COUNTER_SPIKE), C.STATUS_OK)
    for col in ("visits", "visits_staffed", "visits_self_service"):
        out[col] = out[col].mask(bad).astype("float64")
    if "service" not in counts:
        out["visits_staffed"] = np.nan
        out["visits_self_service"] = np.nan
    out["flagged_share"] = share.astype("float64")
    out["status"] = pd.Series(status, index=out.index, dtype="str")
    return out[["branch", "period_start", "visits", "visits_staffed", "visits_self_service", "flagged_share",
                "status", "source"]]


def loans_monthly(loans: pd.DataFrame) -> pd.DataFrame:
    """Loans (and renewals) per branch and month from :func:`samorg.sources.read_loans` rows."""
    start = pd.to_datetime(loans["period_start"]).dt.to_period("M").dt.start_time.astype("datetime64[us]")
    g = loans.assign(period_start=start).groupby(["branch", "period_start"], sort=True)
    return pd.DataFrame({"loans": g["loans"].sum(min_count=1), "renewals": g["renewals"].sum(min_count=1),
                         "source": g["source"].agg(lambda x: " + ".join(sorted(set(map(str, x)))))}).reset_index()


OWN_ORGANISERS = {"", "biblioteket", "egen", "eget", "egne", "bibliotek", "innbyggertorget", "oss"}


def events_monthly(events: pd.DataFrame) -> pd.DataFrame:
    """Events per branch and month from :func:`samorg.sources.read_events` rows.

    Returns ``events``, ``event_attendance``, ``events_external`` (organiser other than the library
    itself), ``events_co_created`` (with a named partner: the co-creation indicator) and
    ``events_digital``. Titles are not carried over.
    """
    organiser = events["organiser"].map(norm_header)
    work = events.assign(
        period_start=pd.to_datetime(events["date"]).dt.to_period("M").dt.start_time.astype("datetime64[us]"),
        external=~organiser.isin(OWN_ORGANISERS), co_created=events["partner"].str.strip() != "",
        is_digital=events["digital"].fillna(False).astype(bool))
    g = work.groupby(["branch", "period_start"], sort=True)
    return pd.DataFrame({"events": g.size().astype("float64"), "event_attendance": g["attendance"].sum(min_count=1),
                         "events_external": g["external"].sum().astype("float64"),
                         "events_co_created": g["co_created"].sum().astype("float64"),
                         "events_digital": g["is_digital"].sum().astype("float64"),
                         "source": g["source"].agg(lambda x: " + ".join(sorted(set(map(str, x)))))}).reset_index()


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


def harmonise_municipalities(obs: pd.DataFrame, municipalities: Iterable = (), *, to_year: int | None = None) -> pd.DataFrame:
    """Annual municipality rows re-keyed to one structure: :func:`samorg.municipalities.harmonise` for observations.

    With ``to_year`` (e.g. 2024), every code is mapped through SSB's code changes (2020 mergers,
    2024 renumbering; the 2026 Indre Østfold border change is flagged); parts that are absent
    make the sum missing. Without it (the first version's call), only the treated municipalities
    of the study are merged: rows of their earlier codes (``municipalities``: objects with
    ``code`` and ``all_codes``, e.g. 0602, 0625, 0711 → 3301) are summed per year and indicator.
    Yes/no indicators take the largest value, rates are recomputed, a sum with any part missing
    is missing (status ``..``). Site rows and other municipalities are returned unchanged, in the
    columns of ``obs``. The sources of the parts are joined with ``" + "``. The input is not modified.
    """
    from samorg.municipalities import harmonise

    if to_year is None:
        mapping = {old: m.code for m in municipalities for old in m.all_codes}
        out = harmonise(obs, to_year=2024, mapping=mapping, note_column=None)
    else:
        out = harmonise(obs, to_year=to_year, note_column=None)
    out = out[list(obs.columns)].astype(obs.dtypes.to_dict())
    return sort_observations(out) if {C.FREQ, C.PERIOD_START, C.INDICATOR} <= set(obs.columns) else out


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
