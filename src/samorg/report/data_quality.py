"""The data-quality report, the methods appendix: what data exist, what was cleaned and why, what is hidden.

Built from the processed data's ``manifest.json`` (every cleaning decision is recorded there) and the
processed tables. The notebook loads the tables in visible code and hands them to the functions here:
each ``*_table`` function computes a tidy frame (reader-facing column names, nothing formatted), and
:func:`table` shows a frame under its numbered caption with its source ("Tabell 3: … Kilde: …"), or one
sentence when there is nothing to show. Words live in :mod:`samorg.report.data_quality_text`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from samorg import columns as C
from samorg import fmt
from samorg.config import Study, load_study
from samorg.errors import SamorgError
from samorg.report.data_quality_text import STEPS
from samorg.report.data_quality_text import WORDS as _WORDS
from samorg.report.tables import markdown_table
from samorg.report.text import label

__all__ = [
    "QualityContext",
    "coverage_table",
    "data_per_site_table",
    "decisions",
    "decisions_table",
    "load",
    "marker_note",
    "missing_by_status",
    "national_table",
    "outages",
    "read_table",
    "section",
    "small_cells",
    "small_cells_table",
    "sources_read",
    "table",
    "tables_written",
    "title_block",
]

#: The marker of a hidden count (as :func:`samorg.privacy.suppress` writes it).
MARKER = "·"


@dataclass
class QualityContext:
    """The study, the language and its processed data's manifest."""

    study: Study
    lang: str = "nb"
    cache: dict[str, Any] = field(default_factory=dict)  # the table counter of the numbered captions

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


def read_table(ctx: QualityContext, name: str) -> pd.DataFrame:
    """A processed table (:func:`samorg.store.read_processed`); an empty frame when the study has none."""
    from samorg.store import read_processed

    if not (ctx.study.processed_dir / f"{name}.parquet").is_file():
        return pd.DataFrame()
    return read_processed(ctx.study.processed_dir, name)


def title_block(ctx: QualityContext):
    """For demo studies, the synthetic-data note (the cover already names the study); else nothing."""
    from samorg.report.text import t

    if not ctx.study.demo:
        return None
    return _md(f"> **{t('banner', ctx.lang)}.** {t('synthetic_note', ctx.lang)}")


def section(ctx: QualityContext, key: str, level: int = 2):
    """A heading (or, with ``level=0``, a paragraph) in the report's language."""
    from samorg.report.text import heading

    return heading(key, ctx.lang, level)


# ------------------------------------------------------------------------------ captions and display

#: Table key → (caption words, source words).
CAPTIONS = {
    "sources": ("cap_sources", "src_manifest"),
    "per_site": ("cap_per_site", "src_processed"),
    "coverage": ("cap_coverage", "src_branch"),
    "decisions": ("cap_decisions", "src_manifest"),
    "missing": ("cap_missing", "src_branch"),
    "outages": ("cap_outages", "src_branch"),
    "small_cells": ("cap_small_cells", "src_inquiries"),
    "national": ("cap_national", "src_national"),
    "tables": ("cap_tables", "src_manifest"),
}


def caption(ctx: QualityContext, key: str) -> str:
    """"*Tabell N: … Kilde: ….*" for the next table (the counter lives in ``ctx.cache``)."""
    from samorg.report.text import t

    number = ctx.cache.get("table_count", 0) + 1
    ctx.cache["table_count"] = number
    text_key, source_key = CAPTIONS[key]
    return f"*{t('table', ctx.lang)} {number}: {ctx.w(text_key)} {t('source', ctx.lang)}: {ctx.w(source_key)}.*"


def table(ctx: QualityContext, frame: pd.DataFrame, key: str, *, empty: str = "none", note: str = "",
          index: bool = False, **formats: Any):
    """``frame`` under its numbered caption with its source, then ``note``; the sentence ``empty`` (a key of
    the appendix's words) instead when the frame has no rows, so a section never stands empty."""
    if frame is None or frame.empty:
        return _md(ctx.w(empty))
    text = caption(ctx, key) + "\n\n" + markdown_table(frame, lang=ctx.lang, index=index, **formats)
    return _md(text + (f"\n\n{note}" if note else ""))


# ------------------------------------------------------------------------------ what was read and written


