"""The site report's building blocks: one call per notebook cell.

The notebook ``notebooks/site_report.ipynb`` holds only parameters and calls to these functions;
every number in its prose comes from a result object, never typed by hand. Each function returns
something Jupyter displays (Markdown, a table, a figure) and changes nothing on disk.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from samorg import columns as C
from samorg import fmt
from samorg._version import __version__
from samorg.config import Site, Study, load_study
from samorg.errors import ModelError, SamorgError
from samorg.report.text import heading, join_names, label, markdown, number_word, t

__all__ = [
    "SiteContext",
    "caveats",
    "comparison_sites",
    "estimand_text",
    "few_units_caveat",
    "fit_visits_effect",
    "key_results",
    "load",
    "prespecified_label",
    "provenance",
    "section",
    "site_facts",
    "visits_sensitivity",
    "title_block",
    "topic",
    "use_visits_effect",
    "visits_effect",
    "visits_figure",
    "visits_summary",
]


@dataclass
class SiteContext:
    """Everything one site report needs: the study, the site, the language and the site's data."""

    study: Study
    site: Site
    lang: str = "nb"
    notes: list[str] = field(default_factory=list)
    cache: dict = field(default_factory=dict)

    @cached_property
    def monthly(self) -> pd.DataFrame:
        """The site's monthly observations (all indicators), oldest first."""
        path = self.study.processed_dir / "observations.parquet"
        if not path.is_file():
            raise SamorgError(
                f"{path}: the processed data are missing. Run `samorg data --study {self.study.path}` first."
            )
        from samorg.store import read_processed

        obs = read_processed(self.study.processed_dir, "observations",
                             filters=[(C.SITE_ID, "==", self.site.site_id), (C.FREQ, "==", "M")])
        return obs.sort_values([C.INDICATOR, C.PERIOD_START]).reset_index(drop=True)

    @cached_property
    def inquiries(self) -> pd.DataFrame:
        """The site's inquiries to the citizen service centre (no free text, no names)."""
        path = self.study.processed_dir / "inquiries.parquet"
        if not path.is_file():
            return pd.DataFrame(columns=[C.SITE_ID, C.TIMESTAMP, C.CHANNEL, C.TOPIC, C.RESOLVED_FIRST_CONTACT,
                                         C.WAIT_MINUTES])
        from samorg.store import read_processed

        return read_processed(self.study.processed_dir, "inquiries", filters=[(C.SITE_ID, "==", self.site.site_id)])

    @property
    def min_cell(self) -> int:
        """Smallest count of people a table may show (the study's privacy threshold, 5 by default)."""
        privacy = getattr(self.study, "privacy", None)
        if isinstance(privacy, dict):
            return int(privacy.get("min_cell", 5))
        return int(getattr(privacy, "min_cell", 5))

    def once(self, key: str, build: Any) -> Any:
        """What ``build()`` gives, worked out the first time this report asks for ``key``; frames and series
        (also inside a tuple) come as copies, so no section changes what the next one gets."""
        if key not in self.cache:
            self.cache[key] = build()
        value = self.cache[key]
        return tuple(map(_copy, value)) if isinstance(value, tuple) else _copy(value)

    def series(self, indicator: str) -> pd.DataFrame:
        """One indicator as a monthly series with columns period_start, value, status."""
        obs = self.monthly
        return obs.loc[obs[C.INDICATOR] == indicator, [C.PERIOD_START, C.VALUE, C.STATUS]].reset_index(drop=True)

    @property
    def intervention(self) -> tuple[str, dt.date] | None:
        """The change the site's time series is interrupted by (co-location; only sites with role treated)."""
        from samorg.analysis import intervention

        return intervention(self.site)


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, (pd.DataFrame, pd.Series)) else value


def _md(text: str):
    return markdown(text)


def load(study: str | Path, site: str, *, lang: str = "nb") -> SiteContext:
    """Load the study and pick the site; a clear error if either is unknown."""
    if lang not in ("nb", "en"):
        raise SamorgError(f"Report language {lang!r} is not supported; use 'nb' (bokmål) or 'en' (English).")
    s = load_study(study)
    return SiteContext(study=s, site=s.site(site), lang=lang)


