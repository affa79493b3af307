"""The training progress bar: one tqdm bar per epoch over its batches."""

from __future__ import annotations

import sys
from collections.abc import Mapping

from tqdm.auto import tqdm

__all__ = ["ProgressBar"]


class ProgressBar:
    """A per-epoch batch progress bar on stderr.

    Args:
        enabled: ``True`` or ``False`` forces the bar on or off; ``None`` shows it only when
            stderr is a terminal.
    """

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._bar: tqdm[None] | None = None

    def start_epoch(self, epoch: int, max_epochs: int, total_batches: int | None) -> None:
        """Open the bar of ``epoch``."""
        if self.enabled:
            self._bar = tqdm(
                total=total_batches,
                desc=f"epoch {epoch}/{max_epochs}",
                unit="batch",
                leave=False,
                file=sys.stderr,
            )

    def update(self) -> None:
        """Advance the bar by one batch."""
        if self._bar is not None:
            self._bar.update()

    def end_epoch(self, scores: Mapping[str, float]) -> None:
        """Show the epoch's scores and close the bar."""
        if self._bar is not None:
            self._bar.set_postfix({name: f"{score:.4g}" for name, score in scores.items()})
            self._bar.close()
            self._bar = None
