"""The epoch loop behind ``CustomTrainer``: optimisation steps, epoch-end work and checkpoints.

``CustomTrainer`` sets every attribute declared here from its hooks before calling
``run_epochs``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic

import torch

from artifact_ml.torch.checkpoint import checkpoint_path, save_checkpoint
from artifact_ml.torch.data import DataLoader
from artifact_ml.torch.early_stopping import EarlyStopper
from artifact_ml.torch.errors import NonFiniteLossError, NonFiniteLossPolicy
from artifact_ml.torch.io import InputT, OutputT
from artifact_ml.torch.model import Model
from artifact_ml.torch.model_tracking import ModelTracker
from artifact_ml.torch.precision import Precision
from artifact_ml.torch.progress import ProgressBar
from artifact_ml.torch.rng import capture_rng_state, restore_rng_state
from artifact_ml.torch.routines.artifact import ArtifactRoutine
from artifact_ml.torch.routines.batch import BatchRoutine
from artifact_ml.torch.routines.data_loader import DataLoaderRoutine
from artifact_ml.torch.scheduling import SchedulerInterval, step_epoch_scheduler
from artifact_ml.torch.score_cache import ScoreCache

if TYPE_CHECKING:
    from torch.optim.lr_scheduler import LRScheduler

    from artifact_ml.experiment import TrackingClient

__all__ = ["TRAIN_LOSS_NAME", "TrainingLoop"]

logger = logging.getLogger(__name__)

TRAIN_LOSS_NAME = "train/loss"


class TrainingLoop(Generic[InputT, OutputT]):
    """Runs epochs over ``train_loader`` with the configured components."""

    model: Model[InputT, OutputT]
    train_loader: DataLoader[InputT]
    tracking_client: TrackingClient | None
    device: torch.device
    score_cache: ScoreCache
    progress_bar: ProgressBar
    epoch: int
    global_step: int
    max_epochs: int
    optimizer: torch.optim.Optimizer
    scheduler: LRScheduler | None
    scheduler_interval: SchedulerInterval
    scheduler_monitor: str
    gradient_clip_norm: float | None
    accumulation_steps: int
    precision: Precision
    autocast: Callable[[], AbstractContextManager[object]]
    grad_scaler: torch.amp.GradScaler | None
    nonfinite_loss_policy: NonFiniteLossPolicy
    early_stopper: EarlyStopper | None
    model_tracker: ModelTracker | None
    checkpoint_dir: Path | None
    checkpoint_period: int
    batch_routine: BatchRoutine[InputT, OutputT] | None
    loader_routine: DataLoaderRoutine[InputT, OutputT] | None
    artifact_routine: ArtifactRoutine[Model[InputT, OutputT]] | None

    def run_epochs(self) -> None:
        """Run epochs ``self.epoch + 1`` to ``max_epochs``, or until the early stopper stops."""
        if self.early_stopper is not None and self.early_stopper.should_stop:
            logger.info("Training already stopped early at epoch %d.", self.epoch)
            return
        logger.info(
            "Training %s on %s from epoch %d to %d.",
            type(self.model).__name__,
            self.device,
            self.epoch + 1,
            self.max_epochs,
        )
        for epoch in range(self.epoch + 1, self.max_epochs + 1):
            is_last_epoch = epoch == self.max_epochs
            scores = self._run_training_epoch(epoch, is_last_epoch=is_last_epoch)
            should_stop = self._finish_epoch(epoch, scores, is_last_epoch=is_last_epoch)
            if should_stop or is_last_epoch or epoch % self.checkpoint_period == 0:
                self._save_checkpoint(epoch)
            if should_stop:
                break
        logger.info("Training ended after epoch %d.", self.epoch)

    def _run_training_epoch(self, epoch: int, *, is_last_epoch: bool) -> dict[str, float]:
        model = self.model
        routine = self.batch_routine
        skip_nonfinite = self.nonfinite_loss_policy is NonFiniteLossPolicy.SKIP_BATCH
        accumulation_steps = self.accumulation_steps
        autocast = self.autocast
        progress_bar = self.progress_bar if self.progress_bar.enabled else None
        losses: list[torch.Tensor] = []
        skipped_batches = 0
        pending_gradients = False

        model.train()
        if routine is not None:
            routine.start_epoch(model, epoch, is_last_epoch=is_last_epoch)
        on_batch = routine.on_batch if routine is not None and routine.observes_batches else None
        if progress_bar is not None:
            progress_bar.start_epoch(epoch, self.max_epochs, _length_or_none(self.train_loader))
        try:
            for batch_index, batch in enumerate(self.train_loader):
                with autocast():
                    output = model.training_step(batch)
                loss = output["loss"]
                detached_loss = loss.detach()
                if skip_nonfinite and not bool(torch.isfinite(detached_loss).all()):
                    skipped_batches += 1
                    continue
                losses.append(detached_loss)

                if accumulation_steps > 1:
                    loss = loss / accumulation_steps
                if self.grad_scaler is not None:
                    self.grad_scaler.scale(loss).backward()  # type: ignore[no-untyped-call]
                else:
                    loss.backward()  # type: ignore[no-untyped-call]
                pending_gradients = True
                if (batch_index + 1) % accumulation_steps == 0:
                    self._step_optimizer()
                    pending_gradients = False

                if on_batch is not None:
                    on_batch(batch, output)
                if progress_bar is not None:
                    progress_bar.update()
            if pending_gradients:
                self._step_optimizer()
        finally:
            if routine is not None:
                routine.remove_hooks()

        if skipped_batches:
            logger.warning(
                "Epoch %d: skipped %d batches with a NaN or infinite loss.", epoch, skipped_batches
            )
        return self._mean_loss(epoch, losses)

    def _step_optimizer(self) -> None:
        if self.grad_scaler is not None:
            if self.gradient_clip_norm is not None:
                self.grad_scaler.unscale_(self.optimizer)
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.gradient_clip_norm)
            self.grad_scaler.step(self.optimizer)
            self.grad_scaler.update()
        else:
            if self.gradient_clip_norm is not None:
                torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.gradient_clip_norm)
            self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        self.global_step += 1
        if self.scheduler is not None and self.scheduler_interval is SchedulerInterval.STEP:
            self.scheduler.step()

    def _mean_loss(self, epoch: int, losses: list[torch.Tensor]) -> dict[str, float]:
        if not losses:
            logger.warning("Epoch %d has no batch with a finite loss; no train/loss.", epoch)
            return {}
        stacked = torch.stack(losses).double()
        finite = torch.isfinite(stacked)
        if not bool(finite.all()):
            batch = int((~finite).nonzero()[0, 0].item())
            raise NonFiniteLossError(epoch=epoch, batch=batch, loss=float(stacked[batch].item()))
        return {TRAIN_LOSS_NAME: float(stacked.mean().item())}

    def _finish_epoch(
        self, epoch: int, train_scores: dict[str, float], *, is_last_epoch: bool
    ) -> bool:
        cache = self.score_cache
        for name, score in train_scores.items():
            cache.record(epoch, name, score)
            if self.tracking_client is not None:
                self.tracking_client.log_score(name, score, step=epoch)
        routine_scores: list[dict[str, float]] = []
        if self.batch_routine is not None:
            routine_scores.append(self.batch_routine.end_epoch(self.optimizer, epoch))
        if self.loader_routine is not None:
            routine_scores.append(
                self.loader_routine.run(self.model, epoch, is_last_epoch=is_last_epoch)
            )
        if self.artifact_routine is not None:
            routine_scores.append(
                self.artifact_routine.run(self.model, epoch, is_last_epoch=is_last_epoch)
            )
        for source in routine_scores:
            for name, score in source.items():
                cache.record(epoch, name, score)
        scores = cache.scores_at(epoch)

        if self.scheduler is not None and self.scheduler_interval is SchedulerInterval.EPOCH:
            step_epoch_scheduler(self.scheduler, scores, self.scheduler_monitor)
        if self.model_tracker is not None:
            self.model_tracker.update(epoch, scores, self.model)
        should_stop = False
        if self.early_stopper is not None:
            should_stop = self.early_stopper.update(epoch, scores)

        self.epoch = epoch
        self.progress_bar.end_epoch(scores)
        summary = ", ".join(f"{name}={score:.6g}" for name, score in sorted(scores.items()))
        logger.info("Epoch %d/%d: %s", epoch, self.max_epochs, summary)
        return should_stop

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

    def _save_checkpoint(self, epoch: int) -> None:
        if self.checkpoint_dir is None:
            return
        save_checkpoint(checkpoint_path(self.checkpoint_dir, epoch), self.checkpoint_state())


def _length_or_none(loader: DataLoader[Any]) -> int | None:
    try:
        return len(loader)
    except TypeError:
        return None
