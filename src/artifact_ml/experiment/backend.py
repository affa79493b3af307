"""The interface between a tracking client and one storage backend (a folder, MLflow, ...)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from artifact_ml.experiment.plot_image import PlotImage

if TYPE_CHECKING:
    from artifact_ml.experiment.records import LogRecord, RecordKind

__all__ = ["RunOutcome", "StorageName", "TrackingBackend"]

StorageName = tuple[str, str, str]
"""(namespace, name as stored by the backend, description of the result that owns it)."""


class RunOutcome(Enum):
    """The outcome of a run, passed to ``TrackingBackend.close``."""

    FINISHED = "finished"
    FAILED = "failed"
    KILLED = "killed"
    """Interrupted by the user (``KeyboardInterrupt``)."""


class TrackingBackend(ABC):
    """Writes results to one run of one backend.

    All ``write_*`` methods and ``close`` are called from the tracking client's worker thread, one
    at a time; they may block on I/O and may raise (the client retries, then uses its fallback
    folder). Names are validated result names; collection keys are already sanitised single parts.
    A step of ``None`` means the result has no step.

    Plots arrive as ``PlotImage`` objects: a backend that stores PNG files reads ``image.png``
    (rendered once, in a separate process when possible, and shared with the fallback folder).
    """

    uses_png: ClassVar[bool] = True
    """Whether the worker should render plots to PNG before writing them (False: figures kept)."""

    batches_scores: ClassVar[bool] = False
    """Whether consecutive score records go to ``write_score_batch`` in one call."""

    stores_non_finite: ClassVar[bool] = True
    """Whether the backend stores NaN, inf and -inf scores; if False, the worker writes such
    scores to the fallback folder and logs a warning instead of passing them on."""

    @abstractmethod
    def write_score(self, *, name: str, score: float, step: int | None) -> None: ...

    @abstractmethod
    def write_array(self, *, name: str, array: np.ndarray, step: int | None) -> None: ...

    @abstractmethod
    def write_plot(self, *, name: str, image: PlotImage, step: int | None) -> None: ...

    @abstractmethod
    def write_score_collection(
        self, *, name: str, scores: dict[str, float], step: int | None
    ) -> None: ...

    @abstractmethod
    def write_array_collection(
        self, *, name: str, arrays: dict[str, np.ndarray], step: int | None
    ) -> None: ...

    @abstractmethod
    def write_plot_collection(
        self, *, name: str, images: dict[str, PlotImage], step: int | None
    ) -> None: ...

    @abstractmethod
    def write_file(self, *, name: str, path: Path, step: int | None) -> None: ...

    def write_score_batch(self, *, records: Sequence[LogRecord]) -> None:
        """Write score and score-collection records (in logging order) in one call, all or none.

        Called only when ``batches_scores`` is True; a failed batch is retried as a whole, then
        each of its records is written on its own, so only the records that fail again go to
        the fallback folder.
        """
        raise NotImplementedError(f"{type(self).__name__} does not batch scores.")

    def close(self, *, outcome: RunOutcome = RunOutcome.FINISHED) -> None:  # noqa: B027
        """Finish the run and record ``outcome`` where the backend can; called once, after every
        write. The default does nothing (an optional hook)."""

    def results_hint(self) -> str:
        """Return one line telling a user where to find the results."""
        return f"Results are stored by {type(self).__name__}."

    def storage_names(
        self, *, kind: RecordKind, name: str, keys: Sequence[str]
    ) -> list[StorageName]:
        """Return the names under which the backend stores a result, for collision checks.

        Two different results must never share a (namespace, stored name) pair. The default keeps
        names as they are: one namespace per kind for names, one per collection for keys.
        """
        owner = f"{kind.value} {name!r}"
        storage = [(kind.value, name, owner)]
        storage += [(f"{kind.value}/{name}", key, f"{owner} key {key!r}") for key in keys]
        return storage
