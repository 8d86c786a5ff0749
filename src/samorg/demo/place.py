"""The demo's place exports (issue 14): active borrowers by area and year, hourly people-counter sample weeks,
and the survey's errand questions, each with a planted effect of known size.

* **Reach.** Active borrowers living in a site's catchment are ``Binomial(catchment(y), share)`` with
  ``share = REACH_BASE[site] × REACH_COVID[y] + REACH_EFFECT`` in every full calendar year after the site's
  co-location (:func:`reach_share`). ``catchment(y)`` scales the registry's catchment by the
  municipality's population, as the report does. Rows for people outside every catchment are added.
* **Footfall around opening hours.** Sample weeks 11 and 37 of 2019 (before) and 2024 (after). The
  counterfactual week (the month's expected visits, no co-location effect) is spread over staffed hours
  (midday peak) and self-service hours (share ``self_service_share``); the planted co-location effect's
  extra visits all fall on weekdays 10–15, the service desk's hours (:func:`expected_week`).
* **Errands.** Two yes/no survey questions: came for a municipal service (``ERRAND_SERVICE``), and if so,
  also used the library (``ERRAND_LIBRARY``), by whether the site was co-located on the response date.
  Drawn from their own random stream, so the satisfaction answers are unchanged.
"""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path

import numpy as np

from samorg.demo import world as w
from samorg.demo._format import csv_line, write_text

#: share of the catchment with at least one loan in the year, before any effect (DOMAIN.md: ≈ 14 %)
REACH_BASE = {"askim": 0.150, "mysen": 0.140, "skjonhaug": 0.120, "spydeberg": 0.130, "tomter": 0.125,
              "papirbredden": 0.160, "konnerud": 0.135, "fjell": 0.110, "mjondalen": 0.130, "svelvik": 0.145}
REACH_COVID = {2020: 0.85, 2021: 0.88, 2022: 0.95}
#: planted: percentage points added to the share in every full year after co-location
REACH_EFFECT = 0.02
#: P(came for a municipal service), P(also used the library | came for one): co-located on the day vs not
ERRAND_SERVICE = {"co_located": 0.25, "other": 0.04}
ERRAND_LIBRARY = {"co_located": 0.55, "other": 0.30}
#: sample weeks (ISO year, week) of the hourly counter export, before and after
SAMPLE_WEEKS = {"before": ((2019, 11), (2019, 37)), "after": ((2024, 11), (2024, 37))}
#: planted: the co-location effect's extra visits fall in these hours on weekdays (the service desk's hours)
SERVICE_HOURS = (10, 15)
QUESTIONS = ("Kom du hit i dag (også) for et ærend til innbyggertorget eller en annen kommunal tjeneste?",
             "Hvis ja: brukte du også biblioteket under samme besøk (lånte, leste, satt, deltok på arrangement)?")
MODE_WORD = {"staffed": "Betjent", "self_service": "Meråpent", "closed": "Stengt"}


def library_sites() -> list[w.SiteSpec]:
    return [s for s in w.SITES if s.has_library]


def catchment(site: w.SiteSpec, year: int) -> float:
    """The site's catchment population in ``year``: the registry's number scaled by the municipality's growth."""
    pop = w.POPULATION[site.municipality]
    return site.catchment * pop[year] / pop[2019]


def reach_share(site_id: str, year: int) -> float:
    """The planted share of the catchment that are active borrowers in ``year``."""
    site = w.SITE_BY_ID[site_id]
    share = REACH_BASE[site_id] * REACH_COVID.get(year, 1.0)
    after = site.co_located is not None and year > site.co_located.year - (site.co_located == dt.date(
        site.co_located.year, 1, 1))
    return share + (REACH_EFFECT if after else 0.0)


def _hours(site: w.SiteSpec, day: dt.date) -> list[str]:
    """The opening mode of each hour 0–23 of ``day`` at ``site``."""
    io = site.municipality == w.INDRE_OSTFOLD
    staffed_week = site.staffed_hours_week * (w.IO_STAFFED_HOURS_2020 if io and day.year >= 2020 else 1.0)
    saturday = 4 if staffed_week >= 30 and not (io and day.year >= 2020) else 0
    weekday_hours = int(round((staffed_week - saturday) / 5))
    modes = ["closed"] * 24
    if site.self_service_from is not None and day >= site.self_service_from:
        first, last = (6, 22) if io else (7, 23)
        if site.self_service_hours_week < 50:  # the main library: mornings before opening only
            first, last = 7, 10
            if day.weekday() >= 5:
                last = first
        for h in range(first, last):
            modes[h] = "self_service"
    if day.weekday() < 5:
        for h in range(10, min(10 + weekday_hours, 23)):
            modes[h] = "staffed"
    elif day.weekday() == 5:
        for h in range(10, 10 + saturday):
            modes[h] = "staffed"
    return modes


def _weight(mode: str, hour: int) -> float:
    if mode == "staffed":
        return 1.0 + 0.6 * float(np.exp(-(((hour + 0.5) - 13.5) / 2.5) ** 2))
    if mode == "self_service":
        return 0.5 if hour < 10 else 1.0 if hour < 20 else 0.6
    return 0.0


def _week_days(year: int, week: int) -> list[dt.date]:
    return [dt.date.fromisocalendar(year, week, d) for d in range(1, 8)]


