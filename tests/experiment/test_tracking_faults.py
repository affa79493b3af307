"""Backend failures on every tracking client: retried, then kept in the fallback folder."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.figure import Figure
from tracking_readers import read_run_folder

from artifact_ml.experiment import DeliveryConfig, TrackingClient
from artifact_ml.experiment.backend import TrackingBackend
from conftest import BackendCase

FAST_RETRIES = DeliveryConfig(max_attempts=3, initial_retry_delay=0.001, retry_backoff=2.0)


class FlakyBackend:
    """Wraps a real backend; its ``write_*`` calls raise ``error_type`` (default OSError) while
    ``failures_left`` > 0."""

    def __init__(self, backend: TrackingBackend, failures: int) -> None:
        self._backend = backend
        self.failures_left = failures
        self.failed_calls = 0
        self.error_type: type[Exception] = OSError

    def __getattr__(self, attribute: str) -> Any:
        target = getattr(self._backend, attribute)
        if not attribute.startswith("write_"):
            return target

        def write(**kwargs: Any) -> None:
            if self.failures_left > 0:
                self.failures_left -= 1
                self.failed_calls += 1
                raise self.error_type(f"backend unavailable ({attribute})")
            target(**kwargs)

        return write


def install_flaky_backend(client: TrackingClient, failures: int) -> FlakyBackend:
    flaky = FlakyBackend(client._backend, failures)
    client._worker._backend = flaky  # type: ignore[assignment]
    return flaky


def log_epochs(client: TrackingClient, epochs: int) -> None:
    for epoch in range(epochs):
        client.log_score("train/loss", 1.0 / (epoch + 1), step=epoch)
        client.log_array("validation/embedding", np.full(3, float(epoch)), step=epoch)
        figure = Figure(figsize=(1, 1), dpi=20)
        figure.add_subplot().plot([0, epoch])
        client.log_plot("validation/curve", figure, step=epoch)


def test_transient_failure_retried(backend_case: BackendCase) -> None:
    client = backend_case.build(delivery=FAST_RETRIES)
    flaky = install_flaky_backend(client, failures=2)
    log_epochs(client, epochs=3)
    client.stop()

    stored = backend_case.read(client)
    assert flaky.failed_calls == 2
    assert stored.scores["train/loss"] == [(0, 1.0), (1, 0.5), (2, 1.0 / 3)]
    assert set(stored.arrays["validation/embedding"]) == {0, 1, 2}
    assert client.fallback_count == 0
    assert not client.fallback_dir.exists()


def test_permanent_failure_goes_to_fallback(
    backend_case: BackendCase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = backend_case.build(delivery=FAST_RETRIES)
    install_flaky_backend(client, failures=10_000)
    with caplog.at_level(logging.ERROR, logger="artifact_ml.experiment"):
        log_epochs(client, epochs=3)
        client.stop()

    assert client.fallback_dir == tmp_path / "fallback" / "exp" / client.run_id
    fallback = read_run_folder(client.fallback_dir)
    assert fallback.scores["train/loss"] == [(0, 1.0), (1, 0.5), (2, 1.0 / 3)]
    for epoch in range(3):
        np.testing.assert_array_equal(fallback.arrays["validation/embedding"][epoch], [epoch] * 3)
    assert set(fallback.images["validation/curve"]) == {0, 1, 2}
    assert client.fallback_count == 9
    assert client.lost_count == 0
    messages = [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("artifact_ml.experiment.")
    ]
    assert len(messages) == 9
    assert all(client.run_id in message for message in messages)
    assert any("'validation/curve'" in message for message in messages)
    assert "train/loss" not in backend_case.read(client).scores


def test_failing_fallback_counts_lost(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the fallback folder should be")
    delivery = DeliveryConfig(max_attempts=1, fallback_root=blocked)
    from artifact_ml.experiment import InMemoryTrackingClient

    client = InMemoryTrackingClient.build("exp", delivery=delivery)
    install_flaky_backend(client, failures=10_000)
    client.log_score("train/loss", 1.0, step=0)
    client.stop()

    assert client.fallback_count == 0
    assert client.lost_count == 1


def test_retry_delays_grow(monkeypatch: pytest.MonkeyPatch) -> None:
    from artifact_ml.experiment import InMemoryTrackingClient
    from artifact_ml.experiment import retry as retry_module

    delays: list[float] = []
    monkeypatch.setattr(retry_module.time, "sleep", delays.append)  # type: ignore[attr-defined]
    config = DeliveryConfig(max_attempts=4, initial_retry_delay=0.5, retry_backoff=3.0)
    client = InMemoryTrackingClient.build("exp", delivery=config)
    install_flaky_backend(client, failures=3)
    client.log_score("train/loss", 1.0, step=0)
    client.stop()

    assert delays == [0.5, 1.5, 4.5]
    assert client.scores["train/loss"] == [(0, 1.0)]


def test_delivery_config_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="max_attempts must be at least 1, got 0"):
        DeliveryConfig(max_attempts=0)
    with pytest.raises(ValueError, match="queue_size must be at least 1, got 0"):
        DeliveryConfig(queue_size=0)


def test_deleted_run_folder_restores_run_json(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import json
    import shutil

    from artifact_ml.experiment import FilesystemTrackingClient

    client = FilesystemTrackingClient.build("exp", run_id="run", root_dir=tmp_path)
    client.log_score("train/loss", 1.0, step=0)
    run_dir = tmp_path / "exp" / "run"
    first_score = run_dir / "scores" / "train" / "loss.csv"
    deadline = time.monotonic() + 10.0
    while not first_score.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    started_at = json.loads((run_dir / "run.json").read_text())["started_at"]
    shutil.rmtree(run_dir)
    with caplog.at_level(logging.WARNING, logger="artifact_ml.experiment"):
        client.log_score("train/loss", 0.5, step=1)
        client.stop()

    metadata = json.loads((run_dir / "run.json").read_text())
    assert metadata["status"] == "finished"
    assert metadata["started_at"] == started_at
    assert len(metadata["recreated_at"]) == 1
    assert read_run_folder(run_dir).scores["train/loss"] == [(1, 0.5)]
    assert client.fallback_count == 0
    assert any("run.json of run run is missing" in message for message in caplog.messages)


def _filesystem_client(tmp_path: Path) -> TrackingClient:
    from artifact_ml.experiment import FilesystemTrackingClient

    return FilesystemTrackingClient.build(
        "exp", run_id="run", root_dir=tmp_path / "runs", delivery=FAST_RETRIES
    )


def test_dead_backend_is_paused(tmp_path: Path) -> None:
    client = _filesystem_client(tmp_path)
    flaky = install_flaky_backend(client, failures=10_000)
    for step in range(10):
        client.log_score("train/loss", float(step), step=step)
    client.stop()

    fallback = read_run_folder(client.fallback_dir)
    assert flaky.failed_calls == 9  # 3 results with 3 attempts each, then the pause
    assert fallback.scores["train/loss"] == [(step, float(step)) for step in range(10)]
    assert client.fallback_count == 10
    assert client.lost_count == 0


def test_backend_tried_again_after_pause(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from artifact_ml.experiment import delivery

    monkeypatch.setattr(delivery, "PAUSE_SECONDS", 1.0)
    client = _filesystem_client(tmp_path)
    install_flaky_backend(client, failures=9)
    for step in range(3):
        client.log_score("train/loss", float(step), step=step)
    deadline = time.monotonic() + 10.0
    while client.fallback_count < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    client.log_score("train/loss", 3.0, step=3)  # paused: straight to the fallback folder
    time.sleep(1.3)
    client.log_score("train/loss", 4.0, step=4)  # after the pause: written
    client.stop()

    assert read_run_folder(client.fallback_dir).scores["train/loss"] == [
        (0, 0.0),
        (1, 1.0),
        (2, 2.0),
        (3, 3.0),
    ]
    assert read_run_folder(client.run_dir).scores["train/loss"] == [(4, 4.0)]


def test_permanent_errors_do_not_pause(tmp_path: Path) -> None:
    client = _filesystem_client(tmp_path)
    flaky = install_flaky_backend(client, failures=3)
    flaky.error_type = ValueError
    for step in range(4):
        client.log_score("train/loss", float(step), step=step)
    client.stop()

    assert flaky.failed_calls == 3
    assert client.fallback_count == 3
    assert read_run_folder(client.run_dir).scores["train/loss"] == [(3, 3.0)]


def test_timeout_pauses_backend_at_once(tmp_path: Path) -> None:
    client = _filesystem_client(tmp_path)
    flaky = install_flaky_backend(client, failures=10_000)
    flaky.error_type = TimeoutError
    for step in range(5):
        client.log_score("train/loss", float(step), step=step)
    client.stop()

    assert flaky.failed_calls == 1  # one attempt, then the pause
    assert client.fallback_count == 5
    assert client.lost_count == 0
