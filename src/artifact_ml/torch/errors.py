"""Errors raised by the training loop."""

from __future__ import annotations

from enum import Enum

__all__ = ["NonFiniteLossError", "NonFiniteLossPolicy"]


class NonFiniteLossPolicy(Enum):
    """What the trainer does when a batch's loss is NaN or infinite.

    ``RAISE`` (the default) raises ``NonFiniteLossError`` at the end of the epoch, naming the first
    such batch. It checks all the epoch's losses at once, so it adds no host sync per batch. The
    parameters are then already updated with the bad gradients, and no checkpoint is written for
    that epoch. ``SKIP_BATCH`` checks every loss
    before its backward pass (one host sync per batch) and skips the batches whose loss is not
    finite, logging a warning per epoch with their count.
    """

    RAISE = "raise"
    SKIP_BATCH = "skip_batch"


class NonFiniteLossError(FloatingPointError):
    """A training loss was NaN or infinite.

    Attributes:
        epoch: the epoch (1-based).
        batch: the batch index within the epoch (0-based).
        loss: the loss value.
    """

    def __init__(self, epoch: int, batch: int, loss: float) -> None:
        self.epoch = epoch
        self.batch = batch
        self.loss = loss
        super().__init__(
            f"Training loss is {loss} at epoch {epoch}, batch {batch} (0-based batch index). "
            "Lower the learning rate, enable gradient clipping (_get_gradient_clip_norm), check "
            "the batch for NaN or infinite inputs, or return NonFiniteLossPolicy.SKIP_BATCH from "
            "_get_nonfinite_loss_policy to skip such batches."
        )
