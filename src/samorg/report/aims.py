"""Aims 4, 5 and 6, loans and the service centre, one call per report cell (issue 14).

Site report (:class:`~samorg.report.site.SiteContext`):

- :func:`meeting_place_indicators` (aim 4): the study's primary meeting-place indicator and the counted
  ones (events and attendance per 1,000 inhabitants, share of visits in self-service hours), baseline year
  against the last year, shares with their n and Wilson interval, and an interpretation;
- :func:`place_development_indicators` and :func:`place_development_figure` (aim 5): visits per inhabitant
  with the catchment's yearly population, and the site's trend beside its municipality's and the nation's;
- :func:`service_visitors` (aim 4), :func:`catchment_reach` (aim 5), :func:`footfall_by_hour`,
  :func:`footfall_figure` and :func:`footfall_caption` (aims 4 and 5): the three optional place exports
  (``_aims_place.py``): visitors who came for a municipal service and also used the library, the share of
  the catchment who are active borrowers, and visits through the day in staffed and self-service hours;
- :func:`loans_table`: loans shown like visits; :func:`inquiries_before_after` and
  :func:`first_contact_resolution`: the service centre.

Synthesis (:class:`~samorg.report.synthesis.SynthesisContext`):

- :func:`national_position` and :func:`national_position_figure` (aim 6): where each treated
  municipality sits among all municipalities, its rank and the five most like it before the change;
- :func:`national_debate`: what the evidence allows the national debate to conclude, and what not;
  :func:`transferability`: what carries over to other municipalities (a conclusion, no prediction interval).

**Catchment population by year.** The registry's ``catchment_population`` is taken as the population in
the study's baseline year and scaled by the municipality's population growth (the processed
``population`` table, all codes the municipality had, summed per year):
``catchment(y) = catchment × population(y) / population(baseline)``. Without the table the registry's
number is used for every year, and the report says so.

Every function returns Markdown or a Figure, or one sentence saying why there is nothing.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from samorg import columns as C
from samorg import fmt
from samorg.report.site import SiteContext, _md
from samorg.report.site_sections import annual_table
from samorg.report.synthesis import SynthesisContext
from samorg.report.tables import markdown_table
from samorg.report.text import label, t

__all__ = ["catchment_by_year", "catchment_reach", "figure_caption", "first_contact_resolution", "footfall_by_hour",
           "footfall_caption", "footfall_figure", "inquiries_before_after", "loans_table", "meeting_place_indicators",
           "meeting_place_overview", "national_debate", "national_position", "national_position_caption",
           "national_position_figure", "place_development_caption", "place_development_figure",
           "place_development_indicators", "place_development_overview", "place_overview", "service_visitors",
           "transferability",
           "wilson"]

from samorg.report._aims_text import TEXT as _T  # noqa: E402


def _t(key: str, lang: str, **values: object) -> str:
    text = _T["en" if lang == "en" else "nb"][key]
    return text.format(**values) if values else text


def figure_caption(ctx: Any, text: str, source: str):
    """«*Figur N: … Kilde: ….*» numbered with the report's other figures (``ctx.cache["figure_count"]``).

    The caption states what the figure shows, so it also serves as its alt text (EVIDENCE.md §9).
    """
    number = ctx.cache.get("figure_count", 0) + 1
    ctx.cache["figure_count"] = number
    return _md(f"*{t('figure', ctx.lang)} {number}: {text} {t('source', ctx.lang)}: {source}.*")


def wilson(k: float, n: float, *, level: float = 0.95) -> tuple[float, float]:
    """The Wilson score interval of a share ``k / n`` (``nan`` bounds when ``n`` is 0)."""
    if n <= 0:
        return math.nan, math.nan
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + level / 2))
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _share(k: float, n: float, lang: str) -> str:
    low, high = wilson(k, n)
    return (f"{fmt.percent(k / n, decimals=0, lang=lang)} ({fmt.percent(low, decimals=0, lang=lang)}–"
            f"{fmt.percent(high, decimals=0, lang=lang)}; n = {fmt.number(n, lang=lang)})")


# --- populations --------------------------------------------------------------------------------------


def _municipal_population(study: Any, code: str) -> pd.Series:
    """The municipality's population per year, summing every code it had (empty without the table)."""
    if not (study.processed_dir / "population.parquet").is_file():
        return pd.Series(dtype=float)
    from samorg.store import read_processed

    pop = read_processed(study.processed_dir, "population")
    muni = study.municipalities.get(code)
    codes = muni.all_codes if muni is not None else {code}
    pop = pop[pop[C.MUNICIPALITY_CODE].isin(codes) & (pop[C.AGE_GROUP] == "total")]
    return pop.groupby(C.YEAR)[C.POPULATION].sum(min_count=1).dropna()


