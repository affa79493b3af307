"""The in-memory tracking client: results kept in dictionaries, e.g. for tests and notebooks."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

import numpy as np
from matplotlib.figure import Figure

from artifact_ml.experiment.backend import RunOutcome, TrackingBackend
from artifact_ml.experiment.delivery import DeliveryConfig
from artifact_ml.experiment.plot_image import PlotImage
from artifact_ml.experiment.tracking_client import (
    TrackingClient,
    new_run_id,
    validate_identifier,
)

__all__ = ["InMemoryRun", "InMemoryTrackingClient"]

Step = int | None


@dataclass
class InMemoryRun:
    """The stored results of one run: for each name, the list of (step, value) in logging order.

    Files are stored as their bytes at the time they were written.
    """

    scores: dict[str, list[tuple[Step, float]]] = field(default_factory=dict)
    arrays: dict[str, list[tuple[Step, np.ndarray]]] = field(default_factory=dict)
    plots: dict[str, list[tuple[Step, Figure]]] = field(default_factory=dict)
    score_collections: dict[str, list[tuple[Step, dict[str, float]]]] = field(default_factory=dict)
    array_collections: dict[str, list[tuple[Step, dict[str, np.ndarray]]]] = field(
        default_factory=dict
    )
    plot_collections: dict[str, list[tuple[Step, dict[str, Figure]]]] = field(default_factory=dict)
    files: dict[str, list[tuple[Step, bytes]]] = field(default_factory=dict)
    finished: bool = False
    outcome: RunOutcome | None = None
    """The outcome of the finished run (``None`` while it runs)."""


class _InMemoryBackend(TrackingBackend):
    uses_png = False  # keeps the figures themselves

    def __init__(self, run: InMemoryRun, description: str) -> None:
        self.run = run
        self._description = description

    def write_score(self, *, name: str, score: float, step: int | None) -> None:
        self.run.scores.setdefault(name, []).append((step, score))

    def write_array(self, *, name: str, array: np.ndarray, step: int | None) -> None:
        self.run.arrays.setdefault(name, []).append((step, array))

    def write_plot(self, *, name: str, image: PlotImage, step: int | None) -> None:
        self.run.plots.setdefault(name, []).append((step, image.figure))

    def write_score_collection(
        self, *, name: str, scores: dict[str, float], step: int | None
    ) -> None:
        self.run.score_collections.setdefault(name, []).append((step, scores))

    def write_array_collection(
        self, *, name: str, arrays: dict[str, np.ndarray], step: int | None
    ) -> None:
        self.run.array_collections.setdefault(name, []).append((step, arrays))

    def write_plot_collection(
        self, *, name: str, images: dict[str, PlotImage], step: int | None
    ) -> None:
        figures = {key: image.figure for key, image in images.items()}
        self.run.plot_collections.setdefault(name, []).append((step, figures))

    def write_file(self, *, name: str, path: Path, step: int | None) -> None:
        self.run.files.setdefault(name, []).append((step, path.read_bytes()))

    def close(self, *, outcome: RunOutcome = RunOutcome.FINISHED) -> None:
        self.run.finished = True
        self.run.outcome = outcome

    def results_hint(self) -> str:
        return f"Results of {self._description} are kept in memory only (lost at exit)."


class InMemoryTrackingClient(TrackingClient):
    """Keeps every result in memory; read them after ``stop()`` (e.g. ``client.scores[name]``).

    Runs live in a process-wide registry, so ``build(experiment_id, run_id=existing)`` in the same
    process resumes a run and appends to its results.
    """

    _runs: ClassVar[dict[tuple[str, str], InMemoryRun]] = {}
    _runs_lock: ClassVar[threading.Lock] = threading.Lock()
    run: InMemoryRun

    @classmethod
    def build(
        cls,
        experiment_id: str,
        run_id: str | None = None,
        *,
        delivery: DeliveryConfig | None = None,
    ) -> InMemoryTrackingClient:
        """Start a run, or resume the run ``run_id`` of ``experiment_id`` built in this process."""
        validate_identifier(experiment_id, what="experiment id")
        run_id = new_run_id() if run_id is None else validate_identifier(run_id, what="run id")
        with cls._runs_lock:
            run = cls._runs.setdefault((experiment_id, run_id), InMemoryRun())
        run.finished = False
        run.outcome = None
        backend = _InMemoryBackend(run, description=f"run {run_id} of experiment {experiment_id}")
        client = cls(backend=backend, experiment_id=experiment_id, run_id=run_id, delivery=delivery)
        client.run = run
        return client

    @classmethod
    def forget_runs(cls) -> None:
        """Drop every stored run of this process (their results become unreachable)."""
        with cls._runs_lock:
            cls._runs.clear()

    @property
    def scores(self) -> dict[str, list[tuple[Step, float]]]:
        """Scores by name: (step, value) in logging order."""
        return self.run.scores

    @property
    def arrays(self) -> dict[str, list[tuple[Step, np.ndarray]]]:
        """Arrays by name: (step, array) in logging order."""
        return self.run.arrays

    @property
    def plots(self) -> dict[str, list[tuple[Step, Figure]]]:
        """Figures by name: (step, figure) in logging order."""
        return self.run.plots

    @property
    def score_collections(self) -> dict[str, list[tuple[Step, dict[str, float]]]]:
        """Score collections by name: (step, scores by key) in logging order."""
        return self.run.score_collections

    @property
    def array_collections(self) -> dict[str, list[tuple[Step, dict[str, np.ndarray]]]]:
        """Array collections by name: (step, arrays by key) in logging order."""
        return self.run.array_collections

    @property
    def plot_collections(self) -> dict[str, list[tuple[Step, dict[str, Figure]]]]:
        """Plot collections by name: (step, figures by key) in logging order."""
        return self.run.plot_collections

    @property
    def files(self) -> dict[str, list[tuple[Step, bytes]]]:
        """Files by name: (step, file content) in logging order."""
        return self.run.files
