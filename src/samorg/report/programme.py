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

_T = {
    "nb": {
        "question": "Forskningsspørsmål: Hvilke valg i utformingen av et samlokalisert bibliotek og innbyggertorg "
                    "henger sammen med bedre resultater, og hva bør en kommune tenke gjennom før den samlokaliserer?",
        "question_data": "Grunnlaget er hva hvert tiltakssted endret (stedsregisteret), stedenes effekter på besøk "
                         "med tillit, og brukerundersøkelsene.",
        "synergy": "Om komponentene virker sammen (synergi) krever steder med ulike kombinasjoner av dem; med {k} "
                   "tiltakssteder i {n} {municipalities} kan dataene ikke svare på det. Intervjuer med ansatte og "
                   "brukere kan belyse hvordan komponentene virker sammen.",
        "inputs": "Innsats", "activities": "Aktiviteter", "outputs": "Resultater", "outcomes": "Effekter",
        "co_organised": "Samorganisering av bibliotek og innbyggertorg",
        "co_located": "Samlokalisering ({k} av {n} steder)",
        "of_sites": "{k} av {n} tiltakssteder",
        "measured": "primærindikator",
        "component": "Komponent", "effect": "Effekt på besøk (95 % KI)", "grade": "Tillit",
        "survey_row": "{item}: andel i de to øverste kategoriene (95 % KI; n), basisår → siste runde",
        "yes": "ja", "no": "nei", "unknown": "ikke oppgitt",
        "no_components": "Stedsregisteret oppgir ingen komponenter for tiltaksstedene, så tabellen kan ikke lages. "
                         "Legg inn «components:» per sted (se docs/config.md).",
        "no_effect": "ingen effekt anslått",
        "none_had": "Ingen tiltakssteder hadde dette ifølge registeret, så dataene har ingen erfaring med det å vise "
                    "til.",
        "all_had": "Alle tiltakssteder med opplysningen hadde dette ({with_}), så ingen steder uten kan sammenlignes: "
                   "dataene kan ikke si hva komponenten alene betyr.",
        "confounded": "Stedene med komponenten ({with_}) og stedene uten ({without}) ligger i ulike kommuner, så "
                      "komponenten kan ikke skilles fra alt annet som skiller kommunene.",
        "shared": "Alle tiltakssteder i {munis} hadde komponenten, så der er den sammenfallende med kommunens "
                  "øvrige valg.",
        "contrast": "Med komponenten ({with_}): besøk mot forventet i snitt {a}; uten ({without}): {b}. "
                    "Forskjellen er beskrivende: for få steder til å skille komponenten fra andre forskjeller.",
        "not_recorded": "Ikke oppgitt for: {names}.",
        "findings_note": "Effektene er effekter av hele endringen på hvert sted, ikke av enkeltkomponenter. "
                         "Tilliten til en komponent er den laveste blant stedene som hadde den, ett trinn lavere "
                         "når komponenten ikke kan skilles ut.",
        "trade_head": "Det dataene viser som gevinster og kostnader, lest som valg i utformingen:",
        "trade_visits": "Besøket var om lag {change} høyere enn forventet uten samlokalisering (samlet anslag, "
                        "95 % KI {low} til {high}).",
        "trade_visits_down": "Besøket var om lag {change} lavere enn forventet uten samlokalisering (samlet anslag, "
                             "95 % KI {low} til {high}).",
        "trade_visits_unclear": "Samlet anslag for besøket: {change} (95 % KI {low} til {high}); intervallet "
                                "omfatter ingen effekt, så en gevinst i besøk er ikke vist.",
        "trade_item_down": "Andelen i de to øverste kategoriene på «{item}» var om lag {pp} prosentpoeng lavere enn "
                           "ventet ut fra endringen ved steder som ikke er samlokalisert (95 % KI {low} til "
                           "{high}; {kind}).",
        "trade_item_up": "Andelen i de to øverste kategoriene på «{item}» var om lag {pp} prosentpoeng høyere enn "
                         "ventet ut fra endringen ved steder som ikke er samlokalisert (95 % KI {low} til "
                         "{high}; {kind}).",
        "trade_hours": "{k} av {n} tiltakssteder hadde færre betjente timer etter endringen (i snitt {before} → "
                       "{after} timer i uka), mens {m} hadde meråpent bibliotek: mer åpent, mindre betjent.",
        "trade_choice": "Det som ble dårligere vurdert eller redusert, er det en kommune som samlokaliserer bør "
                        "planlegge for fra starten, for eksempel soner for ro og betjening når behovet er størst; "
                        "dataene viser ikke hvilke tiltak som hjelper mot det.",
        "trade_none": "Dataene viser ingen tydelige avveininger: ingen indikator gikk tydelig ned mens besøket gikk "
                      "opp.",
        "check_intro": "Generert fra stedsregisteret og resultatene. Tillit etter samme regel som ellers i rapporten; "
                       "«ikke undersøkt» der ingen tiltakssteder hadde komponenten.",
        "not_examined": "ikke undersøkt",
        "check_line": "**{label}** – {k} av {n} tiltakssteder. Tillit: {grade}. {why}",
        "check_always": "**Mål før og etter** – tell besøk, arrangementer og henvendelser med samme metode fra "
                        "minst ett år før endringen; uten det kan ingen effekt anslås.",
        "why_sites": "Besøk mot forventet på stedene som hadde den: i snitt {a}",
        "why_not_separable": "komponenten kan ikke skilles fra resten av endringen",
        "why_none": "Ingen erfaring å bygge på i disse dataene.",
        "figure_alt": "Programteorien fra innsats via aktiviteter og resultater til effekter; tallene i "
                      "boksene er hvor mange tiltakssteder som hadde hver komponent.",
        "figure_source": "stedsregisteret og studiens indikatorer",
    },
    "en": {
        "question": "Research question: Which design choices of a co-located library and service centre go with "
                    "better results, and what should a municipality think through before co-locating?",
        "question_data": "The evidence is what each treated site changed (the site registry), the sites' effects on "
                         "visits with their certainty, and the user surveys.",
        "synergy": "Whether the components work together (synergy) needs sites with different combinations of them; "
                   "with {k} treated sites in {n} {municipalities} the data cannot answer it. Interviews with staff "
                   "and users can shed light on how the components work together.",
        "inputs": "Inputs", "activities": "Activities", "outputs": "Outputs", "outcomes": "Outcomes",
        "co_organised": "Co-organising library and service centre",
        "co_located": "Co-location ({k} of {n} sites)",
        "of_sites": "{k} of {n} treated sites",
        "measured": "primary indicator",
        "component": "Component", "effect": "Effect on visits (95 % CI)", "grade": "Certainty",
        "survey_row": "{item}: share in the two most positive categories (95 % CI; n), baseline → last wave",
        "yes": "yes", "no": "no", "unknown": "not recorded",
        "no_components": "The site registry records no components for the treated sites, so the table cannot be "
                         "made. Add «components:» per site (see docs/config.md).",
        "no_effect": "no effect estimated",
        "none_had": "No treated site had this according to the registry, so the data hold no experience of it.",
        "all_had": "Every treated site with the information had this ({with_}), so there is no site without it to "
                   "compare with: the data cannot say what the component alone does.",
        "confounded": "The sites with the component ({with_}) and those without ({without}) are in different "
                      "municipalities, so the component cannot be told apart from everything else that differs "
                      "between the municipalities.",
        "shared": "Every treated site in {munis} had the component, so there it coincides with the municipality's "
                  "other choices.",
        "contrast": "With the component ({with_}): visits against expected on average {a}; without ({without}): "
                    "{b}. The difference is descriptive: too few sites to separate the component from other "
                    "differences.",
        "not_recorded": "Not recorded for: {names}.",
        "findings_note": "The effects are effects of the whole change at each site, not of single components. A "
                         "component's certainty is the lowest among the sites that had it, one step lower when the "
                         "component cannot be separated.",
        "trade_head": "What the data show as gains and costs, read as design choices:",
        "trade_visits": "Visits were about {change} higher than expected without co-location (combined estimate, "
                        "95 % CI {low} to {high}).",
        "trade_visits_down": "Visits were about {change} lower than expected without co-location (combined "
                             "estimate, 95 % CI {low} to {high}).",
        "trade_visits_unclear": "Combined estimate for visits: {change} (95 % CI {low} to {high}); the interval "
                                "includes no effect, so a gain in visits is not shown.",
        "trade_item_down": "The share in the two most positive categories on «{item}» was about {pp} percentage "
                           "points lower than expected from the change at sites not co-located (95 % CI {low} to "
                           "{high}; {kind}).",
        "trade_item_up": "The share in the two most positive categories on «{item}» was about {pp} percentage "
                         "points higher than expected from the change at sites not co-located (95 % CI {low} to "
                         "{high}; {kind}).",
        "trade_hours": "{k} of {n} treated sites had fewer staffed hours after the change (on average {before} → "
                       "{after} hours a week), while {m} had self-service opening: open longer, staffed less.",
        "trade_choice": "What was rated worse or reduced is what a municipality that co-locates should plan for from "
                        "the start, for example zones for calm and staff when the need is greatest; the data do not "
                        "show which measures help against it.",
        "trade_none": "The data show no clear trade-offs: no indicator clearly fell while visits rose.",
        "check_intro": "Generated from the site registry and the results. Certainty by the same rule as elsewhere in "
                       "the report; «not examined» where no treated site had the component.",
        "not_examined": "not examined",
        "check_line": "**{label}** – {k} of {n} treated sites. Certainty: {grade}. {why}",
        "check_always": "**Measure before and after** – count visits, events and inquiries the same way from at "
                        "least a year before the change; without that no effect can be estimated.",
        "why_sites": "Visits against expected at the sites that had it: on average {a}",
        "why_not_separable": "the component cannot be separated from the rest of the change",
        "why_none": "No experience to build on in these data.",
        "figure_alt": "The programme theory from inputs via activities and outputs to outcomes; the numbers in "
                      "the boxes are how many treated sites had each component.",
        "figure_source": "the site registry and the study's indicators",
    },
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
