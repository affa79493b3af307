"""The MLflow tracking client: scores as metrics with steps, everything else as run artifacts.

Artifact paths follow the filesystem client's layout: ``arrays/<name>/step_<step>.npy``,
``array_collections/<name>/<key>/step_<step>.npy``, ``plots/<name>/step_<step>.png``,
``plot_collections/<name>/<key>/step_<step>.png`` and ``files/<name>/step_<step>/<file name>``.
A score collection is logged as one metric per key, named ``<name>/<key>``. MLflow stores a metric
without a step at step 0, and each metric's timestamp is the time it was logged, not written.

Consecutive queued scores and score collections are written with one ``log_batch`` call, and a
plot or array collection with one ``log_artifacts`` call. Each MLflow call is one transaction of
the tracking store, which is one SQLite write for the default local store.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from artifact_ml.experiment.backend import RunOutcome, StorageName, TrackingBackend
from artifact_ml.experiment.delivery import DeliveryConfig
from artifact_ml.experiment.filesystem import default_tracking_root
from artifact_ml.experiment.optional_dependency import import_optional
from artifact_ml.experiment.plot_image import PlotImage
from artifact_ml.experiment.records import RecordKind

if TYPE_CHECKING:
    from artifact_ml.experiment.records import LogRecord
from artifact_ml.experiment.tracking_client import TrackingClient, validate_identifier

__all__ = ["MlflowTrackingClient"]

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


def _is_local_store(uri: str) -> bool:
    return "://" not in uri or uri.startswith(("sqlite:", "file:"))


@contextmanager
def _staging_folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="artifact-ml-") as folder:
        yield Path(folder)


class _MlflowBackend(TrackingBackend):
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
        with _staging_folder() as folder:
            local_path = folder / f"{_step_label(step)}.png"
            local_path.write_bytes(image.png)
            self._client.log_artifact(self._run_id, str(local_path), artifact_path=f"plots/{name}")

    def write_plot_collection(
        self, *, name: str, images: dict[str, PlotImage], step: int | None
    ) -> None:
        with _staging_folder() as folder:
            for key, image in images.items():
                (folder / key).mkdir()
                (folder / key / f"{_step_label(step)}.png").write_bytes(image.png)
            self._log_folder(folder, f"plot_collections/{name}")

    def write_file(self, *, name: str, path: Path, step: int | None) -> None:
        artifact_path = f"files/{name}" if step is None else f"files/{name}/{_step_label(step)}"
        self._client.log_artifact(self._run_id, str(path), artifact_path=artifact_path)

    def close(self, *, outcome: RunOutcome = RunOutcome.FINISHED) -> None:
        self._client.set_terminated(self._run_id, status=_RUN_STATUSES[outcome])

    def results_hint(self) -> str:
        if _is_local_store(self._tracking_uri):
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


class MlflowTrackingClient(TrackingClient):
    """Logs to an MLflow tracking store through ``mlflow.MlflowClient`` (no global active run)."""

    tracking_uri: str

    @classmethod
    def build(
        cls,
        experiment_id: str,
        run_id: str | None = None,
        *,
        tracking_uri: str | None = None,
        root_dir: str | Path | None = None,
        artifact_location: str | None = None,
        run_name: str | None = None,
        delivery: DeliveryConfig | None = None,
    ) -> MlflowTrackingClient:
        """Start an MLflow run in the experiment named ``experiment_id``, or resume ``run_id``.

        Args:
            experiment_id: MLflow experiment name; created if missing.
            run_id: an existing MLflow run id to resume; default: a new run.
            tracking_uri: default ``$MLFLOW_TRACKING_URI``, else a SQLite store
                ``<root_dir>/mlflow.db``. A new SQLite store takes several seconds to create.
            root_dir: local folder for the default store and artifacts; default
                ``$ARTIFACT_ML_TRACKING_DIR`` or ``./artifact-ml-runs``.
            artifact_location: where a new experiment stores artifacts; default
                ``<root_dir>/mlflow-artifacts/<experiment_id>`` for a local store (else the
                server's default).
            run_name: display name of a new run; default: MLflow's generated name.
            delivery: queue, retry and fallback settings.

        Raises:
            ImportError: if mlflow is not installed.
            ValueError: if ``run_id`` is not a run of this experiment.
        """
        validate_identifier(experiment_id, what="experiment id")
        if run_id is not None:
            validate_identifier(run_id, what="run id")
        tracking = import_optional("mlflow.tracking", extra="mlflow", client="MlflowTrackingClient")
        root = Path(root_dir) if root_dir is not None else default_tracking_root()
        uri = tracking_uri or os.environ.get("MLFLOW_TRACKING_URI")
        if not uri:
            root.mkdir(parents=True, exist_ok=True)
            uri = f"sqlite:///{(root / 'mlflow.db').resolve()}"
        client = tracking.MlflowClient(tracking_uri=uri)

        experiment = client.get_experiment_by_name(experiment_id)
        if run_id is not None:
            # Check the run before anything is created, so a wrong run id leaves no experiment.
            cls._resume(
                client=client,
                run_id=run_id,
                experiment_id=None if experiment is None else experiment.experiment_id,
                experiment_name=experiment_id,
            )
        if experiment is not None:
            mlflow_experiment_id = experiment.experiment_id
        else:
            if artifact_location is None and _is_local_store(uri):
                folder = (root / "mlflow-artifacts" / experiment_id).resolve()
                artifact_location = folder.as_uri()
            mlflow_experiment_id = client.create_experiment(
                experiment_id, artifact_location=artifact_location
            )

        if run_id is None:
            run_id = client.create_run(mlflow_experiment_id, run_name=run_name).info.run_id
        backend = _MlflowBackend(
            client=client, run_id=run_id, tracking_uri=uri, experiment=experiment_id
        )
        tracking_client = cls(
            backend=backend, experiment_id=experiment_id, run_id=run_id, delivery=delivery
        )
        tracking_client.tracking_uri = uri
        return tracking_client

    @staticmethod
    def _resume(
        *, client: Any, run_id: str, experiment_id: str | None, experiment_name: str
    ) -> None:
        """Mark ``run_id`` running again; ``experiment_id`` is None if the experiment is new."""
        from mlflow.exceptions import MlflowException

        try:
            run = client.get_run(run_id)
        except MlflowException as error:
            raise ValueError(f"Cannot resume MLflow run {run_id!r}: {error}") from error
        if run.info.experiment_id != experiment_id:
            owner = client.get_experiment(run.info.experiment_id).name
            raise ValueError(
                f"Cannot resume MLflow run {run_id!r}: it belongs to experiment {owner!r}, not "
                f"{experiment_name!r}. Pass experiment_id={owner!r}."
            )
        client.update_run(run_id, status="RUNNING")
