"""Three optional indicators of aims 4 and 5 in the site report (issue 14), from :mod:`samorg.clean.place` rows.

- :func:`catchment_reach` (aim 5): active borrowers living in the catchment ÷ the catchment's population, by
  year; a full count, so no sampling interval, and the change beside the comparison sites';
- :func:`footfall_by_hour` and :func:`footfall_figure` (aims 4 and 5): visits per day in staffed and in
  self-service hours in the people counter's sample weeks, first against last sample year, with 95 %
  intervals from the day-to-day variation, and the visits by hour of day;
- :func:`service_visitors` (aim 4): the share of survey respondents who came for a municipal service, and
  of them the share who also used the library, first against last wave, Wilson intervals and n.

Each says in one sentence when its data are not there. Counts below the study's small-cell threshold
are not shown.
"""

from __future__ import annotations

import math
import pandas as pd

from samorg import columns as C
from samorg import fmt
from samorg.report._aims_text import TEXT as _T
from samorg.report.site import SiteContext, _md
from samorg.report.tables import markdown_table
from samorg.report.text import t

__all__ = ["catchment_reach", "footfall_by_hour", "footfall_caption", "footfall_figure", "place_overview",
           "service_visitors"]

_MODES = {"hourly_visits_staffed": "staffed", "hourly_visits_self_service": "self_service",
          "hourly_visits_closed": "closed"}


def _t(key: str, lang: str, **values: object) -> str:
    text = _T["en" if lang == "en" else "nb"][key]
    return text.format(**values) if values else text


def _obs(ctx: SiteContext, freq: str, prefix: str, site_id: str | None = None) -> pd.DataFrame:
    """This site's (or ``site_id``'s) observations of one frequency whose indicator starts with ``prefix``."""
    key = ("place_obs", freq, prefix, site_id or ctx.site.site_id)
    if key not in ctx.cache:
        path = ctx.study.processed_dir / "observations.parquet"
        if not path.is_file():
            ctx.cache[key] = pd.DataFrame(columns=[C.PERIOD_START, C.INDICATOR, C.VALUE])
        else:
            from samorg.store import read_processed

            obs = read_processed(ctx.study.processed_dir, "observations",
                                 filters=[(C.SITE_ID, "==", site_id or ctx.site.site_id), (C.FREQ, "==", freq)])
            ctx.cache[key] = obs[obs[C.INDICATOR].str.startswith(prefix)].dropna(subset=[C.VALUE])
    return ctx.cache[key]


def _pp(x: float, lang: str) -> str:
    return _t("pp", lang, x=fmt.number(100 * x, decimals=1, lang=lang, sign=True))


# --- aim 5: share of the catchment reached ------------------------------------------------------------


def _reach(ctx: SiteContext, site_ctx: SiteContext | None = None) -> pd.DataFrame:
    """Per year: active borrowers, catchment population, share (empty without borrowers or catchment)."""
    from samorg.report.aims import catchment_by_year

    c = site_ctx or ctx
    rows = _obs(ctx, "A", "active_borrowers", c.site.site_id)
    pop, _ = catchment_by_year(c)
    if rows.empty or pop.empty:
        return pd.DataFrame(columns=["borrowers", "population", "share"])
    borrowers = rows.set_index(rows[C.PERIOD_START].dt.year)[C.VALUE]
    frame = pd.DataFrame({"borrowers": borrowers, "population": pop.reindex(borrowers.index)}).dropna()
    frame = frame[frame["borrowers"] >= ctx.min_cell]  # small cells are not shown
    return frame.assign(share=frame["borrowers"] / frame["population"])


def _comparison_change(ctx: SiteContext, a: int, b: int) -> float | None:
    """The mean change in reach (share points) from ``a`` to ``b`` at the comparison sites with both years."""
    from samorg.report.site import comparison_sites

    changes = []
    for site in comparison_sites(ctx):
        frame = _reach(ctx, SiteContext(study=ctx.study, site=site, lang=ctx.lang))
        if a in frame.index and b in frame.index:
            changes.append(frame.loc[b, "share"] - frame.loc[a, "share"])
    return sum(changes) / len(changes) if changes else None