def title_block(ctx: SiteContext):
    """The report's heading: site, period, and the synthetic-data note for demo studies."""
    lang = ctx.lang
    # A site with only a library (or only a service centre) is not itself "library and service centre".
    words = (t("report_for", lang, name=ctx.site.name, topic=topic(ctx.study, lang)) if ctx.site.kind == "combined"
             else t("report_for_part", lang, name=ctx.site.name, kind=t(f"kind_{ctx.site.kind}", lang).lower(),
                    topic=topic(ctx.study, lang)))
    lines = [
        f"**{words}** · "
        + t("period", lang, start=fmt.date(ctx.study.data_start, lang=lang), end=fmt.date(ctx.study.data_end, lang=lang)),
    ]
    if ctx.study.demo:
        lines += ["", f"> **{t('banner', lang)}.** {t('synthetic_note', lang)}"]
    return _md("\n".join(lines))


def topic(study: Study, lang: str) -> str:
    """What the study evaluates, in words (the study file's ``words.topic``, else the package's default)."""
    word = study.words.get("topic")
    return word.in_lang(lang) if word is not None else t("topic_default", lang)


def _date_or_never(d: dt.date | None, lang: str) -> str:
    return fmt.date(d, lang=lang) if d else t("never", lang)


def site_facts(ctx: SiteContext):
    """A two-column table of what the registry says about the site."""
    lang, s = ctx.lang, ctx.site
    muni = ctx.study.municipalities.get(s.municipality_code)
    rows = [
        (t("fact_municipality", lang), f"{muni.name if muni else ''} ({s.municipality_code})"),
        (t("fact_former", lang), s.former_municipality_code or t("unknown", lang)),
        (t("fact_kind", lang), t(f"kind_{s.kind}", lang)),
        (t("fact_co_organised", lang), _date_or_never(s.co_organised, lang)),
        (t("fact_co_located", lang), _date_or_never(s.co_located, lang)),
        (t("fact_counting", lang), t(f"counting_{s.counting_method}", lang)),
    ]
    if s.catchment_population:
        rows.append((t("fact_catchment", lang), fmt.number(s.catchment_population, lang=lang)))
    lines = [f"| {t('fact', lang)} | {t('value', lang)} |", "|:---|:---|"]
    lines += [f"| {k} | {v} |" for k, v in rows]
    return _md("\n".join(lines))


def comparison_sites(ctx: SiteContext) -> tuple[Site, ...]:
    """The study's comparison sites (role ``comparison`` in the registry), this one excluded."""
    from samorg.analysis import comparison_sites as _comparison

    return _comparison(ctx.study, ctx.site.site_id)


def visits_effect(ctx: SiteContext, *, controlled: bool = True):
    """The site's visits ITS, fitted once per context (see :func:`fit_visits_effect`)."""
    key = ("visits_effect", controlled)
    if key not in ctx.cache:
        ctx.cache[key] = fit_visits_effect(ctx, controlled=controlled)
    return ctx.cache[key]


def use_visits_effect(ctx: SiteContext, result) -> None:
    """Make ``result`` the site's main model for every section that follows.

    The site report fits its main model in plain view (the data selection and the ``its()`` call with
    its full specification) and hands the result here, so the headline, the sensitivity analysis and
    the appendix all describe the model the reviewer sees.
    """
    ctx.cache[("visits_effect", True)] = result


def fit_visits_effect(ctx: SiteContext, *, controlled: bool = True, washout: bool = True,
                      sensitivity: bool = False, leave_out: tuple[str, ...] = ()):
    """Fit the site's interrupted time series of monthly visits; ``None`` (with a note) when there is none.

    The model is :func:`samorg.analysis.fit_site` (the same call a researcher makes in a notebook):
    quasi-Poisson with month-of-year seasonality and a trend, the study's washout windows left out,
    the interruption at the registry's co-location date, and the study's comparison sites as a control
    series. ``estimate`` is the log rate ratio of the level change.
    """
    from samorg.analysis import NoEstimateError, fit_site

    try:
        return fit_site(ctx.study, ctx.site.site_id, "visits", comparison=controlled, washout=washout,
                        sensitivity=sensitivity, leave_out=leave_out, lang=ctx.lang)
    except NoEstimateError as exc:
        ctx.notes.append(t("its_none" if exc.reason == "not_treated" else "its_nodata", ctx.lang))
        return None
    except ModelError as exc:
        ctx.notes.append(t("its_failed", ctx.lang, error=str(exc)))
        return None


