"""Artifact types of the table-comparison toolkit, one enum per result modality.

Each member's value is the artifact name used when logging it (for example
``"mean_js_distance"``), so the enums double as registry keys and as stable storage names.
"""

from __future__ import annotations

from enum import Enum

__all__ = [
    "TableComparisonArrayCollectionType",
    "TableComparisonArrayType",
    "TableComparisonPlotCollectionType",
    "TableComparisonPlotType",
    "TableComparisonScoreCollectionType",
    "TableComparisonScoreType",
]


class TableComparisonScoreType(Enum):
    """Scores: one float per comparison."""

    MEAN_JS_DISTANCE = "mean_js_distance"
    CORRELATION_DISTANCE = "correlation_distance"


class TableComparisonArrayType(Enum):
    """Arrays: the table-comparison domain defines none yet; the enum keeps the engine uniform."""


class TableComparisonScoreCollectionType(Enum):
    """Score collections: one float per feature."""

    JS_DISTANCE = "js_distance"


class TableComparisonArrayCollectionType(Enum):
    """Statistic juxtapositions: per continuous feature, ``np.array([real, synthetic])``."""

    MEAN = "mean"
    STD = "std"
    VARIANCE = "variance"
    MEDIAN = "median"
    FIRST_QUARTILE = "first_quartile"
    THIRD_QUARTILE = "third_quartile"
    MIN = "min"
    MAX = "max"


class TableComparisonPlotType(Enum):
    """Single figures comparing the whole table."""

    PDF = "pdf"
    CDF = "cdf"
    DESCRIPTIVE_STATS_ALIGNMENT = "descriptive_stats_alignment"
    MEAN_ALIGNMENT = "mean_alignment"
    STD_ALIGNMENT = "std_alignment"
    VARIANCE_ALIGNMENT = "variance_alignment"
    MEDIAN_ALIGNMENT = "median_alignment"
    FIRST_QUARTILE_ALIGNMENT = "first_quartile_alignment"
    THIRD_QUARTILE_ALIGNMENT = "third_quartile_alignment"
    MIN_ALIGNMENT = "min_alignment"
    MAX_ALIGNMENT = "max_alignment"
    CORRELATION_HEATMAP = "correlation_heatmap"
    PCA_JUXTAPOSITION = "pca_juxtaposition"
    TRUNCATED_SVD_JUXTAPOSITION = "truncated_svd_juxtaposition"
    TSNE_JUXTAPOSITION = "tsne_juxtaposition"


class TableComparisonPlotCollectionType(Enum):
    """Plot collections: ``PDF`` keyed by feature, ``CDF`` keyed by continuous feature, and
    ``CORRELATION_HEATMAPS`` keyed by ``"real"``, ``"synthetic"`` and ``"absolute_difference"``."""

    PDF = "pdf"
    CDF = "cdf"
    CORRELATION_HEATMAPS = "correlation_heatmaps"
