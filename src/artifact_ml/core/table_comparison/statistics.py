"""Descriptive statistics of the continuous features, real next to synthetic.

Every statistic ignores missing values (NaN, infinite values, declared tokens). The standard
deviation and variance use ``TableComparisonConfig.std_ddof`` (default 1, the sample statistic,
as in pandas); quartiles and the median interpolate linearly (numpy's and pandas' default). A
statistic of a column without values (an empty table, an all-missing column, or one value with
``std_ddof=1`` for the spread) is NaN. All eight come from one ``ColumnSummary`` per column,
computed once per column content when the engine's cache is on.
"""

from __future__ import annotations

import numpy as np

from artifact_ml.core.table_comparison.context import ComparisonContext
from artifact_ml.core.table_comparison.summary import ColumnSummary, summarise_column
from artifact_ml.core.table_comparison.types import TableComparisonArrayCollectionType as Stat

__all__ = ["STATISTIC_LABELS", "compute_statistic", "statistic_collection"]

STATISTIC_LABELS: dict[Stat, str] = {
    Stat.MEAN: "mean",
    Stat.STD: "standard deviation",
    Stat.VARIANCE: "variance",
    Stat.MEDIAN: "median",
    Stat.FIRST_QUARTILE: "first quartile",
    Stat.THIRD_QUARTILE: "third quartile",
    Stat.MIN: "minimum",
    Stat.MAX: "maximum",
}


def _select(summary: ColumnSummary, statistic: Stat) -> float:
    value: float = getattr(summary, statistic.value)
    return value


def compute_statistic(statistic: Stat, values: np.ndarray, ddof: int) -> float:
    """Compute one statistic of ``values`` after dropping NaN (see the module docstring)."""
    return _select(summarise_column(values, ddof), statistic)


def statistic_collection(context: ComparisonContext, statistic: Stat) -> dict[str, np.ndarray]:
    """Map each continuous feature to ``np.array([real, synthetic])`` of ``statistic``."""
    return {
        feature: np.array(
            [
                _select(context.summary(context.real, feature), statistic),
                _select(context.summary(context.synthetic, feature), statistic),
            ]
        )
        for feature in context.spec.continuous_features
    }
