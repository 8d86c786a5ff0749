"""Aims 4 and 5, loans and the service centre in the site report (samorg.report.aims), on small known data."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from figure_fit import assert_fits_canvas

from samorg import columns as C
from samorg.config import load_study
from samorg.report import aims
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
    codes: {"2016": ["0602", "0625"], "2020": "3301"}
    co_organised: 2020-01-01
  "1101":
    name: Andre
    role: comparison
primary_outcomes: {1: visits, 4: place_to_stay}
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
    co_located: {co_located}
    catchment_population: 6000
  hjornet:
    name: Hjørnet
    kind: library
    municipality_code: "3301"
    co_located: null
"""


def _obs(rows):
    frame = pd.DataFrame(rows, columns=[C.SITE_ID, C.MUNICIPALITY_CODE, C.PERIOD_START, C.FREQ, C.INDICATOR, C.VALUE])
    return frame.assign(**{C.STATUS: "", C.SOURCE: "test"})


def _write_study(tmp_path, *, co_located="2020-01-01", population=True, inquiries_from="2018-01-01",
                 survey=True):
    (tmp_path / "study.yaml").write_text(STUDY, encoding="utf-8")
    (tmp_path / "sites.yaml").write_text(SITES.format(co_located=co_located), encoding="utf-8")
    out = tmp_path / "processed"
    out.mkdir()
    months = pd.date_range("2016-01-01", "2023-12-01", freq="MS")
    rows = []
    for m in months:
        after = m.year >= 2021
        rows += [("torget", None, m, "M", "visits", 1000.0), ("torget", None, m, "M", "visits_self_service", 200.0),
                 ("torget", None, m, "M", "events", 3.0 if after else 2.0),
                 ("torget", None, m, "M", "event_attendance", 60.0),
                 ("torget", None, m, "M", "loans", 400.0 if after else 500.0)]
    # municipality rows (annual): old codes before the merger, the new code after; and one other municipality
    for year in range(2016, 2024):
        day = pd.Timestamp(year=year, month=1, day=1)
        grow = 1.0 + 0.05 * max(0, year - 2019)
        if year < 2020:
            rows += [(None, "0602", day, "A", "visits", 40000.0), (None, "0602", day, "A", "population", 8000.0),
                     (None, "0625", day, "A", "visits", 10000.0), (None, "0625", day, "A", "population", 2000.0)]
        else:
            rows += [(None, "3301", day, "A", "visits", 50000.0 * grow),
                     (None, "3301", day, "A", "population", 10000.0 * grow)]
        rows += [(None, "1101", day, "A", "visits", 30000.0), (None, "1101", day, "A", "population", 10000.0)]
    _obs(rows).to_parquet(out / "observations.parquet")
    if population:
        pop = []
        for year in range(2016, 2024):
            grow = 1.0 + 0.10 * max(0, year - 2019)  # +10 % a year after the baseline
            codes = {"0602": 8000.0, "0625": 2000.0} if year < 2020 else {"3301": 10000.0 * grow}
            pop += [{C.MUNICIPALITY_CODE: c, C.YEAR: year, C.AGE_GROUP: "total", C.POPULATION: v, C.STATUS: "",
                     C.SOURCE: "t"} for c, v in codes.items()]
        pd.DataFrame(pop).to_parquet(out / "population.parquet")
    if inquiries_from:
        stamps = pd.date_range(inquiries_from, "2023-12-31", freq="7D")
        resolved = [(i % 4) != 0 for i in range(len(stamps))]  # 75 % resolved
        pd.DataFrame({C.SITE_ID: "torget", C.TIMESTAMP: stamps, C.CHANNEL: "Skranke", C.TOPIC: "x",
                      C.RESOLVED_FIRST_CONTACT: pd.array(resolved, dtype="boolean"), C.WAIT_MINUTES: 1.0,
                      C.HANDLED_BY: None, C.SOURCE: "t"}).to_parquet(out / "inquiries.parquet")
    if survey:
        answers = []
        # wave 2019: 40 answers, 30 in the top two; wave 2022: 40 answers, 10 in the top two; 3 answers at hjornet
        for wave, top in ((2019, 30), (2022, 10)):
            for i in range(40):
                answers.append(("torget", wave, 5 if i < top else 2))
        answers += [("hjornet", 2019, 5)] * 3
        pd.DataFrame([{C.RESPONDENT_ID: f"r-{i:010x}", C.SITE_ID: s, C.WAVE: w,
                       C.DATE: pd.Timestamp(year=w, month=3, day=1), C.ITEM: "place_to_stay", C.RESPONSE: r}
                      for i, (s, w, r) in enumerate(answers)]).to_parquet(out / "survey_responses.parquet")
    return load_study(tmp_path / "study.yaml")


