"""Aim 3 in the synthesis: the programme theory, what each site changed, and what the data can say about it.

Built from the site registry's typed ``components:`` (:mod:`samorg.components`), the study's primary
indicators and the sites' headline effects with their evidence grades (:mod:`samorg.report.evidence`):

- :func:`logic_model_figure`: innsats → aktiviteter → resultater → effekter, drawn from the study;
- :func:`component_table`: which treated site had which component, with its headline effect and grade;
- :func:`component_findings`: per component, what the data can and cannot say (a component every treated
  site of one municipality shares is confounded with that municipality);
- :func:`trade_offs`: what went up and what went down, as design choices;
- :func:`checklist`: one page "for en kommune som planlegger samlokalisering", each line with its grade.

A component's grade (:func:`component_grade`) is the lowest certainty among the graded treated sites that
had it, one step lower when the data cannot separate the component from everything else those sites share
(no treated site without it, or the contrast runs between municipalities): the sites' effects are effects
of the whole change, so a component never gets a better grade than its weakest site.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from samorg import fmt
from samorg.errors import SamorgError
from samorg.report._programme_text import TEXT as _T
from samorg.report.figures import lay_out
from samorg.report.site import SiteContext, _md
from samorg.report.synthesis import SynthesisContext
from samorg.report.tables import markdown_table
from samorg.report.text import join_names, t

__all__ = ["CHECK_COMPONENTS", "checklist", "component_findings", "component_grade", "component_table",
           "logic_model_caption", "logic_model_figure", "research_question", "site_grades",
           "trade_offs"]

#: The components the reports ask about, in order: key of :meth:`Components.has` → (bokmål, English).
CHECK_COMPONENTS: dict[str, tuple[str, str]] = {
    "joint_reception": ("Felles skranke for bibliotek og innbyggertorg", "A joint desk for library and service centre"),
    "cross_trained_staff": ("Ansatte opplært i begge tjenestene", "Staff trained in both services"),
    "staffed_hours_more": ("Flere betjente timer enn før", "More staffed hours than before"),
    "self_service_hours": ("Meråpent bibliotek", "Self-service (meråpent) opening"),
    "service:nav": ("NAV i samme bygg", "NAV under the same roof"),
    "service:health": ("Helsetjenester i samme bygg", "Health services under the same roof"),
    "service:culture": ("Kulturtilbud i samme bygg", "Cultural services under the same roof"),
    "quiet_zone": ("Stillesone", "A quiet zone"),
    "partner_events": ("Arrangementer med partnere", "Events with partners"),
    "referral_routines": ("Rutiner for å henvise mellom tjenestene", "Routines for referring between the services"),
    "new_premises": ("Nye lokaler", "New premises"),
}

def _t(key: str, lang: str, **values: object) -> str:
    text = _T["en" if lang == "en" else "nb"][key]
    return text.format(**values) if values else text


def _treated(ctx: SynthesisContext) -> list:
    return list(ctx.study.sites_with_role("treated"))


def research_question(ctx: SynthesisContext):
    """Aim 3's research question, what it rests on, and what these data cannot answer (synergy)."""
    from samorg.report.text import number_word

    lang = ctx.lang
    n = len(ctx.study.treated_municipalities())
    return _md(f"*{_t('question', lang)}*\n\n{_t('question_data', lang)} "
               + _t("synergy", lang, k=number_word(len(_treated(ctx)), lang), n=number_word(n, lang),
                    municipalities=t("municipality_one" if n == 1 else "municipality_many", lang)))


def site_grades(ctx: SynthesisContext) -> dict[str, Any]:
    """Each treated site's headline grade, by the site report's own rule (:func:`samorg.report.site.grade`)."""
    if "programme_grades" not in ctx.cache:
        from samorg.report.site import grade, use_visits_effect

        out, heads = {}, ctx.__dict__.get("headlines") or {}  # if computed: what the site's headline() computes
        for site in _treated(ctx):
            sctx = SiteContext(study=ctx.study, site=site, lang=ctx.lang)
            use_visits_effect(sctx, ctx.site_results.get(site.site_id))
            if site.site_id in heads:
                sctx.cache["headline"] = heads[site.site_id]
            out[site.site_id] = grade(sctx)
        ctx.cache["programme_grades"] = out
    return ctx.cache["programme_grades"]


def _effect(eff: Any, lang: str) -> str:
    if eff is None:
        return _t("no_effect", lang)
    p = fmt.signed_percent(math.exp(eff.estimate) - 1, decimals=0, lang=lang)
    low = fmt.signed_percent(math.exp(eff.ci_low) - 1, decimals=0, lang=lang)
    high = fmt.signed_percent(math.exp(eff.ci_high) - 1, decimals=0, lang=lang)
    return f"{p} ({low} – {high})"


