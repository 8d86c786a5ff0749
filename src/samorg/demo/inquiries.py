"""Inquiry logs of the service desks (innbyggertorg), one CSV per municipality and year 2020–2025.

A registered sample, not every phone call: a few hundred rows per site and year. Semicolon
separated; Drammen UTF-8, Indre Østfold UTF-8 with a byte-order mark (an Excel export). The
free-text column ``Notat`` holds the planted fake identifiers.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np

from samorg.demo import world as w
from samorg.demo._format import csv_line, decimal_comma, write_text
from samorg.demo.truth import DemoTruth

HEADER = ["Tidspunkt", "Kanal", "Tema", "Sted", "Løst ved første kontakt", "Ventetid (min)", "Saksbehandler",
          "Notat"]
CHANNELS = ("Skranke", "Telefon", "E-post", "Chat", "Skjema")
TOPICS = (
    "Byggesak og plan", "Eiendomsskatt og kommunale avgifter", "Renovasjon", "Parkering", "Bostøtte",
    "Helse og omsorg", "Barnehage og skole", "Digital hjelp (BankID, ID-porten, skjema)",
    "Henvisning til NAV", "Henvisning til Skatteetaten", "Kart og innsyn", "Annet",
)
_TOPIC_WEIGHTS = np.array([10, 9, 8, 6, 5, 8, 7, 12, 6, 5, 4, 6], dtype=float)
_NOTES = ("Hjalp med BankID.", "Henvist til NAV.", "Sendt videre til byggesak.", "Skrev ut skjema.",
          "Ga informasjon om søknadsfrist.", "Ny time avtalt.", "Viste hvordan man søker på nett.",
          "Saken er fulgt opp.", "Hjelp med Digipost.", "Kopi av kart utlevert.")
YEARS = tuple(range(2020, 2026))
NAME_IN_LOG = {"bragernes": "Rådhuset"}  # Drammen's log names the town-hall desk by its building


def _channel_probs(year: int) -> np.ndarray:
    t = year - 2020
    phone = 0.36 * 0.9 ** t
    form = 0.06 + 0.03 * t
    chat = 0.02 + 0.012 * t
    email = 0.10
    return np.array([1 - phone - form - chat - email, phone, email, chat, form])


def _staff(rng: np.random.Generator, n: int) -> list[str]:
    letters = "ABDEFGHIJKLMNOPRSTUV"
    return ["".join(rng.choice(list(letters), size=int(rng.integers(2, 4)))) for _ in range(n)]


_HOLIDAYS = {(1, 1), (5, 1), (5, 17), (12, 24), (12, 25), (12, 26), (12, 31)}  # fixed-date days off


def _timestamp(rng: np.random.Generator, year: int, channel: str) -> dt.datetime:
    while True:
        day = dt.date(year, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365)))
        if channel in ("Skjema", "E-post", "Chat"):
            break
        if day.weekday() < 5 and (day.month, day.day) not in _HOLIDAYS:
            break
    if channel in ("Skranke", "Telefon"):
        minutes = int(rng.integers(9 * 60, 15 * 60 + 30))
    else:
        minutes = int(rng.integers(6 * 60, 23 * 60))
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))


def write(root: Path, truth: DemoTruth) -> list[Path]:
    """Write ``henvendelser/<municipality>_<year>.csv``; plant the inquiry texts in random rows."""
    rng = w.stream(truth.seed, "inquiries")
    sites = [s for s in w.SITES if s.inquiries_per_year]
    staff = {s.site_id: _staff(rng, int(rng.integers(3, 7))) for s in sites}
    rows: dict[tuple[str, int], list[tuple[dt.datetime, list[str]]]] = {}
    base_logit = math.log(0.70 / 0.30)
    for site in sites:
        for year in YEARS:
            n = int(rng.poisson(site.inquiries_per_year))
            for _ in range(n):
                channel = str(rng.choice(CHANNELS, p=_channel_probs(year)))
                ts = _timestamp(rng, year, channel)
                if channel == "Skranke" and dt.date(2020, 3, 12) <= ts.date() <= dt.date(2020, 5, 10):
                    channel = "Telefon"  # desks closed
                co = site.co_located is not None and ts.date() >= site.co_located
                weights = _TOPIC_WEIGHTS.copy()
                if co:
                    weights[7] *= 1.5  # digital help grows where the library shares the desk
                topic = str(rng.choice(TOPICS, p=weights / weights.sum()))
                p = 1 / (1 + math.exp(-(base_logit + (w.INQUIRY_RESOLUTION_SHIFT if co else 0.0))))
                resolved = "Ja" if rng.random() < p else "Nei"
                if channel in ("E-post", "Skjema"):
                    wait = ""
                else:
                    mean = {"Skranke": 6.0, "Telefon": 3.5, "Chat": 1.5}[channel]
                    wait = decimal_comma(float(rng.exponential(mean)))
                note = str(rng.choice(_NOTES)) if rng.random() < 0.3 else ""
                name = NAME_IN_LOG.get(site.site_id, site.name)
                rows.setdefault((site.municipality, year), []).append(
                    (ts, [ts.strftime("%d.%m.%Y %H:%M"), channel, topic, name, resolved, wait,
                          str(rng.choice(staff[site.site_id])), note]))
    keys = sorted(rows)
    planted = [t for t in truth.planted_texts if t.target == "inquiries"]
    used: set[tuple] = set()
    for text in planted:
        while True:
            key = keys[int(rng.integers(0, len(keys)))]
            idx = int(rng.integers(0, len(rows[key])))
            if (key, idx) not in used:
                break
        used.add((key, idx))
        rows[key][idx][1][7] = text.text
    written = []
    for (code, year), items in sorted(rows.items()):
        items.sort(key=lambda r: (r[0], r[1][3]))
        lines = [csv_line(HEADER, ";")] + [csv_line(v, ";") for _, v in items]
        path = root / "henvendelser" / f"{w.FILE_STEM[code]}_{year}.csv"
        write_text(path, "\n".join(lines) + "\n", encoding="utf-8-sig" if code == w.INDRE_OSTFOLD else "utf-8")
        written.append(path)
    return written
