"""The synthesis's survey section (re-exported by :mod:`samorg.report.synthesis`): the change in the share of
positive answers at co-located sites against the others, first → last wave, per survey item.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from samorg import columns as C
from samorg.errors import ModelError
from samorg.report.notes import model_warnings
from samorg.report.site import _md
from samorg.report.text import t

if TYPE_CHECKING:  # pragma: no cover
    from samorg.report.synthesis import SynthesisContext


def survey_change(ctx: SynthesisContext, item: str):
    """The change in the share of the two most positive answers, co-located vs other sites, first → last wave."""
    from samorg.models import ordinal_change
    from samorg.store import load_survey_responses

    key = ("survey", item)
    if key not in ctx.cache:
        path = ctx.study.processed_dir / "survey_responses.parquet"
        if not path.is_file():
            ctx.cache[key] = None
        else:
            if "survey_answers" not in ctx.cache:  # read once for every item (never modified)
                ctx.cache["survey_answers"] = load_survey_responses(ctx.study.processed_dir)
            answers = ctx.cache["survey_answers"]
            answers = answers[answers[C.ITEM] == item].dropna(subset=[C.RESPONSE])
            co_located = {s.site_id: s.co_located for s in ctx.study.sites if s.role in ("treated", "comparison")}
            waves = sorted(answers[C.WAVE].unique())
            if len(waves) < 2:
                ctx.cache[key] = None
            else:
                after = waves[-1]
                # Group: sites co-located before their after-wave survey, against sites never co-located.
                # A site co-located later than its after-wave survey is neither, and is left out.
                surveyed = answers[answers[C.WAVE] == after].groupby(C.SITE_ID)[C.DATE].min()
                group = {}
                for site, since in co_located.items():
                    if since is None:
                        group[site] = 0
                    elif site in surveyed.index and pd.Timestamp(since) <= surveyed[site]:
                        group[site] = 1
                answers = answers[answers[C.SITE_ID].isin(group)]
                answers = answers.assign(co_located=answers[C.SITE_ID].map(group).astype(int))
                with model_warnings(f"ordinal change, {item}", ctx.notes):
                    try:
                        ctx.cache[key] = ordinal_change(answers, outcome=C.RESPONSE, design="did", group="co_located",
                                                        time=C.WAVE, before=waves[0], after=after, cluster=C.SITE_ID)
                    except ModelError as exc:
                        ctx.cache[key] = exc
    res = ctx.cache[key]
    label = item_label(item, ctx.lang)
    if res is None:
        return _md(t("syn_no_survey", ctx.lang))
    if isinstance(res, Exception):
        return _md(f"**{label}:** " + t("its_failed", ctx.lang, error=str(res)))
    return _md(f"**{label}:** {res.sentence(lang=ctx.lang, outcome_label=label.lower())}")


def item_label(item: str, lang: str) -> str:
    """The reader's name of a survey item: the built-in catalogue's, else the item id itself."""
    from samorg.report.text import TEXTS

    key = f"item_{item}"
    return t(key, lang) if key in TEXTS[lang] else item.replace("_", " ").capitalize()


def survey_changes(ctx: SynthesisContext):
    """The survey change of every survey item the study names as an aim's primary indicator (aims 2 and 4)."""
    items = [ctx.study.primary_by_aim[a] for a in (2, 4) if a in ctx.study.primary_by_aim]
    if not items:
        return _md(t("syn_no_primary_survey", ctx.lang))
    return _md("\n\n".join(survey_change(ctx, item).data for item in dict.fromkeys(items)))