def sources_table(ctx: QualityContext) -> pd.DataFrame:
    """Files read per kind of source (from the manifest)."""
    counts: dict[str, int] = {}
    for path in ctx.manifest.get("inputs", {}):
        counts[_kind(path)] = counts.get(_kind(path), 0) + 1
    kinds = ctx.w("kinds")
    return pd.DataFrame({ctx.w("kind"): [kinds.get(k, k) for k in sorted(counts)],
                         ctx.w("files"): [counts[k] for k in sorted(counts)]})


def built_sentence(ctx: QualityContext) -> str:
    """When the processed data were built, and with which samorg."""
    built = str(ctx.manifest.get("built_at", ""))[:10]
    when = fmt.date(pd.Timestamp(built).date(), lang=ctx.lang) if built else "–"
    return ctx.w("built").format(when=when, version=ctx.manifest.get("samorg_version", "–"))


def sources_read(ctx: QualityContext):
    """Files read per kind of source, and when the data were built."""
    return table(ctx, sources_table(ctx), "sources", note=built_sentence(ctx))


def tables_written(ctx: QualityContext):
    """Rows in each processed table."""
    tables = ctx.manifest.get("tables", {})
    frame = pd.DataFrame({ctx.w("table"): [label(k, ctx.lang) for k in tables],
                          ctx.w("rows"): [v.get("rows", 0) for v in tables.values()]})
    return table(ctx, frame, "tables")


# ------------------------------------------------------------------------------ data per site and month


def _count(n: int, threshold: int) -> Any:
    """A count of people, the marker when it is below the study's small-cell threshold, a dash for none."""
    return "–" if n == 0 else MARKER if n < threshold else int(n)


def marker_note(ctx: QualityContext, frame: pd.DataFrame) -> str:
    """What the marker means, when ``frame`` shows it; else nothing."""
    shown = frame.astype(str).apply(lambda c: c.str.contains(MARKER, regex=False)).to_numpy().any() if len(frame) else False
    return ctx.w("per_site_note").format(k=ctx.study.privacy.min_cell, marker=MARKER) if shown else ""


def _role(ctx: QualityContext, site: Any) -> str:
    if site.role == "treated" and site.co_located:
        return ctx.w("role_treated").format(date=fmt.date(site.co_located, lang=ctx.lang))
    return ctx.w("role_comparison" if site.role == "comparison" else "role_excluded")


def data_per_site_table(ctx: QualityContext, *, observations: pd.DataFrame, inquiries: pd.DataFrame,
                        surveys: pd.DataFrame, qualitative: pd.DataFrame) -> pd.DataFrame:
    """Per site of the registry: its role, months with a visits value, inquiries, survey respondents per
    wave and coded statements. Counts of people below ``privacy.min_cell`` show the marker."""
    k = ctx.study.privacy.min_cell
    monthly = observations[(observations[C.FREQ] == "M") & (observations[C.INDICATOR] == "visits")
                           & observations[C.VALUE].notna()] if not observations.empty else observations
    months = monthly.groupby(C.SITE_ID)[C.PERIOD_START].nunique() if not monthly.empty else pd.Series(dtype=int)
    asked = inquiries.groupby(C.SITE_ID).size() if not inquiries.empty else pd.Series(dtype=int)
    coded = qualitative.groupby(C.SITE_ID).size() if not qualitative.empty else pd.Series(dtype=int)
    waves = (surveys.groupby([C.SITE_ID, C.WAVE])[C.RESPONDENT_ID].nunique() if not surveys.empty
             else pd.Series(dtype=int))
    rows = []
    for site in ctx.study.sites:
        sid = site.site_id
        per_wave = waves[sid] if sid in waves.index.get_level_values(0) else pd.Series(dtype=int)
        answers = "; ".join(ctx.w("wave").format(wave=w, n=_count(int(n), k)) for w, n in per_wave.items())
        rows.append({ctx.w("site"): site.name, ctx.w("role"): _role(ctx, site),
                     ctx.w("months_visits"): int(months.get(sid, 0)) or "–",
                     ctx.w("inquiries"): _count(int(asked.get(sid, 0)), k),
                     ctx.w("respondents"): answers or "–",
                     ctx.w("segments"): int(coded.get(sid, 0)) or "–"})
    return pd.DataFrame(rows)


