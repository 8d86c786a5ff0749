"""Small-cell suppression: hide counts of fewer than ``threshold`` people, and enough other cells that
no hidden count can be worked out from the totals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

from samorg.errors import SamorgError

# ---------------------------------------------------------------- small-cell suppression

SUPPRESSION_NOTE = {
    "nb": "{marker} = skjult av personvernhensyn: færre enn {threshold} personer, eller skjult for at et "
          "lite tall ikke skal kunne regnes ut fra summene.",
    "en": "{marker} = hidden to protect privacy: fewer than {threshold} people, or hidden so that a small "
          "number cannot be worked out from the totals.",
}


@dataclass(frozen=True)
class SuppressedTable:
    """A count (or share) table after small-cell suppression.

    Attributes
    ----------
    table
        For display: the original values where shown, the marker where hidden (object dtype).
    values
        The numbers with NaN where hidden (for figures and further formatting).
    mask
        True where a cell is hidden.
    primary
        True where a cell is hidden because it is small (``0 < n < threshold``); the other hidden
        cells are secondary (hidden so the small ones cannot be worked out from totals).
    threshold, marker
        The rule and the symbol used.
    """

    table: pd.DataFrame
    values: pd.DataFrame
    mask: pd.DataFrame
    primary: pd.DataFrame
    threshold: int
    marker: str

    @property
    def secondary(self) -> pd.DataFrame:
        return self.mask & ~self.primary

    def note(self, lang: str = "nb") -> str:
        """The footnote explaining the marker, in bokmål (``"nb"``) or English (``"en"``)."""
        return SUPPRESSION_NOTE["en" if lang == "en" else "nb"].format(marker=self.marker, threshold=self.threshold)


def _counts(table: pd.DataFrame, threshold: int) -> np.ndarray:
    if isinstance(threshold, bool) or not isinstance(threshold, (int, np.integer)) or threshold < 1:
        raise SamorgError(f"threshold {threshold!r} is not a whole number of at least 1. Expected e.g. 5.")
    bad = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])
           or pd.api.types.is_bool_dtype(table[c])]
    if bad:
        raise SamorgError(f"suppress() needs a table of counts; the column(s) {bad!r} are not numbers. "
                          "Move labels into the index (df.set_index(...)).")
    values = table.to_numpy(dtype="float64", na_value=np.nan)
    if (values < 0).any():
        raise SamorgError("suppress() needs counts of people (0 or more); the table has negative numbers.")
    return values


def _lines(shape: tuple[int, int], known_sums: str) -> list[list[tuple[int, int]]]:
    """The lines whose sums are taken to be known: rows (with 2+ cells) and columns (with 2+ cells)."""
    n_rows, n_cols = shape
    lines = []
    if n_cols >= 2 and known_sums in ("both", "rows"):
        lines += [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    if n_rows >= 2 and known_sums in ("both", "columns"):
        lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    return lines


def _choose(cells: Iterable[tuple[int, int]], values: np.ndarray, hidden: np.ndarray,
            totals: np.ndarray) -> tuple[int, int] | None:
    """The cell to hide as a complement: not a total, not zero, in a crossing line that already has
    a hidden cell (no new line to protect), then the smallest; ties by position."""
    def key(c: tuple[int, int]) -> tuple:
        i, j = c
        crossing = hidden[i, :].any() and hidden[:, j].any()
        return (bool(totals[i, j]), values[i, j] == 0, not crossing, values[i, j], i, j)

    free = [c for c in cells if not hidden[c] and not np.isnan(values[c])]
    return min(free, key=key) if free else None


def _bridge_fix(values: np.ndarray, hidden: np.ndarray, totals: np.ndarray) -> tuple[int, int] | None:
    """A hidden cell that the row and column sums still pin down, and the cell that frees it.

    Hidden cells are edges between their row and column; a cell's value is determined by the sums
    exactly when its edge is a bridge (lies on no cycle). Hiding a cell that joins the two sides
    puts the bridge on a cycle.
    """
    n_rows, n_cols = hidden.shape
    edges = list(zip(*np.nonzero(hidden)))
    adjacency: dict[tuple[str, int], set[tuple[str, int]]] = {}
    for i, j in edges:
        adjacency.setdefault(("r", i), set()).add(("c", j))
        adjacency.setdefault(("c", j), set()).add(("r", i))
    for i, j in edges:
        side, todo = {("r", i)}, [("r", i)]
        while todo:
            node = todo.pop()
            for nxt in adjacency[node]:
                if {node, nxt} == {("r", i), ("c", j)} or nxt in side:
                    continue
                side.add(nxt)
                todo.append(nxt)
        if ("c", j) in side:
            continue  # on a cycle: safe
        rows_a = {k for t, k in side if t == "r"}
        cols_a = {k for t, k in side if t == "c"}
        cells = [(r, c) for r in range(n_rows) for c in range(n_cols)
                 if (r in rows_a) != (c in cols_a) and (r, c) != (i, j)]
        choice = _choose(cells, values, hidden, totals)
        if choice is not None:
            return choice
    return None


def suppress(
    table: pd.DataFrame,
    *,
    threshold: int = 5,
    suppress_zeros: bool = False,
    row_total: str | None = None,
    column_total: str | None = None,
    known_sums: str = "both",
    marker: str = "·",
    small_marker: str | None = None,
) -> SuppressedTable:
    """Hide small counts of people and enough other cells that no hidden count can be worked out.

    Primary suppression hides every count with ``0 < n < threshold`` (totals included). Zeros are
    shown by default: a count of nobody identifies nobody, and hiding zeros would hide that a
    service went unused; ``suppress_zeros=True`` hides them too.

    Secondary suppression assumes every row and column sum is known to the reader (printed in the
    table, or elsewhere in the report; ``known_sums`` narrows this), and hides further cells,
    repeating until nothing changes, until (1) no row or column has exactly one hidden cell, and
    (2) no hidden cell is pinned down by the sums of several lines together (each hidden cell's
    row–column edge lies on a cycle of hidden cells). The complement chosen is the smallest
    non-zero cell that is not a total, preferring cells whose other line already has a hidden
    cell. A table of one row or one column has one known sum.
    This protects against recovering a hidden count exactly; it does not hide that a hidden count
    lies in a range (the marker itself says "small or hidden").

    Parameters
    ----------
    table : DataFrame
        Counts (or weighted counts), labels in the index, every column numeric, none negative.
        Missing values (NaN) are left as they are. Not modified.
    threshold : int
        Smallest count shown (``privacy.min_cell`` in study.yaml; default 5).
    suppress_zeros : bool
        Hide zeros as well as small counts.
    row_total, column_total : str, optional
        The label of the column holding each row's total, and of the row holding each column's total,
        when the table shows them: they are then part of the lines they sum.
    known_sums : {"both", "rows", "columns"}
        Which sums a reader can know: row and column sums (default, the safe choice), only each
        row's sum (e.g. shares within rows with each row's *n* printed), or only each column's.
    marker : str
        The symbol shown for every hidden cell (default ``"·"``).
    small_marker : str, optional
        A different symbol for primary cells, e.g. ``"<5"``. By default both look the same, so a
        reader cannot tell the small cells from their complements.

    Returns
    -------
    SuppressedTable

    Examples
    --------
    >>> counts = pd.DataFrame({"telefon": [12, 3, 20], "skranke": [30, 14, 41], "digitalt": [25, 18, 9]},
    ...                       index=["Askim", "Mysen", "Svelvik"])
    >>> suppress(counts).table
            telefon skranke digitalt
    Askim         ·       ·       25
    Mysen         ·       ·       18
    Svelvik      20      41        9
    """
    if known_sums not in ("both", "rows", "columns"):
        raise SamorgError(f"known_sums={known_sums!r}. Expected 'both', 'rows' or 'columns'.")
    values = _counts(table, threshold)
    primary = (values < threshold) & ((values > 0) | suppress_zeros) & ~np.isnan(values)
    totals = np.zeros(values.shape, dtype=bool)
    if row_total is not None:
        totals[:, table.columns.get_loc(row_total)] = True
    if column_total is not None:
        totals[table.index.get_loc(column_total), :] = True
    hidden = _complements(values, primary, totals, known_sums)
    return _result(table, table, hidden, primary, threshold, marker, small_marker)


def _complements(values: np.ndarray, primary: np.ndarray, totals: np.ndarray, known_sums: str) -> np.ndarray:
    """Primary cells plus the secondary cells that keep them from being worked out (repeat until stable)."""
    hidden = primary.copy()
    lines = _lines(values.shape, known_sums)
    two_way = values.shape[0] >= 2 and values.shape[1] >= 2 and known_sums == "both"
    while True:
        changed = False
        for line in lines:
            if sum(hidden[c] for c in line) == 1:
                choice = _choose(line, values, hidden, totals)
                if choice is not None:
                    hidden[choice] = changed = True
        if changed:
            continue
        choice = _bridge_fix(values, hidden, totals) if two_way and hidden.any() else None
        if choice is None:
            return hidden
        hidden[choice] = True


def _result(original: pd.DataFrame, shown_values: pd.DataFrame, hidden: np.ndarray, primary: np.ndarray,
            threshold: int, marker: str, small_marker: str | None) -> SuppressedTable:
    mask_frame = pd.DataFrame(hidden, index=original.index, columns=original.columns)
    primary_frame = pd.DataFrame(primary, index=original.index, columns=original.columns)
    shown = shown_values.astype(object).mask(mask_frame, marker)
    if small_marker is not None:
        shown = shown.mask(primary_frame, small_marker)
    return SuppressedTable(table=shown, values=shown_values.mask(mask_frame).astype("float64"), mask=mask_frame,
                           primary=primary_frame, threshold=int(threshold), marker=marker)


def suppress_shares(
    counts: pd.DataFrame,
    *,
    within: str = "row",
    threshold: int = 5,
    suppress_zeros: bool = False,
    known_sums: str | None = None,
    marker: str = "·",
    small_marker: str | None = None,
) -> SuppressedTable:
    """Shares of people (0–1) within each row (``within="row"``) or column, with the counts' suppression.

    The counts are suppressed with :func:`suppress`; a share is hidden wherever its count is, so a
    share cannot be turned back into a small count (with the base *n* printed, a visible share is a
    visible count), and a whole line whose base is below the threshold is hidden. By default only
    the bases are taken as known (``known_sums="rows"`` for shares within rows); pass
    ``known_sums="both"`` when the report also shows the counts' totals the other way.
    ``values`` holds the shares with NaN where hidden; ``counts`` is not modified.

    Examples
    --------
    >>> counts = pd.DataFrame({"fornøyd": [40, 3], "misfornøyd": [10, 1]}, index=["Askim", "Mysen"])
    >>> suppress_shares(counts).table
          fornøyd misfornøyd
    Askim     0.8        0.2
    Mysen       ·          ·
    """
    if within not in ("row", "column"):
        raise SamorgError(f"within={within!r}. Expected 'row' or 'column'.")
    known_sums = known_sums or ("rows" if within == "row" else "columns")
    if known_sums not in ("both", "rows", "columns"):
        raise SamorgError(f"known_sums={known_sums!r}. Expected 'both', 'rows' or 'columns'.")
    values = _counts(counts, threshold)
    axis = 0 if within == "row" else 1
    base = np.nansum(values, axis=1 - axis)
    small_base = (base > 0) & (base < threshold)
    primary = ((values < threshold) & ((values > 0) | suppress_zeros) & ~np.isnan(values)
               | (small_base[:, None] if axis == 0 else small_base[None, :]))
    hidden = _complements(values, primary, np.zeros(values.shape, dtype=bool), known_sums)
    shares = counts.div(counts.sum(axis=1 - axis), axis=axis).astype("float64")
    return _result(counts, shares, hidden, primary, threshold, marker, small_marker)
