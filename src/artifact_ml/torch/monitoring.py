"""The direction and threshold rule shared by early stopping and model tracking."""

from __future__ import annotations

import math
from enum import Enum

__all__ = ["MonitorMode", "is_improvement"]


class MonitorMode(Enum):
    """Whether a lower (``MIN``) or a higher (``MAX``) monitored score is better."""

    MIN = "min"
    MAX = "max"


def is_improvement(score: float, best: float | None, mode: MonitorMode, min_delta: float) -> bool:
    """Return whether ``score`` beats ``best`` by more than ``min_delta`` in direction ``mode``.

    A NaN score never improves; any finite or infinite score improves on ``best=None``.
    """
    if math.isnan(score):
        return False
    if best is None:
        return True
    if mode is MonitorMode.MIN:
        return score < best - min_delta
    return score > best + min_delta
