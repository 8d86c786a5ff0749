"""Site-report sections beyond the main effect: meeting place, place development, the service centre.

Each function takes the :class:`~samorg.report.site.SiteContext`, returns something Jupyter displays,
and says plainly when the site has no data for the section.
"""

from __future__ import annotations

import pandas as pd

from samorg import columns as C
from samorg import fmt
from samorg.errors import ModelError
from samorg.report.notes import model_warnings
from samorg.report.site import SiteContext, _md
from samorg.report.tables import markdown_table
from samorg.report.text import t

__all__ = [
    "annual_table",
    "data_availability",
    "did_comparison",
    "did_figure",
    "did_summary",
    "event_figure",
    "event_note",
    "event_result",
    "meeting_place",
    "meeting_place_figure",
    "place_development",
    "service_centre",
    "service_centre_figure",
    "user_experience",
    "user_experience_change",
]

# Indicators summed to a year, with their label keys.
_ANNUAL = ("visits", "visits_self_service", "loans", "events", "event_attendance", "staffed_hours", "self_service_hours")


def annual_table(ctx: SiteContext) -> pd.DataFrame:
    """The site's indicators summed per calendar year (complete years only; flagged months counted as missing);
    built once per report (five sections ask)."""
    return ctx.once("annual", lambda: _annual_table(ctx))


def _annual_table(ctx: SiteContext) -> pd.DataFrame:
    obs = ctx.monthly
    if obs.empty:
        return pd.DataFrame()
    good = obs[obs[C.STATUS].fillna("") == ""]
    good = good.assign(year=good[C.PERIOD_START].dt.year)
    months = good.groupby(["year", C.INDICATOR])[C.VALUE].count().unstack()
    sums = good.groupby(["year", C.INDICATOR])[C.VALUE].sum(min_count=1).unstack()
    # A year with a missing month is scaled up from the months it has, and marked.
    scaled = sums * (12 / months)
    return scaled.reindex(columns=[c for c in _ANNUAL if c in scaled.columns])


def data_availability(ctx: SiteContext):
    """Which kinds of data the site has, and for which years: what the report can and cannot show."""
    lang = ctx.lang
    rows = []
    obs = ctx.monthly
    for ind in ("visits", "loans", "events", "staffed_hours", "self_service_hours"):
        part = obs[(obs[C.INDICATOR] == ind) & obs[C.VALUE].notna()]
        if part.empty:
            rows.append((t(f"ind_{ind}", lang), t("missing_data", lang)))
        else:
            start, end = part[C.PERIOD_START].min(), part[C.PERIOD_START].max()
            flagged = int((obs[(obs[C.INDICATOR] == ind)][C.STATUS].fillna("") != "").sum())
            text = f"{fmt.month(start, lang=lang)}–{fmt.month(end, lang=lang)}"
            if flagged:
                text += " · " + t("flagged_months", lang, n=flagged)
            rows.append((t(f"ind_{ind}", lang), text))
    inq = ctx.inquiries
    rows.append((t("ind_inquiries", lang), t("rows_years", lang, n=fmt.number(len(inq), lang=lang),
                 start=inq[C.TIMESTAMP].dt.year.min(), end=inq[C.TIMESTAMP].dt.year.max())
                 if len(inq) else t("missing_data", lang)))
    frame = pd.DataFrame(rows, columns=[t("data_kind", lang), t("data_period", lang)]).set_index(t("data_kind", lang))
    return _md(markdown_table(frame, lang=lang))


def meeting_place(ctx: SiteContext):
    """Aim 4: events, attendance, and staffed vs self-service opening hours, per year."""
    lang = ctx.lang
    annual = annual_table(ctx)
    needed = [c for c in ("events", "event_attendance", "staffed_hours", "self_service_hours", "visits_self_service",
                          "visits") if c in annual.columns]
    if annual.empty or not needed or annual[needed].isna().all().all():
        return _md(t("no_library_data", lang))
    table = pd.DataFrame(index=annual.index)
    if "events" in annual:
        table[t("col_events", lang)] = annual["events"]
        table[t("col_attendance", lang)] = annual["event_attendance"]
    if "staffed_hours" in annual and "self_service_hours" in annual:
        total = annual["staffed_hours"] + annual["self_service_hours"]
        table[t("col_staffed_hours", lang)] = annual["staffed_hours"]
        table[t("col_self_service_hours", lang)] = annual["self_service_hours"]
        table[t("col_self_service_share_hours", lang)] = annual["self_service_hours"] / total
    if "visits_self_service" in annual and "visits" in annual:
        table[t("col_self_service_share_visits", lang)] = annual["visits_self_service"] / annual["visits"]
    table.index.name = t("year", lang)
    pct = [t("col_self_service_share_hours", lang), t("col_self_service_share_visits", lang)]
    text = markdown_table(table, lang=lang, percent=pct)
    note = t("meeting_place_note", lang)
    if ctx.study.washout_windows:
        labels = "; ".join(f"{w.label_in(lang)} ({fmt.date(w.start, lang=lang)}–{fmt.date(w.end, lang=lang)})"
                           for w in ctx.study.washout_windows)
        note += " " + t("washout_years_note", lang, windows=labels)
    return _md(text + "\n\n" + note)


