"""Projections against scikit-learn on the documented encoding; t-SNE sampling and determinism."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA, TruncatedSVD

from artifact_ml.core.table_comparison import (
    TableComparisonConfig,
    TableComparisonEngine,
    TabularDataSpec,
)
from artifact_ml.core.table_comparison.context import ComparisonContext
from artifact_ml.core.table_comparison.encoding import encode_table
from artifact_ml.core.table_comparison.projection import (
    MAX_ONE_HOT_CATEGORIES,
    encode_for_projection,
    pca_projection,
    truncated_svd_projection,
    tsne_projection,
)


def context_of(
    real: pd.DataFrame, synthetic: pd.DataFrame, config: TableComparisonConfig | None = None
) -> ComparisonContext:
    spec = TabularDataSpec.from_df(real, cts_features=["big", "small"], cat_features=["c"])
    return ComparisonContext(
        spec=spec,
        config=config or TableComparisonConfig(),
        real=encode_table(spec, real, "real"),
        synthetic=encode_table(spec, synthetic, "synthetic"),
    )


def tables(rows: int = 120) -> tuple[pd.DataFrame, pd.DataFrame]:
    generator = np.random.default_rng(7)
    real = pd.DataFrame(
        {
            "big": generator.normal(1e6, 1e5, rows),
            "small": generator.normal(0, 1, rows),
            "c": generator.choice(["a", "b", "c"], rows),
        }
    )
    synthetic = real.sample(frac=1.0, random_state=1).reset_index(drop=True)
    synthetic.loc[0, "c"] = "new"
    synthetic.loc[1, "small"] = np.nan
    return real, synthetic


def reference_encoding(real: pd.DataFrame, table: pd.DataFrame) -> np.ndarray:
    columns = []
    for feature in ("big", "small"):
        standardised = (table[feature] - real[feature].mean()) / real[feature].std(ddof=0)
        columns.append(standardised.fillna(0.0).to_numpy())
    for category in ("a", "b", "c"):
        columns.append((table["c"] == category).to_numpy(dtype=float))
    columns.append(table["c"].isna().to_numpy(dtype=float))
    return np.column_stack(columns)


def test_encoding_standardises_and_one_hot_encodes() -> None:
    real, synthetic = tables()

    encoded_real, encoded_synthetic = encode_for_projection(context_of(real, synthetic))

    np.testing.assert_allclose(encoded_real, reference_encoding(real, real), atol=1e-12)
    np.testing.assert_allclose(encoded_synthetic, reference_encoding(real, synthetic), atol=1e-12)
    assert encoded_synthetic[0, 2:].sum() == 0.0
    assert abs(encoded_real[:, 0].std() - 1.0) < 1e-12


def test_pca_matches_sklearn() -> None:
    real, synthetic = tables()

    projection = pca_projection(context_of(real, synthetic))

    model = PCA(n_components=2, svd_solver="full").fit(reference_encoding(real, real))
    np.testing.assert_allclose(
        projection.real, model.transform(reference_encoding(real, real)), atol=1e-9
    )
    np.testing.assert_allclose(
        projection.synthetic, model.transform(reference_encoding(real, synthetic)), atol=1e-9
    )


def test_truncated_svd_matches_sklearn() -> None:
    real, synthetic = tables()

    projection = truncated_svd_projection(context_of(real, synthetic))

    model = TruncatedSVD(n_components=2, algorithm="randomized", random_state=0)
    model.fit(reference_encoding(real, real))
    np.testing.assert_allclose(
        projection.synthetic, model.transform(reference_encoding(real, synthetic)), atol=1e-8
    )


def test_tsne_samples_rows_and_is_deterministic() -> None:
    real, synthetic = tables(rows=150)
    config = TableComparisonConfig(tsne_sample_size=40, tsne_perplexity=10.0)

    first = tsne_projection(context_of(real, synthetic, config))
    second = tsne_projection(context_of(real, synthetic, config))

    assert first.real.shape == (40, 2)
    assert first.synthetic.shape == (40, 2)
    np.testing.assert_array_equal(first.real, second.real)
    np.testing.assert_array_equal(first.synthetic, second.synthetic)


def test_projections_of_tiny_tables_give_reasons() -> None:
    real, _ = tables(rows=1)

    pca = pca_projection(context_of(real, real))
    tsne = tsne_projection(context_of(real, real))

    assert pca.reason == "PCA needs at least two real rows and one feature"
    assert tsne.reason == "t-SNE needs at least three rows and one feature"


def test_id_column_projection_stays_small() -> None:
    rows = 3000
    identifiers = np.array([f"id-{number}" for number in range(rows)], dtype=object)
    real = pd.DataFrame({"user": identifiers, "x": np.linspace(0.0, 1.0, rows)})
    real.loc[:499, "user"] = "frequent"  # the most frequent category keeps its own column
    spec = TabularDataSpec.from_df(real, cts_features=["x"], cat_features=["user"])
    engine = TableComparisonEngine.build(resource_spec=spec)
    context = engine.encode(real, real)

    encoded_real, _ = encode_for_projection(context)

    # x, then 99 frequent categories, one column for the rest and one for missing.
    assert encoded_real.shape == (rows, 1 + MAX_ONE_HOT_CATEGORIES + 1)
    assert encoded_real[:, 1:].sum(axis=1).tolist() == [1.0] * rows
    frequent_column = 1 + 0
    assert encoded_real[:500, frequent_column].tolist() == [1.0] * 500
    assert encoded_real[500:, 1 + MAX_ONE_HOT_CATEGORIES - 1].sum() == rows - 500 - 98