def catchment_by_year(ctx: SiteContext) -> tuple[pd.Series, bool]:
    """The site's catchment population per year, and whether it was scaled by the municipality's growth
    (worked out once per report: eight sections ask)."""
    def build() -> tuple[pd.Series, bool]:
        pop = ctx.site.catchment_population
        if not pop:
            return pd.Series(dtype=float), False
        growth = _municipal_population(ctx.study, ctx.site.municipality_code)
        base = ctx.study.baseline_year
        if growth.empty or base not in growth.index:
            years = range(ctx.study.data_start.year, ctx.study.data_end.year + 1)
            return pd.Series(float(pop), index=list(years)), False
        return (pop * growth / growth[base]).rename("catchment"), True

    return ctx.once("aims_catchment", build)


def _before_after_years(ctx: SiteContext, series: pd.Series) -> tuple[int, int] | None:
    years = series.dropna().index
    base = ctx.study.baseline_year
    if base not in years or years.max() <= base:
        return None
    return base, int(years.max())


# --- aim 4 --------------------------------------------------------------------------------------------


def _survey_shares(ctx: SiteContext, item: str) -> pd.DataFrame:
    """Per wave at this site: answers in the two top categories (k) and answers (n)."""
    if not (ctx.study.processed_dir / "survey_responses.parquet").is_file():
        return pd.DataFrame(columns=["k", "n"])
    from samorg.store import read_processed

    # the whole table (parsed once per process, read_processed keeps it), then this site and item: one read
    # with these as filters would be parsed again for every site and item (24 reads in a synthesis)
    ans = read_processed(ctx.study.processed_dir, "survey_responses")
    ans = ans[(ans[C.SITE_ID] == ctx.site.site_id) & (ans[C.ITEM] == item)].dropna(subset=[C.RESPONSE])
    top = ans[C.RESPONSE].astype(int) >= 4
    out = pd.DataFrame({"k": top.groupby(ans[C.WAVE]).sum(), "n": top.groupby(ans[C.WAVE]).size()})
    return out[out["n"] >= ctx.min_cell]


def _item_name(item: str, lang: str) -> str:
    from samorg.report.synthesis import item_label

    return item_label(item, lang)


def _survey_row(ctx: SiteContext, item: str) -> tuple[list[str], str] | None:
    shares = _survey_shares(ctx, item)
    if shares.empty:
        return None
    lang = ctx.lang
    # before: the last wave up to the baseline year (the first wave when none is that early); after: the last
    early = [w for w in shares.index if w <= ctx.study.baseline_year]
    first, last = (max(early) if early else shares.index.min()), shares.index.max()
    a, b = shares.loc[first], shares.loc[last]
    row = [_t("ind_survey", lang, item=_item_name(item, lang)), f"{first}: {_share(a.k, a.n, lang)}",
           f"{last}: {_share(b.k, b.n, lang)}" if last != first else "–"]
    if last == first:
        return row, _t("interp_one_wave", lang)
    la, ha = wilson(a.k, a.n)
    lb, hb = wilson(b.k, b.n)
    word = "interp_up" if lb > ha else "interp_down" if hb < la else "interp_flat"
    return row, _t(word, lang, item=_item_name(item, lang).lower())


def _per_1000(ctx: SiteContext, column: str, key: str) -> list[str] | None:
    annual = annual_table(ctx)
    pop, _ = catchment_by_year(ctx)
    if annual.empty or column not in annual or pop.empty:
        return None
    rate = (annual[column] / pop.reindex(annual.index) * 1000).dropna()
    years = _before_after_years(ctx, rate)
    if years is None:
        return None
    lang = ctx.lang
    return [_t(key, lang)] + [f"{y}: {fmt.number(rate[y], decimals=1, lang=lang)}" for y in years]


