"""The filesystem tracking client: one readable folder per experiment and run."""

from __future__ import annotations

import os
from pathlib import Path

from artifact_ml.experiment.delivery import DeliveryConfig
from artifact_ml.experiment.run_folder import RunFolderBackend
from artifact_ml.experiment.tracking_client import (
    TrackingClient,
    new_run_id,
    validate_identifier,
)

__all__ = ["TRACKING_DIR_VARIABLE", "FilesystemTrackingClient", "default_tracking_root"]

TRACKING_DIR_VARIABLE = "ARTIFACT_ML_TRACKING_DIR"


def default_tracking_root() -> Path:
    """Return ``$ARTIFACT_ML_TRACKING_DIR``, or ``./artifact-ml-runs`` when it is unset."""
    return Path(os.environ.get(TRACKING_DIR_VARIABLE) or "artifact-ml-runs")


class FilesystemTrackingClient(TrackingClient):
    """Writes every result into ``run_dir = root_dir / experiment_id / run_id``.

    The layout is described in ``artifact_ml.experiment.run_folder``: scores as CSV tables with
    their step history, arrays as ``.npy``, plots as ``.png``, files copied, and ``run.json``.
    """

    run_dir: Path

    @classmethod
    def build(
        cls,
        experiment_id: str,
        run_id: str | None = None,
        root_dir: str | Path | None = None,
        *,
        delivery: DeliveryConfig | None = None,
    ) -> FilesystemTrackingClient:
        """Start a run, or resume it if ``run_id`` names an existing run folder.

        Args:
            experiment_id: folder name of the experiment.
            run_id: folder name of the run; default: a new id from the UTC time and random digits.
            root_dir: folder that contains the experiments; default ``$ARTIFACT_ML_TRACKING_DIR`` or
                ``./artifact-ml-runs``.
            delivery: queue, retry and fallback settings.

        Raises:
            ValueError: if ``experiment_id`` or ``run_id`` is empty or contains "/" or "\\".
        """
        validate_identifier(experiment_id, what="experiment id")
        run_id = new_run_id() if run_id is None else validate_identifier(run_id, what="run id")
        root = Path(root_dir) if root_dir is not None else default_tracking_root()
        run_dir = (root / experiment_id / run_id).resolve()
        backend = RunFolderBackend(run_dir=run_dir, experiment_id=experiment_id, run_id=run_id)
        backend.start()
        client = cls(backend=backend, experiment_id=experiment_id, run_id=run_id, delivery=delivery)
        client.run_dir = run_dir
        return client