def meeting_place_figure(ctx: SiteContext):
    """Events and attendance per year (bars) with the co-location year marked."""
    annual = annual_table(ctx)
    if annual.empty or "events" not in annual or annual["events"].isna().all():
        return None
    import matplotlib.pyplot as plt

    from samorg.report.figures import lay_out, number_axis

    lang = ctx.lang
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3), dpi=110)
    ax1.bar(annual.index, annual["events"], color="#4C72B0")
    ax1.set_ylabel(t("col_events", lang))
    ax2.bar(annual.index, annual["event_attendance"], color="#55A868")
    ax2.set_ylabel(t("col_attendance", lang))
    for ax in (ax1, ax2):
        ax.set_xlabel(t("year", lang))
        number_axis(ax, lang=lang)
        if ctx.site.co_located:
            ax.axvline(ctx.site.co_located.year - 0.5, color="0.2", ls=":", lw=1)
        ax.tick_params(axis="x", labelsize="small")
    lay_out(fig)
    plt.close(fig)
    return fig


def place_development(ctx: SiteContext):
    """Aim 5: visits per inhabitant of the site's catchment, per year."""
    lang = ctx.lang
    annual = annual_table(ctx)
    pop = ctx.site.catchment_population
    if annual.empty or "visits" not in annual or not pop:
        missing = t("no_catchment", lang) if not pop else t("no_library_data", lang)
        return _md(missing)
    table = pd.DataFrame({t("col_visits", lang): annual["visits"], t("col_visits_per_inhabitant", lang): annual["visits"] / pop})
    table.index.name = t("year", lang)
    note = t("place_note", lang, pop=fmt.number(pop, lang=lang))
    return _md(markdown_table(table, lang=lang, decimals={t("col_visits_per_inhabitant", lang): 2}) + "\n\n" + note)


def service_centre(ctx: SiteContext):
    """Inquiries to the citizen service centre: by channel and year, first-contact resolution, waiting time.

    Counts below the study's small-cell threshold are suppressed (with secondary suppression), so no
    table can single out a person.
    """
    lang = ctx.lang
    inq = ctx.inquiries
    if inq.empty:
        return _md(t("no_inquiries", lang))
    inq = inq.assign(year=inq[C.TIMESTAMP].dt.year)
    by_channel = inq.pivot_table(index="year", columns=C.CHANNEL, values=C.SITE_ID, aggfunc="count", fill_value=0)
    by_channel.columns = [str(c) for c in by_channel.columns]
    by_channel.index.name = t("year", lang)
    from samorg.privacy import suppress

    hidden = suppress(by_channel, threshold=ctx.min_cell)
    n_hidden = int(hidden.mask.to_numpy().sum())
    per_year = inq.groupby("year").agg(
        n=(C.SITE_ID, "size"),
        resolved=(C.RESOLVED_FIRST_CONTACT, "mean"),
        wait=(C.WAIT_MINUTES, "median"),
    )
    per_year = per_year[per_year["n"] >= ctx.min_cell]
    summary = pd.DataFrame({
        t("col_inquiries", lang): per_year["n"],
        t("col_resolved_first", lang): per_year["resolved"].astype(float),
        t("col_wait_median", lang): per_year["wait"],
    })
    summary.index.name = t("year", lang)
    parts = [
        f"**{t('inquiries_by_channel', lang)}**",
        markdown_table(hidden.table, lang=lang),
        f"**{t('inquiries_quality', lang)}**",
        markdown_table(summary, lang=lang, percent=[t("col_resolved_first", lang)], decimals={t("col_wait_median", lang): 0}),
        t("inquiries_note", lang) + (" " + hidden.note(lang) + " " + t("cells_hidden", lang, n=n_hidden) if n_hidden else ""),
    ]
    return _md("\n\n".join(parts))


