"""``TableComparisonEngine``: computes any table-comparison artifact by its type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import Enum
from typing import TypeVar

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from artifact_ml.core.table_comparison.artifacts import (
    ARRAY_COLLECTIONS,
    ARRAYS,
    PLOT_COLLECTIONS,
    PLOTS,
    SCORE_COLLECTIONS,
    SCORES,
)
from artifact_ml.core.table_comparison.config import TableComparisonConfig
from artifact_ml.core.table_comparison.context import ComparisonContext
from artifact_ml.core.table_comparison.encoding import encode_table
from artifact_ml.core.table_comparison.spec import TabularDataSpec
from artifact_ml.core.table_comparison.types import (
    TableComparisonArrayCollectionType,
    TableComparisonArrayType,
    TableComparisonPlotCollectionType,
    TableComparisonPlotType,
    TableComparisonScoreCollectionType,
    TableComparisonScoreType,
)

__all__ = ["TableComparisonEngine"]

ResultT = TypeVar("ResultT")
KeyT = TypeVar("KeyT", bound=Enum)


class TableComparisonEngine:
    """Compares a synthetic table with a real one under a fixed spec and config.

    Every ``compute_*`` method validates and encodes both tables against the spec once, then
    computes the requested artifact. Results are deterministic: the same inputs give the same
    values (every random choice is seeded by ``config.seed``). Figures are new
    ``matplotlib.figure.Figure`` objects owned by the caller and never registered with pyplot.

    Raises (from every ``compute_*`` method):
        TypeError: a table is not a DataFrame, or the artifact type belongs to another modality.
        ValueError: a table lacks a spec feature, or a continuous feature contains text.
    """

    def __init__(self, resource_spec: TabularDataSpec, config: TableComparisonConfig) -> None:
        self._resource_spec = resource_spec
        self._config = config

    @classmethod
    def build(
        cls, resource_spec: TabularDataSpec, config: TableComparisonConfig | None = None
    ) -> TableComparisonEngine:
        """Create an engine; ``config`` defaults to ``TableComparisonConfig()``."""
        if not isinstance(resource_spec, TabularDataSpec):
            raise TypeError(
                "resource_spec must be a TabularDataSpec, got "
                f"{type(resource_spec).__name__}; build one with TabularDataSpec.from_df(real_df)."
            )
        return cls(resource_spec=resource_spec, config=config or TableComparisonConfig())

    @property
    def resource_spec(self) -> TabularDataSpec:
        """The spec both tables are validated against."""
        return self._resource_spec

    @property
    def config(self) -> TableComparisonConfig:
        """The hyperparameters of every artifact."""
        return self._config

    def compute_score(
        self,
        score_type: TableComparisonScoreType,
        real_data: pd.DataFrame,
        synthetic_data: pd.DataFrame,
    ) -> float:
        """Compute one score."""
        return self._compute(SCORES, score_type, real_data, synthetic_data)

    def compute_array(
        self,
        array_type: TableComparisonArrayType,
        real_data: pd.DataFrame,
        synthetic_data: pd.DataFrame,
    ) -> np.ndarray:
        """Compute one array (the domain defines no array types yet)."""
        return self._compute(ARRAYS, array_type, real_data, synthetic_data)

    def compute_plot(
        self,
        plot_type: TableComparisonPlotType,
        real_data: pd.DataFrame,
        synthetic_data: pd.DataFrame,
    ) -> Figure:
        """Compute one figure."""
        return self._compute(PLOTS, plot_type, real_data, synthetic_data)

    def compute_score_collection(
        self,
        score_collection_type: TableComparisonScoreCollectionType,
        real_data: pd.DataFrame,
        synthetic_data: pd.DataFrame,
    ) -> dict[str, float]:
        """Compute one score collection (keys: feature names)."""
        return self._compute(SCORE_COLLECTIONS, score_collection_type, real_data, synthetic_data)

    def compute_array_collection(
        self,
        array_collection_type: TableComparisonArrayCollectionType,
        real_data: pd.DataFrame,
        synthetic_data: pd.DataFrame,
    ) -> dict[str, np.ndarray]:
        """Compute one array collection (keys: continuous features; values: [real, synthetic])."""
        return self._compute(ARRAY_COLLECTIONS, array_collection_type, real_data, synthetic_data)

    def compute_plot_collection(
        self,
        plot_collection_type: TableComparisonPlotCollectionType,
        real_data: pd.DataFrame,
        synthetic_data: pd.DataFrame,
    ) -> dict[str, Figure]:
        """Compute one plot collection."""
        return self._compute(PLOT_COLLECTIONS, plot_collection_type, real_data, synthetic_data)

    def encode(self, real_data: pd.DataFrame, synthetic_data: pd.DataFrame) -> ComparisonContext:
        """Validate and encode both tables once, for callers computing many artifacts."""
        return ComparisonContext(
            spec=self._resource_spec,
            config=self._config,
            real=encode_table(self._resource_spec, real_data, "real"),
            synthetic=encode_table(self._resource_spec, synthetic_data, "synthetic"),
        )

    def _compute(
        self,
        registry: Mapping[KeyT, Callable[[ComparisonContext], ResultT]],
        artifact_type: KeyT,
        real_data: pd.DataFrame,
        synthetic_data: pd.DataFrame,
    ) -> ResultT:
        if artifact_type not in registry:
            expected = type(next(iter(registry))).__name__ if registry else "another modality"
            raise TypeError(
                f"{artifact_type!r} is not an artifact of this method; pass a member of "
                f"{expected}, or call the compute_* method of its modality."
            )
        return registry[artifact_type](self.encode(real_data, synthetic_data))
