"""``TableComparison``: one pair of tables, validated and encoded once, and any of its artifacts.

``TableComparisonEngine.compare(real_data, synthetic_data)`` builds it. Each ``compute_*`` call of
the engine validates, fingerprints and encodes both tables again, and so does every call for a
new pair. A ``TableComparison`` does that once, so a caller that computes many artifacts of the
same tables (a validation epoch, a report) pays for it once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import TypeVar

import numpy as np
from matplotlib.figure import Figure

from artifact_ml.core.table_comparison.artifacts import (
    ARRAY_COLLECTIONS,
    ARRAYS,
    PLOT_COLLECTIONS,
    PLOTS,
    SCORE_COLLECTIONS,
    SCORES,
)
from artifact_ml.core.table_comparison.context import ComparisonContext
from artifact_ml.core.table_comparison.types import (
    TableComparisonArrayCollectionType,
    TableComparisonArrayType,
    TableComparisonPlotCollectionType,
    TableComparisonPlotType,
    TableComparisonScoreCollectionType,
    TableComparisonScoreType,
)

__all__ = ["TableComparison", "check_artifact_type"]

ResultT = TypeVar("ResultT")
KeyT = TypeVar("KeyT", bound=Enum)


def check_artifact_type(registry: Mapping[KeyT, object], artifact_type: KeyT) -> None:
    """Check that ``registry`` (the artifacts of one modality) has ``artifact_type``.

    Raises:
        TypeError: ``artifact_type`` is not a key of ``registry`` (another modality).
    """
    if artifact_type not in registry:
        expected = type(next(iter(registry))).__name__ if registry else "another modality"
        raise TypeError(
            f"{artifact_type!r} is not an artifact of this method; pass a member of "
            f"{expected}, or call the compute_* method of its modality."
        )


class TableComparison:
    """A real and a synthetic table, validated and encoded once, and the artifacts that compare
    them.

    The encodings are taken when the comparison is built: changes made to either table later
    are not seen (build a new comparison). Results are those of the engine's ``compute_*``
    methods for the same tables.

    Raises (from every ``compute_*`` method):
        TypeError: the artifact type belongs to another modality.
    """

    def __init__(self, context: ComparisonContext) -> None:
        self._context = context

    def _compute(
        self,
        registry: Mapping[KeyT, Callable[[ComparisonContext], ResultT]],
        artifact_type: KeyT,
    ) -> ResultT:
        check_artifact_type(registry, artifact_type)
        return registry[artifact_type](self._context)

    @property
    def real_row_count(self) -> int:
        """Rows of the real table."""
        return self._context.real.row_count

    @property
    def synthetic_row_count(self) -> int:
        """Rows of the synthetic table."""
        return self._context.synthetic.row_count

    def compute_score(self, score_type: TableComparisonScoreType) -> float:
        """Compute one score."""
        return self._compute(SCORES, score_type)

    def compute_array(self, array_type: TableComparisonArrayType) -> np.ndarray:
        """Compute one array (the domain defines no array types yet)."""
        return self._compute(ARRAYS, array_type)

    def compute_plot(self, plot_type: TableComparisonPlotType) -> Figure:
        """Compute one figure."""
        return self._compute(PLOTS, plot_type)

    def compute_score_collection(
        self, score_collection_type: TableComparisonScoreCollectionType
    ) -> dict[str, float]:
        """Compute one score collection (keys: feature names)."""
        return self._compute(SCORE_COLLECTIONS, score_collection_type)

    def compute_array_collection(
        self, array_collection_type: TableComparisonArrayCollectionType
    ) -> dict[str, np.ndarray]:
        """Compute one array collection (keys: continuous features; values: [real, synthetic])."""
        return self._compute(ARRAY_COLLECTIONS, array_collection_type)

    def compute_plot_collection(
        self, plot_collection_type: TableComparisonPlotCollectionType
    ) -> dict[str, Figure]:
        """Compute one plot collection."""
        return self._compute(PLOT_COLLECTIONS, plot_collection_type)
