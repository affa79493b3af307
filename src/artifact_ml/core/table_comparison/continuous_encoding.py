"""Encoding of one continuous column as float64 values with NaN for missing cells.

Booleans become 0 and 1, strings holding numbers are parsed, and ``+inf`` and ``-inf`` count as
missing (a warning gives the count).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

__all__ = ["encode_continuous"]

logger = logging.getLogger(__name__)

_EXAMPLE_COUNT = 3


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
