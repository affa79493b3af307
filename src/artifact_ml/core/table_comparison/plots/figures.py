"""Shared figure scaffolding: panel grids, colours and the real-vs-synthetic legend."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from artifact_ml.core.table_comparison.config import TableComparisonConfig

__all__ = [
    "REAL_COLOR",
    "SYNTHETIC_COLOR",
    "add_real_synthetic_legend",
    "new_figure",
    "show_message",
]

REAL_COLOR = "tab:blue"
SYNTHETIC_COLOR = "tab:orange"


def new_figure(
    config: TableComparisonConfig, panel_count: int, title: str, max_columns: int = 4
) -> tuple[Figure, list[Axes]]:
    """Create a figure with ``panel_count`` panels (at least one) in a grid, titled ``title``.

    Unused grid cells are hidden; the returned list contains only the used panels.
    """
    panel_count = max(panel_count, 1)
    columns = min(panel_count, max_columns)
    rows = math.ceil(panel_count / columns)
    figure = Figure(
        figsize=(config.figure_width * columns, config.figure_height * rows + 0.6),
        dpi=config.figure_dpi,
        layout="constrained",
    )
    grid = np.atleast_1d(figure.subplots(rows, columns, squeeze=False).ravel())
    for axes in grid[panel_count:]:
        axes.set_visible(False)
    figure.suptitle(title)
    return figure, list(grid[:panel_count])


def add_real_synthetic_legend(
    figure: Figure,
    real_rows: int,
    synthetic_rows: int,
    real_label: str = "real",
    synthetic_label: str = "synthetic",
    details: tuple[str, str] = ("", ""),
) -> None:
    """Add one figure-level legend naming the real and synthetic tables and their row counts.

    Each label ends with its entry of ``details`` when that is not empty. The entries are then
    stacked, so that the longer labels fit the width of a one-panel figure.
    """
    handles = [
        Line2D([], [], color=color, linewidth=2, label=f"{label} ({rows} rows{extra})")
        for color, label, rows, extra in (
            (REAL_COLOR, real_label, real_rows, f", {details[0]}" if details[0] else ""),
            (
                SYNTHETIC_COLOR,
                synthetic_label,
                synthetic_rows,
                f", {details[1]}" if details[1] else "",
            ),
        )
    ]
    ncols = 1 if any(details) else 2
    figure.legend(handles=handles, loc="outside lower center", ncols=ncols)


def show_message(axes: Axes, message: str) -> None:
    """Write ``message`` in the middle of an otherwise empty panel."""
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes, wrap=True)
