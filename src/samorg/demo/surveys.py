"""User survey exports: the 2019 wave as Latin-1 semicolon CSV, the 2022 wave as XLSX.

One row per respondent. Answers are Norwegian Likert labels drawn from a cumulative-logit
(proportional-odds) model whose latent shift for co-located sites is planted per item
(:data:`samorg.demo.world.SURVEY_SHIFTS`). A few submissions are duplicated (double-clicks).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np

from samorg.demo import world as w
from samorg.demo._format import csv_line, normalise_xlsx, write_text
from samorg.demo.place import QUESTIONS as ERRAND_QUESTIONS
from samorg.demo.place import errand_answer
from samorg.demo.truth import DemoTruth

LABELS = ("Svært misfornøyd", "Misfornøyd", "Verken fornøyd eller misfornøyd", "Fornøyd", "Svært fornøyd")
DONT_KNOW = "Vet ikke"
THRESHOLDS = np.array([-2.6, -1.6, -0.2, 1.4])
ITEM_BASE = {"satisfaction": 1.2, "accessibility": 0.8, "opening_hours": 0.4, "staff_help": 1.5,
             "calm": 0.9, "place_to_stay": 0.7}
AGE_GROUPS = ("Under 20 år", "20-39 år", "40-66 år", "67 år og eldre")
SEXES = ("Kvinne", "Mann", "Vil ikke oppgi")
RESPONDENTS = {"askim": 70, "mysen": 60, "skjonhaug": 40, "spydeberg": 40, "tomter": 40, "papirbredden": 110,
               "konnerud": 45, "fjell": 50, "mjondalen": 60, "svelvik": 45}
WAVES = {2019: (dt.date(2019, 3, 4), 21), 2022: (dt.date(2022, 3, 7), 21)}
FIRST_ID = {2019: 1, 2022: 22001}
N_DUPLICATES = {2019: 1, 2022: 2}
_COMMENTS = ("Veldig hyggelige ansatte.", "For mye støy ved skranken.", "Savner flere aviser.",
             "Fint å kunne gjøre flere ærend på ett sted.", "Bra med meråpent.", "Trenger flere sitteplasser.",
             "Lite plass til å sitte og lese.", "Fikk god hjelp med BankID.")
HEADERS = {
    2019: ["Respondentnr.", "Bibliotek", "Dato", "Aldersgruppe", "Kjønn", *w.SURVEY_ITEMS.values(), *ERRAND_QUESTIONS, "Kommentar"],
    2022: ["RespondentID", "Sted", "Innsendt", "Alder", "Kjønn", *w.SURVEY_ITEMS.values(), *ERRAND_QUESTIONS,
           "Kommentar"],
}


def _n(site_id: str, wave: int) -> int:
    return int(round(RESPONDENTS[site_id] * (1.0 if wave == 2019 else 1.1)))


def duplicate_numbers(seed: int) -> tuple[tuple[int, int], ...]:
    """(wave, respondent number) of the duplicated submissions: numbered after the last real one."""
    out = []
    for wave in WAVES:
        n = sum(_n(s, wave) for s in RESPONDENTS)
        out += [(wave, FIRST_ID[wave] + n + k) for k in range(N_DUPLICATES[wave])]
    return tuple(out)


def _answer(rng: np.random.Generator, latent: float, dont_know: float) -> str:
    if rng.random() < dont_know:
        return DONT_KNOW
    y = latent + rng.logistic()
    return LABELS[int(np.searchsorted(THRESHOLDS, y))]


def simulate(seed: int, truth: DemoTruth) -> dict[int, list[list]]:
    """Respondent rows per wave: [number, site name, datetime, age, sex, *answers, comment]."""
    rng = w.stream(seed, "surveys")
    site_effect = {s: float(rng.normal(0, 0.25)) for s in RESPONDENTS}
    errands = w.stream(seed, "errands")  # its own stream: the satisfaction answers do not change
    waves: dict[int, list[list]] = {}
    for wave, (start, days) in WAVES.items():
        rows = []
        for site_id in RESPONDENTS:
            spec = w.SITE_BY_ID[site_id]
            for _ in range(_n(site_id, wave)):
                when = dt.datetime.combine(start + dt.timedelta(days=int(rng.integers(0, days))),
                                           dt.time(int(rng.integers(9, 20)), int(rng.integers(0, 60))))
                age = str(rng.choice(AGE_GROUPS, p=[0.1, 0.3, 0.4, 0.2]))
                sex = str(rng.choice(SEXES, p=[0.58, 0.38, 0.04]))
                co = spec.co_located is not None and when.date() >= spec.co_located
                answers = []
                for item in w.SURVEY_ITEMS:
                    latent = (ITEM_BASE[item] + site_effect[site_id] + (0.3 if age == AGE_GROUPS[3] else 0.0)
                              + (truth.survey_wave_shift if wave == 2022 else 0.0)
                              + (truth.survey_latent_shift[item] if co else 0.0))
                    answers.append(_answer(rng, latent, 0.08 if item == "place_to_stay" else 0.04))
                answers += errand_answer(errands, site_id, when.date())
                comment = str(rng.choice(_COMMENTS)) if rng.random() < 0.15 else ""
                rows.append([None, spec.raw_name(when.date()), when, age, sex, *answers, comment])
        rows.sort(key=lambda r: (r[2], r[1]))
        for k, r in enumerate(rows):
            r[0] = FIRST_ID[wave] + k
        waves[wave] = rows
    planted = [t for t in truth.planted_texts if t.target == "surveys"]
    slots = [(wave, k) for wave in WAVES for k in range(len(waves[wave]))]
    picks = rng.choice(len(slots), size=len(planted), replace=False)
    for text, pick in zip(planted, sorted(int(p) for p in picks)):
        wave, k = slots[pick]
        waves[wave][k][-1] = text.text
    for wave in WAVES:
        rows = waves[wave]
        n = len(rows)
        for k in range(N_DUPLICATES[wave]):
            copy = list(rows[int(rng.integers(0, n))])
            copy[0] = FIRST_ID[wave] + n + k
            rows.append(copy)
    return waves


def write(root: Path, truth: DemoTruth) -> list[Path]:
    """Write ``undersokelser/brukerundersokelse_2019.csv`` and ``..._2022.xlsx``."""
    waves = simulate(truth.seed, truth)
    out = root / "undersokelser"
    lines = [csv_line(HEADERS[2019], ";")]
    for r in waves[2019]:
        lines.append(csv_line([str(r[0]), r[1], r[2].strftime("%d.%m.%Y"), *r[3:]], ";"))
    p2019 = out / "brukerundersokelse_2019.csv"
    write_text(p2019, "\n".join(lines) + "\n", encoding="latin-1", newline="\r\n")

    from openpyxl import Workbook

    wb = Workbook()
    info = wb.active
    info.title = "Info"
    start, days = WAVES[2022]
    for row in (("Undersøkelse", "Brukerundersøkelse bibliotek og innbyggertorg 2022"),
                ("Periode", f"{start:%d.%m.%Y}-{start + dt.timedelta(days=days - 1):%d.%m.%Y}"),
                ("Antall svar", len(waves[2022])), ("Merknad", "Eksportert fra spørreverktøyet; data på arket Svar")):
        info.append(list(row))
    ws = wb.create_sheet("Svar")
    ws.append(HEADERS[2022])
    for r in waves[2022]:
        ws.append([r[0], r[1], r[2], *(v if v != "" else None for v in r[3:-1]), r[-1] or None])
    for cell in ws["C"][1:]:
        cell.number_format = "DD.MM.YYYY HH:MM"
    wb.properties.creator = "samorg demo"
    wb.properties.created = dt.datetime(2022, 4, 1, 8, 0)
    wb.properties.modified = dt.datetime(2022, 4, 1, 8, 0)
    buf = io.BytesIO()
    wb.save(buf)
    p2022 = out / "brukerundersokelse_2022.xlsx"
    p2022.write_bytes(normalise_xlsx(buf.getvalue()))
    return [p2019, p2022]
