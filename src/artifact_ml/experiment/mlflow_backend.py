"""The MLflow backend: scores as metrics with steps, everything else as run artifacts.

Artifact paths follow the filesystem client's layout: ``arrays/<name>/step_<step>.npy``,
``array_collections/<name>/<key>/step_<step>.npy``, ``plots/<name>/step_<step>.png``,
``plot_collections/<name>/<key>/step_<step>.png`` and ``files/<name>/step_<step>/<file name>``.
A score collection is logged as one metric per key, named ``<name>/<key>``. MLflow stores a metric
without a step at step 0, and each metric's timestamp is the time it was logged, not written.

Plots end up as MLflow's figure API stores them: ``MlflowClient.log_figure`` saves the figure
with ``savefig`` and logs that file as an artifact. This backend logs the PNG bytes the renderer
process already made (see ``render_process``) with ``log_artifact``, so a figure is rendered once
for every backend and the fallback folder, and outside the training process when it can.

Consecutive queued scores and score collections are written with one ``log_batch`` call, and a
plot or array collection with one ``log_artifacts`` call. Each MLflow call is one transaction of
the tracking store, which is one SQLite write for the default local store.

``MlflowProcessBackend`` runs these writes in a child process (see ``backend_process``), so that
MLflow's Python work does not hold the training process's GIL.
"""

from __future__ import annotations

import logging
import re
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from artifact_ml.experiment.backend import RunOutcome, StorageName, TrackingBackend
from artifact_ml.experiment.backend_process import BackendProcess
from artifact_ml.experiment.plot_image import PlotImage
from artifact_ml.experiment.records import RecordKind

if TYPE_CHECKING:
    from artifact_ml.experiment.records import LogRecord

__all__ = [
    "MAX_METRIC_KEY_LENGTH",
    "WRITER_ENVIRONMENT_DEFAULTS",
    "MlflowBackend",
    "MlflowProcessBackend",
    "is_local_store",
    "open_mlflow_backend",
]

# MLflow accepts metric names made of word characters, "/", ".", "-", " " and ":" (mlflow 3.x).
_INVALID_METRIC_CHARACTERS = re.compile(r"[^\w/.\- :]")
_ARTIFACT_FOLDERS = {
    RecordKind.ARRAY: "arrays",
    RecordKind.ARRAY_COLLECTION: "array_collections",
    RecordKind.PLOT: "plots",
    RecordKind.PLOT_COLLECTION: "plot_collections",
    RecordKind.FILE: "files",
}
# MLflow rejects a log_batch call with more than 1000 metrics (mlflow 3.x).
_MAX_METRICS_PER_BATCH = 1000
# MLflow rejects metric keys longer than 250 characters (MAX_ENTITY_KEY_LENGTH, mlflow 3.x).
MAX_METRIC_KEY_LENGTH = 250
_RUN_STATUSES = {
    RunOutcome.FINISHED: "FINISHED",
    RunOutcome.FAILED: "FAILED",
    RunOutcome.KILLED: "KILLED",
}


def _metric_name(name: str) -> str:
    return _INVALID_METRIC_CHARACTERS.sub("_", name)


def _checked_metric_name(name: str) -> str:
    """Return the metric key of ``name``; raise ValueError if MLflow would reject its length."""
    key = _metric_name(name)
    if len(key) > MAX_METRIC_KEY_LENGTH:
        raise ValueError(
            f"Invalid result name {name[:60]!r}... for MLflow: the metric key is {len(key)} "
            f"characters long; MLflow allows {MAX_METRIC_KEY_LENGTH}. Shorten the name or key."
        )
    return key


def _step_label(step: int | None) -> str:
    return "step_none" if step is None else f"step_{step}"


def is_local_store(uri: str) -> bool:
    return "://" not in uri or uri.startswith(("sqlite:", "file:"))


@contextmanager
def _staging_folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="artifact-ml-") as folder:
        yield Path(folder)