def _split(ctx: SynthesisContext, key: str) -> tuple[list, list, list]:
    """Treated sites with, without and not recording component ``key``."""
    with_, without, unknown = [], [], []
    for site in _treated(ctx):
        has = site.components.has(key) if site.components is not None else None
        (unknown if has is None else with_ if has else without).append(site)
    return with_, without, unknown


def component_table(ctx: SynthesisContext):
    """Component rows × treated-site columns (ja / nei / ikke oppgitt), then each site's headline and grade, and
    the primary survey items' top-two shares (with Wilson interval and n) in the baseline wave and the last wave."""
    lang, sites = ctx.lang, _treated(ctx)
    if not any(s.components is not None for s in sites):
        return _md(_t("no_components", lang))
    grades, heads = site_grades(ctx), ctx.headlines
    word = {True: _t("yes", lang), False: _t("no", lang), None: _t("unknown", lang)}
    rows = {}
    for key, names in CHECK_COMPONENTS.items():
        rows[names[0 if lang == "nb" else 1]] = [
            word[s.components.has(key) if s.components is not None else None] for s in sites]
    rows[_t("effect", lang)] = [_effect(heads.get(s.site_id), lang) for s in sites]
    rows[_t("grade", lang)] = [grades[s.site_id].label(lang) for s in sites]
    rows.update(_survey_rows(ctx, sites))
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=[s.name for s in sites])
    frame.index.name = _t("component", lang)
    return _md(markdown_table(frame, lang=lang))


def _survey_rows(ctx: SynthesisContext, sites: list) -> dict[str, list[str]]:
    """Per primary survey item (aims 2 and 4): each site's top-two share in the baseline wave → the last wave."""
    from samorg.report.aims import _share, _survey_shares
    from samorg.report.synthesis import item_label

    lang, out = ctx.lang, {}
    for item in dict.fromkeys(ctx.study.primary_by_aim.get(a) for a in (2, 4)):
        if item is None:
            continue
        cells = []
        for site in sites:
            shares = _survey_shares(SiteContext(study=ctx.study, site=site, lang=lang), item)
            early = [w for w in shares.index if w <= ctx.study.baseline_year]
            if len(shares) < 2 or not early:
                cells.append("–")
                continue
            a, b = shares.loc[max(early)], shares.loc[shares.index.max()]
            cells.append(" → ".join(_share(x.k, x.n, lang) for x in (a, b)))
        if any(c != "–" for c in cells):
            out[_t("survey_row", lang, item=item_label(item, lang))] = cells
    return out


def _mean_effect(sites: list, heads: dict) -> float | None:
    values = [heads[s.site_id].estimate for s in sites if s.site_id in heads]
    return math.exp(sum(values) / len(values)) - 1 if values else None


def _separable(ctx: SynthesisContext, key: str) -> tuple[bool, str]:
    """Whether the data hold a contrast for the component, and the sentence saying what they can show."""
    lang, heads = ctx.lang, ctx.headlines
    with_, without, _ = _split(ctx, key)
    names = lambda sites: join_names([s.name for s in sites], lang)  # noqa: E731
    if not with_:
        return False, _t("none_had", lang)
    if not without:
        return False, _t("all_had", lang, with_=names(with_))
    munis_with = {s.municipality_code for s in with_}
    if not munis_with & {s.municipality_code for s in without}:
        return False, _t("confounded", lang, with_=names(with_), without=names(without))
    text = ""
    treated = _treated(ctx)
    shared = [c for c in munis_with if all(s in with_ for s in treated if s.municipality_code == c)]
    if shared:
        text = _t("shared", lang, munis=join_names([ctx.study.municipalities[c].name for c in shared], lang)) + " "
    a, b = _mean_effect(with_, heads), _mean_effect(without, heads)
    if a is not None and b is not None:
        text += _t("contrast", lang, with_=names(with_), without=names(without),
                   a=fmt.signed_percent(a, decimals=0, lang=lang), b=fmt.signed_percent(b, decimals=0, lang=lang))
    return not shared, text.strip()


def component_grade(ctx: SynthesisContext, key: str) -> str | None:
    """The certainty key (of :data:`samorg.models.grading.CERTAINTY`) for a component, ``None``: not examined."""
    from samorg.models.grading import CERTAINTY

    with_, _, _ = _split(ctx, key)
    grades = [site_grades(ctx)[s.site_id] for s in with_]
    levels = [g.certainty for g in grades if g.certainty is not None]
    if not levels:
        return None
    order = list(CERTAINTY)
    level = min(order.index(c) for c in levels)
    separable, _ = _separable(ctx, key)
    return order[max(0, level - (0 if separable else 1))]


