"""Warnings for a monitored score name that no routine records, such as a misspelt one."""

from __future__ import annotations

import difflib
import logging
from collections.abc import Collection, Mapping

__all__ = ["MonitoredNameCheck"]

logger = logging.getLogger(__name__)


class MonitoredNameCheck:
    """Warns about monitored score names (early stopper, model tracker) that are never recorded.

    Routines with a period report nothing at some epochs, so a missing name is expected until
    every routine has reported at least once. From the first epoch after which every routine has
    reported and a monitored name is still absent, ``after_epoch`` logs one warning per name with
    the recorded names and the closest matches. ``at_end`` logs a warning for every name never
    recorded during training. Both only warn, because the trained model and ``epoch_scores`` stay
    valid without the monitored score.

    Args:
        monitors: the monitored score name of each user, such as ``{"EarlyStopper": "..."}``.
        routines: the names of the routines that have not reported yet.
    """

    def __init__(self, monitors: Mapping[str, str], routines: Collection[str]) -> None:
        self._monitors = dict(monitors)
        self._silent_routines = set(routines)
        self._warned: set[str] = set()

    @property
    def is_done(self) -> bool:
        """Whether every monitored name has been found or warned about."""
        return not self._monitors

    def mark_reported(self, routine: str) -> None:
        """Record that ``routine`` has reported a score."""
        self._silent_routines.discard(routine)

    def after_epoch(self, epoch: int, recorded_names: Collection[str]) -> None:
        """Drop the names found in ``recorded_names``; warn about the others if every routine
        has reported by ``epoch``."""
        for user, name in list(self._monitors.items()):
            if name in recorded_names:
                del self._monitors[user]
            elif not self._silent_routines and name not in self._warned:
                self._warned.add(name)
                logger.warning(
                    "%s monitors %r, but no score of that name was recorded by epoch %d, "
                    "after every routine reported. Recorded names: %s.%s Pass one of the "
                    "recorded names.",
                    user,
                    name,
                    epoch,
                    sorted(recorded_names),
                    _suggestion(name, recorded_names),
                )

    def at_end(self, last_epoch: int) -> None:
        """Warn about every monitored name that was never recorded up to ``last_epoch``."""
        for user, name in self._monitors.items():
            logger.warning(
                "Training ended at epoch %d without any %r score, so %s never acted on it "
                "(an early stopper never stops, a model tracker keeps no state). Check the name "
                "against trainer.epoch_scores.columns.",
                last_epoch,
                name,
                user,
            )


def _suggestion(name: str, recorded_names: Collection[str]) -> str:
    matches = difflib.get_close_matches(name, list(recorded_names), n=3)
    return f" Closest: {matches}." if matches else ""
