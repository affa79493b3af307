"""Association matrices of mixed-type tables and the correlation distance between two of them.

The association of a pair of features depends on their types:

- continuous-continuous: Pearson's correlation coefficient r in [-1, 1], over the rows where both
  values are present;
- continuous-categorical: the correlation ratio eta in [0, 1], the square root of the share of
  the continuous feature's variance that the categories explain. It uses the rows where the
  continuous value is present, and missing is a category of its own;
- categorical-categorical: Cramér's V in [0, 1] without bias correction, from the contingency table
  of the two features; missing is a category of its own.

An association involving a constant feature (or fewer than two usable rows) is 0; the diagonal is 1.
The correlation distance is the root mean square of the element-wise differences between the real
and synthetic matrices over the off-diagonal entries, so it lies in [0, 2]; it is NaN for a table
with fewer than two features or when either table has no rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from artifact_ml.core.table_comparison.encoding import CategoricalCodes, EncodedTable
from artifact_ml.core.table_comparison.spec import TabularDataSpec

__all__ = ["association_matrix", "correlation_distance"]

_RELATIVE_TOLERANCE = 1e-12
# Contingency tables up to this many cells are counted with one bincount; larger ones (two
# high-cardinality columns) count only their occupied cells.
_DENSE_CONTINGENCY_CELLS = 1 << 22


def _standardise(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Centre and scale each column over its present rows; missing cells become 0."""
    count = np.maximum(present.sum(axis=0), 1)
    complete = bool(present.all())
    # Without missing cells the masking passes change nothing, and at a million rows they cost
    # as much as the arithmetic.
    filled = values if complete else np.where(present, values, 0.0)
    centre = filled.sum(axis=0) / count
    centred: np.ndarray = values - centre
    if not complete:
        centred[~present] = 0.0
    scale = np.sqrt(np.einsum("ij,ij->j", centred, centred) / count)
    centred /= np.where(scale > 0, scale, 1.0)
    return centred


def _pearson_matrix(scaled: np.ndarray, present: np.ndarray) -> np.ndarray:
    # Standardised columns avoid cancellation in the one-pass sums for large-valued columns.
    if present.all():
        count = np.full((scaled.shape[1], scaled.shape[1]), float(scaled.shape[0]))
        sums = np.zeros_like(count)
        squares = np.broadcast_to((scaled * scaled).sum(axis=0)[:, None], count.shape)
    else:
        weights = present.astype(np.float64)
        count = weights.T @ weights
        sums = scaled.T @ weights
        squares = (scaled * scaled).T @ weights
    products = scaled.T @ scaled
    with np.errstate(invalid="ignore", divide="ignore"):
        covariance = products - sums * sums.T / count
        variance_left = squares - sums * sums / count
        variance_right = variance_left.T
        correlation = covariance / np.sqrt(variance_left * variance_right)
    degenerate = (
        (count < 2)
        | (variance_left <= _RELATIVE_TOLERANCE * count)
        | (variance_right <= _RELATIVE_TOLERANCE * count)
    )
    correlation = np.where(degenerate | ~np.isfinite(correlation), 0.0, correlation)
    return np.clip(correlation, -1.0, 1.0)


@dataclass(frozen=True)
class _ContinuousColumn:
    """One standardised continuous column, contiguous in memory, with its sums reused for
    every categorical partner."""

    scaled: np.ndarray
    present: np.ndarray | None
    present_count: int
    total: float


def _continuous_columns(scaled: np.ndarray, present: np.ndarray) -> list[_ContinuousColumn]:
    columns = []
    for index in range(scaled.shape[1]):
        column = np.ascontiguousarray(scaled[:, index])
        column_present = np.ascontiguousarray(present[:, index])
        complete = bool(column_present.all())
        columns.append(
            _ContinuousColumn(
                scaled=column,
                present=None if complete else column_present,
                present_count=int(column_present.sum()),
                # einsum rather than np.dot: a multithreaded BLAS dot of one long vector can cost
                # milliseconds when the cores are busy.
                total=float(np.einsum("i,i->", column, column)),
            )
        )
    return columns


