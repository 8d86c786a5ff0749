"""Municipality codes over time, and harmonising municipality-level tables to one year's structure.

The knowledge ships as two small tables in ``samorg/data`` (derived once from SSB's KLASS 131 files
by :func:`derive_tables`, plus the changes those files cannot show; see ``samorg/data/README.md``):

* ``municipality_codes.csv``: ``code;name;first_year;last_year`` (empty = open-ended);
* ``municipality_changes.csv``: ``year;old_code;new_code;kind;source`` where ``year`` is the first
  year the new code is valid and ``kind`` is ``renumber`` (1 → 1), ``merge`` (n → 1), ``split``
  (1 → n: the old area was divided) or ``border`` (part of the old area moved; the old code lives on).

:func:`harmonise` re-keys a table to the structure of ``to_year``: counts are summed over the
codes that make up each unit, per-inhabitant rates are recomputed from the summed numerator and
population (never averaged), and a unit whose area is not exactly the sum of its parts (a split,
the 2026 Indre Østfold border change, a row reported for two municipalities) is flagged.
"""

from __future__ import annotations

import csv
import functools
import io
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from samorg import columns as C
from samorg.errors import SamorgError

CODES_FILE = "municipality_codes.csv"
CHANGES_FILE = "municipality_changes.csv"
KINDS = ("renumber", "merge", "split", "border")
#: missing-value statuses, strongest first: a sum with a confidential part stays confidential
_STATUS_ORDER = (C.STATUS_CONFIDENTIAL, C.STATUS_NOT_AVAILABLE, "...", C.STATUS_COUNTER_OUTAGE,
                 C.STATUS_NOT_APPLICABLE)
#: changes samorg knows that the KLASS files of 2013–2020 and the 1994–2024 grouping cannot show
MANUAL_CHANGES = (
    (2024, "1507", "1508", "split", "Ålesund and Haram were divided again on 1.1.2024 (1507 → 1508 Ålesund + 1580 Haram)"),
    (2024, "1507", "1580", "split", "Ålesund and Haram were divided again on 1.1.2024 (1507 → 1508 Ålesund + 1580 Haram)"),
    (2026, "3118", "3207", "border", "parts of Indre Østfold moved to Nordre Follo on 1.1.2026"),
    (2026, "3118", "3216", "border", "parts of Indre Østfold moved to Vestby on 1.1.2026"),
)


class HarmoniseError(SamorgError):
    """A table cannot be harmonised as asked (unknown codes, a rate without its parts, a bad year)."""


# ---------------------------------------------------------------- the tables

@dataclass(frozen=True, eq=False)
class Tables:
    """The code and change tables (see the module docstring)."""

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


# ---------------------------------------------------------------- mapping between years

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


# ---------------------------------------------------------------- harmonise

def _rate_parts(indicator: str) -> tuple[str, str, float] | None:
    for suffix, scale in (("_per_1000_inhabitants", 1000.0), ("_per_inhabitant", 1.0)):
        if indicator.endswith(suffix):
            return indicator[: -len(suffix)], C.POPULATION, scale
    return None


def _aggregation(indicator: str, overrides: Mapping[str, str]) -> str:
    if indicator in overrides:
        return overrides[indicator]
    if _rate_parts(indicator):
        return "rate"
    from samorg.sources.nb_library_stats import catalogue

    cat = catalogue()
    row = cat[cat["indicator"] == indicator]
    return row["aggregation"].iloc[0] if len(row) and row["aggregation"].iloc[0] else "sum"


def _status_of(statuses: Iterable[str]) -> str:
    present = set(statuses)
    return next((s for s in _STATUS_ORDER if s in present), C.STATUS_NOT_AVAILABLE)


