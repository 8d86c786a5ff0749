"""Tables for reports: tidy frames in, Markdown tables with Norwegian number format out.

Markdown tables typeset the same way in the HTML page and the PDF (pandoc reads them natively), so
report tables are rendered here rather than left to pandas' HTML.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence

import pandas as pd

from samorg import fmt


def _cell(value: object, *, decimals: int, lang: str, percent: bool) -> str:
    if value is None or value is pd.NA or (isinstance(value, numbers.Real) and math.isnan(value)):
        return "–"
    if isinstance(value, str):
        return value.replace("|", "\\|")
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return fmt.percent(value, decimals=decimals, lang=lang) if percent else fmt.number(value, decimals=decimals, lang=lang)
    return str(value)


def _is_numeric(column: pd.Series) -> bool:
    """Numbers, or numbers mixed with short markers such as a suppression dot: right-aligned."""
    if pd.api.types.is_bool_dtype(column):
        return False
    if pd.api.types.is_numeric_dtype(column):
        return True
    values = column.dropna()
    return len(values) > 0 and all(
        (isinstance(v, numbers.Number) and not isinstance(v, bool)) or (isinstance(v, str) and len(v) <= 3)
        for v in values
    ) and any(isinstance(v, numbers.Number) for v in values)


def markdown_table(
    frame: pd.DataFrame,
    *,
    lang: str = "nb",
    decimals: int | Mapping[str, int] = 0,
    percent: Sequence[str] = (),
    index: bool = True,
    index_label: str | None = None,
) -> str:
    """A Markdown table of ``frame`` with numbers right-aligned and formatted for ``lang``.

    Parameters
    ----------
    frame : DataFrame
        Not modified. Column names are shown as given (pass reader-facing labels).
    decimals : int or mapping of column to int
        Decimals for numbers.
    percent : sequence of str
        Columns holding shares (0–1) shown as percentages.
    index : bool
        Show the index as the first column.
    index_label : str, optional
        Heading of the index column (default: the index name).
    """
    cols = list(frame.columns)

    def dec(col: str) -> int:
        return decimals.get(col, 0) if isinstance(decimals, Mapping) else decimals

    numeric = {c: _is_numeric(frame[c]) for c in cols}
    head = ([index_label if index_label is not None else (frame.index.name or "")] if index else []) + [str(c) for c in cols]
    align = ([":---"] if index else []) + ["---:" if numeric[c] else ":---" for c in cols]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    for idx, row in frame.iterrows():
        cells = [_cell(idx, decimals=0, lang=lang, percent=False) if not isinstance(idx, (int, float)) else str(idx)] if index else []
        cells += [_cell(row[c], decimals=dec(c), lang=lang, percent=c in percent) for c in cols]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