def visits_sensitivity(ctx: SiteContext):
    """The headline beside its sensitivity variants, with the robustness verdict (see :mod:`samorg.report.headline`)."""
    from samorg.report.headline import sensitivity_table

    if visits_effect(ctx) is None:
        return _md(t("sens_no_headline", ctx.lang))
    return sensitivity_table(ctx)


def visits_figure(ctx: SiteContext, result):
    """Observed, fitted and counterfactual monthly visits; ``None`` when there is no result."""
    if result is None:
        return None
    import matplotlib.pyplot as plt

    from samorg.plots import plot_its
    from samorg.report.figures import lay_out

    fig, ax = plt.subplots(figsize=(8, 4), dpi=110)
    plot_its(result, ax=ax, lang=ctx.lang)
    ax.set_ylabel(t("visits_label", ctx.lang))
    lay_out(fig)
    plt.close(fig)
    return fig


def visits_summary(ctx: SiteContext, result):
    """The effect in plain language with its 95 % CI, the method, or why there is no estimate."""
    lang = ctx.lang
    if result is None:
        return _md("\n\n".join(ctx.notes) or t("its_nodata", lang))
    from samorg.report.headline import headline

    kind, when = ctx.intervention
    label = t(f"its_intervention_{kind}", lang, date=fmt.date(when, lang=lang))
    main = headline(ctx)
    family = "kvasi-Poisson" if lang == "nb" else "quasi-Poisson"
    parts = []
    if main is not None:
        parts.append(f"**{label[0].upper()}{label[1:]}** – {t('its_headline', lang)} ({prespecified_label(ctx, 'visits')}): "
                     + main.sentence(lang=lang, outcome_label=t("visits_subject", lang), caveats=False))
    level = result.sentence(lang=lang, outcome_label=t("visits", lang))
    parts += [t("its_level_change", lang, sentence=level), t("its_method", lang, family=family)]
    if result.details.get("control"):
        names = ", ".join(s.name for s in comparison_sites(ctx))
        parts.append(t("its_control", lang, names=names))
    else:
        parts.append(t("its_no_control", lang))
    return _md("\n\n".join(parts))


def key_results(ctx: SiteContext):
    """The summary box: three to five key results in plain language, each with its uncertainty."""
    from samorg.report.site_sections import annual_table

    lang = ctx.lang
    items = [estimand_text(ctx)]
    res = visits_effect(ctx)
    label = prespecified_label(ctx, "visits")
    if res is not None:
        items.append(headline_sentence(ctx, label))
        items.append(grade(ctx).sentence(lang))
    annual = annual_table(ctx)
    if not annual.empty and "events" in annual and annual["events"].notna().any():
        baseline = ctx.study.baseline_year
        before, after = annual["events"].get(baseline), annual["events"].dropna().iloc[-1]
        last = int(annual["events"].dropna().index[-1])
        if before and before == before and last > baseline:
            items.append(t("key_events", lang, before=fmt.number(before, lang=lang), after=fmt.number(after, lang=lang),
                           baseline=baseline, year=last, label=t("exploratory", lang)))
    if not annual.empty and {"staffed_hours", "self_service_hours"} <= set(annual.columns):
        row = annual.dropna(subset=["staffed_hours", "self_service_hours"])
        if not row.empty:
            last = row.iloc[-1]
            share = last["self_service_hours"] / (last["staffed_hours"] + last["self_service_hours"])
            items.append(t("key_self_service", lang, share=fmt.percent(share, decimals=0, lang=lang), year=int(row.index[-1])))
    inq = ctx.inquiries
    if len(inq) >= ctx.min_cell:
        last_year = int(inq[C.TIMESTAMP].dt.year.max())
        recent = inq[inq[C.TIMESTAMP].dt.year == last_year]
        if len(recent) >= ctx.min_cell:
            items.append(t("key_inquiries", lang, share=fmt.percent(float(recent[C.RESOLVED_FIRST_CONTACT].mean()), decimals=0, lang=lang),
                           year=last_year, n=fmt.number(len(recent), lang=lang)))
    if not items:
        items.append(t("key_none", lang))
    box = "\n".join(f"> - {i}" for i in items)
    return _md(f"> **{t('key_heading', lang)}**\n>\n{box}")


