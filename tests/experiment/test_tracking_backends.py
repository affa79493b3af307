"""One suite for every tracking client: log each result kind, then read it back from storage."""

from __future__ import annotations

import threading
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from conftest import BackendCase

SCORES = [0.5, 0.25, 0.125]
PNG_SIGNATURE = b"\x89PNG"
JPEG_SIGNATURE = b"\xff\xd8"


def make_figure() -> Figure:
    figure = Figure(figsize=(2, 2), dpi=40)
    figure.add_subplot().plot([0, 1, 2], SCORES)
    return figure


def tracking_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name.startswith("artifact-ml")]


def test_every_kind_read_back(backend_case: BackendCase, tmp_path: Path) -> None:
    checkpoint = tmp_path / "model.bin"
    checkpoint.write_bytes(b"\x00weights\x01")
    array = np.arange(6, dtype=np.float64).reshape(2, 3)

    client = backend_case.build()
    for step, score in enumerate(SCORES):
        client.log_score("validation/mean_js_distance", score, step=step)
        client.log_score_collection("validation/js_distance", {"age": score, "sex": 1.0}, step=step)
    client.log_array("validation/embedding", array, step=2)
    client.log_array_collection(
        "validation/mean", {"age": np.array([1.5, 2.5]), "hours": np.array([3.0, 4.0])}, step=2
    )
    client.log_plot("validation/pca_juxtaposition", make_figure(), step=1)
    client.log_plot_collection(
        "validation/pdf", {"age": make_figure(), "sex": make_figure()}, step=2
    )
    client.log_file("checkpoint", checkpoint, step=2)
    client.stop()
    stored = backend_case.read(client)

    assert stored.scores["validation/mean_js_distance"] == list(enumerate(SCORES))
    assert stored.scores["validation/js_distance/age"] == list(enumerate(SCORES))
    assert stored.scores["validation/js_distance/sex"] == [(0, 1.0), (1, 1.0), (2, 1.0)]
    np.testing.assert_array_equal(stored.arrays["validation/embedding"][2], array)
    np.testing.assert_array_equal(stored.arrays["validation/mean/age"][2], [1.5, 2.5])
    np.testing.assert_array_equal(stored.arrays["validation/mean/hours"][2], [3.0, 4.0])
    assert set(stored.images) == {
        "validation/pca_juxtaposition",
        "validation/pdf/age",
        "validation/pdf/sex",
    }
    assert list(stored.images["validation/pca_juxtaposition"]) == [1]
    assert list(stored.images["validation/pdf/age"]) == [2]
    for images in stored.images.values():
        for signature in images.values():
            assert signature[:4] == PNG_SIGNATURE or signature[:2] == JPEG_SIGNATURE
    assert stored.files["checkpoint"] == {2: b"\x00weights\x01"}
    assert client.fallback_count == 0


def test_resume_appends_to_run(backend_case: BackendCase) -> None:
    first = backend_case.build()
    first.log_score("train/loss", 0.5, step=1)
    first.stop()

    resumed = backend_case.build(run_id=first.run_id)
    resumed.log_score("train/loss", 0.25, step=2)
    resumed.stop()

    assert resumed.run_id == first.run_id
    stored = backend_case.read(resumed)
    assert stored.scores["train/loss"] == [(1, 0.5), (2, 0.25)]


def test_context_manager_stops_worker(backend_case: BackendCase) -> None:
    with backend_case.build() as client:
        client.log_score("train/loss", 1.0, step=0)
        assert len(tracking_threads()) == 1

    assert tracking_threads() == []
    with pytest.raises(RuntimeError, match="is stopped"):
        client.log_score("train/loss", 2.0, step=1)
    assert backend_case.read(client).scores["train/loss"] == [(0, 1.0)]


def test_stop_is_idempotent(backend_case: BackendCase) -> None:
    client = backend_case.build()
    client.log_score("train/loss", 1.0, step=0)
    client.stop()
    client.stop()

    assert backend_case.read(client).scores["train/loss"] == [(0, 1.0)]
    assert tracking_threads() == []


def test_pyplot_figures_closed(backend_case: BackendCase) -> None:
    plt.close("all")
    client = backend_case.build()
    for step in range(3):
        figure, axes = plt.subplots(figsize=(2, 2), dpi=40)
        axes.plot([0, 1], [step, step])
        client.log_plot("validation/curve", figure, step=step)
        collection = {key: plt.figure(figsize=(2, 2), dpi=40) for key in ("a", "b")}
        client.log_plot_collection("validation/pdf", collection, step=step)
    assert len(plt.get_fignums()) > 0
    client.stop()

    assert plt.get_fignums() == []
    assert set(backend_case.read(client).images["validation/curve"]) == {0, 1, 2}


def test_results_hint_names_location(backend_case: BackendCase) -> None:
    client = backend_case.build()
    client.stop()
    hint = client.results_hint()

    expected = {
        "memory": "memory",
        "filesystem": str(backend_case.tmp_path / "runs" / "exp" / client.run_id),
        "mlflow": "mlflow ui --backend-store-uri sqlite:///",
        "clearml": str(backend_case.tmp_path / "clearml_cache" / "offline"),
        "neptune": "neptune sync",
    }[backend_case.name]
    assert expected in hint
