"""The place indicators in the site report (samorg.report._aims_place via samorg.report.aims), on small known data."""

from __future__ import annotations

import pandas as pd
import pytest

from samorg import columns as C
from samorg.config import load_study
from samorg.report import aims
from samorg.report._aims_text import TEXT
from samorg.report.site import SiteContext

STUDY = """\
title: Small
raw_dir: raw
processed_dir: processed
reports_dir: reports
sites_file: sites.yaml
data_start: 2016-01-01
data_end: 2023-12-31
baseline_year: 2019
periods:
  pre: {start: 2016-01-01, end: 2019-12-31}
  transition: {start: 2020-01-01, end: 2020-12-31}
  post: {start: 2021-01-01, end: 2023-12-31}
municipalities:
  "3301":
    name: Byen
    codes: {"2016": ["0602"], "2020": "3301"}
    co_organised: 2020-01-01
sources:
  branch_counts: "x/*.csv"
privacy: {min_cell: 5}
"""
SITES = """\
sites:
  torget:
    name: Torget
    kind: combined
    municipality_code: "3301"
    co_organised: 2020-01-01
    co_located: 2020-01-01
    catchment_population: 10000
  hjornet:
    name: Hjørnet
    kind: library
    municipality_code: "3301"
    role: comparison
    co_located: null
    catchment_population: 5000
"""


def _hours(year: int, staffed: float, self_service: float) -> list[tuple]:
    rows = []
    for day in pd.date_range(f"{year}-03-11", periods=14, freq="D"):
        bump = 1.0 + 0.1 * (day.day % 3)  # some day-to-day variation
        rows += [("torget", day + pd.Timedelta(hours=h), "H", "hourly_visits_staffed", staffed * bump)
                 for h in range(10, 16)]
        rows += [("torget", day + pd.Timedelta(hours=h), "H", "hourly_visits_self_service", self_service * bump)
                 for h in range(16, 22)]
        rows.append(("torget", day + pd.Timedelta(hours=9), "H", "hourly_visits_closed", 1.0))
    return rows


def _study(tmp_path, *, place: bool = True):
    (tmp_path / "study.yaml").write_text(STUDY, encoding="utf-8")
    (tmp_path / "sites.yaml").write_text(SITES, encoding="utf-8")
    out = tmp_path / "processed"
    out.mkdir()
    rows = [("torget", pd.Timestamp("2019-01-01"), "M", "visits", 1000.0)]
    if place:
        year = lambda y: pd.Timestamp(year=y, month=1, day=1)  # noqa: E731
        rows += [("torget", year(2019), "A", "active_borrowers", 1400.0),
                 ("torget", year(2023), "A", "active_borrowers", 1700.0),
                 ("hjornet", year(2019), "A", "active_borrowers", 600.0),
                 ("hjornet", year(2023), "A", "active_borrowers", 3.0)]  # a small cell: never shown
        for wave, counts in ((2019, (40, 3, 3, 2)), (2022, (50, 20, 18, 9))):
            rows += [("torget", year(wave), "A", ind, float(v)) for ind, v in zip(
                ("errand_answered", "errand_service", "errand_library_answered", "errand_library"), counts)]
        rows += _hours(2019, 10.0, 2.0) + _hours(2023, 10.0, 6.0)
    frame = pd.DataFrame(rows, columns=[C.SITE_ID, C.PERIOD_START, C.FREQ, C.INDICATOR, C.VALUE])
    frame = frame.assign(**{C.MUNICIPALITY_CODE: None, C.STATUS: "", C.SOURCE: "t"})
    frame.to_parquet(out / "observations.parquet")
    return load_study(tmp_path / "study.yaml")


def _ctx(study, site="torget", lang="nb"):
    return SiteContext(study=study, site=study.site(site), lang=lang)


def _plain(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_without_the_exports_each_indicator_says_so_in_one_sentence(tmp_path, lang):
    ctx = _ctx(_study(tmp_path, place=False), lang=lang)
    for call, key in ((aims.catchment_reach, "no_borrowers"), (aims.footfall_by_hour, "no_hours"),
                      (aims.service_visitors, "no_errands")):
        text = call(ctx).data
        assert text == TEXT[lang][key] and text.count(". ") == 0
    assert aims.footfall_figure(ctx) is None and aims.footfall_caption(ctx) is None


def test_reach_by_year_with_the_comparison_sites_change(tmp_path):
    text = _plain(aims.catchment_reach(_ctx(_study(tmp_path))).data)
    assert "| 2019 | 1 400 | 10 000 | 14,0 % |" in text and "| 2023 | 1 700 | 10 000 | 17,0 % |" in text
    assert "14,0 % i 2019 og 17,0 % i 2023 (+3,0 prosentpoeng)" in text
    # the comparison site's 2023 count (3) is below the threshold: no comparison can be drawn from it
    assert "sammenligningsstedene" not in text
    assert "ikke et utvalg" in text and "Intervjuer og lokale plandokumenter" in text


def test_a_small_borrower_count_is_not_shown(tmp_path):
    text = _plain(aims.catchment_reach(_ctx(_study(tmp_path), site="hjornet")).data)
    assert "| 2019 | 600 |" in text and "| 2023 |" not in text and "| 3 |" not in text


def test_footfall_per_day_with_intervals_and_interpretation(tmp_path):
    ctx = _ctx(_study(tmp_path))
    text = _plain(aims.footfall_by_hour(ctx).data)
    assert "2019 (14 dager)" in text and "2023 (14 dager)" in text
    # self-service visits per day tripled: higher, with non-overlapping intervals; staffed unchanged
    assert "i betjent tid uten tydelig endring og i meråpen tid høyere" in text
    assert "| 2019 (14 dager) | 66 (" in text  # 6 staffed hours × 10 × mean bump 1.1
    assert aims.footfall_figure(ctx) is not None
    assert "Figur 1:" in aims.footfall_caption(ctx).data


def test_service_visitors_with_wilson_intervals_and_small_cells_hidden(tmp_path):
    text = _plain(aims.service_visitors(_ctx(_study(tmp_path))).data)
    assert "2019: 8 % (3 %–20 %; n = 40)" in text and "2022: 40 % (28 %–54 %; n = 50)" in text
    assert "2019: færre enn 5 svar" in text  # 3 respondents came for a service before: not shown
    assert "2022: 50 % (29 %–71 %; n = 18)" in text
    assert "Andelen som kom for en kommunal tjeneste var høyere i siste runde" in text