def _plain(text: str) -> str:
    """Report text with its no-break spaces as plain spaces, so the assertions read naturally."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def _ctx(study, site="torget", lang="nb"):
    return SiteContext(study=study, site=study.site(site), lang=lang)


@pytest.mark.parametrize(("k", "n"), [(0, 10), (3, 10), (30, 40), (10, 10), (412, 1000)])
def test_wilson_matches_statsmodels(k, n):
    from statsmodels.stats.proportion import proportion_confint

    assert aims.wilson(k, n) == pytest.approx(proportion_confint(k, n, method="wilson"), abs=1e-12)


def test_wilson_without_answers_is_not_a_number():
    assert all(math.isnan(x) for x in aims.wilson(0, 0))


def test_catchment_scaled_by_the_municipality_growth(tmp_path):
    pop, scaled = aims.catchment_by_year(_ctx(_write_study(tmp_path)))
    assert scaled
    assert pop[2019] == pytest.approx(6000)
    assert pop[2021] == pytest.approx(6000 * 1.2)  # the municipality grew 20 % from the baseline
    assert pop[2017] == pytest.approx(6000)  # old codes summed: 8 000 + 2 000 = the baseline's 10 000


def test_catchment_constant_without_population_says_so(tmp_path):
    study = _write_study(tmp_path, population=False)
    pop, scaled = aims.catchment_by_year(_ctx(study))
    assert not scaled and set(pop.round()) == {6000}
    text = _plain(aims.place_development_indicators(_ctx(study)).data)
    assert "brukt for alle år" in text


def test_place_development_visits_per_inhabitant_site_municipality_nation(tmp_path):
    text = _plain(aims.place_development_indicators(_ctx(_write_study(tmp_path))).data)
    # 12 000 visits a year; catchment 6 000 in the baseline year and 7 200 in 2021
    assert "| 2019 | 6 000 | 2,00 | 5,00 | 4,00 |" in text
    assert "| 2021 | 7 200 | 1,67 | 5,00 | 4,05 |" in text  # nation: (52 500 + 30 000) / (10 500 + 10 000)
    assert "| 2023 | 8 400 | 1,43 |" in text
    assert "−29 % i Torget" in text and "ikke en effekt" in text  # 1,43 / 2,00 − 1
    assert "plandokumenter" in text


def test_place_development_figure_leaves_no_line_through_washout_years(tmp_path):
    import yaml

    study = _write_study(tmp_path)
    raw = yaml.safe_load((tmp_path / "study.yaml").read_text())
    raw["washout_windows"] = [{"start": "2020-03-01", "end": "2020-12-31", "label": "stengt"}]
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(raw), encoding="utf-8")
    study = load_study(tmp_path / "study.yaml")
    fig = aims.place_development_figure(_ctx(study))
    line = fig.axes[0].lines[0]
    x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata(), dtype=float)
    assert np.isnan(y[x == 2020]).all() and not np.isnan(y[x == 2019]).any()
    assert fig.axes[0].get_xlabel() == "År" and fig.axes[0].get_ylabel()  # both axes say what they measure
    assert_fits_canvas(fig)  # reports save it as it lies on its canvas


def test_meeting_place_shares_have_n_and_wilson_interval(tmp_path):
    text = _plain(aims.meeting_place_indicators(_ctx(_write_study(tmp_path))).data)
    low, high = aims.wilson(30, 40)
    assert f"2019: 75 % ({round(100 * low)} %–{round(100 * high)} %; n = 40)" in text
    assert "2022: 25 %" in text and "forhåndsspesifisert" in text
    assert "var lavere i siste runde" in text  # intervals apart: an interpretation that says so
    # events: 24 in the baseline year and 36 in 2023 over the catchment of the year
    assert "2019: 4,0" in text and f"2023: {36 / (6000 * 1.4) * 1000:.1f}".replace(".", ",") in text
    assert "(av 12 000 talte besøk)" in text  # a counted share with its n
    assert "Observasjon og intervjuer" in text


def test_meeting_place_compares_the_baseline_wave_with_the_last(tmp_path):
    study = _write_study(tmp_path)
    extra = pd.read_parquet(study.processed_dir / "survey_responses.parquet")
    early = extra[extra[C.WAVE] == 2019].assign(**{C.WAVE: 2017, C.RESPONSE: 1,
                                                   C.RESPONDENT_ID: lambda d: "r-ff" + d[C.RESPONDENT_ID].str[4:]})
    pd.concat([extra, early]).to_parquet(study.processed_dir / "survey_responses.parquet")
    text = _plain(aims.meeting_place_indicators(_ctx(study)).data)
    assert "2019: 75 %" in text and "2017:" not in text  # the baseline year's wave, not the earliest


def test_meeting_place_hides_a_small_wave_and_says_why_when_empty(tmp_path):
    study = _write_study(tmp_path)
    text = _plain(aims.meeting_place_indicators(_ctx(study, "hjornet")).data)
    assert "n = 3" not in text  # 3 answers are below the threshold
    assert "kan ikke besvares" in text or "for få svar" in text


def test_inquiries_before_after_only_with_a_pre_period(tmp_path):
    text = _plain(aims.inquiries_before_after(_ctx(_write_study(tmp_path))).data)
    assert "2018–2019" in text and "2021–2023" in text


def test_inquiries_starting_after_the_change_say_why_not(tmp_path):
    study = _write_study(tmp_path, inquiries_from="2020-02-01")
    text = _plain(aims.inquiries_before_after(_ctx(study, lang="en")).data)
    assert "starts Feb 2020, after the change" in text and "cannot be compared" in text


def test_first_contact_resolution_per_year_with_n_and_interval(tmp_path):
    study = _write_study(tmp_path, inquiries_from="2023-10-01")
    text = _plain(aims.first_contact_resolution(_ctx(study)).data)
    stamps = pd.date_range("2023-10-01", "2023-12-31", freq="7D")
    k = sum((i % 4) != 0 for i in range(len(stamps)))
    low, high = aims.wilson(k, len(stamps))
    assert f"n = {len(stamps)})" in text and f"{round(100 * low)} %–{round(100 * high)} %" in text
    none = _plain(aims.first_contact_resolution(_ctx(study, "hjornet")).data)
    assert "ingen henvendelseslogg" in none


def test_loans_shown_like_visits_with_before_after_means(tmp_path):
    study = _write_study(tmp_path)
    text = _plain(aims.loans_table(_ctx(study)).data)
    assert "| 2019 | 12 000 | 6 000 |" in text and "| 2023 | 12 000 | 4 800 |" in text
    assert "6 000 i 2016–2019 og 4 800 i 2021–2023 (−20 %)" in text
    assert "ingen utlånstall" in _plain(aims.loans_table(_ctx(study, "hjornet")).data)


def test_captions_are_numbered_with_the_reports_figures_and_absent_without_a_figure(tmp_path):
    study = _write_study(tmp_path)
    ctx = _ctx(study)
    ctx.cache["figure_count"] = 2  # two figures earlier in the report
    text = aims.place_development_caption(ctx).data
    assert text.startswith("*Figur 3: Besøk per innbygger i Torget") and "Kilde:" in text
    assert ctx.cache["figure_count"] == 3
    assert aims.place_development_caption(_ctx(study, "hjornet")) is None
