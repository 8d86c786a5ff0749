"""The cross-site synthesis ("best practice" model): pooled site effects, what explains them, the
national comparison, and an evidence map over the project's six aims.

One call per notebook cell, like the site report. Every number shown comes from a result object.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from samorg import columns as C
from samorg import fmt
from samorg.config import Study, load_study
from samorg.errors import ModelError, SamorgError
from samorg.analysis import washout_caveats
from samorg.report._synthesis_survey import item_label, survey_change, survey_changes
from samorg.report.notes import model_warnings
from samorg.report.site import SiteContext, _md, visits_effect
from samorg.report.tables import markdown_table
from samorg.report.text import heading, join_names, number_word, t

__all__ = [
    "SynthesisContext",
    "evidence_map",
    "forest_caption",
    "forest_figure",
    "load",
    "meta_regression_table",
    "national_comparison",
    "national_caption",
    "national_figure",
    "pooled_summary",
    "pooling_inputs",
    "section",
    "site_effects_table",
    "survey_change",
    "survey_changes",
    "title_block",
    "use_pooled",
]


@dataclass
class SynthesisContext:
    """The study, the language and the results the synthesis draws on (each computed once)."""

    study: Study
    lang: str = "nb"
    cache: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @cached_property
    def site_results(self) -> dict[str, Any]:
        """The visits ITS of every treated site (role ``treated``) with visit counts: site id → result."""
        out = {}
        for site in self.study.sites_with_role("treated"):
            ctx = SiteContext(study=self.study, site=site, lang=self.lang)
            with model_warnings(f"ITS, {site.site_id}", self.notes):
                res = visits_effect(ctx)
            if res is not None:
                out[site.site_id] = res
        return out

    @cached_property
    def pooled(self):
        """The sites' effects pooled by municipality (EVIDENCE.md §3): the shared control counted once,
        municipality-level shocks let through, a t reference on (municipalities − 1) degrees of freedom."""
        from samorg.models.pooled import pool_municipalities

        inputs = pooling_inputs(self)
        if len(inputs.labels) < 2:
            return None
        with model_warnings("pooling by municipality", self.notes):
            try:
                # The shared control's part of the uncertainty is estimated from the sites' comparative
                # residual series (it needs the ITS fits); the headlines are then pooled with it.
                control = pool_municipalities(inputs.fits, municipality=inputs.municipality).control_std_error
                return pool_municipalities(inputs.headlines, labels=inputs.labels, municipality=inputs.municipality,
                                           control_std_error=control, df="municipalities")
            except ModelError as exc:
                self.notes.append(str(exc))
                return None

    @cached_property
    def headlines(self) -> dict[str, Any]:
        """Each treated site's average effect after the washout (the site reports' headline)."""
        from samorg.models.post_effect import post_washout_effect

        out = {}
        for site_id, res in self.site_results.items():
            try:
                out[site_id] = post_washout_effect(res, unit="besøk" if self.lang == "nb" else "visits")
            except ModelError as exc:
                self.notes.append(f"{site_id}: {exc}")
        return out

    @cached_property
    def municipal_panel(self) -> pd.DataFrame:
        """Visits per inhabitant per municipality and year, on the current municipality structure."""
        from samorg.report._synthesis_panel import annual_observations

        obs = annual_observations(self.study)
        wide = obs.pivot_table(index=[C.MUNICIPALITY_CODE, C.PERIOD_START], columns=C.INDICATOR, values=C.VALUE)
        if not {"visits", "population"} <= set(wide.columns):
            return pd.DataFrame()
        panel = (wide["visits"] / wide["population"]).rename("visits_per_inhabitant").reset_index()
        panel["year"] = panel[C.PERIOD_START].dt.year
        return panel.dropna(subset=["visits_per_inhabitant"])


@dataclass(frozen=True)
class PoolingInputs:
    """What the combined effect pools: per treated site its headline, its ITS fit, its name and municipality."""

    headlines: list
    fits: list
    labels: list[str]
    municipality: list[str]


def pooling_inputs(ctx: SynthesisContext) -> PoolingInputs:
    """The treated sites with a headline, in registry order, with their municipality's name."""
    fits, heads = ctx.site_results, ctx.headlines
    ids = [s for s in fits if s in heads]
    names = {c: m.name for c, m in ctx.study.municipalities.items()}
    return PoolingInputs(headlines=[heads[s] for s in ids], fits=[fits[s] for s in ids],
                         labels=[ctx.study.site(s).name for s in ids],
                         municipality=[names[ctx.study.site(s).municipality_code] for s in ids])


