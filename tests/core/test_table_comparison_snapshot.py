"""``engine.compare``: one validation and encoding for many artifacts, as a snapshot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from artifact_ml.core.table_comparison import (
    TableComparisonArrayCollectionType,
    TableComparisonEngine,
    TableComparisonPlotType,
    TableComparisonScoreCollectionType,
    TableComparisonScoreType,
    TabularDataSpec,
)
from artifact_ml.core.table_comparison import encoding as encoding_module
from artifact_ml.core.table_comparison.fingerprint import column_fingerprint


def make_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    generator = np.random.default_rng(3)
    rows = 300
    real = pd.DataFrame(
        {
            "x": generator.normal(0.0, 1.0, rows),
            "n": generator.integers(0, 500, rows),
            "colour": np.array(["red", "green", "blue"], dtype=object)[
                generator.integers(0, 3, rows)
            ],
        }
    )
    synthetic = real.sample(frac=1.0, replace=True, random_state=4).reset_index(drop=True)
    synthetic["x"] = synthetic["x"] * 1.3 + 0.2
    return real, synthetic


def build_engine(real: pd.DataFrame) -> TableComparisonEngine:
    spec = TabularDataSpec.from_df(real, cts_features=["x", "n"], cat_features=["colour"])
    return TableComparisonEngine.build(resource_spec=spec)


def test_comparison_matches_engine_calls() -> None:
    real, synthetic = make_tables()
    engine = build_engine(real)
    reference = build_engine(real)

    comparison = engine.compare(real, synthetic)

    for score_type in TableComparisonScoreType:
        expected = reference.compute_score(score_type, real_data=real, synthetic_data=synthetic)
        assert comparison.compute_score(score_type) == pytest.approx(expected)
    js_type = TableComparisonScoreCollectionType.JS_DISTANCE
    assert comparison.compute_score_collection(js_type) == pytest.approx(
        reference.compute_score_collection(js_type, real_data=real, synthetic_data=synthetic)
    )
    means = comparison.compute_array_collection(TableComparisonArrayCollectionType.MEAN)
    np.testing.assert_allclose(means["x"], [real["x"].mean(), synthetic["x"].mean()])
    assert comparison.real_row_count == 300
    assert comparison.synthetic_row_count == 300


def test_comparison_hashes_each_column_once(monkeypatch: pytest.MonkeyPatch) -> None:
    real, synthetic = make_tables()
    engine = build_engine(real)
    hashed: list[int] = []

    def counting_fingerprint(series: pd.Series) -> object:
        hashed.append(id(series))
        return column_fingerprint(series)

    monkeypatch.setattr(encoding_module, "column_fingerprint", counting_fingerprint)

    comparison = engine.compare(real, synthetic)
    for score_type in TableComparisonScoreType:
        comparison.compute_score(score_type)
    for statistic in TableComparisonArrayCollectionType:
        comparison.compute_array_collection(statistic)

    # Three features in each of the two tables.
    assert len(hashed) == 6


def test_comparison_is_a_snapshot_of_the_tables() -> None:
    real, synthetic = make_tables()
    engine = build_engine(real)
    comparison = engine.compare(real, synthetic)
    expected_mean = synthetic["x"].mean()

    synthetic.loc[:, "x"] = 1000.0

    means = comparison.compute_array_collection(TableComparisonArrayCollectionType.MEAN)
    assert means["x"][1] == pytest.approx(expected_mean)
    fresh = engine.compute_array_collection(
        TableComparisonArrayCollectionType.MEAN, real_data=real, synthetic_data=synthetic
    )
    assert fresh["x"][1] == pytest.approx(1000.0)


def test_comparison_rejects_type_of_other_modality() -> None:
    real, synthetic = make_tables()
    comparison = build_engine(real).compare(real, synthetic)

    with pytest.raises(TypeError, match="not an artifact of this method"):
        comparison.compute_score(TableComparisonPlotType.PDF)  # type: ignore[arg-type]


def test_compare_validates_tables_up_front() -> None:
    real, synthetic = make_tables()

    with pytest.raises(ValueError, match=r"missing column\(s\) \['colour'\]"):
        build_engine(real).compare(real, synthetic.drop(columns=["colour"]))