def service_centre_figure(ctx: SiteContext):
    """Share of inquiries resolved at first contact per year, with the number of inquiries."""
    inq = ctx.inquiries
    if inq.empty:
        return None
    import matplotlib.pyplot as plt

    from samorg.report.figures import lay_out, percent_axis

    lang = ctx.lang
    per_year = inq.assign(year=inq[C.TIMESTAMP].dt.year).groupby("year").agg(
        n=(C.SITE_ID, "size"), resolved=(C.RESOLVED_FIRST_CONTACT, "mean"))
    per_year = per_year[per_year["n"] >= ctx.min_cell]
    fig, ax = plt.subplots(figsize=(8, 2.8), dpi=110)
    ax.plot(per_year.index, per_year["resolved"].astype(float), marker="o", color="#4C72B0")
    ax.set_ylim(0, 1)
    percent_axis(ax, lang=lang)
    ax.set_ylabel(t("col_resolved_first", lang))
    ax.set_xlabel(t("year", lang))
    ax.set_xticks(per_year.index)
    lay_out(fig)
    plt.close(fig)
    return fig


_ITEMS = ("satisfaction", "accessibility", "opening_hours", "staff_help", "calm", "place_to_stay")


def _survey(ctx: SiteContext) -> pd.DataFrame:
    if "survey" not in ctx.cache:
        from samorg.store import load_survey_responses

        path = ctx.study.processed_dir / "survey_responses.parquet"
        ctx.cache["survey"] = (load_survey_responses(ctx.study.processed_dir, ordered=False)
                               if path.is_file() else pd.DataFrame())
    return ctx.cache["survey"]


def user_experience(ctx: SiteContext):
    """Aim 2: the share of the two best answers per survey item and wave at this site, with the number asked.

    A wave with fewer respondents than the small-cell threshold is not shown.
    """
    lang = ctx.lang
    answers = _survey(ctx)
    mine = answers[answers[C.SITE_ID] == ctx.site.site_id] if len(answers) else answers
    if mine.empty:
        return _md(t("no_survey", lang))
    answered = mine.dropna(subset=[C.RESPONSE])
    top = answered.assign(top=answered[C.RESPONSE].astype(int) >= 4)
    shares = top.pivot_table(index=C.ITEM, columns=C.WAVE, values="top", aggfunc="mean")
    n = mine.groupby(C.WAVE)[C.RESPONDENT_ID].nunique()
    waves = [w for w in shares.columns if n.get(w, 0) >= ctx.min_cell]
    table = pd.DataFrame(index=[t(f"item_{i}", lang) for i in shares.index])
    for w in waves:
        table[t("col_top_two", lang, wave=w)] = shares[w].to_numpy()
    table.index.name = t("col_item", lang)
    counts = ", ".join(t("n_wave", lang, wave=w, n=fmt.number(n[w], lang=lang)) for w in waves)
    return _md(markdown_table(table, lang=lang, percent=list(table.columns)) + "\n\n" + t("survey_note", lang, counts=counts))


def user_experience_change(ctx: SiteContext):
    """Before/after against the never-co-located sites for each item, as shifts in the top-two share (exploratory)."""
    from samorg.models import ordinal_change
    from samorg.report.site import comparison_sites

    lang = ctx.lang
    answers = _survey(ctx)
    if answers.empty or ctx.site.co_located is None:
        return None
    comparison = {s.site_id for s in comparison_sites(ctx)}
    waves = sorted(answers[C.WAVE].unique())
    mine = answers[answers[C.SITE_ID] == ctx.site.site_id]
    if len(waves) < 2 or not comparison or mine.empty:
        return _md(t("survey_no_change", lang))
    after = answers[answers[C.WAVE] == waves[-1]]
    if (after.loc[after[C.SITE_ID] == ctx.site.site_id, C.DATE] < pd.Timestamp(ctx.site.co_located)).all():
        return _md(t("survey_before_colocation", lang))
    data = answers[answers[C.SITE_ID].isin(comparison | {ctx.site.site_id})].dropna(subset=[C.RESPONSE])
    data = data.assign(here=(data[C.SITE_ID] == ctx.site.site_id).astype(int),
                       **{C.RESPONSE: data[C.RESPONSE].astype(int)})
    rows, failures, notes = [], [], []
    for item in _ITEMS:
        part = data[data[C.ITEM] == item]
        if part.empty:
            continue
        with model_warnings(f"ordinal change, {ctx.site.site_id}, {item}", notes):
            try:
                res = ordinal_change(part, outcome=C.RESPONSE, design="did", group="here", time=C.WAVE,
                                     before=waves[0], after=waves[-1])
            except ModelError as exc:  # the item cannot be fitted: say why under the table
                res = None
                failures.append(f"{t(f'item_{item}', lang)}: {exc}")
        if res is None:
            rows.append((t(f"item_{item}", lang), "–", "–"))
            continue
        rows.append((t(f"item_{item}", lang), fmt.number(100 * res.estimate, decimals=1, lang=lang, sign=True),
                     f"{fmt.number(100 * res.ci_low, decimals=1, lang=lang, sign=True)} – "
                     f"{fmt.number(100 * res.ci_high, decimals=1, lang=lang, sign=True)}"))
    frame = pd.DataFrame(rows, columns=[t("col_item", lang), t("col_pp_change", lang), t("col_ci", lang)])
    names = ", ".join(s.name for s in comparison_sites(ctx))
    note = t("survey_change_note", lang, names=names, before=waves[0], after=waves[-1])
    extra = "".join(f"\n\n{t('not_estimated', lang, why=f)}" for f in failures)
    extra += "".join(f"\n\n{t('model_warning', lang, message=m)}" for m in notes)
    return _md(markdown_table(frame, lang=lang, index=False) + "\n\n" + note + extra)


