"""Cleaning steps for values and rows: Norwegian numbers and dates, duplicate exports, site names → ids."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from samorg.errors import ConfigError, Problem, SourceFormatError
from samorg.sources._text import in_range, norm_header, parse_datetime, parse_month, parse_number

_COPY_MARK = re.compile(r"( - kopi| - copy|\(\d+\)|_kopi|kopi av )", re.IGNORECASE)


# ---------------------------------------------------------------- numbers

def parse_norwegian_numbers(frame: pd.DataFrame, *, columns: Iterable[str]) -> pd.DataFrame:
    """Return a copy with ``columns`` parsed from Norwegian text (``"12 345"``, ``"15,6"``, ``-``) to float.

    Examples
    --------
    >>> parse_norwegian_numbers(pd.DataFrame({"n": ["307 528 ", "15,6", "-"]}), columns=["n"])["n"].tolist()
    [307528.0, 15.6, nan]
    """
    out = frame.copy()
    for col in columns:
        out[col] = [parse_number(v)[0] for v in frame[col].tolist()]
        out[col] = out[col].astype("float64")
    return out


def _where(frame: pd.DataFrame, i: int) -> tuple[str, int | None]:
    source = str(frame["source"].iloc[i]) if "source" in frame else "<table>"
    row = int(frame["row"].iloc[i]) if "row" in frame and pd.notna(frame["row"].iloc[i]) else None
    return source, row


def parse_norwegian_dates(frame: pd.DataFrame, *, columns: Iterable[str], kind: str = "datetime") -> pd.DataFrame:
    """Return a copy with ``columns`` parsed from Norwegian text to ``datetime64[us]``.

    ``kind="datetime"`` reads ``24.11.2026 13:05``, ``24.11.2026`` and ISO forms; ``kind="month"``
    reads ``2019-01``, ``01.2019``, ``januar 2019`` and ``2019M01`` (first of the month). Blanks
    become NaT. A date outside 1980–2049 (a two-digit year, an Excel serial) is an error.

    Raises
    ------
    SourceFormatError
        A cell that is not a date, naming ``source`` and ``row`` when the frame has them.

    Examples
    --------
    >>> parse_norwegian_dates(pd.DataFrame({"d": ["24.11.2026 13:05", "mars 2019", ""]}), columns=["d"],
    ...                       kind="month")["d"].tolist()
    [Timestamp('2026-11-01 00:00:00'), Timestamp('2019-03-01 00:00:00'), NaT]
    """
    parse = {"datetime": parse_datetime, "month": parse_month}[kind]
    out = frame.copy()
    for col in columns:
        values = []
        for i, raw in enumerate(frame[col].tolist()):
            if raw is None or (isinstance(raw, float) and np.isnan(raw)) or str(raw).strip() == "":
                values.append(pd.NaT)
                continue
            source, row = _where(frame, i)
            try:
                day = parse(raw)
            except ValueError:
                raise SourceFormatError(source, row=row, column=col, found=f"{raw!r} is not a date",
                                        expected="a date such as 24.11.2026 or a month such as 2019-03",
                                        fix="Correct the cell in the export.") from None
            in_range(day, source, row or 0, col, raw)
            values.append(pd.Timestamp(day))
        out[col] = pd.Series(values, index=frame.index, dtype="datetime64[us]")
    return out


# ---------------------------------------------------------------- duplicate exports

def _file_rank(source: str) -> tuple[int, int, str]:
    name = Path(source).name
    return (1 if _COPY_MARK.search(name) else 0, len(name), name)


def find_duplicate_exports(frame: pd.DataFrame, *, key: Iterable[str] = ("branch", "period_start")) -> pd.DataFrame:
    """Rows repeating a ``key`` (branch and month by default) already present in another file, with the file kept.

    The kept file is the one without a copy mark (``- Kopi``, ``(1)``), then the shortest name,
    then the first in alphabetical order. Returns the dropped rows with ``kept_source`` and
    ``identical`` (whether every other column equals the kept row's). For the National Library's
    long rows use ``key=("municipality_code", "year", "indicator")``.
    """
    key = list(key)
    ranked = frame.assign(_rank=frame["source"].map(_file_rank)).sort_values(["_rank", "row"], kind="stable")
    dup = ranked.duplicated(key, keep="first")
    first = ranked[~dup].set_index(key)
    dropped = ranked[dup].drop(columns="_rank")
    compare = [c for c in frame.columns if c not in (*key, "source", "row")]
    index = pd.MultiIndex.from_frame(dropped[key]) if len(key) > 1 else pd.Index(dropped[key[0]])
    kept = first.loc[index]
    a, b = kept[compare].to_numpy(), dropped[compare].to_numpy()
    same = (a == b) | (pd.isna(a) & pd.isna(b))
    return dropped.assign(kept_source=kept["source"].to_numpy(), identical=same.all(axis=1) if len(compare) else True)


def drop_duplicate_exports(frame: pd.DataFrame, *, key: Iterable[str] = ("branch", "period_start")) -> pd.DataFrame:
    """Return the rows without the duplicates :func:`find_duplicate_exports` finds."""
    dropped = find_duplicate_exports(frame, key=key)
    keep = ~pd.MultiIndex.from_frame(frame[["source", "row"]]).isin(
        pd.MultiIndex.from_frame(dropped[["source", "row"]]))
    return frame[keep].reset_index(drop=True)


# ---------------------------------------------------------------- sites

def site_lookup(sites: Iterable) -> dict[str, str]:
    """Normalised name or alias → site id, from the registry's sites (objects with name/aliases).

    Raises
    ------
    ConfigError
        One name or alias belongs to two sites (a rename must point at one site only).
    """
    table: dict[str, str] = {}
    problems = []
    for s in sites:
        for name in (s.site_id, s.name, *s.aliases):
            key = norm_header(name)
            if key in table and table[key] != s.site_id:
                problems.append(Problem(f"sites.{s.site_id}", f"the name or alias {name!r} also belongs to "
                                        f"{table[key]!r}", "each name and alias on one site only",
                                        "Remove the alias from one of the two sites in sites.yaml."))
            table.setdefault(key, s.site_id)
    if problems:
        raise ConfigError(problems)
    return table


def map_site_ids(frame: pd.DataFrame, sites: Iterable, *, column: str = "branch") -> pd.DataFrame:
    """Return a copy with ``site_id`` from the names in ``column`` (names and aliases of the registry).

    Raises
    ------
    SourceFormatError
        A name matches no site; the message lists the known names.
    """
    sites = list(sites)
    lookup = site_lookup(sites)
    ids = frame[column].map(lambda n: lookup.get(norm_header(n)))
    unknown = frame[ids.isna()]
    if len(unknown):
        first = unknown.iloc[0]
        names = sorted({n for s in sites for n in (s.name, *s.aliases)})
        raise SourceFormatError(
            first.get("source", "?"), row=int(first["row"]) if "row" in unknown else None, column=column,
            found=f"the name {first[column]!r} is no site in the registry"
            + (f" (also: {', '.join(repr(x) for x in sorted(set(unknown[column])) if x != first[column])})"
               if unknown[column].nunique() > 1 else ""),
            expected="one of " + ", ".join(repr(n) for n in names),
            fix="Add the name to the site's aliases in sites.yaml.")
    return frame.assign(site_id=ids.astype("str"))
