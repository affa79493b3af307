"""Statistic alignment plots: each continuous feature as a point (real value, synthetic value).

Points on the diagonal mean the synthetic table reproduces the statistic. Both axes switch to a
symmetric log scale when the plotted values span more than three orders of magnitude, so that one
large-valued feature does not squash the others into a corner.
"""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from artifact_ml.core.table_comparison.context import ComparisonContext
from artifact_ml.core.table_comparison.plots.figures import (
    SYNTHETIC_COLOR,
    new_figure,
    show_message,
)
from artifact_ml.core.table_comparison.statistics import STATISTIC_LABELS, statistic_collection
from artifact_ml.core.table_comparison.types import TableComparisonArrayCollectionType as Stat

__all__ = ["alignment_figure"]

_SYMLOG_SPAN = 1e3
# Points closer than this share of the plotted range on both axes get one joint label.
_LABEL_MERGE_DISTANCE = 0.04
_MAX_NAMES_PER_LABEL = 3


def _draw_alignment(axes: Axes, context: ComparisonContext, statistic: Stat) -> None:
    label = STATISTIC_LABELS[statistic]
    axes.set_title(label)
    axes.set_xlabel(f"real {label}")
    axes.set_ylabel(f"synthetic {label}")
    pairs = statistic_collection(context, statistic)
    values = np.array(list(pairs.values())).reshape(-1, 2)
    finite = np.all(np.isfinite(values), axis=1)
    if not finite.any():
        show_message(axes, "no continuous feature has this statistic in both tables")
        return
    names = [name for name, keep in zip(pairs, finite, strict=True) if keep]
    points = values[finite]
    axes.scatter(points[:, 0], points[:, 1], color=SYNTHETIC_COLOR, zorder=3)
    low = float(points.min())
    high = float(points.max())
    axes.plot([low, high], [low, high], color="grey", linestyle="--", zorder=1)
    magnitudes = np.abs(points[points != 0])
    if magnitudes.size and magnitudes.max() / magnitudes.min() > _SYMLOG_SPAN:
        # A power of ten keeps the tick at 0 one decade away from the first logarithmic tick,
        # so their labels do not overlap.
        threshold = float(10.0 ** np.floor(np.log10(magnitudes.min())))
        axes.set_xscale("symlog", linthresh=threshold)
        axes.set_yscale("symlog", linthresh=threshold)
    _label_points(axes, names, points)


def _label_points(axes: Axes, names: list[str], points: np.ndarray) -> None:
    """Write each feature's name next to its point, one label per group of close points.

    Closeness is measured on the axes' scales (linear or symmetric log), as a share of the
    range of all points. A label near the right or top edge goes on the inner side of its point,
    so that it stays inside the panel.
    """
    scaled = np.column_stack(
        [
            axes.xaxis.get_transform().transform(points[:, 0]),
            axes.yaxis.get_transform().transform(points[:, 1]),
        ]
    )
    span = scaled.max(axis=0) - scaled.min(axis=0)
    relative = (scaled - scaled.min(axis=0)) / np.where(span > 0, span, 1.0)
    groups: list[list[int]] = []
    for index in np.lexsort((relative[:, 1], relative[:, 0])):
        for group in groups:
            if np.all(np.abs(relative[group[0]] - relative[index]) <= _LABEL_MERGE_DISTANCE):
                group.append(int(index))
                break
        else:
            groups.append([int(index)])
    for group in groups:
        label = ", ".join(names[index] for index in group[:_MAX_NAMES_PER_LABEL])
        if len(group) > _MAX_NAMES_PER_LABEL:
            label += f" +{len(group) - _MAX_NAMES_PER_LABEL}"
        right, top = relative[group[0]] > (0.75, 0.9)
        axes.annotate(
            label,
            tuple(points[group[0]]),
            fontsize="x-small",
            xytext=(-3 if right else 3, -3 if top else 3),
            textcoords="offset points",
            ha="right" if right else "left",
            va="top" if top else "bottom",
        )


def alignment_figure(
    context: ComparisonContext, statistics: tuple[Stat, ...], title: str
) -> Figure:
    """Build one figure with an alignment panel per statistic in ``statistics``."""
    figure, panels = new_figure(context.config, len(statistics), title)
    for axes, statistic in zip(panels, statistics, strict=True):
        _draw_alignment(axes, context, statistic)
    handles = [
        Line2D(
            [],
            [],
            color=SYNTHETIC_COLOR,
            marker="o",
            linestyle="none",
            label=f"feature: x = real ({context.real.row_count} rows),\n"
            f"y = synthetic ({context.synthetic.row_count} rows)",
        ),
        Line2D([], [], color="grey", linestyle="--", label="real = synthetic"),
    ]
    # One column under a single panel, so that the legend is not wider than the figure.
    figure.legend(handles=handles, loc="outside lower center", ncols=2 if len(panels) > 1 else 1)
    return figure
