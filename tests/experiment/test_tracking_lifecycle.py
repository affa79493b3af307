"""Worker lifecycle (exit without stop, no stray threads), backend selection and missing extras."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from artifact_ml.experiment import (
    FilesystemTrackingClient,
    InMemoryTrackingClient,
    build_tracking_client,
)

EXIT_WITHOUT_STOP = """
import sys
from matplotlib.figure import Figure
from artifact_ml.experiment import FilesystemTrackingClient
client = FilesystemTrackingClient.build("exp", run_id="run", root_dir=sys.argv[1])
for step in range(40):
    figure = Figure(figsize=(2, 2), dpi=40)
    figure.add_subplot().plot([0, step])
    client.log_plot("validation/curve", figure, step=step)
    client.log_score("train/loss", float(step), step=step)
"""


def test_exit_without_stop_writes_everything(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", EXIT_WITHOUT_STOP, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    run_dir = tmp_path / "exp" / "run"
    assert completed.returncode == 0, completed.stderr
    assert len(list((run_dir / "plots" / "validation" / "curve").glob("step_*.png"))) == 40
    rows = (run_dir / "scores" / "train" / "loss.csv").read_text().splitlines()
    assert len(rows) == 41
    assert '"status": "finished"' in (run_dir / "run.json").read_text()


@pytest.mark.parametrize(
    ("ending", "returncode", "status"),
    [("raise RuntimeError('boom')", 1, "failed"), ("raise KeyboardInterrupt", -2, "killed")],
    ids=["exception", "interrupt"],
)
def test_crash_without_stop_records_outcome(
    tmp_path: Path, ending: str, returncode: int, status: str
) -> None:
    # An uncaught KeyboardInterrupt ends the interpreter by SIGINT, so its return code is -2.
    script = EXIT_WITHOUT_STOP.replace("range(40)", "range(3)") + ending + "\n"

    completed = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    run_dir = tmp_path / "exp" / "run"
    assert completed.returncode == returncode
    assert len((run_dir / "scores" / "train" / "loss.csv").read_text().splitlines()) == 4
    assert f'"status": "{status}"' in (run_dir / "run.json").read_text()


def test_no_threads_left_after_stop() -> None:
    before = set(threading.enumerate())
    clients = [InMemoryTrackingClient.build("exp") for _ in range(5)]
    assert len(set(threading.enumerate()) - before) == 5
    for client in clients:
        client.log_score("loss", 1.0, step=0)
        client.stop()

    assert set(threading.enumerate()) - before == set()


def test_filesystem_run_json_records_resume(tmp_path: Path) -> None:
    FilesystemTrackingClient.build("exp", run_id="run").stop()
    resumed = FilesystemTrackingClient.build("exp", run_id="run")
    resumed.stop()

    import json

    metadata = json.loads((tmp_path / "runs" / "exp" / "run" / "run.json").read_text())
    assert metadata["experiment_id"] == "exp"
    assert metadata["run_id"] == "run"
    assert metadata["status"] == "finished"
    assert len(metadata["resumed_at"]) == 1
    assert resumed.run_dir == tmp_path / "runs" / "exp" / "run"


def test_score_collection_new_key_rewrites_header(tmp_path: Path) -> None:
    with FilesystemTrackingClient.build("exp", run_id="run") as client:
        client.log_score_collection("js", {"age": 0.1}, step=0)
        client.log_score_collection("js", {"age": 0.2, "sex": 0.3}, step=1)

    text = (tmp_path / "runs" / "exp" / "run" / "score_collections" / "js.csv").read_text()
    assert text.splitlines() == ["step,age,sex", "0,0.1,", "1,0.2,0.3"]


@pytest.mark.parametrize("backend", ["filesystem", "memory"])
def test_build_tracking_client_by_name(backend: str, tmp_path: Path) -> None:
    client = build_tracking_client(backend, experiment_id="exp", root_dir=tmp_path / "root")
    client.stop()

    expected = {"filesystem": FilesystemTrackingClient, "memory": InMemoryTrackingClient}
    assert type(client) is expected[backend]
    if backend == "filesystem":
        assert str(tmp_path / "root" / "exp" / client.run_id) in client.results_hint()


def test_unknown_backend_lists_known() -> None:
    with pytest.raises(ValueError, match="'tensorboard'; choose one of filesystem, memory, mlflow"):
        build_tracking_client("tensorboard", experiment_id="exp")


@pytest.mark.parametrize(
    ("backend", "module"),
    [("mlflow", "mlflow.tracking"), ("clearml", "clearml"), ("neptune", "neptune")],
)
def test_missing_extra_names_pip_install(
    backend: str, module: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, module, None)

    with pytest.raises(ImportError, match=rf'pip install "artifact-ml\[{backend}\]"'):
        build_tracking_client(backend, experiment_id="exp")


def test_import_loads_no_backend() -> None:
    code = (
        "import sys, artifact_ml.experiment; "
        "print(sorted(m for m in ('mlflow', 'clearml', 'neptune') if m in sys.modules))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )

    assert completed.stdout.strip() == "[]"
