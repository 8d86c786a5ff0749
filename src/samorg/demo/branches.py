"""Monthly branch statistics as a library system / people counter exports them.

One file per municipality per year under ``filialer/``. Drammen: UTF-8, LF, ``2019-01`` months,
no-break-space thousands separators 2016–2019. Indre Østfold: cp1252, CRLF, ``01.2019`` months,
other column names, no-break-space thousands separators from 2022.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from samorg.demo import world as w
from samorg.demo._format import NBSP, csv_line, decimal_comma, thousands, write_text
from samorg.demo.truth import DemoTruth

HEADERS = {
    w.DRAMMEN: ["Filial", "Måned", "Besøk inn", "Besøk ut", "Meråpent besøk", "Utlån", "Arrangementer",
                "Deltakere", "Betjente timer", "Meråpne timer"],
    w.INDRE_OSTFOLD: ["Avdeling", "Periode", "Besøkende inn", "Besøkende ut", "Besøk meråpent", "Utlån",
                      "Arrangement", "Deltakere arrangement", "Åpningstimer betjent", "Åpningstimer meråpent"],
}
WEEKS_PER_MONTH = 52 / 12


def _hours_factor(municipality: str, i: int) -> float:
    """Share of normal staffed opening hours kept in month ``i`` (COVID-19 closures)."""
    day = w.month_start(i)
    if day < dt.date(2020, 3, 1) or day >= dt.date(2022, 2, 1):
        return 1.0
    special = {dt.date(2020, 3, 1): 11 / 31, dt.date(2020, 4, 1): 0.0, dt.date(2020, 5, 1): 0.55}
    f = special.get(day, 0.85)
    if municipality == w.INDRE_OSTFOLD and day == dt.date(2020, 8, 1):
        f = 8 / 31 * 0.85
    if municipality == w.DRAMMEN and day == dt.date(2021, 1, 1):
        f = 0.7
    return f


def _self_service_open(site: w.SiteSpec, i: int) -> float:
    day = w.month_start(i)
    if site.self_service_from is None or day < site.self_service_from:
        return 0.0
    if site.municipality == w.DRAMMEN and dt.date(2020, 3, 1) <= day <= dt.date(2020, 8, 1):
        return 0.0  # reopened without self-service
    if dt.date(2020, 3, 1) <= day <= dt.date(2020, 4, 1):
        return 0.0
    return 1.0


def simulate(seed: int) -> pd.DataFrame:
    """The true monthly numbers per library site (before the counter outage), one row per month."""
    rng = w.stream(seed, "branches")
    rows = []
    for site in w.SITES:
        if not site.has_library:
            continue
        visits = w.expected_visits(site) * np.exp(rng.normal(-0.0008, 0.04, w.N_MONTHS))
        cf = w.expected_visits(site, treated=False)
        co = w.visit_multiplier(site) != 1.0
        covid = w.covid_factor(site.municipality)
        for i in range(w.N_MONTHS):
            v = float(visits[i])
            u = rng.normal(0, 0.01)
            ss_open = _self_service_open(site, i)
            ss = v * site.self_service_share * ss_open * float(np.exp(rng.normal(0, 0.05)))
            loans = cf[i] * 0.52 * (0.5 + 0.5 * covid[i]) * (w.LOANS_EFFECT if co[i] else 1.0)
            loans *= float(np.exp(rng.normal(0, 0.05)))
            year = w.FIRST_YEAR + i // 12
            growth = w.POPULATION[site.municipality][year] / w.POPULATION[site.municipality][2019]
            ev_mean = (site.base_visits / 1000 * site.events_per_1000 / 12 * w.EVENT_SEASON[i % 12]
                       * growth * covid[i] ** 2 * (w.EVENTS_EFFECT if co[i] else 1.0))
            events = int(rng.poisson(ev_mean))
            attendance = int(rng.poisson(22 * events)) if events else 0
            staffed = site.staffed_hours_week * WEEKS_PER_MONTH * _hours_factor(site.municipality, i)
            if site.municipality == w.INDRE_OSTFOLD and year >= 2020:
                staffed *= w.IO_STAFFED_HOURS_2020
            rows.append({
                "site_id": site.site_id, "month": i, "visits": v,
                "visits_in": int(round(v * (1 + u))), "visits_out": int(round(v * (1 - u))),
                "self_service": int(round(ss)), "loans": int(round(loans)), "events": events,
                "attendance": attendance, "staffed_hours": round(staffed, 1),
                "self_service_hours": round(site.self_service_hours_week * WEEKS_PER_MONTH * ss_open, 1),
            })
    return pd.DataFrame(rows)


def _month_label(code: str, i: int) -> str:
    d = w.month_start(i)
    return f"{d.year}-{d.month:02d}" if code == w.DRAMMEN else f"{d.month:02d}.{d.year}"


def _number_style(code: str, year: int) -> str:
    if code == w.DRAMMEN and 2016 <= year <= 2019:
        return NBSP
    if code == w.INDRE_OSTFOLD and year >= 2022:
        return NBSP
    return ""


def write(root: Path, sim: pd.DataFrame, truth: DemoTruth) -> list[Path]:
    """Write the branch exports (plus the duplicated file) under ``root/filialer``."""
    out_dir = root / "filialer"
    written = []
    outage = {(truth.outage_site, w.month_index(d)) for d in truth.outage_months}
    for code in (w.DRAMMEN, w.INDRE_OSTFOLD):
        sites = [s for s in w.SITES if s.municipality == code and s.has_library]
        for year in w.YEARS:
            months = range((year - w.FIRST_YEAR) * 12, (year - w.FIRST_YEAR) * 12 + 12)
            sep_k = _number_style(code, year)
            part = sim[sim["site_id"].isin([s.site_id for s in sites]) & sim["month"].isin(months)]
            if code == w.DRAMMEN:
                part = part.sort_values(["month", "site_id"], kind="stable")
            lines = [csv_line(HEADERS[code], ";")]
            for r in part.itertuples(index=False):
                site = w.SITE_BY_ID[r.site_id]
                v_in, v_out = (0, 0) if (r.site_id, r.month) in outage else (r.visits_in, r.visits_out)
                values = [site.raw_name(w.month_start(r.month)), _month_label(code, r.month),
                          thousands(v_in, sep_k), thousands(v_out, sep_k), thousands(r.self_service, sep_k),
                          thousands(r.loans, sep_k), str(r.events), thousands(r.attendance, sep_k),
                          decimal_comma(r.staffed_hours), decimal_comma(r.self_service_hours)]
                lines.append(csv_line(values, ";"))
            text = "\n".join(lines) + "\n"
            path = out_dir / f"{w.FILE_STEM[code]}_{year}.csv"
            enc, nl = ("utf-8", "\n") if code == w.DRAMMEN else ("cp1252", "\r\n")
            write_text(path, text, encoding=enc, newline=nl)
            written.append(path)
    original = root / truth.duplicate_of
    copy = root / truth.duplicated_file
    copy.write_bytes(original.read_bytes())
    written.append(copy)
    return written
