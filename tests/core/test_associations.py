"""Association matrices and correlation distance against pandas, scipy and hand computation."""

from __future__ import annotations

import math
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from scipy.stats.contingency import association

from artifact_ml.core.table_comparison import (
    TableComparisonEngine,
    TableComparisonScoreType,
    TabularDataSpec,
)
from artifact_ml.core.table_comparison import association as association_module
from artifact_ml.core.table_comparison.association import association_matrix
from artifact_ml.core.table_comparison.encoding import encode_table

CORRELATION = TableComparisonScoreType.CORRELATION_DISTANCE


def mixed_table(seed: int, rows: int = 400) -> pd.DataFrame:
    generator = np.random.default_rng(seed)
    x = generator.normal(0, 1, rows)
    group = np.where(x > 0, "high", "low")
    flip = generator.random(rows) < 0.2
    group[flip] = "mid"
    return pd.DataFrame(
        {
            "x": x * 1e5,
            "y": 2 * x + generator.normal(0, 1, rows),
            "g": group,
            "h": np.where(generator.random(rows) < 0.5, group, "other"),
        }
    )


def matrix_of(table: pd.DataFrame, spec: TabularDataSpec) -> np.ndarray:
    return association_matrix(spec, encode_table(spec, table, "real"))


def test_pearson_matches_pandas_with_missing() -> None:
    table = mixed_table(0)
    table.loc[[1, 5, 9], "y"] = np.nan
    spec = TabularDataSpec.from_df(table, cts_features=["x", "y"], cat_features=["g", "h"])

    matrix = matrix_of(table, spec)

    assert matrix[0, 1] == pytest.approx(table["x"].corr(table["y"]), abs=1e-10)
    assert matrix[1, 0] == matrix[0, 1]


def test_cramers_v_matches_scipy() -> None:
    table = mixed_table(1)
    spec = TabularDataSpec.from_df(table, cts_features=["x", "y"], cat_features=["g", "h"])

    matrix = matrix_of(table, spec)

    contingency = pd.crosstab(table["g"], table["h"]).to_numpy()
    expected = association(contingency, method="cramer", correction=False)
    assert matrix[2, 3] == pytest.approx(expected, abs=1e-12)


def test_sparse_contingency_matches_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    generator = np.random.default_rng(8)
    rows = 2000
    table = pd.DataFrame(
        {
            "g": generator.integers(0, 40, rows).astype(str),
            "h": generator.integers(0, 25, rows).astype(str),
        }
    )
    table.loc[::3, "h"] = table.loc[::3, "g"]  # some association
    spec = TabularDataSpec.from_df(table, cat_features=["g", "h"])
    monkeypatch.setattr(association_module, "_DENSE_CONTINGENCY_CELLS", 0)

    matrix = matrix_of(table, spec)

    contingency = pd.crosstab(table["g"], table["h"]).to_numpy()
    expected = association(contingency, method="cramer", correction=False)
    assert matrix[0, 1] == pytest.approx(expected, abs=1e-12)


def test_id_columns_fit_in_memory() -> None:
    rows = 30_000
    identifiers = np.array([f"id-{number}" for number in range(rows)], dtype=object)
    table = pd.DataFrame({"user": identifiers, "session": identifiers[::-1].copy()})
    spec = TabularDataSpec.from_df(table, cat_features=["user", "session"])
    encoded = encode_table(spec, table, "real")

    tracemalloc.start()
    try:
        matrix = association_matrix(spec, encoded)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # One row per category on both sides: each value identifies its partner exactly.
    assert matrix[0, 1] == pytest.approx(1.0)
    # A dense 30,000 x 30,000 table would take 7.2 GB.
    assert peak < 50 * 2**20