def _self_service_row(ctx: SiteContext) -> list[str] | None:
    annual = annual_table(ctx)
    if annual.empty or not {"visits", "visits_self_service"} <= set(annual.columns):
        return None
    share = (annual["visits_self_service"] / annual["visits"]).dropna()
    years = _before_after_years(ctx, share)
    if years is None:
        return None
    lang = ctx.lang
    cells = [f"{y}: {fmt.percent(share[y], decimals=0, lang=lang)} "
             f"({_t('of_visits', lang, n=fmt.number(annual.loc[y, 'visits'], lang=lang))})" for y in years]
    return [_t("ind_self_service", lang)] + cells


def meeting_place_indicators(ctx: SiteContext):
    """Aim 4: the meeting-place indicators before and after, with uncertainty, an interpretation and limits."""
    lang = ctx.lang
    rows, notes = [], []
    primary = ctx.study.primary_by_aim.get(4)
    if primary is not None:
        found = _survey_row(ctx, primary)
        if found is not None:
            rows.append(found[0] + [_t("primary", lang)])
            notes.append(found[1])
    for column, key in (("events", "ind_events"), ("event_attendance", "ind_attendance")):
        row = _per_1000(ctx, column, key)
        if row is not None:
            rows.append(row + [_t("exploratory", lang)])
    row = _self_service_row(ctx)
    if row is not None:
        rows.append(row + [_t("exploratory", lang)])
    question = f"*{_t('q4', lang)}*"
    if not rows:
        return _md(question + "\n\n" + _t("none4", lang))
    frame = pd.DataFrame(rows, columns=[_t("col_indicator", lang), _t("col_before", lang), _t("col_after", lang),
                                        _t("col_status", lang)])
    parts = [question, markdown_table(frame, lang=lang, index=False), _t("note4", lang)]
    if primary is not None and not any(r[-1] == _t("primary", lang) for r in rows):
        parts.append(_t("no_primary_here", lang, item=_item_name(primary, lang)))
    parts += notes + [_t("cannot4", lang)]
    return _md("\n\n".join(parts))


# --- aim 5 --------------------------------------------------------------------------------------------


def _rate_by_year(obs: pd.DataFrame) -> pd.Series:
    wide = obs.pivot_table(index=C.PERIOD_START, columns=C.INDICATOR, values=C.VALUE, aggfunc="sum")
    if not {"visits", "population"} <= set(wide.columns):
        return pd.Series(dtype=float)
    rate = (wide["visits"] / wide["population"]).dropna()
    rate.index = rate.index.year
    return rate


def _reference_rates(ctx: SiteContext) -> tuple[pd.Series, pd.Series]:
    """Visits per inhabitant per year: the site's municipality, and all municipalities in the data."""
    key = "aims_reference"
    if key not in ctx.cache:
        from samorg.store import read_processed

        obs = read_processed(ctx.study.processed_dir, "observations", filters=[(C.FREQ, "==", "A")])
        obs = obs[obs[C.SITE_ID].isna() & obs[C.INDICATOR].isin(["visits", "population"])]
        obs = obs[obs[C.STATUS].fillna("") == ""]
        muni = ctx.study.municipalities.get(ctx.site.municipality_code)
        codes = muni.all_codes if muni is not None else {ctx.site.municipality_code}
        both = obs.groupby([C.MUNICIPALITY_CODE, C.PERIOD_START])[C.INDICATOR].transform("nunique") == 2
        ctx.cache[key] = (_rate_by_year(obs[obs[C.MUNICIPALITY_CODE].isin(codes)]), _rate_by_year(obs[both]))
    return ctx.cache[key]


