"""Built-in optimizer callback: the learning rate of one parameter group."""

from __future__ import annotations

import torch

from artifact_ml.torch.callbacks.optimizer_state import OptimizerCallback

__all__ = ["LearningRateCallback"]


class LearningRateCallback(OptimizerCallback[float]):
    """The learning rate of parameter group ``param_group`` during the epoch's last step.

    Args:
        name: the result name; default ``"learning_rate"``.
        period: as for ``Callback``.
        param_group: the index of the optimizer's parameter group; default 0.

    Raises (from ``update``):
        IndexError: if the optimizer has no group ``param_group``.
    """

    def __init__(
        self, *, name: str = "learning_rate", period: int = 1, param_group: int = 0
    ) -> None:
        super().__init__(name, period=period)
        self.param_group = param_group
        self._learning_rate: float | None = None

    def reset(self) -> None:
        self._learning_rate = None

    def update(self, optimizer: torch.optim.Optimizer) -> None:
        groups = optimizer.param_groups
        if not 0 <= self.param_group < len(groups):
            raise IndexError(
                f"LearningRateCallback reads parameter group {self.param_group}, but the "
                f"optimizer has {len(groups)} groups."
            )
        self._learning_rate = float(groups[self.param_group]["lr"])

    def compute(self) -> float:
        if self._learning_rate is None:
            raise ValueError("LearningRateCallback.compute was called before update.")
        return self._learning_rate
