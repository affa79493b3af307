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
    """Scores: one float per comparison; 0 for identical tables, lower is better.

    - ``MEAN_JS_DISTANCE``: the mean over features of the per-feature JS distance (see
      ``TableComparisonScoreCollectionType``), in [0, 1].
    - ``CORRELATION_DISTANCE``: the root mean square difference between the real and synthetic
      association matrices over off-diagonal entries, in [0, 2]. Pairs of continuous features use
      Pearson's r, continuous-categorical pairs the correlation ratio and categorical pairs
      Cramér's V without bias correction (module ``association`` has the details).
    """

    MEAN_JS_DISTANCE = "mean_js_distance"
    CORRELATION_DISTANCE = "correlation_distance"


class TableComparisonArrayType(Enum):
    """Arrays: the table-comparison domain defines none yet; the enum keeps the engine uniform."""


class TableComparisonScoreCollectionType(Enum):
    """Score collections: one float per feature.

    ``JS_DISTANCE``: per feature, the Jensen-Shannon distance in base 2 (in [0, 1]; 1 for
    disjoint supports) between the real and synthetic distributions. Continuous features are
    binned on bins shared by both tables and derived from the real table. Integer columns get one
    bin per integer, or per ``w`` consecutive integers so that there are at most ``bin_count``
    bins. Other columns get ``bin_count`` equal-width bins over the real range. Extra bins count
    the values below and above that range and the missing values. Categorical features count
    each category, including the categories seen in only one table (their whole mass counts
    towards the distance) and missing values.
    Module ``distributions`` has the details.
    """

    JS_DISTANCE = "js_distance"


class TableComparisonArrayCollectionType(Enum):
    """Statistic juxtapositions: per continuous feature, ``np.array([real, synthetic])``.

    Statistics use the present values only (missing and infinite values are left out). ``STD``
    and ``VARIANCE`` use ``std_ddof`` (default 1, as pandas does); the median and quartiles equal
    NumPy's with linear interpolation. A table without a present value of the feature gives NaN.
    """

    MEAN = "mean"
    STD = "std"
    VARIANCE = "variance"
    MEDIAN = "median"
    FIRST_QUARTILE = "first_quartile"
    THIRD_QUARTILE = "third_quartile"
    MIN = "min"
    MAX = "max"


class TableComparisonPlotType(Enum):
    """Single figures comparing the whole table.

    PDF and CDF overlays per feature, the statistic alignments (real against synthetic value of
    each continuous feature), the association heatmaps, and 2-D projections. The projections fit
    on the real table: continuous features standardised, categorical ones one-hot encoded; PCA is
    exact, truncated SVD randomized and seeded, and t-SNE embeds at most ``tsne_sample_size``
    rows of each table (module ``projection`` has the details).
    """

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