def harmonise(frame: pd.DataFrame, *, to_year: int, mapping: Mapping[str, str] | None = None,
              aggregation: Mapping[str, str] | None = None,
              rates: Mapping[str, tuple[str, str] | tuple[str, str, float]] | None = None,
              note_column: str | None = "boundary_note", table: Tables | None = None) -> pd.DataFrame:
    """Re-key a municipality-level table to the municipalities of ``to_year``.

    Parameters
    ----------
    frame
        Long (``municipality_code``, ``indicator``, ``value``, optional ``status``, and the year in
        ``year`` or ``period_start``) or wide (``municipality_code``, ``year`` and numeric value
        columns). Rows without a municipality code (site rows) are returned unchanged.
    to_year
        The year whose structure to use (2024: Drammen 3301, Indre Østfold 3118, ...).
    mapping
        An explicit old code → new code mapping instead of the shipped KLASS tables (codes not in
        it are kept; no completeness or boundary checks are possible then).
    aggregation
        Per indicator (or wide column): ``sum`` (default for counts), ``any`` (yes/no: the largest),
        ``none`` (not additive, e.g. weeks open: missing with status ``.`` for a merged unit) or
        ``rate``. Defaults come from the National Library catalogue and the rate names.
    rates
        Per rate indicator, its numerator and denominator (and scale): ``{"visits_per_inhabitant":
        ("visits", "population")}``. Indicators ending in ``_per_inhabitant`` or
        ``_per_1000_inhabitants`` are recognised without this. Rates are recomputed from the
        summed parts, never averaged.
    note_column
        Name of the added text column flagging units whose area differs from the sum of their
        parts (``None``: no column).

    Returns
    -------
    DataFrame
        The same columns (``municipality_name`` becomes the ``to_year`` name; ``row``/``column``
        are dropped; other text columns of the parts are joined with ``" + "``) plus
        ``harmonised_from`` (the codes summed, ``+``-joined) and the note column. A sum with any part
        missing or absent is missing, with the strongest status of its parts (``:`` before ``..``).
        The input is not modified.

    Raises
    ------
    HarmoniseError
        A code not valid in its row's year, a rate whose numerator or population is not in the
        table, an unknown aggregation.

    Examples
    --------
    >>> obs = pd.DataFrame({"municipality_code": ["0602", "0625", "0711"], "year": 2019,
    ...                     "indicator": "visits", "value": [300.0, 50.0, 20.0]})
    >>> harmonise(obs, to_year=2024)[["municipality_code", "value", "harmonised_from"]].to_dict("records")
    [{'municipality_code': '3301', 'value': 370.0, 'harmonised_from': '0602+0625+0711'}]
    """
    return _harmonise(frame, to_year=to_year, mapping=mapping, aggregation=dict(aggregation or {}),
                           rates=dict(rates or {}), note_column=note_column, table=table or tables())


# ---------------------------------------------------------------- deriving the tables from KLASS files

def _first_years(g: pd.DataFrame, code_lists: Mapping[int, set[str]], grouping_year: int = 2024) -> pd.Series:
    """The first year of each current code, which the grouping leaves open.

    From the KLASS code lists where they tell (the year after the last list without the code);
    before the earliest list, a current code is new when a predecessor of the same name ended
    (1154 Vindafjord → 1160 Vindafjord in 2006), else it is as old as the grouping (1804 Bodø).
    """
    first = g["first_year"].copy()
    years = sorted(code_lists)
    for i, r in g[g["current"] & g["first_year"].isna()].iterrows():
        if years and r.code not in code_lists[years[-1]]:  # new after the last list: when a predecessor ended,
            ends = g.loc[(g["group_code"] == r.group_code) & (g["code"] != r.code), "last_year"].dropna()
            late = [int(e) for e in ends if e >= years[-1]]  # else in the grouping's year (no changes 2021–2023)
            first[i] = max(late) + 1 if late else grouping_year
            continue
        missing = [y for y in years if r.code not in code_lists[y]]
        if missing:
            first[i] = next(y for y in years if y > max(missing))
            continue
        names = set(str(r.name).split(" - "))
        same = g[(g["group_code"] == r.group_code) & (g["code"] != r.code) & g["last_year"].notna()
                 & g["name"].map(lambda n: bool(names & set(str(n).split(" - "))))]
        if len(same):
            first[i] = int(same["last_year"].max()) + 1
    return first.astype("Int64")


