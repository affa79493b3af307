"""Non-finite scores, id checks before a backend starts, name length limits, non-numeric arrays,
permanent errors and the status of a run that ends with an exception."""

from __future__ import annotations

import json
import logging
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from test_tracking_delivery import BatchingRunFolder, build_client
from test_tracking_faults import FAST_RETRIES, install_flaky_backend
from tracking_readers import read_run_folder

from artifact_ml.experiment import InMemoryTrackingClient, TrackingClient
from artifact_ml.experiment.run_folder import MAX_PART_BYTES
from conftest import BackendCase

NON_FINITE_BACKENDS = ("clearml", "neptune")


def _same_values(actual: list[tuple[int | None, float]], expected: list[tuple[int, float]]) -> bool:
    """Compare (step, value) lists where NaN equals NaN."""
    if len(actual) != len(expected):
        return False
    return all(
        step == expected_step
        and (value == expected_value or (math.isnan(value) and math.isnan(expected_value)))
        for (step, value), (expected_step, expected_value) in zip(actual, expected, strict=True)
    )


def test_non_finite_scores_policy(
    backend_case: BackendCase, caplog: pytest.LogCaptureFixture
) -> None:
    client = backend_case.build(delivery=FAST_RETRIES)
    logged = [(0, 1.0), (1, math.nan), (2, math.inf), (3, -math.inf), (4, 0.5)]
    with caplog.at_level(logging.WARNING, logger="artifact_ml.experiment"):
        for step, value in logged:
            client.log_score("train/loss", value, step=step)
        client.log_score_collection("validation/js", {"age": 0.25, "sex": math.nan}, step=4)
        client.stop()

    stored = backend_case.read(client)
    if backend_case.name == "mlflow":
        # MLflow's SQL store replaces inf and -inf with the extreme float64 values.
        largest = float(np.finfo(np.float64).max)
        expected = [(0, 1.0), (1, math.nan), (2, largest), (3, -largest), (4, 0.5)]
        assert _same_values(stored.scores["train/loss"], expected)
        assert _same_values(stored.scores["validation/js/sex"], [(4, math.nan)])
        assert client.fallback_count == 0
        return
    if backend_case.name not in NON_FINITE_BACKENDS:
        assert _same_values(stored.scores["train/loss"], logged)
        assert _same_values(stored.scores["validation/js/sex"], [(4, math.nan)])
        assert client.fallback_count == 0
        return
    assert stored.scores["train/loss"] == [(0, 1.0), (4, 0.5)]
    assert stored.scores["validation/js/age"] == [(4, 0.25)]
    assert "validation/js/sex" not in stored.scores
    fallback = read_run_folder(client.fallback_dir)
    assert _same_values(fallback.scores["train/loss"], logged[1:4])
    assert _same_values(fallback.scores["validation/js/sex"], [(4, math.nan)])
    assert "validation/js/age" not in fallback.scores
    assert client.fallback_count == 4
    assert client.lost_count == 0
    messages = [record.getMessage() for record in caplog.records]
    warnings = [message for message in messages if "non-finite" in message]
    assert len(warnings) == 4
    assert all(client.run_id in message for message in warnings)
    assert any("'train/loss'" in message and "inf" in message for message in warnings)


def test_bad_run_id_starts_nothing(backend_case: BackendCase, tmp_path: Path) -> None:
    before = sorted(path for path in tmp_path.rglob("*"))
    with pytest.raises(ValueError, match=r"Invalid run id '\.\./x'"):
        backend_case.builder(experiment_id="exp1", run_id="../x")

    assert sorted(path for path in tmp_path.rglob("*")) == before
    if backend_case.name == "clearml":
        from clearml import Task

        assert Task.current_task() is None
        client = backend_case.build()
        client.stop()
        assert client.run_id


@pytest.mark.parametrize("backend_case", ["mlflow"], indirect=True)
def test_mlflow_foreign_run_creates_nothing(backend_case: BackendCase) -> None:
    from mlflow.tracking import MlflowClient

    client = backend_case.build()
    client.stop()
    with pytest.raises(ValueError, match="belongs to experiment 'exp'"):
        backend_case.builder(experiment_id="other-exp", run_id=client.run_id)

    store = MlflowClient(f"sqlite:///{backend_case.tmp_path / 'runs' / 'mlflow.db'}")
    assert store.get_experiment_by_name("other-exp") is None
    assert store.get_run(client.run_id).info.status == "FINISHED"