def catchment_reach(ctx: SiteContext):
    """Aim 5: the share of the catchment who are active borrowers, by year, with the change since the baseline."""
    lang = ctx.lang
    if _obs(ctx, "A", "active_borrowers").empty:
        return _md(_t("no_borrowers", lang))
    frame = _reach(ctx)
    if frame.empty:
        return _md(_t("no_reach", lang))
    table = pd.DataFrame({_t("col_borrowers", lang): frame["borrowers"], _t("col_catchment", lang): frame["population"],
                          _t("col_reach", lang): frame["share"]})
    table.index.name = t("year", lang)
    parts = [markdown_table(table, lang=lang, decimals={_t("col_borrowers", lang): 0, _t("col_catchment", lang): 0,
                                                        _t("col_reach", lang): 1}, percent=[_t("col_reach", lang)])]
    base, years = ctx.study.baseline_year, list(frame.index)
    if base in years and max(years) > base:
        last = max(years)
        change = frame.loc[last, "share"] - frame.loc[base, "share"]
        text = _t("reach_change", lang, a=base, b=last, sa=fmt.percent(frame.loc[base, "share"], decimals=1, lang=lang),
                  sb=fmt.percent(frame.loc[last, "share"], decimals=1, lang=lang), d=_pp(change, lang))
        other = _comparison_change(ctx, base, last)
        if other is not None:
            text += " " + _t("reach_comparison", lang, d=_pp(other, lang), diff=_pp(change - other, lang))
        parts.append(text)
    parts += [_t("reach_note", lang), _t("reach_cannot", lang)]
    return _md("\n\n".join(parts))


# --- aims 4 and 5: footfall around opening hours -------------------------------------------------------


def _hours(ctx: SiteContext) -> pd.DataFrame:
    rows = _obs(ctx, "H", "hourly_visits")
    return rows.assign(mode=rows[C.INDICATOR].map(_MODES), day=rows[C.PERIOD_START].dt.normalize(),
                       year=rows[C.PERIOD_START].dt.year, hour=rows[C.PERIOD_START].dt.hour)


def _stratified(y: pd.Series, x: pd.Series | None, weekday: pd.Series) -> tuple[float, float, float]:
    """The mean per day of ``y`` (or the ratio Σy/Σx when ``x`` is given) with a 95 % interval, days
    stratified by weekday so that a week's rhythm is not read as noise (linearisation for the ratio)."""
    from scipy.stats import t as student

    if x is not None and x.sum() <= 0:
        return math.nan, math.nan, math.nan
    strata = pd.DataFrame({"y": y.to_numpy(), "x": (x if x is not None else y).to_numpy(), "w": weekday.to_numpy()})
    n_h = strata.groupby("w").size()
    est = float(strata.groupby("w")["y"].mean().mean())
    if x is None:
        resid = strata["y"]
    else:
        est = float(strata["y"].sum() / strata["x"].sum())
        resid = strata["y"] - est * strata["x"]
    df = int((n_h - 1).sum())
    if df < 1 or (n_h < 2).any():
        return est, math.nan, math.nan
    var = float((resid.groupby(strata["w"]).var(ddof=1) / n_h).sum()) / len(n_h) ** 2
    if x is not None:
        var /= float(strata.groupby("w")["x"].mean().mean()) ** 2
    half = float(student.ppf(0.975, df)) * math.sqrt(var)
    low, high = est - half, est + half
    return (est, max(0.0, low), min(1.0, high)) if x is not None else (est, max(0.0, low), high)


def _ci_text(est: float, low: float, high: float, lang: str, *, percent: bool = False) -> str:
    f = (lambda v: fmt.percent(v, decimals=0, lang=lang)) if percent else (lambda v: fmt.number(v, lang=lang))
    return f(est) if math.isnan(low) else f"{f(est)} ({f(low)}–{f(high)})"


def _footfall_rows(ctx: SiteContext) -> tuple[pd.DataFrame, dict[int, dict[str, tuple]]]:
    hours = _hours(ctx)
    daily = hours.pivot_table(index=["year", "day"], columns="mode", values=C.VALUE, aggfunc="sum").fillna(0.0)
    for mode in ("staffed", "self_service"):
        if mode not in daily:
            daily[mode] = 0.0
    out: dict[int, dict[str, tuple]] = {}
    for year, g in daily.groupby(level="year"):
        weekday = pd.Series(g.index.get_level_values("day").day_of_week, index=g.index)
        out[int(year)] = {"days": (len(g),), "staffed": _stratified(g["staffed"], None, weekday),
                          "self_service": _stratified(g["self_service"], None, weekday),
                          "share": _stratified(g["self_service"], g["staffed"] + g["self_service"], weekday)}
    return daily, out


