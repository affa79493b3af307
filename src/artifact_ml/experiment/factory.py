"""Pick a tracking client by backend name, e.g. for a command-line ``--tracking`` option."""

from __future__ import annotations

import os
from pathlib import Path

from artifact_ml.experiment.filesystem import default_tracking_root
from artifact_ml.experiment.tracking_client import TrackingClient

__all__ = ["TRACKING_BACKENDS", "build_tracking_client"]

TRACKING_BACKENDS = ("filesystem", "memory", "mlflow", "clearml", "neptune")


def _local_folder(root_dir: Path | None, name: str, variable: str) -> Path | None:
    """Return ``root_dir / name``; without ``root_dir``, None (the backend's default) if the
    backend's ``variable`` is set, else ``name`` under the default tracking root."""
    if root_dir is not None:
        return Path(root_dir) / name
    if os.environ.get(variable):
        return None
    return default_tracking_root() / name


def build_tracking_client(
    backend: str,
    experiment_id: str,
    root_dir: Path | None = None,
    run_id: str | None = None,
) -> TrackingClient:
    """Build the tracking client of ``backend`` (one of ``TRACKING_BACKENDS``).

    ``root_dir`` (default: ``$ARTIFACT_ML_TRACKING_DIR`` or ``./artifact-ml-runs``) is where local
    data goes: the run folders of "filesystem", the SQLite store and artifacts of "mlflow",
    Neptune's offline data in ``root_dir / ".neptune"`` (the folder name ``neptune sync``
    expects) and ClearML's cache, with its offline sessions, in ``root_dir / "clearml"``.
    "memory" ignores it. Each backend's own variable wins over the default root
    (``MLFLOW_TRACKING_URI``, ``NEPTUNE_DATA_DIRECTORY``, ``CLEARML_CACHE_DIR``) but not over
    an explicit ``root_dir``. Pass ``run_id`` to resume a run.

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

        cache_dir = _local_folder(root_dir, "clearml", "CLEARML_CACHE_DIR")
        return ClearMLTrackingClient.build(
            experiment_id=experiment_id, run_id=run_id, cache_dir=cache_dir
        )
    if backend == "neptune":
        from artifact_ml.experiment.neptune_client import NeptuneTrackingClient

        data_dir = _local_folder(root_dir, ".neptune", "NEPTUNE_DATA_DIRECTORY")
        return NeptuneTrackingClient.build(
            experiment_id=experiment_id, run_id=run_id, data_dir=data_dir
        )
    raise ValueError(
        f"Unknown tracking backend {backend!r}; choose one of {', '.join(TRACKING_BACKENDS)}."
    )