def _yearly_panel(ctx: SiteContext) -> pd.DataFrame | None:
    """Yearly log visits for this site and the never-co-located comparison sites (complete years only)."""
    import numpy as np

    from samorg.report.site import comparison_sites

    if "yearly_panel" not in ctx.cache:
        ids = [ctx.site.site_id] + [s.site_id for s in comparison_sites(ctx)]
        from samorg.store import read_processed

        obs = read_processed(ctx.study.processed_dir, "observations",
                             filters=[(C.SITE_ID, "in", ids), (C.INDICATOR, "==", "visits")])
        obs = obs[(obs[C.FREQ] == "M") & (obs[C.STATUS].fillna("") == "")].dropna(subset=[C.VALUE])
        obs = obs.assign(year=obs[C.PERIOD_START].dt.year)
        grouped = obs.groupby([C.SITE_ID, "year"])[C.VALUE].agg(["sum", "count"]).reset_index()
        grouped = grouped[grouped["count"] == 12]
        panel = grouped.assign(log_visits=np.log(grouped["sum"]))
        ctx.cache["yearly_panel"] = panel if panel[C.SITE_ID].nunique() >= 2 else None
    return ctx.cache["yearly_panel"]


def _washout_years(ctx: SiteContext) -> set[int]:
    """Calendar years touched by the study's washout windows (left out of the yearly models)."""
    return {y for w in ctx.study.washout_windows for y in range(w.start.year, w.end.year + 1)}


def did_comparison(ctx: SiteContext):
    """Difference in differences of yearly visits against the never-co-located sites, permutation inference.

    The first full year after co-location on is "after"; the washout years and the year of
    co-location itself are left out. With one treated site among a few, the smallest attainable
    p-value is large, and the report says so.
    """
    from samorg.models import did

    if ctx.site.co_located is None:
        return None
    if "did" not in ctx.cache:
        panel = _yearly_panel(ctx)
        result = None
        if panel is not None:
            start = ctx.site.co_located.year + (0 if ctx.site.co_located.month == 1 else 1)
            skip = _washout_years(ctx) | ({ctx.site.co_located.year} if ctx.site.co_located.month > 1 else set())
            data = panel[~panel["year"].isin(skip)]
            data = data.assign(treated=(data[C.SITE_ID] == ctx.site.site_id).astype(int),
                               post=(data["year"] >= start).astype(int))
            with model_warnings(f"DiD, {ctx.site.site_id}", ctx.notes):
                try:
                    result = did(data, outcome="log_visits", group="treated", post="post", unit=C.SITE_ID,
                                 time="year", inference="permutation")
                except ModelError as exc:
                    result = exc
        ctx.cache["did"] = result
    return ctx.cache["did"]


def did_figure(ctx: SiteContext):
    """Yearly log visits of the site and the comparison sites, before and after."""
    res = did_comparison(ctx)
    if res is None or isinstance(res, Exception):
        return None
    import matplotlib.pyplot as plt

    from samorg.plots import plot_did
    from samorg.report.figures import lay_out

    fig, ax = plt.subplots(figsize=(8, 3.2), dpi=110)
    plot_did(res, ax=ax, lang=ctx.lang, ylabel=t("log_visits", ctx.lang), intervention=ctx.site.co_located,
             exclude=[w.as_tuple(ctx.lang) for w in ctx.study.washout_windows], treated_label=ctx.site.name)
    lay_out(fig)
    plt.close(fig)
    return fig


