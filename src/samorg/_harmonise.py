"""The work behind :func:`samorg.municipalities.harmonise`: re-keying a municipality-level table to one
year's municipalities.

Rows are grouped by the unit they belong to in the target year (:func:`_targets`), their values summed
or otherwise combined (:func:`_combine`), units whose area is not the sum of their parts flagged
(:func:`_notes`), rates recomputed from their summed parts (:func:`_recompute_rates`) and the table put
back in its own columns (:func:`_assemble`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from samorg import columns as C
from samorg._municipality_tables import Tables, _overlaps, is_valid, name_of, valid_codes
from samorg.errors import SamorgError

__all__ = ["HarmoniseError", "harmonise_frame"]

#: missing-value statuses, strongest first: a sum with a confidential part stays confidential
_STATUS_ORDER = (C.STATUS_CONFIDENTIAL, C.STATUS_NOT_AVAILABLE, "...", C.STATUS_COUNTER_OUTAGE,
                 C.STATUS_NOT_APPLICABLE)
_NON_KEY = {"value", "status", "source", "row", "column", "municipality_name", "covers", "harmonised_from"}
_CODE = C.MUNICIPALITY_CODE


class HarmoniseError(SamorgError):
    """A table cannot be harmonised as asked (unknown codes, a rate without its parts, a bad year)."""


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



def harmonise_frame(frame: pd.DataFrame, *, to_year: int, mapping: Mapping[str, str] | None, aggregation: dict,
                    rates: dict, note_column: str | None, table: Tables) -> pd.DataFrame:
    """:func:`samorg.municipalities.harmonise` with its defaults filled in."""
    if _CODE not in frame:
        raise HarmoniseError(f"harmonise needs a {_CODE!r} column. Columns found: {', '.join(map(str, frame.columns))}.")
    for ind, method in aggregation.items():
        if method not in ("sum", "any", "none", "rate"):
            raise HarmoniseError(f"Unknown aggregation {method!r} for {ind!r}. Expected sum, any, none or rate.")
    if not {"indicator", "value"} <= set(frame.columns):
        return _harmonise_wide(frame, to_year=to_year, mapping=mapping, aggregation=aggregation, rates=rates,
                               note_column=note_column, table=table)
    is_muni = frame[_CODE].notna()
    sites, muni = frame[~is_muni], frame[is_muni].copy()
    if muni.empty:
        return frame.copy()
    muni, plans = _targets(muni, to_year, mapping, table)
    keys = [c for c in frame.columns if c not in _NON_KEY and c != _CODE and c != note_column]
    gkeys = ["_target", *keys, "_year"]
    out = _group(muni, gkeys)
    methods = {ind: _aggregation(ind, aggregation) for ind in out["indicator"].unique()}
    value, status = _combine(out, out["indicator"].map(methods))
    if mapping is None:
        notes = _notes(out, plans, value, status)
    else:
        notes = pd.Series([""] * len(out), index=out.index, dtype=object)
    out["value"] = pd.Series(value, index=out.index, dtype="float64")
    out["status"] = pd.Series(status, index=out.index, dtype="str")
    out = _recompute_rates(out, methods, rates, gkeys)
    return _assemble(frame, out, sites, notes, note_column=note_column, to_year=to_year, table=table)


def _targets(muni: pd.DataFrame, to_year: int, mapping: Mapping[str, str] | None, table: Tables):
    """Municipality rows with their year (``_year``), the unit of ``to_year`` they go to (``_target``; rows
    whose data cannot be divided between units are dropped), their missing-status rank and the codes a row
    covers (``_present``); and the plan of every year (:func:`_plan`)."""
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
    rank = {s: i for i, s in enumerate(_STATUS_ORDER)}
    muni["_rank"] = np.where(muni["value"].isna(), muni["status"].map(lambda s: rank.get(s, 1)), len(rank))
    if "covers" in muni:
        muni["_present"] = muni["covers"].where(muni["covers"].astype(str).str.len() > 0, muni[_CODE]).astype(str)
    else:
        muni["_present"] = muni[_CODE]
    return muni, plans


def _group(muni: pd.DataFrame, gkeys: list[str]) -> pd.DataFrame:
    """One row per target unit and key: the parts' sum, largest, first value, counts, the codes summed
    (``_from``), their sources (``_src``) and every code the rows cover (``_p``).

    Only the built-in (compiled) aggregations run over every group; the set-valued columns are built by
    Python only for the groups of several rows (merged municipalities, usually few), and read off the
    single row of every other group.
    """
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
    present_first = g["_present"].first()
    out = out.reset_index()
    multi = out["_codes"] > 1
    several = out["_n"].to_numpy() > 1
    if several.any():
        rows = muni[g["value"].transform("size").to_numpy() > 1]
        sub = rows.groupby(gkeys, dropna=False, sort=True)
        joined = pd.concat([
            sub.agg(_from=(_CODE, lambda s: "+".join(sorted(set(s)))),
                    **({"_src": ("source", lambda s: " + ".join(sorted(set(map(str, s)))))} if "source" in muni else {})),
            rows.assign(_p=rows["_present"].str.split("+")).explode("_p")
                .groupby(gkeys, dropna=False, sort=True)["_p"].agg(lambda s: frozenset(s)),
        ], axis=1).reset_index()
        out = out.merge(joined, on=gkeys, how="left")
    if multi.any():
        out["_from"] = out["_from"].where(multi, out["_from_first"])
        out["_src"] = out["_src"].where(multi, out["_src_first"]) if "_src" in out else out["_src_first"]
    else:
        out["_from"], out["_src"] = out["_from_first"], out["_src_first"]
    many = out["_p"].to_numpy() if several.any() else [None] * len(out)
    out["_p"] = pd.Series([p if is_many else frozenset(v.split("+")) if isinstance(v, str) else frozenset([v])
                           for p, is_many, v in zip(many, several, present_first.to_numpy())], index=out.index,
                          dtype=object)
    return out[[c for c in out.columns if c != "_p"] + ["_p"]]


def _combine(out: pd.DataFrame, method: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's value by its indicator's aggregation, and its status: a part missing makes the whole
    missing, with the strongest status of its parts; a non-additive value of several codes is ``.``."""
    value = np.where(method == "any", out["_max"], out["_sum"])
    value = np.where(method == "none", np.where(out["_codes"] == 1, out["_first"], np.nan), value)
    status = np.where(out["_valid"] < out["_n"], pd.Series(out["_rank"]).map(
        lambda r: _STATUS_ORDER[int(r)] if r < len(_STATUS_ORDER) else C.STATUS_NOT_AVAILABLE), C.STATUS_OK)
    value = np.where(out["_valid"] < out["_n"], np.nan, value)
    status = np.where((method == "none") & (out["_codes"] > 1), C.STATUS_NOT_APPLICABLE, status)
    return value, status


