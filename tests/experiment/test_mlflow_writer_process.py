"""MLflow writes run in a child process; its failures and death lose nothing."""

from __future__ import annotations

import logging
import os
import shutil
import signal
import time
from pathlib import Path

import pytest
from mlflow.tracking import MlflowClient

from artifact_ml.experiment import DeliveryConfig, MlflowTrackingClient
from artifact_ml.experiment.backend_process import BackendProcess, BackendProcessError
from artifact_ml.experiment.mlflow_backend import MlflowProcessBackend, open_mlflow_backend

FAST_RETRIES = DeliveryConfig(max_attempts=2, initial_retry_delay=0.01)


@pytest.fixture
def store_uri(tmp_path: Path, mlflow_template_db: Path) -> str:
    (tmp_path / "runs").mkdir(exist_ok=True)
    shutil.copy(mlflow_template_db, tmp_path / "runs" / "mlflow.db")
    return f"sqlite:///{tmp_path / 'runs' / 'mlflow.db'}"


def wait_until_written(client: MlflowTrackingClient, count: int) -> None:
    deadline = time.monotonic() + 60
    while client._worker.written_count < count:
        assert time.monotonic() < deadline, "the worker did not write the queued scores"
        time.sleep(0.05)


def loss_history(uri: str, run_id: str) -> list[tuple[int, float]]:
    history = MlflowClient(tracking_uri=uri).get_metric_history(run_id, "train/loss")
    return sorted((metric.step, metric.value) for metric in history)


def test_writes_leave_the_parent_client_unused(store_uri: str) -> None:
    client = MlflowTrackingClient.build("exp", tracking_uri=store_uri, delivery=FAST_RETRIES)
    backend = client._backend
    assert isinstance(backend, MlflowProcessBackend)
    parent_calls: list[str] = []
    backend._client.log_batch = lambda *args, **kwargs: parent_calls.append("log_batch")
    backend._client.log_metric = lambda *args, **kwargs: parent_calls.append("log_metric")

    for step in range(5):
        client.log_score("train/loss", 1.0 / (step + 1), step=step)
    client.stop()

    assert parent_calls == []
    assert loss_history(store_uri, client.run_id) == [(step, 1.0 / (step + 1)) for step in range(5)]
    run = MlflowClient(tracking_uri=store_uri).get_run(client.run_id)
    assert run.info.status == "FINISHED"
    assert backend.process.started_count == 1


def test_killed_writer_process_is_restarted_without_loss(store_uri: str) -> None:
    client = MlflowTrackingClient.build("exp", tracking_uri=store_uri, delivery=FAST_RETRIES)
    backend = client._backend
    assert isinstance(backend, MlflowProcessBackend)
    for step in range(3):
        client.log_score("train/loss", float(step), step=step)
    wait_until_written(client, 3)
    child = backend.process._process
    assert child is not None
    child.kill()
    child.wait()

    for step in range(3, 6):
        client.log_score("train/loss", float(step), step=step)
    client.stop()

    assert loss_history(store_uri, client.run_id) == [(step, float(step)) for step in range(6)]
    assert backend.process.started_count == 2
    assert client.fallback_count == 0


def test_error_in_child_names_the_mlflow_error(store_uri: str) -> None:
    process = BackendProcess(
        opener=open_mlflow_backend,
        arguments={"tracking_uri": store_uri, "run_id": "0" * 32, "experiment": "exp"},
        description="MLflow",
    )
    try:
        with pytest.raises(BackendProcessError) as raised:
            process.call("write_score", name="train/loss", score=1.0, step=0)
    finally:
        process.close()

    message = str(raised.value)
    assert message.startswith("MLflow write_score failed in its writer process: ")
    assert "0" * 32 in message


def test_write_failing_in_child_goes_to_fallback(
    store_uri: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = MlflowTrackingClient.build("exp", tracking_uri=store_uri, delivery=FAST_RETRIES)
    client.log_score("train/loss", 0.5, step=0)
    wait_until_written(client, 1)
    # A deleted run rejects every write: the score must land in the fallback folder.
    MlflowClient(tracking_uri=store_uri).delete_run(client.run_id)

    with caplog.at_level(logging.WARNING):
        client.log_score("train/loss", 0.25, step=1)
        client.stop()

    fallback = tmp_path / "fallback" / "exp" / client.run_id / "scores" / "train" / "loss.csv"
    assert fallback.read_text().splitlines()[1:] == ["1,0.25"]
    assert client.fallback_count == 1
    assert client.run_id in caplog.text
    assert "MLflow write_score failed in its writer process" in caplog.text


def test_unstartable_child_falls_back_to_this_process(
    store_uri: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from artifact_ml.experiment import backend_process

    monkeypatch.setattr(backend_process.sys, "executable", "/nonexistent/python3")

    with caplog.at_level(logging.WARNING):
        client = MlflowTrackingClient.build("exp", tracking_uri=store_uri)
    client.log_score("train/loss", 0.75, step=2)
    client.stop()

    assert type(client._backend).__name__ == "MlflowBackend"
    assert "Writing MLflow run" in caplog.text
    assert "/nonexistent/python3" in caplog.text
    assert loss_history(store_uri, client.run_id) == [(2, 0.75)]


def test_writer_process_survives_ctrl_c(store_uri: str) -> None:
    client = MlflowTrackingClient.build("exp", tracking_uri=store_uri, delivery=FAST_RETRIES)
    backend = client._backend
    assert isinstance(backend, MlflowProcessBackend)
    child = backend.process._process
    assert child is not None

    child.send_signal(signal.SIGINT)
    client.log_score("train/loss", 0.125, step=7)
    client.stop()

    assert loss_history(store_uri, client.run_id) == [(7, 0.125)]
    assert backend.process.started_count == 1
    assert child.returncode == 0


def test_hung_writer_times_out(store_uri: str, tmp_path: Path) -> None:
    delivery = DeliveryConfig(max_attempts=2, initial_retry_delay=0.01, write_timeout=3.0)
    client = MlflowTrackingClient.build("exp", tracking_uri=store_uri, delivery=delivery)
    backend = client._backend
    assert isinstance(backend, MlflowProcessBackend)
    child = backend.process._process
    assert child is not None
    child.send_signal(signal.SIGSTOP)  # a store that stops responding

    started = time.monotonic()
    client.log_score("train/loss", 0.5, step=3)
    logging_seconds = time.monotonic() - started
    client.stop()

    assert logging_seconds < 1.0
    assert child.wait(timeout=10) == -signal.SIGKILL
    assert client.lost_count == 0
    stored = loss_history(store_uri, client.run_id)
    fallback = tmp_path / "fallback" / "exp" / client.run_id / "scores" / "train" / "loss.csv"
    if client.fallback_count:
        assert fallback.read_text().splitlines()[1:] == ["3,0.5"]
    else:
        assert stored == [(3, 0.5)]


def test_writer_process_runs_at_lower_priority(store_uri: str) -> None:
    client = MlflowTrackingClient.build("exp", tracking_uri=store_uri)
    backend = client._backend
    assert isinstance(backend, MlflowProcessBackend)
    child = backend.process._process
    assert child is not None

    child_niceness = os.getpriority(os.PRIO_PROCESS, child.pid)
    client.stop()

    assert child_niceness == min(os.getpriority(os.PRIO_PROCESS, 0) + 10, 19)