def grade(ctx: SiteContext):
    """The site headline's evidence grade (Maryland scale and GRADE-style certainty, with reasons)."""
    if "grade" not in ctx.cache:
        from samorg.report.evidence import grade_site
        from samorg.report.headline import headline
        from samorg.report.site_sections import event_result

        ctx.cache["grade"] = grade_site(ctx.study, ctx.site, headline(ctx), event=event_result(ctx))
    return ctx.cache["grade"]


def headline_sentence(ctx: SiteContext, label: str) -> str:
    """The headline in one sentence: average effect after the washout, interval, baseline, robustness."""
    import math

    from samorg.report.headline import headline, verdict

    lang, eff = ctx.lang, headline(ctx)
    if eff is None:
        return t("key_no_headline", lang)
    r = math.exp(eff.estimate) - 1
    low, high = math.exp(eff.ci_low) - 1, math.exp(eff.ci_high) - 1
    span = f"{fmt.month(pd.Timestamp(eff.period_start), lang=lang)}–{fmt.month(pd.Timestamp(eff.period_end), lang=lang)}"
    text = t("key_headline", lang, size=fmt.percent(abs(r), decimals=0, lang=lang),
             direction=t("higher" if r >= 0 else "lower", lang), span=span,
             low=fmt.signed_percent(low, decimals=0, lang=lang), high=fmt.signed_percent(high, decimals=0, lang=lang),
             label=label, base=fmt.number(eff.baseline, decimals=0, lang=lang), verdict=verdict(ctx).text(lang))
    if "visits" in ctx.study.primary_outcomes:
        from samorg.analysis import primary_family

        family = primary_family(ctx.study).get(ctx.site.site_id)
        if family is not None:
            text += " " + t("key_holm", lang, p=fmt.p_value(family["p_holm"], lang=lang),
                            k=len(primary_family(ctx.study)))
    return text


def estimand_text(ctx: SiteContext) -> str:
    """One plain sentence: what this site's data can estimate, against what (EVIDENCE.md §1, from the registry)."""
    from samorg.analysis import estimand

    lang, est = ctx.lang, estimand(ctx.study, ctx.site)
    name = ctx.site.name
    if not est.has_effect:
        return t(f"est_{est.kind}", lang, site=name)
    names = join_names([s.name for s in est.comparison], lang)
    date = fmt.date(ctx.site.co_located, lang=lang)
    if est.kind == "bundle":
        parts = t("est_parts_merger" if est.merged else "est_parts", lang)
        text = t("est_bundle", lang, site=name, parts=parts, date=date)
        text += " " + (t("est_compare_outside", lang, names=names) if names else t("est_no_comparison", lang))
    else:
        organised = est.municipality.co_organised if est.municipality else None
        text = t("est_co_location", lang, site=name, date=date,
                 organised=fmt.date(organised, lang=lang) if organised else t("unknown", lang).lower())
        text += " " + (t("est_compare_outside", lang, names=names) if est.comparison_outside
                       else t("est_compare_inside", lang, names=names) if names else t("est_no_comparison", lang))
    for w in ctx.study.washout_windows:
        if w.contains(ctx.site.co_located):
            text += " " + t("est_in_washout", lang, label=w.label_in(lang), start=fmt.date(w.start, lang=lang),
                            end=fmt.date(w.end, lang=lang))
    return text


def prespecified_label(ctx: SiteContext, outcome: str) -> str:
    """«pre-specified» when the outcome is in the study's analysis plan, else «exploratory»."""
    return t("prespecified" if outcome in ctx.study.primary_outcomes else "exploratory", ctx.lang)


def caveats(ctx: SiteContext):
    """How the washout windows were handled, and what the study's few treated municipalities can show."""
    lang = ctx.lang
    items = []
    for w in ctx.study.washout_windows:
        items.append(t("caveat_washout", lang, label=w.label_in(lang) or t("washout", lang),
                       start=fmt.date(w.start, lang=lang), end=fmt.date(w.end, lang=lang)))
    items += [few_units_caveat(ctx.study, lang), t("caveat_observational", lang)]
    plan = "; ".join(f"{label(o, lang).lower()}: {_in_lang(m, lang)}" for o, m in ctx.study.analysis_plan.items())
    if plan:
        items.append(t("caveat_plan", lang, plan=plan))
    return _md("\n".join(f"- {i}" for i in items))