def did_summary(ctx: SiteContext):
    """The difference-in-differences estimate in words, with its permutation p-value and its limits.

    An interval the permutation test cannot bound is never printed (EVIDENCE.md §6): the text says why.
    """
    import math

    res = did_comparison(ctx)
    lang = ctx.lang
    if res is None:
        return _md(t("did_none" if ctx.intervention is None else "did_no_comparison", lang))
    if isinstance(res, Exception):
        return _md(t("its_failed", lang, error=str(res)))
    p = fmt.p_value(res.p_value, lang=lang, min_attainable=res.details.get("min_attainable_p"))
    if math.isfinite(res.ci_low) and math.isfinite(res.ci_high):
        ci = t("did_ci", lang, low=fmt.signed_percent(math.exp(res.ci_low) - 1, decimals=1, lang=lang),
               high=fmt.signed_percent(math.exp(res.ci_high) - 1, decimals=1, lang=lang))
    else:
        n = res.details.get("n_assignments") or res.details.get("n_permutations")
        ci = t("did_unbounded", lang, n=fmt.number(n, lang=lang)) if n else t("did_unbounded_plain", lang)
    r = math.exp(res.estimate) - 1
    text = t("did_change", lang, size=fmt.percent(abs(r), decimals=1, lang=lang),
             direction=t("higher" if r >= 0 else "lower", lang), ci=ci, p=p, label=t("exploratory", lang))
    return _md(f"{text}\n\n{t('did_note', lang)}")


def event_figure(ctx: SiteContext):
    """Effects by year relative to co-location against the comparison sites (Callaway–Sant'Anna).

    Pre-co-location years show whether the site was already drifting apart from the comparison
    (the pre-trend check); the washout years are left out of the estimation.
    """
    res = event_result(ctx)
    if res is None and "event" not in ctx.cache:
        return None
    res = ctx.cache["event"]
    if isinstance(res, Exception):
        import logging

        logging.getLogger("samorg.report").warning("event study, %s: %s", ctx.site.site_id, res)
        return _md(t("event_not_estimated", ctx.lang, why=str(res)))
    if res is None:
        return None
    import matplotlib.pyplot as plt

    from samorg.plots import plot_event_study
    from samorg.report.figures import lay_out

    fig, ax = plt.subplots(figsize=(8, 3.2), dpi=110)
    plot_event_study(res, ax=ax, lang=ctx.lang, ylabel=t("event_ylabel", ctx.lang), xlabel=t("year", ctx.lang),
                     calendar=True, intervention=ctx.site.co_located,
                     exclude=[w.as_tuple(ctx.lang) for w in ctx.study.washout_windows])
    lay_out(fig)
    plt.close(fig)
    return fig


def event_note(ctx: SiteContext):
    """How to read the year-by-year figure; nothing when there is no figure."""
    if event_result(ctx) is None:
        return None
    return _md(t("event_note", ctx.lang))


def event_result(ctx: SiteContext):
    """The site's event study (fitted once per report), ``None`` when it cannot be estimated."""
    import numpy as np

    from samorg.models import event_study

    if ctx.intervention is None:
        return None
    if "event" not in ctx.cache:
        panel = _yearly_panel(ctx)
        result = None
        if panel is not None:
            start = ctx.site.co_located.year + (0 if ctx.site.co_located.month == 1 else 1)
            data = panel.assign(first_treated=np.where(panel[C.SITE_ID] == ctx.site.site_id, start, np.nan))
            washout = sorted(_washout_years(ctx))
            # The reference is the last whole year before co-location outside the washout years.
            own_years = set(panel.loc[panel[C.SITE_ID] == ctx.site.site_id, "year"])  # whole years only
            clean_pre = [y for y in own_years if y < ctx.site.co_located.year and y not in washout]
            reference = (max(clean_pre) - start) if clean_pre else -1
            label = "; ".join(w.label_in(ctx.lang) for w in ctx.study.washout_windows)
            with model_warnings(f"event study, {ctx.site.site_id}", ctx.notes):
                try:
                    result = event_study(data, outcome="log_visits", unit=C.SITE_ID, time="year",
                                         first_treated="first_treated", reference=int(reference),
                                         exclude=[(washout[0], washout[-1], label)] if washout else ())
                except ModelError as exc:
                    result = exc
        else:
            result = ModelError(t("event_no_panel", ctx.lang))
        ctx.cache["event"] = result
    res = ctx.cache["event"]
    return None if isinstance(res, Exception) else res
