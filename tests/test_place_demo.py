"""The demo's place exports recover what samorg.demo.place planted (reach, footfall by hour, errands)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from samorg import columns as C
from samorg.clean.place import borrower_observations, hourly_observations
from samorg.demo import place
from samorg.demo import world as w
from samorg.demo.truth import truth
from samorg.sources.place import read_active_borrowers

SEED = 2020
SITES = [SimpleNamespace(site_id=s.site_id, name=s.name, aliases=s.aliases) for s in w.SITES]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    root = tmp_path_factory.mktemp("place")
    return place.write_borrowers(root, SEED), place.write_counter_hours(root, SEED)


def test_truth_records_the_planted_values():
    t = truth(SEED)
    assert t.reach_effect == place.REACH_EFFECT
    assert t.errand_service_share["co_located"] == place.ERRAND_SERVICE["co_located"]
    assert t.footfall_service_hours == place.SERVICE_HOURS


def test_reach_recovers_the_planted_share_and_effect(written):
    borrowers = pd.concat([read_active_borrowers(p) for p in written[0]], ignore_index=True)
    obs = borrower_observations(borrowers, SITES)
    share = {(r.site_id, r.period_start.year): r.value / place.catchment(w.SITE_BY_ID[r.site_id], r.period_start.year)
             for r in obs.itertuples()}
    for (site, year), got in share.items():
        n = place.catchment(w.SITE_BY_ID[site], year)
        p = place.reach_share(site, year)
        assert abs(got - p) < 4.5 * math.sqrt(p * (1 - p) / n), (site, year)
    # the planted effect: change 2019 -> 2025, co-located sites against never co-located sites
    treated = [s.site_id for s in place.library_sites() if s.co_located is not None]
    control = [s.site_id for s in place.library_sites() if s.co_located is None]
    diff = (np.mean([share[(s, 2025)] - share[(s, 2019)] for s in treated])
            - np.mean([share[(s, 2025)] - share[(s, 2019)] for s in control]))
    assert diff == pytest.approx(place.REACH_EFFECT, abs=0.006)


def _service_share(frame: pd.DataFrame, years: set[int]) -> float:
    part = frame[frame[C.PERIOD_START].dt.year.isin(years)]
    weekday = part[C.PERIOD_START].dt.day_of_week < 5
    hour = part[C.PERIOD_START].dt.hour
    inside = weekday & (hour >= place.SERVICE_HOURS[0]) & (hour < place.SERVICE_HOURS[1])
    return float(part.loc[inside, C.VALUE].sum() / part[C.VALUE].sum())


def test_footfall_recovers_the_visits_added_in_service_hours(written):
    # the generated files read as plain CSV (the reader's own checks are in test_place_readers.py)
    raw = pd.concat([pd.read_csv(p, sep=";") for p in written[1]], ignore_index=True)
    hours = pd.DataFrame({"branch": raw["Avdeling"], "counter": "", "visits_in": raw["Inn"].astype(float),
                          "visits_out": raw["Ut"].astype(float), "source": "demo", "row": raw.index + 2,
                          "period_start": pd.to_datetime(raw["Dato"] + " " + raw["Time"], format="%d.%m.%Y %H:%M"),
                          "mode": raw["Åpningsmodus"].map({"Betjent": "staffed", "Meråpent": "self_service",
                                                           "Stengt": "closed"})})
    obs = hourly_observations(hours, SITES)
    assert set(obs[C.INDICATOR]) == {"hourly_visits_staffed", "hourly_visits_self_service", "hourly_visits_closed"}
    for site in place.library_sites():
        mine = obs[obs[C.SITE_ID] == site.site_id]
        for when, years in (("before", {2019}), ("after", {2024})):
            assert _service_share(mine, years) == pytest.approx(place.service_hour_share(site.site_id, when),
                                                                abs=0.03), (site.site_id, when)
    # co-location moved visits into the service desk's hours where the opening hours stayed the same
    for site_id in ("fjell", "svelvik", "mjondalen"):
        assert place.service_hour_share(site_id, "after") > place.service_hour_share(site_id, "before") + 0.03
    assert place.service_hour_share("konnerud", "after") == pytest.approx(
        place.service_hour_share("konnerud", "before"), abs=0.005)


def test_errand_answers_recover_the_planted_shares():
    from samorg.demo import surveys

    waves = surveys.simulate(SEED, truth(SEED))
    names = {n: s for s in w.SITES for n in (s.name, *s.aliases)}
    counts = {"co_located": [0, 0, 0, 0], "other": [0, 0, 0, 0]}  # answered, service, library answered, library
    for rows in waves.values():
        for r in rows:
            site = names[r[1]]
            key = "co_located" if site.co_located is not None and r[2].date() >= site.co_located else "other"
            service, library = r[-3], r[-2]
            c = counts[key]
            c[0] += service != ""
            c[1] += service == "Ja"
            c[2] += service == "Ja" and library != ""
            c[3] += library == "Ja"
    for key in ("co_located", "other"):
        n, k = counts[key][0], counts[key][1]
        p = place.ERRAND_SERVICE[key]
        assert abs(k / n - p) < 4 * math.sqrt(p * (1 - p) / n), key
    n, k = counts["co_located"][2], counts["co_located"][3]
    p = place.ERRAND_LIBRARY["co_located"]
    assert abs(k / n - p) < 4 * math.sqrt(p * (1 - p) / n)