def coverage_table(ctx: QualityContext, observations: pd.DataFrame, indicator: str = "visits") -> pd.DataFrame:
    """Per site with monthly ``indicator`` values: first and last month, months with a value of the months
    in between, and the months without a value with the reason (the status the pipeline gave them)."""
    if observations.empty:
        return pd.DataFrame()
    monthly = observations[(observations[C.FREQ] == "M") & (observations[C.INDICATOR] == indicator)]
    names = {s.site_id: s.name for s in ctx.study.sites}
    statuses = ctx.w("status")
    rows = []
    for sid, group in monthly.groupby(C.SITE_ID, sort=False):
        good = group[group[C.VALUE].notna()]
        if good.empty:
            continue
        first, last = good[C.PERIOD_START].min(), good[C.PERIOD_START].max()
        span = pd.date_range(first, last, freq="MS")
        status = group.drop_duplicates(C.PERIOD_START).set_index(C.PERIOD_START)[C.STATUS].fillna("")
        have = set(good[C.PERIOD_START])
        gaps = [m for m in span if m not in have]
        # A month without a value says why: the status the pipeline gave it, else that the export lacks it.
        why = [f"{fmt.month(m, lang=ctx.lang)} ({(status.get(m) and statuses.get(status.get(m))) or ctx.w('reason_missing')})"
               for m in gaps]
        rows.append({ctx.w("site"): names.get(sid, sid), ctx.w("first"): fmt.month(first, lang=ctx.lang),
                     ctx.w("last"): fmt.month(last, lang=ctx.lang), ctx.w("with_value"): int(good[C.PERIOD_START].nunique()),
                     ctx.w("expected"): len(span), ctx.w("missing_months"): "; ".join(why) or "–"})
    order = {s.name: i for i, s in enumerate(ctx.study.sites)}
    frame = pd.DataFrame(rows)
    return frame.sort_values(ctx.w("site"), key=lambda c: c.map(order)) if not frame.empty else frame


# ------------------------------------------------------------------------------ cleaning decisions


def decisions_table(ctx: QualityContext) -> pd.DataFrame:
    """Every cleaning decision in the manifest (reading a file is not one), grouped by what was done, with
    the file or table, the rows it concerned and what a researcher can do about it."""
    lang = ctx.lang
    rows = []
    for d in ctx.manifest.get("decisions", []):
        step = d.get("step", "")
        if step == "read_source":
            continue
        other = ctx.w("other_step")
        nb_text, en_text, nb_advice, en_advice = STEPS.get(step, (other, other, "", ""))
        rows.append({
            ctx.w("step"): nb_text if lang == "nb" else en_text,
            ctx.w("source"): Path(str(d["source"])).name if d.get("source") else label(str(d.get("table", "")), lang),
            ctx.w("rows"): int(d.get("rows", 0)),
            ctx.w("advice"): nb_advice if lang == "nb" else en_advice,
        })
    if not rows:
        return pd.DataFrame()
    frame = pd.DataFrame(rows)
    grouped = (frame.groupby([ctx.w("step"), ctx.w("source"), ctx.w("advice")], sort=False)
               .agg(**{ctx.w("rows"): (ctx.w("rows"), "sum")}).reset_index())
    return grouped[[ctx.w("step"), ctx.w("source"), ctx.w("rows"), ctx.w("advice")]]


def decisions(ctx: QualityContext):
    """Every cleaning decision, grouped by kind, with what a researcher can do about it."""
    return table(ctx, decisions_table(ctx), "decisions", empty="no_decisions")


def _observations(ctx: QualityContext) -> pd.DataFrame:
    return read_table(ctx, "observations")


def missing_by_status(ctx: QualityContext, observations: pd.DataFrame | None = None):
    """Monthly branch observations by indicator and status: how many have a value, and why the rest do not."""
    obs = _observations(ctx) if observations is None else observations
    obs = obs[obs[C.FREQ] == "M"] if not obs.empty else obs
    if obs.empty:
        return _md(ctx.w("no_monthly"))
    labels = ctx.w("status")
    frame = obs.assign(status=obs[C.STATUS].fillna("").map(lambda s: labels.get(s, s))).pivot_table(
        index=C.INDICATOR, columns="status", values=C.PERIOD_START, aggfunc="count", fill_value=0)
    frame.index = [label(i, ctx.lang) for i in frame.index]
    frame.index.name = ctx.w("indicator")
    frame.columns = [str(c) for c in frame.columns]
    return table(ctx, frame, "missing", index=True)