def expected_week(site: w.SiteSpec, year: int, week: int) -> tuple[list[dt.date], np.ndarray, list[list[str]]]:
    """Days, expected visits (7 × 24) and the opening modes of one sample week, without noise."""
    days = _week_days(year, week)
    treated, control = w.expected_visits(site), w.expected_visits(site, treated=False)
    modes = [_hours(site, d) for d in days]
    mu = np.zeros((7, 24))
    for k, d in enumerate(days):
        i = w.month_index(d)
        n_days = calendar.monthrange(d.year, d.month)[1]
        per_day_cf, per_day_extra = control[i] / n_days, (treated[i] - control[i]) / n_days
        open_modes = [m for m in ("staffed", "self_service") if m in modes[k]]
        shares = {"staffed": 1.0 - site.self_service_share, "self_service": site.self_service_share}
        if len(open_modes) == 1:
            shares = {open_modes[0]: 1.0}
        for mode in open_modes:
            hours = [h for h in range(24) if modes[k][h] == mode]
            weights = np.array([_weight(mode, h) for h in hours])
            mu[k, hours] += per_day_cf * shares[mode] * weights / weights.sum()
        service = [h for h in range(*SERVICE_HOURS) if modes[k][h] == "staffed"]
        if d.weekday() < 5 and service and per_day_extra:
            mu[k, service] += per_day_extra * 7 / 5 / len(service)
        before = [h for h in range(23) if modes[k][h] == "closed" and modes[k][h + 1] != "closed"]
        mu[k, before] += 1.0  # staff arriving before opening
    return days, mu, modes


def service_hour_share(site_id: str, when: str) -> float:
    """Planted (expected) share of a sample period's visits that fall on weekdays in :data:`SERVICE_HOURS`."""
    site = w.SITE_BY_ID[site_id]
    inside = total = 0.0
    for year, week in SAMPLE_WEEKS[when]:
        days, mu, _ = expected_week(site, year, week)
        for k, d in enumerate(days):
            total += mu[k].sum()
            if d.weekday() < 5:
                inside += mu[k, SERVICE_HOURS[0]:SERVICE_HOURS[1]].sum()
    return inside / total


def write_borrowers(root: Path, seed: int) -> list[Path]:
    """``utlan/aktive_lanere_<municipality>.csv``: active borrowers by area of residence and year."""
    rng = w.stream(seed, "place")
    out = []
    for code, enc in ((w.DRAMMEN, "utf-8"), (w.INDRE_OSTFOLD, "cp1252")):
        lines = ["Aktive lånere etter bosted (minst ett lån i året). Uttrekk fra bibliotekssystemet.", "",
                 csv_line(["År", "Område", "Aktive lånere"], ";")]
        for year in w.YEARS:
            total = 0
            for site in library_sites():
                if site.municipality != code:
                    continue
                n = int(rng.binomial(int(round(catchment(site, year))), reach_share(site.site_id, year)))
                total += n
                lines.append(csv_line([str(year), site.raw_name(dt.date(year, 12, 31)), str(n)], ";"))
            lines.append(csv_line([str(year), "Utenfor kommunen", str(int(rng.poisson(0.04 * total)))], ";"))
            lines.append(csv_line([str(year), "Ukjent bosted", str(int(rng.poisson(3)))], ";"))
        path = root / "utlan" / f"aktive_lanere_{w.FILE_STEM[code]}.csv"
        write_text(path, "\n".join(lines) + "\n", encoding=enc, newline="\r\n")
        out.append(path)
    return out


def write_counter_hours(root: Path, seed: int) -> list[Path]:
    """``teller/teller_timer_<year>.csv``: hourly IN/OUT with the opening mode, sample weeks 11 and 37."""
    rng = w.stream(seed, "counter_hours")
    out = []
    for when, weeks in SAMPLE_WEEKS.items():
        lines = [csv_line(["Avdeling", "Dato", "Time", "Inn", "Ut", "Åpningsmodus"], ";")]
        for site in library_sites():
            for year, week in weeks:
                days, mu, modes = expected_week(site, year, week)
                for k, d in enumerate(days):
                    for h in range(24):
                        lam = mu[k, h]
                        lines.append(csv_line([site.raw_name(d), d.strftime("%d.%m.%Y"), f"{h:02d}:00",
                                               str(int(rng.poisson(lam))), str(int(rng.poisson(lam))),
                                               MODE_WORD[modes[k][h]]], ";"))
        path = root / "teller" / f"teller_timer_{weeks[0][0]}.csv"
        write_text(path, "\n".join(lines) + "\n", encoding="utf-8")
        out.append(path)
    return out


def errand_answer(rng: np.random.Generator, site_id: str, day: dt.date) -> tuple[str, str]:
    """The two errand answers ("Ja", "Nei" or blank) of one respondent at ``site_id`` on ``day``.

    ``rng`` is the stream ``w.stream(seed, "errands")``, drawn once per respondent in survey order.
    """
    site = w.SITE_BY_ID[site_id]
    key = "co_located" if site.co_located is not None and day >= site.co_located else "other"
    blank, service, library = rng.random(3)
    if blank < 0.03:
        return "", ""
    came = service < ERRAND_SERVICE[key]
    return ("Ja" if came else "Nei"), (("Ja" if library < ERRAND_LIBRARY[key] else "Nei") if came else "")
