"""The synthesis's annual municipality observations, harmonised once per process.

The national comparison (:attr:`samorg.report.synthesis.SynthesisContext.municipal_panel`) and aim 6
(:func:`samorg.report._aims_national.national_indicators`) both need the processed ``observations`` of
frequency ``A`` with the treated municipalities' earlier codes summed to their current code
(:func:`samorg.clean.harmonise_municipalities`); harmonising takes a noticeable share of the synthesis, so
it is done once and kept for as long as the processed table and the study's municipalities are the same.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from samorg import columns as C

__all__ = ["annual_observations"]

#: (observations file, its identity on disk, the study's municipalities) → the harmonised frame; one entry
_MEMO: dict[tuple, pd.DataFrame] = {}


def _key(study) -> tuple | None:
    from samorg.store import file_identity

    identity = file_identity(Path(study.processed_dir) / "observations.parquet")
    if identity is None:
        return None  # read_processed says what is wrong
    munis = tuple((m.code, tuple(sorted(m.all_codes))) for m in study.municipalities.values())
    return (*identity, munis)


def annual_observations(study) -> pd.DataFrame:
    """The processed annual observations (``freq == "A"``, site rows included) harmonised to the study's
    municipalities. A new frame on every call (the kept one is copied), so callers may change it."""
    from samorg.clean import harmonise_municipalities
    from samorg.store import read_processed

    key = _key(study)
    if key is None or key not in _MEMO:
        obs = read_processed(study.processed_dir, "observations", filters=[(C.FREQ, "==", "A")])
        out = harmonise_municipalities(obs, study.municipalities.values())
        _MEMO.clear()
        if key is None:
            return out
        _MEMO[key] = out
    return _MEMO[key].copy()
