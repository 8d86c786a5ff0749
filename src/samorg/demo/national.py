"""National Library statistics (one CSV per year) and SSB population (JSON-stat 2.0).

The NB files copy the real ``folkebibl-2020-kommuner.csv``: comma-separated UTF-8, CRLF, line
breaks inside quoted headers, numbers like ``"307 528 "``, municipality numbers as floats
(``602.0``), ``-`` and empty cells for missing values, ``" Ja "`` with stray spaces. Column names
change over the years (population headers carry the year; loans and events were renamed in 2016).
The treated municipalities' rows are the sums of their branches; the comparison pool is synthetic
numbers for real municipalities whose code did not change 2014–2025.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from samorg.demo import world as w
from samorg.demo._format import csv_line, thousands, write_text

DIGITAL_ATTENDANCE = "Antall deltakere/\ntilskuere - digitale arrangement"  # \n becomes \r\n on disk


def columns(year: int) -> list[str]:
    """The NB column headers of ``year``'s file (a subset of the real 212, in the real order)."""
    cols = ["Antall kommuner i fylket", "Fylkesnr.", "Kommunenr.", "Kommune",
            f"0-14 år per 1.1.{year}", f"15 år og eldre per 1.1.{year}", f"Totalt per 1.1.{year}",
            "Besøk totalt"]
    if year >= 2016:
        cols += ["Besøk i betjent åpningstid", "Alle typer arrangement totalt", "Alle typer arrangement fremmøtte"]
    else:
        cols += ["Arrangementer totalt", "Arrangementer fremmøtte"]
    if year >= 2020:
        cols += ["Antall digitale arrangement", DIGITAL_ATTENDANCE]
    cols += ["Følger hjemme-sidene WAI-standarden"]
    cols += ["Førstegangslån totalt"] if year >= 2016 else ["Utlån totalt"]
    cols += ["Betjent åpningstid, hoved-biblioteket, timer før 1700",
             "Betjent åpningstid, hoved-biblioteket, timer etter 1700",
             "Åpningstider, hoved-biblioteket, meråpent",
             "Betjent åpningstid, avdelingene, timer før 1700",
             "Betjent åpningstid, avdelingene, timer etter 1700",
             "Åpningstid, avdelingene, meråpent",
             "Antall faste bibliotek-enheter", "Nye lokaler"]
    return cols


def _annual(values: np.ndarray) -> np.ndarray:
    return values.reshape(len(w.YEARS), 12).sum(axis=1)


def _covid_annual(kind: str) -> dict[int, float]:
    c = w.covid_factor(None)
    weights = np.tile(w.SEASON, len(w.YEARS))
    if kind == "events":
        c = c ** 2
    if kind == "loans":
        c = 0.5 + 0.5 * c
    return {y: float(v) for y, v in zip(w.YEARS, _annual(c * weights) / _annual(weights))}


def pool_parameters(seed: int) -> pd.DataFrame:
    """Per comparison municipality: 2019 population, growth, visit rate, drift, and other rates."""
    rng = w.stream(seed, "population")
    rows = []
    for code, name, pop in w.POOL:
        rows.append({"code": code, "name": name, "pop2019": pop, "growth": rng.normal(0.004, 0.005),
                     "child_share": rng.uniform(0.16, 0.20), "rate": rng.uniform(2.6, 6.2),
                     "drift": rng.normal(0, 0.006), "ss_share": float(rng.choice([0, rng.uniform(0.05, 0.25)])),
                     "events_rate": rng.uniform(7, 15), "attendance": rng.uniform(18, 30),
                     "loans_rate": rng.uniform(1.6, 2.8), "wai": bool(rng.random() < 0.8),
                     "units": int(rng.integers(1, 5))})
    return pd.DataFrame(rows)


def pool_population(params: pd.DataFrame) -> dict[tuple[str, int], int]:
    return {(r.code, y): int(round(r.pop2019 * (1 + r.growth) ** (y - 2019)))
            for r in params.itertuples() for y in w.YEARS}


def treated_population() -> dict[tuple[str, int], int]:
    """Population of every treated code in the years it was valid (old codes split by 2019 shares)."""
    out: dict[tuple[str, int], int] = {}
    for code, eras in w.CODES.items():
        for y in w.YEARS:
            total = w.POPULATION[code][y]
            codes = eras[max(e for e in eras if e <= y)]
            parts = {c: int(round(total * w.OLD_SHARE.get(c, 1.0))) for c in codes}
            biggest = max(parts, key=parts.get)
            parts[biggest] += total - sum(parts.values())
            out.update({(c, y): v for c, v in parts.items()})
    return out


