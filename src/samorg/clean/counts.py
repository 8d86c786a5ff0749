"""Cleaning steps for counts: visits from counter beams, outages and spikes, opening hours, monthly sums,
the long observations table, municipality harmonisation and population."""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from samorg import columns as C
from samorg.sources._text import norm_header

SITE_INDICATORS = C.SITE_MONTHLY_INDICATORS
#: a value flagged as implausibly high for its counter, hour and weekday (kept apart from outages)
STATUS_COUNTER_SPIKE = "counter_spike"


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
