"""The results of one validation-plan execution, keyed by artifact name."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.figure import Figure

from artifact_ml.experiment.records import close_figures

__all__ = ["ValidationResults"]


@dataclass(frozen=True)
class ValidationResults:
    """Results of one plan execution; each dict is keyed by artifact name (``"mean_js_distance"``).

    Collections map a key (usually a feature name) to one result.
    """

    scores: dict[str, float] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    plots: dict[str, Figure] = field(default_factory=dict)
    score_collections: dict[str, dict[str, float]] = field(default_factory=dict)
    array_collections: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    plot_collections: dict[str, dict[str, Figure]] = field(default_factory=dict)

    def figures(self) -> list[Figure]:
        """Return every figure of these results (plots, then the plots of collections)."""
        figures = list(self.plots.values())
        for collection in self.plot_collections.values():
            figures.extend(collection.values())
        return figures

    def close(self) -> None:
        """Close every figure (remove it from pyplot if pyplot manages it)."""
        close_figures(self.figures())
