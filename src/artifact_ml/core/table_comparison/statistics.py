"""Descriptive statistics of the continuous features, real next to synthetic.

Every statistic ignores missing values (NaN, infinite values, declared tokens). The standard
deviation and variance use ``TableComparisonConfig.std_ddof`` (default 1, the sample statistic,
as in pandas); quartiles and the median interpolate linearly (numpy's and pandas' default). A
statistic of a column without values (an empty table, an all-missing column, or one value with
``std_ddof=1`` for the spread) is NaN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from artifact_ml.core.table_comparison.context import ComparisonContext
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


def _spread(ddof: int, squared: bool) -> Callable[[np.ndarray], float]:
    def compute(values: np.ndarray) -> float:
        if values.size <= ddof:
            return float("nan")
        variance = float(np.var(values, ddof=ddof))
        return variance if squared else float(np.sqrt(variance))

    return compute


def compute_statistic(statistic: Stat, values: np.ndarray, ddof: int) -> float:
    """Compute one statistic of ``values`` after dropping NaN (see the module docstring)."""
    present = values[~np.isnan(values)]
    if present.size == 0:
        return float("nan")
    functions: dict[Stat, Callable[[np.ndarray], float]] = {
        Stat.MEAN: lambda v: float(np.mean(v)),
        Stat.STD: _spread(ddof, squared=False),
        Stat.VARIANCE: _spread(ddof, squared=True),
        Stat.MEDIAN: lambda v: float(np.median(v)),
        Stat.FIRST_QUARTILE: lambda v: float(np.quantile(v, 0.25)),
        Stat.THIRD_QUARTILE: lambda v: float(np.quantile(v, 0.75)),
        Stat.MIN: lambda v: float(np.min(v)),
        Stat.MAX: lambda v: float(np.max(v)),
    }
    return functions[statistic](present)


def statistic_collection(context: ComparisonContext, statistic: Stat) -> dict[str, np.ndarray]:
    """Map each continuous feature to ``np.array([real, synthetic])`` of ``statistic``."""
    ddof = context.config.std_ddof
    return {
        feature: np.array(
            [
                compute_statistic(statistic, context.real.continuous[feature], ddof),
                compute_statistic(statistic, context.synthetic.continuous[feature], ddof),
            ]
        )
        for feature in context.spec.continuous_features
    }
