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

The tables and the mapping between years live in :mod:`samorg._municipality_tables`, the work of
:func:`harmonise` in :mod:`samorg._harmonise`; every name is imported from here.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from samorg._harmonise import HarmoniseError, harmonise_frame
from samorg._municipality_tables import (CHANGES_FILE, CODES_FILE, KINDS, Tables, code_mapping, is_valid, name_of,
                                         tables, valid_codes)

__all__ = ["CHANGES_FILE", "CODES_FILE", "KINDS", "MANUAL_CHANGES", "HarmoniseError", "Tables", "code_mapping",
           "derive_tables", "harmonise", "is_valid", "name_of", "tables", "valid_codes", "write_tables"]

#: changes samorg knows that the KLASS files of 2013–2020 and the 1994–2024 grouping cannot show
MANUAL_CHANGES = (
    (2024, "1507", "1508", "split", "Ålesund and Haram were divided again on 1.1.2024 (1507 → 1508 Ålesund + 1580 Haram)"),
    (2024, "1507", "1580", "split", "Ålesund and Haram were divided again on 1.1.2024 (1507 → 1508 Ålesund + 1580 Haram)"),
    (2026, "3118", "3207", "border", "parts of Indre Østfold moved to Nordre Follo on 1.1.2026"),
    (2026, "3118", "3216", "border", "parts of Indre Østfold moved to Vestby on 1.1.2026"),
)


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
    return harmonise_frame(frame, to_year=to_year, mapping=mapping, aggregation=dict(aggregation or {}),
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