def test_long_name_rejected_at_log_time(backend_case: BackendCase) -> None:
    client = backend_case.build()
    with pytest.raises(ValueError, match=f"limit is {MAX_PART_BYTES} bytes"):
        client.log_score("x" * 300, 1.0)
    with pytest.raises(ValueError, match=f"limit is {MAX_PART_BYTES} bytes"):
        client.log_score_collection("validation/js", {"é" * 126: 1.0})
    long_metric = "a" * 200 + "/" + "b" * 60
    if backend_case.name == "mlflow":
        with pytest.raises(ValueError, match="MLflow allows 250"):
            client.log_score(long_metric, 1.0, step=0)
    else:
        client.log_score(long_metric, 1.0, step=0)
    client.stop()

    stored = backend_case.read(client)
    assert client.fallback_count == 0
    assert client.lost_count == 0
    expected = {} if backend_case.name == "mlflow" else {long_metric: [(0, 1.0)]}
    assert {name: values for name, values in stored.scores.items()} == expected


class OneBadScoreRunFolder(BatchingRunFolder):
    """Batches always fail; single writes fail only for the score named ``bad``."""

    def write_score(self, *, name: str, score: float, step: int | None) -> None:
        self.calls.append(("score", [name]))
        if name == "bad":
            raise OSError("store rejects 'bad'")
        super(BatchingRunFolder, self).write_score(name=name, score=score, step=step)


def test_failed_batch_retried_one_by_one(tmp_path: Path) -> None:
    backend = OneBadScoreRunFolder(tmp_path / "run", failing=True)
    client = build_client(backend, tmp_path / "fallback")
    client.log_plot("validation/curve", _figure(), step=0)
    client.log_score("train/loss", 1.0, step=1)
    client.log_score("bad", 2.0, step=1)
    client.log_score("train/loss", 3.0, step=2)
    backend.gate.set()
    client.stop()

    stored = read_run_folder(tmp_path / "run")
    fallback = read_run_folder(tmp_path / "fallback" / "exp" / "run")
    assert stored.scores["train/loss"] == [(1, 1.0), (2, 3.0)]
    assert "bad" not in stored.scores
    assert fallback.scores == {"bad": [(1, 2.0)]}
    assert client.fallback_count == 1
    assert client.lost_count == 0


def _figure() -> Any:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1, 1), dpi=20)
    figure.add_subplot().plot([0, 1])
    return figure


def test_object_array_rejected() -> None:
    client = InMemoryTrackingClient.build("exp")
    with pytest.raises(TypeError, match=r"'validation/table' has dtype object"):
        client.log_array("validation/table", np.array([{"a": 1}], dtype=object))
    with pytest.raises(TypeError, match=r"stats\['age'\]\" has dtype <U3"):
        client.log_array_collection("stats", {"age": np.array(["old"])})
    client.log_array("validation/ok", np.array([True, False]), step=0)
    client.stop()

    assert [step for step, _ in client.arrays["validation/ok"]] == [0]
    np.testing.assert_array_equal(client.arrays["validation/ok"][0][1], [True, False])
    assert "validation/table" not in client.arrays


def test_zero_dim_scores_accepted() -> None:
    import torch

    client = InMemoryTrackingClient.build("exp")
    client.log_score("train/loss", torch.tensor(0.25), step=0)
    client.log_score("train/loss", np.array(0.5), step=1)
    client.log_score("train/loss", np.float32(0.75), step=2)
    with pytest.raises(TypeError, match=r"got tensor\(\[0.5000\]\)\. .*pass value\.item\(\)"):
        client.log_score("train/loss", torch.tensor([0.5]), step=3)
    with pytest.raises(TypeError, match=r"must be a real number, got True\.$"):
        client.log_score("train/loss", torch.tensor(True), step=3)
    with pytest.raises(TypeError, match="is a masked value"):
        client.log_score("train/loss", np.ma.masked_array(4.0, mask=True), step=3)
    client.stop()

    assert client.scores["train/loss"] == [(0, 0.25), (1, 0.5), (2, 0.75)]