def _notes(out: pd.DataFrame, plans: dict, value: np.ndarray, status: np.ndarray) -> pd.Series:
    """The boundary note of each unit; a unit lacking one of its parts becomes missing (``value`` and
    ``status`` are changed in place)."""
    notes = pd.Series([""] * len(out), index=out.index, dtype=object)
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
    return notes


def _assemble(frame: pd.DataFrame, out: pd.DataFrame, sites: pd.DataFrame, notes: pd.Series, *,
              note_column: str | None, to_year: int, table: Tables) -> pd.DataFrame:
    """The harmonised rows in the columns of ``frame``, plus ``harmonised_from`` and the note; site rows after."""
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
    done = harmonise_frame(long, to_year=to_year, mapping=mapping, aggregation=aggregation, rates=rates,
                           note_column=note_column, table=table)
    keys = [c for c in done.columns if c not in ("indicator", "value", "status", "harmonised_from", note_column)]
    extra = [c for c in ("harmonised_from", note_column) if c]
    wide = done.pivot_table(index=keys, columns="indicator", values="value", dropna=False, aggfunc="first",
                            sort=True).reset_index()
    meta = done.drop_duplicates(keys)[keys + extra]
    wide = wide.merge(meta, on=keys, how="left")
    wide.columns.name = None
    return wide[[c for c in frame.columns if c in wide.columns and c != "row"] + extra].reset_index(drop=True)
