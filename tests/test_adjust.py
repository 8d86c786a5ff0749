"""samorg.models.adjust: Holm and Benjamini–Hochberg by their definitions, from Effects, mappings and tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from samorg.errors import ModelError
from samorg.models.adjust import adjust
from samorg.models.result import Effect

# The 15 p-values of Benjamini & Hochberg's (1995) worked example.
BH = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528,
      0.7590, 1.000]


def _holm(p):
    p = np.asarray(p, dtype=float)
    m, order = len(p), np.argsort(p)
    adj = np.maximum.accumulate((m - np.arange(m)) * p[order]).clip(max=1)
    out = np.empty(m)
    out[order] = adj
    return out


def _bh(p):
    p = np.asarray(p, dtype=float)
    m, order = len(p), np.argsort(p)
    adj = np.minimum.accumulate((m / np.arange(m, 0, -1)) * p[order][::-1])[::-1].clip(max=1)
    out = np.empty(m)
    out[order] = adj
    return out


def test_holm_and_bh_match_their_definitions():
    table = pd.DataFrame({"item": [f"q{i}" for i in range(15)], "p_value": BH})
    holm, bh = adjust(table, "holm"), adjust(table, "fdr_bh")
    assert holm["p_adjusted"].to_numpy() == pytest.approx(_holm(BH))
    assert bh["p_adjusted"].to_numpy() == pytest.approx(_bh(BH))
    # at 0.05: Holm's step-down stops at the 4th p-value (0.0095 > 0.05/12), BH's step-up keeps 4
    assert holm["reject"].sum() == 3 and bh["reject"].sum() == 4
    assert holm["item"].tolist() == table["item"].tolist() and set(holm["method"]) == {"holm"}
    assert (holm["n_tests"] == 15).all()


def _effect(est, p, outcome, site):
    return Effect(estimate=est, std_error=0.1, ci_low=est - 0.2, ci_high=est + 0.2, p_value=p,
                  details={"outcome": outcome, "site": site})


def test_effects_become_a_tidy_table():
    effects = [_effect(0.3, 0.01, "besøk", "mysen"), _effect(0.1, 0.20, "besøk", "askim"),
               _effect(-0.2, 0.03, "ro", "mysen")]
    tab = adjust(effects, "fdr_bh")
    assert tab.columns.tolist()[:9] == ["label", "outcome", "site", "term", "estimate", "std_error", "ci_low",
                                        "ci_high", "p_value"]
    assert tab["label"].tolist() == ["mysen / besøk / effect", "askim / besøk / effect", "mysen / ro / effect"]
    assert tab["p_adjusted"].to_numpy() == pytest.approx(_bh([0.01, 0.20, 0.03]))
    labelled = adjust({"Mysen: besøk": effects[0], "Askim: besøk": effects[1]}, "holm")
    assert labelled["label"].tolist() == ["Mysen: besøk", "Askim: besøk"]
    assert labelled["p_adjusted"].tolist() == pytest.approx([0.02, 0.20])


def test_missing_p_values_stay_out_of_the_family():
    tab = adjust(pd.DataFrame({"p_value": [0.01, np.nan, 0.04]}), "holm")
    assert np.isnan(tab["p_adjusted"][1]) and not tab["reject"][1]
    assert tab["p_adjusted"][[0, 2]].tolist() == pytest.approx([0.02, 0.04])
    assert (tab["n_tests"] == 2).all()


def test_input_not_modified_and_named_index_kept():
    table = pd.DataFrame({"p": [0.01, 0.5]}, index=pd.Index(["a", "b"], name="outcome"))
    before = table.copy()
    tab = adjust(table, "holm", p_column="p")
    pd.testing.assert_frame_equal(table, before)
    assert tab["outcome"].tolist() == ["a", "b"]


def test_clear_errors():
    with pytest.raises(ModelError, match="method="):
        adjust(pd.DataFrame({"p_value": [0.1]}), "bonferroni")
    with pytest.raises(ModelError, match="no \"p_value\" column"):
        adjust(pd.DataFrame({"p": [0.1]}))
    with pytest.raises(ModelError, match="between 0 and 1"):
        adjust(pd.DataFrame({"p_value": [0.1, 1.5]}))
    with pytest.raises(ModelError, match="no results"):
        adjust([])
    with pytest.raises(ModelError, match="nothing to adjust"):
        adjust(pd.DataFrame({"p_value": [np.nan]}))
    with pytest.raises(ModelError, match="expected Effect"):
        adjust([0.1, 0.2])


def test_docstring_examples_run():
    import doctest
    import importlib

    # samorg.models binds the function of the same name, so "import ... as" would give the function
    module = importlib.import_module("samorg.models.adjust")

    failures, attempted = doctest.testmod(module)
    assert attempted >= 2 and failures == 0