def _place_frame(ctx: SiteContext) -> pd.DataFrame | None:
    """Visits per inhabitant by year at the site, its municipality and the nation (built once per report)."""
    def build() -> pd.DataFrame | None:
        annual = annual_table(ctx)
        pop, _ = catchment_by_year(ctx)
        if annual.empty or "visits" not in annual or pop.empty:
            return None
        site = (annual["visits"] / pop.reindex(annual.index)).dropna()
        muni, nation = _reference_rates(ctx)
        frame = pd.DataFrame({"site": site, "municipality": muni, "nation": nation}).dropna(subset=["site"])
        return frame if not frame.empty else None

    return ctx.once("aims_place", build)


def place_development_indicators(ctx: SiteContext):
    """Aim 5: visits per inhabitant of the catchment by year beside the municipality and the nation."""
    lang = ctx.lang
    question = f"*{_t('q5', lang)}*"
    frame = _place_frame(ctx)
    if frame is None:
        why = _t("no_catchment", lang) if not ctx.site.catchment_population else _t("no_visits", lang)
        return _md(question + "\n\n" + why)
    pop, scaled = catchment_by_year(ctx)
    muni_name = ctx.study.municipalities[ctx.site.municipality_code].name \
        if ctx.site.municipality_code in ctx.study.municipalities else ctx.site.municipality_code
    table = pd.DataFrame({
        _t("col_catchment", lang): pop.reindex(frame.index),
        _t("col_vpi_site", lang, name=ctx.site.name): frame["site"],
        _t("col_vpi_muni", lang, name=muni_name): frame["municipality"],
        _t("col_vpi_nation", lang): frame["nation"],
    })
    table.index.name = t("year", lang)
    parts = [question, markdown_table(table, lang=lang, decimals={c: 2 for c in table.columns[1:]}),
             _t("pop_scaled" if scaled else "pop_constant", lang, base=ctx.study.baseline_year)]
    years = _before_after_years(ctx, frame["site"])
    if years is not None:
        a, b = years
        change = {k: frame.loc[b, k] / frame.loc[a, k] - 1 if pd.notna(frame.loc[a, k]) and pd.notna(frame.loc[b, k])
                  else None for k in ("site", "municipality", "nation")}
        parts.append(_t("trend5", lang, a=a, b=b, name=ctx.site.name, muni=muni_name,
                        site=fmt.signed_percent(change["site"], decimals=0, lang=lang),
                        m=fmt.signed_percent(change["municipality"], decimals=0, lang=lang)
                        if change["municipality"] is not None else "–",
                        n=fmt.signed_percent(change["nation"], decimals=0, lang=lang)
                        if change["nation"] is not None else "–"))
    parts.append(_t("cannot5", lang))
    return _md("\n\n".join(parts))


def place_development_figure(ctx: SiteContext):
    """Visits per inhabitant, indexed to the baseline year (= 100): site, municipality and nation."""
    frame = _place_frame(ctx)
    base = ctx.study.baseline_year
    if frame is None or base not in frame.index:
        return _md(_t("no_figure5", ctx.lang))
    import matplotlib.pyplot as plt

    from samorg.report.figures import lay_out

    lang = ctx.lang
    index = frame / frame.loc[base] * 100
    fig, ax = plt.subplots(figsize=(8, 3.4), dpi=110)
    styles = {"site": ("#C44E52", ctx.site.name), "municipality": ("#4C72B0", _t("legend_muni", lang)),
              "nation": ("0.4", _t("legend_nation", lang))}
    washout = [y for y in index.index if any(w.start.year <= y <= w.end.year for w in ctx.study.washout_windows)]
    for key, (colour, name) in styles.items():
        # no line through the washout years (EVIDENCE.md §6): they are shown as open markers only
        ax.plot(index.index, index[key].where(~index.index.isin(washout)), marker="o", color=colour, label=name)
        ax.plot(washout, index.loc[washout, key], ls="none", marker="o", mfc="white", color=colour)
    ax.axhline(100, color="0.7", lw=0.8)
    if ctx.site.co_located:
        d = ctx.site.co_located
        ax.axvline(d.year + (d.month - 1) / 12 - 0.5, color="0.2", ls=":", lw=1)
    for w in ctx.study.washout_windows:
        ax.axvspan(w.start.year - 0.5, w.end.year + 0.5, color="0.9", zorder=0)
    ax.set_ylabel(_t("index_label", lang, base=base))
    ax.set_xlabel(t("year", lang))
    ax.set_xticks(list(index.index))
    ax.tick_params(axis="x", labelsize="small")
    ax.legend(frameon=False, fontsize="small")
    lay_out(fig)
    plt.close(fig)
    return fig