def use_pooled(ctx: SynthesisContext, pooled) -> None:
    """Make ``pooled`` (fitted in view in the notebook) the combined effect every later section reports."""
    ctx.__dict__["pooled"] = pooled


def load(study: str | Path, *, lang: str = "nb") -> SynthesisContext:
    """Load the study for its synthesis report."""
    if lang not in ("nb", "en"):
        raise SamorgError(f"Report language {lang!r} is not supported; use 'nb' (bokmål) or 'en' (English).")
    return SynthesisContext(study=load_study(study), lang=lang)


def title_block(ctx: SynthesisContext):
    """Study title, what the synthesis does, and the synthetic-data note for demo studies."""
    lines = [f"**{ctx.study.title_in(ctx.lang)}**", "", t("syn_intro", ctx.lang)]
    if ctx.study.demo:
        lines += ["", f"> **{t('banner', ctx.lang)}.** {t('synthetic_note', ctx.lang)}"]
    return _md("\n".join(lines))


def section(ctx: SynthesisContext, key: str, level: int = 2):
    """A heading (or, with ``level=0``, a paragraph) in the report's language."""
    return heading(key, ctx.lang, level)


def site_effects_table(ctx: SynthesisContext):
    """Each treated site's headline (average effect after the washout), its estimand, 95 % CI and Holm-adjusted p.

    The visits outcome at every site is the pre-specified primary family, so its p-values are
    adjusted together (Holm).
    """
    from samorg.analysis import estimand
    from samorg.models.adjust import adjust

    lang, res = ctx.lang, ctx.headlines
    if not res:
        return _md(t("syn_no_sites", lang))
    adjusted = adjust(list(res.values()), method="holm")
    names = {s.site_id: s for s in ctx.study.sites}
    rows = []
    for (site_id, r), p_adj in zip(res.items(), adjusted["p_adjusted"]):
        rows.append({
            t("site", lang): names[site_id].name,
            t("fact_co_located", lang): fmt.date(names[site_id].co_located, lang=lang),
            t("col_estimand", lang): t(f"estimand_{estimand(ctx.study, site_id).kind}", lang),
            t("col_avg_change", lang): fmt.signed_percent(math.exp(r.estimate) - 1, decimals=1, lang=lang),
            t("col_ci", lang): f"{fmt.signed_percent(math.exp(r.ci_low) - 1, decimals=1, lang=lang)} – "
                               f"{fmt.signed_percent(math.exp(r.ci_high) - 1, decimals=1, lang=lang)}",
            t("col_p_holm", lang): fmt.p_value(p_adj, lang=lang).removeprefix("p = ").removeprefix("p "),
        })
    frame = pd.DataFrame(rows)
    return _md(markdown_table(frame, lang=lang, index=False) + "\n\n" + t("syn_effects_note", lang))


def forest_figure(ctx: SynthesisContext):
    """Forest plot: each site's rate ratio, the pooled effect and its prediction interval."""
    if ctx.pooled is None:
        return None
    import matplotlib.pyplot as plt

    from samorg.plots.forest import plot_forest
    from samorg.report.figures import lay_out

    k = len(ctx.site_results)
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.42 * (k + 2)), dpi=110)
    plot_forest(ctx.pooled, ax=ax, lang=ctx.lang, xlabel=t("syn_forest_x", ctx.lang))
    lay_out(fig)
    plt.close(fig)
    return fig


def forest_caption(ctx: SynthesisContext):
    """The numbered caption of :func:`forest_figure` (also its alt text); ``None`` when it was not drawn."""
    from samorg.report.aims import figure_caption

    p = ctx.pooled
    if p is None:
        return None
    pooled = fmt.number(math.exp(p.estimate), decimals=2, lang=ctx.lang)
    if math.isfinite(p.ci_low) and math.isfinite(p.ci_high):
        pooled += f" ({fmt.ci(math.exp(p.ci_low), math.exp(p.ci_high), decimals=2, lang=ctx.lang)})"
    text = t("syn_forest_alt", ctx.lang, k=len(ctx.site_results), pooled=pooled)
    return figure_caption(ctx, text, t("syn_src_sites", ctx.lang))


