"""How results show themselves: a one-line repr, ``summary()``, notebook HTML/Markdown, and ``etable``.

Every result class mixes in :class:`ResultDisplay` and supplies ``_headline()`` (one line) and
``_summary_rows(lang)`` (label, value pairs); tables come from ``_summary_tables()``, by default the
non-empty DataFrame attributes a result carries (coefficients, thresholds, studies, cells).
``ResultDisplay.__init_subclass__`` keeps the short repr on dataclass subclasses, which would
otherwise get a generated one listing every field (2,000 characters for a DiD result).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from samorg import fmt

_RATIO_LINKS = ("log", "logit")  # as samorg.models.result.RATIO_LINKS (not imported: result imports this module)
_EFFECT_FIELDS = ("estimate", "std_error", "ci_low", "ci_high", "p_value", "level", "link", "method", "inference",
                  "n_obs", "term", "details")
_TABLE_ATTRIBUTES = ("coefficients", "thresholds", "studies", "cells", "group_time", "table", "weight_table")
_LABELS = {
    "estimate": ("Anslag", "Estimate"),
    "interval": ("{level} KI", "{level} CI"),
    "p": ("p-verdi", "p-value"),
    "ratio": ("Forhold", "Ratio"),
    "n": ("Observasjoner", "Observations"),
    "method": ("Metode", "Method"),
    "inference": ("Inferens", "Inference"),
    "term": ("Ledd", "Term"),
    "caveats": ("Forbehold", "Caveats"),
}


def label(key: str, lang: str, **kw: Any) -> str:
    return _LABELS[key][0 if lang == "nb" else 1].format(**kw)


def number_decimals(estimate: float, std_error: float, ci_low: float, ci_high: float) -> int:
    """Decimals showing the uncertainty with about two significant digits (from the SE, else the interval)."""
    scale = std_error
    if not (isinstance(scale, float) and math.isfinite(scale) and scale > 0):
        width = ci_high - ci_low
        scale = width / 4 if math.isfinite(width) and width > 0 else abs(estimate) / 10
    if not math.isfinite(scale) or scale <= 0:
        return 2
    return int(min(4, max(0, 1 - math.floor(math.log10(scale)))))


class ResultDisplay:
    """Mixin: short ``repr``, ``summary()``, ``_repr_html_`` and ``_repr_markdown_`` for a result."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__repr__" not in cls.__dict__:  # before @dataclass runs: it then keeps this one
            cls.__repr__ = ResultDisplay.__repr__  # type: ignore[method-assign]

    # -- to be supplied -----------------------------------------------------------------------------
    def _headline(self) -> str:  # pragma: no cover - every result class overrides it
        return ""

    def _summary_rows(self, lang: str) -> list[tuple[str, str]]:  # pragma: no cover
        return []

    def _summary_title(self, lang: str) -> str:
        return type(self).__name__

    def _summary_tables(self) -> list[tuple[str, pd.DataFrame]]:
        out = []
        for name in _TABLE_ATTRIBUTES:
            value = getattr(self, name, None)
            if isinstance(value, pd.DataFrame) and not value.empty:
                out.append((name, value))
        return out

    # -- shown ----------------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._headline()}>"

    def summary(self, lang: str = "en", *, tables: bool = True) -> str:
        """A readable text block: the headline numbers, method, inference, n, caveats, then the tables."""
        fmt._check_lang(lang)
        rows = self._summary_rows(lang)
        width = max((len(k) for k, _ in rows), default=0)
        lines = [self._summary_title(lang), "=" * len(self._summary_title(lang))]
        for key, value in rows:
            pad = " " * (width + 2)
            text = str(value).replace("\n", "\n" + pad)
            lines.append(f"{key.ljust(width)}  {text}")
        if tables:
            for name, table in self._summary_tables():
                lines += ["", f"{name}:", table.to_string(max_rows=30, max_cols=10, float_format=_float)]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        rows = self._summary_rows("en")
        body = "\n".join(f"| {_md(k)} | {_md(v)} |" for k, v in rows)
        return f"**{_md(self._summary_title('en'))}**\n\n| | |\n|---|---|\n{body}\n"

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><th style=\"text-align:left\">{html.escape(k)}</th><td style=\"text-align:left\">"
                       f"{html.escape(str(v)).replace(chr(10), '<br>')}</td></tr>" for k, v in self._summary_rows("en"))
        return (f"<div><strong>{html.escape(self._summary_title('en'))}</strong>"
                f"<table>{rows}</table></div>")