def place_development_caption(ctx: SiteContext):
    """The numbered caption of :func:`place_development_figure`; ``None`` when the figure was not drawn."""
    frame = _place_frame(ctx)
    if frame is None or ctx.study.baseline_year not in frame.index:
        return None
    lang = ctx.lang
    return figure_caption(ctx, _t("cap5", lang, site=ctx.site.name, base=ctx.study.baseline_year), _t("src5", lang))


def _site_contexts(ctx: SynthesisContext) -> list[SiteContext]:
    return [SiteContext(study=ctx.study, site=s, lang=ctx.lang) for s in ctx.study.sites_with_role("treated")]


def place_development_overview(ctx: SynthesisContext):
    """Aim 5 in the synthesis: each treated site's visits per inhabitant, baseline year → last year, beside its
    municipality and all municipalities."""
    lang, rows, shared = ctx.lang, [], {}
    for sctx in _site_contexts(ctx):
        code = sctx.site.municipality_code  # the reference rates depend on the site's municipality only
        if code in shared:
            sctx.cache["aims_reference"] = shared[code]
        frame = _place_frame(sctx)
        if "aims_reference" in sctx.cache:
            shared[code] = sctx.cache["aims_reference"]
        years = _before_after_years(sctx, frame["site"]) if frame is not None else None
        if years is None:
            continue
        a, b = years
        cells = {k: fmt.signed_percent(frame.loc[b, k] / frame.loc[a, k] - 1, decimals=0, lang=lang)
                 if pd.notna(frame.loc[a, k]) and pd.notna(frame.loc[b, k]) else "–"
                 for k in ("site", "municipality", "nation")}
        rows.append({_t("col_site", lang): sctx.site.name,
                     f"{a}": fmt.number(frame.loc[a, "site"], decimals=2, lang=lang),
                     f"{b}": fmt.number(frame.loc[b, "site"], decimals=2, lang=lang),
                     _t("col_change", lang, a=a, b=b): cells["site"],
                     _t("legend_muni", lang): cells["municipality"], _t("legend_nation", lang): cells["nation"]})
    question = f"*{_t('q5', lang)}*"
    if not rows:
        return _md(question + "\n\n" + _t("ov5_none", lang))
    table = markdown_table(pd.DataFrame(rows).fillna("–"), lang=lang, index=False)
    return _md("\n\n".join([question, table, _t("ov5_note", lang), _t("cannot5", lang)]))


def meeting_place_overview(ctx: SynthesisContext):
    """Aim 4 in the synthesis: the pre-specified meeting-place item at each treated site, before and after."""
    lang, rows, notes = ctx.lang, [], []
    item = ctx.study.primary_by_aim.get(4)
    for sctx in _site_contexts(ctx) if item is not None else []:
        found = _survey_row(sctx, item)
        if found is not None:
            rows.append([sctx.site.name, *found[0][1:]])
    question = f"*{_t('q4', lang)}*"
    if not rows:
        return _md(question + "\n\n" + _t("ov4_none", lang))
    frame = pd.DataFrame(rows, columns=[_t("col_site", lang), _t("col_before", lang), _t("col_after", lang)])
    return _md("\n\n".join([question, f"**{_item_name(item, lang)}**",
                              markdown_table(frame, lang=lang, index=False), _t("ov4_note", lang),
                              _t("cannot4", lang)] + notes))


# --- loans and the service centre ---------------------------------------------------------------------


