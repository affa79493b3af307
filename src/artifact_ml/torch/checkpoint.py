"""Checkpoint files: atomic writes, ``weights_only`` loads and discovery of the latest one."""

from __future__ import annotations

import logging
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

__all__ = ["checkpoint_path", "latest_checkpoint", "load_checkpoint", "save_checkpoint"]

logger = logging.getLogger(__name__)

CHECKPOINT_FORMAT_VERSION = 1
_CHECKPOINT_NAME = re.compile(r"^epoch_(\d+)\.pt$")


def checkpoint_path(directory: Path, epoch: int) -> Path:
    """Return the path of the checkpoint of ``epoch`` in ``directory``: ``epoch_<epoch:04d>.pt``."""
    return directory / f"epoch_{epoch:04d}.pt"


def latest_checkpoint(directory: str | Path) -> Path | None:
    """Return the checkpoint of the highest epoch in ``directory``, or ``None`` if there is none.

    Temporary files of interrupted writes are ignored, because they never carry the final name.
    """
    folder = Path(directory)
    if not folder.is_dir():
        return None
    found = []
    for path in folder.iterdir():
        match = _CHECKPOINT_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return max(found)[1] if found else None


def save_checkpoint(path: Path, state: Mapping[str, Any]) -> None:
    """Write ``state`` to ``path`` atomically.

    The state is written to a temporary file in the same folder, flushed to disk, then renamed
    over ``path``, so a process killed mid-write leaves either the old file or the new one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as file:
            torch.save({"format_version": CHECKPOINT_FORMAT_VERSION, **state}, file)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary_name, path)
    except BaseException:
        Path(temporary_name).unlink(missing_ok=True)
        raise
    logger.info("Saved checkpoint %s.", path)


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    """Load a checkpoint written by ``save_checkpoint`` with ``weights_only=True`` onto the CPU.

    Raises:
        FileNotFoundError: if ``path`` does not exist.
        ValueError: if the file cannot be read as a checkpoint (empty, truncated, damaged or of
            another format), chained from the error that ``torch.load`` raised, or if it is not
            a checkpoint of a known format version.
    """
    checkpoint_file = Path(path)
    if not checkpoint_file.is_file():
        raise FileNotFoundError(f"Checkpoint {checkpoint_file} not found.")
    try:
        state = torch.load(checkpoint_file, map_location="cpu", weights_only=True)
    # A damaged file fails in many ways (OSError, EOFError, RuntimeError, UnpicklingError,
    # KeyError, ...) depending on where the bytes break, so every failure is reported the same way.
    except Exception as error:
        raise ValueError(
            f"Checkpoint {checkpoint_file} is damaged or not a checkpoint and cannot be loaded "
            f"({type(error).__name__}: {error}). Resume from an earlier checkpoint (see "
            "latest_checkpoint after deleting this file) or delete the file."
        ) from error
    if not isinstance(state, dict) or state.get("format_version") != CHECKPOINT_FORMAT_VERSION:
        raise ValueError(
            f"{checkpoint_file} is not an artifact-ml checkpoint of format version "
            f"{CHECKPOINT_FORMAT_VERSION}; pass a file written by CustomTrainer."
        )
    return state
