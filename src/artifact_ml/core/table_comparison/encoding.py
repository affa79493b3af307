"""Encoding of a table against a spec: float arrays for continuous features, integer codes for
categorical ones. Every artifact works on this encoding, computed at most once per table per call
(categorical features on first use). With the engine's cache on, a column is encoded once per
fingerprint (see ``fingerprint``) across calls.

Continuous features become float64 arrays with NaN for missing cells; ``+inf`` and ``-inf`` count
as missing (a warning gives the count). Booleans become 0 and 1, and strings holding numbers are
parsed. Categorical features become codes ``0 .. k-1`` for the spec's ``k`` categories, then
``k .. k+e-1`` for the ``e`` categories absent from the spec (sorted), then ``k+e`` for missing.

A boolean feature may be written as booleans, 0 and 1, or the text true and false in any case:
when the spec's categories are ``False`` and ``True`` (or ``0`` and ``1``), the other spellings
count as the same categories. A synthetic categorical feature none of whose values is a spec
category gets a warning, because its distance is then the maximum.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import pandas as pd

from artifact_ml.core.table_comparison.cache import ComputationCache, freeze
from artifact_ml.core.table_comparison.continuous_encoding import encode_continuous
from artifact_ml.core.table_comparison.fingerprint import column_fingerprint
from artifact_ml.core.table_comparison.values import category_label, sort_labels

if TYPE_CHECKING:
    from artifact_ml.core.table_comparison.spec import TabularDataSpec

__all__ = [
    "CategoricalCodes",
    "EncodedTable",
    "encode_categorical",
    "encode_continuous",
    "encode_table",
]

logger = logging.getLogger(__name__)

ValueT = TypeVar("ValueT")


@dataclass(frozen=True)
class CategoricalCodes:
    """Codes of one categorical feature: spec categories, then ``extra_labels``, then missing."""

    codes: np.ndarray
    category_count: int
    extra_labels: tuple[str, ...]

    @property
    def missing_code(self) -> int:
        """The code of a missing cell (the last code)."""
        return self.category_count + len(self.extra_labels)


@dataclass(frozen=True)
class EncodedTable:
    """One table encoded against a spec (see the module docstring for the codes).

    ``fingerprints`` maps each feature to the fingerprint of its column, computed on first access.
    It is None when the column cannot be fingerprinted or caching is off, and it keys cached values.
    """

    row_count: int
    continuous: Mapping[str, np.ndarray]
    categorical: Mapping[str, CategoricalCodes]
    fingerprints: Mapping[str, Hashable | None] = field(default_factory=dict)


class _LazyFeatureMap(Mapping[str, ValueT]):
    """A mapping over ``features`` whose values are computed on first access, so that artifacts
    reading only continuous features (the statistics) skip factorising text columns."""

    def __init__(self, features: tuple[str, ...], compute: Callable[[str], ValueT]) -> None:
        self._features = features
        self._compute = compute
        self._values: dict[str, ValueT] = {}

    def __getitem__(self, feature: str) -> ValueT:
        if feature not in self._values:
            if feature not in self._features:
                raise KeyError(feature)
            self._values[feature] = self._compute(feature)
        return self._values[feature]

    def __iter__(self) -> Iterator[str]:
        return iter(self._features)

    def __len__(self) -> int:
        return len(self._features)


_BOOLEAN_SPELLINGS = {
    ("False", "True"): {"0": "False", "1": "True", "false": "False", "true": "True"},
    ("0", "1"): {"False": "0", "True": "1", "false": "0", "true": "1"},
}


def _boolean_aliases(categories: tuple[str, ...]) -> dict[str, str]:
    """Return the other spellings of a boolean feature's categories (empty if not boolean)."""
    for spelling, aliases in _BOOLEAN_SPELLINGS.items():
        if categories and set(categories) <= set(spelling):
            return aliases
    return {}


def encode_categorical(
    series: pd.Series, categories: tuple[str, ...], missing_values: frozenset[str]
) -> CategoricalCodes:
    """Encode one column as categorical codes against ``categories``."""
    # Factorising first keeps the per-cell work in pandas; only the distinct values are labelled.
    raw_codes, uniques = pd.factorize(series, use_na_sentinel=True)
    labels = [category_label(value, missing_values) for value in uniques]
    aliases = _boolean_aliases(categories)
    if aliases:
        labels = [
            None if label is None else aliases.get(label, aliases.get(label.lower(), label))
            for label in labels
        ]
    index = {category: position for position, category in enumerate(categories)}
    extra_labels = sort_labels(
        label for label in labels if label is not None and label not in index
    )
    for position, extra_label in enumerate(extra_labels):
        index[extra_label] = len(categories) + position
    missing_code = len(categories) + len(extra_labels)

    # The last lookup entry serves pandas' sentinel -1 (NaN and None).
    lookup = np.empty(len(labels) + 1, dtype=np.intp)
    for position, cell_label in enumerate(labels):
        lookup[position] = missing_code if cell_label is None else index[cell_label]
    lookup[-1] = missing_code
    return CategoricalCodes(
        codes=freeze(lookup[raw_codes]), category_count=len(categories), extra_labels=extra_labels
    )


