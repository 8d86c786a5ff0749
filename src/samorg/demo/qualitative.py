"""Synthetic coded interviews, workshops, observation notes and documents, with planted themes per aim.

What is planted (:data:`PLANTED_DIRECTIONS`, over all sites): aim 1 co-creation with partners, positive;
aim 2 "one door for everything", positive; aim 3 cross-training against role conflict, mixed; aim 4 "more
bustle, less calm", negative at co-located sites (a place to stay without an errand, positive, at the
others); aim 5 life in the local centre, positive; aim 6 has no segments. About a quarter of the
informants did not consent to being quoted. One consented quote names a person and a phone number
(:data:`PLANTED_NAME`, :data:`PLANTED_PHONE`), one quote without consent holds an e-mail address
(:data:`PLANTED_EMAIL`): neither may reach processed data or a report.

Files: ``kvalitativt/koding_drammen.csv`` (an NVivo-style export: ``;``-CSV, Latin-1, Norwegian headers)
and ``kvalitativt/koding_indre_ostfold.xlsx`` (an ATLAS.ti-style workbook, English headers, data on
the sheet ``Coded segments`` after an ``Info`` sheet).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np

from samorg.demo import world as w
from samorg.demo._format import csv_line, normalise_xlsx, write_text

PLANTED_NAME = "Siri Kvamme"
PLANTED_PHONE = "412 34 567"
PLANTED_EMAIL = "tor.lien@example.org"
#: aim → the direction of the planted qualitative evidence over all sites (+1, -1, 0 = mixed)
PLANTED_DIRECTIONS = {1: 1, 2: 1, 3: 0, 4: -1, 5: 1}
#: aim 4 at sites never co-located: the opposite direction (a place to stay)
PLANTED_AIM4_NOT_CO_LOCATED = 1

# theme → (aim, direction probabilities positive/negative/mixed/neutral, quotes by direction)
THEMES: dict[str, tuple[int, tuple[float, float, float, float], dict[str, tuple[str, ...]]]] = {
    "Samskaping med partnere": (1, (0.75, 0.05, 0.15, 0.05), {
        "positive": ("Vi lager arrangementer sammen med frivilligsentralen nå, det hadde vi aldri fått til alene.",
                     "Lag og foreninger spør oss først når de vil lage noe."),
        "mixed": ("Samarbeidet er bra, men det hviler på noen få ildsjeler.",)}),
    "Uklar ansvarsdeling": (1, (0.05, 0.75, 0.15, 0.05), {
        "negative": ("Ingen vet helt hvem som eier et arrangement når to enheter står bak.",),
        "mixed": ("Vi finner ut av det, men det tar tid hver gang.",)}),
    "Én dør for alt": (2, (0.85, 0.03, 0.1, 0.02), {
        "positive": ("Jeg kom for å fornye passet og gikk hjem med tre bøker.",
                     "Det er godt å slippe å lete etter riktig kontor, alt er på ett sted."),
        "mixed": ("Det er lettere å finne fram, men jeg må fortsatt vente like lenge.",)}),
    "Kø ved skranken": (2, (0.05, 0.6, 0.3, 0.05), {
        "negative": ("Når det er kø for innbyggertorget blir det trangt rundt utlånet.",),
        "mixed": ("Køen er kort de fleste dager, men ikke på mandager.",)}),
    "Felles opplæring av ansatte": (3, (0.7, 0.05, 0.2, 0.05), {
        "positive": ("Etter kurset kan vi svare på det meste, også om byggesaker.",),
        "mixed": ("Opplæringen var nyttig, men vi rekker ikke å holde den ved like.",)}),
    "Rollekonflikt mellom bibliotek og innbyggertorg": (3, (0.05, 0.7, 0.2, 0.05), {
        "negative": ("Jeg er utdannet bibliotekar og bruker halve dagen på skjemaer.",),
        "mixed": ("Noen liker den nye rollen, andre savner faget.",)}),
    "Mer liv, mindre ro": (4, (0.05, 0.75, 0.15, 0.05), {
        "negative": ("Det er blitt mye mer liv, men jeg finner ikke lenger en rolig plass å lese.",
                     "Telefonsamtalene ved skranken høres helt inn i lesesalen."),
        "mixed": ("Det er hyggelig med folk, men roen er borte på ettermiddagen.",)}),
    "Et sted å være uten ærend": (4, (0.75, 0.05, 0.15, 0.05), {
        "positive": ("Jeg kommer hit bare for å sitte, ingen spør hva jeg skal.",
                     "Det er det eneste stedet i bygda der du kan være uten å kjøpe noe."),
        "mixed": ("Fint sted å være, men stengt for tidlig på kvelden.",)}),
    "Liv i sentrum": (5, (0.7, 0.05, 0.15, 0.1), {
        "positive": ("Flere stopper i sentrum nå som biblioteket og kommunen er i samme hus.",),
        "neutral": ("Torget rundt har fått nye benker og en kafé.",)}),
}
DIRECTION_WORDS = {"positive": "Positiv", "negative": "Negativ", "mixed": "Blandet", "neutral": "Nøytral"}
DIRECTION_WORDS_EN = {"positive": "Positive", "negative": "Negative", "mixed": "Mixed", "neutral": "Neutral"}
SOURCE_WORDS = {"interview": "Intervju", "workshop": "Verksted", "observation": "Observasjon", "document": "Dokument"}
# role → (how many informants at a site of each kind, source type, themes it speaks to)
ROLES = {
    "bibliotekansatt": ({"combined": 3, "library": 3, "service_centre": 0}, "interview",
                        ("Felles opplæring av ansatte", "Rollekonflikt mellom bibliotek og innbyggertorg",
                         "Samskaping med partnere", "Uklar ansvarsdeling")),
    "ansatt i innbyggertorget": ({"combined": 2, "library": 0, "service_centre": 3}, "interview",
                                 ("Felles opplæring av ansatte", "Én dør for alt", "Kø ved skranken",
                                  "Rollekonflikt mellom bibliotek og innbyggertorg")),
    "besøkende": ({"combined": 6, "library": 6, "service_centre": 5}, "workshop",
                  ("Én dør for alt", "Mer liv, mindre ro", "Et sted å være uten ærend", "Liv i sentrum",
                   "Kø ved skranken")),
    "samarbeidspartner": ({"combined": 2, "library": 1, "service_centre": 0}, "interview",
                          ("Samskaping med partnere", "Uklar ansvarsdeling", "Liv i sentrum")),
    "leder": ({"combined": 1, "library": 1, "service_centre": 1}, "interview",
              ("Samskaping med partnere", "Felles opplæring av ansatte", "Liv i sentrum")),
}
HEADERS_NB = ["Sted", "Kildetype", "Dato", "Informant", "Informantrolle", "Tema", "Mål", "Retning", "Sitat-ID",
              "Sitat", "Samtykke"]
HEADERS_EN = ["Site", "Source type", "Date", "Informant ID", "Informant role", "Theme", "Aim", "Direction",
              "Quote ID", "Quote", "Consent"]
_DIRS = ("positive", "negative", "mixed", "neutral")


#: how often a theme comes up relative to the others an informant speaks to (default 1)
THEME_WEIGHTS = {"Uklar ansvarsdeling": 0.35, "Kø ved skranken": 0.35, "Felles opplæring av ansatte": 0.8}


def _theme_weights(themes: tuple[str, ...], co_located: bool) -> np.ndarray:
    """Visitors at co-located sites talk of bustle; elsewhere of a place to stay."""
    weights = np.array([THEME_WEIGHTS.get(t, 1.0) for t in themes])
    for i, t in enumerate(themes):
        if t == "Mer liv, mindre ro":
            weights[i] = 3.0 if co_located else 0.2
        elif t == "Et sted å være uten ærend":
            weights[i] = 0.6 if co_located else 3.0
    return weights / weights.sum()


def simulate(seed: int) -> list[dict]:
    """Every coded segment of the demo world (deterministic for a seed), one dict per row."""
    rng = np.random.default_rng([seed, 14])
    rows: list[dict] = []
    for site in w.SITES:
        prefix = site.site_id[:3].upper()
        co_located = site.co_located is not None
        visit_day = dt.date(2023, 9, 4) + dt.timedelta(days=int(rng.integers(0, 200)))
        n = 0
        for role, (counts, source_type, themes) in ROLES.items():
            for _ in range(counts[site.kind]):
                n += 1
                informant = f"{prefix}-I{n:02d}"
                consent = bool(rng.random() < 0.75)
                day = visit_day + dt.timedelta(days=int(rng.integers(0, 21)))
                chosen = rng.choice(len(themes), size=int(rng.integers(3, 6)), p=_theme_weights(themes, co_located))
                for k, t in enumerate(chosen):
                    theme = themes[int(t)]
                    aim, probs, quotes = THEMES[theme]
                    direction = _DIRS[int(rng.choice(4, p=probs))]
                    options = quotes.get(direction, ())
                    quote = options[int(rng.integers(0, len(options)))] if options else ""
                    rows.append({"site": site, "source_type": source_type, "date": day, "informant": informant,
                                 "role": role, "theme": theme, "aim": aim, "direction": direction,
                                 "quote_id": f"{informant}-{k + 1:02d}", "quote": quote, "consent": consent})
    _plant(rows)
    return rows


def _plant(rows: list[dict]) -> None:
    """The name and phone number in one consented quote, the e-mail in one quote without consent."""
    named = next(r for r in rows if r["theme"] == "Én dør for alt" and r["consent"] and r["direction"] == "positive")
    named["quote"] = f"Jeg fikk hjelp av {PLANTED_NAME} i skranken, hun ga meg nummeret {PLANTED_PHONE} til veilederen."
    silent = next(r for r in rows if not r["consent"] and r["quote"])
    silent["quote"] = silent["quote"] + f" Skriv gjerne til meg på {PLANTED_EMAIL}."


def _display_name(site: w.SiteSpec, i: int) -> str:
    """The registry name, or now and then an alias (as researchers write it)."""
    return site.aliases[0] if site.aliases and i % 5 == 0 else site.name


def write(root: Path, seed: int) -> list[Path]:
    """Write ``kvalitativt/koding_drammen.csv`` and ``kvalitativt/koding_indre_ostfold.xlsx`` under ``root``."""
    rows = simulate(seed)
    out = root / "kvalitativt"
    drammen = [r for r in rows if r["site"].municipality == w.DRAMMEN]
    lines = [csv_line(HEADERS_NB, ";")]
    for i, r in enumerate(drammen):
        lines.append(csv_line([_display_name(r["site"], i), SOURCE_WORDS[r["source_type"]], f"{r['date']:%d.%m.%Y}",
                               r["informant"], r["role"], r["theme"], str(r["aim"]), DIRECTION_WORDS[r["direction"]],
                               r["quote_id"], r["quote"], "Ja" if r["consent"] else "Nei"], ";"))
    p_dr = out / "koding_drammen.csv"
    write_text(p_dr, "\n".join(lines) + "\n", encoding="latin-1", newline="\r\n")

    from openpyxl import Workbook

    wb = Workbook()
    info = wb.active
    info.title = "Info"
    for row in (("Project", "Samorganisering bibliotek og innbyggertorg"), ("Export", "Coded segments with quotes")):
        info.append(list(row))
    ws = wb.create_sheet("Coded segments")
    ws.append(HEADERS_EN)
    for i, r in enumerate(x for x in rows if x["site"].municipality != w.DRAMMEN):
        ws.append([_display_name(r["site"], i), r["source_type"].capitalize(),
                   dt.datetime(r["date"].year, r["date"].month, r["date"].day), r["informant"], r["role"], r["theme"],
                   f"Mål {r['aim']}", DIRECTION_WORDS_EN[r["direction"]], r["quote_id"], r["quote"] or None,
                   "Yes" if r["consent"] else "No"])
    for cell in ws["C"][1:]:
        cell.number_format = "DD.MM.YYYY"
    wb.properties.creator = "samorg demo"
    wb.properties.created = dt.datetime(2024, 6, 1, 8, 0)
    wb.properties.modified = dt.datetime(2024, 6, 1, 8, 0)
    buf = io.BytesIO()
    wb.save(buf)
    p_io = out / "koding_indre_ostfold.xlsx"
    p_io.parent.mkdir(parents=True, exist_ok=True)
    p_io.write_bytes(normalise_xlsx(buf.getvalue()))
    return [p_dr, p_io]