def test_masked_array_rejected() -> None:
    import torch

    client = InMemoryTrackingClient.build("exp")
    masked = np.ma.masked_array([1.0, 2.0], mask=[False, True])
    with pytest.raises(TypeError, match=r"'validation/mean' is a masked array.*filled\(np\.nan\)"):
        client.log_array("validation/mean", masked)
    with pytest.raises(TypeError, match=r"pass tensor\.detach\(\)\.cpu\(\)\.numpy\(\)"):
        client.log_array("validation/mean", torch.ones(2, requires_grad=True))
    client.stop()

    assert "validation/mean" not in client.arrays


def test_permanent_error_not_retried(tmp_path: Path) -> None:
    client = InMemoryTrackingClient.build("exp", delivery=FAST_RETRIES)
    flaky = install_flaky_backend(client, failures=1)
    flaky.error_type = ValueError
    client.log_score("train/loss", 1.0, step=0)
    client.log_score("train/loss", 2.0, step=1)
    client.stop()

    assert flaky.failed_calls == 1
    assert client.fallback_count == 1
    assert read_run_folder(client.fallback_dir).scores == {"train/loss": [(0, 1.0)]}
    assert client.scores["train/loss"] == [(1, 2.0)]


def _read_outcome(backend_case: BackendCase, client: TrackingClient) -> str:
    """Read the stored end status of the run from the backend's own storage."""
    tmp_path = backend_case.tmp_path
    if backend_case.name == "memory":
        outcome = client.run.outcome  # type: ignore[attr-defined]
        return str(outcome.value)
    if backend_case.name == "filesystem":
        metadata = json.loads((client.run_dir / "run.json").read_text())  # type: ignore[attr-defined]
        return str(metadata["status"])
    if backend_case.name == "mlflow":
        from mlflow.tracking import MlflowClient

        store = MlflowClient(f"sqlite:///{tmp_path / 'runs' / 'mlflow.db'}")
        return str(store.get_run(client.run_id).info.status).lower()
    if backend_case.name == "clearml":
        (folder,) = (tmp_path / "clearml_cache" / "offline").glob(client.run_id)
        task = json.loads((folder / "task.json").read_text())
        return str(task["hyperparams"]["artifact_ml"]["outcome"]["value"])
    values: dict[str, Any] = {}
    for log in (tmp_path / "neptune" / "offline").glob("*/data-1.log"):
        for line in log.read_text().splitlines():
            operation = json.loads(line)["obj"]
            if "value" in operation:
                values["/".join(operation["path"])] = operation["value"]
    failed = values.get("sys/failed", False)
    return f"{values['artifact_ml/outcome']}{' (sys/failed)' if failed else ''}"


EXPECTED_FAILED = {
    "memory": "failed",
    "filesystem": "failed",
    "mlflow": "failed",
    "clearml": "failed",
    "neptune": "failed (sys/failed)",
}


def test_exception_marks_run_failed(backend_case: BackendCase) -> None:
    with pytest.raises(RuntimeError, match="diverged"), backend_case.build() as client:
        client.log_score("train/loss", 1.0, step=0)
        raise RuntimeError("diverged")

    assert _read_outcome(backend_case, client) == EXPECTED_FAILED[backend_case.name]
    assert backend_case.read(client).scores["train/loss"] == [(0, 1.0)]


@pytest.mark.parametrize("backend_case", ["filesystem", "mlflow"], indirect=True)
def test_keyboard_interrupt_marks_run_killed(backend_case: BackendCase) -> None:
    with pytest.raises(KeyboardInterrupt), backend_case.build() as client:
        raise KeyboardInterrupt

    assert _read_outcome(backend_case, client) == "killed"


def test_clean_exit_marks_run_finished(backend_case: BackendCase) -> None:
    with backend_case.build() as client:
        client.log_score("train/loss", 1.0, step=0)

    assert _read_outcome(backend_case, client) == "finished"


