"""The ordinal models' analytic Hessian equals central differences of the score (issue 17: it replaced them)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from samorg.models import ordinal_change
from samorg.models._ordinal_fit import _weighted_model_class


@pytest.mark.parametrize("link", ["logit", "probit"])
@pytest.mark.parametrize("K", [2, 3, 5])
def test_analytic_hessian_equals_numerical(link, K):
    rng = np.random.default_rng(10 * K + (link == "probit"))
    n = 400
    X = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n)]).astype(float)
    latent = X @ np.array([0.5, -0.8]) + rng.logistic(size=n)
    y = np.searchsorted(np.sort(rng.normal(size=K - 1)), latent)
    w = rng.uniform(0.5, 2.0, n)
    model = _weighted_model_class()(y, X, case_weights=w / w.mean(), distr=link)
    params = np.concatenate([[0.3, -0.5], [-0.5], np.log(rng.uniform(0.5, 1.5, K - 2))])
    analytic, numerical = model.hessian(params), model.numerical_hessian(params)
    np.testing.assert_allclose(analytic, numerical, rtol=1e-6, atol=1e-6 * np.abs(numerical).max())
    se = np.sqrt(np.diag(np.linalg.inv(-analytic)))
    np.testing.assert_allclose(se, np.sqrt(np.diag(np.linalg.inv(-numerical))), rtol=1e-6)


@pytest.mark.parametrize("inference", ["classical", "cluster"])
def test_fit_with_analytic_hessian_gives_the_same_estimates(monkeypatch, inference):
    rng = np.random.default_rng(7)
    n = 900
    g, t, site = rng.integers(0, 2, n), rng.integers(0, 2, n), rng.integers(0, 14, n)
    y = np.searchsorted([-2.0, -1.0, 0.0, 1.5], 0.6 * g * t + 0.2 * site / 14 + rng.logistic(size=n)) + 1
    data = pd.DataFrame({"y": y, "g": g, "t": t, "site": site})
    kwargs = {"outcome": "y", "group": "g", "time": "t"} | ({"cluster": "site"} if inference == "cluster" else {})
    fast = ordinal_change(data, **kwargs)
    Model = _weighted_model_class()
    monkeypatch.setattr(Model, "hessian", Model.numerical_hessian)
    slow = ordinal_change(data, **kwargs)
    for name in ("estimate", "std_error", "ci_low", "ci_high", "p_value"):
        assert getattr(fast, name) == pytest.approx(getattr(slow, name), rel=1e-6, abs=1e-9), name
    np.testing.assert_allclose(fast.model.coefficients["std_error"], slow.model.coefficients["std_error"], rtol=1e-6)


@pytest.mark.parametrize("name", ["logistic", "norm"])
def test_link_functions_are_scipys_to_the_bit(name):
    from scipy import stats

    from samorg.models._ordinal_hessian import link_cdf, link_pdf

    distr = getattr(stats, name)
    x = np.concatenate([np.linspace(-40, 40, 20001), [np.inf, -np.inf, np.nan, 0.0, -0.0]])
    np.testing.assert_array_equal(link_cdf(distr, x), distr.cdf(x))
    np.testing.assert_array_equal(link_pdf(distr, x), distr.pdf(x))
    assert link_cdf(stats.cauchy, x) is None and link_pdf(stats.cauchy, x) is None