def _grade_word(key: str | None, lang: str) -> str:
    from samorg.models.grading import CERTAINTY

    return _t("not_examined", lang) if key is None else CERTAINTY[key][0 if lang == "nb" else 1]


def component_findings(ctx: SynthesisContext):
    """Per component: what the data can say, and plainly where they cannot support a claim."""
    lang = ctx.lang
    if not any(s.components is not None for s in _treated(ctx)):
        return _md(_t("no_components", lang))
    lines = []
    for key, names in CHECK_COMPONENTS.items():
        _, _, unknown = _split(ctx, key)
        _, text = _separable(ctx, key)
        if unknown:
            text += " " + _t("not_recorded", lang, names=join_names([s.name for s in unknown], lang))
        lines.append(f"- **{names[0 if lang == 'nb' else 1]}** ({_grade_word(component_grade(ctx, key), lang)}): "
                     f"{text}")
    return _md("\n".join(lines) + "\n\n" + _t("findings_note", lang))


def _survey_items(ctx: SynthesisContext) -> list[str]:
    path = ctx.study.processed_dir / "survey_responses.parquet"
    if not path.is_file():
        return []
    from samorg.store import read_processed

    from samorg import columns as C

    return sorted(read_processed(ctx.study.processed_dir, "survey_responses", columns=[C.ITEM])[C.ITEM].unique())


def trade_offs(ctx: SynthesisContext):
    """What went up and what went down (visits, survey items, staffed hours), read as design choices."""
    from samorg.report.synthesis import item_label, survey_change

    lang, pooled = ctx.lang, ctx.pooled
    lines, costs = [], 0
    if pooled is not None:
        r = math.exp(pooled.estimate) - 1
        clear = pooled.ci_low > 0 or pooled.ci_high < 0
        key = "trade_visits_unclear" if not clear else "trade_visits" if r >= 0 else "trade_visits_down"
        lines.append(_t(key, lang, change=fmt.percent(abs(r), decimals=0, lang=lang) if clear
                        else fmt.signed_percent(r, decimals=0, lang=lang),
                        low=fmt.signed_percent(math.exp(pooled.ci_low) - 1, decimals=0, lang=lang),
                        high=fmt.signed_percent(math.exp(pooled.ci_high) - 1, decimals=0, lang=lang)))
    for item in _survey_items(ctx):
        survey_change(ctx, item)  # fits and caches the model
        res = ctx.cache.get(("survey", item))
        if res is None or isinstance(res, Exception) or not (res.ci_high < 0 or res.ci_low > 0):
            continue
        costs += res.ci_high < 0
        kind = t("prespecified" if item in ctx.study.primary_by_aim.values() else "exploratory", lang)
        text = _t("trade_item_down" if res.ci_high < 0 else "trade_item_up", lang, item=item_label(item, lang),
                  pp=fmt.number(abs(100 * res.estimate), decimals=0, lang=lang),
                  low=fmt.number(100 * res.ci_low, decimals=0, lang=lang, sign=True),
                  high=fmt.number(100 * res.ci_high, decimals=0, lang=lang, sign=True), kind=kind)
        lines.append(text)
    sites = _treated(ctx)
    fewer = [s.components for s in sites if s.components is not None and s.components.has("staffed_hours_more") is False
             and s.components.staffed_hours_after < s.components.staffed_hours_before]
    if fewer:
        costs += 1
        open_ = sum(1 for s in sites if s.components is not None and s.components.has("self_service_hours"))
        before = sum(c.staffed_hours_before for c in fewer) / len(fewer)
        after = sum(c.staffed_hours_after for c in fewer) / len(fewer)
        lines.append(_t("trade_hours", lang, k=len(fewer), n=len(sites), m=open_,
                        before=fmt.number(before, decimals=0, lang=lang),
                        after=fmt.number(after, decimals=0, lang=lang)))
    if not costs:
        return _md("\n\n".join(lines + [_t("trade_none", lang)]))
    return _md(_t("trade_head", lang) + "\n\n" + "\n".join(f"- {line}" for line in lines)
               + "\n\n" + _t("trade_choice", lang))