class MlflowBackend(TrackingBackend):
    """Writes to one MLflow run through an ``mlflow.MlflowClient``."""

    batches_scores = True

    def __init__(self, *, client: Any, run_id: str, tracking_uri: str, experiment: str) -> None:
        self._client = client
        self._run_id = run_id
        self._tracking_uri = tracking_uri
        self._experiment = experiment

    def storage_names(
        self, *, kind: RecordKind, name: str, keys: Sequence[str]
    ) -> list[StorageName]:
        owner = f"{kind.value} {name!r}"
        if kind is RecordKind.SCORE:
            return [("metric", _checked_metric_name(name), owner)]
        if kind is RecordKind.SCORE_COLLECTION:
            return [
                ("metric", _checked_metric_name(f"{name}/{key}"), f"{owner} key {key!r}")
                for key in keys
            ]
        return [("artifact", f"{_ARTIFACT_FOLDERS[kind]}/{name}", owner)]

    def write_score(self, *, name: str, score: float, step: int | None) -> None:
        self._client.log_metric(self._run_id, _metric_name(name), score, step=step or 0)

    def write_score_collection(
        self, *, name: str, scores: dict[str, float], step: int | None
    ) -> None:
        self._log_metrics(self._metrics(name=name, scores=scores, step=step, logged_at=time.time()))

    def write_score_batch(self, *, records: Sequence[LogRecord]) -> None:
        metrics: list[Any] = []
        for record in records:
            if record.kind is RecordKind.SCORE:
                scores = {"": cast(float, record.value)}
            else:
                scores = cast(dict[str, float], record.value)
            metrics += self._metrics(
                name=record.name, scores=scores, step=record.step, logged_at=record.timestamp
            )
        self._log_metrics(metrics)

    def write_array(self, *, name: str, array: np.ndarray, step: int | None) -> None:
        with _staging_folder() as folder:
            local_path = folder / f"{_step_label(step)}.npy"
            np.save(local_path, array, allow_pickle=False)
            self._client.log_artifact(self._run_id, str(local_path), artifact_path=f"arrays/{name}")

    def write_array_collection(
        self, *, name: str, arrays: dict[str, np.ndarray], step: int | None
    ) -> None:
        with _staging_folder() as folder:
            for key, array in arrays.items():
                (folder / key).mkdir()
                np.save(folder / key / f"{_step_label(step)}.npy", array, allow_pickle=False)
            self._log_folder(folder, f"array_collections/{name}")

    def write_plot(self, *, name: str, image: PlotImage, step: int | None) -> None:
        self.write_png(name=name, png=image.png, step=step)

    def write_plot_collection(
        self, *, name: str, images: dict[str, PlotImage], step: int | None
    ) -> None:
        self.write_png_collection(
            name=name, pngs={key: image.png for key, image in images.items()}, step=step
        )

    def write_png(self, *, name: str, png: bytes, step: int | None) -> None:
        """Write the PNG bytes of one plot."""
        with _staging_folder() as folder:
            local_path = folder / f"{_step_label(step)}.png"
            local_path.write_bytes(png)
            self._client.log_artifact(self._run_id, str(local_path), artifact_path=f"plots/{name}")

    def write_png_collection(self, *, name: str, pngs: dict[str, bytes], step: int | None) -> None:
        """Write the PNG bytes of a plot collection in one call."""
        with _staging_folder() as folder:
            for key, png in pngs.items():
                (folder / key).mkdir()
                (folder / key / f"{_step_label(step)}.png").write_bytes(png)
            self._log_folder(folder, f"plot_collections/{name}")

    def write_file(self, *, name: str, path: Path, step: int | None) -> None:
        artifact_path = f"files/{name}" if step is None else f"files/{name}/{_step_label(step)}"
        self._client.log_artifact(self._run_id, str(path), artifact_path=artifact_path)

    def close(self, *, outcome: RunOutcome = RunOutcome.FINISHED) -> None:
        self._client.set_terminated(self._run_id, status=_RUN_STATUSES[outcome])

    def results_hint(self) -> str:
        if is_local_store(self._tracking_uri):
            return (
                f"Open the results with: mlflow ui --backend-store-uri {self._tracking_uri} "
                f"(experiment {self._experiment!r}, run {self._run_id})"
            )
        return f"Open the MLflow server {self._tracking_uri}, experiment {self._experiment!r}."

    @staticmethod
    def _metrics(
        *, name: str, scores: dict[str, float], step: int | None, logged_at: float
    ) -> list[Any]:
        """Build one MLflow ``Metric`` per score; key "" stands for the score ``name`` itself."""
        from mlflow.entities import Metric

        timestamp = int(logged_at * 1000)
        return [
            Metric(
                key=_metric_name(f"{name}/{key}" if key else name),
                value=value,
                timestamp=timestamp,
                step=step or 0,
            )
            for key, value in scores.items()
        ]

    def _log_metrics(self, metrics: list[Any]) -> None:
        for start in range(0, len(metrics), _MAX_METRICS_PER_BATCH):
            chunk = metrics[start : start + _MAX_METRICS_PER_BATCH]
            self._client.log_batch(self._run_id, metrics=chunk)

    def _log_folder(self, folder: Path, artifact_path: str) -> None:
        """Copy the files under ``folder`` into the run's ``artifact_path`` in one call."""
        self._client.log_artifacts(self._run_id, str(folder), artifact_path=artifact_path)


