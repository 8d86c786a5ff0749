"""samorg.models.result: the Effect contract shared by every estimator."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

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