def test_clearml_root_dir_holds_session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from artifact_ml.experiment.factory import build_tracking_client

    monkeypatch.delenv("CLEARML_CACHE_DIR")
    output = tmp_path / "output"
    client = build_tracking_client("clearml", "exp", root_dir=output)
    client.log_score("train/loss", 0.5, step=2)
    client.stop()

    (session,) = (output / "clearml" / "offline").glob(client.run_id)
    events = [
        event
        for line in (session / "metrics.jsonl").read_text().splitlines()
        for event in json.loads(line)
    ]
    assert [
        (event["metric"], event["variant"], event["iter"], event["value"]) for event in events
    ] == [("train", "loss", 2, 0.5)]
    assert "CLEARML_CACHE_DIR" not in os.environ
    assert not (tmp_path / "home" / ".clearml" / "cache").exists()


def test_clearml_offline_rejects_unknown_run_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clearml import Task

    from artifact_ml.experiment import ClearMLTrackingClient

    monkeypatch.delenv("CLEARML_CACHE_DIR")
    cache = tmp_path / "cache"
    first = ClearMLTrackingClient.build("exp", offline=True, cache_dir=cache)
    first.stop()

    with pytest.raises(ValueError, match="No ClearML offline session of run id 'f00d'") as error:
        ClearMLTrackingClient.build("exp", run_id="f00d", offline=True, cache_dir=cache)

    assert first.run_id in str(error.value)
    sessions = [path.name for path in (cache / "offline").iterdir() if path.is_dir()]
    assert sessions == [first.run_id]
    assert Task.current_task() is None
    assert "CLEARML_CACHE_DIR" not in os.environ


def test_clearml_missing_offline_folder_uses_fallback(tmp_path: Path) -> None:
    from clearml import Task

    from artifact_ml.experiment import ClearMLTrackingClient

    client = ClearMLTrackingClient.build("exp", offline=True, delivery=FAST_RETRIES)
    assert client.offline_folder is not None
    client.offline_folder.rename(tmp_path / "moved_away")
    # A file in its place, so that clearml's own threads cannot create the folder again.
    client.offline_folder.write_text("not a folder")
    client.log_score("train/loss", 0.5, step=1)
    client.log_array("validation/mean", np.arange(3.0), step=1)
    client.stop()

    assert client.fallback_count == 2
    assert client.lost_count == 0
    assert Task.current_task() is None
    stored = read_run_folder(client.fallback_dir)
    assert stored.scores["train/loss"] == [(1, 0.5)]
    np.testing.assert_array_equal(stored.arrays["validation/mean"][1], np.arange(3.0))


def test_run_folder_files_world_readable(tmp_path: Path) -> None:
    from artifact_ml.experiment import FilesystemTrackingClient

    previous = os.umask(0o022)
    try:
        client = FilesystemTrackingClient.build("exp", run_id="run", root_dir=tmp_path / "runs")
        client.log_score("train/loss", 1.0, step=0)
        client.log_array("validation/mean", np.arange(3.0), step=0)
        client.log_plot("validation/curve", _figure(), step=0)
        client.log_score_collection("validation/js", {"age": 0.5}, step=0)
        client.stop()
    finally:
        os.umask(previous)

    files = sorted(path for path in client.run_dir.rglob("*") if path.is_file())
    modes = {
        path.relative_to(client.run_dir).as_posix(): path.stat().st_mode & 0o777 for path in files
    }
    assert modes == {
        "arrays/validation/mean/step_0.npy": 0o644,
        "plots/validation/curve/step_0.png": 0o644,
        "run.json": 0o644,
        "score_collections/validation/js.csv": 0o644,
        "scores/train/loss.csv": 0o644,
    }


@pytest.mark.parametrize("backend_case", ["neptune"], indirect=True)
def test_neptune_step_label_clash_rejected(backend_case: BackendCase) -> None:
    client = backend_case.build()
    client.log_array("arr", np.arange(2), step=0)
    with pytest.raises(ValueError, match="'step_0' looks like the step label"):
        client.log_score("arr/step_0", 1.0, step=0)
    with pytest.raises(ValueError, match="'step_none' looks like the step label"):
        client.log_score_collection("scores", {"step_none": 1.0})
    client.stop()

    stored = backend_case.read(client)
    np.testing.assert_array_equal(stored.arrays["arr"][0], [0, 1])
    assert stored.scores == {}


