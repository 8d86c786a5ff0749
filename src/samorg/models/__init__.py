"""Estimators: tidy DataFrame in, result object (numbers + table + sentence) out (DESIGN.md §4).

statsmodels and scipy are imported inside the fitting functions, so importing this package stays light.
"""

from samorg.models.did import DiDResult, did
from samorg.models.event import EventStudyResult, event_study
from samorg.models.its import ITSResult, its
from samorg.models.result import CAVEATS, Effect, ModelWarning, caveat_text
from samorg.models.sensitivity import COVID_WINDOW, SensitivityResult, sensitivity
from samorg.models.synth import SynthResult, synthetic_control

__all__ = [
    "CAVEATS", "COVID_WINDOW", "DiDResult", "Effect", "EventStudyResult", "ITSResult", "ModelWarning",
    "SensitivityResult", "SynthResult", "caveat_text", "did", "event_study", "its", "sensitivity",
    "synthetic_control",
]