def outages(ctx: QualityContext, observations: pd.DataFrame | None = None):
    """The months flagged as counter outages, by site."""
    obs = _observations(ctx) if observations is None else observations
    flagged = obs[obs[C.STATUS] == C.STATUS_COUNTER_OUTAGE] if not obs.empty else obs
    if flagged.empty:
        return _md(ctx.w("no_outages"))
    names = {s.site_id: s.name for s in ctx.study.sites}
    flagged = flagged.drop_duplicates([C.SITE_ID, C.PERIOD_START])
    frame = pd.DataFrame({
        ctx.w("site"): flagged[C.SITE_ID].map(lambda s: names.get(s, s)).to_numpy(),
        ctx.w("month"): flagged[C.PERIOD_START].map(lambda x: fmt.month(x, lang=ctx.lang)).to_numpy(),
    })
    return table(ctx, frame, "outages")


# ------------------------------------------------------------------------------ small cells and national tables


def small_cells_table(ctx: QualityContext, inquiries: pd.DataFrame) -> pd.DataFrame:
    """Per site, the site report's table of inquiries by channel and year under the study's small-cell rule
    (:func:`samorg.privacy.suppress`, as the site report applies it): cells, hidden as small, hidden to
    protect a small one. Only sites with a hidden cell are listed."""
    from samorg.privacy import suppress

    if inquiries.empty:
        return pd.DataFrame()
    k = ctx.study.privacy.min_cell
    names = {s.site_id: s.name for s in ctx.study.sites}
    rows = []
    order = [s.site_id for s in ctx.study.sites]
    for sid, group in sorted(inquiries.groupby(C.SITE_ID), key=lambda g: order.index(g[0]) if g[0] in order else len(order)):
        counts = group.assign(year=group[C.TIMESTAMP].dt.year).pivot_table(
            index="year", columns=C.CHANNEL, values=C.TIMESTAMP, aggfunc="count", fill_value=0)
        hidden = suppress(counts, threshold=k)
        small, secondary = int(hidden.primary.to_numpy().sum()), int(hidden.secondary.to_numpy().sum())
        if small or secondary:
            rows.append({ctx.w("site"): names.get(sid, sid), ctx.w("cells"): int(counts.size),
                         ctx.w("hidden_small").format(k=k): small, ctx.w("hidden_secondary"): secondary})
    return pd.DataFrame(rows)


def small_cells(ctx: QualityContext, inquiries: pd.DataFrame):
    """:func:`small_cells_table` with the rule in words; one sentence when nothing is hidden."""
    from samorg.report.text import join_names

    k = ctx.study.privacy.min_cell
    if inquiries.empty:
        return _md(ctx.w("no_inquiries"))
    frame = small_cells_table(ctx, inquiries)
    if frame.empty:
        return _md(ctx.w("no_small_cells").format(k=k))
    n = int(frame.iloc[:, 2:].to_numpy().sum())
    rule = ctx.w("small_cells_rule").format(k=k, n=n, sites=join_names(list(frame[ctx.w("site")]), ctx.lang))
    return _md(rule + "\n\n" + table(ctx, frame, "small_cells").data)


def national_table(ctx: QualityContext, observations: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Per year of the national statistics: municipalities in the file, those with a visits value, values
    marked not available (..), confidential (:) or not applicable (.), and municipalities with population."""
    annual = observations[observations[C.FREQ] == "A"] if not observations.empty else observations
    if annual.empty:
        return pd.DataFrame()
    annual = annual.assign(year=annual[C.PERIOD_START].dt.year)
    status = annual[C.STATUS].fillna("")
    visits = annual[(annual[C.INDICATOR] == "visits") & annual[C.VALUE].notna()]
    frame = pd.DataFrame({
        ctx.w("munis_in_file"): annual.groupby("year")[C.MUNICIPALITY_CODE].nunique(),
        ctx.w("munis_visits"): visits.groupby("year")[C.MUNICIPALITY_CODE].nunique(),
        ctx.w("not_available"): (status == C.STATUS_NOT_AVAILABLE).groupby(annual["year"]).sum(),
        ctx.w("confidential"): (status == C.STATUS_CONFIDENTIAL).groupby(annual["year"]).sum(),
        ctx.w("not_applicable"): (status == C.STATUS_NOT_APPLICABLE).groupby(annual["year"]).sum(),
    }).fillna(0).astype(int)
    if not population.empty:
        people = population[population[C.POPULATION].notna()].groupby(C.YEAR)[C.MUNICIPALITY_CODE].nunique()
        frame[ctx.w("munis_population")] = people.reindex(frame.index).fillna(0).astype(int)
    frame.index = frame.index.astype(str)
    frame.index.name = ctx.w("year")
    return frame
