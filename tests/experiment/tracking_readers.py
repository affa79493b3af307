"""Read a run back from each backend's own storage into one comparable form.

Each reader uses the backend's storage, not the client: the run folder, the MLflow client API,
ClearML's offline session folder, Neptune's offline operation log.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from artifact_ml.experiment import TrackingClient

PNG_SIGNATURE = b"\x89PNG"
JPEG_SIGNATURE = b"\xff\xd8"


@dataclass
class StoredRun:
    """Results as stored: scores and score-collection entries as (step, value) lists, arrays by
    step, images as their first bytes by step, files as their bytes by step."""

    scores: dict[str, list[tuple[int | None, float]]] = field(default_factory=dict)
    arrays: dict[str, dict[int | None, np.ndarray]] = field(default_factory=dict)
    images: dict[str, dict[int | None, bytes]] = field(default_factory=dict)
    files: dict[str, dict[int | None, bytes]] = field(default_factory=dict)


def _parse_step(label: str) -> int | None:
    value = label.removeprefix("step_")
    return None if value == "none" else int(value)


def read_run_folder(run_dir: Path) -> StoredRun:
    """Read the run-folder layout (filesystem client, fallback folder, MLflow artifacts)."""
    import csv

    stored = StoredRun()
    for path in sorted((run_dir / "scores").rglob("*.csv")):
        name = path.relative_to(run_dir / "scores").with_suffix("").as_posix()
        with path.open(newline="") as stream:
            rows = list(csv.DictReader(stream))
        stored.scores[name] = [(_step_or_none(row["step"]), float(row["value"])) for row in rows]
    for path in sorted((run_dir / "score_collections").rglob("*.csv")):
        name = path.relative_to(run_dir / "score_collections").with_suffix("").as_posix()
        with path.open(newline="") as stream:
            rows = list(csv.DictReader(stream))
        for row in rows:
            for key, value in row.items():
                if key != "step" and value != "":
                    entry = stored.scores.setdefault(f"{name}/{key}", [])
                    entry.append((_step_or_none(row["step"]), float(value)))
    for folder in ("arrays", "array_collections"):
        for path in sorted((run_dir / folder).rglob("*.npy")):
            name = path.parent.relative_to(run_dir / folder).as_posix()
            stored.arrays.setdefault(name, {})[_parse_step(path.stem)] = np.load(path)
    for folder in ("plots", "plot_collections"):
        for path in sorted((run_dir / folder).rglob("*.png")):
            name = path.parent.relative_to(run_dir / folder).as_posix()
            stored.images.setdefault(name, {})[_parse_step(path.stem)] = path.read_bytes()[:4]
    for path in sorted((run_dir / "files").rglob("*")):
        if path.is_file():
            step_folder = path.parent
            name = step_folder.parent.relative_to(run_dir / "files").as_posix()
            stored.files.setdefault(name, {})[_parse_step(step_folder.name)] = path.read_bytes()
    return stored


def _step_or_none(text: str) -> int | None:
    return None if text == "" else int(text)


def read_memory(client: TrackingClient, tmp_path: Path) -> StoredRun:
    from artifact_ml.experiment import InMemoryTrackingClient

    assert isinstance(client, InMemoryTrackingClient)
    stored = StoredRun()
    stored.scores = {name: list(values) for name, values in client.scores.items()}
    for name, entries in client.score_collections.items():
        for step, scores in entries:
            for key, value in scores.items():
                stored.scores.setdefault(f"{name}/{key}", []).append((step, value))
    for name, array_entries in client.arrays.items():
        stored.arrays[name] = dict(array_entries)
    for name, collection_entries in client.array_collections.items():
        for step, arrays in collection_entries:
            for key, array in arrays.items():
                stored.arrays.setdefault(f"{name}/{key}", {})[step] = array
    for name, plot_entries in client.plots.items():
        stored.images[name] = {step: _png_signature(figure) for step, figure in plot_entries}
    for name, plot_collection_entries in client.plot_collections.items():
        for step, figures in plot_collection_entries:
            for key, figure in figures.items():
                stored.images.setdefault(f"{name}/{key}", {})[step] = _png_signature(figure)
    stored.files = {name: dict(entries) for name, entries in client.files.items()}
    return stored


def _png_signature(figure: object) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")  # type: ignore[attr-defined]
    return buffer.getvalue()[:4]


def read_filesystem(client: TrackingClient, tmp_path: Path) -> StoredRun:
    return read_run_folder(tmp_path / "runs" / client.experiment_id / client.run_id)


def read_mlflow(client: TrackingClient, tmp_path: Path) -> StoredRun:
    from mlflow.tracking import MlflowClient

    mlflow_client = MlflowClient(f"sqlite:///{tmp_path / 'runs' / 'mlflow.db'}")
    run = mlflow_client.get_run(client.run_id)
    download = tmp_path / "mlflow_download"
    download.mkdir(exist_ok=True)
    local = Path(mlflow_client.download_artifacts(client.run_id, "", str(download)))
    stored = read_run_folder(local)
    stored.scores = {}
    for key in run.data.metrics:
        history = mlflow_client.get_metric_history(client.run_id, key)
        ordered = sorted(history, key=lambda metric: (metric.timestamp, metric.step))
        stored.scores[key] = [(metric.step, metric.value) for metric in ordered]
    return stored


def read_clearml(client: TrackingClient, tmp_path: Path) -> StoredRun:
    (folder,) = (tmp_path / "clearml_cache" / "offline").glob(f"{client.run_id}")
    metrics_file = folder / "metrics.jsonl"
    lines = metrics_file.read_text().splitlines() if metrics_file.exists() else []
    events = [event for line in lines if line.strip() for event in json.loads(line)]
    stored = StoredRun()
    for event in events:
        title_series = f"{event['metric']}/{event['variant']}"
        if event["metric"] == event["variant"]:
            title_series = event["metric"]
        if event["type"] == "training_stats_scalar":
            stored.scores.setdefault(title_series, []).append((event["iter"], event["value"]))
        elif event["type"] == "training_debug_image":
            image = Path(event["url"]).read_bytes()[:4]
            stored.images.setdefault(title_series, {})[event["iter"]] = image
    task = json.loads((folder / "task.json").read_text())
    for artifact in task["execution"]["artifacts"]:
        name, _, step_label = artifact["key"].rpartition("/")
        path = Path(artifact["uri"])
        if artifact["type"] == "numpy":
            array = np.load(path)[artifact["key"]]
            stored.arrays.setdefault(name, {})[_parse_step(step_label)] = array
        else:
            stored.files.setdefault(name, {})[_parse_step(step_label)] = path.read_bytes()
    return stored


def read_neptune(client: TrackingClient, tmp_path: Path) -> StoredRun:
    stored = StoredRun()
    sessions = []
    for log in (tmp_path / "neptune" / "offline").glob("*/data-1.log"):
        entries = [json.loads(line) for line in log.read_text().splitlines() if line]
        sessions.append((entries[0]["at"], log, [entry["obj"] for entry in entries]))
    for _, log, operations in sorted(sessions, key=lambda session: session[0]):
        run_ids = [
            operation["value"]
            for operation in operations
            if operation["path"] == ["artifact_ml", "run_id"]
        ]
        if run_ids != [client.run_id]:
            continue
        for operation in operations:
            path = "/".join(operation["path"])
            if operation["type"] == "LogFloats":
                for value in operation["values"]:
                    stored.scores.setdefault(path, []).append((value["step"], value["value"]))
            elif operation["type"] == "LogImages":
                for value in operation["values"]:
                    image = base64.b64decode(value["value"]["data"])[:4]
                    stored.images.setdefault(path, {})[value["step"]] = image
            elif operation["type"] == "UploadFile" and path.split("/")[0] != "source_code":
                content = (log.parent / "upload_path" / operation["tmp_file_name"]).read_bytes()
                name, _, step_label = path.rpartition("/")
                if operation["ext"] == "npy":
                    array = np.load(io.BytesIO(content))
                    stored.arrays.setdefault(name, {})[_parse_step(step_label)] = array
                else:
                    stored.files.setdefault(name, {})[_parse_step(step_label)] = content
    return stored


READERS: dict[str, Callable[[TrackingClient, Path], StoredRun]] = {
    "memory": read_memory,
    "filesystem": read_filesystem,
    "mlflow": read_mlflow,
    "clearml": read_clearml,
    "neptune": read_neptune,
}
