"""Validation plans: declaration checks, values equal to the engine's, logging under split/name."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from typing import Any, ClassVar

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from artifact_ml.core.results import ResultModality
from artifact_ml.core.table_comparison import (
    TableComparisonArrayCollectionType,
    TableComparisonEngine,
    TableComparisonPlotCollectionType,
    TableComparisonPlotType,
    TableComparisonScoreCollectionType,
    TableComparisonScoreType,
    TabularDataSpec,
)
from artifact_ml.experiment import (
    DataSplit,
    InMemoryTrackingClient,
    TableComparisonPlan,
    ValidationPlan,
    ValidationResults,
)
from conftest import BackendCase


class AdultLikePlan(TableComparisonPlan):
    scores = (TableComparisonScoreType.MEAN_JS_DISTANCE,)
    score_collections = (TableComparisonScoreCollectionType.JS_DISTANCE,)
    array_collections = (TableComparisonArrayCollectionType.MEAN,)
    plot_collections = (TableComparisonPlotCollectionType.PDF,)


@pytest.fixture
def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    generator = np.random.default_rng(0)
    real = pd.DataFrame(
        {
            "age": generator.normal(40, 10, 200),
            "sex": generator.choice(["Male", "Female"], 200),
        }
    )
    synthetic = pd.DataFrame(
        {
            "age": generator.normal(45, 12, 200),
            "sex": generator.choice(["Male", "Female"], 200, p=[0.8, 0.2]),
        }
    )
    return real, synthetic


def test_plan_values_match_engine(tables: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    real, synthetic = tables
    spec = TabularDataSpec.from_df(real, cts_features=["age"], cat_features=["sex"])
    engine = TableComparisonEngine.build(resource_spec=spec)

    results = AdultLikePlan.build(resource_spec=spec).execute(
        real_data=real, synthetic_data=synthetic
    )

    expected_score = engine.compute_score(
        TableComparisonScoreType.MEAN_JS_DISTANCE, real_data=real, synthetic_data=synthetic
    )
    expected_collection = engine.compute_score_collection(
        TableComparisonScoreCollectionType.JS_DISTANCE, real_data=real, synthetic_data=synthetic
    )
    assert results.scores == {"mean_js_distance": expected_score}
    assert results.score_collections == {"js_distance": expected_collection}
    np.testing.assert_allclose(
        results.array_collections["mean"]["age"], [real["age"].mean(), synthetic["age"].mean()]
    )
    assert set(results.plot_collections["pdf"]) == {"age", "sex"}
    assert results.plots == {}


def test_plan_logs_under_split(tables: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    real, synthetic = tables
    spec = TabularDataSpec.from_df(real)
    with InMemoryTrackingClient.build("exp") as client:
        plan = AdultLikePlan.build(resource_spec=spec, tracking_client=client)
        first = plan.execute(real_data=real, synthetic_data=synthetic, step=5)
        second = plan.execute(real_data=real, synthetic_data=real, step=10, split=DataSplit.TEST)

    assert client.scores["validation/mean_js_distance"] == [(5, first.scores["mean_js_distance"])]
    assert client.scores["test/mean_js_distance"] == [(10, 0.0)]
    assert second.scores["mean_js_distance"] == 0.0
    assert [step for step, _ in client.plot_collections["validation/pdf"]] == [5]
    assert set(client.plot_collections["test/pdf"][0][1]) == {"age", "sex"}
    assert client.score_collections["test/js_distance"][0][1] == {"age": 0.0, "sex": 0.0}
    assert plan.results is second


class Counting(Enum):
    CALLS = "calls"


class CountingCurve(Enum):
    CURVE = "curve"


class ToyPlan(ValidationPlan):
    """A second domain on the same base: one score and one pyplot figure per execution."""

    artifact_types: ClassVar[Mapping[ResultModality, type[Enum]]] = {
        ResultModality.SCORE: Counting,
        ResultModality.PLOT: CountingCurve,
    }
    scores = (Counting.CALLS,)
    plots = (CountingCurve.CURVE,)

    def execute(self, *, value: float, step: int) -> ValidationResults:
        def compute(modality: ResultModality, artifact_type: Enum) -> Any:
            if modality is ResultModality.SCORE:
                return value
            figure, axes = plt.subplots()
            axes.plot([0, value])
            return figure

        return self._run(compute=compute, step=step, split=DataSplit.TRAIN)


def test_replaced_results_figures_closed() -> None:
    plt.close("all")
    plan = ToyPlan()
    first = plan.execute(value=1.0, step=1)
    assert plt.get_fignums() == [first.plots["curve"].number]

    second = plan.execute(value=2.0, step=2)

    assert plt.get_fignums() == [second.plots["curve"].number]
    assert plan.results is not None
    assert plan.results.scores == {"calls": 2.0}
    plt.close("all")


def test_wrong_enum_rejected_at_definition() -> None:
    with pytest.raises(
        TypeError, match=re.escape("lists <TableComparisonPlotCollectionType.PDF: 'pdf'>")
    ):

        class WrongPlan(TableComparisonPlan):
            scores = (TableComparisonPlotCollectionType.PDF,)  # type: ignore[assignment]


def test_single_member_not_tuple_rejected() -> None:
    with pytest.raises(TypeError, match="must be a tuple of artifact types"):

        class BarePlan(TableComparisonPlan):
            scores = TableComparisonScoreType.MEAN_JS_DISTANCE  # type: ignore[assignment]


class PlotAndCollectionPlan(TableComparisonPlan):
    plots = (TableComparisonPlotType.PDF,)
    plot_collections = (TableComparisonPlotCollectionType.PDF,)


def test_shared_name_reaches_every_backend(
    backend_case: BackendCase, tables: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    real, synthetic = tables
    spec = TabularDataSpec.from_df(real, cts_features=["age"], cat_features=["sex"])
    client = backend_case.build()
    plan = PlotAndCollectionPlan.build(resource_spec=spec, tracking_client=client)
    plan.execute(real_data=real, synthetic_data=synthetic, step=1)
    client.stop()

    stored = backend_case.read(client)
    assert {name: list(steps) for name, steps in stored.images.items()} == {
        "validation/pdf/all": [1],
        "validation/pdf/age": [1],
        "validation/pdf/sex": [1],
    }
    assert client.fallback_count == 0


def test_feature_named_all_rejected_at_build() -> None:
    table = pd.DataFrame({"age": np.arange(30.0), "all": ["a", "b", "c"] * 10})
    spec = TabularDataSpec.from_df(table, cts_features=["age"], cat_features=["all"])

    with pytest.raises(ValueError, match=r"The feature 'all' would be logged at <split>/pdf/all"):
        PlotAndCollectionPlan.build(resource_spec=spec)
    assert AdultLikePlan.build(resource_spec=spec).engine is not None
