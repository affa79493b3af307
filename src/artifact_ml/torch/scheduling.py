"""Learning-rate scheduler stepping, per epoch or per optimizer step."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum

from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau

__all__ = ["SchedulerInterval", "step_epoch_scheduler"]


class SchedulerInterval(Enum):
    """When the trainer calls ``scheduler.step()``: after each epoch or each optimizer step."""

    EPOCH = "epoch"
    STEP = "step"


def step_epoch_scheduler(
    scheduler: LRScheduler | ReduceLROnPlateau, scores: Mapping[str, float], monitor: str
) -> None:
    """Step an epoch-interval scheduler; ``ReduceLROnPlateau`` gets the ``monitor`` score.

    ``ReduceLROnPlateau`` is not stepped at epochs without the monitored score (for example
    between artifact epochs).
    """
    if isinstance(scheduler, ReduceLROnPlateau):
        if monitor in scores:
            scheduler.step(scores[monitor])
        return
    scheduler.step()
