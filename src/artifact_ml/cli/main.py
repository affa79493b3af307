"""Entry point of the ``artifact-ml`` command."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from artifact_ml import __version__
from artifact_ml.cli import compare, demo
from artifact_ml.cli.errors import CLIError


def build_parser() -> argparse.ArgumentParser:
    """Build the parser of ``artifact-ml`` and its sub-commands."""
    parser = argparse.ArgumentParser(
        prog="artifact-ml",
        description="Declarative validation workflows for PyTorch tabular synthesizers.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log debug messages as well as progress"
    )
    subparsers = parser.add_subparsers(title="commands", dest="command", required=True)
    demo.register(subparsers)
    compare.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``artifact-ml`` with ``argv`` (default ``sys.argv[1:]``) and return the exit status.

    Bad user input ends with a one-line ``artifact-ml: error: ...`` message and status 2.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    try:
        status: int = args.handler(args)
    except CLIError as error:
        sys.stderr.write(f"artifact-ml: error: {error}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("artifact-ml: interrupted\n")
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
