"""Errors raised by the training loop."""

from __future__ import annotations

from enum import Enum

__all__ = ["NonFiniteLossError", "NonFiniteLossPolicy"]


class NonFiniteLossPolicy(Enum):
    """The trainer's response to a NaN or infinite batch loss.

    ``RAISE_IMMEDIATELY`` (the default of ``CustomTrainer._get_nonfinite_loss_policy`` in one
    process on the CPU) checks every loss before its backward pass and raises
    ``NonFiniteLossError`` at the first bad batch. The parameters and optimizer state are then
    those after the previous batch, later batches never run, and no checkpoint of that epoch is
    written. The cost is one read of the loss per batch. On the CPU that is about 0.6 µs
    (measured with ``timeit``, see benchmarks/README.md). On CUDA or MPS it is one host sync per
    batch, and under ``torchrun`` one all-gather per batch, so that every rank raises at the
    same batch.

    ``RAISE`` (the default on CUDA or MPS and under ``torchrun``) raises ``NonFiniteLossError``
    at the end of the epoch, naming the first such batch. It checks all the epoch's losses at
    once, so it adds no host sync per batch. The parameters are then already updated with the
    bad gradients, and no checkpoint is written for that epoch.

    ``SKIP_BATCH`` checks every loss before its backward pass at the same cost as
    ``RAISE_IMMEDIATELY``, skips the batches whose loss is not finite (on every rank when one
    rank's loss is bad), and logs a warning per epoch with their count.
    """

    RAISE = "raise"
    RAISE_IMMEDIATELY = "raise_immediately"
    SKIP_BATCH = "skip_batch"


class NonFiniteLossError(FloatingPointError):
    """A training loss was NaN or infinite.

    Attributes:
        epoch: the epoch (1-based).
        batch: the batch index within the epoch (0-based); under ``torchrun``, within the rank's
            shard.
        loss: the loss value.
        rank: the process rank whose loss was not finite, or ``None`` in a single process.
    """

    def __init__(self, epoch: int, batch: int, loss: float, rank: int | None = None) -> None:
        self.epoch = epoch
        self.batch = batch
        self.loss = loss
        self.rank = rank
        where = f"epoch {epoch}, batch {batch} (0-based batch index)"
        if rank is not None:
            where += f" on rank {rank}"
        super().__init__(
            f"Training loss is {loss} at {where}. "
            "Lower the learning rate, enable gradient clipping (_get_gradient_clip_norm), check "
            "the batch for NaN or infinite inputs, or return NonFiniteLossPolicy.SKIP_BATCH from "
            "_get_nonfinite_loss_policy to skip such batches."
        )
