"""The MLflow client against a real ``mlflow server`` on localhost, reached over HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from tracking_readers import read_run_folder

from artifact_ml.experiment import DeliveryConfig, MlflowTrackingClient

_START_TIMEOUT_SECONDS = 120.0


@dataclass
class MlflowServer:
    uri: str
    process: subprocess.Popen[bytes]


@pytest.fixture
def mlflow_server(tmp_path: Path, closed_local_port: int) -> Iterator[MlflowServer]:
    """Start ``mlflow server`` with a SQLite store in ``tmp_path``, on a free localhost port."""
    port = closed_local_port
    command = [
        sys.executable,
        "-m",
        "mlflow",
        "server",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--backend-store-uri",
        f"sqlite:///{tmp_path / 'server.db'}",
        "--artifacts-destination",
        (tmp_path / "server-artifacts").as_uri(),
    ]
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    uri = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + _START_TIMEOUT_SECONDS
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{uri}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail(f"mlflow server did not start: {(tmp_path / 'server.log').read_text()}")
            time.sleep(0.5)
        yield MlflowServer(uri=uri, process=server)
    finally:
        _stop_group(server)
        log.close()


def _stop_group(server: subprocess.Popen[bytes]) -> None:
    """Stop the server and its worker processes (one process group)."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
    except ProcessLookupError:  # the whole group has exited
        server.wait()
        return
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


@pytest.mark.slow
def test_mlflow_server_stores_results(mlflow_server: MlflowServer, tmp_path: Path) -> None:
    from mlflow.tracking import MlflowClient

    client = MlflowTrackingClient.build("exp", tracking_uri=mlflow_server.uri)
    for step in range(3):
        client.log_score("train/loss", 1.0 / (step + 1), step=step)
    figure, axes = plt.subplots(figsize=(2, 2), dpi=40)
    axes.plot([0.0, 1.0], [1.0, 0.0])
    client.log_plot("validation/curve", figure, step=2)
    client.stop()

    reader = MlflowClient(tracking_uri=mlflow_server.uri)
    history = reader.get_metric_history(client.run_id, "train/loss")
    assert [(metric.step, metric.value) for metric in history] == [(0, 1.0), (1, 0.5), (2, 1 / 3)]
    (plot,) = reader.list_artifacts(client.run_id, "plots/validation/curve")
    assert plot.path == "plots/validation/curve/step_2.png"
    png = Path(reader.download_artifacts(client.run_id, plot.path, dst_path=str(tmp_path)))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert reader.get_run(client.run_id).info.status == "FINISHED"
    assert client.fallback_count == 0


@pytest.mark.slow
def test_dead_mlflow_server_fills_fallback_quickly(mlflow_server: MlflowServer) -> None:
    client = MlflowTrackingClient.build(
        "exp", tracking_uri=mlflow_server.uri, delivery=DeliveryConfig(max_attempts=1)
    )
    _stop_group(mlflow_server.process)
    started = time.monotonic()
    for step in range(8):
        client.log_score("train/loss", float(step), step=step)
    client.stop()

    assert time.monotonic() - started < 90.0
    assert read_run_folder(client.fallback_dir).scores["train/loss"] == [
        (step, float(step)) for step in range(8)
    ]
    assert client.fallback_count == 8
    assert client.lost_count == 0
