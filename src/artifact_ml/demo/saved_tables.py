"""Writing the demo's real and synthetic tables as CSV files for ``artifact-ml compare``."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from artifact_ml.core.table_comparison import TabularDataSpec

__all__ = ["SavedTables", "TableSaveError", "save_tables"]

REAL_FILE_NAME = "real.csv"
SYNTHETIC_FILE_NAME = "synthetic.csv"


class TableSaveError(OSError):
    """The tables could not be written (the message names the folder and the cause)."""


@dataclass(frozen=True)
class SavedTables:
    """Paths of the saved tables and the ``artifact-ml compare`` command that compares them."""

    real_path: Path
    synthetic_path: Path
    compare_command: str


def _write_csv_atomically(table: pd.DataFrame, path: Path) -> None:
    """Write ``table`` to ``path`` through a temporary file, so a failed write leaves no partial
    file and an earlier file at ``path`` stays whole."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", newline="") as stream:
            table.to_csv(stream, index=False)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _program() -> str:
    """Return ``artifact-ml`` if it is on PATH, else the path of the one next to this Python
    (a virtual environment that is not activated)."""
    if shutil.which("artifact-ml") is not None:
        return "artifact-ml"
    beside = Path(sys.executable).parent / "artifact-ml"
    return str(beside) if beside.is_file() else "artifact-ml"


def save_tables(
    folder: Path, real: pd.DataFrame, synthetic: pd.DataFrame, spec: TabularDataSpec
) -> SavedTables:
    """Write ``real`` and ``synthetic`` to ``folder/real.csv`` and ``folder/synthetic.csv``
    (missing values as empty cells) and return the paths with a compare command that keeps the
    feature types of ``spec``.

    Raises:
        TableSaveError: ``folder`` cannot be created or written.
    """
    real_path = folder / REAL_FILE_NAME
    synthetic_path = folder / SYNTHETIC_FILE_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_csv_atomically(real, real_path)
        _write_csv_atomically(synthetic, synthetic_path)
    except OSError as error:
        raise TableSaveError(f"Cannot save the tables to {folder}: {error}") from error
    words = [_program(), "compare", str(real_path), str(synthetic_path)]
    if spec.continuous_features:
        words += ["--continuous", ",".join(spec.continuous_features)]
    if spec.categorical_features:
        words += ["--categorical", ",".join(spec.categorical_features)]
    words += ["--output-dir", str(folder / "report")]
    return SavedTables(
        real_path=real_path,
        synthetic_path=synthetic_path,
        compare_command=shlex.join(words),
    )
