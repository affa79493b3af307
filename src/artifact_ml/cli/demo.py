"""``artifact-ml demo``: train the tabular VAE on real data, logging validation artifacts."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from artifact_ml.cli.errors import CLIError

if TYPE_CHECKING:
    from artifact_ml.demo.job import DemoResult
    from artifact_ml.demo.table_source import TableSource

_TRACKING_BACKENDS = ("filesystem", "memory", "mlflow", "clearml", "neptune")
_SUMMARY_SCORES = (
    "train/loss",
    "validation/mean_js_distance",
    "validation/correlation_distance",
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` sub-command to ``subparsers``."""
    parser = subparsers.add_parser(
        "demo",
        help="train a tabular VAE on UCI Adult (or your CSV) with validation artifacts",
        description=(
            "Train the reference tabular VAE on the bundled UCI Adult table (or on --data) on the "
            "CPU or GPU, compare generated tables with held-out rows every few epochs (mean and "
            "per-feature Jensen-Shannon distance, correlation distance, a PDF plot per feature), "
            "log everything to a tracking backend and print a summary."
        ),
    )
    parser.add_argument(
        "--data",
        type=Path,
        metavar="CSV",
        help="train on this CSV file (header row required) instead of UCI Adult; feature types "
        "are inferred: numbers with more than 20 distinct values are continuous",
    )
    parser.add_argument(
        "--categorical",
        type=_column_list,
        default=[],
        metavar="A,B",
        help="comma-separated columns of --data to treat as categorical, whatever their values",
    )
    parser.add_argument(
        "--continuous",
        type=_column_list,
        default=[],
        metavar="A,B",
        help="comma-separated columns of --data to treat as continuous (they must hold numbers)",
    )
    parser.add_argument(
        "--missing-values",
        type=_column_list,
        default=["?"],
        metavar="TOKENS",
        help="comma-separated cell values of --data that mean 'missing' (default: ?)",
    )
    parser.add_argument(
        "--sep",
        metavar="CHAR",
        help="column separator of --data, such as ';' or '\\t' for tab (default: ,)",
    )
    parser.add_argument(
        "--decimal",
        default=".",
        metavar="CHAR",
        help="decimal mark inside the numbers of --data, such as ',' for 3,14 (default: .)",
    )
    parser.add_argument(
        "--thousands",
        metavar="SEP",
        help="thousands separator inside the numbers of --data, such as ',' for 1,234 (default: "
        "none, so such cells are text)",
    )
    parser.add_argument(
        "--epochs",
        type=_positive_int,
        default=30,
        help="training epochs (default: 30; about a minute on 2 CPU cores for UCI Adult)",
    )
    parser.add_argument(
        "--artifact-period",
        type=_positive_int,
        default=5,
        metavar="EPOCHS",
        help="epochs between table comparisons; one also runs after epoch 1 and at the last "
        "epoch (default: 5)",
    )
    parser.add_argument(
        "--batch-size", type=_positive_int, default=512, help="rows per batch (default: 512)"
    )
    parser.add_argument(
        "--learning-rate",
        type=_positive_float,
        default=3e-3,
        metavar="LR",
        help="Adam's learning rate (default: 0.003)",
    )
    parser.add_argument(
        "--tracking",
        choices=_TRACKING_BACKENDS,
        default="filesystem",
        help="where results are logged (default: filesystem); each backend honours its usual "
        "environment variables, such as MLFLOW_TRACKING_URI",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        metavar="DIR",
        help="root folder of local tracking data (default: $ARTIFACT_ML_TRACKING_DIR or "
        "./artifact-ml-runs)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the data split, initial weights, batch order and generation (default: 0)",
    )
    parser.add_argument(
        "--threads",
        type=_positive_int,
        default=1,
        help="CPU threads torch may use (default: 1, because the demo's small model gains "
        "little from more and slows down a lot when they compete with other processes)",
    )
    parser.add_argument(
        "--save-tables",
        type=Path,
        metavar="DIR",
        help="after training, write the source table and a synthetic table of the same size to "
        "DIR/real.csv and DIR/synthetic.csv, ready for artifact-ml compare",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="hide the progress bar even on a terminal"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo with parsed ``args``; bad input raises :class:`CLIError`."""
    # The demo is meant to run offline: MLflow would otherwise send usage telemetry (and look up
    # its host name). Setting MLFLOW_DISABLE_TELEMETRY=false turns it back on.
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
    source = _load_source(args)
    if args.save_tables is not None:
        # Checked before training, so that a bad folder does not waste a training run.
        try:
            args.save_tables.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CLIError(
                f"cannot create the --save-tables folder {args.save_tables}: {error}; pass a "
                "writable folder"
            ) from error
    try:
        from artifact_ml.demo.job import DemoSettings, run_demo
        from artifact_ml.demo.saved_tables import TableSaveError
        from artifact_ml.torch.termination import Terminated, sigterm_raises
    except ImportError as error:
        raise CLIError(
            f"the demo needs PyTorch ({error}); install it with pip install 'artifact-ml[torch]'"
        ) from error
    settings = DemoSettings(
        epochs=args.epochs,
        artifact_period=args.artifact_period,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        threads=args.threads,
        seed=args.seed,
        tracking=args.tracking,
        output_dir=args.output_dir,
        progress_bar=False if args.no_progress else None,
        tables_dir=args.save_tables,
    )
    try:
        with sigterm_raises():
            result = run_demo(source, settings)
    except Terminated:
        sys.stderr.write("artifact-ml: terminated by SIGTERM; the run is recorded as killed\n")
        return 143
    except ImportError as error:
        raise CLIError(str(error)) from error
    except ValueError as error:
        raise CLIError(f"cannot train on {source.name}: {error}") from error
    except TableSaveError as error:
        raise CLIError(f"{error}; pass a writable --save-tables folder") from error
    print(_format_summary(source, result))
    return 0


def _load_source(args: argparse.Namespace) -> TableSource:
    from artifact_ml.demo.csv_separator import check_number_options, parse_separator
    from artifact_ml.demo.table_source import TableSourceError, load_bundled_adult, load_csv

    if args.data is None:
        if args.categorical or args.continuous or args.sep is not None or args.decimal != ".":
            raise CLIError(
                "--categorical, --continuous, --sep and --decimal apply to --data; pass a CSV "
                "file too"
            )
        return load_bundled_adult()
    try:
        separator = parse_separator(args.sep if args.sep is not None else ",")
        check_number_options(separator, args.decimal, args.thousands)
        return load_csv(
            args.data,
            categorical=args.categorical,
            continuous=args.continuous,
            missing_values=args.missing_values,
            thousands=args.thousands,
            sep=separator,
            decimal=args.decimal,
        )
    except (TableSourceError, ValueError) as error:
        raise CLIError(str(error)) from error


def _format_summary(source: TableSource, result: DemoResult) -> str:
    scores = result.epoch_scores
    shown = [name for name in _SUMMARY_SCORES if name in scores.columns]
    lines = [
        "",
        f"Trained on {result.train_rows:,} rows of {source.name}; "
        f"compared with {result.validation_rows:,} held-out rows.",
        "",
        scores[shown].to_string(float_format=lambda value: f"{value:.4f}", na_rep="-"),
        "",
    ]
    mean_js = scores.get("validation/mean_js_distance")
    if mean_js is not None and mean_js.notna().any():
        measured = mean_js.dropna()
        first = f"{measured.iloc[0]:.4f} at epoch {measured.index[0]}"
        last = f"{measured.iloc[-1]:.4f} at epoch {measured.index[-1]}"
        reading = first if len(measured) == 1 else f"{first}, {last}"
        lines.append(f"Mean JS distance (lower is better): {reading}.")
    if result.run_dir is not None:
        lines += [
            f"Run folder: {result.run_dir}",
            f"  scores:     {result.run_dir / 'scores' / 'validation'}",
            f"  PDF plots:  {result.run_dir / 'plot_collections' / 'validation' / 'pdf'}"
            "/<feature>/step_<epoch>.png",
        ]
    lines.append(result.results_hint)
    if result.saved_tables is not None:
        lines += [
            f"Tables: {result.saved_tables.real_path} and {result.saved_tables.synthetic_path}",
            f"Compare them with: {result.saved_tables.compare_command}",
        ]
    return "\n".join(lines)


def _column_list(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive finite number, got {value}")
    return value
