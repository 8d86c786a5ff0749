"""Estimators: tidy DataFrame in, result object (numbers + table + sentence) out (DESIGN.md §4).

statsmodels and scipy are imported inside the fitting functions, so importing this package stays light.
"""

from samorg.models.did import DiDResult, did
from samorg.models.its import ITSResult, its
from samorg.models.result import CAVEATS, Effect, ModelWarning, caveat_text

__all__ = ["CAVEATS", "DiDResult", "Effect", "ITSResult", "ModelWarning", "caveat_text", "did", "its"]
