"""Registries mapping each table-comparison artifact type to its computation.

Every computation takes a ``ComparisonContext`` (spec, config and both tables encoded once) and
returns the artifact's result. Definitions live in the modules named by each entry:
``distributions`` (JS distance), ``association`` (correlation distance), ``statistics``,
``projection`` and ``plots``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
from matplotlib.figure import Figure

from artifact_ml.core.table_comparison.association import correlation_distance
from artifact_ml.core.table_comparison.context import ComparisonContext
from artifact_ml.core.table_comparison.distributions import js_distance
from artifact_ml.core.table_comparison.plots.correlation import heatmap_figure, heatmap_figures
from artifact_ml.core.table_comparison.plots.distribution import cdf_figure, pdf_figure
from artifact_ml.core.table_comparison.plots.projection import projection_figure
from artifact_ml.core.table_comparison.plots.statistics import alignment_figure
from artifact_ml.core.table_comparison.projection import (
    Projection,
    pca_projection,
    truncated_svd_projection,
    tsne_projection,
)
from artifact_ml.core.table_comparison.statistics import statistic_collection
from artifact_ml.core.table_comparison.types import (
    TableComparisonArrayCollectionType,
    TableComparisonArrayType,
    TableComparisonPlotCollectionType,
    TableComparisonPlotType,
    TableComparisonScoreCollectionType,
    TableComparisonScoreType,
)

__all__ = [
    "ARRAYS",
    "ARRAY_COLLECTIONS",
    "PLOTS",
    "PLOT_COLLECTIONS",
    "SCORES",
    "SCORE_COLLECTIONS",
]

logger = logging.getLogger(__name__)

Stat = TableComparisonArrayCollectionType
PlotType = TableComparisonPlotType


def js_distances(context: ComparisonContext) -> dict[str, float]:
    """Compute the JS distance of every feature (definition in ``distributions``)."""
    distances: dict[str, float] = {}
    for feature in context.spec.features:
        distribution = context.distribution(feature)
        distances[feature] = js_distance(
            distribution.real_counts, distribution.synthetic_counts, context.config.js_base
        )
    return distances


def mean_js_distance(context: ComparisonContext) -> float:
    """Compute the mean of the per-feature JS distances; NaN for a table without features."""
    distances = list(js_distances(context).values())
    return float(np.mean(distances)) if distances else float("nan")


def table_correlation_distance(context: ComparisonContext) -> float:
    """Compute the correlation distance (definition in ``association``)."""
    if context.real.row_count == 0 or context.synthetic.row_count == 0:
        return float("nan")
    return correlation_distance(
        context.association_matrix(context.real), context.association_matrix(context.synthetic)
    )


SCORES: dict[TableComparisonScoreType, Callable[[ComparisonContext], float]] = {
    TableComparisonScoreType.MEAN_JS_DISTANCE: mean_js_distance,
    TableComparisonScoreType.CORRELATION_DISTANCE: table_correlation_distance,
}

ARRAYS: dict[TableComparisonArrayType, Callable[[ComparisonContext], np.ndarray]] = {}

SCORE_COLLECTIONS: dict[
    TableComparisonScoreCollectionType, Callable[[ComparisonContext], dict[str, float]]
] = {TableComparisonScoreCollectionType.JS_DISTANCE: js_distances}


def _statistic(statistic: Stat) -> Callable[[ComparisonContext], dict[str, np.ndarray]]:
    return lambda context: statistic_collection(context, statistic)


ARRAY_COLLECTIONS: dict[Stat, Callable[[ComparisonContext], dict[str, np.ndarray]]] = {
    statistic: _statistic(statistic) for statistic in Stat
}

_ALIGNMENTS: dict[PlotType, Stat] = {
    PlotType.MEAN_ALIGNMENT: Stat.MEAN,
    PlotType.STD_ALIGNMENT: Stat.STD,
    PlotType.VARIANCE_ALIGNMENT: Stat.VARIANCE,
    PlotType.MEDIAN_ALIGNMENT: Stat.MEDIAN,
    PlotType.FIRST_QUARTILE_ALIGNMENT: Stat.FIRST_QUARTILE,
    PlotType.THIRD_QUARTILE_ALIGNMENT: Stat.THIRD_QUARTILE,
    PlotType.MIN_ALIGNMENT: Stat.MIN,
    PlotType.MAX_ALIGNMENT: Stat.MAX,
}


def _alignment(plot_type: PlotType) -> Callable[[ComparisonContext], Figure]:
    statistic = _ALIGNMENTS[plot_type]
    title = f"{statistic.value.replace('_', ' ').capitalize()} alignment: real vs synthetic"
    return lambda context: alignment_figure(context, (statistic,), title)


def _projection(
    compute: Callable[[ComparisonContext], Projection], title: str, axis_name: str
) -> Callable[[ComparisonContext], Figure]:
    def build(context: ComparisonContext) -> Figure:
        return projection_figure(
            context.config,
            compute(context),
            title,
            axis_name,
            (context.real.row_count, context.synthetic.row_count),
        )

    return build


PLOTS: dict[PlotType, Callable[[ComparisonContext], Figure]] = {
    PlotType.PDF: lambda context: pdf_figure(
        context, context.spec.features, "PDF per feature: real vs synthetic"
    ),
    PlotType.CDF: lambda context: cdf_figure(
        context, context.spec.continuous_features, "CDF per continuous feature: real vs synthetic"
    ),
    PlotType.DESCRIPTIVE_STATS_ALIGNMENT: lambda context: alignment_figure(
        context, tuple(Stat), "Descriptive statistics alignment: real vs synthetic"
    ),
    **{plot_type: _alignment(plot_type) for plot_type in _ALIGNMENTS},
    PlotType.CORRELATION_HEATMAP: lambda context: heatmap_figure(
        context, "Association matrices: real vs synthetic"
    ),
    PlotType.PCA_JUXTAPOSITION: _projection(
        pca_projection, "PCA projection: real vs synthetic", "principal component"
    ),
    PlotType.TRUNCATED_SVD_JUXTAPOSITION: _projection(
        truncated_svd_projection, "Truncated SVD projection: real vs synthetic", "SVD component"
    ),
    PlotType.TSNE_JUXTAPOSITION: lambda context: _projection(
        tsne_projection,
        "t-SNE embedding: real vs synthetic "
        f"(up to {context.config.tsne_sample_size} sampled rows per table)",
        "t-SNE dimension",
    )(context),
}


def _per_feature_pdf(context: ComparisonContext) -> dict[str, Figure]:
    return {
        feature: pdf_figure(context, (feature,), f"PDF of {feature}: real vs synthetic")
        for feature in context.spec.features
    }


def _per_feature_cdf(context: ComparisonContext) -> dict[str, Figure]:
    return {
        feature: cdf_figure(context, (feature,), f"CDF of {feature}: real vs synthetic")
        for feature in context.spec.continuous_features
    }


PLOT_COLLECTIONS: dict[
    TableComparisonPlotCollectionType, Callable[[ComparisonContext], dict[str, Figure]]
] = {
    TableComparisonPlotCollectionType.PDF: _per_feature_pdf,
    TableComparisonPlotCollectionType.CDF: _per_feature_cdf,
    TableComparisonPlotCollectionType.CORRELATION_HEATMAPS: heatmap_figures,
}
