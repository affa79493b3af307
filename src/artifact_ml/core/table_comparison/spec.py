"""``TabularDataSpec``: feature types, category sets and missing-value tokens of a table."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from artifact_ml.core.table_comparison.encoding import (
    encode_categorical,
    encode_continuous,
    encode_table,
)

__all__ = ["TabularDataSpec"]

logger = logging.getLogger(__name__)

DEFAULT_MAX_INFERRED_CATEGORIES = 20


@dataclass(frozen=True)
class TabularDataSpec:
    """Feature types, category sets and missing-value tokens of a real table.

    Attributes:
        features: every feature, in table order.
        continuous_features: the continuous features, in table order.
        categorical_features: the categorical features, in table order.
        categories: per categorical feature, its category labels as strings, sorted (numerically
            when every label is a number), without missing values.
        missing_values: strings that mean "missing" in any column (compared after stripping
            whitespace), besides NaN, None and infinite numbers.
    """

    features: tuple[str, ...]
    continuous_features: tuple[str, ...]
    categorical_features: tuple[str, ...]
    categories: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    missing_values: tuple[str, ...] = ("?",)

    def __post_init__(self) -> None:
        typed = set(self.continuous_features) | set(self.categorical_features)
        both = sorted(set(self.continuous_features) & set(self.categorical_features))
        if both:
            raise ValueError(f"Feature(s) {both} are both continuous and categorical; pick one.")
        if typed != set(self.features) or len(set(self.features)) != len(self.features):
            raise ValueError(
                f"features {list(self.features)} must list each continuous and categorical "
                "feature exactly once."
            )
        absent = [name for name in self.categorical_features if name not in self.categories]
        if absent:
            raise ValueError(f"categories is missing the categorical feature(s) {absent}.")
        object.__setattr__(self, "categories", dict(self.categories))

    @classmethod
    def from_df(
        cls,
        df: pd.DataFrame,
        cts_features: Sequence[str] | None = None,
        cat_features: Sequence[str] | None = None,
        missing_values: Sequence[str] = ("?",),
        max_inferred_categories: int = DEFAULT_MAX_INFERRED_CATEGORIES,
    ) -> TabularDataSpec:
        """Build the spec of a real table.

        Features not listed in ``cts_features`` or ``cat_features`` are inferred. A column of
        numbers (numeric dtype, or text whose every non-missing value parses as a number) with
        more than ``max_inferred_categories`` distinct values is continuous. Anything else,
        booleans included, is categorical.

        Raises:
            ValueError: a listed feature is not a column, is listed twice, or a continuous
                feature contains a value that is neither a number nor missing.
        """
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"df must be a pandas DataFrame, got {type(df).__name__}.")
        if isinstance(missing_values, str):
            raise TypeError(
                f"missing_values must be a sequence of strings, got the string {missing_values!r}; "
                f"write missing_values=({missing_values!r},)."
            )
        table = df.set_axis([str(column) for column in df.columns], axis=1)
        features = tuple(table.columns)
        if len(set(features)) != len(features):
            duplicated = sorted({name for name in features if features.count(name) > 1})
            raise ValueError(f"The table has duplicated column(s) {duplicated}; rename them.")

        declared_continuous = _check_declared(cts_features, features, "cts_features")
        declared_categorical = _check_declared(cat_features, features, "cat_features")
        both = sorted(set(declared_continuous) & set(declared_categorical))
        if both:
            raise ValueError(
                f"Feature(s) {both} are in both cts_features and cat_features; keep each in one."
            )

        tokens = tuple(str(token) for token in missing_values)
        token_set = frozenset(tokens)
        continuous: list[str] = []
        categories: dict[str, tuple[str, ...]] = {}
        for feature in features:
            series = table[feature]
            if feature in declared_continuous:
                encode_continuous(series, feature, token_set, "real")
                continuous.append(feature)
            elif feature in declared_categorical or not _looks_continuous(
                series, token_set, max_inferred_categories
            ):
                categories[feature] = encode_categorical(series, (), token_set).extra_labels
            else:
                continuous.append(feature)

        inferred = [
            name for name in features if name not in (*declared_continuous, *declared_categorical)
        ]
        logger.debug("Inferred feature types of %s: continuous %s.", inferred, continuous)
        return cls(
            features=features,
            continuous_features=tuple(continuous),
            categorical_features=tuple(name for name in features if name in categories),
            categories=categories,
            missing_values=tokens,
        )

    def validate(self, df: pd.DataFrame, role: str = "synthetic") -> None:
        """Check that ``df`` can be compared under this spec; ``role`` names the table in errors.

        Columns that are not features are ignored, categories absent from the spec are allowed
        (they count as categories of their own), and infinite numbers count as missing.

        Raises:
            TypeError: ``df`` is not a pandas DataFrame.
            ValueError: a feature column is missing or duplicated, or a continuous feature
                contains a value that is neither a number nor missing. The message names the
                column and the fix.
        """
        encode_table(self, df, role)


def _check_declared(
    declared: Sequence[str] | None, features: tuple[str, ...], argument: str
) -> tuple[str, ...]:
    if declared is None:
        return ()
    if isinstance(declared, str):
        raise TypeError(
            f"{argument} must be a sequence of column names, got the string {declared!r}; "
            f"write {argument}=[{declared!r}]."
        )
    names = tuple(str(name) for name in declared)
    unknown = [name for name in names if name not in features]
    if unknown:
        raise ValueError(
            f"{argument} names column(s) {unknown} that the table lacks; the columns are "
            f"{list(features)}."
        )
    return names


def _looks_continuous(
    series: pd.Series, missing_values: frozenset[str], max_inferred_categories: int
) -> bool:
    if pd.api.types.is_bool_dtype(series.dtype):
        return False
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        try:
            values = encode_continuous(series, str(series.name), missing_values, "real")
        except ValueError:
            return False
        if any(isinstance(value, bool | np.bool_) for value in pd.unique(series)):
            return False
    finite = values[np.isfinite(values)]
    return int(np.unique(finite).size) > max_inferred_categories