def pooled_summary(ctx: SynthesisContext):
    """The pooled effect in words: per municipality, then pooled by municipality, with what it can and cannot say."""
    lang, pooled = ctx.lang, ctx.pooled
    if pooled is None:
        return _md(t("syn_too_few", lang))
    lines = []
    for row in pooled.municipalities.itertuples(index=False):
        lines.append(f"- {t('syn_muni_row', lang, name=row.municipality, k=row.n_sites, change=fmt.signed_percent(math.exp(row.estimate) - 1, decimals=1, lang=lang))}")
    sentence = pooled.sentence(lang=lang, outcome_label=t("visits", lang))
    parts = ["\n".join(lines), sentence,
             t("syn_pool_method", lang, k=pooled.k, g=number_word(pooled.n_municipalities, lang))]
    if math.isfinite(pooled.pi_low) and math.isfinite(pooled.pi_high):
        parts.insert(2, t("syn_pi", lang, low=fmt.signed_percent(math.exp(pooled.pi_low) - 1, decimals=0, lang=lang),
                          high=fmt.signed_percent(math.exp(pooled.pi_high) - 1, decimals=0, lang=lang)))
    return _md("\n\n".join(parts))


def _moderators(ctx: SynthesisContext) -> pd.DataFrame:
    names = {s.site_id: s for s in ctx.study.sites}
    codes = sorted({names[s].municipality_code for s in ctx.site_results})
    rows = []
    for site_id in ctx.site_results:
        site = names[site_id]
        row = {"log_catchment": math.log(site.catchment_population or 1)}
        if len(codes) > 1:
            row["municipality"] = float(site.municipality_code == codes[-1])
        rows.append(row)
    return pd.DataFrame(rows, index=list(ctx.site_results))


def meta_regression_table(ctx: SynthesisContext):
    """Meta-regression of the site effects on site characteristics: the model of effects and synergy."""
    from samorg.models.meta import meta_regression

    lang, res = ctx.lang, ctx.site_results
    moderators = _moderators(ctx)
    if len(res) < moderators.shape[1] + 3:
        return _md(t("syn_metareg_too_few", lang, k=len(res)))
    with model_warnings("meta-regression", ctx.notes):
        try:
            fit = meta_regression([r.estimate for r in res.values()], [r.std_error for r in res.values()],
                                  moderators.reset_index(drop=True))
        except ModelError as exc:
            return _md(t("its_failed", lang, error=str(exc)))
    coefs = fit.coefficients.copy()
    muni = {c: m.name for c, m in ctx.study.municipalities.items()}
    last = sorted({s.municipality_code for s in ctx.study.sites if s.site_id in res})[-1]
    labels = {"const": t("syn_intercept", lang), "intercept": t("syn_intercept", lang),
              "log_catchment": t("syn_log_catchment", lang),
              "municipality": t("syn_municipality", lang, name=muni.get(last, last))}
    table = pd.DataFrame({
        t("syn_term", lang): [labels.get(str(i), str(i)) for i in coefs.index],
        t("col_estimate", lang): coefs["estimate"].to_numpy(),
        t("col_ci", lang): [f"{fmt.number(lo, decimals=3, lang=lang)} – {fmt.number(hi, decimals=3, lang=lang)}"
                            for lo, hi in zip(coefs["ci_low"], coefs["ci_high"])],
    })
    return _md(markdown_table(table, lang=lang, index=False, decimals=3) + "\n\n" + t("syn_metareg_note", lang, k=len(res)))


def national_comparison(ctx: SynthesisContext, code: str):
    """Synthetic control of one treated municipality's visits per inhabitant against the national pool.

    The reorganisation year, the donor pool and the left-out years come from the study file
    (``national:`` and ``washout_windows``); the p-value is the placebo-in-space rank, whose smallest
    attainable value is 1/(J+1).
    """
    from samorg.models import synthetic_control

    key = ("synth", code)
    if key not in ctx.cache:
        panel = ctx.municipal_panel
        study = ctx.study
        year = study.national_intervention
        if panel.empty or code not in set(panel[C.MUNICIPALITY_CODE]) or year is None:
            ctx.cache[key] = None
        else:
            donors = study.national.donors(set(panel[C.MUNICIPALITY_CODE]), set(study.treated_municipalities()))
            panel = panel[panel[C.MUNICIPALITY_CODE].isin(set(donors) | {code})]
            windows = [(w.start.year, w.end.year, w.label_in(ctx.lang)) for w in study.washout_windows]
            with model_warnings(f"synthetic control, {code}", ctx.notes):
                try:
                    ctx.cache[key] = synthetic_control(
                        panel, outcome="visits_per_inhabitant", unit=C.MUNICIPALITY_CODE, time="year",
                        treated=code, intervention=year, exclude=windows,
                        caveats=washout_caveats(study))
                except ModelError as exc:
                    ctx.cache[key] = exc
    return ctx.cache[key]


