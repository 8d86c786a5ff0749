"""The site report's headline (EVIDENCE.md §2): the average effect after the washout, and how robust it is.

The headline is not the level change at the intervention date (for a date at the edge of, or inside, a
washout window that is an extrapolation across the gap) but the average effect over the months after
the washout, observed against the counterfactual, with its interval, unit and baseline
(:func:`samorg.models.post_effect.post_washout_effect`). Next to it stands the robustness verdict over
the sensitivity variants: the study's sensitivity windows also left out, the washout months kept,
without the comparison sites, and leaving out each comparison site in turn. Level and slope change go
to the method section.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from samorg import fmt
from samorg.errors import ModelError
from samorg.report.notes import model_warnings
from samorg.report.site import SiteContext, _md, fit_visits_effect, visits_effect
from samorg.report.tables import markdown_table
from samorg.report.text import t

__all__ = ["headline", "sensitivity_table", "variants", "verdict"]

UNIT = {"nb": "besøk", "en": "visits"}


def _average(res: Any, lang: str) -> Any:
    from samorg.models.post_effect import post_washout_effect

    if res is None:
        return None
    try:
        return post_washout_effect(res, unit=UNIT[lang])
    except ModelError:
        return None


def headline(ctx: SiteContext) -> Any:
    """The average post-washout effect of the site's visits ITS (``None`` when the site has no effect)."""
    if "headline" not in ctx.cache:
        ctx.cache["headline"] = _average(visits_effect(ctx), ctx.lang)
    return ctx.cache["headline"]


def variants(ctx: SiteContext) -> dict[str, tuple[str, Any]]:
    """Sensitivity variants: name → (label in the report's language, average effect or ``None``)."""
    if "variants" in ctx.cache:
        return ctx.cache["variants"]
    lang, study, main = ctx.lang, ctx.study, visits_effect(ctx)
    out: dict[str, tuple[str, Any]] = {}
    if main is None:
        ctx.cache["variants"] = out
        return out
    from samorg.analysis import comparison_sites

    fits: list[tuple[str, str, dict]] = []
    if study.sensitivity_windows:
        names = ", ".join(w.label_in(lang) for w in study.sensitivity_windows)
        fits.append(("sensitivity", t("sens_also_left_out", lang, windows=names), {"sensitivity": True}))
    if study.washout_windows:
        fits.append(("washout_kept", t("sens_with_washout", lang), {"washout": False}))
    if main.details.get("control"):
        fits.append(("no_comparison", t("sens_no_control", lang), {"controlled": False}))
        others = comparison_sites(study, ctx.site.site_id)
        if len(others) > 1:
            for site in others:
                fits.append((f"without_{site.site_id}", t("sens_leave_out", lang, name=site.name),
                             {"leave_out": (site.site_id,)}))
    notes: list[str] = []
    with model_warnings(f"sensitivity variants, {ctx.site.site_id}", notes):
        for key, label, kwargs in fits:
            out[key] = (label, _average(fit_visits_effect(ctx, **kwargs), lang))
    ctx.cache["variants"] = out
    return out


def verdict(ctx: SiteContext) -> Any:
    """The robustness verdict of the headline over :func:`variants` (``None`` without a headline)."""
    from samorg.models.post_effect import robustness_verdict

    main = headline(ctx)
    if main is None:
        return None
    found = variants(ctx)
    return robustness_verdict(main, {k: v for k, (_, v) in found.items()},
                              labels={k: (_lower(label), _lower(label)) for k, (label, _) in found.items()})


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _row(label: str, eff: Any, lang: str) -> dict[str, str]:
    import math

    return {
        t("sens_variant", lang): label,
        t("col_avg_change", lang): fmt.signed_percent(math.exp(eff.estimate) - 1, decimals=1, lang=lang),
        t("col_ci", lang): f"{fmt.signed_percent(math.exp(eff.ci_low) - 1, decimals=1, lang=lang)} – "
                           f"{fmt.signed_percent(math.exp(eff.ci_high) - 1, decimals=1, lang=lang)}",
    }


def sensitivity_table(ctx: SiteContext):
    """The headline beside its variants, and the verdict in words; why not, when there is no headline."""
    lang = ctx.lang
    main = headline(ctx)
    if main is None:
        return _md(t("sens_no_headline", lang))
    rows = [_row(t("sens_main", lang), main, lang)]
    missing = []
    for label, eff in variants(ctx).values():
        if eff is None:
            missing.append(label)
        else:
            rows.append(_row(label, eff, lang))
    if len(rows) < 2:
        return _md(t("sens_none", lang))
    v = verdict(ctx)
    text = markdown_table(pd.DataFrame(rows), lang=lang, index=False)
    text += "\n\n" + t("sens_verdict", lang, verdict=v.text(lang))
    text += " " + t("sens_rule", lang)
    if missing:
        text += "\n\n" + t("sens_not_fitted", lang, names="; ".join(missing))
    return _md(text)
