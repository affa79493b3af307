"""Early stopping on any cached epoch score."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from artifact_ml.torch.monitoring import MonitorMode, check_saved_monitor, is_improvement

__all__ = ["EarlyStopper"]

logger = logging.getLogger(__name__)


class EarlyStopper:
    """Stop training when a monitored score has not improved for ``patience`` checks.

    A check is an epoch at which the monitored score was recorded. Epochs without it (for example
    between artifact epochs) neither count towards ``patience`` nor reset it.

    Args:
        monitor: the cached score name, such as ``"validation/mean_js_distance"``.
        mode: ``MonitorMode.MIN`` if lower is better (the default), ``MonitorMode.MAX`` otherwise.
        patience: checks without improvement after which training stops; 1 or more. Default 5.
        min_delta: the amount by which a score must beat the best to count as an improvement;
            0 or more. Default 0.0.

    Raises:
        ValueError: if ``patience`` < 1 or ``min_delta`` < 0.
    """

    def __init__(
        self,
        monitor: str,
        *,
        mode: MonitorMode = MonitorMode.MIN,
        patience: int = 5,
        min_delta: float = 0.0,
    ) -> None:
        if patience < 1:
            raise ValueError(f"EarlyStopper patience must be >= 1, got {patience}.")
        if min_delta < 0:
            raise ValueError(f"EarlyStopper min_delta must be >= 0, got {min_delta}.")
        self.monitor = monitor
        self.mode = mode
        self.patience = patience
        self.min_delta = min_delta
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.wait = 0
        self.stopped_epoch: int | None = None

    @property
    def should_stop(self) -> bool:
        """Whether a previous ``update`` decided to stop."""
        return self.stopped_epoch is not None

    def update(self, epoch: int, scores: Mapping[str, float]) -> bool:
        """Record the scores of ``epoch`` and return whether training should stop after it.

        Once the stopper has decided to stop, later calls change nothing and return ``True``.
        """
        if self.should_stop or self.monitor not in scores:
            return self.should_stop
        score = scores[self.monitor]

        if is_improvement(score, self.best, self.mode, self.min_delta):
            self.best = score
            self.best_epoch = epoch
            self.wait = 0
        else:
            self.wait += 1

        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            logger.info(
                "Early stopping at epoch %d: %s=%.6g has not improved on the best %.6g "
                "(epoch %s) by more than %g for %d checks.",
                epoch,
                self.monitor,
                score,
                self.best,
                self.best_epoch,
                self.min_delta,
                self.wait,
            )
        return self.should_stop

    def state_dict(self) -> dict[str, Any]:
        """Return the configuration and progress, for checkpoints."""
        return {
            "monitor": self.monitor,
            "mode": self.mode.value,
            "patience": self.patience,
            "min_delta": self.min_delta,
            "best": self.best,
            "best_epoch": self.best_epoch,
            "wait": self.wait,
            "stopped_epoch": self.stopped_epoch,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore the progress saved by ``state_dict``.

        Raises:
            ValueError: if the state was saved for another monitor or mode.
        """
        check_saved_monitor(
            state, monitor=self.monitor, mode=self.mode, owner="EarlyStopper", noun="stopper"
        )
        self.best = state["best"]
        self.best_epoch = state["best_epoch"]
        self.wait = state["wait"]
        self.stopped_epoch = state["stopped_epoch"]
