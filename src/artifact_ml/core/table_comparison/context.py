"""The inputs every table-comparison artifact receives: spec, config and both encoded tables.

With a cache, the context also reuses values derived from the tables (feature distributions,
association matrices, column statistics) across artifacts and engine calls. Each cached value is
keyed on the fingerprints of the columns it derives from (see ``fingerprint``), so a table
changed in place never gets a value computed from its old content.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from artifact_ml.core.table_comparison.association import association_matrix
from artifact_ml.core.table_comparison.cache import ComputationCache, freeze
from artifact_ml.core.table_comparison.config import TableComparisonConfig
from artifact_ml.core.table_comparison.distributions import (
    FeatureDistribution,
    feature_distribution,
)
from artifact_ml.core.table_comparison.encoding import EncodedTable
from artifact_ml.core.table_comparison.spec import TabularDataSpec
from artifact_ml.core.table_comparison.summary import ColumnSummary, summarise_column

__all__ = ["ComparisonContext"]

ValueT = TypeVar("ValueT")


@dataclass(frozen=True)
class ComparisonContext:
    """Spec, config and the real and synthetic tables encoded once for one engine call.

    ``cache`` (None: compute every derived value on request) is the engine's computation cache.
    """

    spec: TabularDataSpec
    config: TableComparisonConfig
    real: EncodedTable
    synthetic: EncodedTable
    cache: ComputationCache | None = None

    def _derived(
        self,
        key: tuple[Hashable, ...],
        fingerprints: tuple[Hashable | None, ...],
        compute: Callable[[], ValueT],
        size: Callable[[ValueT], int],
    ) -> ValueT:
        if self.cache is None or any(fingerprint is None for fingerprint in fingerprints):
            return compute()
        return self.cache.get_or_compute((*key, *fingerprints), compute, size)

    def distribution(self, feature: str) -> FeatureDistribution:
        """Count ``feature`` in both tables on their shared support (arrays are read-only)."""
        categories = self.spec.categories.get(feature)

        def compute() -> FeatureDistribution:
            distribution = feature_distribution(
                feature, categories, self.real, self.synthetic, self.config.bin_count
            )
            freeze(distribution.real_counts)
            freeze(distribution.synthetic_counts)
            return distribution

        return self._derived(
            ("distribution", feature, categories, self.spec.missing_values, self.config.bin_count),
            (self.real.fingerprints[feature], self.synthetic.fingerprints[feature]),
            compute,
            lambda distribution: 2 * distribution.real_counts.nbytes,
        )

    def association_matrix(self, table: EncodedTable) -> np.ndarray:
        """Compute (or reuse) the association matrix of ``table``, one of the two tables here
        (read-only; definition in ``association``)."""
        features = self.spec.features
        return self._derived(
            (
                "association",
                features,
                self.spec.continuous_features,
                tuple(self.spec.categories.get(feature) for feature in features),
                self.spec.missing_values,
            ),
            tuple(table.fingerprints[feature] for feature in features),
            lambda: freeze(association_matrix(self.spec, table)),
            lambda matrix: matrix.nbytes,
        )

    def summary(self, table: EncodedTable, feature: str) -> ColumnSummary:
        """Compute (or reuse) every descriptive statistic of one continuous feature of
        ``table`` (definitions in ``summary``)."""
        ddof = self.config.std_ddof
        return self._derived(
            ("summary", feature, ddof, self.spec.missing_values),
            (table.fingerprints[feature],),
            lambda: summarise_column(table.continuous[feature], ddof),
            lambda _: 0,
        )
