"""The callback base: a named accumulator that yields one result per due epoch."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Generic, TypeVar

__all__ = ["Callback", "ResultT_co"]

ResultT_co = TypeVar("ResultT_co", covariant=True)


class Callback(ABC, Generic[ResultT_co]):
    """A callback that observes training and returns one result per due epoch.

    A routine calls ``reset`` at the start of each due epoch (or data sweep), feeds the callback
    what its kind observes, then calls ``compute``. The result may be of any modality: a float
    score, a numpy array, a matplotlib Figure, or a dict of one of these.

    Args:
        name: the result name without the split prefix, such as ``"mean_loss"``; the routine logs
            it as ``"<split>/<name>"``.
        period: the callback is due at epochs that are multiples of ``period`` and at the last
            epoch; 1 or more.

    Raises:
        ValueError: if ``period`` < 1 or ``name`` is empty.
    """

    def __init__(self, name: str, *, period: int = 1) -> None:
        if not name:
            raise ValueError(f"{type(self).__name__} needs a non-empty name.")
        if period < 1:
            raise ValueError(f"{type(self).__name__} period must be >= 1 epoch, got {period}.")
        self.name = name
        self.period = period

    def is_due(self, epoch: int, *, is_last_epoch: bool) -> bool:
        """Return whether the callback runs at ``epoch`` (1-based)."""
        return is_last_epoch or epoch % self.period == 0

    @abstractmethod
    def reset(self) -> None:
        """Clear the accumulated state before a new epoch or sweep."""

    @abstractmethod
    def compute(self) -> ResultT_co:
        """Return the result of what was observed since the last ``reset``."""
