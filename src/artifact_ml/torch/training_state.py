"""The checkpointed state of a training loop: capture, restore and atomic checkpoint writes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic

import torch

from artifact_ml.torch.callbacks.checkpoint import CheckpointCallback
from artifact_ml.torch.checkpoint import checkpoint_path, save_checkpoint
from artifact_ml.torch.data import DataLoader
from artifact_ml.torch.distributed import DistributedContext, barrier
from artifact_ml.torch.early_stopping import EarlyStopper
from artifact_ml.torch.io import InputT, OutputT
from artifact_ml.torch.model import Model
from artifact_ml.torch.model_tracking import ModelTracker
from artifact_ml.torch.rng import capture_rng_state, restore_rng_state
from artifact_ml.torch.score_cache import ScoreCache

if TYPE_CHECKING:
    from torch.optim.lr_scheduler import LRScheduler

__all__ = ["TrainingState"]


class TrainingState(Generic[InputT, OutputT]):
    """Everything a checkpoint holds, and the checkpoint writes with their callbacks."""

    model: Model[InputT, OutputT]
    train_loader: DataLoader[InputT]
    score_cache: ScoreCache
    epoch: int
    global_step: int
    optimizer: torch.optim.Optimizer
    scheduler: LRScheduler | None
    grad_scaler: torch.amp.GradScaler | None
    early_stopper: EarlyStopper | None
    model_tracker: ModelTracker | None
    checkpoint_dir: Path | None
    checkpoint_callbacks: tuple[CheckpointCallback, ...]
    distributed: DistributedContext

    def checkpoint_state(self) -> dict[str, Any]:
        """Return everything ``restore_state`` needs to continue training exactly."""
        generator = self.train_loader.generator
        return {
            "epoch": self.epoch,
            "global_step": self.global_step,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": None if self.scheduler is None else self.scheduler.state_dict(),
            "grad_scaler": None if self.grad_scaler is None else self.grad_scaler.state_dict(),
            "early_stopper": None
            if self.early_stopper is None
            else self.early_stopper.state_dict(),
            "model_tracker": None
            if self.model_tracker is None
            else self.model_tracker.state_dict(),
            "score_cache": self.score_cache.state_dict(),
            "rng": capture_rng_state(),
            "loader_generator": None if generator is None else generator.get_state(),
        }

    def restore_state(self, state: dict[str, Any]) -> None:
        """Restore a state returned by ``checkpoint_state`` (or read from a checkpoint file).

        Raises:
            ValueError: if the state has an early stopper, model tracker or scheduler state and
                this trainer has none, or the other way round.
        """
        for key, component in (
            ("scheduler", self.scheduler),
            ("grad_scaler", self.grad_scaler),
            ("early_stopper", self.early_stopper),
            ("model_tracker", self.model_tracker),
        ):
            if (state[key] is None) != (component is None):
                raise ValueError(
                    f"The checkpoint {'has' if state[key] is not None else 'has no'} {key} "
                    f"state but this trainer {'has none' if component is None else 'has one'}; "
                    "resume with the hooks of the run that wrote the checkpoint."
                )
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None:
            self.scheduler.load_state_dict(state["scheduler"])
        if self.grad_scaler is not None:
            self.grad_scaler.load_state_dict(state["grad_scaler"])
        if self.early_stopper is not None:
            self.early_stopper.load_state_dict(state["early_stopper"])
        if self.model_tracker is not None:
            self.model_tracker.load_state_dict(state["model_tracker"])
        self.score_cache.load_state_dict(state["score_cache"])
        restore_rng_state(state["rng"])
        generator = self.train_loader.generator
        if generator is not None and state["loader_generator"] is not None:
            generator.set_state(state["loader_generator"])
        self.epoch = int(state["epoch"])
        self.global_step = int(state["global_step"])

    def _save_checkpoint(self, epoch: int, *, is_last_epoch: bool) -> None:
        """Write the checkpoint of ``epoch`` on rank 0 and run the due checkpoint callbacks.

        Under ``torchrun`` every rank calls this at the same epochs, and the other ranks wait at
        a barrier until rank 0 has written the file.
        """
        if self.checkpoint_dir is not None and self.distributed.is_main_process:
            path = checkpoint_path(self.checkpoint_dir, epoch)
            save_checkpoint(path, self.checkpoint_state())
            for callback in self.checkpoint_callbacks:
                if callback.is_due(epoch, is_last_epoch=is_last_epoch):
                    callback.on_checkpoint(path, epoch)
        if self.distributed.is_distributed:
            barrier()