def _national_results(ctx: SynthesisContext) -> list:
    results = [(code, national_comparison(ctx, code)) for code in ctx.study.treated_municipalities()]
    return [(code, r) for code, r in results if r is not None and not isinstance(r, Exception)]


def national_figure(ctx: SynthesisContext):
    """Each treated municipality against its synthetic control, and the placebo gaps of every donor in grey."""
    results = _national_results(ctx)
    if not results:
        return None
    import matplotlib.pyplot as plt

    from samorg.plots import plot_synthetic_control

    # 8 inches like the other figures, so its type prints at the same size. One row per municipality, its
    # name over both panels, and one legend under the figure for both panels (left column: the left panel).
    # Constrained layout keeps every label, row title and the legend inside the canvas: reports save a
    # figure as it lies on its canvas (samorg.report.figures), with no bounding box around what spills out.
    fig = plt.figure(figsize=(8, 3.0 * len(results) + 0.6), dpi=110, layout="constrained")
    rows = fig.subfigures(len(results), 1, squeeze=False)[:, 0]
    for (code, res), row in zip(results, rows):
        row.suptitle(ctx.study.municipalities[code].name, fontsize="large")
        ax1, ax2 = row.subplots(1, 2)
        plot_synthetic_control(res, ax=ax1, lang=ctx.lang, ylabel=t("syn_vpi", ctx.lang), legend=False)
        plot_synthetic_control(res, kind="gaps", ax=ax2, lang=ctx.lang, legend=False, title=t("syn_placebo", ctx.lang))
    entries: dict[str, Any] = {}
    for ax in (ax1, ax2):
        for handle, label in zip(*ax.get_legend_handles_labels()):
            entries.setdefault(label, handle)
    fig.legend(list(entries.values()), list(entries), loc="outside lower center", ncol=2, frameon=False,
               fontsize="small")
    plt.close(fig)
    return fig


def national_caption(ctx: SynthesisContext):
    """The numbered caption of :func:`national_figure` (also its alt text); ``None`` when it was not drawn."""
    from samorg.report.aims import figure_caption

    results = _national_results(ctx)
    if not results:
        return None
    names = join_names([ctx.study.municipalities[code].name for code, _ in results], ctx.lang)
    return figure_caption(ctx, t("syn_national_alt", ctx.lang, names=names), t("syn_src_national", ctx.lang))


def national_text(ctx: SynthesisContext):
    """The synthetic-control results in words, or why there are none, and the method once."""
    parts = []
    donors = None
    for code, muni in ctx.study.treated_municipalities().items():
        res = national_comparison(ctx, code)
        if res is None:
            parts.append(t("syn_no_national", ctx.lang, name=muni.name))
        elif isinstance(res, Exception):
            parts.append(f"**{muni.name}:** " + t("its_failed", ctx.lang, error=str(res)))
        else:
            donors = res.details.get("n_donors", donors)
            parts.append(f"**{muni.name}:** {res.sentence(lang=ctx.lang, outcome_label=t('syn_vpi', ctx.lang).lower())}")
    if donors is not None:
        study = ctx.study
        left_out = ", ".join(f"{w.start.year}–{w.end.year}" if w.end.year > w.start.year else str(w.start.year)
                             for w in study.washout_windows)
        parts.append(t("syn_national_method", ctx.lang, j=donors, year=study.national_intervention))
        if left_out:
            parts.append(t("syn_national_left_out", ctx.lang, years=left_out))
        reorganisation = study.words.get("reorganisation")
        if reorganisation is not None:
            parts.append(t("syn_national_bundle", ctx.lang, what=reorganisation.in_lang(ctx.lang)))
    return _md("\n\n".join(parts))