def loans_table(ctx: SiteContext):
    """Loans shown like visits: annual sums, and the yearly mean before against after the change."""
    lang = ctx.lang
    annual = annual_table(ctx)
    if annual.empty or "loans" not in annual or annual["loans"].isna().all():
        return _md(_t("no_loans", lang))
    cols = [c for c in ("visits", "loans") if c in annual]
    table = annual[cols].rename(columns={c: label(c, lang) for c in cols})
    table.index.name = t("year", lang)
    parts = [markdown_table(table, lang=lang, decimals=0)]
    pre, post = ctx.study.periods.get("pre"), ctx.study.periods.get("post")
    if pre is not None and post is not None:
        before = annual.loc[[y for y in annual.index if pre.start.year <= y <= pre.end.year], "loans"].dropna()
        after = annual.loc[[y for y in annual.index if post.start.year <= y <= post.end.year], "loans"].dropna()
        if len(before) and len(after):
            parts.append(_t("loans_change", lang, a=fmt.number(before.mean(), lang=lang),
                            b=fmt.number(after.mean(), lang=lang),
                            change=fmt.signed_percent(after.mean() / before.mean() - 1, decimals=0, lang=lang),
                            pre=f"{pre.start.year}–{pre.end.year}", post=f"{post.start.year}–{post.end.year}"))
    parts.append(_t("loans_note", lang))
    return _md("\n\n".join(parts))


def _change_date(ctx: SiteContext):
    if ctx.site.co_located:
        return ctx.site.co_located
    muni = ctx.study.municipalities.get(ctx.site.municipality_code)
    return ctx.site.co_organised or (muni.co_organised if muni else None)


def inquiries_before_after(ctx: SiteContext):
    """Inquiries per year before and after the change, only when the log starts before it (else why not)."""
    lang = ctx.lang
    inq = ctx.inquiries
    if inq.empty:
        return _md(_t("no_inquiries", lang))
    when = _change_date(ctx)
    start = inq[C.TIMESTAMP].min()
    if when is None:
        return _md(_t("inq_no_change", lang))
    if start >= pd.Timestamp(when):
        return _md(_t("inq_no_before", lang, start=fmt.month(start, lang=lang), date=fmt.date(when, lang=lang)))
    year = inq[C.TIMESTAMP].dt.year
    per_year = inq.groupby(year).size()
    per_year = per_year[per_year >= ctx.min_cell]
    before = per_year[per_year.index < when.year]
    after = per_year[per_year.index > when.year]
    if before.empty or after.empty:
        return _md(_t("inq_short", lang, date=fmt.date(when, lang=lang)))
    return _md(_t("inq_change", lang, a=fmt.number(before.mean(), lang=lang), b=fmt.number(after.mean(), lang=lang),
                  ya=f"{before.index.min()}–{before.index.max()}", yb=f"{after.index.min()}–{after.index.max()}",
                  change=fmt.signed_percent(after.mean() / before.mean() - 1, decimals=0, lang=lang)))


def first_contact_resolution(ctx: SiteContext):
    """Share of inquiries resolved at first contact per year, with n and the Wilson interval."""
    lang = ctx.lang
    inq = ctx.inquiries.dropna(subset=[C.RESOLVED_FIRST_CONTACT]) if len(ctx.inquiries) else ctx.inquiries
    if inq.empty:
        return _md(_t("no_inquiries", lang))
    by = inq.groupby(inq[C.TIMESTAMP].dt.year)[C.RESOLVED_FIRST_CONTACT]
    table = pd.DataFrame({"k": by.sum().astype(float), "n": by.size()})
    hidden = int((table["n"] < ctx.min_cell).sum())
    table = table[table["n"] >= ctx.min_cell]
    if table.empty:
        return _md(_t("fcr_small", lang, k=ctx.min_cell))
    out = pd.DataFrame({_t("col_fcr", lang): [_share(r.k, r.n, lang) for r in table.itertuples()]}, index=table.index)
    out.index.name = t("year", lang)
    note = _t("fcr_note", lang) + (" " + _t("fcr_hidden", lang, n=hidden, k=ctx.min_cell) if hidden else "")
    return _md(markdown_table(out, lang=lang) + "\n\n" + note)


# --- aim 6 (synthesis) --------------------------------------------------------------------------------

from samorg.report._aims_national import (  # noqa: E402
    national_debate,
    national_position,
    national_position_caption,
    national_position_figure,
    transferability,
)
from samorg.report._aims_place import (  # noqa: E402
    catchment_reach,
    footfall_by_hour,
    footfall_caption,
    footfall_figure,
    place_overview,
    service_visitors,
)
