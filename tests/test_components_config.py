"""The registry's typed ``components:`` (issue 14, aim 3): valid entries load, every bad key or type is named."""

from __future__ import annotations

import datetime as dt

import pytest

from samorg.components import COMPONENT_KEYS, Components, parse_components
from samorg.config import load_study
from samorg.errors import ConfigError
from tests.test_config import SITES, write

GOOD = """\
    components:
      joint_reception: true
      cross_trained_staff: false
      staffed_hours_before: 40
      staffed_hours_after: 34.5
      self_service_hours: 112
      co_located_services: [nav, Health]
      quiet_zone: true
      partner_events: false
      referral_routines: true
      new_premises: 2021-06-01
"""


def _with_components(block: str) -> str:
    """The test registry with ``block`` added to the co-located site (fjell)."""
    head, tail = SITES.split("  papirbredden:")
    return head + block + "  papirbredden:" + tail


def test_components_load_typed(tmp_path):
    study = load_study(write(tmp_path, sites=_with_components(GOOD)))
    c = study.site("fjell").components
    assert c == Components(joint_reception=True, cross_trained_staff=False, staffed_hours_before=40.0,
                           staffed_hours_after=34.5, self_service_hours=112.0, co_located_services=("nav", "health"),
                           quiet_zone=True, partner_events=False, referral_routines=True,
                           new_premises=dt.date(2021, 6, 1), new_premises_given=True)
    assert c.recorded == COMPONENT_KEYS
    assert c.has("service:nav") is True and c.has("service:culture") is False
    assert c.has("staffed_hours_more") is False and c.has("self_service_hours") is True
    assert study.site("papirbredden").components is None


def test_left_out_keys_are_not_recorded_not_no(tmp_path):
    study = load_study(write(tmp_path, sites=_with_components("    components:\n      quiet_zone: false\n")))
    c = study.site("fjell").components
    assert c.has("quiet_zone") is False
    assert c.has("joint_reception") is None and c.has("new_premises") is None and c.has("service:nav") is None
    assert c.recorded == ("quiet_zone",)
    c = parse_components({"new_premises": None}, "x", [])
    assert c.has("new_premises") is False  # null: no new premises, recorded


@pytest.mark.parametrize(("line", "key", "found"), [
    ("joint_reception: yes please", "joint_reception", "'yes please'"),
    ("quiet_zone: 1", "quiet_zone", "1"),
    ("staffed_hours_after: forty", "staffed_hours_after", "'forty'"),
    ("self_service_hours: 200", "self_service_hours", "200"),
    ("staffed_hours_before: true", "staffed_hours_before", "True"),
    ("co_located_services: nav", "co_located_services", "'nav'"),
    ("co_located_services: [nav, police]", "co_located_services", "'police' unknown"),
    ("new_premises: 2021-02-30", "new_premises", "2021-02-30"),
    ("new_premises: true", "new_premises", "True"),
    ("quiet_zones: true", "quiet_zones", "is not a known component"),
])
def test_bad_component_names_its_key(tmp_path, line, key, found):
    with pytest.raises(ConfigError) as info:
        load_study(write(tmp_path, sites=_with_components(f"    components:\n      {line}\n")))
    problems = [p for p in info.value.problems if p.where.endswith(f"sites.fjell.components.{key}")]
    assert len(problems) == 1, info.value
    assert found in problems[0].found or found in str(problems[0])


def test_unknown_key_suggests_the_close_one(tmp_path):
    with pytest.raises(ConfigError, match="Did you mean 'quiet_zone'"):
        load_study(write(tmp_path, sites=_with_components("    components:\n      quiet_zones: true\n")))


def test_every_problem_at_once_and_components_must_be_a_mapping(tmp_path):
    block = "    components:\n      joint_reception: 2\n      partner_events: maybe\n      colour: red\n"
    with pytest.raises(ConfigError) as info:
        load_study(write(tmp_path, sites=_with_components(block)))
    keys = {p.where.rsplit(".", 1)[-1] for p in info.value.problems}
    assert {"joint_reception", "partner_events", "colour"} <= keys
    with pytest.raises(ConfigError, match=r"sites.fjell.components: is \[1, 2\]"):
        load_study(write(tmp_path, sites=_with_components("    components: [1, 2]\n")))


def test_demo_registry_records_components_for_every_treated_site():
    from pathlib import Path

    study = load_study(Path(__file__).resolve().parents[1] / "config" / "demo" / "study.yaml")
    treated = study.sites_with_role("treated")
    assert treated and all(s.components is not None for s in treated)
    assert all(s.components is None for s in study.sites_with_role("comparison"))
