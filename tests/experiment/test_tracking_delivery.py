"""Worker internals that keep tracking cheap: score batches, PNG rendered once, renderer process."""

from __future__ import annotations

import os
import shutil
import struct
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter
from tracking_readers import read_run_folder

from artifact_ml.experiment import DeliveryConfig, FilesystemTrackingClient
from artifact_ml.experiment.plot_image import PlotImage, render_png
from artifact_ml.experiment.records import LogRecord, RecordKind
from artifact_ml.experiment.render_process import RenderProcess, shared_render_process
from artifact_ml.experiment.run_folder import RunFolderBackend
from artifact_ml.experiment.tracking_client import TrackingClient


def make_figure(step: int) -> Figure:
    figure = Figure(figsize=(2, 1.5), dpi=40)
    figure.add_subplot().plot([0, 1, 2], [0, step, 2 * step])
    return figure


def png_size(png: bytes) -> tuple[int, int]:
    width, height = struct.unpack(">II", png[16:24])  # the IHDR chunk follows the signature
    return width, height


class BatchingRunFolder(RunFolderBackend):
    """A run folder that takes score batches and records every call. Plot writes wait for
    ``gate``, so that the results logged after a plot pile up in the queue."""

    batches_scores = True

    def __init__(self, run_dir: Path, *, failing: bool = False) -> None:
        super().__init__(run_dir=run_dir, experiment_id="exp", run_id="run")
        self.calls: list[tuple[str, list[str]]] = []
        self.gate = threading.Event()
        self.failing = failing

    def write_score(self, *, name: str, score: float, step: int | None) -> None:
        self.calls.append(("score", [name]))
        super().write_score(name=name, score=score, step=step)

    def write_score_batch(self, *, records: Sequence[LogRecord]) -> None:
        self.calls.append(("batch", [record.name for record in records]))
        if self.failing:
            raise OSError("store unavailable")
        for record in records:
            if record.kind is RecordKind.SCORE:
                score = cast(float, record.value)
                super().write_score(name=record.name, score=score, step=record.step)
            else:
                scores = cast(dict[str, float], record.value)
                super().write_score_collection(name=record.name, scores=scores, step=record.step)

    def write_plot(self, *, name: str, image: PlotImage, step: int | None) -> None:
        self.gate.wait(timeout=10)
        self.calls.append(("plot", [name]))
        super().write_plot(name=name, image=image, step=step)


def build_client(backend: BatchingRunFolder, tmp_path: Path) -> TrackingClient:
    delivery = DeliveryConfig(max_attempts=2, initial_retry_delay=0.001, fallback_root=tmp_path)
    return TrackingClient(backend=backend, experiment_id="exp", run_id="run", delivery=delivery)


def test_consecutive_scores_form_one_batch(tmp_path: Path) -> None:
    backend = BatchingRunFolder(tmp_path / "run")
    client = build_client(backend, tmp_path / "fallback")
    client.log_plot("validation/curve", make_figure(0), step=0)
    for step in range(4):
        client.log_score("train/loss", 1.0 / (step + 1), step=step)
    client.log_score_collection("validation/js", {"age": 0.5, "sex": 0.25}, step=3)
    client.log_plot("validation/curve", make_figure(3), step=3)
    client.log_score("validation/mean", 0.4, step=3)
    client.log_score("validation/corr", 0.3, step=3)
    backend.gate.set()
    client.stop()

    assert backend.calls == [
        ("plot", ["validation/curve"]),
        ("batch", ["train/loss"] * 4 + ["validation/js"]),
        ("plot", ["validation/curve"]),
        ("batch", ["validation/mean", "validation/corr"]),
    ]
    stored = read_run_folder(tmp_path / "run")
    assert stored.scores["train/loss"] == [(0, 1.0), (1, 0.5), (2, 1.0 / 3), (3, 0.25)]
    assert stored.scores["validation/js/age"] == [(3, 0.5)]
    assert stored.scores["validation/corr"] == [(3, 0.3)]


def test_failed_batch_written_one_by_one(tmp_path: Path) -> None:
    backend = BatchingRunFolder(tmp_path / "run", failing=True)
    client = build_client(backend, tmp_path / "fallback")
    client.log_plot("validation/curve", make_figure(0), step=0)
    for step in range(1, 5):
        client.log_score("train/loss", float(step), step=step)
    backend.gate.set()
    client.stop()

    stored = read_run_folder(tmp_path / "run")
    assert stored.scores["train/loss"] == [(step, float(step)) for step in range(1, 5)]
    assert [name for name, _ in backend.calls] == ["plot", "batch", "batch"] + ["score"] * 4
    assert client.fallback_count == 0
    assert client.lost_count == 0
    assert not (tmp_path / "fallback").exists()


def test_png_rendered_once_for_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bytes] = []

    class FailingPlots(RunFolderBackend):
        def write_plot(self, *, name: str, image: PlotImage, step: int | None) -> None:
            seen.append(image.png)
            raise OSError("store unavailable")

    rendered_here: list[Figure] = []

    def render_here(figure: Figure) -> bytes:
        rendered_here.append(figure)
        return b"unexpected"

    monkeypatch.setattr("artifact_ml.experiment.plot_image.render_png", render_here)
    backend = FailingPlots(run_dir=tmp_path / "run", experiment_id="exp", run_id="run")
    delivery = DeliveryConfig(max_attempts=3, initial_retry_delay=0.001, fallback_root=tmp_path)
    client = TrackingClient(backend=backend, experiment_id="exp", run_id="run", delivery=delivery)
    figure = make_figure(2)
    client.log_plot("validation/curve", figure, step=2)
    client.stop()

    stored = (
        tmp_path / "exp" / "run" / "plots" / "validation" / "curve" / "step_2.png"
    ).read_bytes()
    assert rendered_here == []  # the renderer process rendered it, once
    assert len(seen) == 3
    assert seen[0] is seen[1] is seen[2]
    assert stored == seen[0]
    assert stored == render_png(figure)