def derive_tables(grouping: pd.DataFrame, changes: Iterable[pd.DataFrame],
                  code_lists: Mapping[int, Iterable[str]] | None = None,
                  manual: Iterable[tuple[int, str, str, str, str]] = MANUAL_CHANGES) -> Tables:
    """Build the code and change tables from SSB's files (as the readers return them).

    ``grouping`` (:func:`samorg.sources.read_klass_grouping`) gives every code with its years;
    ``changes`` (:func:`samorg.sources.read_klass_changes`, any number of files) give the changes
    exactly, with splits; other changes are inferred from the grouping (a code that ends and has
    exactly one successor in its 2024 group); ``code_lists`` (year → codes, from
    :func:`samorg.sources.read_klass_codes`) date the current codes; ``manual`` adds what none of
    them shows (2024's division of Ålesund, 2026's border change).
    """
    lists = {int(y): set(c) for y, c in (code_lists or {}).items()}
    g = grouping[grouping["code"].str.fullmatch(r"\d{4}") & (grouping["code"] != "9999")
                 & (grouping["group_code"].str.fullmatch(r"\d{4}") | (grouping["group_code"] == "Rest"))].copy()
    g["first_year"] = _first_years(g, lists)
    codes = g[["code", "name", "first_year", "last_year"]].sort_values("code", ignore_index=True)
    rows: dict[tuple[int, str], list[tuple[str, str, str]]] = defaultdict(list)
    for ch in changes:
        for r in ch[ch["old_code"] != ch["new_code"]].itertuples():
            if r.old_code and r.new_code:
                rows[(int(r.to_year), r.old_code)].append((r.new_code, r.kind, f"KLASS {r.from_year}–{r.to_year}"))
    manual = list(manual)
    manual_keys = {(y, old) for y, old, *_ in manual}
    span = {r.code: (r.first_year, r.last_year, r.group_code) for r in g.itertuples()}
    names_of = dict(zip(g["code"], g["name"]))
    for code, (first, last, group) in span.items():
        if pd.isna(last) or (int(last) + 1, code) in rows or (int(last) + 1, code) in manual_keys:
            continue
        year = int(last) + 1
        succ = [c for c, (f, l, gr) in span.items() if gr == group and c != code
                and (pd.isna(f) or f <= year) and (pd.isna(l) or year <= l)]
        if len(succ) > 1:  # prefer the successor of the same name, else the one code new that year
            names = set(str(names_of[code]).split(" - "))
            same = [c for c in succ if names & set(str(names_of[c]).split(" - "))]
            new = [c for c in succ if not pd.isna(span[c][0]) and span[c][0] == year]
            succ = same if len(same) == 1 else new
        if len(succ) == 1:
            rows[(year, code)].append((succ[0], "", "SSB grouping 1994–2024"))
    for year, old, new, kind, _note in manual:
        rows[(year, old)].append((new, kind, "samorg (manual)"))
    fan_in: dict[tuple[int, str], int] = defaultdict(int)
    for (year, _old), targets in rows.items():
        for new, _, _ in targets:
            fan_in[(year, new)] += 1
    out = []
    for (year, old), targets in sorted(rows.items()):
        for new, kind, source in sorted(set(targets)):
            if not kind or kind in ("renumber", "merge"):
                persists = any(c == new and (pd.isna(f) or f <= year - 1) and (pd.isna(l) or year - 1 <= l)
                               for c, (f, l, _) in ((new, span.get(new, (np.nan, np.nan, ""))),))
                kind = "merge" if fan_in[(year, new)] > 1 or persists else "renumber"
            out.append({"year": year, "old_code": old, "new_code": new, "kind": kind, "source": source})
    changes_frame = pd.DataFrame(out, columns=["year", "old_code", "new_code", "kind", "source"])
    return Tables(codes.astype({"first_year": "Int64", "last_year": "Int64"}).reset_index(drop=True),
                  changes_frame.astype({"year": "Int64"}))


