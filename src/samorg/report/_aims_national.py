"""Aim 6 for the synthesis (re-exported by :mod:`samorg.report.aims`): the national picture and the debate.

Indicators per municipality and year come from the processed ``observations`` table (frequency ``A``,
municipality rows), with the treated municipalities' earlier codes summed to their current code
(:func:`samorg.clean.harmonise_municipalities`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from samorg import columns as C
from samorg import fmt
from samorg.report._aims_text import TEXT as _T
from samorg.report.site import _md
from samorg.report.synthesis import SynthesisContext
from samorg.report.tables import markdown_table
from samorg.report.text import join_names, number_word, t

__all__ = ["national_debate", "national_indicators", "national_position", "national_position_caption",
           "national_position_figure"]

#: Indicator key → (numerator, scale per inhabitant); the label key is the indicator key itself.
_INDICATORS = {"vpi": ("visits", 1.0), "epk": ("events", 1000.0), "lpi": ("first_time_loans", 1.0)}
N_SIMILAR = 5


def _t(key: str, lang: str, **values: object) -> str:
    text = _T["en" if lang == "en" else "nb"][key]
    return text.format(**values) if values else text


def national_indicators(ctx: SynthesisContext) -> pd.DataFrame:
    """Municipality × year rows with ``population`` and the per-inhabitant indicators (empty without data)."""
    if "aims_national" not in ctx.cache:
        from samorg.report._synthesis_panel import annual_observations

        obs = annual_observations(ctx.study)  # site rows are harmonised apart from municipality rows
        obs = obs[obs[C.SITE_ID].isna() & (obs[C.STATUS].fillna("") == "")]
        wide = obs.pivot_table(index=[C.MUNICIPALITY_CODE, C.PERIOD_START], columns=C.INDICATOR, values=C.VALUE)
        out = pd.DataFrame(index=wide.index)
        if "population" in wide:
            out["population"] = wide["population"]
            for key, (column, scale) in _INDICATORS.items():
                if column in wide:
                    out[key] = wide[column] / wide["population"] * scale
        out = out.reset_index()
        out["year"] = out[C.PERIOD_START].dt.year
        ctx.cache["aims_national"] = out.drop(columns=[C.PERIOD_START])
    return ctx.cache["aims_national"]


def _name(ctx: SynthesisContext, code: str) -> str:
    from samorg.municipalities import name_of

    if code in ctx.study.municipalities:
        return ctx.study.municipalities[code].name
    return name_of(code) or code


def _before_years(ctx: SynthesisContext, data: pd.DataFrame) -> list[int]:
    year = ctx.study.national_intervention or ctx.study.baseline_year + 1
    return sorted(y for y in data["year"].unique() if y < year)


def _similar(ctx: SynthesisContext, data: pd.DataFrame, code: str, keys: list[str]) -> list[str]:
    """The municipalities closest to ``code`` before the change (standardised means and log population)."""
    pre = data[data["year"].isin(_before_years(ctx, data))]
    feats = pre.groupby(C.MUNICIPALITY_CODE)[keys + ["population"]].mean()
    feats["population"] = np.log(feats["population"])
    others = set(ctx.study.treated_municipalities()) - {code}
    feats = feats.drop(index=[c for c in others if c in feats.index]).dropna()
    if code not in feats.index or len(feats) < 2:
        return []
    z = (feats - feats.mean()) / feats.std(ddof=0).replace(0, 1)
    distance = np.sqrt(((z - z.loc[code]) ** 2).sum(axis=1)).drop(index=code)
    return [_name(ctx, c) for c in distance.nsmallest(N_SIMILAR).index]


def _rank(data: pd.DataFrame, code: str, key: str, year: int, lang: str) -> str:
    """«r av n» for ``code`` among the municipalities with a value of ``key`` in ``year`` (1 = highest)."""
    values = data[data["year"] == year].dropna(subset=[key])
    mine = values.loc[values[C.MUNICIPALITY_CODE] == code, key]
    if mine.empty:
        return "–"
    return _t("rank", lang, r=int((values[key] > float(mine.iloc[0])).sum()) + 1, n=len(values))


def national_position(ctx: SynthesisContext):
    """Aim 6: each treated municipality's value, rank among all municipalities, and the five most like it."""
    lang = ctx.lang
    question = f"*{_t('q6', lang)}*"
    data = national_indicators(ctx)
    keys = [k for k in _INDICATORS if k in data]
    if data.empty or not keys:
        return _md(question + "\n\n" + _t("nat_none", lang))
    rows, base = [], ctx.study.baseline_year
    for code in ctx.study.treated_municipalities():
        mine = data[data[C.MUNICIPALITY_CODE] == code].dropna(subset=keys[:1])
        if mine.empty:
            continue
        year = int(mine["year"].max())
        that = data[data["year"] == year]
        similar = _similar(ctx, data, code, keys)
        for i, key in enumerate(keys):
            values = that.dropna(subset=[key])
            if code not in set(values[C.MUNICIPALITY_CODE]):
                continue
            value = float(values.loc[values[C.MUNICIPALITY_CODE] == code, key].iloc[0])
            rows.append({_t("col_muni", lang): _name(ctx, code) if i == 0 else "",
                         _t("col_indicator", lang): _t(key, lang),
                         _t("col_value", lang, year=year): fmt.number(value, decimals=2, lang=lang),
                         _t("col_rank_in", lang, year=base): _rank(data, code, key, base, lang),
                         _t("col_rank_in", lang, year=year): _rank(data, code, key, year, lang),
                         _t("col_similar", lang): ", ".join(similar) if i == 0 else ""})
    if not rows:
        return _md(question + "\n\n" + _t("nat_none", lang))
    years = _before_years(ctx, data)
    span = f"{years[0]}–{years[-1]}" if years else "–"
    return _md("\n\n".join([question, markdown_table(pd.DataFrame(rows), lang=lang, index=False),
                            _t("nat_note", lang, years=span)]))


