"""JS distance: scipy references, hand-computed tables and every messy-data case."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.distance import jensenshannon

from artifact_ml.core.table_comparison import (
    TableComparisonConfig,
    TableComparisonEngine,
    TableComparisonScoreCollectionType,
    TableComparisonScoreType,
    TabularDataSpec,
)

JS = TableComparisonScoreCollectionType.JS_DISTANCE
MEAN_JS = TableComparisonScoreType.MEAN_JS_DISTANCE


def js_collection(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    spec: TabularDataSpec | None = None,
    config: TableComparisonConfig | None = None,
) -> dict[str, float]:
    engine = TableComparisonEngine.build(
        resource_spec=spec or TabularDataSpec.from_df(real), config=config
    )
    return engine.compute_score_collection(JS, real_data=real, synthetic_data=synthetic)


def test_categorical_js_matches_scipy() -> None:
    real = pd.DataFrame({"colour": ["red"] * 5 + ["blue"] * 3 + ["green"] * 2})
    synthetic = pd.DataFrame({"colour": ["red"] * 2 + ["blue"] * 6 + ["green"] * 2})

    result = js_collection(real, synthetic)

    expected = jensenshannon([3, 2, 5], [6, 2, 2], base=2)
    assert result["colour"] == pytest.approx(expected, abs=1e-12)


def test_continuous_js_matches_scipy_on_shared_bins() -> None:
    generator = np.random.default_rng(0)
    real = pd.DataFrame({"x": generator.normal(0.0, 1.0, 2000)})
    synthetic = pd.DataFrame({"x": generator.normal(0.3, 1.2, 1500)})
    config = TableComparisonConfig(bin_count=20)

    result = js_collection(real, synthetic, config=config)

    edges = np.linspace(real["x"].min(), real["x"].max(), 21)
    real_counts = np.histogram(real["x"], bins=edges)[0]
    synthetic_inner = np.histogram(synthetic["x"], bins=edges)[0]
    below = (synthetic["x"] < edges[0]).sum()
    above = (synthetic["x"] > edges[-1]).sum()
    expected = jensenshannon(
        np.concatenate([[0], real_counts, [0, 0]]),
        np.concatenate([[below], synthetic_inner, [above, 0]]),
        base=2,
    )
    assert result["x"] == pytest.approx(expected, abs=1e-12)


def test_identical_tables_score_zero() -> None:
    real = pd.DataFrame(
        {"x": np.linspace(0, 1, 100), "c": ["a", "b", "?", "d"] * 25, "n": [np.nan, 1.5] * 50}
    )

    result = js_collection(real, real.copy())

    assert result == {"x": 0.0, "c": 0.0, "n": 0.0}


def test_disjoint_supports_score_maximum() -> None:
    real = pd.DataFrame({"x": np.linspace(0.0, 1.0, 50), "c": ["a", "b"] * 25})
    synthetic = pd.DataFrame({"x": np.linspace(5.0, 6.0, 50), "c": ["y", "z"] * 25})

    result = js_collection(real, synthetic)

    assert result["x"] == pytest.approx(1.0)
    assert result["c"] == pytest.approx(1.0)


def test_base_e_maximum_is_sqrt_log_two() -> None:
    real = pd.DataFrame({"c": ["a"] * 4})
    synthetic = pd.DataFrame({"c": ["b"] * 4})

    result = js_collection(real, synthetic, config=TableComparisonConfig(js_base=math.e))

    assert result["c"] == pytest.approx(math.sqrt(math.log(2.0)))


def test_hand_computed_two_row_table() -> None:
    # p = (1/2, 1/2), q = (1, 0), m = (3/4, 1/4); JSD = (KL(p || m) + KL(q || m)) / 2.
    real = pd.DataFrame({"c": ["a", "b"]})
    synthetic = pd.DataFrame({"c": ["a", "a"]})
    divergence = 0.5 * (0.5 * math.log2(0.5 / 0.75) + 0.5 * math.log2(0.5 / 0.25)) + 0.5 * (
        math.log2(1.0 / 0.75)
    )

    result = js_collection(real, synthetic)

    assert result["c"] == pytest.approx(math.sqrt(divergence), abs=1e-12)


def test_mean_js_is_mean_of_collection() -> None:
    real = pd.DataFrame({"x": np.arange(40.0) * 1.5, "c": ["a", "b", "c", "d"] * 10})
    synthetic = pd.DataFrame({"x": np.arange(40.0) * 1.7, "c": ["a", "a", "c", "d"] * 10})
    spec = TabularDataSpec.from_df(real)
    engine = TableComparisonEngine.build(resource_spec=spec)

    mean = engine.compute_score(MEAN_JS, real_data=real, synthetic_data=synthetic)
    collection = engine.compute_score_collection(JS, real_data=real, synthetic_data=synthetic)

    assert mean == pytest.approx(np.mean(list(collection.values())))
    assert mean > 0.0


def test_missing_values_count_as_own_bin() -> None:
    real = pd.DataFrame({"c": ["a", "b", "a", "b"], "x": [1.5, 2.5, 3.5, 4.5]})
    synthetic = pd.DataFrame({"c": ["a", "?", "a", None], "x": [1.5, np.nan, 3.5, 4.5]})
    spec = TabularDataSpec.from_df(real, cts_features=["x"])

    result = js_collection(real, synthetic, spec=spec)

    assert result["c"] == pytest.approx(jensenshannon([2, 2, 0], [2, 0, 2], base=2))
    assert result["x"] > 0.0


def test_synthetic_only_category_counts_fully() -> None:
    real = pd.DataFrame({"c": ["a", "b", "a", "b"]})
    synthetic = pd.DataFrame({"c": ["a", "b", "new", "new"]})

    result = js_collection(real, synthetic)

    assert result["c"] == pytest.approx(jensenshannon([2, 2, 0], [1, 1, 2], base=2))


def test_integer_column_with_noise_scores_near_zero() -> None:
    generator = np.random.default_rng(1)
    values = generator.integers(1, 16, size=3000).astype(float)
    real = pd.DataFrame({"grade": values})
    synthetic = pd.DataFrame({"grade": values + generator.normal(0.0, 0.05, size=values.size)})
    spec = TabularDataSpec.from_df(real, cts_features=["grade"])

    result = js_collection(real, synthetic, spec=spec)

    assert result["grade"] == pytest.approx(0.0, abs=1e-12)


def test_booleans_compare_as_categories() -> None:
    real = pd.DataFrame({"flag": [True, False, True, True]})
    synthetic = pd.DataFrame({"flag": ["True", "False", "False", "False"]})

    result = js_collection(real, synthetic)

    assert result["flag"] == pytest.approx(jensenshannon([1, 3], [3, 1], base=2))


def test_constant_columns_compare_exactly() -> None:
    real = pd.DataFrame({"x": [2.0] * 10, "c": ["k"] * 10})
    spec = TabularDataSpec.from_df(real, cts_features=["x"])

    same = js_collection(real, real.copy(), spec=spec)
    shifted = js_collection(real, pd.DataFrame({"x": [2.5] * 10, "c": ["k"] * 10}), spec=spec)

    assert same == {"x": 0.0, "c": 0.0}
    assert shifted["x"] == pytest.approx(1.0)


def test_single_row_tables() -> None:
    real = pd.DataFrame({"x": [3.0], "c": ["a"]})
    spec = TabularDataSpec.from_df(real, cts_features=["x"])

    result = js_collection(real, pd.DataFrame({"x": [3.0], "c": ["b"]}), spec=spec)

    assert result["x"] == 0.0
    assert result["c"] == pytest.approx(1.0)


def test_empty_synthetic_table_gives_nan() -> None:
    real = pd.DataFrame({"x": [1.0, 2.0, 3.5], "c": ["a", "b", "a"]})
    spec = TabularDataSpec.from_df(real, cts_features=["x"])
    engine = TableComparisonEngine.build(resource_spec=spec)
    empty = real.iloc[:0]

    collection = engine.compute_score_collection(JS, real_data=real, synthetic_data=empty)
    mean = engine.compute_score(MEAN_JS, real_data=real, synthetic_data=empty)

    assert math.isnan(collection["x"])
    assert math.isnan(collection["c"])
    assert math.isnan(mean)


def test_infinite_values_count_as_missing() -> None:
    real = pd.DataFrame({"x": [1.0, 2.0, np.nan, 4.5]})
    synthetic = pd.DataFrame({"x": [1.0, 2.0, np.inf, 4.5]})
    spec = TabularDataSpec.from_df(real, cts_features=["x"])

    result = js_collection(real, synthetic, spec=spec)

    assert result["x"] == 0.0


def test_object_column_of_numbers_parses() -> None:
    real = pd.DataFrame({"x": [1.5, 2.5, 3.5, 4.5]})
    synthetic = pd.DataFrame({"x": ["1.5", "2.5", "3.5", " 4.5 "]}, dtype=object)
    spec = TabularDataSpec.from_df(real, cts_features=["x"])

    result = js_collection(real, synthetic, spec=spec)

    assert result["x"] == 0.0


def test_integer_and_float_category_labels_match() -> None:
    real = pd.DataFrame({"kids": [0, 1, 2, 1]})
    synthetic = pd.DataFrame({"kids": [0.0, 1.0, 2.0, 1.0]})

    result = js_collection(real, synthetic)

    assert result["kids"] == 0.0


def test_wrong_modality_type_is_rejected() -> None:
    real = pd.DataFrame({"c": ["a", "b"]})
    engine = TableComparisonEngine.build(resource_spec=TabularDataSpec.from_df(real))

    with pytest.raises(TypeError, match="compute_\\* method of its modality"):
        engine.compute_score(JS, real_data=real, synthetic_data=real)  # type: ignore[arg-type]
