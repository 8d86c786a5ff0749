"""A second study, structurally unlike the demo, built the way a new user would build one (issue 13).

One municipality (Stavanger, 1103), three sites: co-located 2016-03, co-located 2018-09, never
co-located (the comparison). Data 2010–2019, no pandemic (no washout window), no survey, no inquiry
log, reports in English. Its reports must render, say its own dates, fit its own windows, and contain
nothing from the demo study.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from samorg.config import load_study

pytestmark = pytest.mark.slow

YEARS = range(2010, 2020)
SITES = {  # site id: (name in exports, co-located, planted rate ratio after co-location, base monthly visits)
    "east": ("Eastside library", "2016-03-01", 1.25, 9000),
    "west": ("Westside library", "2018-09-01", 1.15, 7000),
    "north": ("Northside library", None, 1.0, 8000),
}

STUDY = """\
title:
  nb: "Stavanger: bibliotek og servicetorg"
  en: "Stavanger: libraries and service desks"
demo: false
raw_dir: raw
processed_dir: processed
reports_dir: reports
sites_file: sites.yaml
data_start: 2010-01-01
data_end: 2019-12-31
periods:
  pre:        {start: 2010-01-01, end: 2015-12-31}
  transition: {start: 2016-01-01, end: 2016-12-31}
  post:       {start: 2017-01-01, end: 2019-12-31}
words:
  topic: {nb: "bibliotek og servicetorg under ett tak", en: "library and service desk under one roof"}
  reorganisation: {nb: "sammenslåingen av enhetene", en: "the merger of the two units"}
municipalities:
  "1103":
    name: Stavanger
    role: treated
    codes: {"2010": "1103"}
    co_organised: 2016-01-01
primary_outcomes: {1: visits}
analysis_plan:
  visits: {nb: "avbrutt tidsserie per sted", en: "interrupted time series per site"}
privacy:
  key_file: .secrets/pseudonym.key
sources:
  branch_counts: "branches/*.csv"
  population: "ssb/*.json"
  nb_library_stats: {pattern: "nb/*.csv", optional: true}
