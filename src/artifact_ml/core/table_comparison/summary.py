"""Every descriptive statistic of one continuous column, from one sort of its values.

Missing values (NaN, which includes infinite values and declared tokens after encoding) are
ignored. The mean, standard deviation and variance are NumPy's over the present values in table
order, with ``ddof`` for the spread. The median equals ``numpy.median``, and the quartiles equal
``numpy.quantile`` with its default linear interpolation, at the same float precision. They are
read from one ``numpy.sort`` of the column, which costs less than the partition that each of
those NumPy calls runs. A statistic of a column without values is NaN, as is the spread
of a column with at most ``ddof`` values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["ColumnSummary", "summarise_column"]


@dataclass(frozen=True)
class ColumnSummary:
    """Descriptive statistics of one column (NaN where undefined, see the module docstring)."""

    mean: float
    std: float
    variance: float
    median: float
    first_quartile: float
    third_quartile: float
    min: float
    max: float


def _linear_quantile(ordered: np.ndarray, quantile: float) -> float:
    """Interpolate like ``numpy.quantile(..., method="linear")`` on sorted present values."""
    position = quantile * (ordered.size - 1)
    below = math.floor(position)
    above = min(below + 1, ordered.size - 1)
    fraction = position - below
    low = float(ordered[below])
    high = float(ordered[above])
    difference = high - low
    # NumPy's _lerp switches to the upper end at fraction >= 0.5 for better rounding.
    if fraction >= 0.5:
        return high - difference * (1.0 - fraction)
    return low + difference * fraction


def _median(ordered: np.ndarray) -> float:
    middle = ordered.size // 2
    if ordered.size % 2:
        return float(ordered[middle])
    return float(np.mean(ordered[middle - 1 : middle + 1]))


def summarise_column(values: np.ndarray, ddof: int) -> ColumnSummary:
    """Compute every statistic of ``values`` (float64, NaN for missing) in one sort."""
    missing = np.isnan(values)
    present_count = values.size - int(np.count_nonzero(missing))
    if present_count == 0:
        nan = float("nan")
        return ColumnSummary(nan, nan, nan, nan, nan, nan, nan, nan)

    present = values[~missing] if present_count < values.size else values
    ordered = np.sort(values)[:present_count]
    if present_count > ddof:
        variance = float(np.var(present, ddof=ddof))
        std = math.sqrt(variance)
    else:
        variance = std = float("nan")
    return ColumnSummary(
        mean=float(np.mean(present)),
        std=std,
        variance=variance,
        median=_median(ordered),
        first_quartile=_linear_quantile(ordered, 0.25),
        third_quartile=_linear_quantile(ordered, 0.75),
        min=float(ordered[0]),
        max=float(ordered[-1]),
    )
