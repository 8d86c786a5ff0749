"""Municipality codes over time: the shipped code and change tables, and how one year's municipalities
map onto another's. Public through :mod:`samorg.municipalities` (see its docstring for the tables).
"""

from __future__ import annotations

import functools
import io
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources

import pandas as pd

__all__ = ["CHANGES_FILE", "CODES_FILE", "KINDS", "Tables", "code_mapping", "is_valid", "name_of", "tables",
           "valid_codes"]

CODES_FILE = "municipality_codes.csv"
CHANGES_FILE = "municipality_changes.csv"
KINDS = ("renumber", "merge", "split", "border")


@dataclass(frozen=True, eq=False)
class Tables:
    """The code and change tables (see :mod:`samorg.municipalities`)."""

    codes: pd.DataFrame
    changes: pd.DataFrame

    @functools.cached_property
    def _spans(self) -> dict[str, list[tuple[int, int, str]]]:
        spans: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for r in self.codes.itertuples():
            first = -10_000 if pd.isna(r.first_year) else int(r.first_year)
            last = 10_000 if pd.isna(r.last_year) else int(r.last_year)
            spans[r.code].append((first, last, r.name))
        return dict(spans)

    @functools.cached_property
    def _edges(self) -> dict[int, dict[str, list[tuple[str, str]]]]:
        edges: dict[int, dict[str, list[tuple[str, str]]]] = defaultdict(lambda: defaultdict(list))
        for r in self.changes.itertuples():
            edges[int(r.year)][r.old_code].append((r.new_code, r.kind))
        return {y: dict(v) for y, v in edges.items()}


def _read_table(name: str, dtypes: dict[str, str]) -> pd.DataFrame:
    text = resources.files("samorg").joinpath("data", name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    frame = pd.read_csv(io.StringIO("\n".join(lines)), sep=";", dtype=str, keep_default_na=False)
    for col, dtype in dtypes.items():
        frame[col] = pd.to_numeric(frame[col].replace("", None)).astype(dtype) if dtype == "Int64" else frame[col]
    return frame


@functools.cache
def tables() -> Tables:
    """The shipped code and change tables."""
    return Tables(_read_table(CODES_FILE, {"first_year": "Int64", "last_year": "Int64"}),
                  _read_table(CHANGES_FILE, {"year": "Int64"}))


def valid_codes(year: int, *, table: Tables | None = None) -> dict[str, str]:
    """Municipality code → name for the codes valid on 1 January ``year`` (9999 excluded).

    Examples
    --------
    >>> len(valid_codes(2019)), len(valid_codes(2020)), len(valid_codes(2024))
    (422, 356, 357)
    >>> valid_codes(2020)["3014"]
    'Indre Østfold'
    """
    t = table or tables()
    out = {}
    for code, spans in t._spans.items():
        for first, last, name in spans:
            if first <= year <= last:
                out[code] = name
    return dict(sorted(out.items()))


def is_valid(code: str, year: int, *, table: Tables | None = None) -> bool:
    """Whether ``code`` was a municipality code on 1 January ``year``."""
    t = table or tables()
    return any(first <= year <= last for first, last, _ in t._spans.get(str(code), ()))


def name_of(code: str, year: int | None = None, *, table: Tables | None = None) -> str:
    """The name of ``code`` (valid in ``year``, or its most recent name); ``""`` if unknown."""
    t = table or tables()
    spans = t._spans.get(str(code), [])
    if year is not None:
        spans = [s for s in spans if s[0] <= year <= s[1]] or spans
    return max(spans)[2] if spans else ""


def _forward(code: str, start: int, end: int, t: Tables) -> dict[str, bool]:
    """The codes of year ``end`` whose area overlaps ``code`` of year ``start`` (start < end); value: primary.

    A target is primary when it was reached through renumberings, merges or as the code that
    lives on after a border change; parts of a split or of a border change are not primary.
    """
    state = {code: True}
    for year in sorted(y for y in t._edges if start < y <= end):
        out: dict[str, bool] = {}
        for c, primary in state.items():
            moves = t._edges[year].get(c)
            if not moves:
                out[c] = out.get(c, False) or primary
                continue
            kinds = {k for _, k in moves}
            if "border" in kinds:
                out[c] = out.get(c, False) or primary
                for n, _ in moves:
                    out.setdefault(n, False)
                continue
            single = len(moves) == 1 and "split" not in kinds
            for n, _ in moves:
                out[n] = out.get(n, False) or (primary and single)
        state = out
    return state


@functools.cache
def _overlaps(start: int, end: int, t: Tables) -> dict[str, dict[str, bool]]:
    """Code valid in ``start`` → {code valid in ``end`` it overlaps: primary?}."""
    if start == end:
        return {c: {c: True} for c in valid_codes(start, table=t)}
    if start < end:
        return {c: _forward(c, start, end, t) for c in valid_codes(start, table=t)}
    inverse: dict[str, dict[str, bool]] = defaultdict(dict)
    for target in valid_codes(end, table=t):
        for source, primary in _forward(target, end, start, t).items():
            inverse[source][target] = primary
    return dict(inverse)


def code_mapping(from_year: int, to_year: int, *, table: Tables | None = None) -> pd.DataFrame:
    """How the municipalities of ``from_year`` map onto those of ``to_year``.

    Returns
    -------
    DataFrame
        ``code`` (valid in ``from_year``), ``target`` (valid in ``to_year``), ``primary`` (the
        code's data go to this target), ``exact`` (the target is exactly the union of the codes
        mapped to it), sorted by target and code.

    Examples
    --------
    >>> m = code_mapping(2019, 2024)
    >>> sorted(m.loc[m["target"] == "3301", "code"])
    ['0602', '0625', '0711']
    """
    t = table or tables()
    ov = _overlaps(from_year, to_year, t)
    sources: dict[str, set[str]] = defaultdict(set)
    for s, targets in ov.items():
        for target in targets:
            sources[target].add(s)
    rows = []
    for s, targets in ov.items():
        for target, primary in targets.items():
            exact = all(set(ov[x]) == {target} for x in sources[target])
            rows.append((s, target, bool(primary) or len(targets) == 1, exact))
    frame = pd.DataFrame(rows, columns=["code", "target", "primary", "exact"])
    return frame.sort_values(["target", "code"], ignore_index=True)