def national_position_figure(ctx: SynthesisContext):
    """The distribution over all municipalities of each indicator in the last year, treated ones marked."""
    lang = ctx.lang
    data = national_indicators(ctx)
    keys = [k for k in _INDICATORS if k in data and data[k].notna().any()]
    treated = [c for c in ctx.study.treated_municipalities() if c in set(data.get(C.MUNICIPALITY_CODE, []))]
    if not keys or not treated:
        return _md(_t("nat_none", lang))
    import matplotlib.pyplot as plt

    from samorg.report.figures import lay_out

    fig, axes = plt.subplots(1, len(keys), figsize=(3.6 * len(keys), 3.2), dpi=110, squeeze=False)
    colours = ("#C44E52", "#4C72B0", "#55A868", "#8172B2")
    for ax, key in zip(axes[0], keys):
        year = int(data.dropna(subset=[key])["year"].max())
        values = data[(data["year"] == year)].dropna(subset=[key])
        ax.hist(values[key], bins=15, color="0.8", edgecolor="0.5")
        for colour, code in zip(colours, treated):
            mine = values.loc[values[C.MUNICIPALITY_CODE] == code, key]
            if len(mine):
                ax.axvline(float(mine.iloc[0]), color=colour, lw=2, label=_name(ctx, code))
        ax.set_title(_t("nat_figure_title", lang, indicator=_t(key, lang), year=year), fontsize="medium")
        ax.set_ylabel(t("municipality_many", lang).capitalize() if ax is axes[0][0] else "")
    axes[0][0].legend(frameon=False, fontsize="small")
    lay_out(fig)
    plt.close(fig)
    return fig


def national_position_caption(ctx: SynthesisContext):
    """The numbered caption of :func:`national_position_figure`; ``None`` when the figure was not drawn."""
    from samorg.report.aims import figure_caption

    data = national_indicators(ctx)
    keys = [k for k in _INDICATORS if k in data and data[k].notna().any()]
    if not keys or not any(c in set(data[C.MUNICIPALITY_CODE]) for c in ctx.study.treated_municipalities()):
        return None
    lang = ctx.lang
    names = join_names([_t(k, lang).lower() for k in keys], lang)
    return figure_caption(ctx, _t("cap6", lang, indicators=names), _t("src6", lang))


