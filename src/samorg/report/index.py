"""Write ``reports/index.html``: the study's landing page, linking every report.

With the study (``study=``) the page reads as a front page a municipal leader understands: the study's
title and what it is, where to start (the synthesis), the site reports grouped by municipality with each
site's co-location date (or its role) and its headline result in one line, the data-quality report as
a methods appendix, and any report that could not be made with the reason in plain words. The build's
facts (when, status, whether a report was reused) sit in one collapsed ``<details>`` at the foot.
Without a study it lists the reports in the order given.

The one-line results are read from the cache :func:`samorg.analysis.primary_family` keeps beside the
processed data; no model is fitted here, and without a cached result the line is left out.

Links are relative to the index, so the whole ``reports/`` folder can be zipped, moved or opened from a
file share. The page loads nothing from the network.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from html import escape
from pathlib import Path
from typing import Any, Iterable

from samorg import fmt
from samorg.report.index_text import it
from samorg.report._files import replace_atomically as _replace_atomically
from samorg.report.runner import ReportOutcome

__all__ = ["about", "result_line", "write_index"]

_CSS = """
:root { color-scheme: light; }
body { font-family: "Libertinus Serif", "Linux Libertine O", Charter, Georgia, "DejaVu Serif", serif; margin: 0; color: #1f2328;
  line-height: 1.5; font-size: 1.0625rem; background: #fff; }
main, footer { max-width: 46rem; margin: 0 auto; padding: 0 1.25rem; }
main { padding-top: 1.5rem; }
.samorg-banner { position: sticky; top: 0; z-index: 10; padding: .5em 1em; background: #fff3cd;
  color: #4d3800; border-bottom: 2px solid #b58105; font-weight: 600; text-align: center; }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 .75rem; }
h2 { font-size: 1.3rem; margin: 2.25rem 0 .5rem; padding-top: .5rem; border-top: 1px solid #d0d7de; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 .25rem; }
h4 { font-size: 1.05rem; margin: 0; }
p { margin: .4rem 0; }
a { color: #0550ae; }
a:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
.lede { font-size: 1.1rem; }
.start { border: 2px solid #0550ae; border-radius: 6px; padding: .25rem 1.25rem; background: #f3f8ff; }
.start ul.reports > li, .appendix ul.reports > li { border-bottom: 0; }
.start h3 { margin-top: .5rem; font-size: 1.25rem; }
.appendix h3 { margin-top: .25rem; }
.muted, .meta { color: #57606a; }
ul.reports { list-style: none; padding: 0; margin: .5rem 0; }
ul.reports > li { padding: .6rem 0; border-bottom: 1px solid #e5e8eb; }
.role { color: #57606a; margin: .1rem 0; }
.files { margin: .2rem 0 0; }
.files a { margin-right: 1em; }
.failed-report { border-left: 4px solid #cf222e; padding-left: .75rem; }
.failed-report .reason { color: #82071e; font-weight: 600; }
.error { font-family: ui-monospace, monospace; font-size: .85em; white-space: pre-wrap; overflow-wrap: anywhere; }
footer { margin-top: 3rem; padding-bottom: 2rem; color: #57606a; }
footer details { font-size: .9rem; }
footer details { border-top: 1px solid #d0d7de; padding-top: .75rem; }
footer summary { cursor: pointer; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin-top: .5rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
td.num { text-align: right; }
@media (max-width: 480px) { body { font-size: 1rem; } h1 { font-size: 1.45rem; } }
"""


def _href(target: Path | None, base: Path) -> str | None:
    if target is None:
        return None
    rel = os.path.relpath(Path(target).resolve(), base.resolve())
    return Path(rel).as_posix()


def _plain_reason(error: str, lang: str) -> str:
    """The error without the exception's class name (``"ValueError: no rows"`` → ``"no rows"``)."""
    text = (error or "").strip().splitlines()[0] if (error or "").strip() else ""
    text = re.sub(r"^(?:[\w.]+(?:Error|Exception|Exit|Interrupt)|[A-Z]\w*Error)\s*:\s*", "", text)
    return text or it("failed_unknown", lang)


def _files(o: ReportOutcome, base: Path, name: str, lang: str) -> str:
    """HTML and PDF links of a report that was made."""
    links = []
    html, pdf = _href(o.html, base), _href(o.pdf, base)
    if html:
        links.append(f'<a href="{escape(html)}" aria-label="{escape(it("html_of", lang, name=name))}">HTML</a>')
    if pdf:
        links.append(f'<a href="{escape(pdf)}" aria-label="{escape(it("pdf_of", lang, name=name))}">PDF</a>')
    return f'<p class="files">{" ".join(links)}</p>' if links else ""


def _failure(o: ReportOutcome, base: Path, lang: str) -> str:
    """Why a report could not be made, in words, with the partial notebook and the last good version."""
    parts = [f'<p class="reason">{escape(it("failed", lang, reason=_plain_reason(o.error, lang)))}</p>']
    older = []
    if o.ipynb is not None:
        folder = Path(o.ipynb).parent
        older = [(label, folder / f"{o.name}.{ext}") for label, ext in (("HTML", "html"), ("PDF", "pdf"))]
        older = [f'<a href="{escape(_href(p, base))}">{label}</a>' for label, p in older if p.is_file()]
    if older:
        parts.append(f'<p>{it("previous", lang)}: {" ".join(older)}</p>')
    detail = [f'<p class="error">{escape(o.error or "")}</p>'] if o.error else []
    if o.ipynb is not None:
        href = escape(_href(o.ipynb, base))
        detail.append(f'<p>{it("partial", lang)}: <a href="{href}"><code>{href}</code></a></p>')
    if detail:
        parts.append(f'<details><summary>{it("technical", lang)}</summary>{"".join(detail)}</details>')
    return "".join(parts)


def _entry(o: ReportOutcome | None, base: Path, *, name: str, lang: str, lines: Iterable[str] = (),
           level: int = 4) -> str:
    """One report in a list: its name (a link when made), the given lines, and its files or why it failed."""
    ok = o is not None and o.status == "ok"
    href = _href(o.html, base) if ok else None
    title = f'<a href="{escape(href)}">{escape(name)}</a>' if href else escape(name)
    body = [f"<h{level}>{title}</h{level}>", *lines]
    if o is None:
        body.append(f'<p class="muted">{it("not_built", lang)}</p>')
    elif ok:
        body.append(_files(o, base, name, lang))
    else:
        body.append(_failure(o, base, lang))
    css = ' class="failed-report"' if o is not None and not ok else ""
    anchor = f' id="report-{escape(o.name)}"' if o is not None else ""
    return f"<li{anchor}{css}>{''.join(body)}</li>"


def _cached_results(study: Any) -> dict[str, dict[str, Any]]:
    """Each treated site's headline as the reports left it in the cache; ``{}`` when none is kept."""
    try:
        from samorg.analysis import primary_family

        return primary_family(study, cached_only=True)
    except Exception:  # noqa: BLE001 - a missing or unreadable cache only leaves the result lines out
        return {}


def _span(start: str, end: str, lang: str) -> str:
    s, e = dt.date.fromisoformat(start[:10]), dt.date.fromisoformat(end[:10])
    if s.month == 1 and e.month == 12:
        return f"{s.year}–{e.year}" if s.year != e.year else str(s.year)
    return f"{fmt.month(s, lang=lang)}–{fmt.month(e, lang=lang)}"


def result_line(study: Any, site: Any, entry: dict[str, Any] | None, lang: str) -> str | None:
    """The site's headline in one sentence (``None`` without a cached result, or for a non-log fit)."""
    from samorg.analysis import estimand

    if not entry or entry.get("link") != "log" or not all(
            isinstance(entry.get(k), (int, float)) and math.isfinite(entry[k]) for k in ("estimate", "ci_low", "ci_high")):
        return None
    est = estimand(study, site)
    if not est.has_effect:
        return None
    without = ("without_co_location" if est.kind == "co_location"
               else "without_bundle_merger" if est.merged else "without_bundle")
    r = math.exp(entry["estimate"]) - 1
    low, high = math.exp(entry["ci_low"]) - 1, math.exp(entry["ci_high"]) - 1
    text = it("result", lang, size=fmt.percent(abs(r), decimals=0, lang=lang),
              direction=it("higher" if r >= 0 else "lower", lang), without=it(without, lang),
              span=_span(entry["period_start"], entry["period_end"], lang),
              low=fmt.signed_percent(low, decimals=0, lang=lang), high=fmt.signed_percent(high, decimals=0, lang=lang))
    if low <= 0 <= high:
        text += it("includes_zero", lang)
    return text


def _role(site: Any, lang: str) -> str:
    if site.role == "treated" and site.co_located:
        return it("role_treated", lang, date=fmt.date(site.co_located, lang=lang))
    if site.role == "comparison":
        return it("role_comparison", lang)
    return it("role_service_centre" if site.kind == "service_centre" else "role_excluded", lang)


def _count(n: int, lang: str) -> str:
    from samorg.report.text import number_word

    return it("site_one", lang) if n == 1 else it("site_many", lang, n=number_word(n, lang))


def about(study: Any, lang: str) -> str:
    """One paragraph on what the study is, from the study file and the registry."""
    from samorg.analysis import estimand
    from samorg.report.text import join_names, t

    word = study.words.get("topic")
    topic = word.in_lang(lang) if word is not None else t("topic_default", lang)
    codes = list(dict.fromkeys(s.municipality_code for s in study.sites))
    munis = [study.municipalities[c].name if c in study.municipalities else c for c in codes]
    text = it("about", lang, topic=topic, sites=_count(len(study.sites), lang), munis=join_names(munis, lang),
              start=study.data_start.year, end=study.data_end.year)
    treated, comparison = study.sites_with_role("treated"), study.sites_with_role("comparison")
    if treated:
        text += it("about_treated", lang, n=_count(len(treated), lang))
    if comparison:
        n = _count(len(comparison), lang)
        text += it("about_comparison", lang, n=n[:1].upper() + n[1:])
    if treated:
        text += it("about_method", lang)
    reorganisation = study.words.get("reorganisation")
    if reorganisation is not None and any(estimand(study, s).kind == "bundle" for s in treated):
        text += it("about_bundle", lang, reorganisation=reorganisation.in_lang(lang))
    return text


def _sites_section(study: Any, by_name: dict[str, ReportOutcome], base: Path, lang: str) -> str:
    """The site reports grouped by municipality, in the registry's order."""
    results = _cached_results(study)
    groups: dict[str, list[Any]] = {}
    for site in study.sites:
        groups.setdefault(site.municipality_code, []).append(site)
    parts = [f'<h2 id="sites">{it("sites_heading", lang)}</h2>', f"<p>{it('sites_intro', lang)}</p>"]
    for code, sites in groups.items():
        muni = study.municipalities.get(code)
        parts.append(f"<h3>{escape(muni.name if muni else it('other_places', lang))}</h3>")
        if muni is not None and muni.co_organised:
            parts.append(f'<p class="meta">{it("co_organised", lang, date=fmt.date(muni.co_organised, lang=lang))}</p>')
        items = []
        for site in sites:
            outcome = by_name.pop(site.site_id, None)
            lines = [f'<p class="role">{escape(_role(site, lang))}</p>']
            # The result stands only beside a report that shows how it was reached.
            line = result_line(study, site, results.get(site.site_id), lang) if outcome and outcome.ok else None
            if line:
                lines.append(f'<p class="result">{escape(line)}</p>')
            items.append(_entry(outcome, base, name=site.name, lang=lang, lines=lines))
        parts.append(f'<ul class="reports">{"".join(items)}</ul>')
    return "\n".join(parts)


def _study_body(study: Any, outcomes: list[ReportOutcome], base: Path, lang: str) -> str:
    """Everything between the title and the build facts, for a study."""
    from samorg.report import QUALITY_JOB, SYNTHESIS_JOB

    by_name = {o.name: o for o in outcomes}
    synthesis, quality = by_name.pop(SYNTHESIS_JOB, None), by_name.pop(QUALITY_JOB, None)
    parts = [f'<p class="lede">{escape(about(study, lang))}</p>',
             f'<section aria-labelledby="start"><h2 id="start">{it("start_heading", lang)}</h2>']
    if synthesis is None:
        parts.append(f'<p class="muted">{it("start_missing", lang)}</p>')
    else:
        name = synthesis.title or synthesis.name
        parts.append('<div class="start"><ul class="reports">'
                     + _entry(synthesis, base, name=name, lang=lang, level=3,
                              lines=[f"<p>{it('start_text', lang)}</p>"]) + "</ul></div>")
    parts.append("</section>")
    parts.append(f'<section aria-labelledby="sites">{_sites_section(study, by_name, base, lang)}</section>')
    if by_name:
        items = "".join(_entry(o, base, name=o.title or o.name, lang=lang) for o in by_name.values())
        parts.append(f'<section aria-labelledby="other"><h2 id="other">{it("other_heading", lang)}</h2>'
                     f'<ul class="reports">{items}</ul></section>')
    if quality is not None:
        parts.append(f'<section class="appendix" aria-labelledby="appendix"><h2 id="appendix">{it("appendix_heading", lang)}</h2>'
                     '<ul class="reports">'
                     + _entry(quality, base, name=it("dq_title", lang), lang=lang, level=3,
                              lines=[f"<p>{it('dq_text', lang)}</p>"]) + "</ul></section>")
    return "\n".join(parts)


def _build_facts(outcomes: list[ReportOutcome], when_text: str, lang: str) -> str:
    """The collapsed ``<details>``: when the page was built and what became of each report."""
    n_failed = sum(o.status != "ok" for o in outcomes)
    rows = []
    for o in outcomes:
        reused = getattr(o, "reused", False)
        reason = getattr(o, "reason", "") or ""
        reuse = it("yes" if reused else "no", lang) + (f" – {escape(reason)}" if reason else "")
        status = it("ok" if o.status == "ok" else "failed_status", lang)
        rows.append(f"<tr><td>{escape(o.title or o.name)} <code>{escape(o.name)}</code></td><td>{status}</td>"
                    f'<td>{reuse}</td><td class="num">{escape(fmt.number(o.seconds, decimals=0, lang=lang))}</td></tr>')
    head = "".join(f'<th scope="col">{it(k, lang)}</th>' for k in ("col_report", "col_status", "col_reused", "col_seconds"))
    summary = it("summary", lang, n=len(outcomes), ok=len(outcomes) - n_failed, failed=n_failed)
    return (f'<details><summary>{it("build", lang)}</summary>'
            f'<p>{escape(it("built", lang, when=when_text))} {escape(summary)}</p>'
            f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
            "</details>")


def write_index(
    outcomes: Iterable[ReportOutcome],
    out_path: str | Path,
    *,
    title: str,
    lang: str = "nb",
    banner: str | None = None,
    generated_at: dt.datetime | None = None,
    study: Any = None,
) -> Path:
    """Write the landing page of the reports, with relative links to each HTML and PDF.

    Parameters
    ----------
    outcomes : iterable of ReportOutcome
        As returned by :func:`samorg.report.runner.run_reports`; not modified.
    out_path : path
        The index file, usually ``reports/index.html``; replaced atomically.
    title : str
        The page's title (the browser tab; the heading too when there is no study).
    lang : {"nb", "en"}
        Language of the page's own words.
    banner : str, optional
        Shown at the top of the page, e.g. that the numbers are synthetic.
    generated_at : datetime, optional
        Time shown in the build facts; default now. Pass a fixed value for identical files.
    study : Study, optional
        The study the reports belong to: the page then introduces it, starts with the synthesis, groups
        the site reports by municipality with their co-location date and result, and ends with the
        data-quality report as an appendix. Without it the reports are listed in the order given.

    Returns
    -------
    Path
        ``out_path``.

    Examples
    --------
    >>> write_index(outcomes, Path("reports/index.html"), title="Rapporter", study=study)  # doctest: +SKIP
    """
    out_path = Path(out_path)
    base = out_path.parent
    lang = "en" if lang == "en" else "nb"
    outcomes = list(outcomes)
    when = generated_at or dt.datetime.now().replace(microsecond=0)
    when_text = when.strftime("%d.%m.%Y %H:%M") if lang != "en" else when.strftime("%Y-%m-%d %H:%M")
    if study is not None:
        heading = study.title_in(lang)
        body = _study_body(study, outcomes, base, lang)
    else:
        heading = title
        items = "".join(_entry(o, base, name=o.title or o.name, lang=lang, level=3) for o in outcomes)
        body = f'<h2>{it("reports_heading", lang)}</h2><ul class="reports">{items}</ul>'
    banner_html = f'<div class="samorg-banner" role="note">{escape(banner)}</div>\n' if banner else ""
    page = f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
{banner_html}<main>
<h1>{escape(heading)}</h1>
{body}
</main>
<footer>{_build_facts(outcomes, when_text, lang)}</footer>
</body>
</html>
"""
    _replace_atomically(out_path, page.encode("utf-8"))
    return out_path
