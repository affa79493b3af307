"""The UCI Adult table (census income), bundled as a gzip-compressed CSV.

Source: UCI Machine Learning Repository, "Adult" (Becker, B. and Kohavi, R., 1996),
https://doi.org/10.24432/C5XW20, training split ``adult.data`` with a header row added.
Licence: Creative Commons Attribution 4.0 International (CC BY 4.0). See ``data/ADULT_LICENSE.md``.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

ADULT_CONTINUOUS_FEATURES: tuple[str, ...] = (
    "age",
    "fnlwgt",
    "education-num",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
)
ADULT_CATEGORICAL_FEATURES: tuple[str, ...] = (
    "workclass",
    "education",
    "marital-status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "native-country",
    "class",
)
ADULT_MISSING_VALUE = "?"
"""The source's token for a missing value (in workclass, occupation and native-country)."""


def load_adult(num_rows: int | None = None) -> pd.DataFrame:
    """Load the bundled UCI Adult table: 32,561 rows and 15 columns in the source's order.

    Categorical columns are strings with the missing-value token ``"?"`` kept as is,
    so that a :class:`~artifact_ml.core.table_comparison.TabularDataSpec` built with
    ``missing_values=("?",)`` treats it as missing. Continuous columns are ``int64``.

    Args:
        num_rows: Return only the first ``num_rows`` rows (all rows when ``None``).

    Raises:
        ValueError: ``num_rows`` is not a positive integer.
    """
    if num_rows is not None and num_rows < 1:
        raise ValueError(f"num_rows must be a positive integer or None, got {num_rows!r}.")
    source = resources.files("artifact_ml.datasets").joinpath("data/adult.csv.gz")
    with source.open("rb") as file:
        table = pd.read_csv(
            file,
            compression="gzip",
            nrows=num_rows,
            dtype={name: str for name in ADULT_CATEGORICAL_FEATURES},
            keep_default_na=False,
        )
    return table