def _correlation_ratio(
    column: _ContinuousColumn, codes: CategoricalCodes, sizes: np.ndarray
) -> float:
    """Correlation ratio of one standardised continuous column with one categorical feature."""
    if column.present_count < 2 or column.total <= _RELATIVE_TOLERANCE * column.present_count:
        return 0.0
    group_count = sizes.size
    # Missing cells are 0 in the standardised column, so they add nothing to the group sums.
    sums = np.bincount(codes.codes, weights=column.scaled, minlength=group_count)
    if column.present is not None:
        sizes = np.bincount(codes.codes[column.present], minlength=group_count).astype(np.float64)
    occupied = sizes > 0
    between = float((sums[occupied] ** 2 / sizes[occupied]).sum())
    return float(np.sqrt(min(max(between / column.total, 0.0), 1.0)))


def _category_sizes(codes: CategoricalCodes) -> np.ndarray:
    """Rows per code, as floats."""
    return np.bincount(codes.codes, minlength=codes.missing_code + 1).astype(np.float64)


def _cramers_v(
    left: CategoricalCodes,
    right: CategoricalCodes,
    left_sizes: np.ndarray,
    right_sizes: np.ndarray,
) -> float:
    """Cramér's V of two categorical features, given each one's ``_category_sizes``."""
    row_count = int(np.count_nonzero(left_sizes))
    column_count = int(np.count_nonzero(right_sizes))
    total = float(left_sizes.sum())
    if min(row_count, column_count) < 2 or total == 0:
        return 0.0
    # chi2 = total * (sum over cells of n_ij^2 / (n_i n_j) - 1), and empty cells add nothing, so
    # only the occupied cells are counted. A dense table of two ID-like columns would not fit
    # in memory.
    right_count = right.missing_code + 1
    pairs = left.codes.astype(np.int64, copy=False) * right_count + right.codes
    if (left.missing_code + 1) * right_count <= _DENSE_CONTINGENCY_CELLS:
        counts = np.bincount(pairs, minlength=(left.missing_code + 1) * right_count)
        cells = np.flatnonzero(counts)
        counts = counts[cells]
    else:
        cells, counts = np.unique(pairs, return_counts=True)
    observed = counts.astype(np.float64)
    expected = left_sizes[cells // right_count] * right_sizes[cells % right_count]
    chi_squared = total * float((observed * observed / expected).sum() - 1.0)
    return float(np.sqrt(max(chi_squared, 0.0) / total / (min(row_count, column_count) - 1)))


def association_matrix(spec: TabularDataSpec, table: EncodedTable) -> np.ndarray:
    """Compute the association matrix of ``table`` over ``spec.features`` (in that order)."""
    features = spec.features
    position = {feature: i for i, feature in enumerate(features)}
    matrix = np.eye(len(features))

    continuous = list(spec.continuous_features)
    # Column-major, so that every per-column step below reads contiguous memory.
    values = np.empty((table.row_count, len(continuous)), order="F")
    for index, feature in enumerate(continuous):
        values[:, index] = table.continuous[feature]
    present = ~np.isnan(values)
    scaled = _standardise(values, present)
    pearson = _pearson_matrix(scaled, present)
    for i, left in enumerate(continuous):
        for j, right in enumerate(continuous):
            if i != j:
                matrix[position[left], position[right]] = pearson[i, j]

    columns = _continuous_columns(scaled, present)
    sizes = {
        feature: _category_sizes(table.categorical[feature])
        for feature in spec.categorical_features
    }
    for right in spec.categorical_features:
        codes = table.categorical[right]
        for left, column in zip(continuous, columns, strict=True):
            ratio = _correlation_ratio(column, codes, sizes[right])
            matrix[position[left], position[right]] = ratio
            matrix[position[right], position[left]] = ratio

    categorical = list(spec.categorical_features)
    for i, left in enumerate(categorical):
        for right in categorical[i + 1 :]:
            value = _cramers_v(
                table.categorical[left], table.categorical[right], sizes[left], sizes[right]
            )
            matrix[position[left], position[right]] = value
            matrix[position[right], position[left]] = value
    return matrix


def correlation_distance(real_matrix: np.ndarray, synthetic_matrix: np.ndarray) -> float:
    """Root mean square difference of two association matrices over off-diagonal entries."""
    size = real_matrix.shape[0]
    if size < 2:
        return float("nan")
    off_diagonal = ~np.eye(size, dtype=bool)
    difference = (real_matrix - synthetic_matrix)[off_diagonal]
    return float(np.sqrt(np.mean(difference * difference)))
