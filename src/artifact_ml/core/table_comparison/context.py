"""The inputs every table-comparison artifact receives: spec, config and both encoded tables."""

from __future__ import annotations

from dataclasses import dataclass

from artifact_ml.core.table_comparison.config import TableComparisonConfig
from artifact_ml.core.table_comparison.distributions import (
    FeatureDistribution,
    feature_distribution,
)
from artifact_ml.core.table_comparison.encoding import EncodedTable
from artifact_ml.core.table_comparison.spec import TabularDataSpec

__all__ = ["ComparisonContext"]


@dataclass(frozen=True)
class ComparisonContext:
    """Spec, config and the real and synthetic tables encoded once for one engine call."""

    spec: TabularDataSpec
    config: TableComparisonConfig
    real: EncodedTable
    synthetic: EncodedTable

    def distribution(self, feature: str) -> FeatureDistribution:
        """Count ``feature`` in both tables on their shared support."""
        categories = self.spec.categories.get(feature)
        return feature_distribution(
            feature, categories, self.real, self.synthetic, self.config.bin_count
        )
