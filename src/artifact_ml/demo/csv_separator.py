"""The field separator of a CSV file: the ``--sep`` option's value and a check of its result."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["misread_separator", "parse_separator", "separator_option"]

# Separators that spreadsheet exports commonly use, checked in this order.
_COMMON_SEPARATORS = (",", ";", "\t", "|")


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
