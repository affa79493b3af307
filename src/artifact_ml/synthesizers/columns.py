"""Per-column facts a synthesizer needs to decode generated values back to the source's dtypes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class ContinuousColumn:
    """A numeric column: its dtype, observed range and missing-value use.

    Attributes:
        name: Column name.
        dtype: The source column's dtype, restored on decoding.
        minimum: Smallest observed value; decoded values are clipped to ``[minimum, maximum]``.
        maximum: Largest observed value.
        is_integer: Whether every observed value is a whole number; decoded values are rounded.
        has_missing: Whether the column has missing values (NaN).
        fill_value: The value that replaces a missing one before encoding (the median).
    """

    name: str
    dtype: np.dtype[Any] | pd.api.extensions.ExtensionDtype
    minimum: float
    maximum: float
    is_integer: bool
    has_missing: bool
    fill_value: float

    @classmethod
    def fit(cls, column: pd.Series) -> ContinuousColumn:
        """Describe ``column``.

        Raises:
            ValueError: The column is not numeric, contains infinite values or has no observed
                value.
        """
        name = str(column.name)
        if not (pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)):
            raise ValueError(
                f"Continuous column {name!r} has dtype {column.dtype}, not a number type; "
                "convert it with pandas.to_numeric or declare it categorical."
            )
        observed = column.dropna().to_numpy(dtype=np.float64)
        if len(observed) == 0:
            raise ValueError(
                f"Continuous column {name!r} has no observed value; drop it or fill it."
            )
        if not np.isfinite(observed).all():
            raise ValueError(
                f"Continuous column {name!r} contains infinite values; replace them with NaN "
                "or drop them."
            )
        return cls(
            name=name,
            dtype=column.dtype,
            minimum=float(observed.min()),
            maximum=float(observed.max()),
            is_integer=bool(np.all(observed == np.round(observed))),
            has_missing=bool(column.isna().any()),
            fill_value=float(np.median(observed)),
        )

    def decode(self, values: np.ndarray, missing: np.ndarray | None) -> pd.Series:
        """Clip, round and mask generated ``values``, returning a column with the source dtype.

        An integer column that receives missing values becomes pandas' nullable ``Int64``.
        """
        decoded = np.clip(values, self.minimum, self.maximum)
        if self.is_integer:
            decoded = np.round(decoded)
        if missing is not None and missing.any():
            series = pd.Series(decoded, name=self.name)
            series[missing] = np.nan
            if pd.api.types.is_integer_dtype(self.dtype):
                return series.astype("Int64")
            return series.astype(self.dtype)
        return pd.Series(decoded, name=self.name).astype(self.dtype)


@dataclass(frozen=True)
class CategoricalColumn:
    """A discrete column: its categories in a fixed order, missing values included as one.

    Attributes:
        name: Column name.
        dtype: The source column's dtype, restored on decoding.
        categories: Observed values, sorted by their string form; ``None`` stands for missing.
    """

    name: str
    dtype: np.dtype[Any] | pd.api.extensions.ExtensionDtype
    categories: tuple[Any, ...]

    @classmethod
    def fit(cls, column: pd.Series) -> CategoricalColumn:
        """Describe ``column``; NaN and ``None`` are gathered into one missing category."""
        observed = sorted(set(column.dropna().tolist()), key=str)
        categories: list[Any] = list(observed)
        if column.isna().any():
            categories.append(None)
        return cls(name=str(column.name), dtype=column.dtype, categories=tuple(categories))

    def one_hot(self, column: pd.Series) -> np.ndarray:
        """One-hot encode ``column`` as float32 of shape ``(len(column), len(categories))``.

        Raises:
            ValueError: ``column`` contains a value that was not seen when fitting.
        """
        index = {value: position for position, value in enumerate(self.categories)}
        codes = np.empty(len(column), dtype=np.int64)
        for row, value in enumerate(column.tolist()):
            key = None if pd.isna(value) else value
            if key not in index:
                raise ValueError(
                    f"Column {self.name!r} contains {value!r} at row {row}, a category not seen "
                    f"when fitting (known: {self._preview()}); refit the encoder on a table "
                    "that has it."
                )
            codes[row] = index[key]
        encoded = np.zeros((len(column), len(self.categories)), dtype=np.float32)
        encoded[np.arange(len(column)), codes] = 1.0
        return encoded

    def decode(self, indices: np.ndarray) -> pd.Series:
        """Map category indices back to values with the source dtype (missing becomes NaN)."""
        values = [self.categories[index] for index in indices.tolist()]
        series = pd.Series(values, name=self.name, dtype=object)
        if None in self.categories:
            series = series.where(series.notna(), np.nan)
            if pd.api.types.is_string_dtype(self.dtype) and not pd.api.types.is_object_dtype(
                self.dtype
            ):
                return series.astype(self.dtype)
            if pd.api.types.is_numeric_dtype(self.dtype) and not pd.api.types.is_bool_dtype(
                self.dtype
            ):
                return series.astype("float64")
            return series
        if pd.api.types.is_object_dtype(self.dtype):
            return series
        return series.astype(self.dtype)

    def _preview(self, limit: int = 10) -> str:
        shown = [repr(value) for value in self.categories[:limit]]
        more = len(self.categories) - limit
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")
