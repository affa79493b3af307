"""The epoch loop behind ``CustomTrainer``: optimisation steps and epoch-end work.

``CustomTrainer`` sets every attribute declared here from its hooks before calling
``run_epochs``.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import torch
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler

from artifact_ml.torch.batch_contract import check_training_batch, check_training_output
from artifact_ml.torch.distributed import (
    all_gather_values,
    broadcast_scores,
    redirected_training_step,
)
from artifact_ml.torch.errors import NonFiniteLossError, NonFiniteLossPolicy
from artifact_ml.torch.io import InputT, OutputT
from artifact_ml.torch.monitor_names import MonitoredNameCheck
from artifact_ml.torch.precision import Precision
from artifact_ml.torch.progress import ProgressBar
from artifact_ml.torch.routines.artifact import ArtifactRoutine
from artifact_ml.torch.routines.batch import BatchRoutine
from artifact_ml.torch.routines.data_loader import DataLoaderRoutine
from artifact_ml.torch.scheduling import SchedulerInterval, step_epoch_scheduler
from artifact_ml.torch.training_state import TrainingState

if TYPE_CHECKING:
    from artifact_ml.experiment import TrackingClient
    from artifact_ml.torch.model import Model

__all__ = ["TRAIN_LOSS_NAME", "TrainingLoop"]

logger = logging.getLogger(__name__)

TRAIN_LOSS_NAME = "train/loss"


class TrainingLoop(TrainingState[InputT, OutputT]):
    """Runs epochs over ``train_loader`` with the configured components.

    Under ``torchrun`` (``distributed.is_distributed``), every rank runs the same epochs through
    ``distributed_model``. ``train/loss`` is averaged over the batches of all ranks. Routines
    exist only on rank 0, and their scores are broadcast so that every rank's score cache, early
    stopper, model tracker and scheduler see the same values.
    """

    tracking_client: TrackingClient | None
    device: torch.device
    progress_bar: ProgressBar
    max_epochs: int
    scheduler_interval: SchedulerInterval
    scheduler_monitor: str
    gradient_clip_norm: float | None
    accumulation_steps: int
    precision: Precision
    autocast: Callable[[], AbstractContextManager[object]]
    nonfinite_loss_policy: NonFiniteLossPolicy
    checkpoint_period: int
    batch_routine: BatchRoutine[InputT, OutputT] | None
    loader_routine: DataLoaderRoutine[InputT, OutputT] | None
    artifact_routine: ArtifactRoutine[Model[InputT, OutputT]] | None
    distributed_model: DistributedDataParallel | None
    monitored_name_check: MonitoredNameCheck
    # Whether the first batch and training_step output passed the checks of batch_contract.
    batch_contract_checked: bool

    def run_epochs(self) -> None:
        """Run epochs ``self.epoch + 1`` to ``max_epochs``, or until the early stopper stops."""
        if self.early_stopper is not None and self.early_stopper.should_stop:
            logger.info("Training already stopped early at epoch %d.", self.epoch)
            return
        if self.epoch >= self.max_epochs:
            logger.info(
                "Training already reached max_epochs=%d; call train(max_epochs=...) with a larger "
                "bound to continue.",
                self.max_epochs,
            )
            return
        logger.info(
            "Training %s on %s from epoch %d to %d%s.",
            type(self.model).__name__,
            self.device,
            self.epoch + 1,
            self.max_epochs,
            f" (rank {self.distributed.rank} of {self.distributed.world_size})"
            if self.distributed.is_distributed
            else "",
        )
        for epoch in range(self.epoch + 1, self.max_epochs + 1):
            is_last_epoch = epoch == self.max_epochs
            scores = self._run_training_epoch(epoch, is_last_epoch=is_last_epoch)
            should_stop = self._finish_epoch(epoch, scores, is_last_epoch=is_last_epoch)
            if should_stop or is_last_epoch or epoch % self.checkpoint_period == 0:
                self._save_checkpoint(epoch, is_last_epoch=should_stop or is_last_epoch)
            if should_stop:
                break
        if self.distributed.is_main_process:
            self.monitored_name_check.at_end(self.epoch)
        logger.info("Training ended after epoch %d.", self.epoch)

    def _training_step_function(self) -> Callable[[InputT], OutputT]:
        if self.distributed_model is None:
            return self.model.training_step
        return functools.partial(redirected_training_step, self.distributed_model, self.model)

    def _run_training_epoch(self, epoch: int, *, is_last_epoch: bool) -> dict[str, float]:
        model = self.model
        training_step = self._training_step_function()
        routine = self.batch_routine
        check_each_loss = self.nonfinite_loss_policy is not NonFiniteLossPolicy.RAISE
        accumulation_steps = self.accumulation_steps
        autocast = self.autocast
        progress_bar = self.progress_bar if self.progress_bar.enabled else None
        losses: list[torch.Tensor] = []
        skipped_batches = 0
        pending_gradients = False

        model.train()
        sampler = self.train_loader.loader.sampler
        if isinstance(sampler, DistributedSampler):
            sampler.set_epoch(epoch)
        if routine is not None:
            routine.start_epoch(model, epoch, is_last_epoch=is_last_epoch)
        on_batch = routine.on_batch if routine is not None and routine.observes_batches else None
        if progress_bar is not None:
            progress_bar.start_epoch(epoch, self.max_epochs, _length_or_none(self.train_loader))
        model_name = type(model).__name__
        check_contract = not self.batch_contract_checked
        batch_index = -1
        try:
            for batch_index, batch in enumerate(self.train_loader):
                if check_contract:
                    check_training_batch(model_name, batch, epoch=epoch, batch_index=batch_index)
                with autocast():
                    output = training_step(batch)
                if check_contract:
                    check_training_output(model_name, output, epoch=epoch, batch_index=batch_index)
                    self.batch_contract_checked = True
                    check_contract = False
                loss = output["loss"]
                detached_loss = loss.detach()
                if check_each_loss and not self._check_batch_loss(
                    epoch, batch_index, detached_loss
                ):
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
        if batch_index < 0:
            raise ValueError(
                f"The training loader of {model_name} yielded no batch at epoch {epoch}; check "
                "that its dataset is not empty and that drop_last=True does not drop its only "
                "batch."
            )

        if skipped_batches:
            logger.warning(
                "Epoch %d: skipped %d batches with a NaN or infinite loss.", epoch, skipped_batches
            )
        if self.distributed.is_distributed:
            return self._distributed_mean_loss(epoch, losses)
        return self._mean_loss(epoch, losses)

    def _check_batch_loss(self, epoch: int, batch_index: int, loss: torch.Tensor) -> bool:
        """Return whether the batch's loss is finite on every rank; else skip it or raise."""
        # NOTE: under DDP, the per-batch policies are covered by no multi-process test yet.
        if self.distributed.is_distributed:
            rank_losses = all_gather_values(loss)
            bad_ranks = (~torch.isfinite(rank_losses)).any(dim=1).nonzero()
            if len(bad_ranks) == 0:
                return True
            bad_rank: int | None = int(bad_ranks[0, 0].item())
            bad_values = rank_losses[bad_rank]
        else:
            # The loss has one element (checked at the first batch); .item() is the cheapest read.
            if math.isfinite(loss.item()):
                return True
            bad_rank = None
            bad_values = loss.reshape(-1)
        if self.nonfinite_loss_policy is NonFiniteLossPolicy.SKIP_BATCH:
            return False
        bad_value = bad_values[~torch.isfinite(bad_values)][0]
        raise NonFiniteLossError(
            epoch=epoch, batch=batch_index, loss=float(bad_value.item()), rank=bad_rank
        )

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

    def _distributed_mean_loss(self, epoch: int, losses: list[torch.Tensor]) -> dict[str, float]:
        """Average the losses of every rank's batches; raise on every rank if one is not finite.

        One all-gather per epoch carries each rank's loss sum, batch count, first non-finite batch
        index (-1 if none) and that batch's loss.
        """
        summary = torch.tensor([0.0, 0.0, -1.0, 0.0], dtype=torch.float64)
        if losses:
            stacked = torch.stack(losses).double().reshape(len(losses), -1).mean(dim=1).cpu()
            bad = (~torch.isfinite(stacked)).nonzero()
            summary[0] = stacked.sum()
            summary[1] = len(losses)
            if len(bad):
                summary[2] = float(bad[0, 0].item())
                summary[3] = stacked[int(bad[0, 0].item())]
        gathered = all_gather_values(summary.to(self.device))
        for rank, (_, _, bad_batch, bad_loss) in enumerate(gathered.tolist()):
            if bad_batch >= 0:
                raise NonFiniteLossError(
                    epoch=epoch, batch=int(bad_batch), loss=bad_loss, rank=rank
                )
        count = float(gathered[:, 1].sum().item())
        if count == 0:
            logger.warning("Epoch %d has no batch with a finite loss; no train/loss.", epoch)
            return {}
        return {TRAIN_LOSS_NAME: float(gathered[:, 0].sum().item()) / count}

    def _finish_epoch(
        self, epoch: int, train_scores: dict[str, float], *, is_last_epoch: bool
    ) -> bool:
        cache = self.score_cache
        is_main_process = self.distributed.is_main_process
        for name, score in train_scores.items():
            cache.record(epoch, name, score)
            if self.tracking_client is not None and is_main_process:
                self.tracking_client.log_score(name, score, step=epoch)
        # A list of (name, score) pairs, so that the cache rejects a name two routines report.
        routine_scores: list[tuple[str, float]] = []
        name_check = self.monitored_name_check
        if self.batch_routine is not None:
            batch_scores = self.batch_routine.end_epoch(self.optimizer, epoch)
            if batch_scores:
                name_check.mark_reported("batch routine")
            routine_scores.extend(batch_scores.items())
        if self.loader_routine is not None:
            loader_scores = self.loader_routine.run(self.model, epoch, is_last_epoch=is_last_epoch)
            if loader_scores:
                name_check.mark_reported("loader routine")
            routine_scores.extend(loader_scores.items())
        if self.artifact_routine is not None:
            artifact_scores = self.artifact_routine.run(
                self.model, epoch, is_last_epoch=is_last_epoch
            )
            if artifact_scores:
                name_check.mark_reported("artifact routine")
            routine_scores.extend(artifact_scores.items())
        if self.distributed.is_distributed:
            routine_scores = broadcast_scores(routine_scores, is_main_process=is_main_process)
        for name, score in routine_scores:
            cache.record(epoch, name, score)
        scores = cache.scores_at(epoch)
        if not name_check.is_done and is_main_process:
            name_check.after_epoch(epoch, cache.names())

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
        logger.log(
            logging.INFO if is_main_process else logging.DEBUG,
            "Epoch %d/%d: %s",
            epoch,
            self.max_epochs,
            summary,
        )
        return should_stop


def _length_or_none(loader: Any) -> int | None:
    try:
        return len(loader)
    except TypeError:
        return None
