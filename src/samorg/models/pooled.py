"""Pooling site effects that share a control series and a municipality (EVIDENCE.md §3, DESIGN.md §4).

Why not :func:`samorg.models.pool`: random-effects meta-analysis assumes the site estimates are
independent. In this study they are not: every site's comparative ITS uses the same control series
(the summed never-co-located branches), and the sites of one municipality share its shocks (the merger,
the co-organisation, local closures). In a simulation shaped like the demo registry with a true effect
of zero (``samorg.models._coverage``; ``benchmarks/bench_coverage.py``), REML + Hartung–Knapp over the
eight sites covered zero in about half of the replicates.

The estimator (:func:`pool_municipalities`), in three steps:

1. **Municipality estimates.** The sites of a municipality are averaged with equal weights,
   ``θ_m = mean_i y_i``. Their errors are strongly correlated (one control, one municipality), so
   inverse-variance weights computed as if they were independent would not buy precision; equal
   weights make the estimand plain: the average co-located site of the municipality. Its own
   interval uses the mean of the site standard errors, the standard error of an average of
   perfectly correlated estimates (an upper bound whatever the correlation). A municipality-level
   change on the co-location date is part of what ``θ_m`` estimates (EVIDENCE.md §1: for Indre
   Østfold the bundle of merger, co-organisation and co-location).
2. **The pooled effect** is the equal-weight mean of the ``G`` municipality estimates,
   ``μ = mean_m θ_m``, the average municipality's effect.
3. **Its uncertainty** has two parts. (a) Between municipalities, ``s²/G`` with ``s²`` the sample
   variance of the ``θ_m``: this lets municipality-level shocks through and is robust to any
   dependence *within* a municipality. It is the group-based t approach of Ibragimov & Müller
   (2010), whose t test on ``G`` group estimates with ``G − 1`` degrees of freedom stays valid (is
   conservative) at the 5 % level for independent normal group estimates of unequal variance
   (Bakirov & Székely 2006), from ``G = 2`` on. (b) The shared control: its noise enters every
   ``θ_m`` alike, so it cancels in ``s²`` and must be added once: ``se_c = Σ_i w_i · se_i · √share_i``,
   with ``w_i`` the site's weight in ``μ``, ``se_i`` its standard error and ``share_i`` the share of its
   residual variance that comes from the control. ``share_i`` is estimated from the sites' comparative
   residual series (``log(y/c)`` minus its fit): the control's idiosyncratic noise is the only thing
   all of them share month by month, so the average covariance between two sites' residual series
   estimates its variance (Σ over sites with ``√`` is the perfect-correlation bound, exact for sites
   with the same intervention date). ``se = √(s²/G + se_c²)``.

The reference distribution is ``t(G − 1)`` for the total (``df="municipalities"``, the default:
conservative, since the control part is estimated from many months), or Welch–Satterthwaite degrees
of freedom ``(a + b)² / (a²/(G − 1) + b²/df_c)`` with ``a = s²/G``, ``b = se_c²``
(``df="satterthwaite"``: narrower, but it trusts a variance estimated from ``G`` numbers). Measured on
the registry-shaped simulation (two municipalities, 2,000 replicates per scenario, ``benchmarks/README.md``):
the default covered the truth in every replicate of every scenario, with wide intervals (median width
0.67–1.30 on the log scale), which is what two municipalities can support; Satterthwaite covered
94.8–99.4 % with a municipality step of sd 0.05 but 88.7 % with sd 0.10 sparing the control, so it is an
option, not the default; the old independent pooling covered 43–67 %.
With one municipality there is no between-municipality variation to learn from: the result describes
it (estimate, no interval).

No prediction interval "for a new municipality" is given from fewer than
:data:`MIN_MUNICIPALITIES_FOR_PREDICTION` (3) municipalities: with two, the between-municipality
variance rests on a single difference and ``t(1)`` makes any interval a formality (EVIDENCE.md §3).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from samorg import fmt
from samorg.errors import ModelError
from samorg.models.result import RATIO_LINKS, Effect, caveat_text

__all__ = ["MIN_MUNICIPALITIES_FOR_PREDICTION", "MunicipalPooledEffect", "comparative_residuals", "control_shares",
           "pool_municipalities"]

#: Fewest municipalities from which a prediction interval for a new one is given.
MIN_MUNICIPALITIES_FOR_PREDICTION = 3
DF_METHODS = ("municipalities", "satterthwaite")
_OWN_CAVEATS = {
    "two_municipalities": (
        "Med bare to kommuner hviler usikkerheten mellom kommunene på én enkelt forskjell (t-fordeling med 1 "
        "frihetsgrad), så intervallet er bredt; det er det to kommuner kan bære.",
        "With only two municipalities the between-municipality uncertainty rests on a single difference (t with "
        "1 degree of freedom), so the interval is wide; that is what two municipalities can support.",
    ),
    "no_shared_control_part": (
        "Stedene deler en sammenligningsserie, men dens del av usikkerheten er ikke tatt med.",
        "The sites share a comparison series, but its part of the uncertainty was not included.",
    ),
}


@dataclass(frozen=True, kw_only=True)
class MunicipalPooledEffect(Effect):
    """The result of :func:`pool_municipalities` (on the scale of the site effects, e.g. log rate ratios).

    Attributes (beyond :class:`Effect`)
    -----------------------------------
    studies : DataFrame
        Per site: ``label``, ``municipality``, ``estimate``, ``std_error``, ``ci_low``, ``ci_high``
        (normal, the site's own), ``weight`` (share in the pooled mean), ``control_share``.
    municipalities : DataFrame
        Per municipality: ``municipality``, ``estimate``, ``std_error`` (site level, upper bound),
        ``ci_low``, ``ci_high``, ``n_sites``.
    k, n_municipalities : int
        Sites and municipalities pooled.
    between_std_error, control_std_error : float
        The two parts of ``std_error`` (between municipalities; the shared control).
    df : float
        Degrees of freedom of the t reference (NaN with one municipality).
    pi_low, pi_high : float
        Prediction interval for a new municipality; NaN below :data:`MIN_MUNICIPALITIES_FOR_PREDICTION`.
    """

    studies: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    municipalities: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)
    k: int = 0
    n_municipalities: int = 0
    between_std_error: float = math.nan
    control_std_error: float = 0.0
    df: float = math.nan
    pi_low: float = math.nan
    pi_high: float = math.nan

    def caveat_texts(self, *, lang: str = "nb") -> list[str]:
        """Caveats in ``lang``; this class's own keys (:data:`_OWN_CAVEATS`) are translated here."""
        i = 0 if lang == "nb" else 1
        return [_OWN_CAVEATS[c][i] if c in _OWN_CAVEATS else caveat_text(c, lang=lang) for c in self.caveats]

    @property
    def bounded(self) -> bool:
        """Whether the pooled interval exists (two or more municipalities)."""
        return math.isfinite(self.ci_low) and math.isfinite(self.ci_high)

    def sentence(self, lang: str = "nb", *, outcome_label: str | None = None, decimals: int | None = None,
                 caveats: bool = True) -> str:
        """The estimand, the pooled effect (or why it has no interval), the method and the caveats."""
        fmt._check_lang(lang)
        nb = lang == "nb"
        estimand = self.details["estimand_nb" if nb else "estimand_en"]
        if self.bounded:
            text = super().sentence(lang, outcome_label=outcome_label, decimals=decimals, caveats=False)
        else:
            value = (fmt.signed_percent(math.exp(self.estimate) - 1, decimals=1, lang=lang)
                     if self.link in RATIO_LINKS else fmt.number(self.estimate, decimals=decimals or 3, lang=lang))
            text = (f"Anslaget er {value}, men med én kommune kan intervallet ikke avgrenses: det finnes ingen "
                    "variasjon mellom kommuner å måle usikkerheten med." if nb else
                    f"The estimate is {value}, but with one municipality the interval cannot be bounded: there is "
                    "no variation between municipalities to measure its uncertainty with.")
        text = f"{estimand} {text}"
        if self.n_municipalities < MIN_MUNICIPALITIES_FOR_PREDICTION:
            g = fmt.number(self.n_municipalities, lang=lang)
            text += (f" Med {g} {'kommune' if self.n_municipalities == 1 else 'kommuner'} gis ikke noe "
                     f"prediksjonsintervall for en ny kommune (det krever minst {MIN_MUNICIPALITIES_FOR_PREDICTION})."
                     if nb else
                     f" With {g} {'municipality' if self.n_municipalities == 1 else 'municipalities'} no prediction "
                     f"interval for a new municipality is given (that needs at least "
                     f"{MIN_MUNICIPALITIES_FOR_PREDICTION}).")
        if caveats and self.caveats:
            text += (" Forbehold: " if nb else " Caveats: ") + " ".join(self.caveat_texts(lang=lang))
        return text


def pool_municipalities(
    estimates: Sequence[Effect] | Mapping[str, Effect],
    *,
    municipality: Sequence[Any] | Mapping[str, Any],
    labels: Sequence[str] | None = None,
    control_std_error: float | str | None = "estimate",
    df: str = "municipalities",
    level: float = 0.95,
    caveats: Sequence[str] = (),
) -> MunicipalPooledEffect:
    """Pool site effects that share a control series and municipalities (see the module docstring).

    Parameters
    ----------
    estimates : sequence of Effect, or mapping site label → Effect
        One effect per co-located site, all on one scale (e.g. the log rate ratios of
        :func:`samorg.models.its` with ``comparison=``). Not modified. (Named as in :func:`samorg.models.pool`,
        docs/api.md.)
    municipality : sequence, or mapping site label → municipality
        The municipality of each site (same order as ``estimates``, or looked up by label).
    labels : sequence of str, optional
        Site names; default ``details["site"]`` or the position.
    control_std_error : "estimate", float or None
        The shared control's part of the pooled standard error. ``"estimate"`` (default): estimated from
        the sites' residual series when the effects are comparative ITS results (``its(..., comparison=...)``),
        none when no effect has a control; a number: given by the caller; ``None``: the sites share no
        control.
    df : {"municipalities", "satterthwaite"}
        Degrees of freedom of the t reference: ``G − 1`` (default, conservative) or Welch–Satterthwaite.
    level : float
    caveats : sequence of str
        Extra caveats (keys of :data:`samorg.models.CAVEATS` or text).

    Returns
    -------
    MunicipalPooledEffect

    Raises
    ------
    ModelError
        No effects, lengths that differ, effects on different scales, missing or non-positive standard
        errors, ``control_std_error="estimate"`` for comparative effects whose fits are not available.

    Examples
    --------
    >>> from samorg.models import Effect
    >>> sites = [Effect(estimate=e, std_error=0.03, ci_low=e - 0.06, ci_high=e + 0.06, p_value=0.5, link="log")
    ...          for e in (0.10, 0.12, 0.08, 0.02)]
    >>> res = pool_municipalities(sites, municipality=["A", "A", "A", "B"], control_std_error=None)
    >>> round(res.estimate, 3), res.n_municipalities, math.isnan(res.pi_low)
    (0.06, 2, True)
    """
    from scipy import stats

    if isinstance(control_std_error, bool):
        raise ModelError(f"control_std_error={control_std_error!r}: expected 'estimate', a number ≥ 0, or None.")
    if df not in DF_METHODS:
        raise ModelError(f"df={df!r} is not supported. Expected one of {DF_METHODS}.")
    if not 0 < level < 1:
        raise ModelError(f"level={level!r} must be between 0 and 1, e.g. 0.95.")
    if isinstance(estimates, Mapping):
        labels = list(estimates) if labels is None else labels
        estimates = list(estimates.values())
    if isinstance(municipality, Mapping):
        names_ = [str(x) for x in labels] if labels is not None else None
        if names_ is None:
            raise ModelError("municipality= is a mapping, so the sites need labels: give estimates as a mapping "
                             "label → Effect, or labels=.")
        unknown = [n for n in names_ if n not in municipality]
        if unknown:
            raise ModelError(f"municipality= has no entry for site(s) {unknown}; it has {list(municipality)[:8]}.")
        municipality = [municipality[n] for n in names_]
    effects, muni, names, link = _inputs(estimates, municipality, labels)
    y = np.array([e.estimate for e in effects], dtype=float)
    se = np.array([e.std_error for e in effects], dtype=float)
    groups = list(dict.fromkeys(muni))
    G, k = len(groups), len(y)
    n_in = {g: muni.count(g) for g in groups}
    w = np.array([1.0 / (G * n_in[m]) for m in muni])
    share, df_c = _control_shares(effects, control_std_error, names)
    se_c = float(control_std_error) if isinstance(control_std_error, (int, float)) else float(
        np.sum(w * se * np.sqrt(share)))
    theta = np.array([y[[m == g for m in muni]].mean() for g in groups])
    theta_se = np.array([se[[m == g for m in muni]].mean() for g in groups])
    mu = float(theta.mean())
    z = float(stats.norm.ppf(0.5 + level / 2))
    if G >= 2:
        a = float(theta.var(ddof=1)) / G
        b = se_c**2
        dof = float(G - 1) if df == "municipalities" or b == 0 else (a + b) ** 2 / (a**2 / (G - 1) + b**2 / df_c)
        total = math.sqrt(a + b)
        q = float(stats.t.ppf(0.5 + level / 2, dof))
        lo, hi = mu - q * total, mu + q * total
        p = float(2 * stats.t.sf(abs(mu) / total, dof)) if total > 0 else math.nan
        between = math.sqrt(a)
    else:
        dof, total, lo, hi, p, between = math.nan, math.nan, math.nan, math.nan, math.nan, math.nan
    pi_lo = pi_hi = math.nan
    if G >= MIN_MUNICIPALITIES_FOR_PREDICTION:
        half = float(stats.t.ppf(0.5 + level / 2, G - 1)) * math.sqrt(theta.var(ddof=1) * (1 + 1 / G) + se_c**2)
        pi_lo, pi_hi = mu - half, mu + half
    studies = pd.DataFrame({"label": names, "municipality": muni, "estimate": y, "std_error": se,
                            "ci_low": y - z * se, "ci_high": y + z * se, "weight": w, "control_share": share})
    munis = pd.DataFrame({"municipality": groups, "estimate": theta, "std_error": theta_se,
                          "ci_low": theta - z * theta_se, "ci_high": theta + z * theta_se,
                          "n_sites": [n_in[g] for g in groups]})
    details = _details(G, k, df, dof, se_c, between, control_std_error, link, effects)
    own = ["two_municipalities"] if G == 2 and df == "municipalities" else []
    if control_std_error is None and any(e.details.get("comparison") or e.details.get("control") for e in effects):
        own.append("no_shared_control_part")
    return MunicipalPooledEffect(
        estimate=mu, std_error=total, ci_low=lo, ci_high=hi, p_value=p, level=level, link=link,
        method=details.pop("method"), inference=details.pop("inference"), n_obs=k, term="effect", details=details,
        caveats=(*own, *caveats), studies=studies, municipalities=munis, k=k,
        n_municipalities=G, between_std_error=between, control_std_error=se_c, df=dof, pi_low=pi_lo, pi_high=pi_hi,
    )


def _inputs(effects: Any, municipality: Any, labels: Any) -> tuple[list[Effect], list[Any], list[str], str]:
    effects = list(effects) if not isinstance(effects, Effect) else [effects]
    if not effects:
        raise ModelError("pool_municipalities() got no effects; give one Effect per co-located site.")
    bad = [i for i, e in enumerate(effects) if not isinstance(e, Effect)]
    if bad:
        raise ModelError(f"pool_municipalities() expects Effect results (e.g. from its()); item(s) {bad} are "
                         f"{type(effects[bad[0]]).__name__}. Use samorg.models.pool for bare numbers.")
    muni = list(municipality)
    if len(muni) != len(effects):
        raise ModelError(f"pool_municipalities() got {len(effects)} effects but {len(muni)} municipalities; give "
                         "the municipality of every site, in the same order.")
    links = {e.link for e in effects}
    if len(links) > 1:
        raise ModelError(f"The effects are on different scales ({sorted(links)}); pool effects on one scale.")
    names = ([str(x) for x in labels] if labels is not None else
             [str(e.details.get("site") or e.details.get("label") or i + 1) for i, e in enumerate(effects)])
    if len(names) != len(effects):
        raise ModelError(f"pool_municipalities() got {len(names)} labels for {len(effects)} effects.")
    for name, e in zip(names, effects):
        if not (math.isfinite(e.estimate) and math.isfinite(e.std_error) and e.std_error > 0):
            raise ModelError(f"Site {name!r}: estimate {e.estimate!r} with standard error {e.std_error!r}. Every site "
                             "needs a finite estimate and a positive standard error; drop sites whose fit failed.")
    return effects, muni, names, links.pop()


def _control_shares(effects: list[Effect], control_std_error: Any, names: list[str]) -> tuple[np.ndarray, float]:
    """Each site's share of residual variance from the shared control, and the df of that estimate."""
    k = len(effects)
    if control_std_error is None or isinstance(control_std_error, (int, float)):
        if isinstance(control_std_error, (int, float)) and not (control_std_error >= 0):
            raise ModelError(f"control_std_error={control_std_error!r} must be ≥ 0 (or 'estimate' or None).")
        return np.zeros(k), math.inf
    if control_std_error != "estimate":
        raise ModelError(f"control_std_error={control_std_error!r}: expected 'estimate', a number ≥ 0, or None.")
    controlled = [bool(e.details.get("comparison") or e.details.get("control")) for e in effects]
    if not any(controlled):
        return np.zeros(k), math.inf
    missing = [n for n, e, c in zip(names, effects, controlled) if c and getattr(e, "fit", None) is None]
    if missing or k < 2:
        raise ModelError(
            f"The shared control's part of the uncertainty is estimated from the sites' fitted comparative ITS "
            f"models, but {'site(s) ' + str(missing) + ' have none' if missing else 'one site cannot show it'}. "
            "Pass the results of its(..., comparison=...) as they are, or give control_std_error= as a number."
        )
    resid = pd.DataFrame({n: comparative_residuals(e) for n, e, c in zip(names, effects, controlled) if c})
    by_name = control_shares(resid)
    share = np.array([by_name.get(n, 0.0) for n in names])
    return share, float(len(resid.dropna()) - 1)


def control_shares(residuals: pd.DataFrame) -> dict[str, float]:
    """Per site (column), the share of its residual variance that comes from the shared control.

    ``residuals``: one column per site, one row per period, the residual log ratio of its comparative fit
    (:func:`comparative_residuals`). The control's own noise is the only thing every site's residuals share
    period by period, so the average covariance between two sites' columns estimates its variance ``v_c``;
    a site's share is ``v_c / var_i``, clipped to [0, 1]. Rows with a missing value are dropped.
    """
    resid = residuals.dropna()
    if resid.shape[1] < 2 or len(resid) < 3:
        raise ModelError("Too few sites or months shared by the sites' fits to estimate the control's part of the "
                         "uncertainty (at least 2 sites and 3 months); give control_std_error= as a number.")
    C = resid.cov().to_numpy()
    m = C.shape[0]
    v_c = max(0.0, float((C.sum() - np.trace(C)) / (m * (m - 1))))
    return {str(c): float(v) for c, v in zip(resid.columns, np.clip(v_c / np.diag(C), 0.0, 1.0))}


def comparative_residuals(result: Any) -> pd.Series:
    """``log(y/c)`` minus its fit, per fitted period, from a comparative :func:`samorg.models.its` result.

    The stacked fit holds the site's rows first and the control's after them, one period effect each, so
    the fitted control value is read from the same fit.
    """
    fit = result.fit
    y = np.asarray(fit.model.endog, dtype=float)
    mu = np.asarray(fit.fittedvalues, dtype=float)
    n = len(y) // 2
    preds = result.predictions
    times = preds.loc[preds["in_fit"].to_numpy(dtype=bool), "time"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.log(y[:n] / y[n:]) - np.log(mu[:n] / mu[n:])
    r[~np.isfinite(r)] = np.nan
    return pd.Series(r, index=times)


def _details(G: int, k: int, df: str, dof: float, se_c: float, between: float, control: Any, link: str,
             effects: list[Effect]) -> dict[str, Any]:
    g_nb, g_en = fmt.number(G, lang="nb"), fmt.number(G, lang="en")
    dof_txt = fmt.number(dof, decimals=0 if float(dof).is_integer() else 1, lang="en") if math.isfinite(dof) else "–"
    dof_nb = fmt.number(dof, decimals=0 if float(dof).is_integer() else 1, lang="nb") if math.isfinite(dof) else "–"
    has_control = se_c > 0
    ctl_en = " plus the shared control's noise once" if has_control else ""
    ctl_nb = " pluss kontrollseriens støy én gang" if has_control else ""
    unit_en = "rate ratio (observed/expected)" if link == "log" else ("odds ratio" if link == "logit" else "outcome units")
    unit_nb = "rateforhold (observert/forventet)" if link == "log" else ("oddsforhold" if link == "logit" else
                                                                       "utfallets enheter")
    return {
        "method": f"equal-weight mean of {g_en} municipality averages of {k} site effects",
        "inference": (f"between-municipality variance{ctl_en}, t distribution ({dof_txt} df"
                      f"{', Welch–Satterthwaite' if df == 'satterthwaite' else ''})" if G >= 2 else "none (one municipality)"),
        "method_nb": f"likevektet gjennomsnitt av {g_nb} kommunegjennomsnitt av {k} stedseffekter",
        "inference_nb": (f"variasjon mellom kommuner{ctl_nb}, t-fordeling ({dof_nb} "
                         f"{'frihetsgrad' if dof == 1 else 'frihetsgrader'}"
                         f"{', Welch–Satterthwaite' if df == 'satterthwaite' else ''})" if G >= 2 else
                         "ingen (én kommune)"),
        "estimand_en": ("Estimand: the average over municipalities of the average co-located site's effect, each "
                        "relative to the comparison series; a change that hit a whole municipality on its "
                        "co-location date is part of that municipality's effect."),
        "estimand_nb": ("Estimand: gjennomsnittet over kommunene av effekten på det gjennomsnittlige samlokaliserte "
                        "stedet, hver målt mot sammenligningsserien; en endring som rammet en hel kommune på "
                        "samlokaliseringsdatoen, er en del av kommunens effekt."),
        "unit": unit_en, "unit_nb": unit_nb, "n_municipalities": G, "n_sites": k, "df_method": df,
        "reference_distribution": f"t({dof_txt})" if G >= 2 else "none",
        "control_std_error": se_c, "between_std_error": between,
        "control_std_error_source": ("estimated from the sites' residual series" if control == "estimate" and has_control
                                     else "given" if isinstance(control, (int, float)) else "none"),
        "min_municipalities_for_prediction": MIN_MUNICIPALITIES_FOR_PREDICTION,
        "outcome": outcomes.pop() if len(outcomes := {e.details.get("outcome") for e in effects}) == 1 else None,
    }