def footfall_by_hour(ctx: SiteContext):
    """Visits per day in staffed and in self-service hours, first and last sample year, with 95 % intervals."""
    lang = ctx.lang
    if _obs(ctx, "H", "hourly_visits").empty:
        return _md(_t("no_hours", lang))
    _, years = _footfall_rows(ctx)
    rows = [{_t("col_sample", lang): _t("sample_days", lang, year=y, n=v["days"][0]),
             _t("col_staffed_day", lang): _ci_text(*v["staffed"], lang),
             _t("col_self_day", lang): _ci_text(*v["self_service"], lang),
             _t("col_self_share", lang): _ci_text(*v["share"], lang, percent=True)} for y, v in sorted(years.items())]
    parts = [markdown_table(pd.DataFrame(rows), lang=lang, index=False), _t("hours_note", lang)]
    if len(years) >= 2:
        a, b = min(years), max(years)
        words = []
        for key in ("staffed", "self_service"):
            (ea, la, ha), (eb, lb, hb) = years[a][key], years[b][key]
            overlap = math.isnan(la) or math.isnan(lb) or not (lb > ha or hb < la)
            words.append(_t("flat" if overlap else ("up" if eb > ea else "down"), lang))
        changed = any(word != _t("flat", lang) for word in words)
        parts.append(_t("hours_interp", lang, a=a, b=b, staffed=words[0], self=words[1])
                     + (" " + _t("hours_overlap", lang) if changed else "") + " " + _t("hours_caveat", lang))
    parts.append(_t("hours_cannot", lang))
    return _md("\n\n".join(parts))


def footfall_figure(ctx: SiteContext):
    """Mean visits per hour of day in the first and the last sample year (all sample days)."""
    hours = _hours(ctx)
    if hours.empty:
        return None
    import matplotlib.pyplot as plt

    from samorg.report.figures import lay_out

    lang = ctx.lang
    profile = hours.groupby(["year", "hour"])[C.VALUE].sum() / hours.groupby("year")["day"].nunique()
    years = sorted(profile.index.get_level_values("year").unique())
    fig, ax = plt.subplots(figsize=(8, 3.2), dpi=110)
    for year, colour in zip((years[0], years[-1]) if len(years) > 1 else years, ("0.45", "#C44E52")):
        part = profile.loc[year].reindex(range(24), fill_value=0.0)
        ax.plot(part.index, part.to_numpy(), marker="o", ms=3, color=colour, label=str(year))
    ax.set_xticks(range(0, 24, 2))
    ax.set_xlabel(_t("hour_label", lang))
    ax.set_ylabel(_t("visits_hour_label", lang))
    ax.legend(frameon=False, fontsize="small")
    lay_out(fig)
    plt.close(fig)
    return fig


def footfall_caption(ctx: SiteContext):
    """The numbered caption of :func:`footfall_figure`; ``None`` when it was not drawn."""
    from samorg.report.aims import figure_caption

    hours = _hours(ctx)
    if hours.empty:
        return None
    years = sorted(hours["year"].unique())
    return figure_caption(ctx, _t("cap_hours", ctx.lang, site=ctx.site.name, a=years[0], b=years[-1]),
                          _t("src_hours", ctx.lang))


# --- aim 4: came for a municipal service and also used the library -------------------------------------


def _wave_counts(ctx: SiteContext) -> pd.DataFrame:
    rows = _obs(ctx, "A", "errand_")
    if rows.empty:
        return pd.DataFrame()
    wide = rows.pivot_table(index=rows[C.PERIOD_START].dt.year, columns=C.INDICATOR, values=C.VALUE, aggfunc="sum")
    return wide.reindex(columns=["errand_answered", "errand_service", "errand_library_answered", "errand_library"],
                        fill_value=0.0)


def _cell(k: float, n: float, wave: int, ctx: SiteContext) -> str:
    from samorg.report.aims import _share

    if n < ctx.min_cell:
        return _t("too_few", ctx.lang, wave=wave, k=ctx.min_cell)
    return f"{wave}: {_share(k, n, ctx.lang)}"


def _wave_start(ctx: SiteContext, wave: int) -> pd.Timestamp:
    """The first answer date of a wave at this site (the survey table), else the end of the wave's year."""
    path = ctx.study.processed_dir / "survey_responses.parquet"
    if path.is_file():
        from samorg.store import read_processed

        dates = read_processed(ctx.study.processed_dir, "survey_responses", columns=[C.DATE],
                               filters=[(C.SITE_ID, "==", ctx.site.site_id), (C.WAVE, "==", wave)])[C.DATE]
        if len(dates):
            return pd.Timestamp(dates.min())
    return pd.Timestamp(year=wave, month=12, day=31)


