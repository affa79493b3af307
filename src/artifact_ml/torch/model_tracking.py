"""Tracking of the best model state by any cached epoch score."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from artifact_ml.torch.monitoring import MonitorMode, check_saved_monitor, is_improvement

__all__ = ["ModelTracker"]

logger = logging.getLogger(__name__)


class ModelTracker:
    """Keep a CPU copy of the model's state at the epoch with the best monitored score.

    Args:
        monitor: the cached score name, such as ``"validation/mean_js_distance"``.
        mode: ``MonitorMode.MIN`` if lower is better (the default), ``MonitorMode.MAX`` otherwise.
        min_delta: the amount by which a score must beat the best to replace the kept state; 0 or
            more. Default 0.0.

    Raises:
        ValueError: if ``min_delta`` < 0.
    """

    def __init__(
        self, monitor: str, *, mode: MonitorMode = MonitorMode.MIN, min_delta: float = 0.0
    ) -> None:
        if min_delta < 0:
            raise ValueError(f"ModelTracker min_delta must be >= 0, got {min_delta}.")
        self.monitor = monitor
        self.mode = mode
        self.min_delta = min_delta
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.best_state: dict[str, torch.Tensor] | None = None

    def update(self, epoch: int, scores: Mapping[str, float], model: nn.Module) -> bool:
        """Keep ``model``'s state if the monitored score of ``epoch`` is the best so far.

        Returns whether the state was kept. Epochs without the monitored score are ignored.
        """
        if self.monitor not in scores:
            return False
        score = scores[self.monitor]
        if not is_improvement(score, self.best, self.mode, self.min_delta):
            return False

        self.best = score
        self.best_epoch = epoch
        self.best_state = {
            name: tensor.detach().to("cpu", copy=True)
            for name, tensor in model.state_dict().items()
        }
        logger.debug("Kept the model state of epoch %d: %s=%.6g.", epoch, self.monitor, score)
        return True

    def restore(self, model: nn.Module) -> None:
        """Load the best kept state into ``model`` (on the model's own device).

        Raises:
            RuntimeError: if no state was kept, because the monitored score was never recorded.
        """
        if self.best_state is None:
            raise RuntimeError(
                f"ModelTracker has no state to restore: score {self.monitor!r} was never "
                "recorded. Check the score name against trainer.epoch_scores.columns."
            )
        model.load_state_dict(self.best_state)

    def state_dict(self) -> dict[str, Any]:
        """Return the configuration, the best score and the kept state, for checkpoints."""
        return {
            "monitor": self.monitor,
            "mode": self.mode.value,
            "min_delta": self.min_delta,
            "best": self.best,
            "best_epoch": self.best_epoch,
            "best_state": self.best_state,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore what ``state_dict`` saved.

        Raises:
            ValueError: if the state was saved for another monitor or mode.
        """
        check_saved_monitor(
            state, monitor=self.monitor, mode=self.mode, owner="ModelTracker", noun="tracker"
        )
        self.best = state["best"]
        self.best_epoch = state["best_epoch"]
        self.best_state = state["best_state"]
