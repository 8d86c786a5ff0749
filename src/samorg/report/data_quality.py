"""The data-quality report: what was read, dropped, flagged and missing, and what a researcher can do.

Built from the processed data's ``manifest.json`` (every cleaning decision is recorded there) and the
observations table (missing values by status). One call per notebook cell, like the site report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from samorg import columns as C
from samorg import fmt
from samorg.config import Study, load_study
from samorg.errors import SamorgError
from samorg.report.tables import markdown_table

__all__ = [
    "QualityContext",
    "decisions",
    "load",
    "missing_by_status",
    "outages",
    "section",
    "sources_read",
    "tables_written",
    "title_block",
]

# What each cleaning step means and what a researcher can do about it: (bokmål, English).
STEPS: dict[str, tuple[str, str, str, str]] = {
    "drop_duplicate_exports": (
        "Duplisert eksportfil forkastet",
        "Duplicate export file dropped",
        "Slett kopien fra rådatamappen, eller behold den: samorg bruker bare én av filene.",
        "Delete the copy from the raw folder, or keep it: samorg uses only one of the files.",
    ),
    "flag_counter_outages": (
        "Besøksteller ute av drift (måneden flagget, ikke slettet)",
        "Visitor counter out of order (month flagged, not deleted)",
        "Be biblioteket om manuelle tall eller utvalgsuker for måneden; modellene hopper over flaggede måneder.",
        "Ask the library for manual counts or sample weeks for the month; the models skip flagged months.",
    ),
    "drop_free_text": (
        "Fritekst fjernet (kan identifisere personer)",
        "Free text removed (may identify people)",
        "Ingen handling nødvendig. Trenger dere fritekst, analyser den utenfor samorg under personvernregler.",
        "No action needed. If you need the free text, analyse it outside samorg under data-protection rules.",
    ),
    "pseudonymise": (
        "Ansattkoder erstattet med pseudonymer",
        "Staff codes replaced by pseudonyms",
        "Pseudonymene bygger på en hemmelig nøkkel (privacy.key_file i studiefilen, eller miljøvariabelen "
        "SAMORG_PSEUDONYM_SALT); hold den utenfor git og del den ikke.",
        "The pseudonyms rest on a secret key (privacy.key_file in the study file, or the environment variable "
        "SAMORG_PSEUDONYM_SALT); keep it out of git and do not share it.",
    ),
    "drop_outside_study_period": (
        "Rader utenfor studieperioden utelatt (nasjonal fil)",
        "Rows outside the study period left out (national file)",
        "Ingenting å gjøre: nasjonale filer dekker flere år enn studien. Utvid data_start/data_end hvis årene trengs.",
        "Nothing to do: national files cover more years than the study. Widen data_start/data_end if the years are needed.",
    ),
    "drop_duplicate_submissions": (
        "Dobbel innsending av spørreskjema forkastet",
        "Duplicate survey submission dropped",
        "Sjekk med leverandøren av undersøkelsen om dobbeltinnsendinger kan stoppes.",
        "Check with the survey provider whether double submissions can be prevented.",
    ),
}

_WORDS = {
    "nb": {
        "kind": "Kilde", "files": "Filer", "table": "Tabell", "rows": "Rader", "step": "Hva ble gjort",
        "source": "Fil", "detail": "Detalj", "advice": "Hva dere kan gjøre", "indicator": "Indikator",
        "site": "Sted", "month": "Måned", "none": "Ingen.", "ok": "med verdi",
        "built": "Dataene ble bygget {when} med samorg {version}.",
        "status": {"": "med verdi", ".": "ikke relevant (.)", "..": "ikke tilgjengelig (..)", ":": "skjermet (:)",
                   "counter_outage": "teller ute av drift", "duplicate_export": "duplikat"},
        "kinds": {"filialer": "Filialstatistikk (besøk, utlån, arrangementer, åpningstid)",
                  "nb": "Nasjonalbibliotekets bibliotekstatistikk", "henvendelser": "Henvendelser til innbyggertorget",
                  "undersokelser": "Brukerundersøkelser", "ssb": "SSB (befolkning)", "config": "Studieoppsett"},
    },
    "en": {
        "kind": "Source", "files": "Files", "table": "Table", "rows": "Rows", "step": "What was done",
        "source": "File", "detail": "Detail", "advice": "What you can do", "indicator": "Indicator",
        "site": "Site", "month": "Month", "none": "None.", "ok": "with a value",
        "built": "The data were built {when} with samorg {version}.",
        "status": {"": "with a value", ".": "not applicable (.)", "..": "not available (..)", ":": "confidential (:)",
                   "counter_outage": "counter out of order", "duplicate_export": "duplicate"},
        "kinds": {"filialer": "Branch statistics (visits, loans, events, opening hours)",
                  "nb": "National Library statistics", "henvendelser": "Inquiries to the service centre",
                  "undersokelser": "User surveys", "ssb": "Statistics Norway (population)", "config": "Study configuration"},
    },
}


@dataclass
class QualityContext:
    """The study, the language and its processed data's manifest."""

    study: Study
    lang: str = "nb"

    @cached_property
    def manifest(self) -> dict[str, Any]:
        path = self.study.processed_dir / "manifest.json"
        if not path.is_file():
            raise SamorgError(f"{path}: no manifest. Run `samorg data --study {self.study.path}` first.")
        return json.loads(path.read_text(encoding="utf-8"))

    def w(self, key: str) -> Any:
        return _WORDS[self.lang][key]