def service_visitors(ctx: SiteContext):
    """Aim 4: who came for a municipal service, and of them who also used the library, first and last wave."""
    from samorg.report.aims import wilson

    lang = ctx.lang
    waves = _wave_counts(ctx)
    if waves.empty:
        return _md(_t("no_errands", lang))
    early = [w for w in waves.index if w <= ctx.study.baseline_year]
    first, last = (max(early) if early else waves.index.min()), waves.index.max()
    rows, notes = [], []
    for label_key, k, n in (("ind_service", "errand_service", "errand_answered"),
                            ("ind_also_library", "errand_library", "errand_library_answered")):
        a, b = waves.loc[first], waves.loc[last]
        rows.append([_t(label_key, lang), _cell(a[k], a[n], first, ctx),
                     _cell(b[k], b[n], last, ctx) if last != first else "–", _t("exploratory", lang)])
        if last != first and min(a[n], b[n]) >= ctx.min_cell:
            la, ha = wilson(a[k], a[n])
            lb, hb = wilson(b[k], b[n])
            word = "up" if lb > ha else "down" if hb < la else "flat"
            what = _t("what_" + label_key, lang)
            notes.append(_t("errand_interp_flat" if word == "flat" else "errand_interp", lang, what=what,
                            change=_t(word, lang)))
    frame = pd.DataFrame(rows, columns=[_t("col_indicator", lang), _t("col_before", lang), _t("col_after", lang),
                                        _t("col_status", lang)])
    when = ctx.site.co_located
    if when is not None and _wave_start(ctx, int(last)) < pd.Timestamp(when):
        notes.insert(0, _t("errand_before_change", lang, wave=last, date=fmt.date(when, lang=lang)))
    parts = [f"**{_t('errand_head', lang)}**", markdown_table(frame, lang=lang, index=False),
             _t("errand_note", lang, k=ctx.min_cell), *notes,
             _t("errand_cannot", lang)]
    return _md("\n\n".join(parts))


def has_place_data(ctx: SiteContext) -> dict[str, bool]:
    """Which of the three exports the site has rows in (for tests and the data overview)."""
    return {"active_borrowers": not _obs(ctx, "A", "active_borrowers").empty,
            "counter_hours": not _obs(ctx, "H", "hourly_visits").empty,
            "errands": not _obs(ctx, "A", "errand_").empty}


def place_overview(ctx: Any):
    """Aims 4 and 5 in the synthesis: each treated site's reach (baseline → last year) and, in the last survey wave,
    the share who came for a municipal service and of them the share who also used the library."""
    from samorg.report.aims import _share

    lang, rows = ctx.lang, []
    for site in ctx.study.sites_with_role("treated"):
        sctx = SiteContext(study=ctx.study, site=site, lang=lang)
        reach, waves = _reach(sctx), _wave_counts(sctx)
        base = ctx.study.baseline_year
        cells = ["–", "–", "–"]
        if base in reach.index and reach.index.max() > base:
            last = reach.index.max()
            cells[0] = (f"{fmt.percent(reach.loc[base, 'share'], decimals=1, lang=lang)} → "
                        f"{fmt.percent(reach.loc[last, 'share'], decimals=1, lang=lang)} ({base}–{last})")
        if not waves.empty:
            w = waves.loc[waves.index.max()]
            for i, (k, n) in enumerate((("errand_service", "errand_answered"),
                                        ("errand_library", "errand_library_answered")), start=1):
                cells[i] = (f"{_share(w[k], w[n], lang)} ({waves.index.max()})" if w[n] >= sctx.min_cell
                            else _t("too_few", lang, wave=waves.index.max(), k=sctx.min_cell))
        if any(c != "–" for c in cells):
            rows.append([site.name, *cells])
    if not rows:
        return _md(_t("ov_place_none", lang))
    frame = pd.DataFrame(rows, columns=[_t("col_site_short", lang), _t("col_reach_change", lang),
                                        _t("col_service_last", lang), _t("col_library_last", lang)])
    return _md("\n\n".join([markdown_table(frame, lang=lang, index=False), _t("ov_place_note", lang)]))