def _interval_text(eff, lang: str, *, percent: bool) -> dict[str, str]:
    if percent:
        conv = lambda x: fmt.signed_percent(math.exp(x) - 1, decimals=0, lang=lang)  # noqa: E731
    else:
        conv = lambda x: fmt.number(100 * x, decimals=0, lang=lang, sign=True)  # noqa: E731
    return {"low": conv(eff.ci_low), "high": conv(eff.ci_high)}


def _best(grades: list, lang: str) -> str:
    """The highest certainty among ``grades`` as a word (the lowest level when none is graded)."""
    from samorg.models.grading import CERTAINTY

    order = list(CERTAINTY)
    levels = [order.index(g.certainty) for g in grades if g.certainty is not None]
    return CERTAINTY[order[max(levels) if levels else 0]][0 if lang == "nb" else 1]


def _visits_line(ctx: SynthesisContext, grades: list) -> tuple[str, bool] | None:
    """The pooled visit effect as a sentence, and whether its interval excludes no effect."""
    from samorg.report.evidence import grade_pooled

    pooled, lang = ctx.pooled, ctx.lang
    if pooled is None:
        return None
    g = grade_pooled(ctx.study, pooled, ctx.headlines)
    grades.append(g)
    bounds = _interval_text(pooled, lang, percent=True)
    r = math.exp(pooled.estimate) - 1
    clear = pooled.ci_low > 0 or pooled.ci_high < 0
    if clear:
        return _t("allow_visits" if r > 0 else "allow_visits_down", lang, change=fmt.percent(abs(r), decimals=0,
                  lang=lang), grade=g.label(lang), **bounds), True
    return _t("not_visits", lang, change=fmt.signed_percent(r, decimals=0, lang=lang), grade=g.label(lang),
              **bounds), False


def _synth_lines(ctx: SynthesisContext, grades: list) -> list[str]:
    """Each treated municipality's synthetic comparison whose interval is bounded and excludes no change."""
    from samorg.report.evidence import grade_synthetic_control
    from samorg.report.synthesis import national_comparison

    lang, study, lines = ctx.lang, ctx.study, []
    words = study.words.get("reorganisation")
    for code in study.treated_municipalities():
        res = national_comparison(ctx, code)
        if res is None or isinstance(res, Exception) or not (math.isfinite(res.ci_low) and math.isfinite(res.ci_high)):
            continue
        if res.ci_low <= 0 <= res.ci_high:
            continue
        g = grade_synthetic_control(study, code, res)
        grades.append(g)
        num = lambda x: fmt.number(x, decimals=2, lang=lang, sign=True)  # noqa: E731
        lines.append(_t("allow_synth_up" if res.estimate > 0 else "allow_synth_down", lang,
                        name=study.municipalities[code].name, est=fmt.number(abs(res.estimate), decimals=2, lang=lang),
                        low=num(res.ci_low), high=num(res.ci_high), grade=g.label(lang),
                        level=fmt.number(res.details.get("baseline", math.nan), decimals=2, lang=lang),
                        year=study.national_intervention,
                        what=words.in_lang(lang) if words is not None else _t("the_change", lang)))
    return lines


def _allowed(ctx: SynthesisContext) -> tuple[list[str], list, list[str]]:
    """The conclusions the evidence allows, the grades behind them, and results too uncertain to conclude from."""
    from samorg.report.evidence import grade_survey
    from samorg.report.synthesis import item_label, survey_change

    lang, study = ctx.lang, ctx.study
    lines, grades, unclear = [], [], []
    visits = _visits_line(ctx, grades)
    if visits is not None:
        (lines if visits[1] else unclear).append(visits[0])
    n_t, n_c = len(study.sites_with_role("treated")), len(study.sites_with_role("comparison"))
    for item in dict.fromkeys(study.primary_by_aim.get(a) for a in (2, 4)):
        if item is None:
            continue
        survey_change(ctx, item)
        res = ctx.cache.get(("survey", item))
        if res is None or isinstance(res, Exception):
            continue
        g = grade_survey(study, res, n_treated=n_t, n_comparison=n_c)
        grades.append(g)
        clear = res.ci_low > 0 or res.ci_high < 0
        key = "allow_survey_flat" if not clear else "allow_survey_up" if res.estimate > 0 else "allow_survey_down"
        lines.append(_t(key, lang, item=item_label(item, lang), grade=g.label(lang),
                        pp=fmt.number(abs(100 * res.estimate), decimals=0, lang=lang),
                        **_interval_text(res, lang, percent=False)))
    lines += _synth_lines(ctx, grades)
    return lines, grades, unclear


