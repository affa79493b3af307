"""Encoding of a table against a spec: float arrays for continuous features, integer codes for
categorical ones. Every artifact works on this encoding, computed at most once per table per call
(categorical features on first use).

Continuous features become float64 arrays with NaN for missing cells; ``+inf`` and ``-inf`` count
as missing (a warning gives the count). Booleans become 0 and 1, and strings holding numbers are
parsed. Categorical features become codes ``0 .. k-1`` for the spec's ``k`` categories, then
``k .. k+e-1`` for the ``e`` categories absent from the spec (sorted), then ``k+e`` for missing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from artifact_ml.core.table_comparison.values import category_label, sort_labels

if TYPE_CHECKING:
    from artifact_ml.core.table_comparison.spec import TabularDataSpec

__all__ = ["CategoricalCodes", "EncodedTable", "encode_categorical", "encode_table"]

logger = logging.getLogger(__name__)

_EXAMPLE_COUNT = 3


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
    """One table encoded against a spec (see the module docstring for the codes)."""

    row_count: int
    continuous: Mapping[str, np.ndarray]
    categorical: Mapping[str, CategoricalCodes]


class _LazyCategoricalCodes(Mapping[str, CategoricalCodes]):
    """Categorical codes encoded on first access, so that artifacts reading only continuous
    features (the statistics) skip the cost of factorising text columns."""

    def __init__(
        self,
        table: pd.DataFrame,
        categories: Mapping[str, tuple[str, ...]],
        features: tuple[str, ...],
        missing_values: frozenset[str],
    ) -> None:
        self._table = table
        self._categories = categories
        self._features = features
        self._missing_values = missing_values
        self._codes: dict[str, CategoricalCodes] = {}

    def __getitem__(self, feature: str) -> CategoricalCodes:
        if feature not in self._codes:
            if feature not in self._features:
                raise KeyError(feature)
            self._codes[feature] = encode_categorical(
                self._table[feature], self._categories[feature], self._missing_values
            )
        return self._codes[feature]

    def __iter__(self) -> Iterator[str]:
        return iter(self._features)

    def __len__(self) -> int:
        return len(self._features)


def encode_categorical(
    series: pd.Series, categories: tuple[str, ...], missing_values: frozenset[str]
) -> CategoricalCodes:
    """Encode one column as categorical codes against ``categories``."""
    # Factorising first keeps the per-cell work in pandas; only the distinct values are labelled.
    raw_codes, uniques = pd.factorize(series, use_na_sentinel=True)
    labels = [category_label(value, missing_values) for value in uniques]
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
        codes=lookup[raw_codes], category_count=len(categories), extra_labels=extra_labels
    )


def _parse_number(value: object, missing_values: frozenset[str]) -> float | None:
    """Parse one cell as a number: NaN when missing, None when it is not a number."""
    if value is None or value is pd.NA or value is pd.NaT:
        return float("nan")
    if isinstance(value, bool | np.bool_ | int | np.integer | float | np.floating):
        return float(value)
    text = str(value).strip()
    if text in missing_values:
        return float("nan")
    try:
        return float(text)
    except ValueError:
        return None


def encode_continuous(
    series: pd.Series, feature: str, missing_values: frozenset[str], role: str
) -> np.ndarray:
    """Encode one column as float64 values with NaN for missing cells.

    Raises:
        ValueError: the column contains a value that is neither a number nor missing.
    """
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        # Text columns are parsed once per distinct value, then expanded through the codes.
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        parsed = [_parse_number(value, missing_values) for value in uniques]
        bad = [repr(value) for value, number in zip(uniques, parsed, strict=True) if number is None]
        if bad:
            bad_count = int(np.isin(codes, [i for i, n in enumerate(parsed) if n is None]).sum())
            raise ValueError(
                f"Column {feature!r} of the {role} table is continuous but contains {bad_count} "
                f"non-numeric value(s) such as {', '.join(sorted(bad)[:_EXAMPLE_COUNT])}. Convert "
                f"them to numbers, list them in missing_values=..., or declare {feature!r} in "
                "cat_features."
            )
        lookup = np.array([*(float(number) for number in parsed if number is not None), np.nan])
        values = lookup[codes]

    infinite = np.isinf(values)
    if infinite.any():
        logger.warning(
            "Column %r of the %s table contains %d infinite value(s); they count as missing.",
            feature,
            role,
            int(infinite.sum()),
        )
        values = np.where(infinite, np.nan, values)
    return values


def encode_table(spec: TabularDataSpec, table: pd.DataFrame, role: str) -> EncodedTable:
    """Validate ``table`` against ``spec`` and encode every spec feature.

    Columns that are not spec features are ignored (logged at info level).

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

    table = table.set_axis(columns, axis=1)
    missing_values = frozenset(spec.missing_values)
    continuous = {
        feature: encode_continuous(table[feature], feature, missing_values, role)
        for feature in spec.continuous_features
    }
    # Any cell is a valid category, so categorical features need no eager check.
    categorical = _LazyCategoricalCodes(
        table, spec.categories, spec.categorical_features, missing_values
    )
    return EncodedTable(row_count=len(table), continuous=continuous, categorical=categorical)