def test_neptune_root_dir_gives_syncable_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from artifact_ml.experiment.factory import build_tracking_client

    monkeypatch.delenv("NEPTUNE_DATA_DIRECTORY")
    monkeypatch.setenv("ARTIFACT_ML_TRACKING_DIR", str(tmp_path / "tracked"))
    client = build_tracking_client("neptune", "exp")
    client.log_score("train/loss", 0.5, step=2)
    client.stop()

    data_dir = tmp_path / "tracked" / ".neptune"
    assert list((data_dir / "offline").iterdir())
    assert client.results_hint().endswith(f"neptune sync --path {data_dir.resolve()}")
    assert not (tmp_path / ".neptune").exists()


def test_neptune_variable_wins_over_default_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from artifact_ml.experiment.factory import build_tracking_client

    monkeypatch.setenv("NEPTUNE_DATA_DIRECTORY", str(tmp_path / "own"))
    client = build_tracking_client("neptune", "exp")
    client.log_score("train/loss", 0.5, step=2)
    client.stop()

    assert list((tmp_path / "own" / "offline").iterdir())
    assert not (tmp_path / "runs" / ".neptune").exists()
    assert "copy" in client.results_hint()


@pytest.mark.parametrize("backend_case", ["clearml"], indirect=True)
def test_clearml_build_keeps_global_seeds(backend_case: BackendCase) -> None:
    import random

    import torch

    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    expected = (random.random(), np.random.random(), torch.rand(1).item())
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)

    client = backend_case.build()
    drawn = (random.random(), np.random.random(), torch.rand(1).item())
    client.stop()

    assert drawn == expected


def test_unusable_mlflow_store_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from artifact_ml.experiment import MlflowTrackingClient

    monkeypatch.setenv("MLFLOW_TRACKING_URI", "./mlruns")
    monkeypatch.delenv("MLFLOW_ALLOW_FILE_STORE", raising=False)

    with pytest.raises(ValueError, match=r"Cannot open the MLflow tracking store '\./mlruns'"):
        MlflowTrackingClient.build("exp")


def test_corrupt_mlflow_database_names_file(tmp_path: Path) -> None:
    from artifact_ml.experiment import MlflowTrackingClient

    database = tmp_path / "mlflow.db"
    database.write_bytes(bytes(range(256)) * 16)
    uri = f"sqlite:///{database}"

    with pytest.raises(ValueError) as error:
        MlflowTrackingClient.build("exp", tracking_uri=uri)

    assert f"Cannot open the MLflow tracking store '{uri}'" in str(error.value)
    assert "file is not a database" in str(error.value)
    assert "move it away, or pass another tracking_uri" in str(error.value)


def test_closed_mlflow_port_fails_fast(closed_local_port: int) -> None:
    import time

    from artifact_ml.experiment import MlflowTrackingClient

    port = closed_local_port
    started = time.monotonic()

    with pytest.raises(ConnectionError) as error:
        MlflowTrackingClient.build("exp", tracking_uri=f"http://127.0.0.1:{port}")

    assert time.monotonic() - started < 10.0
    assert f"Cannot reach the MLflow tracking server http://127.0.0.1:{port}" in str(error.value)
    assert f"mlflow server --host 127.0.0.1 --port {port}" in str(error.value)


def test_closed_clearml_port_fails_fast(
    closed_local_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from clearml import Task

    from artifact_ml.experiment import ClearMLTrackingClient

    port = closed_local_port
    monkeypatch.setenv("CLEARML_API_HOST", f"http://127.0.0.1:{port}")
    started = time.monotonic()

    with pytest.raises(ConnectionError) as error:
        ClearMLTrackingClient.build("exp", offline=False)

    assert time.monotonic() - started < 10.0
    assert f"Cannot reach the ClearML API server http://127.0.0.1:{port}" in str(error.value)
    assert "offline=True or CLEARML_OFFLINE_MODE=1" in str(error.value)
    assert Task.current_task() is None


@pytest.mark.usefixtures("without_proxy")
def test_silent_mlflow_server_fails_fast() -> None:
    import socket
    import time

    from artifact_ml.experiment import MlflowTrackingClient

    with socket.socket() as silent:  # the kernel accepts connections; no process reads them
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        uri = f"http://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()

        with pytest.raises(ConnectionError, match="accepts connections but sent no HTTP response"):
            MlflowTrackingClient.build("exp", tracking_uri=uri)

    assert time.monotonic() - started < 30.0
