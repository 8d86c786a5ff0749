"""The embedded demo world: a seeded, synthetic but realistic study (DESIGN.md §6).

:func:`generate` writes the raw files and the study configuration; :func:`truth` returns what
was planted (effects, outages, duplicates, fake identifiers) without writing anything.
"""

from samorg.demo.generate import generate
from samorg.demo.truth import DemoTruth, PlantedText, truth

__all__ = ["DemoTruth", "PlantedText", "generate", "truth"]