def _code_of(site: w.SiteSpec, year: int) -> str:
    eras = w.CODES[site.municipality]
    codes = eras[max(e for e in eras if e <= year)]
    return site.former_code if len(codes) > 1 else codes[0]


def _county(code: str, year: int) -> int:
    for muni, eras in w.CODES.items():
        if code in {c for cs in eras.values() for c in cs}:
            return w.COUNTY[muni][max(e for e in w.COUNTY[muni] if e <= year)]
    return int(code[:2])


def _name(code: str) -> str:
    if code in w.OLD_NAMES:
        return w.OLD_NAMES[code]
    for muni, eras in w.CODES.items():
        if code in {c for cs in eras.values() for c in cs}:
            return w.NAMES[muni]
    return dict((c, n) for c, n, _ in w.POOL)[code]


def _treated_rows(sim: pd.DataFrame, year: int, pops: dict) -> list[dict]:
    rows: dict[str, dict] = {}
    months = range((year - w.FIRST_YEAR) * 12, (year - w.FIRST_YEAR) * 12 + 12)
    part = sim[sim["month"].isin(months)]
    for site in w.SITES:
        if not site.has_library:
            continue
        code = _code_of(site, year)
        s = part[part["site_id"] == site.site_id]
        r = rows.setdefault(code, {"code": code, "visits": 0.0, "self_service": 0, "events": 0, "attendance": 0,
                                   "loans": 0, "units": 0, "main": None, "branch_hours": [0.0, 0.0, 0.0]})
        r["visits"] += float(s["visits"].sum())
        r["self_service"] += int(s["self_service"].sum())
        r["events"] += int(s["events"].sum())
        r["attendance"] += int(s["attendance"].sum())
        r["loans"] += int(s["loans"].sum())
        r["units"] += 1
        staffed = site.staffed_hours_week * (w.IO_STAFFED_HOURS_2020 if site.municipality == w.INDRE_OSTFOLD
                                             and year >= 2020 else 1.0)
        ss = site.self_service_hours_week if site.self_service_from and site.self_service_from.year <= year else 0
        hours = [round(staffed * 0.8), round(staffed * 0.2), ss]
        if r["main"] is None or site.base_visits > r["main"][0]:
            if r["main"] is not None:
                r["branch_hours"] = [a + b for a, b in zip(r["branch_hours"], r["main"][1])]
            r["main"] = (site.base_visits, hours)
        else:
            r["branch_hours"] = [a + b for a, b in zip(r["branch_hours"], hours)]
    out = []
    for code, r in rows.items():
        pop = pops[(code, year)]
        child = int(round(pop * (0.175 if code in ("0602", "0625", "0711", "3005", "3301") else 0.18)))
        ev_digital = int(round(r["events"] * {2020: 0.12, 2021: 0.15}.get(year, 0.03)))
        new_premises = (code in ("3014",) and year == 2020) or (code in ("3005",) and year in (2021, 2022))
        out.append({"code": code, "pop_child": child, "pop_adult": pop - child, "pop": pop,
                    "visits": int(round(r["visits"])), "visits_staffed": int(round(r["visits"])) - r["self_service"],
                    "events": r["events"], "attendance": r["attendance"], "digital_events": ev_digital,
                    "digital_attendance": ev_digital * 35, "wai": True, "loans": r["loans"],
                    "main": r["main"][1], "branches": r["branch_hours"], "units": r["units"],
                    "new_premises": new_premises})
    return out


def _pool_rows(params: pd.DataFrame, year: int, pops: dict, rng: np.random.Generator) -> list[dict]:
    visits_c, events_c, loans_c = _covid_annual("visits"), _covid_annual("events"), _covid_annual("loans")
    out = []
    for p in params.itertuples():
        pop = pops[(p.code, year)]
        child = int(round(pop * p.child_share))
        visits = (pop * p.rate * w.national_trend(year) * np.exp(p.drift * (year - 2019)) * visits_c[year]
                  * np.exp(rng.normal(0, 0.035)))
        ss = p.ss_share * (0.3 if year in (2020, 2021) else 1.0) * (1.0 if year >= 2017 else 0.5)
        events = int(round(pop / 1000 * p.events_rate * events_c[year] * np.exp(rng.normal(0, 0.08))))
        loans = int(round(pop * p.loans_rate * loans_c[year] * np.exp(rng.normal(0, 0.04))))
        ev_digital = int(round(events * {2020: 0.12, 2021: 0.15}.get(year, 0.03)))
        main_ss = int(rng.choice([0, 0, 20, 40, 70])) if p.ss_share > 0 else 0
        out.append({"code": p.code, "pop_child": child, "pop_adult": pop - child, "pop": pop,
                    "visits": int(round(visits)), "visits_staffed": int(round(visits * (1 - ss))),
                    "events": events, "attendance": int(round(events * p.attendance)),
                    "digital_events": ev_digital, "digital_attendance": ev_digital * 30, "wai": p.wai,
                    "loans": loans, "main": [int(rng.integers(28, 45)), int(rng.integers(4, 13)), main_ss],
                    "branches": [int(rng.integers(0, 3)) * 20, int(rng.integers(0, 3)) * 4, 0] if p.units > 1
                    else [0, 0, 0], "units": p.units, "new_premises": bool(rng.random() < 0.03),
                    "missing_staffed": bool(rng.random() < 0.04)})
    return out