def _not_allowed(ctx: SynthesisContext, grades: list) -> list[str]:
    from samorg.analysis import estimand
    from samorg.report import programme
    from samorg.report.synthesis import national_comparison

    lang, study = ctx.lang, ctx.study
    n = len(study.treated_municipalities())
    lines = [_t("not_generalise", lang, n=number_word(n, lang), best=_best(grades, lang),
                municipalities=t("municipality_one" if n == 1 else "municipality_many", lang))]
    bundle = [s.name for s in study.sites_with_role("treated") if estimand(study, s).kind == "bundle"]
    if bundle:
        lines.append(_t("not_bundle", lang, names=join_names(bundle, lang)))
    stuck = [names[0 if lang == "nb" else 1].lower() for key, names in programme.CHECK_COMPONENTS.items()
             if programme._split(ctx, key)[0] and not programme._separable(ctx, key)[0]]
    if stuck:
        lines.append(_t("not_components", lang, names=join_names(stuck, lang)))
    synth = [national_comparison(ctx, code) for code in study.treated_municipalities()]
    if not any(r is not None and not isinstance(r, Exception) and math.isfinite(getattr(r, "ci_low", math.nan))
               and math.isfinite(getattr(r, "ci_high", math.nan)) for r in synth):
        lines.append(_t("not_national", lang))
    return lines


def national_debate(ctx: SynthesisContext):
    """«Hva betyr dette for den nasjonale debatten»: the conclusions the grades allow, and those they do not."""
    lang = ctx.lang
    allowed, grades, unclear = _allowed(ctx)
    parts = []  # the heading is the notebook's own Markdown cell
    if allowed:
        parts.append(_t("debate_allows", lang) + "\n\n" + "\n".join(f"- {line}" for line in allowed))
    parts.append(_t("debate_not", lang) + "\n\n" + "\n".join(f"- {line}" for line in
                                                             unclear + _not_allowed(ctx, grades)))
    parts.append(_t("debate_close", lang, best=_best(grades, lang)))
    return _md("\n\n".join(parts))


def transferability(ctx: SynthesisContext):
    """«Hva kan overføres til andre kommuner?»: the pattern across the treated sites, what went down with it, and
    the conclusion the number of municipalities allows (no prediction for a new site; EVIDENCE.md §3)."""
    from samorg.report import programme
    from samorg.report.synthesis import item_label, survey_change

    lang, study = ctx.lang, ctx.study
    heads = ctx.headlines
    effects = [heads[s.site_id] for s in study.sites_with_role("treated") if s.site_id in heads]
    parts = []
    if effects:
        ratios = [math.exp(e.estimate) - 1 for e in effects]
        parts.append(_t("transfer_sites", lang, k=sum(r > 0 for r in ratios), n=len(effects),
                        j=sum(e.ci_low > 0 for e in effects),
                        low=fmt.signed_percent(min(ratios), decimals=0, lang=lang),
                        high=fmt.signed_percent(max(ratios), decimals=0, lang=lang)))
    down = []
    for item in programme._survey_items(ctx):
        survey_change(ctx, item)
        res = ctx.cache.get(("survey", item))
        if res is not None and not isinstance(res, Exception) and res.ci_high < 0:
            down.append(f"«{item_label(item, lang)}»")
    if down:
        parts.append(_t("transfer_costs", lang, items=join_names(down, lang)))
    n = len(study.treated_municipalities())
    parts.append(_t("transfer_conclusion", lang, n=number_word(n, lang),
                    municipalities=t("municipality_one" if n == 1 else "municipality_many", lang)))
    return _md("\n\n".join(parts))
