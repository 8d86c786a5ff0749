"""Estimators: tidy DataFrame in, result object (numbers + table + sentence) out (DESIGN.md §4).

statsmodels and scipy are imported inside the fitting functions, so importing this package stays light.
"""

from samorg.models._display import etable
from samorg.models.adjust import adjust
from samorg.models.did import DiDResult, did
from samorg.models.event import EventStudyResult, event_study
from samorg.models.grading import EvidenceGrade, grade_evidence
from samorg.models.its import ITSResult, its
from samorg.models.meta import MetaRegressionResult, PooledEffect, meta_regression, pool
from samorg.models.ordinal import OrdinalResult, ordinal
from samorg.models.ordinal_diff import OrdinalChangeResult, ordinal_change
from samorg.models.pooled import MunicipalPooledEffect, pool_municipalities
from samorg.models.post_effect import PostWashoutEffect, RobustnessVerdict, post_washout_effect, robustness_verdict
from samorg.models.power import PowerResult, detectable_shift, sample_size
from samorg.models.result import CAVEATS, Effect, ModelWarning, caveat_text
from samorg.models.sensitivity import COVID_WINDOW, SensitivityResult, sensitivity
from samorg.models.synth import SynthResult, synthetic_control
from samorg.models.weighting import WeightingResult, design_effect, poststratify, rake

__all__ = [
    "CAVEATS", "COVID_WINDOW", "DiDResult", "Effect", "EventStudyResult", "EvidenceGrade", "ITSResult",
    "MetaRegressionResult", "ModelWarning", "MunicipalPooledEffect", "OrdinalChangeResult", "OrdinalResult",
    "PooledEffect", "PostWashoutEffect", "PowerResult", "RobustnessVerdict", "SensitivityResult", "SynthResult",
    "WeightingResult", "adjust", "caveat_text", "design_effect", "detectable_shift", "did", "etable", "event_study",
    "grade_evidence", "its", "meta_regression", "ordinal", "ordinal_change", "pool", "pool_municipalities",
    "post_washout_effect", "poststratify", "rake", "robustness_verdict", "sample_size", "sensitivity",
    "synthetic_control",
]