def _in_lang(text: Any, lang: str) -> str:
    return text.in_lang(lang) if hasattr(text, "in_lang") else str(text)


def few_units_caveat(study: Study, lang: str) -> str:
    """"Only N municipalities made this change in the data …", N counted from the study file."""
    n = len(study.treated_municipalities())
    return t("caveat_few", lang, n=number_word(n, lang), municipalities=t(
        "municipality_one" if n == 1 else "municipality_many", lang))


def _input_summary(ctx: SiteContext) -> tuple[int, str] | None:
    """How many input files the processed data came from, and one checksum over all of them."""
    import hashlib

    manifest = ctx.study.processed_dir / "manifest.json"
    if not manifest.is_file():
        return None
    data: Any = json.loads(manifest.read_text(encoding="utf-8"))
    inputs = data.get("inputs", {})
    items = inputs.items() if isinstance(inputs, dict) else ((i.get("path"), i.get("sha256")) for i in inputs)
    # Raw files only: the study file has its own checksum line, and the registry is shown in the report
    # itself (a registry entry of another site must not change this report; issue 17).
    pairs = sorted((str(p), str(d.get("sha256", "") if isinstance(d, dict) else d or "")) for p, d in items
                   if not str(p).startswith("config:"))
    digest = hashlib.sha256("\n".join(f"{p} {d}" for p, d in pairs).encode()).hexdigest()[:16]
    return len(pairs), digest


def provenance(ctx: SiteContext):
    """samorg version, git commit (and whether the tree had uncommitted changes), time, Python and the
    libraries, the study file with its checksum, and one checksum over every input file
    (the fields of :func:`samorg.provenance.provenance`)."""
    from samorg.provenance import OUTPUT_DEPENDENCIES, provenance as record

    lang = ctx.lang
    now = dt.datetime.now().replace(microsecond=0)
    rec = record(ctx.study)
    commit = rec["git_commit"][:12] if rec["git_commit"] else "–"
    if rec["git_dirty"]:
        commit += {"nb": " (med endringer som ikke er sjekket inn)", "en": " (with uncommitted changes)"}[lang]
    packages = ", ".join(f"{name} {rec['packages'][name]}" for name in OUTPUT_DEPENDENCIES if rec["packages"].get(name))
    study_sha = (rec["study_file"] or {}).get("sha256") or ""
    lines = [
        f"- {t('prov_version', lang)}: {__version__}",
        f"- {t('prov_commit', lang)}: {commit}",
        f"- {t('prov_generated', lang)}: {fmt.date(now.date(), lang=lang)} {now:%H:%M}",
        f"- Python {rec['python']}; {packages}",
        f"- {t('prov_study', lang)}: `{ctx.study.path.name}`" + (f" (SHA-256 `{study_sha[:16]}`)" if study_sha else ""),
    ]
    kernel = os.environ.get("SAMORG_KERNEL")  # set by the report runner (samorg.report.kernels)
    if kernel:
        word = {"warm": {"nb": "varm", "en": "warm"}, "fresh": {"nb": "ny", "en": "fresh"}}.get(kernel, {}).get(lang, kernel)
        reason = os.environ.get("SAMORG_KERNEL_REASON", "")
        if reason and lang == "nb":  # the reasons are written for the run log, in English
            reason = "varme kjerner ble ikke brukt; årsaken står i run.log"
        lines.append(f"- {'Kjerne' if lang == 'nb' else 'Kernel'}: {word}" + (f" ({reason})" if reason else ""))
    summary = _input_summary(ctx)
    if summary:
        n, digest = summary
        lines.append(f"- {t('prov_inputs', lang, n=n)}: `{digest}`")
    return _md("\n".join(lines))


def section(ctx: SiteContext, key: str, level: int = 2):
    """A section heading in the report's language (``key`` from :mod:`samorg.report.text`)."""
    return heading(key, ctx.lang, level)
