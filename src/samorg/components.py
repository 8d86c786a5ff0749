"""What each site actually changed: the typed ``components:`` of a site-registry entry (issue 14, aim 3).

A site's programme components are the choices a municipality makes when it co-locates its library and
citizen service centre (a joint reception desk, cross-trained staff, opening hours, services under the
same roof …). The registry records them per site so the synthesis can draw the programme theory and
set each component beside the outcomes of the sites that had it::

    sites:
      askim:
        ...
        components:
          joint_reception: true
          cross_trained_staff: true
          staffed_hours_before: 45
          staffed_hours_after: 40
          self_service_hours: 112
          co_located_services: [nav, health]
          quiet_zone: false
          partner_events: true
          referral_routines: true
          new_premises: null

Every key is optional; a key left out is *not recorded* (``None``), which the reports show as such and
never read as "no". Unknown keys and wrong types are configuration problems naming the key.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, fields
from typing import Any

from samorg.errors import Problem

__all__ = ["BOOL_COMPONENTS", "COMPONENT_KEYS", "HOURS_COMPONENTS", "SERVICES", "Components", "parse_components"]

#: Yes/no components.
BOOL_COMPONENTS = ("joint_reception", "cross_trained_staff", "quiet_zone", "partner_events", "referral_routines")
#: Hours per week.
HOURS_COMPONENTS = ("staffed_hours_before", "staffed_hours_after", "self_service_hours")
#: Services that can share the premises (``co_located_services``).
SERVICES = ("nav", "health", "culture", "other")
#: Every key of ``components:``, in the order the reports list them.
COMPONENT_KEYS = (*BOOL_COMPONENTS[:2], *HOURS_COMPONENTS, "co_located_services", *BOOL_COMPONENTS[2:],
                  "new_premises")
_HOURS_IN_WEEK = 168


@dataclass(frozen=True)
class Components:
    """A site's programme components; ``None`` means the registry does not say."""

    joint_reception: bool | None = None
    cross_trained_staff: bool | None = None
    staffed_hours_before: float | None = None
    staffed_hours_after: float | None = None
    self_service_hours: float | None = None
    co_located_services: tuple[str, ...] | None = None
    quiet_zone: bool | None = None
    partner_events: bool | None = None
    referral_routines: bool | None = None
    new_premises: dt.date | None = None
    new_premises_given: bool = False  # ``new_premises: null`` (no new premises) differs from not recorded

    def has(self, key: str) -> bool | None:
        """Whether the site had component ``key``: ``True``/``False``, or ``None`` when not recorded.

        Hours count as a component when they changed (staffed hours) or are above zero (self-service);
        a co-located service ``nav`` etc. is asked as ``"service:nav"``.
        """
        if key.startswith("service:"):
            return None if self.co_located_services is None else key.split(":", 1)[1] in self.co_located_services
        if key == "staffed_hours_more":
            if self.staffed_hours_before is None or self.staffed_hours_after is None:
                return None
            return self.staffed_hours_after > self.staffed_hours_before
        if key == "self_service_hours":
            return None if self.self_service_hours is None else self.self_service_hours > 0
        if key == "new_premises":
            return (self.new_premises is not None) if self.new_premises_given else None
        value = getattr(self, key)
        return None if value is None else bool(value)

    @property
    def recorded(self) -> tuple[str, ...]:
        """The keys the registry gives for this site."""
        out = [f.name for f in fields(self) if f.name != "new_premises_given" and getattr(self, f.name) is not None]
        if self.new_premises_given and "new_premises" not in out:
            out.append("new_premises")
        return tuple(k for k in COMPONENT_KEYS if k in out)


def _bool(value: Any, where: str, problems: list[Problem]) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    problems.append(Problem(where, f"{value!r}", "true or false (unquoted)",
                            "Write true or false, or leave the key out."))
    return None


def _hours(value: Any, where: str, problems: list[Problem]) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= _HOURS_IN_WEEK:
        problems.append(Problem(where, f"{value!r}", f"hours per week as a number from 0 to {_HOURS_IN_WEEK}",
                                "Give the opening hours of a normal week, e.g. 40."))
        return None
    return float(value)


def _services(value: Any, where: str, problems: list[Problem]) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = value if isinstance(value, list) else None
    if items is None or any(not isinstance(i, str) or i.strip().lower() not in SERVICES for i in items):
        bad = [i for i in (items or [value]) if not isinstance(i, str) or i.strip().lower() not in SERVICES]
        problems.append(Problem(where, f"{value!r}" + (f" ({', '.join(map(repr, bad))} unknown)" if items else ""),
                                "a list from: " + ", ".join(SERVICES), "Write e.g. [nav, health]; [] for none."))
        return None
    return tuple(dict.fromkeys(i.strip().lower() for i in items))


def parse_components(raw: Any, where: str, problems: list[Problem]) -> Components | None:
    """Read one site's ``components:`` mapping; every problem is appended to ``problems`` with its key.

    Returns ``None`` when ``raw`` is ``None`` (the site records no components) or not a mapping.
    Nothing is modified.

    Examples
    --------
    >>> problems = []
    >>> c = parse_components({"joint_reception": True, "co_located_services": ["nav"]}, "sites.x.components", problems)
    >>> c.has("joint_reception"), c.has("service:nav"), c.has("quiet_zone"), problems
    (True, True, None, [])
    """
    from samorg.study_design import parse_date_key

    if raw is None:
        return None
    if not isinstance(raw, dict):
        problems.append(Problem(where, f"is {raw!r}", "a mapping of component keys (see docs/config.md)"))
        return None
    for key in raw:
        if key not in COMPONENT_KEYS:
            close = difflib.get_close_matches(str(key), COMPONENT_KEYS, n=1)
            problems.append(Problem(f"{where}.{key}", "is not a known component", "one of " + ", ".join(COMPONENT_KEYS),
                                    f"Did you mean {close[0]!r}?" if close else ""))
    values: dict[str, Any] = {}
    for key in BOOL_COMPONENTS:
        values[key] = _bool(raw.get(key), f"{where}.{key}", problems)
    for key in HOURS_COMPONENTS:
        values[key] = _hours(raw.get(key), f"{where}.{key}", problems)
    values["co_located_services"] = _services(raw.get("co_located_services"), f"{where}.co_located_services",
                                              problems)
    premises = raw.get("new_premises")
    if isinstance(premises, bool):
        problems.append(Problem(f"{where}.new_premises", f"{premises!r}",
                                "the opening date of new premises (2021-06-01), or null for none"))
        premises = None
    values["new_premises"] = parse_date_key(premises, f"{where}.new_premises", problems, required=False)
    values["new_premises_given"] = "new_premises" in raw
    return Components(**values)