def open_mlflow_backend(*, tracking_uri: str, run_id: str, experiment: str) -> MlflowBackend:
    """Build the backend of an existing run (the opener of ``MlflowProcessBackend``'s child).

    The child quiets MLflow's store logger, which logs a full traceback for every failed
    database call. The error still reaches the parent's log, with the result it belongs to.
    """
    from mlflow.tracking import MlflowClient

    logging.getLogger("mlflow.store.db.utils").setLevel(logging.CRITICAL)

    return MlflowBackend(
        client=MlflowClient(tracking_uri=tracking_uri),
        run_id=run_id,
        tracking_uri=tracking_uri,
        experiment=experiment,
    )


WRITER_ENVIRONMENT_DEFAULTS = {"MLFLOW_HTTP_REQUEST_MAX_RETRIES": "2"}
"""Settings of MLflow in the writer process, unless this process's environment sets them.

MLflow's default of 7 HTTP retries with backoff makes one failed request to a server that went
away take about four minutes. The tracking worker retries and keeps failed results in the
fallback folder itself, so the writer gives up after 2 retries (about 5 s).

NOTE: only the writer process gets these settings. With ``DeliveryConfig(backend_process=False)``
MLflow runs in the caller's process with its own defaults, so one write to a server that went
away still takes about four minutes before the fallback folder gets it.
"""


class MlflowProcessBackend(MlflowBackend):
    """The MLflow backend with every write and ``close`` run in a child process.

    Plots are sent as their PNG bytes. Name checks and the results hint stay in this process.
    The child runs with ``WRITER_ENVIRONMENT_DEFAULTS``.

    Raises:
        BackendProcessError: the child process cannot start or cannot open the run (build the
            client with ``DeliveryConfig(backend_process=False)`` to write in this process).
    """

    def __init__(
        self,
        *,
        client: Any,
        run_id: str,
        tracking_uri: str,
        experiment: str,
        write_timeout: float = 300.0,
    ) -> None:
        super().__init__(
            client=client, run_id=run_id, tracking_uri=tracking_uri, experiment=experiment
        )
        self.process = BackendProcess(
            opener=open_mlflow_backend,
            arguments={"tracking_uri": tracking_uri, "run_id": run_id, "experiment": experiment},
            description="MLflow",
            reply_timeout=write_timeout,
            environment_defaults=WRITER_ENVIRONMENT_DEFAULTS,
        )
        self.process.start()

    def write_score(self, *, name: str, score: float, step: int | None) -> None:
        self.process.call("write_score", name=name, score=score, step=step)

    def write_score_collection(
        self, *, name: str, scores: dict[str, float], step: int | None
    ) -> None:
        self.process.call("write_score_collection", name=name, scores=scores, step=step)

    def write_score_batch(self, *, records: Sequence[LogRecord]) -> None:
        self.process.call("write_score_batch", records=list(records))

    def write_array(self, *, name: str, array: np.ndarray, step: int | None) -> None:
        self.process.call("write_array", name=name, array=array, step=step)

    def write_array_collection(
        self, *, name: str, arrays: dict[str, np.ndarray], step: int | None
    ) -> None:
        self.process.call("write_array_collection", name=name, arrays=arrays, step=step)

    def write_png(self, *, name: str, png: bytes, step: int | None) -> None:
        self.process.call("write_png", name=name, png=png, step=step)

    def write_png_collection(self, *, name: str, pngs: dict[str, bytes], step: int | None) -> None:
        self.process.call("write_png_collection", name=name, pngs=pngs, step=step)

    def write_file(self, *, name: str, path: Path, step: int | None) -> None:
        self.process.call("write_file", name=name, path=path, step=step)

    def close(self, *, outcome: RunOutcome = RunOutcome.FINISHED) -> None:
        try:
            self.process.call("close", outcome=outcome)
        finally:
            self.process.close()
