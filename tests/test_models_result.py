"""samorg.models.result: the Effect contract shared by every estimator."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from samorg.errors import ModelError
from samorg.models import CAVEATS, Effect, caveat_text


def _log_effect(**kw) -> Effect:
    base = dict(estimate=math.log(0.885), std_error=0.027, ci_low=math.log(0.839), ci_high=math.log(0.933),
                p_value=0.00001, link="log", method="interrupted time series (quasi-Poisson)",
                inference="classical standard errors", n_obs=59, term="level_change",
                details={"outcome": "aces"}, caveats=("covid", "Egen merknad."))
    base.update(kw)
    return Effect(**base)


def test_ratio_and_frame():
    eff = _log_effect()
    assert eff.ratio() == pytest.approx(0.885)
    assert eff.ratio_ci() == pytest.approx((0.839, 0.933))
    frame = eff.to_frame()
    assert len(frame) == 1
    assert {"estimate", "std_error", "ci_low", "ci_high", "p_value", "ratio", "level", "link", "method",
            "inference", "n_obs"} <= set(frame.columns)
    assert frame.loc[0, "ratio"] == pytest.approx(0.885)


def test_identity_effect_has_no_ratio():
    eff = Effect(estimate=1.5, std_error=0.5, ci_low=0.52, ci_high=2.48, p_value=0.003)
    with pytest.raises(ModelError, match="no ratio"):
        eff.ratio()
    assert math.isnan(eff.to_frame().loc[0, "ratio"])


def test_sentence_in_bokmal_and_english():
    eff = _log_effect()
    nb = eff.sentence(outcome_label="akutte koronarhendelser")
    assert "rateforhold på 0,885" in nb and "95\u00a0% KI 0,839\u20130,933" in nb and "p < 0,001" in nb
    assert "\u221211,5\u00a0%" in nb and CAVEATS["covid"][0] in nb and "Egen merknad." in nb
    en = eff.sentence("en")
    assert "For aces," in en and "rate ratio of 0.885" in en and "95% CI 0.839 to 0.933" in en
    assert CAVEATS["covid"][1] in en and "Method: interrupted time series" in en
    assert "Forbehold" not in eff.sentence(caveats=False)


def test_identity_sentence_decimals_follow_the_standard_error():
    eff = Effect(estimate=1234.567, std_error=45.6, ci_low=1145.2, ci_high=1323.9, p_value=0.2,
                 details={"outcome": "besøk"})
    assert "1\u00a0235 (95\u00a0% KI 1\u00a0145\u20131\u00a0324; p = 0,200)" in eff.sentence()
    assert "1,234.57" in eff.sentence("en", decimals=2)


def test_min_attainable_p_is_named():
    eff = Effect(estimate=2.0, std_error=1.0, ci_low=0.1, ci_high=3.9, p_value=1 / 21,
                 details={"min_attainable_p": 1 / 21})
    assert "(minste oppnåelige)" in eff.sentence()


def test_effect_is_frozen_and_details_read_only():
    eff = _log_effect()
    with pytest.raises(dataclasses.FrozenInstanceError):
        eff.estimate = 0.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        eff.details["outcome"] = "x"  # type: ignore[index]
    with pytest.raises(ValueError, match="link"):
        _log_effect(link="cloglog")


def test_caveat_keys_translate_and_text_passes_through():
    assert caveat_text("few_clusters", lang="en").startswith("Few clusters")
    assert caveat_text("Fri tekst.", lang="en") == "Fri tekst."


@pytest.mark.parametrize("module", ["samorg.fmt", "samorg.models.its", "samorg.models.did"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    failures, _ = doctest.testmod(importlib.import_module(module))
    assert failures == 0


def test_seed_helper_gives_independent_streams_for_names_sharing_a_prefix():
    """Issue 16: the old helper kept the first 4 bytes of the name, so "did 2x2" and "did few" shared a seed."""
    from conftest import seeded_rng

    a, b = seeded_rng("did 2x2").normal(size=50), seeded_rng("did few").normal(size=50)
    assert not np.allclose(a, b) and abs(np.corrcoef(a, b)[0, 1]) < 0.5
    np.testing.assert_array_equal(seeded_rng("did 2x2").normal(size=50), a)  # still reproducible


# -- results that read well (issue 16) ----------------------------------------------------------------
def _effect(**kw):
    base = dict(estimate=0.0953, std_error=0.04, ci_low=0.0169, ci_high=0.1737, p_value=0.017, link="log",
                method="interrupted time series (quasi-Poisson)", inference="HAC standard errors", n_obs=96,
                term="level_change", details={"min_attainable_p": None})
    return Effect(**{**base, **kw})


def test_every_result_class_has_a_short_repr_summary_and_notebook_displays():
    import samorg.models as models
    from samorg.models._display import ResultDisplay

    classes = [getattr(models, n) for n in models.__all__ if isinstance(getattr(models, n), type)
               and (n.endswith("Result") or n in ("Effect", "PooledEffect"))]
    assert len(classes) >= 12
    for cls in classes:
        assert issubclass(cls, ResultDisplay), cls
        assert cls.__repr__ is ResultDisplay.__repr__, f"{cls.__name__} has a generated dataclass repr"
        for name in ("summary", "_repr_html_", "_repr_markdown_"):
            assert callable(getattr(cls, name)), (cls, name)


def test_repr_is_one_short_line_with_method_estimate_interval_p_and_n():
    text = repr(_effect())
    assert "\n" not in text and len(text) < 200
    assert text.startswith("<Effect level_change: 0.095 [0.017, 0.174] p=0.017 n=96")
    assert "quasi-Poisson" in text and "HAC" in text


def test_summary_html_and_markdown_read_well_in_both_languages():
    r = _effect(caveats=("covid",))
    en, nb = r.summary(), r.summary("nb")
    assert "Estimate" in en and "95% CI" in en and "0.017 to 0.174" in en and "Ratio" in en and "1.100" in en
    assert "Anslag" in nb and "95\u00a0% KI" in nb and "0,017–0,174" in nb and "COVID-19" in nb
    html = r._repr_html_()
    assert html.startswith("<div>") and "<table>" in html and "0.017 to 0.174" in html
    md = r._repr_markdown_()
    assert "| Estimate | 0.095 |" in md and md.startswith("**interrupted time series")
    unbounded = _effect(ci_low=-math.inf, ci_high=math.inf, std_error=math.nan)
    assert "unbounded" in unbounded.summary() and "∞" not in unbounded.summary() + repr(unbounded)


def test_a_fitted_result_shows_its_tables_in_the_summary():
    from samorg.models import did

    df = pd.DataFrame({"y": [1.0, 2, 3, 6, 1, 2, 3, 7], "g": [0, 0, 1, 1] * 2, "p": [0, 1] * 4})
    res = did(df, outcome="y", group="g", post="p", inference="classical")
    assert len(repr(res)) < 250  # the dataclass repr was ~2,000 characters
    text = res.summary()
    assert "coefficients:" in text and "did" in text.split("coefficients:")[1]


def test_etable_puts_results_side_by_side():
    from samorg.models import etable

    a = _effect()
    b = _effect(estimate=0.2, std_error=0.1, ci_low=0.004, ci_high=0.396, p_value=0.045, link="identity",
                method="difference in differences", term="did", n_obs=40)
    table = etable({"ITS": a, "DiD": b}, lang="en")
    assert list(table.columns) == ["ITS", "DiD"]
    assert table.loc["Estimate"].tolist() == ["0.095", "0.20"]
    assert table.loc["95% CI", "ITS"] == "0.017 to 0.174" and table.loc["Ratio"].tolist() == ["1.100", "–"]
    assert table.loc["Observations"].tolist() == ["96", "40"]
    nb = etable([a, b], lang="nb")
    assert list(nb.columns) == ["(1)", "(2)"] and nb.loc["Anslag", "(1)"] == "0,095"
    assert "95\u00a0% KI" in nb.index and "Metode" in nb.index
    with pytest.raises(ModelError, match="etable"):
        etable([a, "not a result"])
