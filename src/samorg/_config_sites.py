"""The study's municipalities and its site registry, for :mod:`samorg.config` (which re-exports the names).

Both have a role (docs/config.md: roles) checked by one rule, :func:`resolve_role`: ``treated`` needs
its date (a municipality's ``co_organised``, a site's ``co_located``), ``comparison`` must not have
one, and a role left out follows the date. Every problem is added to a list, never raised.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samorg._yaml import check_keys, read_yaml
from samorg.components import Components, parse_components
from samorg.errors import Problem
from samorg.study_design import MUNICIPALITY_ROLES, SITE_ROLES, parse_date_key

__all__ = ["COUNTING_METHODS", "KINDS", "Municipality", "Site", "default_role", "load_sites",
           "parse_municipalities", "resolve_role"]

KINDS = ("library", "service_centre", "combined")
COUNTING_METHODS = ("people_counter", "sample_weeks", "manual")
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
CODE = re.compile(r"^\d{4}$")
_MUNICIPALITY_KEYS = {"name": True, "codes": False, "co_organised": False, "role": False}
_SITE_KEYS = {
    "name": True,
    "kind": True,
    "municipality_code": True,
    "former_municipality_code": False,
    "co_organised": False,
    "co_located": False,
    "counting_method": False,
    "aliases": False,
    "catchment_population": False,
    "role": False,
    "components": False,
}


def default_role(dated: bool, untreated: str = "comparison") -> str:
    """The role that follows the dates: ``treated`` with the date, else ``untreated`` (a site's depends on its kind)."""
    return "treated" if dated else untreated


def site_untreated_role(kind: str | None) -> str:
    """A site without a co-location date: a service centre is ``excluded``, any other site a ``comparison``."""
    return "excluded" if kind == "service_centre" else "comparison"


def resolve_role(raw: Any, date: dt.date | None, *, roles: tuple[str, ...], date_key: str, unit: str,
                 untreated: str, where: str, problems: list[Problem]) -> str:
    """The role of a municipality or a site: ``raw`` as written, else the one its ``date`` gives.

    An unknown role and a role contradicting the date (``treated`` without it, ``comparison`` with it)
    are problems; the role returned is then the default.
    """
    default = default_role(date is not None, untreated)
    if raw is None:
        return default
    if raw not in roles:
        problems.append(Problem(f"{where}.role", f"{raw!r}", "one of " + ", ".join(roles)))
        return default

    def instead(role: str) -> str:
        return " or ".join(f"role: {r}" for r in roles if r != role)

    if raw == "treated" and date is None:
        problems.append(Problem(f"{where}.role", f"is 'treated' but {date_key} is empty",
                                f"a {date_key} date for a treated {unit}",
                                f"Give the {date_key} date, or write {instead('treated')}."))
        return default
    if raw == "comparison" and date is not None:
        problems.append(Problem(f"{where}.role", f"is 'comparison' but {date_key} is {date}",
                                f"no {date_key} date for a comparison {unit}",
                                f"A {unit} with a {date_key} date cannot be a comparison: remove the date, "
                                f"or write {instead('comparison')}."))
        return default
    return str(raw)


@dataclass(frozen=True)
class Municipality:
    """A treated municipality, keyed by its current code, with its earlier codes."""

    code: str
    name: str
    codes: dict[int, tuple[str, ...]]
    co_organised: dt.date | None
    role: str = "treated"

    def codes_in(self, year: int) -> tuple[str, ...]:
        """The code(s) this municipality had in ``year``."""
        valid = [y for y in self.codes if y <= year]
        if not valid:
            return ()
        return self.codes[max(valid)]

    @property
    def all_codes(self) -> frozenset[str]:
        return frozenset(c for cs in self.codes.values() for c in cs) | {self.code}


@dataclass(frozen=True)
class Site:
    """One physical place serving the public (DESIGN.md §1)."""

    site_id: str
    name: str
    kind: str
    municipality_code: str
    former_municipality_code: str | None = None
    co_organised: dt.date | None = None
    co_located: dt.date | None = None
    counting_method: str = "people_counter"
    aliases: tuple[str, ...] = ()
    catchment_population: int | None = None
    role: str = ""
    components: Components | None = None  # what the site changed (samorg.components); None: not recorded

    def __post_init__(self) -> None:
        if not self.role:  # the default follows the registry's dates (docs/config.md: roles)
            role = default_role(self.co_located is not None, site_untreated_role(self.kind))
            object.__setattr__(self, "role", role)


def parse_codes(raw: Any, where: str, problems: list[Problem]) -> dict[int, tuple[str, ...]]:
    """A municipality's ``codes:``: year → the code(s) valid from that year."""
    out: dict[int, tuple[str, ...]] = {}
    if not isinstance(raw, dict):
        problems.append(Problem(where, f"is {raw!r}", 'a mapping from year to code(s), e.g. {"2020": "3005"}'))
        return out
    for year, codes in raw.items():
        try:
            y = int(year)
        except (TypeError, ValueError):
            problems.append(Problem(f"{where}.{year}", "is not a year", "a year such as 2020"))
            continue
        clean = []
        for c in codes if isinstance(codes, list) else [codes]:
            c = str(c).strip()
            if not CODE.match(c):
                problems.append(Problem(f"{where}.{year}", f"code {c!r}",
                                        'a 4-digit municipality code in quotes, e.g. "0602"'))
            else:
                clean.append(c)
        out[y] = tuple(clean)
    return out


def parse_municipalities(raw: Any, where: str, problems: list[Problem]) -> dict[str, Municipality]:
    """The study file's ``municipalities:``: current code → name, earlier codes, ``co_organised`` and role."""
    out: dict[str, Municipality] = {}
    if not isinstance(raw, dict) or not raw:
        problems.append(Problem(where, f"is {raw!r}",
                                "a mapping from current municipality code to name, codes and co_organised"))
        return out
    for code, m in raw.items():
        code, key = str(code), f"{where}.{code}"
        if not CODE.match(code):
            problems.append(Problem(key, f"code {code!r}", 'a 4-digit municipality code in quotes, e.g. "3301"'))
            continue
        if not isinstance(m, dict):
            problems.append(Problem(key, f"is {m!r}", "a mapping with name, codes and co_organised"))
            continue
        check_keys(m, _MUNICIPALITY_KEYS, key, problems)
        co_organised = parse_date_key(m.get("co_organised"), f"{key}.co_organised", problems, required=False)
        role = resolve_role(m.get("role"), co_organised, roles=MUNICIPALITY_ROLES, date_key="co_organised",
                            unit="municipality", untreated="comparison", where=key, problems=problems)
        codes = parse_codes(m.get("codes", {}), f"{key}.codes", problems) if "codes" in m else {}
        out[code] = Municipality(code=code, name=str(m.get("name", code)), codes=codes, co_organised=co_organised,
                                 role=role)
    return out


@dataclass
class _Registry:
    """What checking one site entry needs from the study and from the entries before it."""

    municipalities: dict[str, Municipality]
    data_start: dt.date | None
    data_end: dt.date | None
    problems: list[Problem]
    names: dict[str, str]  # every name and alias seen so far (casefolded) → its site id

    @property
    def known_codes(self) -> set[str]:
        return {c for m in self.municipalities.values() for c in m.all_codes}


def load_sites(path: Path, municipalities: dict[str, Municipality], data_start: dt.date | None,
               data_end: dt.date | None, problems: list[Problem]) -> list[Site]:
    """The sites of the registry file ``path`` (``sites:``: site id → its description)."""
    raw = read_yaml(path, problems)
    if raw is None:
        return []
    entries = raw.get("sites")
    if not isinstance(entries, dict) or not entries:
        problems.append(Problem(f"{path}: sites", f"is {entries!r}", "a mapping from site id to its description"))
        return []
    reg = _Registry(municipalities, data_start, data_end, problems, {})
    sites = [_site(str(site_id), s, f"{path}: sites.{site_id}", reg) for site_id, s in entries.items()]
    return [s for s in sites if s is not None]


def _site(site_id: str, s: Any, where: str, reg: _Registry) -> Site | None:
    problems = reg.problems
    if not _SLUG.match(site_id):
        problems.append(Problem(where, f"site id {site_id!r}",
                                "a lower-case slug of letters, digits and _ (e.g. 'mjondalen')",
                                "Use ASCII: write æ, ø, å as ae, o, a."))
    if not isinstance(s, dict):
        problems.append(Problem(where, f"is {s!r}", "a mapping with name, kind, municipality_code, ..."))
        return None
    check_keys(s, _SITE_KEYS, where, problems)
    kind = s.get("kind")
    if kind is not None and kind not in KINDS:
        problems.append(Problem(f"{where}.kind", f"{kind!r}", "one of " + ", ".join(KINDS)))
    method = s.get("counting_method", "people_counter")
    if method not in COUNTING_METHODS:
        problems.append(Problem(f"{where}.counting_method", f"{method!r}", "one of " + ", ".join(COUNTING_METHODS)))
    code, former = _site_codes(s, where, reg)
    co_org = parse_date_key(s.get("co_organised"), f"{where}.co_organised", problems, required=False)
    co_loc = parse_date_key(s.get("co_located"), f"{where}.co_located", problems, required=False)
    _check_in_period({"co_organised": co_org, "co_located": co_loc}, where, reg)
    role = resolve_role(s.get("role"), co_loc, roles=SITE_ROLES, date_key="co_located", unit="site",
                        untreated=site_untreated_role(kind), where=where, problems=problems)
    aliases = s.get("aliases") or []
    aliases = [aliases] if isinstance(aliases, str) else aliases
    _check_names(site_id, [s.get("name"), *aliases], where, reg)
    pop = s.get("catchment_population")
    if pop is not None and (not isinstance(pop, int) or pop <= 0):
        problems.append(Problem(f"{where}.catchment_population", f"{pop!r}", "a positive whole number"))
        pop = None
    return Site(site_id=site_id, name=str(s.get("name", site_id)), kind=str(kind), municipality_code=code,
                former_municipality_code=former, co_organised=co_org, co_located=co_loc,
                counting_method=str(method), aliases=tuple(str(a) for a in aliases), catchment_population=pop,
                role=role, components=parse_components(s.get("components"), f"{where}.components", problems))


def _site_codes(s: dict, where: str, reg: _Registry) -> tuple[str, str | None]:
    """A site's municipality code (one of the study's) and its former code (any code the study lists)."""
    code = str(s.get("municipality_code", "")).strip()
    if "municipality_code" in s and code not in reg.municipalities:
        known = ", ".join(f"{c} {m.name}" for c, m in reg.municipalities.items())
        reg.problems.append(Problem(f"{where}.municipality_code", f"{code!r} is not a municipality of this study",
                                    "the current code of one of: " + known,
                                    "Add the municipality to the study file or correct the code."))
    former = s.get("former_municipality_code")
    former = str(former).strip() if former is not None else None
    if former is not None and former not in reg.known_codes:
        reg.problems.append(Problem(f"{where}.former_municipality_code", f"{former!r} is unknown",
                                    "one of the codes listed under the study's municipalities",
                                    "Use the 4-digit code valid before 2020, in quotes."))
    return code, former


def _check_in_period(dates: dict[str, dt.date | None], where: str, reg: _Registry) -> None:
    """A site's change dates lie inside the data period, so there is a before to compare with."""
    for label, d in dates.items():
        if d is None:
            continue
        if reg.data_start and d < reg.data_start:
            reg.problems.append(Problem(f"{where}.{label}", f"{d} is before the data start {reg.data_start}",
                                        "a date inside the data period, so there is a before to compare with",
                                        "Check the date, or set data_start earlier if you have older data."))
        if reg.data_end and d > reg.data_end:
            reg.problems.append(Problem(f"{where}.{label}", f"{d} is after the data end {reg.data_end}",
                                        "a date inside the data period"))


def _check_names(site_id: str, names: list[Any], where: str, reg: _Registry) -> None:
    """Each name and alias belongs to one site (the readers match rows to sites by them)."""
    for n in names:
        if n is None:
            continue
        key = str(n).strip().casefold()
        if key in reg.names and reg.names[key] != site_id:
            reg.problems.append(Problem(f"{where}", f"the name {n!r} is also used by site {reg.names[key]!r}",
                                        "each name and alias to belong to one site"))
        reg.names[key] = site_id
