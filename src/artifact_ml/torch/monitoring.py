"""The direction and threshold rule shared by early stopping and model tracking."""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import Enum
from typing import Any

__all__ = ["MonitorMode", "check_saved_monitor", "is_improvement"]


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


def check_saved_monitor(
    state: Mapping[str, Any], *, monitor: str, mode: MonitorMode, owner: str, noun: str
) -> None:
    """Check that a ``state_dict`` was saved for the same ``monitor`` and ``mode``.

    ``owner`` is the class name and ``noun`` the object's short name, both for the message.

    Raises:
        ValueError: if the state monitors another score or uses another mode.
    """
    if state["monitor"] != monitor or state["mode"] != mode.value:
        raise ValueError(
            f"{owner} state monitors {state['monitor']!r} ({state['mode']}), but this "
            f"{noun} monitors {monitor!r} ({mode.value}); build the {noun} with "
            "the same monitor and mode as the checkpointed run."
        )
