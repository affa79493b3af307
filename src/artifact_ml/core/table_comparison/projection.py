"""Two-dimensional projections of both tables into one shared space.

The encoding is fitted on the real table and applied to both. Each continuous feature is
standardised with the real table's mean and population standard deviation (1 when the column is
constant), and a missing value becomes 0 (the real mean). Each categorical feature is one-hot
encoded over the spec's categories plus one column for missing; a feature with more than
``MAX_ONE_HOT_CATEGORIES`` (100) categories keeps a column for each of its 99 most frequent real
categories and one for all others, so that ID-like columns do not need a dense table of rows
times categories. A category absent from the spec encodes as all zeros.

PCA (``svd_solver="covariance_eigh"``, exact) and truncated SVD (randomized, seeded) are fitted
on the encoded real table and applied to both, with BLAS on one thread. The matrices have a few
hundred columns at most, and in one benchmark run on a busy 2-core machine the multithreaded
truncated SVD took about 9 times as long as when measured alone.

t-SNE samples up to ``tsne_sample_size`` rows of each table without replacement with
``numpy.random.default_rng(seed)`` and embeds both samples together (so they share one space) on
one thread, with PCA initialisation, ``max_iter=tsne_max_iter`` and ``random_state=seed``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.manifold import TSNE
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from artifact_ml.core.table_comparison.context import ComparisonContext
from artifact_ml.core.table_comparison.encoding import CategoricalCodes, EncodedTable

__all__ = [
    "Projection",
    "encode_for_projection",
    "pca_projection",
    "truncated_svd_projection",
    "tsne_projection",
]

# One-hot columns per categorical feature at most (see the module docstring).
MAX_ONE_HOT_CATEGORIES = 100


@dataclass(frozen=True)
class Projection:
    """Projected rows of both tables (``n x 2``), or a reason why there is no projection."""

    real: np.ndarray
    synthetic: np.ndarray
    reason: str = ""


def _empty(reason: str) -> Projection:
    return Projection(real=np.empty((0, 2)), synthetic=np.empty((0, 2)), reason=reason)


def encode_for_projection(context: ComparisonContext) -> tuple[np.ndarray, np.ndarray]:
    """Encode both tables as numeric matrices (see the module docstring)."""
    spec = context.spec
    blocks_real: list[np.ndarray] = []
    blocks_synthetic: list[np.ndarray] = []
    for feature in spec.continuous_features:
        real = context.real.continuous[feature]
        finite = real[~np.isnan(real)]
        centre = float(finite.mean()) if finite.size else 0.0
        scale = float(finite.std()) if finite.size else 0.0
        scale = scale if scale > 0 else 1.0
        for table, blocks in ((context.real, blocks_real), (context.synthetic, blocks_synthetic)):
            standardised = (table.continuous[feature] - centre) / scale
            blocks.append(np.nan_to_num(standardised, nan=0.0)[:, None])

    for feature in spec.categorical_features:
        columns = _one_hot_columns(context.real.categorical[feature])
        for table, blocks in ((context.real, blocks_real), (context.synthetic, blocks_synthetic)):
            blocks.append(_one_hot(table.categorical[feature], columns))

    def stack(blocks: list[np.ndarray], table: EncodedTable) -> np.ndarray:
        return np.hstack(blocks) if blocks else np.empty((table.row_count, 0))

    return stack(blocks_real, context.real), stack(blocks_synthetic, context.synthetic)


def _one_hot_columns(real_codes: CategoricalCodes) -> np.ndarray:
    """Map each spec category code to its one-hot column: itself when the feature has at most
    ``MAX_ONE_HOT_CATEGORIES`` categories, else its rank among the most frequent real categories,
    with every other category in one shared column. The last column after these is missing."""
    count = real_codes.category_count
    if count <= MAX_ONE_HOT_CATEGORIES:
        return np.arange(count)
    sizes = np.bincount(real_codes.codes, minlength=real_codes.missing_code + 1)[:count]
    frequent = np.argsort(-sizes, kind="stable")[: MAX_ONE_HOT_CATEGORIES - 1]
    columns = np.full(count, MAX_ONE_HOT_CATEGORIES - 1)
    columns[frequent] = np.arange(frequent.size)
    return columns


def _one_hot(codes: CategoricalCodes, columns: np.ndarray) -> np.ndarray:
    """One-hot encode ``codes`` with ``_one_hot_columns``; absent categories are all zeros."""
    width = (int(columns.max()) + 1 if columns.size else 0) + 1
    matrix = np.zeros((codes.codes.size, width))
    known = np.flatnonzero(codes.codes < codes.category_count)
    matrix[known, columns[codes.codes[known]]] = 1.0
    matrix[codes.codes == codes.missing_code, width - 1] = 1.0
    return matrix


def _pad(points: np.ndarray) -> np.ndarray:
    if points.shape[1] >= 2:
        return points[:, :2]
    return np.hstack([points, np.zeros((points.shape[0], 2 - points.shape[1]))])


def pca_projection(context: ComparisonContext) -> Projection:
    """Project both tables on the first two principal components of the encoded real table."""
    real, synthetic = encode_for_projection(context)
    if real.shape[0] < 2 or real.shape[1] == 0:
        return _empty("PCA needs at least two real rows and one feature")
    model = PCA(n_components=min(2, real.shape[0], real.shape[1]), svd_solver="covariance_eigh")
    with threadpool_limits(limits=1, user_api="blas"):
        model.fit(real)
        projected_real = model.transform(real)
        projected_synthetic = (
            model.transform(synthetic) if synthetic.shape[0] else np.empty((0, model.n_components_))
        )
    return Projection(real=_pad(projected_real), synthetic=_pad(projected_synthetic))


def truncated_svd_projection(context: ComparisonContext) -> Projection:
    """Project both tables on the first two singular vectors of the encoded real table."""
    real, synthetic = encode_for_projection(context)
    components = min(2, real.shape[1] - 1)
    if real.shape[0] < 2 or components < 1:
        return _empty("truncated SVD needs at least two real rows and two encoded columns")
    model = TruncatedSVD(
        n_components=components, algorithm="randomized", random_state=context.config.seed
    )
    with threadpool_limits(limits=1, user_api="blas"):
        model.fit(real)
        projected_real = model.transform(real)
        projected_synthetic = (
            model.transform(synthetic) if synthetic.shape[0] else np.empty((0, components))
        )
    return Projection(real=_pad(projected_real), synthetic=_pad(projected_synthetic))


def _sample(row_count: int, size: int, generator: np.random.Generator) -> np.ndarray:
    if row_count <= size:
        return np.arange(row_count)
    return np.sort(generator.choice(row_count, size=size, replace=False))


def tsne_projection(context: ComparisonContext) -> Projection:
    """Embed row samples of both tables together with t-SNE (see the module docstring)."""
    real, synthetic = encode_for_projection(context)
    generator = np.random.default_rng(context.config.seed)
    size = context.config.tsne_sample_size
    real = real[_sample(real.shape[0], size, generator)]
    synthetic = synthetic[_sample(synthetic.shape[0], size, generator)]
    combined = np.vstack([real, synthetic])
    if combined.shape[0] < 3 or combined.shape[1] == 0:
        return _empty("t-SNE needs at least three rows and one feature")
    model = TSNE(
        n_components=2,
        perplexity=min(context.config.tsne_perplexity, combined.shape[0] - 1.0),
        init="pca" if combined.shape[1] >= 2 else "random",
        max_iter=context.config.tsne_max_iter,
        random_state=context.config.seed,
    )
    # One thread: OpenMP workers spin badly when the cores are shared (a training loop, other
    # processes), and a fixed summation order keeps the embedding reproducible.
    with threadpool_limits(limits=1):
        embedded = model.fit_transform(combined)
    return Projection(real=embedded[: real.shape[0]], synthetic=embedded[real.shape[0] :])
