"""Optimizer callbacks: observers of the optimizer's state at the end of each due epoch."""

from __future__ import annotations

from abc import abstractmethod

import torch

from artifact_ml.torch.callbacks.base import Callback, ResultT_co

__all__ = ["OptimizerCallback"]


class OptimizerCallback(Callback[ResultT_co]):
    """A callback fed with the optimizer once per due epoch, after its last step of the epoch and
    before an epoch-interval scheduler steps."""

    @abstractmethod
    def update(self, optimizer: torch.optim.Optimizer) -> None:
        """Read what the callback reports from ``optimizer``."""
