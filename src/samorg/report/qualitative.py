"""Report blocks for the qualitative evidence: themes per aim and site, consented quotes, and its direction per aim.

Every block takes the study and ``lang`` (``"nb"`` default, or ``"en"``) and reads the processed table
``qualitative_segments`` (written by ``samorg data``; empty when the study has no coded material). Privacy,
on top of what the pipeline already did (quotes only with consent, redacted, keyed pseudonyms):

* a count of informants below the study's ``privacy.min_cell`` is never shown: the cell and its
  segment count show the suppression marker;
* an informant role is named next to a quote only when at least ``min_cell`` informants of that role
  were heard at that site; otherwise the quote says "informant";
* a quote is redacted again here (:func:`samorg.clean.redact_quote`), so a processed table written by
  an older samorg cannot leak what today's rules remove.

The direction of the qualitative evidence per aim (:func:`qualitative_directions`) is counted per
informant, not per segment, so one talkative informant weighs as much as a quiet one.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

from samorg import columns as C
from samorg import store
from samorg.clean.qualitative import merge_small_roles, redact_quote
from samorg.report.tables import markdown_table

MARKER = "·"
#: the share of informants by which one direction must lead for the evidence to point that way
CLEAR_MAJORITY = 1 / 3
AGREEMENT_KEYS = ("agreeing", "mixed", "contradicting", "qualitative_only", "no_qualitative", "too_few")

WORDS: dict[str, dict[str, Any]] = {
    "nb": {
        "aim": "Mål", "theme": "Tema", "themes": "Temaer", "sites": "Steder", "segments": "Segmenter",
        "informants": "Informanter", "direction": "Retning", "site": "Sted",
        "aims": {1: "effekter og samskaping", 2: "brukernes opplevelse", 3: "beste praksis", 4: "uavhengig møteplass",
                 5: "stedsutvikling", 6: "den nasjonale debatten"},
        "dirs": {"positive": "positiv", "negative": "negativ", "mixed": "blandet", "neutral": "nøytral"},
        "source_types": {"interview": "intervjuer", "workshop": "verksteder", "observation": "observasjoner",
                         "document": "dokumenter"},
        "agreement": {"agreeing": "samstemt", "mixed": "blandet", "contradicting": "motstridende",
                      "qualitative_only": "bare kvalitativ", "no_qualitative": "ingen kvalitative data",
                      "too_few": "for få informanter"},
        "qual_dir": {1: "peker i positiv retning", -1: "peker i negativ retning", 0: "er delt"},
        "informant": "informant",
        "none": "Studien har ingen kodede intervjuer, verksteder eller observasjoner{where}.",
        "where_site": " fra dette stedet",
        "intro": ("Materialet er {segments} kodede segmenter fra {informants} informanter ({types}), "
                  "samlet {start} til {end}. Antallet segmenter viser hvor ofte et tema ble tatt opp, ikke hvor "
                  "utbredt et syn er."),
        "suppressed": ("{marker} = skjult av personvernhensyn: færre enn {threshold} informanter. Roller med færre "
                       "enn {threshold} informanter er slått sammen."),
        "cannot": ("Kvalitative data viser hvordan endringen oppleves og hvorfor; de viser ikke hvor stor den er, "
                   "og informantene er ikke et tilfeldig utvalg."),
        "no_quotes": "Ingen sitater med samtykke for dette målet.",
        "quote_by": "{role}, {site} ({quote_id})",
        "map_text": ("Kvalitative data om mål {aim} {direction} ({n} informanter); sammenholdt med tallene: "
                     "{agreement}."),
    },
    "en": {
        "aim": "Aim", "theme": "Theme", "themes": "Themes", "sites": "Sites", "segments": "Segments",
        "informants": "Informants", "direction": "Direction", "site": "Site",
        "aims": {1: "effects and co-creation", 2: "users' experience", 3: "best practice",
                 4: "independent meeting place", 5: "place development", 6: "the national debate"},
        "dirs": {"positive": "positive", "negative": "negative", "mixed": "mixed", "neutral": "neutral"},
        "source_types": {"interview": "interviews", "workshop": "workshops", "observation": "observations",
                         "document": "documents"},
        "agreement": {"agreeing": "agreeing", "mixed": "mixed", "contradicting": "contradicting",
                      "qualitative_only": "qualitative only", "no_qualitative": "no qualitative data",
                      "too_few": "too few informants"},
        "qual_dir": {1: "points in a positive direction", -1: "points in a negative direction", 0: "is divided"},
        "informant": "informant",
        "none": "The study has no coded interviews, workshops or observations{where}.",
        "where_site": " from this site",
        "intro": ("The material is {segments} coded segments from {informants} informants ({types}), collected "
                  "{start} to {end}. The number of segments shows how often a theme came up, not how widely a view "
                  "is held."),
        "suppressed": ("{marker} = hidden to protect privacy: fewer than {threshold} informants. Roles with fewer "
                       "than {threshold} informants are merged."),
        "cannot": ("Qualitative data show how the change is experienced and why; they do not show how large it is, "
                   "and the informants are not a random sample."),
        "no_quotes": "No consented quotes for this aim.",
        "quote_by": "{role}, {site} ({quote_id})",
        "map_text": "Qualitative data on aim {aim} {direction} ({n} informants); set against the numbers: {agreement}.",
    },
}


def _w(lang: str) -> dict[str, Any]:
    return WORDS["en" if lang == "en" else "nb"]


def _min_cell(study: Any) -> int:
    return int(getattr(getattr(study, "privacy", None), "min_cell", 5) or 5)


def load_segments(study: Any, *, site: str | None = None) -> pd.DataFrame:
    """The processed ``qualitative_segments`` of ``study`` (one site's, with ``site``); empty when there are none."""
    frame = store.read_processed(study.processed_dir, "qualitative_segments")
    if site is not None:
        study.site(site)  # an unknown site id is an error naming the known ones
        frame = frame[frame[C.SITE_ID] == site]
    return frame.reset_index(drop=True)


def _date(day: pd.Timestamp, lang: str) -> str:
    from samorg import fmt

    return fmt.date(day.date(), lang=lang)


def theme_table(study: Any, *, site: str | None = None, level: str = "theme", lang: str = "nb") -> pd.DataFrame:
    """Themes (or aims) with segments, informants (small counts hidden), sites and the split by direction.

    Parameters
    ----------
    site
        One site's table (without the sites column), or None for all sites.
    level
        ``"theme"``: one row per aim and theme; ``"aim"``: one row per aim, its themes named (a site
        report: at one site a theme is often heard from fewer than ``min_cell`` informants, an aim less
        often).

    Returns
    -------
    DataFrame
        Reader-facing column names in ``lang``, sorted by aim and then by the number of informants. A
        row heard from fewer than ``privacy.min_cell`` informants shows the marker ``·`` for its counts
        and its split by direction.
    """
    if level not in ("theme", "aim"):
        raise ValueError(f"level={level!r}: expected 'theme' or 'aim'")
    w, threshold = _w(lang), _min_cell(study)
    seg = load_segments(study, site=site)
    keys = [C.AIM, C.THEME] if level == "theme" else [C.AIM]
    rows = []
    for key, g in seg.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        n_inf = int(g[C.INFORMANT_ID].nunique())
        shown = n_inf >= threshold
        split = g[C.DIRECTION].value_counts()
        direction = (", ".join(f"{w['dirs'][d]} {int(split[d])}" for d in C.DIRECTIONS if d in split)
                     if shown else MARKER)
        row = {w["aim"]: int(key[0])}
        if level == "theme":
            row[w["theme"]] = key[1]
        else:
            order = g.groupby(C.THEME).size().sort_values(ascending=False, kind="stable")  # most heard first
            row[w["themes"]] = "; ".join(order.index)
        if site is None:
            row[w["sites"]] = int(g[C.SITE_ID].nunique())
        row.update({w["segments"]: int(len(g)) if shown else MARKER, w["informants"]: n_inf if shown else MARKER,
                    w["direction"]: direction, "_order": n_inf if shown else 0})  # hidden counts do not order
        rows.append(row)
    second = w["theme"] if level == "theme" else w["themes"]
    if not rows:
        return pd.DataFrame(columns=[w["aim"], second, w["segments"], w["informants"], w["direction"]])
    table = pd.DataFrame(rows).sort_values([w["aim"], "_order", second], ascending=[True, False, True],
                                           kind="stable")
    return table.drop(columns="_order").reset_index(drop=True)


def aims_by_site_table(study: Any, *, lang: str = "nb") -> pd.DataFrame:
    """Sites × aims: informants heard on each aim at each site (fewer than ``min_cell``: the marker)."""
    w, threshold = _w(lang), _min_cell(study)
    seg = load_segments(study)
    counts = seg.groupby([C.SITE_ID, C.AIM])[C.INFORMANT_ID].nunique().unstack(fill_value=0)
    counts = counts.reindex(columns=range(1, 7), fill_value=0)
    names = {s.site_id: s.name for s in study.sites}
    shown = counts.astype(object).where(counts >= threshold, MARKER).where(counts > 0, 0)
    shown.index = [names.get(i, i) for i in shown.index]
    shown.index.name = w["site"]
    shown.columns = [f"{w['aim']} {a}" for a in shown.columns]
    return shown


def aims_by_site_markdown(study: Any, *, lang: str = "nb") -> str:
    """:func:`aims_by_site_table` as Markdown, with the suppression note."""
    w = _w(lang)
    if load_segments(study).empty:
        return w["none"].format(where="")
    table = markdown_table(aims_by_site_table(study, lang=lang), lang=lang)
    return table + "\n\n" + w["suppressed"].format(marker=MARKER, threshold=_min_cell(study))


def informants_table(study: Any, *, site: str | None = None, lang: str = "nb") -> pd.DataFrame:
    """Who was heard: informants per role and source type, roles with fewer than ``min_cell`` merged.

    Roles with fewer than ``min_cell`` informants are merged into "andre roller" (:func:`merge_small_roles`),
    then every count is suppressed with :func:`samorg.privacy.suppress` (small counts, and enough others
    that none can be worked out from the totals). Returns the display table (marker ``·`` where hidden),
    roles as rows, source types as columns, with a total column.
    """
    from samorg.privacy import suppress

    w, threshold = _w(lang), _min_cell(study)
    seg = merge_small_roles(load_segments(study, site=site), min_cell=threshold, lang=lang)
    counts = seg.groupby([C.INFORMANT_ROLE, C.SOURCE_TYPE])[C.INFORMANT_ID].nunique().unstack(fill_value=0)
    counts = counts.reindex(columns=[t for t in C.SOURCE_TYPES if t in counts.columns])
    counts.columns = [w["source_types"][t] for t in counts.columns]
    total = {"nb": "i alt", "en": "total"}["en" if lang == "en" else "nb"]
    counts[total] = seg.groupby(C.INFORMANT_ROLE)[C.INFORMANT_ID].nunique().reindex(counts.index)
    counts.index.name = {"nb": "Rolle", "en": "Role"}["en" if lang == "en" else "nb"]
    if counts.empty:
        return counts
    return suppress(counts, threshold=threshold, row_total=total, marker=MARKER).table


def themes_markdown(study: Any, *, site: str | None = None, level: str = "theme", lang: str = "nb") -> str:
    """The qualitative section's text: what the material is, the theme table, the privacy note, its limits.

    ``level`` as in :func:`theme_table` (``"aim"`` suits a site report).
    """
    w, threshold = _w(lang), _min_cell(study)
    seg = load_segments(study, site=site)
    if seg.empty:
        return w["none"].format(where=w["where_site"] if site else "")
    types = seg.groupby(C.SOURCE_TYPE)[C.INFORMANT_ID].size()
    type_text = ", ".join(w["source_types"][t] for t in C.SOURCE_TYPES if t in types)
    informants = int(seg[C.INFORMANT_ID].nunique())
    intro = w["intro"].format(segments=len(seg), informants=informants if informants >= threshold else MARKER,
                              types=type_text, start=_date(seg[C.DATE].min(), lang), end=_date(seg[C.DATE].max(), lang))
    table = markdown_table(theme_table(study, site=site, level=level, lang=lang), lang=lang, index=False)
    note = w["suppressed"].format(marker=MARKER, threshold=threshold)
    return "\n\n".join([intro, table, note, w["cannot"]])


def _quote_rows(study: Any, seg: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Consented, non-blank quotes with the role shown only where enough informants share it at the site."""
    threshold = _min_cell(study)
    named = merge_small_roles(seg, min_cell=threshold, by=[C.SITE_ID], lang=lang)
    kept = (named[C.CONSENT] & (named[C.QUOTE].str.strip() != "")).to_numpy()
    small = (named[C.INFORMANT_ROLE] != seg[C.INFORMANT_ROLE]).to_numpy()
    out = named[kept].assign(_small=small[kept])
    out[C.INFORMANT_ROLE] = out[C.INFORMANT_ROLE].where(~out["_small"], _w(lang)["informant"])
    names = tuple(getattr(getattr(study, "privacy", None), "names", ()) or ())
    out[C.QUOTE] = out[C.QUOTE].map(lambda t: redact_quote(t, names=names))
    return out.drop(columns="_small")


def _pick(quotes: pd.DataFrame, n: int) -> pd.DataFrame:
    """``n`` distinct quotes, taking turns over the directions from the most to the least frequent (so a
    divided aim shows both sides), each direction's quotes by pseudonymous id."""
    q = quotes.drop_duplicates(C.QUOTE).sort_values(C.QUOTE_ID, kind="stable")
    counts = quotes[C.DIRECTION].value_counts()
    order = sorted(counts.index, key=lambda d: (-int(counts[d]), d))
    queues = {d: list(q[q[C.DIRECTION] == d].index) for d in order}
    chosen: list[Any] = []
    while len(chosen) < n and any(queues.values()):
        for d in order:
            if queues[d] and len(chosen) < n:
                chosen.append(queues[d].pop(0))
    return q.loc[chosen]


def quotes_markdown(study: Any, *, site: str | None = None, lang: str = "nb", per_aim: int = 2) -> str:
    """A few consented quotes per aim: the quote, the informant's role (or "informant"), site and quote id.

    Quotes are picked deterministically: per aim, distinct texts taking turns over the directions from the
    most to the least frequent, each by pseudonymous quote id. Never a name: quotes are redacted, ids are
    keyed pseudonyms.
    """
    w = _w(lang)
    seg = load_segments(study, site=site)
    if seg.empty:
        return w["none"].format(where=w["where_site"] if site else "")
    quotes = _quote_rows(study, seg, lang)
    names = {s.site_id: s.name for s in study.sites}
    parts = []
    for aim in sorted(seg[C.AIM].unique()):
        parts.append(f"**{w['aim']} {int(aim)}: {w['aims'][int(aim)]}**")
        q = _pick(quotes[quotes[C.AIM] == aim], per_aim)
        if q.empty:
            parts.append(w["no_quotes"])
        for r in q.itertuples():
            by = w["quote_by"].format(role=getattr(r, C.INFORMANT_ROLE), site=names.get(r.site_id, r.site_id),
                                      quote_id=getattr(r, C.QUOTE_ID))
            parts.append(f"> «{getattr(r, C.QUOTE)}»  \n> — {by}")
    return "\n\n".join(parts)


def quantitative_direction(effect: Any, *, higher_is_better: bool = True) -> int | None:
    """+1, -1 or 0 from an effect's confidence interval (on its link scale, where no effect is 0).

    +1 when the whole interval lies above no effect, -1 when below, 0 when it includes it (no clear
    effect); ``higher_is_better=False`` turns the sign for outcomes where less is better (waiting time).
    None for no effect object or an interval that is missing.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> quantitative_direction(NS(ci_low=0.03, ci_high=0.17)), quantitative_direction(NS(ci_low=-0.1, ci_high=0.2))
    (1, 0)
    """
    low, high = getattr(effect, "ci_low", None), getattr(effect, "ci_high", None)
    if low is None or high is None or np.isnan(low) or np.isnan(high):
        return None
    sign = 1 if low > 0 else (-1 if high < 0 else 0)
    return sign if higher_is_better else -sign


def agreement(qualitative: float | None, quantitative: float | None) -> str:
    """How a qualitative direction (+1, -1, 0 = divided) relates to a quantitative one (+1, -1, 0).

    ``"agreeing"`` (same sign), ``"contradicting"`` (opposite signs), ``"mixed"`` (either is 0),
    ``"qualitative_only"`` (no quantitative direction), ``"no_qualitative"`` (no qualitative direction).

    Examples
    --------
    >>> agreement(1, 1), agreement(-1, 1), agreement(0, 1), agreement(1, None), agreement(None, -1)
    ('agreeing', 'contradicting', 'mixed', 'qualitative_only', 'no_qualitative')
    """
    def missing(x: float | None) -> bool:
        return x is None or (isinstance(x, float) and np.isnan(x))

    if missing(qualitative):
        return "no_qualitative"
    if missing(quantitative):
        return "qualitative_only"
    q, n = int(np.sign(qualitative)), int(np.sign(quantitative))
    if q == 0 or n == 0:
        return "mixed"
    return "agreeing" if q == n else "contradicting"


def qualitative_directions(study: Any, *, quantitative: Mapping[int, float | None] | None = None,
                           sites: Iterable[str] | None = None, co_located_only: bool = True,
                           lang: str = "nb") -> pd.DataFrame:
    """Per aim 1–6: the direction of the qualitative evidence and how it relates to the quantitative one.

    Each informant's segments on an aim give one vote: the sign of (positive − negative) segments
    (mixed and all-neutral informants vote 0). The evidence points one way when that way leads the
    other by at least :data:`CLEAR_MAJORITY` of the voting informants; else it is divided (0). Fewer
    voting informants than ``privacy.min_cell`` give no direction (``too_few``).

    Parameters
    ----------
    quantitative
        Aim → the direction of the quantitative evidence (+1, -1, 0 = no clear effect, None = none).
    sites
        The sites whose segments count; default: the co-located sites (``co_located_only=True``), since
        the quantitative evidence is about co-location, or every site (``co_located_only=False``).

    Returns
    -------
    DataFrame
        ``aim``, ``segments``, ``informants``, ``positive``, ``negative``, ``divided`` (informants
        voting each way), ``score`` ((positive − negative) / informants), ``qualitative`` (+1, -1,
        0 or NaN), ``quantitative``, ``agreement`` (a key of :data:`AGREEMENT_KEYS`), ``label`` (its
        words in ``lang``) and ``text`` (one sentence for the evidence map).
    """
    w, threshold = _w(lang), _min_cell(study)
    seg = load_segments(study)
    if sites is None and co_located_only:
        sites = [s.site_id for s in study.sites if getattr(s, "co_located", None)]
    if sites is not None:
        seg = seg[seg[C.SITE_ID].isin(list(sites))]
    sign = seg[C.DIRECTION].map({"positive": 1, "negative": -1, "mixed": 0, "neutral": 0})
    votes = np.sign(seg.assign(_s=sign).groupby([C.AIM, C.INFORMANT_ID])["_s"].sum())
    quantitative = dict(quantitative or {})
    rows = []
    for aim in range(1, 7):
        v = votes[votes.index.get_level_values(0) == aim] if len(votes) else votes
        n = int(len(v))
        pos, neg = int((v > 0).sum()), int((v < 0).sum())
        enough = n >= threshold
        score = (pos - neg) / n if enough else np.nan
        qual = (1.0 if score >= CLEAR_MAJORITY else (-1.0 if score <= -CLEAR_MAJORITY else 0.0)) if enough else np.nan
        quant = quantitative.get(aim)
        key = "too_few" if 0 < n < threshold else agreement(qual, quant)
        direction = w["qual_dir"][int(qual)] if enough else w["agreement"][key]
        hidden = np.nan  # counts of fewer than min_cell informants are not shown
        rows.append({"aim": aim, "segments": int((seg[C.AIM] == aim).sum()),
                     "informants": n if enough or n == 0 else hidden, "positive": pos if enough else hidden,
                     "negative": neg if enough else hidden, "divided": n - pos - neg if enough else hidden,
                     "score": score, "qualitative": qual, "quantitative": np.nan if quant is None else float(quant),
                     "agreement": key, "label": w["agreement"][key],
                     "text": w["map_text"].format(aim=aim, direction=direction, n=n if enough else MARKER,
                                                  agreement=w["agreement"][key])})
    return pd.DataFrame(rows)


def evidence_markdown(study: Any, *, quantitative: Mapping[int, float | None] | None = None, lang: str = "nb",
                      co_located_only: bool = True) -> str:
    """The qualitative columns of the evidence map as a Markdown table (aim, informants, direction, agreement)."""
    w = _w(lang)
    frame = qualitative_directions(study, quantitative=quantitative, co_located_only=co_located_only, lang=lang)
    dirs = {1.0: "+", -1.0: "−", 0.0: "±"}
    shown = pd.DataFrame({
        w["aim"]: [f"{a}: {w['aims'][a]}" for a in frame["aim"]],
        w["informants"]: [MARKER if pd.isna(n) and s > 0 else (0 if pd.isna(n) else int(n))
                          for n, s in zip(frame["informants"], frame["segments"])],
        w["direction"]: [dirs.get(q, "–") for q in frame["qualitative"]],
        {"nb": "Sammenholdt med tallene", "en": "Against the numbers"}["en" if lang == "en" else "nb"]: frame["label"],
    })
    return markdown_table(shown, lang=lang, index=False)


def site_section(ctx: Any):
    """The site report's qualitative section: themes per aim, then a few consented quotes (Markdown)."""
    from samorg.report.text import markdown

    segs = load_segments(ctx.study, site=ctx.site.site_id)
    if segs.empty:
        return markdown(_w(ctx.lang)["none_site"] if "none_site" in _w(ctx.lang) else _NO_QUAL[ctx.lang])
    return markdown(themes_markdown(ctx.study, site=ctx.site.site_id, level="aim", lang=ctx.lang) + "\n\n"
                    + quotes_markdown(ctx.study, site=ctx.site.site_id, lang=ctx.lang, per_aim=2))


def synthesis_section(ctx: Any):
    """The synthesis report's qualitative section: themes per aim, aims by site, who was heard, quotes."""
    from samorg.report.text import markdown

    if load_segments(ctx.study).empty:
        return markdown(_NO_QUAL[ctx.lang])
    parts = [themes_markdown(ctx.study, lang=ctx.lang), aims_by_site_markdown(ctx.study, lang=ctx.lang),
             markdown_table(informants_table(ctx.study, lang=ctx.lang), lang=ctx.lang),
             quotes_markdown(ctx.study, lang=ctx.lang, per_aim=2)]
    return markdown("\n\n".join(parts))


_NO_QUAL = {"nb": "Studien har ingen kodede intervjuer, verksteder eller observasjoner for dette.",
            "en": "The study has no coded interviews, workshops or observations for this."}