def _warn_if_disjoint(feature: str, codes: CategoricalCodes) -> None:
    """Warn when no present value of a synthetic column is a category of the real table."""
    present = codes.codes[codes.codes != codes.missing_code]
    if present.size and bool(np.all(present >= codes.category_count)):
        logger.warning(
            "No value of column %r of the synthetic table is a category of the real table "
            "(synthetic values such as %s), so its distance is the maximum. Check that both "
            "tables write the categories the same way.",
            feature,
            ", ".join(repr(label) for label in codes.extra_labels[:3]),
        )


def encode_table(
    spec: TabularDataSpec,
    table: pd.DataFrame,
    role: str,
    cache: ComputationCache | None = None,
) -> EncodedTable:
    """Validate ``table`` against ``spec`` and encode every spec feature.

    Columns that are not spec features are ignored (logged at info level). With a ``cache``,
    each feature's encoding is looked up by the column's fingerprint and computed only on a miss.
    A cached column passes validation without a new check, because it was encoded without error,
    and its warning about infinite values is not repeated.

    Raises:
        TypeError: ``table`` is not a pandas DataFrame.
        ValueError: a spec feature is missing, duplicated, or a continuous one contains text.
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(
            f"The {role} table must be a pandas DataFrame, got {type(table).__name__}; "
            "wrap it with pd.DataFrame(...)."
        )
    columns = [str(column) for column in table.columns]
    missing = [feature for feature in spec.features if feature not in columns]
    if missing:
        raise ValueError(
            f"The {role} table is missing column(s) {missing}; the spec expects "
            f"{list(spec.features)}. Add the columns, or build the spec with "
            "TabularDataSpec.from_df on a table without them."
        )
    duplicated = sorted({column for column in columns if columns.count(column) > 1})
    if duplicated:
        raise ValueError(
            f"The {role} table has duplicated column(s) {duplicated}; rename or drop the copies."
        )
    extra = [column for column in columns if column not in spec.features]
    if extra:
        logger.info("Ignoring column(s) %s of the %s table: not in the spec.", extra, role)

    # Under pandas' copy-on-write (always on from pandas 3) the renamed frame keeps the current
    # values even if the caller changes ``table`` later. Without copy-on-write, set_axis copies.
    table = table.set_axis(columns, axis=1)
    missing_values = frozenset(spec.missing_values)

    def fingerprint(feature: str) -> Hashable | None:
        return column_fingerprint(table[feature]) if cache is not None and cache.enabled else None

    fingerprints = _LazyFeatureMap(spec.features, fingerprint)

    def cached(
        feature: str, key: tuple[Hashable, ...], compute: Callable[[], ValueT], size: int
    ) -> ValueT:
        feature_fingerprint = fingerprints[feature]
        if cache is None or feature_fingerprint is None:
            return compute()
        return cache.get_or_compute((*key, feature_fingerprint), compute, lambda _: size)

    def continuous(feature: str) -> np.ndarray:
        def compute() -> np.ndarray:
            values = encode_continuous(table[feature], feature, missing_values, role)
            # A cached array must own its memory: a view of the caller's column would change
            # with it.
            return freeze(values if values.flags.owndata else values.copy())

        return cached(feature, ("continuous", feature, missing_values), compute, 8 * len(table))

    def categorical(feature: str) -> CategoricalCodes:
        categories = spec.categories[feature]

        def compute() -> CategoricalCodes:
            codes = encode_categorical(table[feature], categories, missing_values)
            if role == "synthetic" and categories and codes.extra_labels:
                _warn_if_disjoint(feature, codes)
            return codes

        return cached(
            feature,
            ("categorical", feature, missing_values, categories),
            compute,
            np.dtype(np.intp).itemsize * len(table),
        )

    # Any cell is a valid category, so categorical features need no eager check.
    return EncodedTable(
        row_count=len(table),
        continuous={feature: continuous(feature) for feature in spec.continuous_features},
        categorical=_LazyFeatureMap(spec.categorical_features, categorical),
        fingerprints=fingerprints,
    )
