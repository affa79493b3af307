"""Log records: one queued result (kind, name, value, step) on its way to a tracking backend."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np
from matplotlib.figure import Figure

from artifact_ml.experiment.plot_image import PlotImage

if TYPE_CHECKING:
    from artifact_ml.experiment.backend import TrackingBackend

__all__ = ["SCORE_KINDS", "LogRecord", "RecordKind", "close_figures", "write_record"]


class RecordKind(Enum):
    """The kind of a logged result: the six result modalities plus files (e.g. checkpoints)."""

    SCORE = "score"
    ARRAY = "array"
    PLOT = "plot"
    SCORE_COLLECTION = "score_collection"
    ARRAY_COLLECTION = "array_collection"
    PLOT_COLLECTION = "plot_collection"
    FILE = "file"


SCORE_KINDS = frozenset({RecordKind.SCORE, RecordKind.SCORE_COLLECTION})
"""Kinds that a backend with ``batches_scores`` receives in batches."""

RecordValue = (
    float
    | np.ndarray
    | PlotImage
    | dict[str, float]
    | dict[str, np.ndarray]
    | dict[str, PlotImage]
    | Path
)


@dataclass(frozen=True)
class LogRecord:
    """One result to write. ``timestamp`` is the Unix time (seconds) at which it was logged."""

    kind: RecordKind
    name: str
    value: RecordValue
    step: int | None
    timestamp: float = field(default_factory=time.time)

    def images(self) -> list[PlotImage]:
        """Return the plot images of this record (none unless it is a plot or collection)."""
        if self.kind is RecordKind.PLOT:
            return [cast(PlotImage, self.value)]
        if self.kind is RecordKind.PLOT_COLLECTION:
            return list(cast(dict[str, PlotImage], self.value).values())
        return []

    def figures(self) -> list[Figure]:
        """Return the figures of this record (none unless it is a plot or plot collection)."""
        return [image.figure for image in self.images()]


def write_record(backend: TrackingBackend, record: LogRecord) -> None:
    """Write ``record`` through the backend method for its kind; backend errors propagate."""
    name, step, value = record.name, record.step, record.value
    if record.kind is RecordKind.SCORE:
        backend.write_score(name=name, score=cast(float, value), step=step)
    elif record.kind is RecordKind.ARRAY:
        backend.write_array(name=name, array=cast(np.ndarray, value), step=step)
    elif record.kind is RecordKind.PLOT:
        backend.write_plot(name=name, image=cast(PlotImage, value), step=step)
    elif record.kind is RecordKind.SCORE_COLLECTION:
        backend.write_score_collection(name=name, scores=cast(dict[str, float], value), step=step)
    elif record.kind is RecordKind.ARRAY_COLLECTION:
        backend.write_array_collection(
            name=name, arrays=cast(dict[str, np.ndarray], value), step=step
        )
    elif record.kind is RecordKind.PLOT_COLLECTION:
        backend.write_plot_collection(
            name=name, images=cast(dict[str, PlotImage], value), step=step
        )
    else:
        backend.write_file(name=name, path=cast(Path, value), step=step)


def close_figures(figures: list[Figure]) -> None:
    """Close figures: remove them from pyplot's registry if pyplot is in use.

    A ``matplotlib.figure.Figure`` created without pyplot has no global state, so closing it is
    a no-op and it stays usable (e.g. a plan's kept results can still be rendered). Pyplot is never
    imported here; if the caller used it, ``pyplot.close`` releases the figure's manager.
    """
    # While another thread is importing pyplot, the module is registered but has no close yet;
    # a figure of that import cannot be among ``figures``.
    close = getattr(sys.modules.get("matplotlib.pyplot"), "close", None)
    if close is None:
        return
    for figure in figures:
        close(figure)
