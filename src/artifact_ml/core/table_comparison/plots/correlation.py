"""Association-matrix heatmaps: real, synthetic and their absolute difference."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from artifact_ml.core.table_comparison.config import TableComparisonConfig
from artifact_ml.core.table_comparison.context import ComparisonContext
from artifact_ml.core.table_comparison.plots.figures import new_figure, show_message

__all__ = ["HEATMAP_KEYS", "heatmap_figure", "heatmap_figures"]

HEATMAP_KEYS = ("real", "synthetic", "absolute_difference")

_PANEL_TITLES = {
    "real": "real",
    "synthetic": "synthetic",
    "absolute_difference": "|real - synthetic|",
}


def _matrices(context: ComparisonContext) -> dict[str, np.ndarray]:
    real = context.association_matrix(context.real)
    synthetic = context.association_matrix(context.synthetic)
    if context.synthetic.row_count == 0:
        synthetic = np.full_like(synthetic, np.nan)
    return {"real": real, "synthetic": synthetic, "absolute_difference": np.abs(real - synthetic)}


def _difference_limit(matrix: np.ndarray) -> float:
    # Scale to the largest difference (at least 0.05) so that small differences stay visible.
    finite = matrix[np.isfinite(matrix)]
    return max(float(finite.max()) if finite.size else 0.0, 0.05)


def _empty_reason(context: ComparisonContext, key: str) -> str:
    """Return why the ``key`` panel's matrix has no finite value, for the panel's message."""
    if key != "real" and context.synthetic.row_count == 0:
        return "no association: the synthetic table has no rows"
    return "no association is defined (every value is NaN)"


def _draw_heatmap(
    axes: Axes,
    figure: Figure,
    matrix: np.ndarray,
    features: tuple[str, ...],
    key: str,
    empty_message: str,
) -> None:
    """Draw ``matrix`` with its colour bar, and ``empty_message`` when no value is finite."""
    is_difference = key == "absolute_difference"
    image = axes.imshow(
        np.ma.masked_invalid(matrix),
        cmap="viridis" if is_difference else "coolwarm",
        vmin=0.0 if is_difference else -1.0,
        vmax=_difference_limit(matrix) if is_difference else 1.0,
    )
    positions = np.arange(len(features))
    axes.set_xticks(positions, features, rotation=90, fontsize="x-small")
    axes.set_yticks(positions, features, fontsize="x-small")
    axes.set_xlabel("feature")
    axes.set_ylabel("feature")
    axes.set_title(_PANEL_TITLES[key])
    figure.colorbar(
        image,
        ax=axes,
        shrink=0.8,
        label="absolute difference" if is_difference else "association (r, eta or Cramér's V)",
    )
    if not np.isfinite(matrix).any():
        show_message(axes, empty_message)


def _legend(figure: Figure, context: ComparisonContext, keys: tuple[str, ...]) -> None:
    # Text-only entries: the heatmaps' colours encode association values, not the tables.
    descriptions = {
        "real": f"real table ({context.real.row_count} rows)",
        "synthetic": f"synthetic table ({context.synthetic.row_count} rows)",
        "absolute_difference": "|real - synthetic| association",
    }
    handles = [Patch(facecolor="none", edgecolor="none", label=descriptions[key]) for key in keys]
    figure.legend(
        handles=handles,
        loc="outside lower center",
        ncols=len(handles),
        handlelength=0,
        handletextpad=0,
    )


def _scaled(config: TableComparisonConfig, feature_count: int) -> TableComparisonConfig:
    side = max(config.figure_height, 0.3 * feature_count + 1.5)
    return TableComparisonConfig(
        figure_width=side + 1.0, figure_height=side, figure_dpi=config.figure_dpi
    )


def heatmap_figure(context: ComparisonContext, title: str) -> Figure:
    """Build one figure with the real, synthetic and absolute-difference heatmaps side by side."""
    matrices = _matrices(context)
    config = _scaled(context.config, len(context.spec.features))
    figure, panels = new_figure(config, len(HEATMAP_KEYS), title)
    for axes, key in zip(panels, HEATMAP_KEYS, strict=True):
        _draw_heatmap(
            axes,
            figure,
            matrices[key],
            context.spec.features,
            key,
            _empty_reason(context, key),
        )
    _legend(figure, context, HEATMAP_KEYS)
    return figure


def heatmap_figures(context: ComparisonContext) -> dict[str, Figure]:
    """Build one heatmap figure per key of ``HEATMAP_KEYS``."""
    matrices = _matrices(context)
    config = _scaled(context.config, len(context.spec.features))
    figures: dict[str, Figure] = {}
    for key in HEATMAP_KEYS:
        figure, panels = new_figure(config, 1, f"Association matrix: {_PANEL_TITLES[key]}")
        _draw_heatmap(
            panels[0],
            figure,
            matrices[key],
            context.spec.features,
            key,
            _empty_reason(context, key),
        )
        _legend(figure, context, HEATMAP_KEYS)
        figures[key] = figure
    return figures
