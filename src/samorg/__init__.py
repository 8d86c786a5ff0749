"""samorg: evaluate co-organised and co-located libraries and citizen service centres.

The names below are the public API. They are imported on first use, so ``import samorg`` stays
light (no statsmodels, matplotlib or Jupyter machinery until a model or plot is used).

>>> import samorg
>>> study = samorg.load_study("config/demo/study.yaml")  # doctest: +SKIP
>>> visits = samorg.read_processed(study.processed_dir, "observations")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

from samorg._version import __version__

# public name -> module that defines it
_LAZY = {
    "etable": "samorg.models",
    "estimand": "samorg.analysis",
    "grade_evidence": "samorg.models.grading",
    "pool_municipalities": "samorg.models.pooled",
    "post_washout_effect": "samorg.models.post_effect",
    "robustness_verdict": "samorg.models.post_effect",
    "primary_family": "samorg.analysis",
    "SamorgError": "samorg.errors",
    "build_processed": "samorg.pipeline",
    "adjust": "samorg.models.adjust",
    "did": "samorg.models",
    "event_study": "samorg.models",
    "fit_site": "samorg.analysis",
    "its": "samorg.models",
    "load_site_monthly": "samorg.pipeline",
    "load_study": "samorg.config",
    "load_survey_responses": "samorg.store",
    "meta_regression": "samorg.models.meta",
    "ordinal": "samorg.models.ordinal",
    "ordinal_change": "samorg.models",
    "plot_category_probabilities": "samorg.plots.ordinal",
    "plot_did": "samorg.plots",
    "plot_event_study": "samorg.plots",
    "plot_forest": "samorg.plots.forest",
    "plot_its": "samorg.plots",
    "plot_synthetic_control": "samorg.plots",
    "pool": "samorg.models.meta",
    "read_processed": "samorg.store",
    "sensitivity": "samorg.models",
    "synthetic_control": "samorg.models",
}

__all__ = sorted(["__version__", *_LAZY])


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'samorg' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
