"""Load the demo's training table, the bundled UCI Adult or a user's CSV, with its feature types."""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from artifact_ml.core.table_comparison import TabularDataSpec
from artifact_ml.datasets import (
    ADULT_CATEGORICAL_FEATURES,
    ADULT_CONTINUOUS_FEATURES,
    ADULT_MISSING_VALUE,
    load_adult,
)
from artifact_ml.demo.csv_separator import (
    header_separator,
    misread_separator,
    number_format_hint,
    separator_hint,
)
from artifact_ml.experiment.names import sanitize_key

logger = logging.getLogger(__name__)

MIN_ROWS = 10


class TableSourceError(ValueError):
    """The table cannot be used: unreadable, empty, or its columns do not match the request."""


@dataclass(frozen=True)
class TableSource:
    """A table ready for training, with its spec.

    Continuous columns hold numbers with NaN for missing values; categorical columns keep their
    values, missing-value tokens included.

    Attributes:
        name: Where the table came from (``"UCI Adult (bundled)"`` or the CSV path).
        table: The table.
        spec: Feature types and categories of ``table``.
    """

    name: str
    table: pd.DataFrame
    spec: TabularDataSpec


def load_bundled_adult() -> TableSource:
    """Load the bundled UCI Adult table with its documented feature types."""
    table = load_adult()
    spec = TabularDataSpec.from_df(
        table,
        cts_features=list(ADULT_CONTINUOUS_FEATURES),
        cat_features=list(ADULT_CATEGORICAL_FEATURES),
        missing_values=(ADULT_MISSING_VALUE,),
    )
    return TableSource(name="UCI Adult (bundled)", table=table, spec=spec)


def _check_number_format(
    path: Path,
    table: pd.DataFrame,
    *,
    continuous: Sequence[str],
    thousands: str | None,
    decimal: str,
    separator: str,
) -> None:
    """Catch numbers that read as text because of their thousands separator or decimal comma.

    Raises:
        TableSourceError: if such a column is declared continuous; any other such column is
            trained on as categories, with a warning.
    """
    for name in table.columns:
        hint = number_format_hint(
            table[name], thousands=thousands, decimal=decimal, separator=separator
        )
        if hint is None:
            continue
        option, written = hint
        example = str(table[name].dropna().iloc[0])
        if name in continuous:
            raise TableSourceError(
                f"--continuous column {name!r} of {path} contains {written}, such as "
                f"{example!r}, which read as text; pass {option}."
            )
        logger.warning(
            "Column %r of %s contains %s, such as %r, so it is treated as categorical; pass %s "
            "to read it as numbers.",
            name,
            path,
            written,
            example,
            option,
        )


def load_csv(
    path: Path,
    categorical: Sequence[str] = (),
    continuous: Sequence[str] = (),
    missing_values: Sequence[str] = ("?",),
    thousands: str | None = None,
    sep: str = ",",
    decimal: str = ".",
) -> TableSource:
    """Read a CSV file; infer the type of each feature not named in ``categorical``, ``continuous``.

    ``thousands`` is the thousands separator inside numbers (None: such cells are text),
    ``decimal`` the decimal mark and ``sep`` the column separator.

    Cells equal to a ``missing_values`` token, or empty, are read as missing, and infinite numbers
    in continuous columns too. A column is inferred continuous when it contains numbers with more
    than 20 distinct values, else categorical.

    Raises:
        TableSourceError: The file is missing or unreadable, reads as one column because of
            another separator, has fewer than ``MIN_ROWS`` rows, a named column is absent, or a
            column declared continuous contains text.
    """
    if path.is_dir():
        raise TableSourceError(f"{path} is a folder, not a CSV file; pass --data with a file.")
    if not path.is_file():
        raise TableSourceError(f"No such CSV file: {path}; pass --data with an existing file.")
    try:
        # Only empty cells and the given tokens are missing: pandas' default tokens such as "NA"
        # or "None" can be real categories.
        table = pd.read_csv(
            path,
            keep_default_na=False,
            na_values=["", *missing_values],
            skipinitialspace=True,
            thousands=thousands,
            sep=sep,
            decimal=decimal,
        )
    # pandas infers compression from the file name, so a misnamed .gz or .zip file fails in
    # gzip (BadGzipFile is an OSError) or in zipfile. pandas' own errors are ValueErrors.
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        likely = header_separator(path, sep)
        if likely is not None:
            raise TableSourceError(
                f"Cannot read {path}: its header looks {separator_hint(likely, sep)}"
            ) from error
        message = str(error).strip()
        first_line = message.splitlines()[0] if message else type(error).__name__
        raise TableSourceError(f"Cannot read {path} as CSV: {first_line}") from error
    likely = misread_separator(list(table.columns), sep)
    if likely is not None:
        raise TableSourceError(
            f"{path} reads as one column named {str(table.columns[0])[:60]!r}: it looks "
            f"{separator_hint(likely, sep)}"
        )
    _check_column_names(path, table)
    if len(table) < MIN_ROWS:
        raise TableSourceError(
            f"{path} has {len(table)} data rows; the demo needs at least {MIN_ROWS} to train."
        )
    for option, names in (("--categorical", categorical), ("--continuous", continuous)):
        absent = [name for name in names if name not in table.columns]
        if absent:
            raise TableSourceError(
                f"{option} names column(s) {absent} that {path} lacks; "
                f"its columns are {list(table.columns)}."
            )
    _check_number_format(
        path, table, continuous=continuous, thousands=thousands, decimal=decimal, separator=sep
    )
    for name in continuous:
        if not pd.api.types.is_numeric_dtype(table[name]):
            text = table[name].dropna().astype(str)
            bad = text[pd.to_numeric(text, errors="coerce").isna()]
            raise TableSourceError(
                f"--continuous column {name!r} contains text such as {bad.iloc[0]!r} at row "
                f"{bad.index[0]}; declare it categorical, add that token to --missing-values, or "
                "pass --thousands if it is a number with a thousands separator."
            )
    try:
        spec = TabularDataSpec.from_df(
            table,
            cts_features=list(continuous) or None,
            cat_features=list(categorical) or None,
            missing_values=tuple(missing_values),
        )
    except (TypeError, ValueError) as error:
        raise TableSourceError(f"{path}: {error}") from error
    for name in spec.continuous_features:
        values = pd.to_numeric(table[name])
        infinite = np.isinf(values.to_numpy(dtype=np.float64))
        if infinite.any():
            logger.warning(
                "Column %r contains %d infinite value(s); the demo treats them as missing.",
                name,
                int(infinite.sum()),
            )
            values = values.mask(infinite)
        table[name] = values
    return TableSource(name=str(path), table=table, spec=spec)


def _check_column_names(path: Path, table: pd.DataFrame) -> None:
    """Reject column names that cannot name a logged result, before anything is written."""
    sanitized: dict[str, str] = {}
    for column in table.columns:
        try:
            key = sanitize_key(str(column))
        except ValueError as error:
            raise TableSourceError(
                f"{path}: column {column!r} cannot name a logged result ({error}); rename it."
            ) from error
        if key in sanitized:
            raise TableSourceError(
                f"{path}: columns {sanitized[key]!r} and {column!r} both become {key!r} in "
                "result names; rename one of them."
            )
        sanitized[key] = str(column)
