"""Fixtures that run every tracking client against its real backend in a per-test folder.

Each backend's local storage (MLflow SQLite store and artifacts, ClearML's offline session and
home folder, Neptune's offline data) goes under the test's ``tmp_path``; nothing reaches the
network or the user's home folder.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tracking_readers import READERS, StoredRun

from artifact_ml.experiment import InMemoryTrackingClient, TrackingClient
from artifact_ml.experiment.delivery import DeliveryConfig

BACKENDS = ("memory", "filesystem", "mlflow", "clearml", "neptune")


@pytest.fixture(scope="session")
def mlflow_template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Create and migrate one SQLite store per session (about 7 s); tests copy it."""
    from mlflow.tracking import MlflowClient

    path = tmp_path_factory.mktemp("mlflow_template") / "template.db"
    MlflowClient(f"sqlite:///{path}").search_experiments()
    return path


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point every default folder of artifact-ml and the backends into ``tmp_path``."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("ARTIFACT_ML_TRACKING_DIR", str(tmp_path / "runs"))
    monkeypatch.setenv("ARTIFACT_ML_FALLBACK_DIR", str(tmp_path / "fallback"))
    monkeypatch.setenv("CLEARML_CACHE_DIR", str(tmp_path / "clearml_cache"))
    monkeypatch.setenv("NEPTUNE_DATA_DIRECTORY", str(tmp_path / "neptune"))
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    yield
    InMemoryTrackingClient.forget_runs()


@pytest.fixture
def without_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clear the proxy variables, so that clients connect to localhost servers directly."""
    for variable in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def closed_local_port(without_proxy: None) -> int:
    """Return a localhost port where nothing listens (proxy variables cleared)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class BackendCase:
    """Builds clients of one backend in one test folder and reads their runs back from storage."""

    name: str
    tmp_path: Path
    builder: Callable[..., TrackingClient]

    def build(
        self, run_id: str | None = None, delivery: DeliveryConfig | None = None
    ) -> TrackingClient:
        return self.builder(experiment_id="exp", run_id=run_id, delivery=delivery)

    def read(self, client: TrackingClient) -> StoredRun:
        return READERS[self.name](client, self.tmp_path)


@pytest.fixture(params=BACKENDS)
def backend_case(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[BackendCase]:
    """One case per backend, with the backend's storage redirected into ``tmp_path``."""
    name: str = request.param
    if name == "memory":
        builder: Callable[..., TrackingClient] = InMemoryTrackingClient.build
    elif name == "filesystem":
        from artifact_ml.experiment import FilesystemTrackingClient

        builder = FilesystemTrackingClient.build
    elif name == "mlflow":
        from artifact_ml.experiment import MlflowTrackingClient

        template = request.getfixturevalue("mlflow_template_db")
        (tmp_path / "runs").mkdir(exist_ok=True)
        shutil.copy(template, tmp_path / "runs" / "mlflow.db")
        builder = MlflowTrackingClient.build
    elif name == "clearml":
        from artifact_ml.experiment import ClearMLTrackingClient

        builder = ClearMLTrackingClient.build
    else:
        from artifact_ml.experiment import NeptuneTrackingClient

        builder = NeptuneTrackingClient.build
    yield BackendCase(name=name, tmp_path=tmp_path, builder=builder)
    if name == "clearml":
        from clearml import Task

        task: Task | None = Task.current_task()
        if task is not None:
            task.close()