"""


def _sites_yaml() -> str:
    lines = ["sites:"]
    for site_id, (name, co_located, _, _) in SITES.items():
        lines += [f"  {site_id}:", f'    name: "{name}"', "    kind: combined", '    municipality_code: "1103"',
                  "    co_organised: 2016-01-01", f"    co_located: {co_located or 'null'}",
                  "    catchment_population: 20000"]
    return "\n".join(lines) + "\n"


def _branch_files(raw: Path, rng: np.random.Generator) -> None:
    header = "Filial;Måned;Besøk inn;Besøk ut;Meråpent besøk;Utlån;Arrangementer;Deltakere;Betjente timer;Meråpne timer"
    (raw / "branches").mkdir(parents=True)
    for year in YEARS:
        lines = [header]
        for month in range(1, 13):
            day = pd.Timestamp(year=year, month=month, day=1)
            season = 1 + 0.15 * np.cos(2 * np.pi * (month - 2) / 12)
            for site_id, (name, co_located, ratio, base) in SITES.items():
                effect = ratio if co_located and day >= pd.Timestamp(co_located) else 1.0
                visits = int(rng.poisson(base * season * (1.005 ** (year - 2010)) * effect))
                lines.append(f"{name};{year}-{month:02d};{visits};{visits};0;{visits // 2};{rng.integers(2, 9)};"
                             f"{rng.integers(40, 160)};120,0;0,0")
        (raw / "branches" / f"branches_{year}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _population(raw: Path) -> None:
    years = [str(y) for y in YEARS]
    data = {
        "class": "dataset", "label": "07459: Befolkning", "source": "Statistisk sentralbyrå",
        "id": ["Region", "ContentsCode", "Tid"], "size": [1, 1, len(years)],
        "dimension": {
            "Region": {"label": "region", "category": {"index": {"K-1103": 0}, "label": {"K-1103": "Stavanger"}}},
            "ContentsCode": {"label": "statistikkvariabel", "category": {"index": {"Personer1": 0},
                                                                          "label": {"Personer1": "Personer"}}},
            "Tid": {"label": "år", "category": {"index": {y: i for i, y in enumerate(years)},
                                               "label": {y: y for y in years}}},
        },
        "value": [126000 + 1000 * i for i in range(len(years))],
        "role": {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["Region"]}, "version": "2.0",
    }
    (raw / "ssb").mkdir(parents=True)
    (raw / "ssb" / "07459_befolkning.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="module")
def second_study(tmp_path_factory) -> Path:
    from samorg.pipeline import build_processed

    root = tmp_path_factory.mktemp("stavanger")
    (root / "study.yaml").write_text(STUDY, encoding="utf-8")
    (root / "sites.yaml").write_text(_sites_yaml(), encoding="utf-8")
    (root / ".secrets").mkdir()
    (root / ".secrets" / "pseudonym.key").write_text("0123456789abcdef0123456789abcdef\n", encoding="utf-8")
    raw = root / "raw"
    _branch_files(raw, np.random.default_rng(20160301))
    _population(raw)
    build_processed(load_study(root / "study.yaml"))
    return root / "study.yaml"


def test_the_study_file_gives_the_design(second_study):
    study = load_study(second_study)
    assert study.washout_windows == () and study.sensitivity_windows == ()
    assert study.baseline_year == 2015  # the pre-period's last year, since baseline_year is not given
    assert study.national_intervention == 2016
    assert {s.site_id: s.role for s in study.sites} == {"east": "treated", "west": "treated", "north": "comparison"}
    assert study.title_in("en") == "Stavanger: libraries and service desks"


def test_fit_site_uses_the_registry_date_no_washout_and_recovers_the_planted_effect(second_study):
    from samorg.analysis import NoEstimateError, fit_site

    for site_id in ("east", "west"):
        name, co_located, ratio, _ = SITES[site_id]
        res = fit_site(second_study, site_id, lang="en")
        # the registry's date as it is (as the site report's model cell passes it)
        assert pd.Timestamp(res.details["intervention"]) == pd.Timestamp(co_located)
        assert not res.details.get("windows"), res.details.get("windows")
        assert res.details["control"] == "the comparison sites"
        low, high = res.ratio_ci()
        assert low < ratio < high, (site_id, low, ratio, high)
    with pytest.raises(NoEstimateError, match="comparison"):
        fit_site(second_study, "north")


@pytest.fixture(scope="module")
def rendered(second_study) -> Path:
    from samorg.report import run_study_reports

    study = load_study(second_study)
    outcomes = run_study_reports(study, lang="en", pdf=True, progress=False, workers=2)
    failed = [(o.name, o.status, getattr(o, "error", None)) for o in outcomes if o.status != "ok"]
    assert not failed, failed
    return study.reports_dir


def _text(html: Path) -> str:
    raw = html.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", raw))


DEMO_WORDS = ("Drammen", "Askim", "Indre Østfold", "Mysen", "Svelvik", "Papirbredden", "COVID", "Demo",
              "Synthetic demo", "two municipalities", "samlokalisering", "innbyggertorg")
# Dates of the demo's design (its co-organisation, washout and post period) written as reports write dates;
# citations such as "(Callaway and Sant'Anna 2021)" are years, not dates, and may appear.
DEMO_DATES = re.compile(r"\b\d{1,2}\.\d{2}\.202[0-5]\b|\b\d{1,2} [A-Z][a-z]{2} 202[0-5]\b|\b202[0-5]–202[0-5]\b|\b\d{2}\.202[0-5]\b")


def test_reports_render_say_their_own_dates_and_carry_nothing_from_the_demo(rendered):
    east = _text(rendered / "east" / "east.html")
    assert "Eastside library" in east and "library and service desk under one roof" in east
    assert "01.03.2016" in east or "1 Mar 2016" in east or "2016-03-01" in east, east[:2000]
    assert "one municipality" in east  # counted from the study file, in words
    north = _text(rendered / "north" / "north.html")
    assert "gets no effect estimate of its own" in north and "than expected without co-location" not in north
    for name in ("east", "west", "north", "syntese", "datakvalitet"):
        html = rendered / name / f"{name}.html"
        assert html.is_file() and (rendered / name / f"{name}.pdf").is_file(), name
        text = _text(html)
        found = [w for w in DEMO_WORDS if w in text] + DEMO_DATES.findall(text)
        assert not found, (name, found)
    for heading in ("Summary", "Introduction", "Data and method", "Results", "Discussion", "Conclusion",
                    "References", "Glossary", "Technical appendix"):
        assert heading in east, heading
    assert "Sammendrag" not in east and "Drøfting" not in east  # one language per report
    index = _text(rendered / "index.html")
    assert "Stavanger: libraries and service desks" in index