def _row_values(r: dict, year: int) -> list[str]:
    def n(v: float) -> str:
        return thousands(v, " ", trailing=" ")

    code = r["code"]
    vals = ["", f"{float(_county(code, year)):.1f}", f"{float(int(code)):.1f}", _name(code),
            n(r["pop_child"]), n(r["pop_adult"]), n(r["pop"]), n(r["visits"])]
    if year >= 2016:
        vals += ["-" if r.get("missing_staffed") else n(r["visits_staffed"]), n(r["events"]), n(r["attendance"])]
    else:
        vals += [n(r["events"]), n(r["attendance"])]
    if year >= 2020:
        vals += [n(r["digital_events"]), n(r["digital_attendance"]) if r["digital_events"] else ""]
    vals += [" Ja " if r["wai"] else " Nei "]
    vals += [n(r["loans"]) if year >= 2016 else n(r["loans"] * 1.4)]
    vals += [str(int(v)) for v in r["main"]] + [str(int(v)) for v in r["branches"]]
    vals += [f"{float(r['units']):.1f}", "Ja" if r["new_premises"] else "Nei"]
    return vals


def write(root: Path, sim: pd.DataFrame, seed: int) -> list[Path]:
    """Write ``nb/folkebibl-YYYY-kommuner.csv`` for 2014–2025 and the SSB population file."""
    params = pool_parameters(seed)
    pops = {**pool_population(params), **treated_population()}
    rng = w.stream(seed, "national")
    written = []
    for year in w.YEARS:
        rows = _treated_rows(sim, year, pops) + _pool_rows(params, year, pops, rng)
        rows.sort(key=lambda r: (_county(r["code"], year), r["code"]))
        lines = [csv_line(columns(year), ",")] + [csv_line(_row_values(r, year), ",") for r in rows]
        path = root / "nb" / f"folkebibl-{year}-kommuner.csv"
        write_text(path, "\n".join(lines) + "\n", newline="\r\n")
        written.append(path)
    written.append(write_population(root, pops))
    return written


def _region_label(code: str) -> str:
    if code in w.OLD_NAMES:
        return f"{w.OLD_NAMES[code]} (-2019)"
    if code in ("3005", "3014"):
        return f"{_name(code)} (2020-2023)"
    return _name(code)


def write_population(root: Path, pops: dict[tuple[str, int], int]) -> Path:
    """SSB table 07459 as JSON-stat 2.0: Region × ContentsCode × Tid, '.' where a code did not exist."""
    codes = sorted({c for c, _ in pops}, key=lambda c: (c[:2] not in ("01", "06"), c))
    values, status = [], {}
    for code in codes:
        for y in w.YEARS:
            v = pops.get((code, y))
            if v is None:
                status[str(len(values))] = "."
            values.append(v)
    data = {
        "class": "dataset",
        "label": "07459: Befolkning, etter region, statistikkvariabel og år",
        "source": "Statistisk sentralbyrå",
        "updated": "2025-02-20T07:00:00Z",
        "id": ["Region", "ContentsCode", "Tid"],
        "size": [len(codes), 1, len(w.YEARS)],
        "dimension": {
            "Region": {"label": "region", "category": {
                "index": {f"K-{c}": i for i, c in enumerate(codes)},
                "label": {f"K-{c}": _region_label(c) for c in codes}},
                "link": {"describedby": [{"extension": {"Region": "urn:ssb:classification:klass:131"}}]}},
            "ContentsCode": {"label": "statistikkvariabel", "category": {
                "index": {"Personer1": 0}, "label": {"Personer1": "Personer"},
                "unit": {"Personer1": {"base": "personer", "decimals": 0}}}},
            "Tid": {"label": "år", "category": {"index": {str(y): i for i, y in enumerate(w.YEARS)},
                                               "label": {str(y): str(y) for y in w.YEARS}}},
        },
        "value": values,
        "status": status,
        "role": {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["Region"]},
        "version": "2.0",
        "extension": {"px": {"infofile": "None", "tableid": "07459", "decimals": 0}},
    }
    path = root / "ssb" / "07459_befolkning_2014-2025.json"
    write_text(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    return path
