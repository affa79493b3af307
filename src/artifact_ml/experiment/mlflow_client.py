"""The MLflow tracking client: scores as metrics with steps, everything else as run artifacts.

The layout of a run and how results are written are described in
``artifact_ml.experiment.mlflow_backend``.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from artifact_ml.experiment.backend_process import BackendProcessError
from artifact_ml.experiment.delivery import DeliveryConfig
from artifact_ml.experiment.filesystem import default_tracking_root
from artifact_ml.experiment.mlflow_backend import (
    MlflowBackend,
    MlflowProcessBackend,
    is_local_store,
)
from artifact_ml.experiment.optional_dependency import import_optional
from artifact_ml.experiment.server_probe import check_server_reachable
from artifact_ml.experiment.tracking_client import TrackingClient, validate_identifier

__all__ = ["MlflowTrackingClient"]

logger = logging.getLogger(__name__)


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
            delivery: queue, retry, fallback and process settings; with
                ``backend_process`` (the default), MLflow calls run in a child process.

        Raises:
            ImportError: if mlflow is not installed.
            ConnectionError: if nothing accepts connections at the host and port of an ``http(s)``
                URI, or an ``http`` server sends no response in time (see ``server_probe``;
                not checked when a proxy serves that host).
            ValueError: if ``run_id`` is not a run of this experiment, or the tracking store
                cannot be opened.
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
        from mlflow.exceptions import MlflowException
        from sqlalchemy.exc import SQLAlchemyError

        check_server_reachable(
            uri,
            service="MLflow tracking server",
            advice="Start it (for example mlflow server --host {host} --port {port}) or fix "
            "MLFLOW_TRACKING_URI (or tracking_uri=...).",
        )
        try:
            client = tracking.MlflowClient(tracking_uri=uri)
            experiment = client.get_experiment_by_name(experiment_id)
        except (MlflowException, SQLAlchemyError) as error:
            first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
            if isinstance(error, SQLAlchemyError) and uri.startswith("sqlite:"):
                advice = (
                    "The file is not a usable MLflow database: move it away, or pass another "
                    "tracking_uri (or MLFLOW_TRACKING_URI)."
                )
            else:
                advice = (
                    "Check MLFLOW_TRACKING_URI (or tracking_uri=...): a local store is a URI "
                    "such as sqlite:///path/to/mlflow.db."
                )
            raise ValueError(
                f"Cannot open the MLflow tracking store {uri!r}: {first_line.rstrip('.')}. {advice}"
            ) from error
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
            if artifact_location is None and is_local_store(uri):
                folder = (root / "mlflow-artifacts" / experiment_id).resolve()
                artifact_location = folder.as_uri()
            mlflow_experiment_id = client.create_experiment(
                experiment_id, artifact_location=artifact_location
            )

        if run_id is None:
            run_id = client.create_run(mlflow_experiment_id, run_name=run_name).info.run_id
        backend = cls._open_backend(
            client=client,
            run_id=run_id,
            tracking_uri=uri,
            experiment=experiment_id,
            delivery=delivery or DeliveryConfig(),
        )
        tracking_client = cls(
            backend=backend, experiment_id=experiment_id, run_id=run_id, delivery=delivery
        )
        tracking_client.tracking_uri = uri
        return tracking_client

    @staticmethod
    def _open_backend(
        *, client: Any, run_id: str, tracking_uri: str, experiment: str, delivery: DeliveryConfig
    ) -> MlflowBackend:
        """Return the backend that writes in a child process (``delivery.backend_process``), or
        in this process if not asked for or if the child cannot open the run (a warning gives
        the reason)."""
        arguments = {
            "client": client,
            "run_id": run_id,
            "tracking_uri": tracking_uri,
            "experiment": experiment,
        }
        if delivery.backend_process:
            try:
                return MlflowProcessBackend(**arguments, write_timeout=delivery.write_timeout)
            except BackendProcessError as error:
                logger.warning(
                    "Writing MLflow run %s from this process instead of a child process: %s",
                    run_id,
                    error,
                )
        return MlflowBackend(**arguments)

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
