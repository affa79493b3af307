"""Separators in a CSV file: the ``--sep`` option's value, and checks that a table was read with
the right column and thousands separators."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

__all__ = [
    "check_number_options",
    "decimal_comma",
    "header_separator",
    "misread_separator",
    "number_format_hint",
    "parse_separator",
    "separator_hint",
    "separator_option",
    "thousands_separator",
]

# Separators that spreadsheet exports commonly use, checked in this order.
_COMMON_SEPARATORS = (",", ";", "\t", "|")
# Thousands separators of common locales, other than ".", which the tools read as the decimal mark.
_THOUSANDS_SEPARATORS = (",", "'", " ", "\u00a0")
# Values checked per column, so that a large table costs no more than a small one.
_SAMPLE_SIZE = 1000


def parse_separator(value: str, *, option: str = "--sep") -> str:
    """Return the separator that the command-line value ``value`` stands for ("\\t" is a tab).

    Raises:
        ValueError: if ``value`` is not one character (after reading "\\t" as a tab).
    """
    separator = "\t" if value == "\\t" else value
    if len(separator) != 1:
        raise ValueError(
            f"{option} must be one character, got {value!r}; for tabs pass {option} '\\t'."
        )
    return separator


def separator_option(separator: str) -> str:
    """Return ``separator`` as the user types it on a command line (a tab as '\\t')."""
    return "'\\t'" if separator == "\t" else repr(separator)


def separator_hint(likely: str, separator: str) -> str:
    """Return the end of an error message for a file separated by ``likely``, read with
    ``separator``: "separated by ';', not ','; pass --sep ';'."."""
    return (
        f"separated by {separator_option(likely)}, not {separator_option(separator)}; pass "
        f"--sep {separator_option(likely)}."
    )


def check_number_options(separator: str, decimal: str, thousands: str | None) -> None:
    """Raise ValueError unless ``--decimal`` and ``--thousands`` are single characters that
    differ from each other and from the column ``separator``."""
    if len(decimal) != 1 or decimal in (separator, "\n"):
        raise ValueError(
            f"--decimal must be one character other than the column separator "
            f"{separator_option(separator)}, got {decimal!r}."
        )
    if thousands is not None and (len(thousands) != 1 or thousands in (decimal, "\n")):
        raise ValueError(
            f"--thousands must be one character other than the decimal mark {decimal!r}, got "
            f"{thousands!r}."
        )


def misread_separator(columns: Sequence[object], separator: str) -> str | None:
    """Return the separator a table was most likely written with, if it was read with another.

    A file read with the wrong separator comes out as one column whose name is the whole header
    line. So for a one-column table whose name contains a common separator other than
    ``separator``, that separator is returned. Any other table gives None.
    """
    if len(columns) != 1:
        return None
    header = str(columns[0])
    for candidate in _COMMON_SEPARATORS:
        if candidate != separator and candidate in header:
            return candidate
    return None


def thousands_separator(column: pd.Series) -> str | None:
    """Return the thousands separator that a text column's numbers are written with, if any.

    The column qualifies when every non-missing value among its first ``_SAMPLE_SIZE`` is a
    number written with that separator between groups of three digits (such as "1,234" or
    "-12 345.6"), and at least one value has a separator. Any other column gives None.
    """
    if pd.api.types.is_numeric_dtype(column):
        return None
    values = column.dropna().head(_SAMPLE_SIZE).astype(str).str.strip()
    if values.empty:
        return None
    for separator in _THOUSANDS_SEPARATORS:
        grouped = re.escape(separator)
        pattern = rf"[+-]?\d{{1,3}}({grouped}\d{{3}})*(\.\d+)?"
        if values.str.fullmatch(pattern).all() and values.str.contains(grouped).any():
            return separator
    return None


def header_separator(path: Path, separator: str) -> str | None:
    """Return the common separator that the header line of ``path`` uses instead of
    ``separator``, if any.

    For a file that pandas cannot split into rows with ``separator`` (a ';' file whose decimal
    commas look like extra columns), only the header line is read. None if that fails too.
    """
    try:
        header = pd.read_csv(path, sep=separator, nrows=0)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile):
        return None
    return misread_separator(list(header.columns), separator)


def decimal_comma(column: pd.Series) -> bool:
    """Return whether a text column's numbers are written with a decimal comma ("3,14").

    True when every non-missing value among the first ``_SAMPLE_SIZE`` is such a number and
    none could be a number with a thousands separator instead (three digits after the comma).
    """
    if pd.api.types.is_numeric_dtype(column):
        return False
    values = column.dropna().head(_SAMPLE_SIZE).astype(str).str.strip()
    if values.empty or not values.str.fullmatch(r"[+-]?\d+(,\d+)?").all():
        return False
    decimals = values.str.extract(r",(\d+)$")[0].dropna()
    return not decimals.empty and bool((decimals.str.len() != 3).any())


def number_format_hint(
    column: pd.Series, *, thousands: str | None, decimal: str, separator: str = ","
) -> tuple[str, str] | None:
    """Return how to read a text column of numbers as numbers, if it is one.

    The result is the option to pass (such as "--thousands ','") and a description of how the
    numbers are written, for messages. Only formats that ``thousands`` and ``decimal`` do not
    already cover are checked, and a decimal comma only where the column ``separator`` is not a
    comma too. None for any other column.
    """
    if thousands is None:
        grouping = thousands_separator(column)
        if grouping is not None:
            return (
                f"--thousands {separator_option(grouping)}",
                f"numbers written with {separator_option(grouping)} between thousands",
            )
    if decimal == "." and separator != "," and decimal_comma(column):
        return "--decimal ','", "numbers written with a decimal comma"
    return None