def write_tables(t: Tables, folder: str | Path) -> list[Path]:
    """Write the two tables as ``;``-separated UTF-8 with a provenance comment (for ``samorg/data``)."""
    folder = Path(folder)
    written = []
    for name, frame, note in ((CODES_FILE, t.codes, "municipality codes 1994-2024 with the years each was valid"),
                              (CHANGES_FILE, t.changes, "municipality code changes; year = first year of new_code")):
        buf = io.StringIO()
        buf.write(f"# samorg: {note}. Derived by samorg.municipalities.derive_tables from SSB KLASS 131 "
                  "(CC BY 4.0); see README.md.\n")
        frame.to_csv(buf, sep=";", index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        path = folder / name
        path.write_text(buf.getvalue(), encoding="utf-8")
        written.append(path)
    return written


# ---------------------------------------------------------------- harmonise: the work

_NON_KEY = {"value", "status", "source", "row", "column", "municipality_name", "covers", "harmonised_from"}
_CODE = C.MUNICIPALITY_CODE


def _years(frame: pd.DataFrame) -> pd.Series:
    if C.YEAR in frame:
        return pd.to_numeric(frame[C.YEAR]).astype("int64")
    if C.PERIOD_START in frame:
        return pd.to_datetime(frame[C.PERIOD_START]).dt.year.astype("int64")
    raise HarmoniseError("harmonise needs the year of each row: a 'year' column or a 'period_start' date. "
                         f"Columns found: {', '.join(map(str, frame.columns))}.")


def _check_codes(muni: pd.DataFrame, years: pd.Series, t: Tables) -> None:
    from samorg.sources._errors import UnknownMunicipalityError

    pairs = pd.DataFrame({"code": muni[_CODE].astype(str), "year": years}).drop_duplicates()
    bad = [(c, y) for c, y in pairs.itertuples(index=False) if not is_valid(c, y, table=t)]
    if not bad:
        return
    code, year = bad[0]
    first = muni[(muni[_CODE].astype(str) == code) & (years == year)].iloc[0]
    others = ", ".join(f"{c} ({y})" for c, y in bad[1:6]) + (" ..." if len(bad) > 6 else "")
    valid_in = [y for y in range(1994, 2027) if is_valid(code, y, table=t)]
    when = f"; {code} was valid {valid_in[0]}–{valid_in[-1]}" if valid_in else ""
    raise UnknownMunicipalityError(
        str(first.get("source", "<table>")), row=int(first["row"]) if "row" in first and pd.notna(first["row"]) else None,
        column=_CODE, found=f"{code} is not a municipality code valid in {year}{when}"
        + (f" (also: {others})" if others else ""),
        expected=f"codes valid in the year of each row (SSB KLASS 131; {len(valid_codes(year, table=t))} in {year})")


def _plan(years: Iterable[int], to_year: int, mapping: Mapping[str, str] | None, t: Tables):
    """Per data year: primary target of each code, expected codes per target, notes per target."""
    plans = {}
    for y in sorted(set(years)):
        if mapping is not None:
            plans[y] = ({}, None, {})
            continue
        ov = _overlaps(y, to_year, t)
        primary: dict[str, str] = {}
        sources: dict[str, set[str]] = defaultdict(set)
        for s, targets in ov.items():
            for target in targets:
                sources[target].add(s)
            p = list(targets) if len(targets) == 1 else [x for x, is_primary in targets.items() if is_primary]
            if len(p) == 1:
                primary[s] = p[0]
        expected: dict[str, set[str]] = defaultdict(set)
        for s, target in primary.items():
            expected[target].add(s)
        notes: dict[str, str] = {}
        for target, srcs in sources.items():
            shared = sorted(s for s in srcs if set(ov[s]) != {target})
            if not shared:
                continue
            parts = []
            for s in shared:
                others = sorted(set(ov[s]) - {target})
                if primary.get(s) == target:
                    parts.append(f"{s} {name_of(s, y, table=t)} ({y}) lost area to {', '.join(others)}")
                else:
                    parts.append(f"part of {s} {name_of(s, y, table=t)} ({y}) lies here; its data cannot be divided")
            notes[target] = f"area differs from the {y} parts: " + "; ".join(parts)
        plans[y] = (primary, dict(expected), notes)
    return plans


def _harmonise(frame: pd.DataFrame, *, to_year: int, mapping: Mapping[str, str] | None, aggregation: dict,
               rates: dict, note_column: str | None, table: Tables) -> pd.DataFrame:
    if _CODE not in frame:
        raise HarmoniseError(f"harmonise needs a {_CODE!r} column. Columns found: {', '.join(map(str, frame.columns))}.")
    for ind, method in aggregation.items():
        if method not in ("sum", "any", "none", "rate"):
            raise HarmoniseError(f"Unknown aggregation {method!r} for {ind!r}. Expected sum, any, none or rate.")
    long = {"indicator", "value"} <= set(frame.columns)
    if not long:
        return _harmonise_wide(frame, to_year=to_year, mapping=mapping, aggregation=aggregation, rates=rates,
                               note_column=note_column, table=table)
    is_muni = frame[_CODE].notna()
    sites, muni = frame[~is_muni], frame[is_muni].copy()
    if muni.empty:
        return frame.copy()
    years = _years(muni)
    muni["_year"] = years.to_numpy()
    muni[_CODE] = muni[_CODE].astype(str)
    if mapping is None:
        _check_codes(muni, years, table)
    if "status" not in muni:
        muni["status"] = np.where(muni["value"].isna(), C.STATUS_NOT_AVAILABLE, C.STATUS_OK)
    plans = _plan(muni["_year"].unique(), to_year, mapping, table)
    if mapping is not None:
        muni["_target"] = muni[_CODE].map(lambda c: mapping.get(c, c))
    else:
        muni["_target"] = [plans[y][0].get(c) for c, y in zip(muni[_CODE], muni["_year"])]
    muni = muni[muni["_target"].notna()]
    keys = [c for c in frame.columns if c not in _NON_KEY and c != _CODE and c != note_column]
    gkeys = ["_target", *keys, "_year"]
    rank = {s: i for i, s in enumerate(_STATUS_ORDER)}
    muni["_rank"] = np.where(muni["value"].isna(), muni["status"].map(lambda s: rank.get(s, 1)), len(rank))
    if "covers" in muni:
        muni["_present"] = muni["covers"].where(muni["covers"].astype(str).str.len() > 0, muni[_CODE]).astype(str)
    else:
        muni["_present"] = muni[_CODE]
    g = muni.groupby(gkeys, dropna=False, sort=True)
    out = g["value"].sum(min_count=1).rename("_sum").to_frame()
    out["_max"] = g["value"].max()
    out["_first"] = g["value"].first()
    out["_n"] = g["value"].size()
    out["_valid"] = g["value"].count()
    out["_codes"] = g[_CODE].nunique()
    out["_rank"] = g["_rank"].min()
    out["_src_first"] = g["source"].first() if "source" in muni else ""
    out["_from_first"] = g[_CODE].first()
    out = out.reset_index()
    multi = out["_codes"] > 1
    if multi.any():
        joined = (muni.groupby(gkeys, dropna=False, sort=True)
                  .agg(_from=(_CODE, lambda s: "+".join(sorted(set(s)))),
                       **({"_src": ("source", lambda s: " + ".join(sorted(set(map(str, s)))))} if "source" in muni else {}))
                  .reset_index())
        out = out.merge(joined, on=gkeys, how="left")
        out["_from"] = out["_from"].where(multi, out["_from_first"])
        out["_src"] = out["_src"].where(multi, out["_src_first"]) if "_src" in out else out["_src_first"]
    else:
        out["_from"], out["_src"] = out["_from_first"], out["_src_first"]
    present = (muni.assign(_p=muni["_present"].str.split("+")).explode("_p")
               .groupby(gkeys, dropna=False, sort=True)["_p"].agg(lambda s: frozenset(s)).reset_index())
    out = out.merge(present, on=gkeys, how="left")
    methods = {ind: _aggregation(ind, aggregation) for ind in out["indicator"].unique()}
    method = out["indicator"].map(methods)
    value = np.where(method == "any", out["_max"], out["_sum"])
    value = np.where(method == "none", np.where(out["_codes"] == 1, out["_first"], np.nan), value)
    status = np.where(out["_valid"] < out["_n"], pd.Series(out["_rank"]).map(
        lambda r: _STATUS_ORDER[int(r)] if r < len(_STATUS_ORDER) else C.STATUS_NOT_AVAILABLE), C.STATUS_OK)
    value = np.where(out["_valid"] < out["_n"], np.nan, value)
    status = np.where((method == "none") & (out["_codes"] > 1), C.STATUS_NOT_APPLICABLE, status)
    notes = pd.Series([""] * len(out), index=out.index, dtype=object)
    if mapping is None:
        for i, (target, year, got) in enumerate(zip(out["_target"], out["_year"], out["_p"])):
            _, expected, tnotes = plans[int(year)]
            want = expected.get(target, set())
            lacking = sorted(want - set(got))
            text = tnotes.get(target, "")
            if lacking:
                value[i] = np.nan
                status[i] = C.STATUS_NOT_AVAILABLE
                text = (text + "; " if text else "") + "no data for " + ", ".join(lacking)
            covered = sorted(set(got) - set(want) - {target})
            if covered:
                text = (text + "; " if text else "") + "one row covers " + "+".join(sorted(got))
            notes.iloc[i] = text
    out["value"] = pd.Series(value, index=out.index, dtype="float64")
    out["status"] = pd.Series(status, index=out.index, dtype="str")
    out = _recompute_rates(out, methods, rates, gkeys)
    result = pd.DataFrame(index=out.index)
    for col in frame.columns:
        if col == _CODE:
            result[col] = out["_target"].astype("str")
        elif col in ("value", "status"):
            result[col] = out[col]
        elif col == "source":
            result[col] = out["_src"].astype("str")
        elif col == "municipality_name":
            result[col] = [name_of(c, to_year, table=table) for c in out["_target"]]
        elif col in ("row", "column", "covers", "harmonised_from", note_column):
            continue
        else:
            result[col] = out[col]
    if "status" not in result:
        result["status"] = out["status"]
    result["harmonised_from"] = out["_from"].astype("str")
    if note_column:
        result[note_column] = notes.astype("str")
    if not sites.empty:
        site_part = sites.drop(columns=[c for c in ("row", "column", "covers") if c in sites])
        site_part = site_part.assign(harmonised_from=pd.Series(np.nan, index=site_part.index, dtype="str"),
                                     **({note_column: ""} if note_column else {}))
        result = pd.concat([result, site_part[list(result.columns)]], ignore_index=True)
    return result.reset_index(drop=True)


def _recompute_rates(out: pd.DataFrame, methods: dict, rates: dict, gkeys: list[str]) -> pd.DataFrame:
    rate_inds = [i for i, m in methods.items() if m == "rate" or i in rates]
    if not rate_inds:
        return out
    others = [k for k in gkeys if k != "indicator"]
    out = out.copy()
    for ind in rate_inds:
        parts = rates.get(ind) or _rate_parts(ind)
        if not parts:
            raise HarmoniseError(f"{ind!r} is aggregated as a rate but its parts are unknown. Pass "
                                 f"rates={{{ind!r}: (numerator, denominator)}}; rates are never averaged.")
        num, den, scale = (*parts, 1.0)[:3]
        have = set(out["indicator"])
        lacking = [p for p in (num, den) if p not in have]
        if lacking:
            raise HarmoniseError(f"The rate {ind!r} cannot be recomputed: {', '.join(map(repr, lacking))} "
                                 "is not in the table. Include the numerator and the population, or drop the rate "
                                 "(a rate of merged municipalities is never an average of their rates).")
        sel = out["indicator"] == ind
        idx = out.loc[sel, others]
        n = out[out["indicator"] == num].set_index(others)[["value", "status"]]
        d = out[out["indicator"] == den].set_index(others)[["value", "status"]]
        key = pd.MultiIndex.from_frame(idx) if len(others) > 1 else pd.Index(idx[others[0]])
        nv, dv = n.reindex(key), d.reindex(key)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = nv["value"].to_numpy() / dv["value"].to_numpy() * float(scale)
        ratio = np.where(np.isfinite(ratio), ratio, np.nan)
        st = np.where(np.isnan(ratio), np.where(nv["status"].fillna("").to_numpy() != "", nv["status"].fillna(""),
                                                np.where(dv["status"].fillna("").to_numpy() != "",
                                                         dv["status"].fillna(""), C.STATUS_NOT_AVAILABLE)), "")
        out.loc[sel, "value"] = ratio
        out.loc[sel, "status"] = st
    return out


def _harmonise_wide(frame: pd.DataFrame, *, to_year: int, mapping, aggregation, rates, note_column, table) -> pd.DataFrame:
    values = [c for c in frame.columns if c not in (_CODE, C.YEAR, "row") and pd.api.types.is_numeric_dtype(frame[c])
              and not pd.api.types.is_bool_dtype(frame[c])]
    if not values:
        raise HarmoniseError("harmonise found no value columns: give a long table (indicator, value) or numeric "
                             f"columns. Columns found: {', '.join(map(str, frame.columns))}.")
    ids = [c for c in frame.columns if c not in values]
    long = frame.melt(id_vars=ids, value_vars=values, var_name="indicator", value_name="value")
    done = _harmonise(long, to_year=to_year, mapping=mapping, aggregation=aggregation, rates=rates,
                      note_column=note_column, table=table)
    keys = [c for c in done.columns if c not in ("indicator", "value", "status", "harmonised_from", note_column)]
    extra = [c for c in ("harmonised_from", note_column) if c]
    wide = done.pivot_table(index=keys, columns="indicator", values="value", dropna=False, aggfunc="first",
                            sort=True).reset_index()
    meta = done.drop_duplicates(keys)[keys + extra]
    wide = wide.merge(meta, on=keys, how="left")
    wide.columns.name = None
    return wide[[c for c in frame.columns if c in wide.columns and c != "row"] + extra].reset_index(drop=True)
