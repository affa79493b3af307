"""Table comparison: how close a synthetic table is to a real one.

``TabularDataSpec.from_df`` describes the real table; ``TableComparisonEngine.build(resource_spec=
spec)`` computes any artifact named by the ``TableComparison*Type`` enums; each enum value is the
artifact's logging name. ``engine.compare(real, synthetic)`` returns a ``TableComparison`` that
computes many artifacts of one pair of tables from a single validation and encoding.
"""

from artifact_ml.core.table_comparison.comparison import TableComparison
from artifact_ml.core.table_comparison.config import TableComparisonConfig
from artifact_ml.core.table_comparison.engine import TableComparisonEngine
from artifact_ml.core.table_comparison.spec import TabularDataSpec
from artifact_ml.core.table_comparison.types import (
    TableComparisonArrayCollectionType,
    TableComparisonArrayType,
    TableComparisonPlotCollectionType,
    TableComparisonPlotType,
    TableComparisonScoreCollectionType,
    TableComparisonScoreType,
)

__all__ = [
    "TableComparison",
    "TableComparisonArrayCollectionType",
    "TableComparisonArrayType",
    "TableComparisonConfig",
    "TableComparisonEngine",
    "TableComparisonPlotCollectionType",
    "TableComparisonPlotType",
    "TableComparisonScoreCollectionType",
    "TableComparisonScoreType",
    "TabularDataSpec",
]
