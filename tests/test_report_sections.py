"""Report building blocks on the processed demo world: tables, site sections, data quality."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from samorg.report.tables import markdown_table

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def study_path(tmp_path_factory, copy_demo_study) -> Path:
    from samorg.config import load_study
    from samorg.pipeline import build_processed

    path = copy_demo_study(tmp_path_factory.mktemp("sections"))
    build_processed(load_study(path))
    return path


def test_markdown_table_uses_norwegian_numbers_and_aligns_them_right():
    frame = pd.DataFrame({"Besøk": [12345.0, 678.9], "Andel": [0.256, 0.5], "Navn": ["Askim", "Mysen"]},
                         index=pd.Index([2019, 2020], name="År"))
    text = markdown_table(frame, decimals={"Besøk": 1}, percent=["Andel"])
    assert "12\u00a0345,0" in text and "26\u00a0%" in text
    assert text.splitlines()[1] == "|:---|---:|---:|:---|"
    english = markdown_table(frame, lang="en", decimals={"Besøk": 1}, percent=["Andel"])
    assert "12,345.0" in english and "26%" in english


def test_markdown_table_shows_missing_as_a_dash_and_escapes_pipes():
    frame = pd.DataFrame({"a": [float("nan")], "b": ["x|y"]})
    assert "| – | x\\|y |" in markdown_table(frame, index=False)


def test_key_results_label_the_primary_outcome_as_prespecified(study_path):
    import samorg.report.site as report

    text = report.key_results(report.load(study_path, "askim")).data
    assert "forhåndsspesifisert" in text and "95 % KI" in text
    # A comparison site (co-organised, never co-located) gets no effect of its own: EVIDENCE.md §1.
    comparison = report.load(study_path, "papirbredden")
    assert comparison.site.role == "comparison"
    text = report.key_results(comparison).data
    assert "sammenligning" in text and "95 % KI" not in text and "forhåndsspesifisert" not in text
    assert report.visits_effect(comparison) is None


def test_the_headline_model_is_fitted_once_per_kernel(study_path, monkeypatch):
    """Issue 17: the summary (key_results, via fit_site) and the model cell the reader audits share one fit."""
    import samorg.models._its_fit as fx
    import samorg.report.site as report
    from samorg.analysis import comparison_series, site_series, washout_caveats
    from samorg.models import _memo, its

    _memo.clear()
    fits = []
    real = fx.fit_glm
    monkeypatch.setattr(fx, "fit_glm", lambda *a, **k: fits.append(1) or real(*a, **k))
    ctx = report.load(study_path, "askim")
    headline = report.visits_effect(ctx)  # what key_results reports
    assert headline is not None and len(fits) == 1
    # the notebook's model cell, as written there
    visits = site_series(ctx.study, "askim", "visits")
    comparison = comparison_series(ctx.study, "askim", "visits", lang=ctx.lang)
    data = visits.merge(comparison, on="period_start")
    result = its(data, outcome="value", time="period_start", intervention=ctx.site.co_located,
                 family="quasipoisson", seasonality="month",
                 exclude=[w.as_tuple(ctx.lang) for w in ctx.study.washout_windows],
                 comparison=comparison.columns[1], inference="hac", caveats=washout_caveats(ctx.study))
    assert result is headline and len(fits) == 1
    assert report.visits_effect(report.load(study_path, "askim")) is headline  # another context, same process
    report.fit_visits_effect(ctx, controlled=False)  # a sensitivity variant is another model
    assert len(fits) == 2


def test_place_development_divides_visits_by_the_catchment(study_path):
    import samorg.report.site as report
    import samorg.report.site_sections as sections

    ctx = report.load(study_path, "mysen")
    annual = sections.annual_table(ctx)
    text = sections.place_development(ctx).data
    expected = annual.loc[2019, "visits"] / ctx.site.catchment_population
    assert f"| 2019 |" in text
    assert f"{expected:.2f}".replace(".", ",") in text


def test_meeting_place_and_data_availability_in_english(study_path):
    import samorg.report.site as report
    import samorg.report.site_sections as sections

    ctx = report.load(study_path, "askim", lang="en")
    assert "Self-service share of hours" in sections.meeting_place(ctx).data
    assert "Visits" in sections.data_availability(ctx).data
    bragernes = report.load(study_path, "bragernes")
    assert "Mangler" in sections.data_availability(bragernes).data  # a service centre has no visit counts


def test_service_centre_tables_never_show_a_count_below_the_threshold(study_path):
    import samorg.report.site as report
    import samorg.report.site_sections as sections

    for site in ("askim", "bragernes", "tomter"):
        text = sections.service_centre(report.load(study_path, site)).data
        counts_table = text.split("**Løst ved første kontakt")[0]  # the counts by channel and year
        rows = [line for line in counts_table.splitlines() if re.match(r"\| 20\d\d \|", line)]
        assert rows
        for line in rows:
            for cell in line.strip("|").split("|")[1:]:
                cell = cell.strip().replace("\u00a0", "")
                if re.fullmatch(r"\d+", cell):
                    assert int(cell) >= 5 or int(cell) == 0, (site, line)


def test_data_quality_report_lists_every_planted_problem(study_path):
    import samorg.report.data_quality as dq
    from samorg.demo import truth

    planted = truth()
    ctx = dq.load(study_path)
    decisions = dq.decisions(ctx).data
    assert Path(planted.duplicated_file).name in decisions
    assert "Besøksteller ute av drift" in decisions
    outages = dq.outages(ctx).data
    assert outages.count("| Tomter |") == len(planted.outage_months)
    missing = dq.missing_by_status(ctx).data
    assert "teller ute av drift" in missing and "event_attendance" not in missing


def test_synthesis_pools_site_effects_and_covers_the_planted_mean(study_path):
    import math

    import samorg.report.synthesis as syn
    from samorg.demo import truth

    ctx = syn.load(study_path)
    planted = truth()
    sites = list(ctx.site_results)
    assert set(sites) == {s.site_id for s in ctx.study.sites if s.co_located}
    mean_log = sum(math.log(planted.visit_effect[s]) for s in sites) / len(sites)
    assert ctx.pooled.ci_low <= mean_log <= ctx.pooled.ci_high
    table = syn.site_effects_table(ctx).data
    assert "p (Holm-justert)" in table and all(ctx.study.site(s).name in table for s in sites)
    assert "prediksjonsintervall" in syn.pooled_summary(ctx).data


def test_evidence_map_covers_all_six_aims_and_never_says_strong(study_path):
    import samorg.report.synthesis as syn

    text = syn.evidence_map(syn.load(study_path)).data
    for aim in range(1, 7):
        assert re.search(rf"^\| {aim} ", text, flags=re.M), aim
    assert "| Sterk |" not in text


def test_national_comparison_uses_placebo_inference_over_the_pool(study_path):
    import samorg.report.synthesis as syn

    ctx = syn.load(study_path)
    for code in ctx.study.municipalities:
        res = syn.national_comparison(ctx, code)
        assert res.details["n_donors"] >= 30
        assert res.p_value >= 1 / (res.details["n_donors"] + 1)
    assert "1/(antall kommuner + 1)" in syn.national_text(ctx).data


def test_user_experience_shows_top_two_shares_and_the_change_against_comparison_sites(study_path):
    import samorg.report.site as report
    import samorg.report.site_sections as sections

    ctx = report.load(study_path, "askim")
    shares = sections.user_experience(ctx).data
    assert "Fornøyd eller svært fornøyd 2019" in shares and "Ro og atmosfære" in shares
    change = sections.user_experience_change(ctx).data
    assert "Papirbredden" in change and "utforskende" in change
    # Mjøndalen's 2022 wave came before its co-location: no change can be claimed.
    later = sections.user_experience_change(report.load(study_path, "mjondalen")).data
    assert "før stedet ble samlokalisert" in later
    assert sections.user_experience_change(report.load(study_path, "papirbredden")) is None


def test_site_did_uses_permutation_inference_and_says_its_limit(study_path):
    import samorg.report.site as report
    import samorg.report.site_sections as sections

    ctx = report.load(study_path, "askim")
    res = sections.did_comparison(ctx)
    assert res.details["min_attainable_p"] >= 1 / 3 - 1e-9  # one site among three: p cannot be small
    assert res.p_value >= res.details["min_attainable_p"]
    assert "minste oppnåelige" in sections.did_summary(ctx).data
    assert sections.did_comparison(report.load(study_path, "papirbredden")) is None


def test_sensitivity_table_shows_the_main_estimate_and_its_variants(study_path):
    import samorg.report.site as report

    ctx = report.load(study_path, "svelvik")
    text = report.visits_sensitivity(ctx).data
    assert "Hovedanalyse" in text and "Også utelatt: gjenåpningsåret 2022" in text
    assert "De utelatte månedene tatt med" in text
    # The table shows the headline (average effect after the washout, EVIDENCE.md §2), not the level change.
    import math

    from samorg.report.headline import headline, variants

    main = headline(ctx)
    assert fmt_pct(math.exp(main.estimate) - 1) in text
    assert "Uten Papirbredden i sammenligningen" in text and "Uten Konnerud i sammenligningen" in text
    found = variants(ctx)
    assert {"sensitivity", "washout_kept", "no_comparison", "without_papirbredden", "without_konnerud"} <= set(found)
    # The verdict follows its rule: robust exactly when every variant has the main sign and an overlapping interval.
    agree = all((v.estimate > 0) == (main.estimate > 0) and v.ci_low <= main.ci_high and main.ci_low <= v.ci_high
                for _, v in found.values() if v is not None)
    assert ("Vurdering: robust." in text) == agree


def test_headline_is_the_average_after_the_washout_with_baseline_and_verdict(study_path):
    import samorg.report.site as report

    text = report.key_results(report.load(study_path, "askim")).data
    assert "enn forventet uten samlokalisering i 01.2022–12.2025" in text
    assert "besøk i måneden" in text and "Robusthet:" in text
    assert "kommunesammenslåing, samorganisering og samlokalisering samlet" in text  # the bundle estimand


def fmt_pct(x):
    from samorg import fmt

    return fmt.signed_percent(x, decimals=1)


def test_event_study_of_a_late_site_is_flat_before_and_up_after(study_path):
    import math

    import samorg.report.site as report
    import samorg.report.site_sections as sections
    from samorg.demo import truth

    ctx = report.load(study_path, "mjondalen")
    assert sections.event_figure(ctx) is not None
    res = ctx.cache["event"]
    planted = math.log(truth().visit_effect["mjondalen"])
    assert abs(res.estimate - planted) < 0.05
    assert sections.event_figure(report.load(study_path, "papirbredden")) is None


@pytest.mark.slow  # whole-study work; runs in the locked environment (CI time with two environments)
def test_every_demo_site_report_runs_every_cell(study_path):
    """Each site's report, cell by cell in this process (faster than Papermill): no site may fail.

    Sites differ (never co-located, co-located late, a counter outage, no library at all), and each
    of those has broken a report section before.
    """
    import json
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    from samorg.config import load_study

    cells = json.loads((ROOT / "notebooks" / "site_report.ipynb").read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", [])]
    for site in load_study(study_path).site_ids:
        namespace = {"study": str(study_path), "site": site, "lang": "nb"}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for source in code:
                exec(compile(source, f"site_report[{site}]", "exec"), namespace)  # noqa: S102


def test_synthesis_survey_change_is_estimated_and_recovers_the_planted_direction(study_path):
    import samorg.report.synthesis as syn
    from samorg.demo import truth

    ctx = syn.load(study_path)
    planted = truth().survey_latent_shift
    for item in ("satisfaction", "calm"):
        text = syn.survey_change(ctx, item).data
        assert "prosentpoeng" in text and "kunne ikke" not in text, text
        res = ctx.cache[("survey", item)]
        assert (res.estimate > 0) == (planted[item] > 0), (item, res.estimate, planted[item])
    evidence = syn.evidence_map(ctx).data
    aim2 = next(line for line in evidence.splitlines() if line.startswith("| 2 "))
    assert "Mangler data" not in aim2


def test_page_one_and_the_evidence_map_grade_by_the_same_rule(study_path):
    import samorg.report.site as report
    import samorg.report.synthesis as synthesis
    from samorg.report.evidence import grade_pooled, grade_site
    from samorg.report.headline import headline
    from samorg.report.site_sections import event_result

    ctx = report.load(study_path, "askim")
    text = report.key_results(ctx).data
    grade = grade_site(ctx.study, ctx.site, headline(ctx), event=event_result(ctx))
    assert grade.sentence("nb") in text and grade.certainty in ("low", "very_low")
    assert "indirekthet" in text  # Askim's estimate is the bundle, which answers a different question
    syn = synthesis.load(study_path)
    emap = synthesis.evidence_map(syn).data
    pooled_grade = grade_pooled(syn.study, syn.pooled, syn.headlines)
    assert f"{pooled_grade.label('nb')} (1)" in emap and pooled_grade.sentence("nb") in emap
    assert "høy (" not in emap  # nothing can be høy (EVIDENCE.md §4)
    # Aim 4 is summarised by its pre-specified primary item, never the most striking one.
    assert "Et sted å være uten ærend" in emap and "Ro og atmosfære" not in emap


def test_pooled_effect_has_no_prediction_interval_from_two_municipalities(study_path):
    import samorg.report.synthesis as synthesis

    syn = synthesis.load(study_path)
    assert syn.pooled.n_municipalities == 2
    text = synthesis.pooled_summary(syn).data
    assert "prediksjonsintervall" not in text.split("Med 2 kommune")[0]
    assert "Indre Østfold" in text and "Drammen" in text  # per municipality first


def test_site_page_one_shows_the_holm_adjusted_p_of_the_primary_family(study_path):
    import samorg.report.site as report
    from samorg import fmt
    from samorg.analysis import primary_family
    from samorg.models.adjust import adjust

    ctx = report.load(study_path, "svelvik")
    family = primary_family(ctx.study)
    assert set(family) == {s.site_id for s in ctx.study.sites_with_role("treated")}
    import pandas as pd

    raw = pd.DataFrame({"p_value": [v["p"] for v in family.values()]})
    expected = adjust(raw, method="holm")["p_adjusted"]
    assert [v["p_holm"] for v in family.values()] == pytest.approx(list(expected))
    text = report.key_results(ctx).data
    assert f"(Holm): {fmt.p_value(family['svelvik']['p_holm'])}" in text
    assert primary_family(ctx.study) == family  # read back from the cache, same numbers


def test_planted_effects_are_recovered_by_the_headlines_and_the_pooled_effect(study_path):
    """Issue 12: the planted demo effects, site by site and pooled by municipality, under the stated estimands."""
    import math

    import numpy as np

    import samorg.report.synthesis as synthesis
    from samorg.demo import truth

    planted = truth().visit_effect
    syn = synthesis.load(study_path)
    for site_id, head in syn.headlines.items():
        assert head.ci_low <= math.log(planted[site_id]) <= head.ci_high, site_id
    by_muni: dict[str, list[float]] = {}
    for site_id in syn.headlines:
        muni = syn.study.municipalities[syn.study.site(site_id).municipality_code].name
        by_muni.setdefault(muni, []).append(math.log(planted[site_id]))
    for row in syn.pooled.municipalities.itertuples(index=False):
        assert row.ci_low <= np.mean(by_muni[row.municipality]) <= row.ci_high, row.municipality
    target = np.mean([np.mean(v) for v in by_muni.values()])
    assert syn.pooled.ci_low <= target <= syn.pooled.ci_high


def test_primary_family_prints_no_other_sites_warning(study_path, capfd):
    """A cold cache fits every treated site; their warnings belong in their own reports, not in the one that
    happened to fill the cache (a report's output must not depend on the run order)."""
    import shutil
    import warnings

    from samorg.analysis import primary_family
    from samorg.config import load_study

    study = load_study(study_path)
    shutil.rmtree(study.processed_dir / ".results", ignore_errors=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        family = primary_family(study)
    assert family, "the demo has treated sites, so the family is not empty"
    assert [str(w.message) for w in caught] == []
    assert capfd.readouterr().err == ""


def test_visits_caption_states_the_finding_and_meeting_place_caption_matches_the_figure(study_path):
    """A caption is also its figure's alt text (EVIDENCE.md §9): it says what the figure shows, and it
    describes no line the figure does not draw."""
    import samorg.report.appendix as appendix
    import samorg.report.site as report
    from samorg.report.headline import headline

    ctx = report.load(study_path, "askim")
    eff = headline(ctx)
    text = appendix.caption(ctx, "visits").data
    expected = "klart over" if eff.ci_low > 0 else "klart under" if eff.ci_high < 0 else "ikke klart"
    assert expected in text and text.startswith("*Figur 1:")
    comparison = report.load(study_path, "papirbredden")
    assert not comparison.site.co_located
    text = appendix.caption(comparison, "meeting_place").data
    assert "Arrangementer og deltakere" in text and "samlokaliseringen" not in text
    english = appendix.caption(report.load(study_path, "askim", lang="en"), "meeting_place").data
    assert "the dashed line marks co-location" in english


def test_title_of_a_library_only_site_does_not_call_it_library_and_service_centre(study_path):
    import samorg.report.site as report

    part = report.title_block(report.load(study_path, "papirbredden")).data.splitlines()[0]
    assert part.startswith("**Papirbredden (bibliotek) – ett av stedene i studien av ")
    both = report.title_block(report.load(study_path, "askim")).data.splitlines()[0]
    assert both.startswith("**Askim – ") and "ett av stedene" not in both


def test_reports_side_by_side_fit_the_primary_family_once(study_path, monkeypatch):
    """Issue 17: on a cold cache, the first report to need the family fits it; the others wait for its file."""
    import shutil
    import threading
    import time

    import samorg.analysis as analysis
    from samorg.config import load_study

    study = load_study(study_path)
    shutil.rmtree(study.processed_dir / ".results", ignore_errors=True)
    fitted: list[str] = []
    real = analysis.fit_site

    def slow_fit(s, site_id, indicator="visits", **kw):
        fitted.append(site_id)
        time.sleep(0.02)  # long enough for the two callers to overlap
        return real(s, site_id, indicator, **kw)

    monkeypatch.setattr(analysis, "fit_site", slow_fit)
    results: list[dict] = []
    callers = [threading.Thread(target=lambda: results.append(analysis.primary_family(study))) for _ in range(2)]
    for c in callers:
        c.start()
    for c in callers:
        c.join()
    treated = [s.site_id for s in study.sites_with_role("treated")]
    assert sorted(fitted) == sorted(treated)  # once each, not once per caller
    assert results[0] == results[1] and set(results[0]) == set(treated)


def test_site_and_comparison_series_are_built_once_per_table_and_handed_out_as_copies(study_path, monkeypatch):
    """Issue 17: a treated site's headline and its sensitivity variants share the two series; a caller's change
    to its copy does not reach the next caller, and a rewritten observations table is read again."""
    import os

    import samorg.analysis as analysis
    from samorg.config import load_study

    study = load_study(study_path)
    analysis._SERIES.clear()
    reads = []
    real = analysis._monthly
    monkeypatch.setattr(analysis, "_monthly", lambda *a, **k: reads.append(a[2]) or real(*a, **k))
    first = analysis.site_series(study, "askim")
    first.loc[0, "value"] = -1.0
    again = analysis.site_series(study, "askim")
    assert len(reads) == 1 and again.loc[0, "value"] != -1.0
    analysis.comparison_series(study, "askim", lang="nb")
    analysis.comparison_series(study, "askim", lang="nb")
    assert len(reads) == 2
    left_out = analysis.comparison_series(study, "askim", lang="nb", leave_out=(reads[1][0],))
    assert len(reads) == 3 and left_out is not None
    table = study.processed_dir / "observations.parquet"
    stat = table.stat()
    os.utime(table, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))  # as a rewrite by `samorg data` would
    analysis.site_series(study, "askim")
    assert len(reads) == 4


def test_the_annual_table_is_built_once_per_report_and_handed_out_as_copies(study_path):
    import samorg.report.site as report
    import samorg.report.site_sections as sections

    ctx = report.load(study_path, "mysen")
    first = sections.annual_table(ctx)
    first.loc[first.index[0], "visits"] = -1.0
    ctx.__dict__["monthly"] = ctx.monthly.iloc[0:0]  # built once: a later change to the months is not seen again
    again = sections.annual_table(ctx)
    assert not again.empty and again["visits"].iloc[0] != -1.0
    assert again.equals(sections.annual_table(report.load(study_path, "mysen")))


def test_once_builds_a_value_once_per_report_and_copies_frames_and_series(study_path):
    import samorg.report.site as report

    ctx = report.load(study_path, "mysen")
    calls = []

    def build():
        calls.append(1)
        return pd.Series([1.0, 2.0]), True

    series, flag = ctx.once("k", build)
    series[0] = -1.0
    again, flag_again = ctx.once("k", build)
    assert calls == [1] and flag and flag_again and again.tolist() == [1.0, 2.0]
    assert report.load(study_path, "mysen").once("k", lambda: None) is None  # per report, not per process