def checklist(ctx: SynthesisContext):
    """One page for a municipality planning co-location: each component with its grade, or «ikke undersøkt»."""
    lang, heads = ctx.lang, ctx.headlines
    n = len(_treated(ctx))
    lines = []
    for key, names in CHECK_COMPONENTS.items():
        with_, _, _ = _split(ctx, key)
        grade = component_grade(ctx, key)
        if not with_ or grade is None:
            why = _t("why_none", lang)
        else:
            a = _mean_effect(with_, heads)
            separable, _ = _separable(ctx, key)
            parts = [_t("why_sites", lang, a=fmt.signed_percent(a, decimals=0, lang=lang))] if a is not None else []
            if not separable:
                parts.append(_t("why_not_separable", lang))
            why = "; ".join(parts) + "." if parts else ""
        lines.append("- [ ] " + _t("check_line", lang, label=names[0 if lang == "nb" else 1], k=len(with_), n=n,
                                     grade=_grade_word(grade, lang), why=why).strip())
    lines.append("- [ ] " + _t("check_always", lang))
    # The heading is the notebook's own Markdown cell; this is what goes under it.
    return _md(f"{_t('check_intro', lang)}\n\n" + "\n".join(lines))


def _logic_columns(ctx: SynthesisContext) -> list[tuple[str, list[str]]]:
    """The four columns of the logic model, as texts, from the registry, the data and the study's aims."""
    from samorg.report.text import label

    lang, sites = ctx.lang, _treated(ctx)
    n = len(sites)
    inputs = [_t("co_organised", lang), _t("co_located", lang, k=n, n=len(ctx.study.sites))]
    activities = []
    for key, names in CHECK_COMPONENTS.items():
        k = len(_split(ctx, key)[0])
        if k:
            target = inputs if key in ("new_premises", "cross_trained_staff", "staffed_hours_more") else activities
            target.append(f"{names[0 if lang == 'nb' else 1]} ({_t('of_sites', lang, k=k, n=n)})")
    outputs = []
    indicators = ("visits", "visits_self_service", "events", "event_attendance", "loans")
    try:
        from samorg.store import read_processed

        from samorg import columns as C

        have = set(read_processed(ctx.study.processed_dir, "observations", columns=[C.INDICATOR])[C.INDICATOR])
    except SamorgError:  # no processed data: the figure still shows the theory
        have = set()
    outputs = [label(i, lang) for i in indicators if i in have]
    if (ctx.study.processed_dir / "inquiries.parquet").is_file():
        outputs.append(label("inquiries", lang))
    from samorg.report.synthesis import item_label
    from samorg.report.text import LABELS

    def aim(a: int) -> str:
        primary = ctx.study.primary_by_aim.get(a)
        if primary is None:
            return t(f"aim{a}_short", lang)
        name = label(primary, lang) if primary in LABELS else item_label(primary, lang)
        return f"{t(f'aim{a}_short', lang)} ({_t('measured', lang)}: {name.lower()})"

    outcomes = [aim(a) for a in (1, 2, 4, 5, 6)]
    return [(_t("inputs", lang), inputs), (_t("activities", lang), activities),
            (_t("outputs", lang), outputs), (_t("outcomes", lang), outcomes)]


def logic_model_figure(ctx: SynthesisContext):
    """The programme theory as four columns of boxes joined by arrows (a Figure; never shown or saved)."""
    import textwrap

    import matplotlib.pyplot as plt

    columns = _logic_columns(ctx)
    rows = max(len(items) for _, items in columns) or 1
    fig, ax = plt.subplots(figsize=(11, 1.1 + 0.62 * rows), dpi=110)
    ax.set_xlim(0, 4)
    ax.set_ylim(-rows - 0.2, 1)
    ax.axis("off")
    colours = ("#DCE6F2", "#E2EFDA", "#FFF2CC", "#FCE4D6")
    for i, (title, items) in enumerate(columns):
        ax.text(i + 0.45, 0.55, title, ha="center", va="center", fontsize="large", fontweight="bold")
        for j, item in enumerate(items):
            ax.text(i + 0.45, -j - 0.1, "\n".join(textwrap.wrap(item, 26)), ha="center", va="center",
                    fontsize="small", bbox={"boxstyle": "round,pad=0.4", "fc": colours[i], "ec": "0.5"})
        if i < len(columns) - 1:
            ax.annotate("", xy=(i + 1.0, -rows / 2 + 0.3), xytext=(i + 0.9, -rows / 2 + 0.3),
                        arrowprops={"arrowstyle": "-|>", "color": "0.3", "lw": 2})
    lay_out(fig)
    plt.close(fig)
    return fig


def logic_model_caption(ctx: SynthesisContext):
    """The numbered caption of :func:`logic_model_figure` (it also states what the figure shows: its alt text)."""
    from samorg.report.aims import figure_caption

    return figure_caption(ctx, _t("figure_alt", ctx.lang), _t("figure_source", ctx.lang))