def evidence_map(ctx: SynthesisContext):
    """The six aims against their primary findings, each graded by one rule (Maryland scale and GRADE-style
    certainty, :mod:`samorg.report.evidence`), with the reasons for every grade below the table."""
    from samorg.models.grading import grade_evidence
    from samorg.report.evidence import grade_pooled, grade_survey, grade_synthetic_control

    lang, study, pooled = ctx.lang, ctx.study, ctx.pooled
    descriptive = grade_evidence(design="descriptive", n_treated=0, n_comparison=0)
    rows = []
    if pooled is not None:
        finding = t("ev_aim1", lang, change=fmt.signed_percent(math.exp(pooled.estimate) - 1, decimals=0, lang=lang),
                    low=fmt.signed_percent(math.exp(pooled.ci_low) - 1, decimals=0, lang=lang),
                    high=fmt.signed_percent(math.exp(pooled.ci_high) - 1, decimals=0, lang=lang),
                    k=pooled.k, g=number_word(pooled.n_municipalities, lang))
        rows.append((1, t("aim1_short", lang), finding, grade_pooled(study, pooled, ctx.headlines)))
    else:
        rows.append((1, t("aim1_short", lang), t("syn_too_few", lang), descriptive))
    n_treated, n_comparison = len(study.sites_with_role("treated")), len(study.sites_with_role("comparison"))
    for aim in (2, 4):  # summarised by the study's pre-specified primary indicator of the aim, never another
        item = study.primary_by_aim.get(aim)
        if item is None:
            rows.append((aim, t(f"aim{aim}_short", lang), t("ev_no_primary", lang), descriptive))
            continue
        survey_change(ctx, item)  # fits and caches the model
        res = ctx.cache.get(("survey", item))
        ok = res is not None and not isinstance(res, Exception)
        finding = (t("ev_survey", lang, item=item_label(item, lang),
                     pp=fmt.number(abs(100 * res.estimate), decimals=0, lang=lang),
                     direction=t("ev_lower" if res.estimate < 0 else "ev_higher", lang),
                     low=fmt.number(100 * res.ci_low, decimals=0, lang=lang, sign=True),
                     high=fmt.number(100 * res.ci_high, decimals=0, lang=lang, sign=True))
                   if ok else t("syn_no_survey", lang))
        rows.append((aim, t(f"aim{aim}_short", lang), finding,
                     grade_survey(study, res, n_treated=n_treated, n_comparison=n_comparison)))
    rows.append((3, t("aim3_short", lang), t("ev_aim3", lang, k=len(ctx.site_results)), descriptive))
    rows.append((5, t("aim5_short", lang), t("ev_aim5", lang), descriptive))
    for code, muni in study.treated_municipalities().items():
        res = national_comparison(ctx, code)
        if res is not None and not isinstance(res, Exception):
            finding = t("ev_aim6", lang, name=muni.name, finding=fmt.number(res.estimate, decimals=2, lang=lang, sign=True))
            rows.append((6, t("aim6_short", lang), finding, grade_synthetic_control(study, code, res)))
    rows.sort(key=lambda row: row[0])  # by aim number
    qual = _qualitative_labels(ctx, rows)
    frame = pd.DataFrame([(aim, finding, f"{g.label(lang)} ({i})", qual.get(n, "–"))
                          for i, (n, aim, finding, g) in enumerate(rows, 1)],
                         columns=[t("ev_aim", lang), t("ev_finding", lang), t("ev_strength", lang), t("ev_qual", lang)])
    reasons = "\n".join(f"{i}. {g.sentence(lang)}" for i, (*_, g) in enumerate(rows, 1))
    return _md(markdown_table(frame, lang=lang, index=False) + "\n\n" + t("ev_reasons", lang) + "\n\n" + reasons
               + "\n\n" + t("ev_note", lang, **_few(ctx)))


def _qualitative_labels(ctx: SynthesisContext, rows: list) -> dict[int, str]:
    """Per aim: whether the coded interviews agree with the numbers (samstemt / blandet / motstridende / …)."""
    from samorg.report import qualitative as qual

    if qual.load_segments(ctx.study).empty:
        return {}
    quantitative: dict[int, Any] = {}
    for aim, _, _, grade in rows:
        if aim in (1, 2, 4) and aim not in quantitative:
            effect = ctx.pooled if aim == 1 else ctx.cache.get(("survey", ctx.study.primary_by_aim.get(aim)))
            ok = effect is not None and not isinstance(effect, Exception)
            quantitative[aim] = qual.quantitative_direction(effect) if ok else None
    frame = qual.qualitative_directions(ctx.study, quantitative=quantitative, lang=ctx.lang)
    return dict(zip(frame["aim"], frame["label"]))


def _few(ctx: SynthesisContext) -> dict[str, str]:
    from samorg.report.text import number_word

    n = len(ctx.study.treated_municipalities())
    return {"n": number_word(n, ctx.lang), "municipalities": t("municipality_one" if n == 1 else "municipality_many",
                                                                 ctx.lang)}