def test_correlation_ratio_hand_computed() -> None:
    # Group means 2 and 6 around a grand mean of 4: between = 16, total = 20, eta = sqrt(0.8).
    table = pd.DataFrame({"x": [1.0, 3.0, 5.0, 7.0], "g": ["a", "a", "b", "b"]})
    spec = TabularDataSpec.from_df(table, cts_features=["x"], cat_features=["g"])

    matrix = matrix_of(table, spec)

    between = 2 * (2 - 4) ** 2 + 2 * (6 - 4) ** 2
    total = (1 - 4) ** 2 + (3 - 4) ** 2 + (5 - 4) ** 2 + (7 - 4) ** 2
    assert matrix[0, 1] == pytest.approx(math.sqrt(between / total))


def test_constant_column_has_zero_association() -> None:
    table = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "k": [5.0] * 4, "g": ["a"] * 4})
    spec = TabularDataSpec.from_df(table, cts_features=["x", "k"], cat_features=["g"])

    matrix = matrix_of(table, spec)

    np.testing.assert_array_equal(matrix, np.eye(3))


def test_identical_tables_distance_zero() -> None:
    table = mixed_table(2)
    engine = TableComparisonEngine.build(resource_spec=TabularDataSpec.from_df(table))

    distance = engine.compute_score(CORRELATION, real_data=table, synthetic_data=table.copy())

    assert distance == 0.0


def test_distance_is_rms_of_off_diagonal_differences() -> None:
    real = mixed_table(3)
    synthetic = mixed_table(4).sample(frac=1.0, random_state=0).reset_index(drop=True)
    synthetic["y"] = synthetic["y"].sample(frac=1.0, random_state=1).to_numpy()
    spec = TabularDataSpec.from_df(real, cts_features=["x", "y"], cat_features=["g", "h"])
    engine = TableComparisonEngine.build(resource_spec=spec)

    distance = engine.compute_score(CORRELATION, real_data=real, synthetic_data=synthetic)

    difference = matrix_of(real, spec) - matrix_of(synthetic, spec)
    off_diagonal = difference[~np.eye(4, dtype=bool)]
    assert distance == pytest.approx(math.sqrt(np.mean(off_diagonal**2)))
    assert distance > 0.1


def test_opposite_correlation_gives_distance_two() -> None:
    real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [1.0, 2.0, 3.0, 4.0]})
    synthetic = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [4.0, 3.0, 2.0, 1.0]})
    spec = TabularDataSpec.from_df(real, cts_features=["x", "y"])
    engine = TableComparisonEngine.build(resource_spec=spec)

    distance = engine.compute_score(CORRELATION, real_data=real, synthetic_data=synthetic)

    assert distance == pytest.approx(2.0)


def test_empty_or_single_feature_gives_nan() -> None:
    table = mixed_table(5)
    engine = TableComparisonEngine.build(resource_spec=TabularDataSpec.from_df(table))
    single = pd.DataFrame({"x": [1.0, 2.0]})
    single_engine = TableComparisonEngine.build(
        resource_spec=TabularDataSpec.from_df(single, cts_features=["x"])
    )

    empty = engine.compute_score(CORRELATION, real_data=table, synthetic_data=table.iloc[:0])
    one_feature = single_engine.compute_score(CORRELATION, real_data=single, synthetic_data=single)

    assert math.isnan(empty)
    assert math.isnan(one_feature)


def test_correlation_ratio_with_missing_matches_groupby() -> None:
    table = mixed_table(6)
    table.loc[[0, 4, 8, 12], "x"] = np.nan
    spec = TabularDataSpec.from_df(table, cts_features=["x", "y"], cat_features=["g", "h"])

    matrix = matrix_of(table, spec)

    present = table.dropna(subset=["x"])
    group_means = present.groupby("g")["x"].transform("mean")
    between = float(((group_means - present["x"].mean()) ** 2).sum())
    total = float(((present["x"] - present["x"].mean()) ** 2).sum())
    assert matrix[0, 2] == pytest.approx(math.sqrt(between / total), abs=1e-10)
    assert matrix[2, 0] == matrix[0, 2]