def _md(text: str):
    from samorg.report.text import markdown

    return markdown(text)


def load(study: str | Path, *, lang: str = "nb") -> QualityContext:
    """Load the study for its data-quality report."""
    if lang not in _WORDS:
        raise SamorgError(f"Report language {lang!r} is not supported; use 'nb' (bokmål) or 'en' (English).")
    return QualityContext(study=load_study(study), lang=lang)


def _kind(path: str) -> str:
    return "config" if path.startswith("config:") else path.split("/", 1)[0]


def title_block(ctx: QualityContext):
    """Study title and, for demo studies, the synthetic-data note."""
    from samorg.report.text import t

    lines = [f"**{ctx.study.title_in(ctx.lang)}**"]
    if ctx.study.demo:
        lines += ["", f"> **{t('banner', ctx.lang)}.** {t('synthetic_note', ctx.lang)}"]
    return _md("\n".join(lines))


def section(ctx: QualityContext, key: str, level: int = 2):
    """A heading (or, with ``level=0``, a paragraph) in the report's language."""
    from samorg.report.text import heading

    return heading(key, ctx.lang, level)


def sources_read(ctx: QualityContext):
    """Files read per kind of source, and when the data were built."""
    inputs = ctx.manifest.get("inputs", {})
    counts: dict[str, int] = {}
    for path in inputs:
        counts[_kind(path)] = counts.get(_kind(path), 0) + 1
    kinds = ctx.w("kinds")
    frame = pd.DataFrame(
        {ctx.w("files"): [counts[k] for k in sorted(counts)]},
        index=pd.Index([kinds.get(k, k) for k in sorted(counts)], name=ctx.w("kind")),
    )
    built = str(ctx.manifest.get("built_at", ""))[:10]
    when = fmt.date(pd.Timestamp(built).date(), lang=ctx.lang) if built else "–"
    head = ctx.w("built").format(when=when, version=ctx.manifest.get("samorg_version", "–"))
    return _md(head + "\n\n" + markdown_table(frame, lang=ctx.lang))


def tables_written(ctx: QualityContext):
    """Rows in each processed table."""
    tables = ctx.manifest.get("tables", {})
    from samorg.report.text import label

    frame = pd.DataFrame({ctx.w("rows"): [v.get("rows", 0) for v in tables.values()]},
                         index=pd.Index([label(k, ctx.lang) for k in tables], name=ctx.w("table")))
    return _md(markdown_table(frame, lang=ctx.lang))


def decisions(ctx: QualityContext):
    """Every cleaning decision, grouped by kind, with what a researcher can do about it."""
    from samorg.report.text import label

    lang = ctx.lang
    rows = []
    for d in ctx.manifest.get("decisions", []):
        step = d.get("step", "")
        nb_text, en_text, nb_advice, en_advice = STEPS.get(step, (step, step, "", ""))
        detail = " ".join(str(d[k]) for k in ("site_id", "period_start", "column") if d.get(k))
        rows.append({
            ctx.w("step"): nb_text if lang == "nb" else en_text,
            ctx.w("source"): Path(str(d["source"])).name if d.get("source") else label(str(d.get("table", "")), lang),
            ctx.w("rows"): int(d.get("rows", 0)),
            ctx.w("detail"): detail[:40],
            ctx.w("advice"): nb_advice if lang == "nb" else en_advice,
        })
    if not rows:
        return _md(ctx.w("none"))
    frame = pd.DataFrame(rows)
    grouped = (frame.groupby([ctx.w("step"), ctx.w("source"), ctx.w("advice")], sort=False)
               .agg(**{ctx.w("rows"): (ctx.w("rows"), "sum")}).reset_index())
    grouped = grouped[[ctx.w("step"), ctx.w("source"), ctx.w("rows"), ctx.w("advice")]]
    return _md(markdown_table(grouped, lang=lang, index=False))


def _observations(ctx: QualityContext) -> pd.DataFrame:
    from samorg.store import read_processed

    return read_processed(ctx.study.processed_dir, "observations")


def missing_by_status(ctx: QualityContext):
    """Monthly branch observations by indicator and status: how many have a value, and why the rest do not."""
    from samorg.report.text import label

    obs = _observations(ctx)
    obs = obs[obs[C.FREQ] == "M"]
    labels = ctx.w("status")
    table = obs.assign(status=obs[C.STATUS].fillna("").map(lambda s: labels.get(s, s))).pivot_table(
        index=C.INDICATOR, columns="status", values=C.PERIOD_START, aggfunc="count", fill_value=0)
    table.index = [label(i, ctx.lang) for i in table.index]
    table.index.name = ctx.w("indicator")
    table.columns = [str(c) for c in table.columns]
    return _md(markdown_table(table, lang=ctx.lang))


def outages(ctx: QualityContext):
    """The months flagged as counter outages, by site."""
    obs = _observations(ctx)
    flagged = obs[obs[C.STATUS] == C.STATUS_COUNTER_OUTAGE]
    if flagged.empty:
        return _md(ctx.w("none"))
    names = {s.site_id: s.name for s in ctx.study.sites}
    flagged = flagged.drop_duplicates([C.SITE_ID, C.PERIOD_START])
    frame = pd.DataFrame({
        ctx.w("site"): flagged[C.SITE_ID].map(lambda s: names.get(s, s)).to_numpy(),
        ctx.w("month"): flagged[C.PERIOD_START].map(lambda x: fmt.month(x, lang=ctx.lang)).to_numpy(),
    })
    return _md(markdown_table(frame, lang=ctx.lang, index=False))
