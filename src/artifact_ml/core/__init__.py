"""Core layer: validation artifacts (scores, arrays, plots and their collections).

``artifact_ml.core.results`` names the six result modalities; ``artifact_ml.core.table_comparison``
compares a synthetic table with a real one.
"""

from artifact_ml.core.results import (
    Array,
    ArrayCollection,
    Plot,
    PlotCollection,
    ResultModality,
    Score,
    ScoreCollection,
)

__all__ = [
    "Array",
    "ArrayCollection",
    "Plot",
    "PlotCollection",
    "ResultModality",
    "Score",
    "ScoreCollection",
]
