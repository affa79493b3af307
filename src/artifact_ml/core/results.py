"""Result modalities: the six kinds of validation artifact that artifact-ml computes and logs.

A score is one float; an array is a numpy array; a plot is a matplotlib ``Figure`` (never a pyplot
figure, so nothing is registered in pyplot's global state). A collection maps a key (usually a
feature name) to one result of the base modality.
"""

from __future__ import annotations

from enum import Enum

import numpy as np
from matplotlib.figure import Figure

__all__ = [
    "Array",
    "ArrayCollection",
    "Plot",
    "PlotCollection",
    "ResultModality",
    "Score",
    "ScoreCollection",
]

Score = float
Array = np.ndarray
Plot = Figure
ScoreCollection = dict[str, float]
ArrayCollection = dict[str, np.ndarray]
PlotCollection = dict[str, Figure]


class ResultModality(Enum):
    """The modality of a validation result; the value is the name used in storage layouts."""

    SCORE = "score"
    ARRAY = "array"
    PLOT = "plot"
    SCORE_COLLECTION = "score_collection"
    ARRAY_COLLECTION = "array_collection"
    PLOT_COLLECTION = "plot_collection"
