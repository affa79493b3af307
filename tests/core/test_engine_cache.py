"""The engine's computation cache: reuse across calls, and never a stale result after a change."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from artifact_ml.core.table_comparison import (
    TableComparisonArrayCollectionType,
    TableComparisonEngine,
    TableComparisonScoreCollectionType,
    TableComparisonScoreType,
    TabularDataSpec,
)
from artifact_ml.core.table_comparison.cache import ComputationCache
from artifact_ml.core.table_comparison.fingerprint import column_fingerprint
from artifact_ml.core.table_comparison.summary import summarise_column
from artifact_ml.experiment import TableComparisonPlan

Stat = TableComparisonArrayCollectionType


def make_tables(rows: int = 400) -> tuple[pd.DataFrame, pd.DataFrame]:
    generator = np.random.default_rng(11)
    colours = np.array(["red", "green", "blue"])
    real = pd.DataFrame(
        {
            "x": generator.normal(0.0, 1.0, rows),
            "n": generator.integers(0, 1000, rows),
            "colour": colours[generator.integers(0, 3, rows)],
        }
    )
    synthetic = pd.DataFrame(
        {
            "x": generator.normal(0.5, 1.5, rows),
            "n": generator.integers(0, 800, rows),
            "colour": colours[generator.integers(0, 2, rows)],
        }
    )
    return real, synthetic


def build_engine(real: pd.DataFrame) -> TableComparisonEngine:
    spec = TabularDataSpec.from_df(real, cts_features=["x", "n"], cat_features=["colour"])
    return TableComparisonEngine.build(resource_spec=spec)


def all_scores(
    engine: TableComparisonEngine, real: pd.DataFrame, synthetic: pd.DataFrame
) -> dict[str, object]:
    tables = {"real_data": real, "synthetic_data": synthetic}
    results: dict[str, object] = {
        score_type.value: engine.compute_score(score_type, **tables)
        for score_type in TableComparisonScoreType
    }
    results["js_distance"] = engine.compute_score_collection(
        TableComparisonScoreCollectionType.JS_DISTANCE, **tables
    )
    for statistic in Stat:
        collection = engine.compute_array_collection(statistic, **tables)
        results[statistic.value] = {key: value.tolist() for key, value in collection.items()}
    return results


def fresh_scores(
    engine: TableComparisonEngine, real: pd.DataFrame, synthetic: pd.DataFrame
) -> dict[str, object]:
    """Compute every score with a new engine of ``engine``'s spec, on copies of the tables."""
    new_engine = TableComparisonEngine.build(resource_spec=engine.resource_spec)
    return all_scores(new_engine, real.copy(), synthetic.copy())


def test_repeated_calls_hit_cache() -> None:
    real, synthetic = make_tables()
    engine = build_engine(real)

    first = all_scores(engine, real, synthetic)
    misses = engine.cache.misses
    hits = engine.cache.hits
    second = all_scores(engine, real, synthetic)

    assert second == first
    assert engine.cache.misses == misses
    assert engine.cache.hits > hits


def test_equal_copy_reuses_entries() -> None:
    real, synthetic = make_tables()
    engine = build_engine(real)
    all_scores(engine, real, synthetic)
    misses = engine.cache.misses

    all_scores(engine, real.copy(), synthetic.copy())

    assert engine.cache.misses == misses


@pytest.mark.parametrize(
    ("column", "value"),
    [("x", 50.0), ("n", 5000), ("colour", "purple")],
)
def test_loc_change_recomputes(column: str, value: float | str) -> None:
    real, synthetic = make_tables()
    engine = build_engine(real)
    before = all_scores(engine, real, synthetic)

    synthetic.loc[0:99, column] = value
    after = all_scores(engine, real, synthetic)

    assert after == fresh_scores(engine, real, synthetic)
    assert after != before


def test_real_table_change_recomputes() -> None:
    real, synthetic = make_tables()
    engine = build_engine(real)
    all_scores(engine, real, synthetic)

    real.iloc[5, 0] = -40.0
    after = all_scores(engine, real, synthetic)

    assert after == fresh_scores(engine, real, synthetic)


def test_column_assignment_recomputes() -> None:
    real, synthetic = make_tables()
    engine = build_engine(real)
    all_scores(engine, real, synthetic)

    synthetic["colour"] = "blue"
    after = engine.compute_score_collection(
        TableComparisonScoreCollectionType.JS_DISTANCE, real_data=real, synthetic_data=synthetic
    )

    assert after == fresh_scores(engine, real, synthetic)["js_distance"]


def test_numpy_write_recomputes() -> None:
    real, _ = make_tables()
    values = np.arange(400, dtype=np.float64)
    synthetic = pd.DataFrame(
        {"x": values, "n": np.arange(400), "colour": ["red"] * 400}, copy=False
    )
    engine = build_engine(real)
    before = engine.compute_array_collection(Stat.MAX, real_data=real, synthetic_data=synthetic)
    # Whether pandas copied the array or not, write through the frame's own buffer.
    buffer = synthetic["x"].to_numpy()
    buffer.setflags(write=True)
    buffer[0] = 1e6

    after = engine.compute_array_collection(Stat.MAX, real_data=real, synthetic_data=synthetic)

    assert before["x"][1] == 399.0
    assert after["x"][1] == 1e6


