"""Projection juxtapositions: the real and synthetic rows side by side in one shared 2-D space."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from artifact_ml.core.table_comparison.config import TableComparisonConfig
from artifact_ml.core.table_comparison.plots.figures import (
    REAL_COLOR,
    SYNTHETIC_COLOR,
    add_real_synthetic_legend,
    new_figure,
    show_message,
)
from artifact_ml.core.table_comparison.projection import Projection

__all__ = ["projection_figure"]


def projection_figure(
    config: TableComparisonConfig,
    projection: Projection,
    title: str,
    axis_name: str,
    row_counts: tuple[int, int],
) -> Figure:
    """Build a two-panel figure (real left, synthetic right) with shared axis limits."""
    figure, panels = new_figure(config, 2, title)
    points = np.vstack([projection.real, projection.synthetic])
    finite = points[np.all(np.isfinite(points), axis=1)]
    for axes, values, color, role in (
        (panels[0], projection.real, REAL_COLOR, "real"),
        (panels[1], projection.synthetic, SYNTHETIC_COLOR, "synthetic"),
    ):
        axes.set_title(role)
        axes.set_xlabel(f"{axis_name} 1")
        axes.set_ylabel(f"{axis_name} 2")
        if projection.reason:
            show_message(axes, projection.reason)
            continue
        if values.shape[0] == 0:
            show_message(axes, f"the {role} table has no rows")
        axes.scatter(values[:, 0], values[:, 1], s=4, alpha=0.4, color=color, linewidths=0)
        if finite.size:
            low = finite.min(axis=0)
            high = finite.max(axis=0)
            margin = np.where(high > low, 0.05 * (high - low), 1.0)
            axes.set_xlim(low[0] - margin[0], high[0] + margin[0])
            axes.set_ylim(low[1] - margin[1], high[1] + margin[1])
    add_real_synthetic_legend(figure, *row_counts)
    return figure
