"""Pick a tracking client by backend name, e.g. for a command-line ``--tracking`` option."""

from __future__ import annotations

from pathlib import Path

from artifact_ml.experiment.tracking_client import TrackingClient

__all__ = ["TRACKING_BACKENDS", "build_tracking_client"]

TRACKING_BACKENDS = ("filesystem", "memory", "mlflow", "clearml", "neptune")


def build_tracking_client(
    backend: str,
    experiment_id: str,
    root_dir: Path | None = None,
    run_id: str | None = None,
) -> TrackingClient:
    """Build the tracking client of ``backend`` (one of ``TRACKING_BACKENDS``).

    ``root_dir`` is where local data goes: the run folders of "filesystem", the SQLite store and
    artifacts of "mlflow" and the offline data of "neptune". ClearML's cache, with its offline
    sessions, goes to ``root_dir / "clearml"``, and "memory" ignores ``root_dir``. Each backend
    also honours its usual environment variables (e.g. ``MLFLOW_TRACKING_URI``). Pass ``run_id``
    to resume a run.

    Raises:
        ValueError: if ``backend`` is unknown (the message lists the known ones).
        ImportError: if the backend's library is missing (the message names the pip command).
    """
    if backend == "filesystem":
        from artifact_ml.experiment.filesystem import FilesystemTrackingClient

        return FilesystemTrackingClient.build(
            experiment_id=experiment_id, run_id=run_id, root_dir=root_dir
        )
    if backend == "memory":
        from artifact_ml.experiment.in_memory import InMemoryTrackingClient

        return InMemoryTrackingClient.build(experiment_id=experiment_id, run_id=run_id)
    if backend == "mlflow":
        from artifact_ml.experiment.mlflow_client import MlflowTrackingClient

        return MlflowTrackingClient.build(
            experiment_id=experiment_id, run_id=run_id, root_dir=root_dir
        )
    if backend == "clearml":
        from artifact_ml.experiment.clearml_client import ClearMLTrackingClient

        cache_dir = None if root_dir is None else Path(root_dir) / "clearml"
        return ClearMLTrackingClient.build(
            experiment_id=experiment_id, run_id=run_id, cache_dir=cache_dir
        )
    if backend == "neptune":
        from artifact_ml.experiment.neptune_client import NeptuneTrackingClient

        return NeptuneTrackingClient.build(
            experiment_id=experiment_id, run_id=run_id, data_dir=root_dir
        )
    raise ValueError(
        f"Unknown tracking backend {backend!r}; choose one of {', '.join(TRACKING_BACKENDS)}."
    )
