"""Statistic array collections against numpy and pandas."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from artifact_ml.core.table_comparison import (
    TableComparisonArrayCollectionType,
    TableComparisonConfig,
    TableComparisonEngine,
    TabularDataSpec,
)

Stat = TableComparisonArrayCollectionType

PANDAS_REFERENCE = {
    Stat.MEAN: lambda s: s.mean(),
    Stat.STD: lambda s: s.std(),
    Stat.VARIANCE: lambda s: s.var(),
    Stat.MEDIAN: lambda s: s.median(),
    Stat.FIRST_QUARTILE: lambda s: s.quantile(0.25),
    Stat.THIRD_QUARTILE: lambda s: s.quantile(0.75),
    Stat.MIN: lambda s: s.min(),
    Stat.MAX: lambda s: s.max(),
}


def tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    generator = np.random.default_rng(3)
    real = pd.DataFrame(
        {"x": generator.normal(5, 2, 300), "y": generator.exponential(3, 300), "c": ["a"] * 300}
    )
    synthetic = pd.DataFrame(
        {"x": generator.normal(4, 3, 200), "y": generator.exponential(1, 200), "c": ["b"] * 200}
    )
    synthetic.loc[[3, 7], "x"] = np.nan
    return real, synthetic


@pytest.mark.parametrize("statistic", list(Stat))
def test_statistic_matches_pandas(statistic: Stat) -> None:
    real, synthetic = tables()
    engine = TableComparisonEngine.build(resource_spec=TabularDataSpec.from_df(real))

    result = engine.compute_array_collection(statistic, real_data=real, synthetic_data=synthetic)

    assert set(result) == {"x", "y"}
    for feature in ("x", "y"):
        reference = PANDAS_REFERENCE[statistic]
        expected = [reference(real[feature]), reference(synthetic[feature])]
        np.testing.assert_allclose(result[feature], expected, rtol=1e-12)


def test_std_ddof_zero_matches_numpy() -> None:
    real, synthetic = tables()
    config = TableComparisonConfig(std_ddof=0)
    engine = TableComparisonEngine.build(resource_spec=TabularDataSpec.from_df(real), config=config)

    result = engine.compute_array_collection(Stat.STD, real_data=real, synthetic_data=synthetic)

    assert result["y"][0] == pytest.approx(np.std(real["y"].to_numpy()))
    assert result["x"][1] == pytest.approx(np.nanstd(synthetic["x"].to_numpy()))


def test_statistics_of_empty_table_are_nan() -> None:
    real, _ = tables()
    engine = TableComparisonEngine.build(resource_spec=TabularDataSpec.from_df(real))

    for statistic in Stat:
        result = engine.compute_array_collection(
            statistic, real_data=real, synthetic_data=real.iloc[:0]
        )
        assert not math.isnan(result["x"][0])
        assert math.isnan(result["x"][1])


def test_single_row_has_nan_spread_and_exact_location() -> None:
    real = pd.DataFrame({"x": [2.0, 4.0, 9.0]})
    spec = TabularDataSpec.from_df(real, cts_features=["x"])
    engine = TableComparisonEngine.build(resource_spec=spec)
    single = pd.DataFrame({"x": [7.0]})

    std = engine.compute_array_collection(Stat.STD, real_data=real, synthetic_data=single)
    median = engine.compute_array_collection(Stat.MEDIAN, real_data=real, synthetic_data=single)

    assert math.isnan(std["x"][1])
    assert median["x"].tolist() == [4.0, 7.0]


def test_infinite_values_are_ignored() -> None:
    real = pd.DataFrame({"x": [1.0, 2.0, 3.0]})
    spec = TabularDataSpec.from_df(real, cts_features=["x"])
    engine = TableComparisonEngine.build(resource_spec=spec)
    synthetic = pd.DataFrame({"x": [1.0, np.inf, 3.0, -np.inf]})

    result = engine.compute_array_collection(Stat.MAX, real_data=real, synthetic_data=synthetic)

    assert result["x"].tolist() == [3.0, 3.0]
