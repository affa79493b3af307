"""Cell-level rules shared by the spec and the encoder: missing values and category labels.

A cell is missing when it is ``None``, ``pd.NA``, a non-finite float (NaN, +inf, -inf) or a string
that equals one of the declared missing tokens after stripping surrounding whitespace. A category
label is the cell written as a string, with integral numbers written without a decimal point, so
that ``1``, ``1.0``, ``np.int64(1)`` and ``"1"`` are the same category.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["category_label", "sort_labels"]


def category_label(value: Any, missing_values: frozenset[str]) -> str | None:
    """Convert one cell to its category label, or ``None`` when the cell is missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool | np.bool_):
        return "True" if value else "False"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        number = float(value)
        if not math.isfinite(number):
            return None
        if number.is_integer() and abs(number) < 2**53:
            return str(int(number))
        return repr(number)
    if isinstance(value, str):
        return None if value.strip() in missing_values else value
    return str(value)


def _numeric_key(label: str) -> float | None:
    try:
        return float(label)
    except ValueError:
        return None


def sort_labels(labels: Iterable[str]) -> tuple[str, ...]:
    """Sort labels numerically when every label is a number, otherwise as strings."""
    unique = set(labels)
    keys = {label: _numeric_key(label) for label in unique}
    if unique and all(key is not None for key in keys.values()):
        return tuple(sorted(unique, key=lambda label: (keys[label], label)))
    return tuple(sorted(unique))