def interval_text(r: Any, decimals: int, lang: str, *, ratio: bool = False) -> str:
    """The interval without its label (``ratio``: exponentiated); an unbounded one is said in words
    (EVIDENCE.md §6: never "∞")."""
    if not (math.isfinite(r.ci_low) and math.isfinite(r.ci_high)):
        if math.isnan(r.ci_low) or math.isnan(r.ci_high):
            return fmt.MISSING
        return "ubegrenset" if lang == "nb" else "unbounded"
    lo, hi = (math.exp(r.ci_low), math.exp(r.ci_high)) if ratio else (r.ci_low, r.ci_high)
    return fmt.ci(lo, hi, decimals=decimals, lang=lang, level=r.level, label=False)


def _float(x: float) -> str:
    return f"{x:.4g}"


def _md(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", "<br>")


def etable(results: Sequence[Any] | Mapping[str, Any], *, lang: str = "nb",
           labels: Sequence[str] | None = None) -> pd.DataFrame:
    """Several results side by side (as pyfixest's ``etable``): one column per result.

    Rows: the term, estimate, interval, p-value, ratio (when any result has one), observations,
    method and inference, formatted for ``lang``. ``results`` may be a sequence (columns named
    ``(1)``, ``(2)``, … or by ``labels``) or a mapping label → result.

    >>> from samorg.models import Effect
    >>> a = Effect(estimate=0.1, std_error=0.05, ci_low=0.0, ci_high=0.2, p_value=0.05, n_obs=40)
    >>> etable([a, a], lang="en").loc["Estimate"].tolist()
    ['0.100', '0.100']
    """
    from samorg.errors import ModelError

    fmt._check_lang(lang)
    if isinstance(results, Mapping):
        labels = [str(k) for k in results] if labels is None else list(labels)
        results = list(results.values())
    results = list(results)
    if not results:
        raise ModelError("etable() needs at least one result.")
    bad = [i for i, r in enumerate(results) if not all(hasattr(r, a) for a in _EFFECT_FIELDS)]
    if bad:
        raise ModelError(f"etable() takes estimator results (Effect and its subclasses); item(s) {bad} are "
                         f"{sorted({type(results[i]).__name__ for i in bad})}.")
    labels = [f"({i + 1})" for i in range(len(results))] if labels is None else [str(x) for x in labels]
    if len(labels) != len(results):
        raise ModelError(f"etable() got {len(labels)} labels for {len(results)} results.")
    any_ratio = any(r.link in _RATIO_LINKS for r in results)
    columns = {}
    for name, r in zip(labels, results):
        d = number_decimals(r.estimate, r.std_error, r.ci_low, r.ci_high)
        col = {
            label("term", lang): r.term,
            label("estimate", lang): fmt.number(r.estimate, decimals=d, lang=lang),
            label("interval", lang, level=fmt.level_text(r.level, lang=lang)): interval_text(r, d, lang),
            label("p", lang): fmt.p_value(r.p_value, lang=lang, min_attainable=r.details.get("min_attainable_p")),
        }
        if any_ratio:
            col[label("ratio", lang)] = (fmt.number(r.ratio(), decimals=3, lang=lang) if r.link in _RATIO_LINKS
                                         else fmt.MISSING)
        col[label("n", lang)] = fmt.number(r.n_obs, lang=lang)
        col[label("method", lang)] = r.details.get("method_nb", r.method) if lang == "nb" else r.method
        col[label("inference", lang)] = r.details.get("inference_nb", r.inference) if lang == "nb" else r.inference
        columns[name] = col
    return pd.DataFrame(columns)
