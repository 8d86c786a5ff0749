"""The parts of a site report around the results (EVIDENCE.md §7): figure captions with their source,
the discussion, the conclusion and the technical appendix of the main model.

Each function takes the :class:`~samorg.report.site.SiteContext` and returns Markdown that says what
the site's own data and design allow; nothing here is typed by hand about any one site.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.report.site import SiteContext, _md, comparison_sites, visits_effect
from samorg.report.tables import markdown_table
from samorg.report.text import join_names, t

__all__ = ["caption", "conclusion", "discussion", "technical_appendix"]

#: Figure key → (caption text key, source text key, whether the figure exists for this context).
_FIGURES = {
    "visits": ("cap_visits", "src_branch", lambda ctx: visits_effect(ctx) is not None),
    "did": ("cap_did", "src_branch", lambda ctx: _did_drawn(ctx)),
    "event": ("cap_event", "src_branch", lambda ctx: _event_drawn(ctx)),
    "inquiries": ("cap_inquiries", "src_inquiries", lambda ctx: _inquiries_drawn(ctx)),
    "meeting_place": ("cap_meeting_place", "src_branch", lambda ctx: _events_drawn(ctx)),
}


def _did_drawn(ctx: SiteContext) -> bool:
    from samorg.report.site_sections import did_comparison

    res = did_comparison(ctx)
    return res is not None and not isinstance(res, Exception)


def _event_drawn(ctx: SiteContext) -> bool:
    from samorg.report.site_sections import event_result

    return event_result(ctx) is not None


def _inquiries_drawn(ctx: SiteContext) -> bool:
    return len(ctx.inquiries) >= ctx.min_cell


def _events_drawn(ctx: SiteContext) -> bool:
    from samorg.report.site_sections import annual_table

    annual = annual_table(ctx)
    return not annual.empty and "events" in annual and annual["events"].notna().any()


def caption(ctx: SiteContext, key: str):
    """"Figur N: … Kilde: …" under a figure that was drawn; nothing when the figure is not there."""
    text_key, source_key, drawn = _FIGURES[key]
    if not drawn(ctx):
        return None
    number = ctx.cache.get("figure_count", 0) + 1
    ctx.cache["figure_count"] = number
    if key == "meeting_place" and not ctx.site.co_located:  # the figure draws no co-location line then
        text_key += "_plain"
    text = t(text_key, ctx.lang, site=ctx.site.name) + _finding(ctx, key)
    return _md(f"*{t('figure', ctx.lang)} {number}: {text} {t('source', ctx.lang)}: {t(source_key, ctx.lang)}.*")


def _finding(ctx: SiteContext, key: str) -> str:
    """What the figure shows, in one clause after its description (the caption is also its alt text,
    EVIDENCE.md §9): for the visits figure, where the observed months lie against the expected line."""
    if key != "visits":
        return ""
    from samorg.report.headline import headline

    eff = headline(ctx)
    if eff is None or not (math.isfinite(eff.ci_low) and math.isfinite(eff.ci_high)):
        return ""
    where = "finding_above" if eff.ci_low > 0 else "finding_below" if eff.ci_high < 0 else "finding_unclear"
    return " " + t(where, ctx.lang)


def discussion(ctx: SiteContext):
    """Alternative explanations the design cannot rule out, from the site's estimand and dates."""
    from samorg.analysis import estimand
    from samorg.report.evidence import near_washout

    lang, est = ctx.lang, estimand(ctx.study, ctx.site)
    if not est.has_effect:
        return _md(t("disc_descriptive", lang, site=ctx.site.name))
    items = []
    if est.kind == "bundle":
        items.append(t("disc_bundle", lang))
    elif est.comparison and not est.comparison_outside:
        items.append(t("disc_same_municipality", lang))
    if not est.comparison:
        items.append(t("disc_no_comparison", lang))
    if near_washout(ctx.study, ctx.site.co_located):
        items.append(t("disc_washout", lang))
    items += [t("disc_other_changes", lang), t("disc_cannot", lang)]
    return _md("\n".join(f"- {i}" for i in items))


def conclusion(ctx: SiteContext):
    """What the site's data show, how sure we can be, and what they cannot show, in three sentences."""
    from samorg.report.site import estimand_text, grade, headline_sentence, prespecified_label

    lang = ctx.lang
    if visits_effect(ctx) is None:
        return _md(estimand_text(ctx) + " " + t("concl_descriptive", lang))
    parts = [estimand_text(ctx), headline_sentence(ctx, prespecified_label(ctx, "visits")),
             t("concl_grade", lang, grade=grade(ctx).label(lang))]
    return _md("\n\n".join(parts))


_TERMS = {"const": "term_const", "trend": "term_trend", "level_change": "term_level", "slope_change": "term_slope"}


def _term(name: str, lang: str) -> str:
    if name in _TERMS:
        return t(_TERMS[name], lang)
    if name.startswith("month_"):
        return t("term_month", lang, m=name.removeprefix("month_"))
    return name


def _lag1(result: Any) -> float:
    resid = np.asarray(getattr(result.fit, "resid_pearson", []), dtype=float)
    if resid.size < 3:
        return math.nan
    return float(np.corrcoef(resid[:-1], resid[1:])[0, 1])


def technical_appendix(ctx: SiteContext):
    """The main model in full: specification, data used, excluded months, comparison, coefficients, diagnostics."""
    lang = ctx.lang
    result = visits_effect(ctx)
    if result is None:
        return _md(t("app_none", lang))
    d = result.details
    windows = "; ".join(f"{w['label']} ({fmt.date(w['start'], lang=lang)}–{fmt.date(w['end'], lang=lang)}, "
                        f"{t('app_months', lang, n=w['n_rows'])})" for w in d.get("excluded_windows", ()))
    names = join_names([s.name for s in comparison_sites(ctx)], lang)
    lines = [
        t("app_spec", lang),
        t("app_data", lang, pre=d.get("n_pre"), post=d.get("n_post"), date=fmt.date(ctx.site.co_located, lang=lang)),
        t("app_windows", lang, windows=windows) if windows else t("app_no_windows", lang),
        t("app_comparison", lang, names=names) if d.get("control") else t("app_no_comparison", lang),
    ]
    coefs = result.coefficients
    table = pd.DataFrame({
        t("app_term", lang): [_term(str(i), lang) for i in coefs.index],
        t("col_estimate", lang): [fmt.number(v, decimals=4, lang=lang) for v in coefs["estimate"]],
        t("app_se", lang): [fmt.number(v, decimals=4, lang=lang) for v in coefs["std_error"]],
        t("col_ci", lang): [f"{fmt.number(lo, decimals=4, lang=lang)} – {fmt.number(hi, decimals=4, lang=lang)}"
                            for lo, hi in zip(coefs["ci_low"], coefs["ci_high"])],
        "p": [fmt.p_value(p, lang=lang).removeprefix("p = ").removeprefix("p ") for p in coefs["p_value"]],
    })
    diag = t("app_diagnostics", lang, phi=fmt.number(d.get("dispersion", math.nan), decimals=2, lang=lang),
             rho=fmt.number(_lag1(result), decimals=2, lang=lang), lags=d.get("hac_lags") or "–")
    return _md("\n\n".join(lines) + "\n\n" + t("table_caption", lang, text=t("app_table", lang, site=ctx.site.name))
               + "\n\n" + markdown_table(table, lang=lang, index=False) + "\n\n" + diag)
