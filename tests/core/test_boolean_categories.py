"""Boolean features written as booleans, 0/1, floats or text are one set of categories."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from artifact_ml.core.table_comparison import (
    TableComparisonEngine,
    TableComparisonScoreCollectionType,
    TabularDataSpec,
)

JS = TableComparisonScoreCollectionType.JS_DISTANCE


def real_table() -> pd.DataFrame:
    generator = np.random.default_rng(0)
    rows = 200
    return pd.DataFrame({"x": generator.normal(size=rows), "flag": generator.random(rows) > 0.5})


@pytest.mark.parametrize(
    "spelling",
    [
        lambda flags: flags.astype(int),
        lambda flags: flags.astype(float),
        lambda flags: flags.map({True: "true", False: "false"}),
        lambda flags: flags.map({True: "TRUE", False: "FALSE"}),
    ],
    ids=["int", "float", "lower_text", "upper_text"],
)
def test_boolean_spellings_match(spelling: object) -> None:
    real = real_table()
    synthetic = real.assign(flag=spelling(real["flag"]))  # type: ignore[operator]
    engine = TableComparisonEngine.build(resource_spec=TabularDataSpec.from_df(real))

    distances = engine.compute_score_collection(JS, real_data=real, synthetic_data=synthetic)

    assert distances["flag"] == pytest.approx(0.0, abs=1e-12)


def test_zero_one_feature_accepts_booleans() -> None:
    real = real_table().assign(flag=lambda table: table["flag"].astype(int))
    synthetic = real.assign(flag=real["flag"].astype(bool))
    engine = TableComparisonEngine.build(resource_spec=TabularDataSpec.from_df(real))

    distances = engine.compute_score_collection(JS, real_data=real, synthetic_data=synthetic)

    assert distances["flag"] == pytest.approx(0.0, abs=1e-12)


def test_disjoint_categories_warn(caplog: pytest.LogCaptureFixture) -> None:
    real = pd.DataFrame({"city": ["Oslo", "Lima"] * 20})
    synthetic = pd.DataFrame({"city": ["oslo", "lima"] * 20})
    engine = TableComparisonEngine.build(resource_spec=TabularDataSpec.from_df(real))

    with caplog.at_level(logging.WARNING):
        distances = engine.compute_score_collection(JS, real_data=real, synthetic_data=synthetic)

    assert distances["city"] == pytest.approx(1.0)
    assert "No value of column 'city' of the synthetic table is a category" in caplog.text
    assert "'lima', 'oslo'" in caplog.text


def test_partly_shared_categories_do_not_warn(caplog: pytest.LogCaptureFixture) -> None:
    real = pd.DataFrame({"city": ["Oslo", "Lima"] * 20})
    synthetic = pd.DataFrame({"city": ["Oslo", "Rome"] * 20})
    engine = TableComparisonEngine.build(resource_spec=TabularDataSpec.from_df(real))

    with caplog.at_level(logging.WARNING):
        distances = engine.compute_score_collection(JS, real_data=real, synthetic_data=synthetic)

    assert 0.0 < distances["city"] < 1.0
    assert "No value of column" not in caplog.text
