"""Per-feature distributions of two tables on a shared support, and their JS distance.

A continuous feature is binned on bins shared by both tables and derived from the real table:

- if every finite real value is an integer, bins contain ``w`` consecutive integers,
  ``[k - 0.5, k + w - 0.5)``, with ``w`` the smallest width giving at most ``bin_count`` bins over
  the real range (``w = 1``, one bin per integer, when the range spans at most ``bin_count``
  integers), so that synthetic values with small noise land in the bin of the nearest integer;
- otherwise ``bin_count`` equal-width bins cover ``[real min, real max]`` (the last bin is closed);
- two outer bins collect values below and above those bins, and one bin collects missing values
  (NaN, infinite, declared tokens).

A categorical feature's support is the spec's categories, then the categories absent from the
spec (sorted), then missing. A category seen in only one table has a zero count in the other, so
its whole mass counts towards the distance. If the real table has no finite value, the synthetic
table's range defines the bins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from artifact_ml.core.table_comparison.encoding import CategoricalCodes, EncodedTable

__all__ = [
    "FeatureDistribution",
    "bin_edges",
    "categorical_distribution",
    "continuous_distribution",
    "feature_distribution",
    "js_distance",
]

MISSING_LABEL = "(missing)"


@dataclass(frozen=True)
class FeatureDistribution:
    """Counts of one feature in both tables over a shared support.

    For a continuous feature ``edges`` contains the inner bin edges and the counts are laid out as
    ``[below, inner bins..., above, missing]``; for a categorical one ``labels`` names each count.
    """

    feature: str
    real_counts: np.ndarray
    synthetic_counts: np.ndarray
    labels: tuple[str, ...]
    edges: np.ndarray | None
    is_integer_binned: bool = False


def bin_edges(
    real_values: np.ndarray, synthetic_values: np.ndarray, bin_count: int
) -> tuple[np.ndarray, bool]:
    """Return the inner bin edges of a continuous feature and whether they are integer bins."""
    finite = real_values[np.isfinite(real_values)]
    if finite.size == 0:
        finite = synthetic_values[np.isfinite(synthetic_values)]
    if finite.size == 0:
        return np.array([0.0, 1.0]), False
    low = float(finite.min())
    high = float(finite.max())
    if bool(np.all(finite == np.round(finite))):
        span = high - low + 1.0
        width = max(1.0, float(np.ceil(span / bin_count)))
        count = int(np.ceil(span / width))
        return low - 0.5 + width * np.arange(count + 1, dtype=np.float64), True
    return np.linspace(low, high, bin_count + 1), False


def _continuous_counts(values: np.ndarray, edges: np.ndarray, close_last: bool) -> np.ndarray:
    inner_count = edges.size - 1
    missing = np.isnan(values)
    finite = values[~missing]
    # searchsorted gives 0 below the first edge, 1..inner_count inside, inner_count+1 at or above
    # the last edge. Equal-width bins close the last bin, so the real maximum falls inside it.
    positions = np.searchsorted(edges, finite, side="right")
    if close_last:
        positions[finite == edges[-1]] = inner_count
    counts = np.bincount(positions, minlength=inner_count + 2).astype(np.float64)
    return np.append(counts, float(missing.sum()))


def continuous_distribution(
    feature: str, real_values: np.ndarray, synthetic_values: np.ndarray, bin_count: int
) -> FeatureDistribution:
    """Bin one continuous feature of both tables on shared bins (see the module docstring)."""
    edges, is_integer = bin_edges(real_values, synthetic_values, bin_count)
    labels = (
        "below range",
        *(f"[{edges[i]:.6g}, {edges[i + 1]:.6g})" for i in range(edges.size - 1)),
        "above range",
        MISSING_LABEL,
    )
    return FeatureDistribution(
        feature=feature,
        real_counts=_continuous_counts(real_values, edges, close_last=not is_integer),
        synthetic_counts=_continuous_counts(synthetic_values, edges, close_last=not is_integer),
        labels=labels,
        edges=edges,
        is_integer_binned=is_integer,
    )


def _categorical_counts(
    codes: CategoricalCodes, extra_positions: np.ndarray, support_size: int
) -> np.ndarray:
    raw = np.bincount(codes.codes, minlength=codes.missing_code + 1).astype(np.float64)
    counts = np.zeros(support_size, dtype=np.float64)
    counts[: codes.category_count] = raw[: codes.category_count]
    counts[extra_positions] = raw[codes.category_count : codes.missing_code]
    counts[-1] = raw[codes.missing_code]
    return counts


def categorical_distribution(
    feature: str,
    categories: tuple[str, ...],
    real_codes: CategoricalCodes,
    synthetic_codes: CategoricalCodes,
) -> FeatureDistribution:
    """Count one categorical feature of both tables on the union of their categories."""
    extras = tuple(sorted(set(real_codes.extra_labels) | set(synthetic_codes.extra_labels)))
    extra_index = {label: len(categories) + i for i, label in enumerate(extras)}
    support_size = len(categories) + len(extras) + 1

    def positions(codes: CategoricalCodes) -> np.ndarray:
        return np.array([extra_index[label] for label in codes.extra_labels], dtype=np.intp)

    return FeatureDistribution(
        feature=feature,
        real_counts=_categorical_counts(real_codes, positions(real_codes), support_size),
        synthetic_counts=_categorical_counts(
            synthetic_codes, positions(synthetic_codes), support_size
        ),
        labels=(*categories, *extras, MISSING_LABEL),
        edges=None,
    )


def feature_distribution(
    feature: str,
    categories: tuple[str, ...] | None,
    real: EncodedTable,
    synthetic: EncodedTable,
    bin_count: int,
) -> FeatureDistribution:
    """Dispatch to the continuous or categorical distribution; ``categories`` is None for a
    continuous feature."""
    if categories is None:
        return continuous_distribution(
            feature, real.continuous[feature], synthetic.continuous[feature], bin_count
        )
    return categorical_distribution(
        feature, categories, real.categorical[feature], synthetic.categorical[feature]
    )


def js_distance(real_counts: np.ndarray, synthetic_counts: np.ndarray, base: float) -> float:
    """Jensen-Shannon distance: the square root of the JS divergence in logarithm ``base``.

    Both count vectors are normalised to probabilities first. The result is 0 for equal
    distributions and ``sqrt(log_base(2))`` (1 in base 2) for disjoint supports; it is NaN when
    either table has no rows. Matches ``scipy.spatial.distance.jensenshannon(p, q, base=base)``.
    """
    real_total = float(real_counts.sum())
    synthetic_total = float(synthetic_counts.sum())
    if real_total == 0.0 or synthetic_total == 0.0:
        return float("nan")
    p = real_counts / real_total
    q = synthetic_counts / synthetic_total
    m = 0.5 * (p + q)
    with np.errstate(divide="ignore", invalid="ignore"):
        left = np.where(p > 0, p * np.log(p / m), 0.0).sum()
        right = np.where(q > 0, q * np.log(q / m), 0.0).sum()
    divergence = 0.5 * (left + right) / np.log(base)
    return float(np.sqrt(max(divergence, 0.0)))
