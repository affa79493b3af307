"""``TableComparisonPlan``: compare a synthetic table with a real one and log declared artifacts.

Declare a plan by listing the artifact types wanted per modality::

    class MyPlan(TableComparisonPlan):
        scores = (TableComparisonScoreType.MEAN_JS_DISTANCE,)
        score_collections = (TableComparisonScoreCollectionType.JS_DISTANCE,)
        plot_collections = (TableComparisonPlotCollectionType.PDF,)

    plan = MyPlan.build(resource_spec=spec, tracking_client=client)
    results = plan.execute(real_data=real, synthetic_data=synthetic, step=epoch)
    results.scores["mean_js_distance"]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any, ClassVar, Self, cast

import pandas as pd

from artifact_ml.core.results import ResultModality
from artifact_ml.core.table_comparison import (
    TableComparisonArrayCollectionType,
    TableComparisonArrayType,
    TableComparisonConfig,
    TableComparisonEngine,
    TableComparisonPlotCollectionType,
    TableComparisonPlotType,
    TableComparisonScoreCollectionType,
    TableComparisonScoreType,
    TabularDataSpec,
)
from artifact_ml.experiment.data_split import DataSplit
from artifact_ml.experiment.tracking_client import TrackingClient
from artifact_ml.experiment.validation_plan import WHOLE_RESULT_KEY, ValidationPlan
from artifact_ml.experiment.validation_results import ValidationResults

__all__ = ["TableComparisonPlan"]


class TableComparisonPlan(ValidationPlan):
    """A validation plan over ``TableComparisonEngine`` artifacts (see the module docstring).

    The class attributes take members of ``TableComparisonScoreType``, ``...ArrayType``,
    ``...PlotType``, ``...ScoreCollectionType``, ``...ArrayCollectionType`` and
    ``...PlotCollectionType`` respectively; all are empty by default.
    """

    artifact_types: ClassVar[Mapping[ResultModality, type[Enum]]] = {
        ResultModality.SCORE: TableComparisonScoreType,
        ResultModality.ARRAY: TableComparisonArrayType,
        ResultModality.PLOT: TableComparisonPlotType,
        ResultModality.SCORE_COLLECTION: TableComparisonScoreCollectionType,
        ResultModality.ARRAY_COLLECTION: TableComparisonArrayCollectionType,
        ResultModality.PLOT_COLLECTION: TableComparisonPlotCollectionType,
    }
    scores: ClassVar[Sequence[TableComparisonScoreType]] = ()
    arrays: ClassVar[Sequence[TableComparisonArrayType]] = ()
    plots: ClassVar[Sequence[TableComparisonPlotType]] = ()
    score_collections: ClassVar[Sequence[TableComparisonScoreCollectionType]] = ()
    array_collections: ClassVar[Sequence[TableComparisonArrayCollectionType]] = ()
    plot_collections: ClassVar[Sequence[TableComparisonPlotCollectionType]] = ()

    def __init__(
        self, *, engine: TableComparisonEngine, tracking_client: TrackingClient | None = None
    ) -> None:
        super().__init__(tracking_client=tracking_client)
        self._engine = engine

    @classmethod
    def build(
        cls,
        resource_spec: TabularDataSpec,
        tracking_client: TrackingClient | None = None,
        config: TableComparisonConfig | None = None,
    ) -> Self:
        """Create the plan for tables described by ``resource_spec``.

        Args:
            resource_spec: the real table's spec; both tables are validated against it.
            tracking_client: receives every result; None keeps results in memory only.
            config: artifact hyperparameters; default ``TableComparisonConfig()``.

        Raises:
            ValueError: if a feature is named ``WHOLE_RESULT_KEY`` ("all") while the plan
                declares an artifact both as a single result and as a collection, because the
                whole-table result is logged under that name (see ``ValidationPlan``).
        """
        singles = {kind.value for kind in (*cls.scores, *cls.arrays, *cls.plots)}
        collections = {
            kind.value
            for kind in (*cls.score_collections, *cls.array_collections, *cls.plot_collections)
        }
        shared = sorted(singles & collections)
        if shared and WHOLE_RESULT_KEY in resource_spec.features:
            raise ValueError(
                f"The feature {WHOLE_RESULT_KEY!r} would be logged at <split>/{shared[0]}/"
                f"{WHOLE_RESULT_KEY}, where {cls.__name__} logs the whole-table {shared[0]!r} "
                f"result. Rename that column, or declare {shared[0]!r} only as a single result "
                "or only as a collection."
            )
        engine = TableComparisonEngine.build(resource_spec=resource_spec, config=config)
        return cls(engine=engine, tracking_client=tracking_client)

    @property
    def engine(self) -> TableComparisonEngine:
        """The engine that computes the artifacts."""
        return self._engine

    def execute(
        self,
        *,
        real_data: pd.DataFrame,
        synthetic_data: pd.DataFrame,
        step: int | None = None,
        split: DataSplit = DataSplit.VALIDATION,
    ) -> ValidationResults:
        """Compute every declared artifact, keep and log the results, and return them.

        Results are logged under ``"<split>/<artifact name>"`` with ``step`` (usually the epoch).

        Raises:
            TypeError, ValueError: from the engine, if a table does not match the spec.
        """
        # Both tables are validated and encoded once for every declared artifact.
        comparison = self._engine.compare(real_data=real_data, synthetic_data=synthetic_data)

        # The declared types were checked against ``artifact_types`` when the class was defined.
        def compute(modality: ResultModality, artifact_type: Enum) -> Any:
            if modality is ResultModality.SCORE:
                return comparison.compute_score(cast(TableComparisonScoreType, artifact_type))
            if modality is ResultModality.ARRAY:
                return comparison.compute_array(cast(TableComparisonArrayType, artifact_type))
            if modality is ResultModality.PLOT:
                return comparison.compute_plot(cast(TableComparisonPlotType, artifact_type))
            if modality is ResultModality.SCORE_COLLECTION:
                return comparison.compute_score_collection(
                    cast(TableComparisonScoreCollectionType, artifact_type)
                )
            if modality is ResultModality.ARRAY_COLLECTION:
                return comparison.compute_array_collection(
                    cast(TableComparisonArrayCollectionType, artifact_type)
                )
            plot_collection_type = cast(TableComparisonPlotCollectionType, artifact_type)
            return comparison.compute_plot_collection(plot_collection_type)

        return self._run(compute=compute, step=step, split=split)
