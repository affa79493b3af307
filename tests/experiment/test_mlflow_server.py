"""The MLflow client against a real ``mlflow server`` on localhost, reached over HTTP."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from artifact_ml.experiment import MlflowTrackingClient

_START_TIMEOUT_SECONDS = 120.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mlflow_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Start ``mlflow server`` with a SQLite store in ``tmp_path`` and return its URI."""
    for variable in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(variable, raising=False)
    port = _free_port()
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
    server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
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
        yield uri
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.mark.slow
def test_mlflow_server_stores_results(mlflow_server: str, tmp_path: Path) -> None:
    from mlflow.tracking import MlflowClient

    client = MlflowTrackingClient.build("exp", tracking_uri=mlflow_server)
    for step in range(3):
        client.log_score("train/loss", 1.0 / (step + 1), step=step)
    figure, axes = plt.subplots(figsize=(2, 2), dpi=40)
    axes.plot([0.0, 1.0], [1.0, 0.0])
    client.log_plot("validation/curve", figure, step=2)
    client.stop()

    reader = MlflowClient(tracking_uri=mlflow_server)
    history = reader.get_metric_history(client.run_id, "train/loss")
    assert [(metric.step, metric.value) for metric in history] == [(0, 1.0), (1, 0.5), (2, 1 / 3)]
    (plot,) = reader.list_artifacts(client.run_id, "plots/validation/curve")
    assert plot.path == "plots/validation/curve/step_2.png"
    png = Path(reader.download_artifacts(client.run_id, plot.path, dst_path=str(tmp_path)))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert reader.get_run(client.run_id).info.status == "FINISHED"
    assert client.fallback_count == 0
