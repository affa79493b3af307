"""Checkpoint callbacks: actions on each checkpoint file the trainer writes."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from artifact_ml.experiment import TrackingClient

__all__ = ["CheckpointCallback", "CheckpointLoggingCallback"]


class CheckpointCallback(ABC):
    """A callback the trainer calls after writing a checkpoint file, at due epochs.

    The trainer writes checkpoints at multiples of ``_get_checkpoint_period()`` and at the epoch
    where training ends. A checkpoint callback is due at those of them that are multiples of its
    ``period``, and at the final one. Under ``torchrun`` only rank 0 writes checkpoints, so only
    rank 0 calls checkpoint callbacks.

    Args:
        period: in epochs; 1 or more.

    Raises:
        ValueError: if ``period`` < 1.
    """

    def __init__(self, *, period: int = 1) -> None:
        if period < 1:
            raise ValueError(f"{type(self).__name__} period must be >= 1 epoch, got {period}.")
        self.period = period

    def is_due(self, epoch: int, *, is_last_epoch: bool) -> bool:
        """Return whether the callback runs for the checkpoint of ``epoch`` (1-based)."""
        return is_last_epoch or epoch % self.period == 0

    @abstractmethod
    def on_checkpoint(self, path: Path, epoch: int) -> None:
        """Act on the complete checkpoint file ``path`` written after ``epoch``."""


class CheckpointLoggingCallback(CheckpointCallback):
    """Logs each due checkpoint file with ``tracking_client.log_file(name, path, step=epoch)``.

    The client reads the file when its worker writes the record, so the file must stay in place
    until ``tracking_client.stop()``. The trainer never deletes its checkpoints.

    Args:
        tracking_client: where the files go.
        name: the file result name; default ``"checkpoints"``. The filesystem client stores the
            file of epoch 3 as ``files/checkpoints/step_3/epoch_0003.pt``.
        period: as for ``CheckpointCallback``.

    Raises:
        ValueError: if ``period`` < 1 or ``name`` is empty.
    """

    def __init__(
        self, tracking_client: TrackingClient, *, name: str = "checkpoints", period: int = 1
    ) -> None:
        super().__init__(period=period)
        if not name:
            raise ValueError("CheckpointLoggingCallback needs a non-empty name.")
        self.tracking_client = tracking_client
        self.name = name

    def on_checkpoint(self, path: Path, epoch: int) -> None:
        self.tracking_client.log_file(self.name, path, step=epoch)