def test_renderer_matches_in_process_rendering() -> None:
    figures = [make_figure(step) for step in range(3)]
    renderer = RenderProcess()
    renderer.acquire()
    try:
        rendered = renderer.render(figures)
        process = renderer._process
        assert process is not None
        child_niceness = os.getpriority(os.PRIO_PROCESS, process.pid)
    finally:
        renderer.release()

    assert rendered == [render_png(figure) for figure in figures]
    assert child_niceness == min(os.getpriority(os.PRIO_PROCESS, 0) + 10, 19)
    assert process.returncode == 0
    assert renderer._process is None


def test_renderer_uses_changed_rc_params() -> None:
    figure = make_figure(1)
    renderer = RenderProcess()
    renderer.acquire()
    try:
        with matplotlib.rc_context({"savefig.dpi": 30}):
            rendered = renderer.render([figure])
    finally:
        renderer.release()

    assert rendered is not None
    assert png_size(rendered[0]) == (60, 45)


def test_unpicklable_figure_rendered_in_process(tmp_path: Path) -> None:
    figure = make_figure(4)
    figure.axes[0].xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.0f} s"))
    expected = render_png(figure)
    client = FilesystemTrackingClient.build("exp", run_id="run", root_dir=tmp_path)
    client.log_plot_collection("validation/pdf", {"age": figure}, step=1)
    client.stop()

    stored = tmp_path / "exp" / "run" / "plot_collections" / "validation" / "pdf" / "age"
    assert (stored / "step_1.png").read_bytes() == expected
    assert client.fallback_count == 0


@pytest.mark.parametrize("backend_process", [True, False], ids=["child", "in_process"])
def test_mlflow_scores_sent_in_few_calls(
    tmp_path: Path, mlflow_template_db: Path, backend_process: bool
) -> None:
    from artifact_ml.experiment import MlflowTrackingClient

    (tmp_path / "runs").mkdir(exist_ok=True)
    shutil.copy(mlflow_template_db, tmp_path / "runs" / "mlflow.db")
    client = MlflowTrackingClient.build(
        "exp", delivery=DeliveryConfig(backend_process=backend_process)
    )
    backend = client._backend
    mlflow_client = backend._client  # type: ignore[attr-defined]
    # In a child process, calls are counted where they leave this process.
    target = backend.process if backend_process else mlflow_client  # type: ignore[attr-defined]
    methods = ("call",) if backend_process else ("log_metric", "log_batch")
    calls: list[str] = []
    for method in methods:
        original = getattr(target, method)

        def counted(
            *args: object, _original: object = original, _name: str = method, **kwargs: object
        ) -> object:
            calls.append(_name)
            return _original(*args, **kwargs)  # type: ignore[operator]

        setattr(target, method, counted)
    logged = [0.5**step for step in range(60)]
    for step, value in enumerate(logged):
        client.log_score("train/loss", value, step=step)
    client.stop()

    history = mlflow_client.get_metric_history(client.run_id, "train/loss")
    ordered = sorted(history, key=lambda metric: metric.step)
    assert [(metric.step, metric.value) for metric in ordered] == list(enumerate(logged))
    timestamps = [metric.timestamp for metric in ordered]
    assert timestamps == sorted(timestamps)
    # Writes plus, in a child process, the call that closes the run.
    assert 1 <= len(calls) <= 10 + int(backend_process)
    assert np.isclose(sum(metric.value for metric in ordered), sum(logged))


def test_renderer_stops_with_last_client(tmp_path: Path) -> None:
    first = FilesystemTrackingClient.build("exp", run_id="first", root_dir=tmp_path)
    second = FilesystemTrackingClient.build("exp", run_id="second", root_dir=tmp_path)
    first.log_plot("validation/curve", make_figure(1), step=1)
    first.stop()
    second.log_plot("validation/curve", make_figure(2), step=2)
    second.log_score("train/loss", 0.5, step=2)
    while second._worker._queue.qsize():  # wait until the plot has been rendered
        threading.Event().wait(0.01)
    process = shared_render_process()._process
    second.stop()

    assert process is not None
    assert process.returncode == 0
    assert shared_render_process()._process is None
    for run_id, step in (("first", 1), ("second", 2)):
        png = tmp_path / "exp" / run_id / "plots" / "validation" / "curve" / f"step_{step}.png"
        assert png.read_bytes()[:4] == b"\x89PNG"


def test_renderer_exits_quietly_without_parent() -> None:
    import pickle
    import subprocess
    import sys

    from artifact_ml.experiment.render_protocol import write_message

    figure = Figure(figsize=(2, 2), dpi=40)
    figure.subplots().plot([0.0, 1.0], [1.0, 0.0])
    process = subprocess.Popen(
        [sys.executable, "-m", "artifact_ml.experiment.render_server"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdout.close()  # the parent's end of the replies is gone, as after a kill
    write_message(process.stdin, pickle.dumps(({}, [figure])))
    process.stdin.close()

    assert process.wait(timeout=60) == 0
    assert process.stderr is not None
    assert b"BrokenPipeError" not in process.stderr.read()
