"""its() fits the same data and arguments once per process, and shows the fit's warnings on every call."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from samorg.models import _memo, its
from samorg.models import _its_fit as fx


@pytest.fixture
def counted(monkeypatch):
    _memo.clear()
    fits = []
    real = fx.fit_glm
    monkeypatch.setattr(fx, "fit_glm", lambda *a, **k: fits.append(1) or real(*a, **k))
    yield fits
    _memo.clear()


def _series(n: int = 24) -> pd.DataFrame:
    t = np.arange(1, n + 1)
    return pd.DataFrame({"t": t, "y": 10 + 0.3 * t + 2.0 * (t >= 13) + np.sin(t)})


def test_same_inputs_fit_once_and_return_the_same_result(counted):
    df = _series()
    first = its(df, outcome="y", time="t", intervention=13, inference="classical")
    again = its(df.copy(), outcome="y", time="t", intervention=13, inference="classical")
    assert again is first and len(counted) == 1
    its(df, outcome="y", time="t", intervention=14, inference="classical")  # another argument
    changed = df.copy()
    changed.loc[3, "y"] += 1e-9  # other data, however slightly
    its(changed, outcome="y", time="t", intervention=13, inference="classical")
    assert len(counted) == 3


def test_warnings_are_shown_on_every_call_at_the_callers_line(counted):
    small = _series(16)
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            its(small, outcome="y", time="t", intervention=11, inference="classical")  # few periods after
        assert caught and all(w.filename == __file__ for w in caught), [(w.filename, str(w.message)) for w in caught]
    assert len(counted) == 1


def test_errors_are_not_kept(counted):
    bad = _series(8)
    for _ in range(2):
        with pytest.raises(Exception):
            its(bad, outcome="y", time="t", intervention=5, seasonality="month")
