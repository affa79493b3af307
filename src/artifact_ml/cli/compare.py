"""``artifact-ml compare REAL.csv SYNTH.csv``: write a table-comparison report folder."""

from __future__ import annotations

import argparse
import logging
import sys
import zipfile
from pathlib import Path

import pandas as pd

from artifact_ml.cli.errors import CLIError
from artifact_ml.demo.csv_separator import (
    check_number_options,
    header_separator,
    misread_separator,
    number_format_hint,
    parse_separator,
    separator_hint,
)

__all__ = ["register", "run"]

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``compare`` sub-command to ``subparsers``."""
    parser = subparsers.add_parser(
        "compare",
        help="compare a synthetic CSV table with a real one and write an HTML report",
        description=(
            "Compute every table-comparison artifact (scores, statistics and plots) of SYNTH "
            "against REAL and write them, with an index.html that shows them all, to a folder."
        ),
    )
    parser.add_argument("real", type=Path, help="CSV file of the real table")
    parser.add_argument("synthetic", type=Path, help="CSV file of the synthetic table")
    parser.add_argument(
        "--categorical",
        action="append",
        default=[],
        metavar="A,B",
        help="comma-separated columns to treat as categorical (repeatable); other columns are "
        "inferred: numbers with more than 20 distinct values are continuous",
    )
    parser.add_argument(
        "--continuous",
        action="append",
        default=[],
        metavar="A,B",
        help="comma-separated columns to treat as continuous (repeatable)",
    )
    parser.add_argument(
        "--missing-values",
        default="?",
        metavar="TOKENS",
        help="comma-separated strings that mean a missing value, besides empty cells (default: ?)",
    )
    parser.add_argument(
        "--sep",
        default=",",
        metavar="CHAR",
        help="column separator of both CSV files (default: ,)",
    )
    parser.add_argument(
        "--thousands",
        metavar="SEP",
        help="thousands separator inside numbers, such as ',' for 1,234 (default: none, so such "
        "cells are text)",
    )
    parser.add_argument(
        "--decimal",
        default=".",
        metavar="CHAR",
        help="decimal mark inside numbers, such as ',' for 3,14 (default: .)",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=Path("artifact-ml-report"),
        help="folder to write the report to, created if absent (default: ./artifact-ml-report)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the t-SNE sample and SVD (default: 0)"
    )
    parser.set_defaults(handler=run)


# Pairs of the library's wording of a fix and the command-line wording of the same fix.
_OPTION_WORDS = (
    ("cts_features", "--continuous"),
    ("cat_features", "--categorical"),
    ("missing_values=...", "--missing-values"),
    ("seed must be", "--seed must be"),
    (
        "build the spec with TabularDataSpec.from_df on a table without them",
        "remove them from the real table's CSV file (check --sep if every column is missing)",
    ),
)


def _names(values: list[str]) -> list[str]:
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


def _read_table(
    path: Path, role: str, args: argparse.Namespace, missing_values: tuple[str, ...]
) -> pd.DataFrame:
    """Read a CSV file in which only empty cells and ``missing_values`` are missing: pandas'
    default tokens such as "NA" or "None" can be real categories (Namibia, a "None" option)."""
    if path.is_dir():
        raise CLIError(f"the {role} table {path} is a folder; pass the path of a CSV file.")
    if not path.is_file():
        raise CLIError(f"{role} table not found: {path}; pass the path of an existing CSV file.")
    try:
        table = pd.read_csv(
            path,
            sep=args.sep,
            thousands=args.thousands,
            decimal=args.decimal,
            keep_default_na=False,
            na_values=["", *missing_values],
        )
    # pandas infers compression from the file name, so a misnamed .gz or .zip file fails in
    # gzip (BadGzipFile is an OSError) or in zipfile. pandas' own errors are ValueErrors.
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        likely = header_separator(path, args.sep)
        if likely is not None:
            raise CLIError(
                f"cannot read the {role} table {path}: its header looks "
                f"{separator_hint(likely, args.sep)}"
            ) from error
        message = str(error).replace("\n", " ")
        raise CLIError(f"cannot read the {role} table {path} as CSV: {message}") from error
    likely = misread_separator(list(table.columns), args.sep)
    if likely is not None:
        raise CLIError(
            f"the {role} table {path} reads as one column named {str(table.columns[0])[:60]!r}: "
            f"it looks {separator_hint(likely, args.sep)}"
        )
    return table


def _check_options(args: argparse.Namespace) -> None:
    """Reject option values that would misread the tables or endanger files, before any work.

    Raises:
        CLIError: naming the option and the fix.
    """
    try:
        args.sep = parse_separator(args.sep)
    except ValueError as error:
        raise CLIError(str(error)) from error
    try:
        check_number_options(args.sep, args.decimal, args.thousands)
    except ValueError as error:
        raise CLIError(str(error)) from error
    output = args.output_dir.resolve()
    working = Path.cwd().resolve()
    if output == working or output in working.parents:
        raise CLIError(
            f"--output-dir {args.output_dir} is the current folder or contains it; pass a "
            "subfolder such as --output-dir report."
        )
    for role, path in (("real", args.real), ("synthetic", args.synthetic)):
        if output in path.resolve().parents:
            raise CLIError(
                f"the {role} table {path} is inside --output-dir {args.output_dir}, which the "
                "report replaces; move the table or pass another --output-dir."
            )


def _check_number_format(
    real: pd.DataFrame, synthetic: pd.DataFrame, args: argparse.Namespace
) -> None:
    """Catch numbers that read as text because of their thousands separator or decimal comma.

    It raises when such a column must be numeric: declared with --continuous, or numeric in the
    other table. Any other such column is compared as categories, with a warning.

    Raises:
        CLIError: naming the column, an example value and the option to pass.
    """
    continuous = _names(args.continuous)
    warned: set[str] = set()
    for role, table, other in (("real", real, synthetic), ("synthetic", synthetic, real)):
        for name in table.columns:
            hint = number_format_hint(
                table[name], thousands=args.thousands, decimal=args.decimal, separator=args.sep
            )
            if hint is None or name in warned:
                continue
            option, written = hint
            example = str(table[name].dropna().iloc[0])
            other_is_numeric = name in other and pd.api.types.is_numeric_dtype(other[name])
            if name in continuous or other_is_numeric:
                raise CLIError(
                    f"column {name!r} of the {role} table contains {written}, such as "
                    f"{example!r}, which read as text; pass {option}."
                )
            logger.warning(
                "Column %r contains %s, such as %r, so it is compared as categories; pass %s to "
                "compare it as numbers.",
                name,
                written,
                example,
                option,
            )
            warned.add(name)


def run(args: argparse.Namespace) -> int:
    """Write the report for ``args`` and return the exit status (0 on success).

    Raises:
        CLIError: a file is missing or unreadable, or the tables do not fit together.
    """
    from artifact_ml.core.table_comparison import TableComparisonConfig, TabularDataSpec
    from artifact_ml.core.table_comparison.report import write_report

    _check_options(args)
    missing_values = tuple(token.strip() for token in args.missing_values.split(","))
    real = _read_table(args.real, "real", args, missing_values)
    synthetic = _read_table(args.synthetic, "synthetic", args, missing_values)
    _check_number_format(real, synthetic, args)
    try:
        spec = TabularDataSpec.from_df(
            real,
            cts_features=_names(args.continuous) or None,
            cat_features=_names(args.categorical) or None,
            missing_values=missing_values,
        )
        report = write_report(
            real_data=real,
            synthetic_data=synthetic,
            resource_spec=spec,
            output_dir=args.output_dir,
            config=TableComparisonConfig(seed=args.seed),
            sources=(str(args.real), str(args.synthetic)),
        )
    except (ValueError, TypeError) as error:
        # The spec names its Python arguments; the user typed the command-line options.
        message = str(error).replace("\n", " ")
        for python_words, option_words in _OPTION_WORDS:
            message = message.replace(python_words, option_words)
        raise CLIError(message) from error
    except OSError as error:
        raise CLIError(f"cannot write the report to {args.output_dir}: {error}") from error

    sys.stdout.write(f"Report written to {report.index_path.resolve()}\n")
    for name, value in report.scores.items():
        sys.stdout.write(f"  {name}: {value:.4f}\n")
    return 0
