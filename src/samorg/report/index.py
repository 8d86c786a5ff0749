"""Write ``reports/index.html``: one self-contained page linking every report.

Links are relative to the index, so the whole ``reports/`` folder can be
zipped, moved or opened from a file share. The page loads nothing from the
network.
"""

from __future__ import annotations

import datetime as dt
import os
from html import escape
from pathlib import Path
from typing import Iterable

from samorg.report.render import _replace_atomically
from samorg.report.runner import ReportOutcome

__all__ = ["write_index"]

_TEXT = {
    "nb": {
        "report": "Rapport", "name": "Navn", "status": "Status", "files": "Filer",
        "ok": "OK", "failed": "Feilet", "generated": "Laget", "partial": "Delvis kjørt notatbok",
        "previous": "Forrige vellykkede versjon",
        "summary": "{n} rapporter, {ok} OK, {failed} feilet",
    },
    "en": {
        "report": "Report", "name": "Name", "status": "Status", "files": "Files",
        "ok": "OK", "failed": "Failed", "generated": "Generated", "partial": "Partly executed notebook",
        "previous": "Last successful version",
        "summary": "{n} reports, {ok} OK, {failed} failed",
    },
}

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328; }
main { max-width: 70rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
.samorg-banner { position: sticky; top: 0; z-index: 10; padding: .5em 1em; background: #fff3cd;
  color: #4d3800; border-bottom: 2px solid #b58105; font-weight: 600; text-align: center; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
.meta { color: #57606a; margin-top: 0; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #d0d7de; vertical-align: top; }
th { background: #f6f8fa; }
.status { font-weight: 600; white-space: nowrap; }
.ok .status { color: #1a7f37; }
.failed .status { color: #cf222e; }
.failed { background: #fff5f5; }
.error { font-family: ui-monospace, monospace; font-size: .9em; white-space: pre-wrap; margin: .3rem 0; }
.files a { margin-right: .8em; }
"""


def _href(target: Path | None, base: Path) -> str | None:
    if target is None:
        return None
    rel = os.path.relpath(Path(target).resolve(), base.resolve())
    return Path(rel).as_posix()


def write_index(
    outcomes: Iterable[ReportOutcome],
    out_path: str | Path,
    *,
    title: str,
    lang: str = "nb",
    banner: str | None = None,
    generated_at: dt.datetime | None = None,
) -> Path:
    """Write an HTML index of reports, with relative links to each HTML and PDF.

    Parameters
    ----------
    outcomes : iterable of ReportOutcome
        As returned by :func:`samorg.report.runner.run_reports`; not modified.
    out_path : path
        The index file, usually ``reports/index.html``; replaced atomically.
    title : str
        Heading of the page.
    lang : {"nb", "en"}
        Language of the page's own words ("OK"/"Feilet" or "OK"/"Failed").
    banner : str, optional
        Shown at the top of the page, e.g. that the numbers are synthetic.
    generated_at : datetime, optional
        Time shown on the page; default now. Pass a fixed value for identical files.

    Returns
    -------
    Path
        ``out_path``.

    Examples
    --------
    >>> write_index(outcomes, Path("reports/index.html"), title="Samlokalisering – rapporter")  # doctest: +SKIP
    """
    out_path = Path(out_path)
    base = out_path.parent
    words = _TEXT.get(lang, _TEXT["en"])
    outcomes = list(outcomes)
    when = generated_at or dt.datetime.now().replace(microsecond=0)
    when_text = when.strftime("%d.%m.%Y %H:%M") if lang != "en" else when.strftime("%Y-%m-%d %H:%M")
    n_failed = sum(o.status != "ok" for o in outcomes)

    rows = []
    for o in outcomes:
        ok = o.status == "ok"
        links = []
        for label, target in (("HTML", o.html), ("PDF", o.pdf)):
            href = _href(target, base)
            if href:
                links.append(f'<a href="{escape(href)}">{label}</a>')
        details = ""
        if not ok:
            details = f'<p class="error">{escape(o.error or "")}</p>'
            if o.ipynb is not None:
                href = _href(o.ipynb, base)
                details += f'<p>{words["partial"]}: <a href="{escape(href)}"><code>{escape(href)}</code></a></p>'
                # The last good version is kept when a rerun fails: offer it, marked as such.
                older = [(label, o.ipynb.parent / f"{o.name}.{ext}") for label, ext in (("HTML", "html"), ("PDF", "pdf"))]
                older = [f'<a href="{escape(_href(p, base))}">{label}</a>' for label, p in older if p.is_file()]
                if older:
                    details += f'<p>{words["previous"]}: {" ".join(older)}</p>'
        rows.append(
            f'<tr class="{"ok" if ok else "failed"}" id="report-{escape(o.name)}">'
            f'<td>{escape(o.title or o.name)}{details}</td>'
            f'<td><code>{escape(o.name)}</code></td>'
            f'<td class="status">{words["ok"] if ok else words["failed"]}</td>'
            f'<td class="files">{" ".join(links) or "–"}</td>'
            "</tr>"
        )

    summary = words["summary"].format(n=len(outcomes), ok=len(outcomes) - n_failed, failed=n_failed)
    banner_html = f'<div class="samorg-banner" role="note">{escape(banner)}</div>\n' if banner else ""
    page = f"""<!DOCTYPE html>
<html lang="{escape(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
{banner_html}<main>
<h1>{escape(title)}</h1>
<p class="meta">{escape(summary)} · {words["generated"]} {escape(when_text)}</p>
<table>
<thead><tr><th>{words["report"]}</th><th>{words["name"]}</th><th>{words["status"]}</th><th>{words["files"]}</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</main>
</body>
</html>
"""
    _replace_atomically(out_path, page.encode("utf-8"))
    return out_path
