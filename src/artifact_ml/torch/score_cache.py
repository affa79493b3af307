"""In-memory cache of epoch-level scores, the source of ``epoch_scores``, early stopping and model
tracking."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = ["ScoreCache"]


class ScoreCache:
    """Scores by epoch (1-based) and name, such as ``"validation/mean_js_distance"``."""

    def __init__(self) -> None:
        self._scores: dict[int, dict[str, float]] = {}

    def record(self, epoch: int, name: str, score: float) -> None:
        """Store ``score`` for ``name`` at ``epoch``.

        Raises:
            ValueError: if ``name`` already has a score at ``epoch``, because two sources then
                report the same name; rename one of them.
        """
        epoch_scores = self._scores.setdefault(epoch, {})
        if name in epoch_scores:
            raise ValueError(
                f"Score {name!r} was already recorded at epoch {epoch} (value "
                f"{epoch_scores[name]!r}); two callbacks or routines report the same name, so "
                "rename one of them."
            )
        epoch_scores[name] = float(score)

    def scores_at(self, epoch: int) -> dict[str, float]:
        """Return a copy of the scores recorded at ``epoch`` (empty if none)."""
        return dict(self._scores.get(epoch, {}))

    def names(self) -> set[str]:
        """Return every score name recorded at any epoch."""
        return {name for scores in self._scores.values() for name in scores}

    def latest(self, name: str) -> tuple[int, float] | None:
        """Return the last ``(epoch, score)`` recorded for ``name``, or ``None``."""
        for epoch in sorted(self._scores, reverse=True):
            if name in self._scores[epoch]:
                return epoch, self._scores[epoch][name]
        return None

    def to_frame(self) -> pd.DataFrame:
        """Return a DataFrame indexed by epoch (named "epoch") with one column per score name.

        Only epochs with at least one score appear, so no row is all NaN. A score missing at an
        epoch where others exist is NaN.
        """
        epochs = sorted(epoch for epoch, scores in self._scores.items() if scores)
        names = sorted({name for scores in self._scores.values() for name in scores})
        frame = pd.DataFrame(
            [[self._scores[epoch].get(name, float("nan")) for name in names] for epoch in epochs],
            index=pd.Index(epochs, name="epoch", dtype="int64"),
            columns=pd.Index(names, dtype="object"),
            dtype="float64",
        )
        return frame

    def state_dict(self) -> dict[int, dict[str, float]]:
        """Return the cached scores, for checkpoints."""
        return {epoch: dict(scores) for epoch, scores in self._scores.items()}

    def load_state_dict(self, state: Mapping[int, Mapping[str, float]]) -> None:
        """Replace the cached scores with ``state`` from ``state_dict``."""
        self._scores = {int(epoch): dict(scores) for epoch, scores in state.items()}
