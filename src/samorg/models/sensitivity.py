"""Re-run an analysis with a window left out (2020–2021 by default) and report both side by side.

COVID-19 closures and the 2020 municipal mergers overlap the reorganisation (DESIGN.md §4), so
every report states how 2020–2021 was treated and shows the estimate without it. Every
estimator records its own arguments in ``details["call"]``; :func:`sensitivity` re-runs it
on the same data with the window excluded:

* ``its``, ``event_study``, ``synthetic_control``: the window is added to ``exclude`` (rows
  stay in the data for plots; they leave the fit);
* ``did``: rows whose ``time`` falls in the window are dropped (``did`` needs ``time=``,
  given in the original call or here).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.errors import ModelError
from samorg.models._display import ResultDisplay
from samorg.models._panel import excluded_periods, time_values
from samorg.models.result import RATIO_LINKS, Effect

__all__ = ["COVID_WINDOW", "SensitivityResult", "sensitivity"]

#: The default window: the merger and COVID-19 years.
COVID_WINDOW = ("2020-01-01", "2021-12-31", "2020–2021")


@dataclass(frozen=True)
class SensitivityResult(ResultDisplay):
    """Two fits of one analysis: with every period (``main``) and with the windows left out (``without``).

    Attributes
    ----------
    main, without : Effect
    windows : tuple
        The windows left out, as given.
    table : DataFrame
        Two rows (``analysis`` = ``"all periods"`` / ``"without window"``) with ``estimate,
        std_error, ci_low, ci_high, p_value, n_obs``, the ratio columns for log links, and
        ``window``.
    """

    main: Effect
    without: Effect
    windows: tuple
    table: pd.DataFrame

    def _headline(self) -> str:
        return f"all periods: {self.main._headline()} | without window: {self.without._headline()}"

    def _summary_title(self, lang: str) -> str:
        return "Følsomhetsanalyse" if lang == "nb" else "Sensitivity analysis"

    def _summary_rows(self, lang: str) -> list[tuple[str, str]]:
        return [("Alle perioder" if lang == "nb" else "All periods", self.main.sentence(lang, caveats=False)),
                ("Uten vinduet" if lang == "nb" else "Without the window", self.without.sentence(lang, caveats=False)),
                ("Vurdering" if lang == "nb" else "Verdict", self.sentence(lang))]

    def to_frame(self) -> pd.DataFrame:
        """A copy of :attr:`table`."""
        return self.table.copy()

    def sentence(self, lang: str = "nb", *, outcome_label: str | None = None) -> str:
        """Both estimates in one sentence, and how much leaving the window out moves the estimate."""
        fmt._check_lang(lang)
        nb = lang == "nb"
        label = outcome_label or self.main.details.get("outcome") or ("utfallet" if nb else "the outcome")
        span = _window_text(self.windows, lang)
        a, b = self.main, self.without
        if a.link not in RATIO_LINKS:
            d = _decimals(a.std_error)
            va, vb = fmt.number(a.estimate, decimals=d, lang=lang), fmt.number(b.estimate, decimals=d, lang=lang)
            ia = fmt.ci(a.ci_low, a.ci_high, decimals=d, lang=lang, level=a.level)
            ib = fmt.ci(b.ci_low, b.ci_high, decimals=d, lang=lang, level=b.level)
            shift = fmt.number(b.estimate - a.estimate, decimals=d, lang=lang, sign=True)
        else:
            name = {"log": ("et rateforhold på", "a rate ratio of"), "logit": ("et oddsforhold på", "an odds ratio of")}
            prefix = name[a.link][0 if nb else 1] + " "
            va = prefix + fmt.number(a.ratio(), decimals=3, lang=lang)
            vb = prefix + fmt.number(b.ratio(), decimals=3, lang=lang)
            ia = fmt.ci(*a.ratio_ci(), decimals=3, lang=lang, level=a.level)
            ib = fmt.ci(*b.ratio_ci(), decimals=3, lang=lang, level=b.level)
            shift = fmt.signed_percent(b.ratio() / a.ratio() - 1, lang=lang)
        pa = fmt.p_value(a.p_value, lang=lang, min_attainable=a.details.get("min_attainable_p"))
        pb = fmt.p_value(b.p_value, lang=lang, min_attainable=b.details.get("min_attainable_p"))
        if nb:
            return (f"Følsomhetsanalyse for {label}: med alle perioder er anslaget {va} ({ia}; {pa}); uten {span} er "
                    f"det {vb} ({ib}; {pb}), en endring på {shift}.")
        return (f"Sensitivity analysis for {label}: with every period the estimate is {va} ({ia}; {pa}); without "
                f"{span} it is {vb} ({ib}; {pb}), a change of {shift}.")


def sensitivity(
    result: Effect,
    data: pd.DataFrame,
    *,
    windows: Sequence[Any] = (COVID_WINDOW,),
    time: str | None = None,
) -> SensitivityResult:
    """Re-run the analysis behind ``result`` with ``windows`` left out, and put both side by side.

    Parameters
    ----------
    result : Effect
        A result of :func:`~samorg.models.its`, :func:`~samorg.models.did`,
        :func:`~samorg.models.event_study` or :func:`~samorg.models.synthetic_control`.
    data : DataFrame
        The data ``result`` was fitted on. Not modified.
    windows : sequence of windows
        ``(start, end)`` or ``(start, end, label)``, inclusive, on the scale of the time column.
        Default: 2020–2021.
    time : str, optional
        Time column for a ``did`` fitted without ``time=``.

    Returns
    -------
    SensitivityResult

    Raises
    ------
    ModelError
        ``result`` does not record how it was fitted; a ``did`` without a time column; the
        re-run fails (e.g. nothing left after the window).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from samorg.models import its
    >>> t = np.arange(2000, 2032)
    >>> df = pd.DataFrame({"year": t, "y": 10 + 0.5 * (t - 2000) + 3.0 * (t >= 2022) - 4.0 * np.isin(t, [2020, 2021])
    ...                    + 0.1 * np.sin(t)})
    >>> res = its(df, outcome="y", time="year", intervention=2022, se="classical", slope_change=False)
    >>> s = sensitivity(res, df, windows=[(2020, 2021, "COVID-19")])
    >>> round(s.without.estimate, 1), s.table["analysis"].tolist()
    (3.0, ['all periods', 'without window'])
    """
    from samorg.models import did, event_study, its, synthetic_control

    call = dict(result.details.get("call") or {})
    if not call:
        raise ModelError("This result does not record how it was fitted (details['call']); re-run the estimator with "
                         "the window in exclude= instead.")
    estimator = call.pop("estimator")
    windows = tuple(windows)
    if estimator in ("its", "event_study", "synthetic_control"):
        fn = {"its": its, "event_study": event_study, "synthetic_control": synthetic_control}[estimator]
        call["exclude"] = tuple(call.get("exclude") or ()) + windows
        without = fn(data, **call)
    elif estimator == "did":
        column = call.get("time") or time
        if not column:
            raise ModelError("did() was fitted without time=, so sensitivity() cannot tell which rows fall in the "
                             "window. Pass time=<the period column>.")
        if column not in data.columns:
            raise ModelError(f'Time column "{column}" is not in the data.')
        values, kind = time_values(data[column], column)
        inside, _ = excluded_periods(values, kind, windows, column)  # the rule every estimator uses
        without = did(data[~inside], **call)
    else:  # pragma: no cover - every estimator above records its call
        raise ModelError(f"sensitivity() does not know estimator {estimator!r}.")
    rows = []
    for name, r in (("all periods", result), ("without window", without)):
        row = r.to_frame().iloc[0].to_dict()
        row["analysis"] = name
        row["window"] = "" if name == "all periods" else _window_text(windows, "en")
        rows.append(row)
    cols = ["analysis", "window", "estimate", "std_error", "ci_low", "ci_high", "p_value", "ratio", "ratio_ci_low",
            "ratio_ci_high", "n_obs", "link", "method", "inference"]
    table = pd.DataFrame(rows)[cols]
    return SensitivityResult(main=result, without=without, windows=windows, table=table)


def _window_text(windows: tuple, lang: str) -> str:
    parts = []
    for w in windows:
        if hasattr(w, "start"):
            start, end, label = w.start, w.end, getattr(w, "label", "")
        else:
            start, end, label = w[0], w[1], (w[2] if len(w) > 2 else "")
        if label:
            parts.append(label)
        else:
            parts.append(f"{fmt.time_value(start, lang=lang)}–{fmt.time_value(end, lang=lang)}")
    joiner = " og " if lang == "nb" else " and "
    return joiner.join(parts)


def _decimals(se: float) -> int:
    if not math.isfinite(se) or se <= 0:
        return 2
    return int(min(4, max(0, 1 - math.floor(math.log10(se)))))