def test_copy_taken_before_change_keeps_old_values() -> None:
    real, synthetic = make_tables()
    engine = build_engine(real)
    snapshot = synthetic.copy()
    # Only continuous features are encoded here, so the categorical codes stay lazy.
    engine.compute_array_collection(Stat.MEAN, real_data=real, synthetic_data=synthetic)
    synthetic.loc[:, "colour"] = "green"

    distances = engine.compute_score_collection(
        TableComparisonScoreCollectionType.JS_DISTANCE, real_data=real, synthetic_data=snapshot
    )

    assert distances == fresh_scores(engine, real, snapshot)["js_distance"]


def test_object_column_change_recomputes() -> None:
    real, synthetic = make_tables()
    synthetic = synthetic.astype({"colour": object})
    engine = build_engine(real)
    before = all_scores(engine, real, synthetic)

    synthetic.iloc[0:50, 2] = "yellow"
    after = all_scores(engine, real, synthetic)

    assert after == fresh_scores(engine, real, synthetic)
    assert after["js_distance"] != before["js_distance"]


def test_fingerprint_keeps_value_types() -> None:
    floats = pd.Series([1.0, "a"], dtype=object)
    texts = pd.Series(["1.0", "a"], dtype=object)

    assert column_fingerprint(floats) != column_fingerprint(texts)
    assert column_fingerprint(floats) == column_fingerprint(floats.copy())


@pytest.mark.parametrize(
    "series",
    [
        pd.Series([1, 2, 3]),
        pd.Series([1.5, np.nan]),
        pd.Series([True, False]),
        pd.Series(["a", None], dtype="str"),
        pd.Series(["a", "b"], dtype="category"),
        pd.Series([1, None], dtype="Int64"),
        pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01"])),
    ],
    ids=["int", "float", "bool", "str", "category", "nullable-int", "datetime"],
)
def test_fingerprint_detects_one_change(series: pd.Series) -> None:
    changed = series.copy()
    changed.iloc[0] = series.iloc[1]

    assert column_fingerprint(series) == column_fingerprint(series)
    assert column_fingerprint(series) != column_fingerprint(changed)


def test_fingerprint_of_numbers_is_content() -> None:
    series = pd.Series([1.5, 2.5, np.nan])

    assert column_fingerprint(series) == column_fingerprint(series.copy())
    assert column_fingerprint(series) != column_fingerprint(series.astype(np.float32))


def test_arrow_assignment_gives_new_fingerprint() -> None:
    table = pd.DataFrame({"colour": pd.Series(["red", "blue"], dtype="string[pyarrow]")})
    before = column_fingerprint(table["colour"])

    table.loc[0, "colour"] = "blue"

    assert column_fingerprint(table["colour"]) != before


def test_disabled_cache_stores_nothing() -> None:
    real, synthetic = make_tables()
    spec = build_engine(real).resource_spec
    engine = TableComparisonEngine.build(resource_spec=spec, cache_max_bytes=0)

    first = all_scores(engine, real, synthetic)
    second = all_scores(engine, real, synthetic)

    assert first == second
    assert len(engine.cache) == 0
    assert engine.cache.hits == 0


def test_cache_stays_within_budget() -> None:
    cache = ComputationCache(max_bytes=10_000)

    for key in range(50):
        cache.get_or_compute(key, lambda: np.zeros(250), lambda array: array.nbytes)

    assert cache.size_bytes <= 10_000
    assert len(cache) == 5
    assert cache.get_or_compute(49, lambda: np.ones(250), lambda array: array.nbytes)[0] == 0.0


def test_negative_budget_rejected() -> None:
    with pytest.raises(ValueError, match="max_bytes must be 0 or more, got -1"):
        ComputationCache(max_bytes=-1)


@pytest.mark.parametrize("size", [1, 2, 5, 6, 101, 1000])
def test_summary_matches_numpy_exactly(size: int) -> None:
    generator = np.random.default_rng(size)
    values = generator.lognormal(0.0, 2.0, size)
    values[generator.random(size) < 0.2] = np.nan
    present = values[~np.isnan(values)]
    if present.size == 0:
        values[0] = 1.0
        present = values[~np.isnan(values)]

    summary = summarise_column(values, ddof=1)

    assert summary.median == float(np.median(present))
    assert summary.first_quartile == float(np.quantile(present, 0.25))
    assert summary.third_quartile == float(np.quantile(present, 0.75))
    assert summary.min == float(present.min())
    assert summary.max == float(present.max())
    assert summary.mean == float(np.mean(present))


def test_plan_reuses_real_table_encoding() -> None:
    real, synthetic = make_tables()

    class Plan(TableComparisonPlan):
        scores = (TableComparisonScoreType.MEAN_JS_DISTANCE,)
        score_collections = (TableComparisonScoreCollectionType.JS_DISTANCE,)
        array_collections = (Stat.MEDIAN, Stat.FIRST_QUARTILE)

    plan = Plan.build(resource_spec=build_engine(real).resource_spec)
    plan.execute(real_data=real, synthetic_data=synthetic, step=1)
    misses_first_epoch = plan.engine.cache.misses
    next_synthetic = synthetic.sample(frac=1.0, replace=True, random_state=1)

    results = plan.execute(real_data=real, synthetic_data=next_synthetic, step=2)

    expected = fresh_scores(plan.engine, real, next_synthetic)
    assert results.scores["mean_js_distance"] == expected["mean_js_distance"]
    assert results.score_collections["js_distance"] == expected["js_distance"]
    # The second epoch encodes only the new synthetic table: 3 columns, 3 distributions and
    # 2 summaries, against twice that for two new tables.
    assert plan.engine.cache.misses - misses_first_epoch == 8
