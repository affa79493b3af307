"""The Neptune tracking client (``neptune`` 1.x): float series, image series and uploaded files.

Mapping: a score is the float series ``<name>``; a score collection is one float series per key,
``<name>/<key>``; a plot is the image series ``<name>`` (and ``<name>/<key>`` in collections);
an array is the file ``<name>/step_<step>`` (``.npy``) and a file is ``<name>/step_<step>`` with
its bytes copied (Neptune otherwise keeps only the path of a file until it syncs). Neptune fields
and namespaces share one tree, so a name cannot be both a result and the parent of another result,
and no part of a name or key may look like a step label (``step_3``, ``step_none``). Neptune
skips NaN and infinite values (neptune 1.14), so such scores go to the fallback folder instead (see
``TrackingClient.log_score``).
"""

from __future__ import annotations

import io
import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from artifact_ml.experiment.backend import RunOutcome, StorageName, TrackingBackend
from artifact_ml.experiment.delivery import DeliveryConfig
from artifact_ml.experiment.optional_dependency import import_optional
from artifact_ml.experiment.plot_image import PlotImage
from artifact_ml.experiment.records import RecordKind
from artifact_ml.experiment.tracking_client import (
    TrackingClient,
    new_run_id,
    validate_identifier,
)

__all__ = ["NeptuneTrackingClient"]

_RESERVED_NAMESPACES = ("sys", "source_code", "monitoring", "artifact_ml")
_DATA_DIRECTORY_VARIABLE = "NEPTUNE_DATA_DIRECTORY"
_environment_lock = threading.Lock()
# Arrays and files are stored as fields named like this under the result's namespace.
_STEP_LABEL = re.compile(r"step_(\d+|none)")


def _step_label(step: int | None) -> str:
    return "step_none" if step is None else f"step_{step}"


def _path_entries(path: str, owner: str, *, is_namespace: bool) -> list[StorageName]:
    """Return the tree entries of ``path``: each parent is a namespace, the path itself a field.

    With ``is_namespace``, ``path`` contains one ``step_<step>`` file field per step (arrays, files
    and array collection keys), which two results must not share.
    """
    parts = path.split("/")
    namespace = "a Neptune namespace of other results"
    entries = [("path", "/".join(parts[:index]), namespace) for index in range(1, len(parts))]
    entries.append(("path", path, namespace if is_namespace else owner))
    if is_namespace:
        entries.append(("step files", path, owner))
    return entries


@contextmanager
def _data_directory(data_dir: Path | None) -> Iterator[None]:
    """Point ``NEPTUNE_DATA_DIRECTORY`` at ``data_dir`` while a run is created (neptune 1.14
    reads the variable when it creates the run's offline or async queue folder)."""
    if data_dir is None:
        yield
        return
    with _environment_lock:
        previous = os.environ.get(_DATA_DIRECTORY_VARIABLE)
        os.environ[_DATA_DIRECTORY_VARIABLE] = str(data_dir)
        try:
            yield
        finally:
            if previous is None:
                del os.environ[_DATA_DIRECTORY_VARIABLE]
            else:
                os.environ[_DATA_DIRECTORY_VARIABLE] = previous


class _NeptuneBackend(TrackingBackend):
    stores_non_finite = False

    def __init__(self, *, run: Any, mode: str, data_dir: Path) -> None:
        self._run = run
        self._mode = mode
        self._data_dir = data_dir
        self._file_type = import_optional(
            "neptune.types", extra="neptune", client="NeptuneTrackingClient"
        ).File

    def storage_names(
        self, *, kind: RecordKind, name: str, keys: Sequence[str]
    ) -> list[StorageName]:
        if name.split("/")[0] in _RESERVED_NAMESPACES:
            raise ValueError(
                f"Invalid result name {name!r} for Neptune: the namespaces "
                f"{', '.join(_RESERVED_NAMESPACES)} are reserved. Use another first part."
            )
        for part in [*name.split("/"), *keys]:
            if _STEP_LABEL.fullmatch(part):
                raise ValueError(
                    f"Invalid result name {name!r} for Neptune: the part {part!r} looks like the "
                    "step label under which arrays and files are stored. Rename that part."
                )
        owner = f"{kind.value} {name!r}"
        if kind in (RecordKind.SCORE, RecordKind.PLOT):
            return _path_entries(name, owner, is_namespace=False)
        if kind in (RecordKind.ARRAY, RecordKind.FILE):
            return _path_entries(name, owner, is_namespace=True)
        entries: list[StorageName] = []
        for key in keys:
            entries += _path_entries(
                f"{name}/{key}",
                f"{owner} key {key!r}",
                is_namespace=kind is RecordKind.ARRAY_COLLECTION,
            )
        return entries

    def write_score(self, *, name: str, score: float, step: int | None) -> None:
        self._append(name, score, step)

    def write_score_collection(
        self, *, name: str, scores: dict[str, float], step: int | None
    ) -> None:
        for key, value in scores.items():
            self._append(f"{name}/{key}", value, step)

    def write_plot(self, *, name: str, image: PlotImage, step: int | None) -> None:
        self._append(name, self._png_file(image), step)

    def write_plot_collection(
        self, *, name: str, images: dict[str, PlotImage], step: int | None
    ) -> None:
        for key, image in images.items():
            self._append(f"{name}/{key}", self._png_file(image), step)

    def write_array(self, *, name: str, array: np.ndarray, step: int | None) -> None:
        self._upload_array(f"{name}/{_step_label(step)}", array)

    def write_array_collection(
        self, *, name: str, arrays: dict[str, np.ndarray], step: int | None
    ) -> None:
        for key, array in arrays.items():
            self._upload_array(f"{name}/{key}/{_step_label(step)}", array)

    def write_file(self, *, name: str, path: Path, step: int | None) -> None:
        content = self._file_type.from_content(path.read_bytes(), extension=path.suffix[1:])
        self._run[f"{name}/{_step_label(step)}"].upload(content)

    def close(self, *, outcome: RunOutcome = RunOutcome.FINISHED) -> None:
        self._run["artifact_ml/outcome"] = outcome.value
        if outcome is not RunOutcome.FINISHED:
            # The field Neptune itself sets when it captures an uncaught exception.
            self._run["sys/failed"] = True
        self._run.wait()
        self._run.stop()

    def results_hint(self) -> str:
        if self._mode == "offline":
            folder = self._data_dir.parent
            if folder.name == ".neptune":
                return (
                    f"Neptune offline data is in {self._data_dir}; upload it with: "
                    f"neptune sync --path {folder}"
                )
            # neptune sync only reads a folder named .neptune (or one that contains it).
            return (
                f"Neptune offline data is in {self._data_dir}; to upload it, copy {folder} to a "
                f"folder named .neptune, then run: neptune sync --path <that .neptune folder>"
            )
        return "Open the run in the Neptune web app (project from NEPTUNE_PROJECT)."

    def _append(self, path: str, value: Any, step: int | None) -> None:
        if step is None:
            self._run[path].append(value)
        else:
            self._run[path].append(value, step=step)

    def _png_file(self, image: PlotImage) -> Any:
        # The PNG that every backend stores; File.as_image(figure) would render it again, and
        # with bbox_inches="tight" (neptune 1.14), so images would differ between backends.
        return self._file_type.from_content(image.png, extension="png")

    def _upload_array(self, path: str, array: np.ndarray) -> None:
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        self._run[path].upload(self._file_type.from_content(buffer.getvalue(), extension="npy"))


class NeptuneTrackingClient(TrackingClient):
    """Logs to a Neptune run; offline by default (``$NEPTUNE_MODE`` overrides it).

    ``run_id`` is Neptune's custom run id: building with the id of an earlier run logs into that
    run (in offline mode, ``neptune sync`` merges both sessions into it). The experiment id is
    stored as the run name and in the field ``artifact_ml/experiment_id``.
    """

    data_dir: Path

    @classmethod
    def build(
        cls,
        experiment_id: str,
        run_id: str | None = None,
        *,
        mode: str | None = None,
        project: str | None = None,
        data_dir: str | Path | None = None,
        delivery: DeliveryConfig | None = None,
    ) -> NeptuneTrackingClient:
        """Start (or resume) the Neptune run ``run_id`` of ``experiment_id``.

        Args:
            experiment_id: stored as the run name.
            run_id: custom run id; default: a new time-based id.
            mode: "offline", "debug", "async" or "sync"; default ``$NEPTUNE_MODE`` or "offline".
            project: "workspace/project"; default ``$NEPTUNE_PROJECT`` (not needed offline).
            data_dir: folder of Neptune's local data; default ``$NEPTUNE_DATA_DIRECTORY`` or
                ``./.neptune`` (relative to the working directory).
            delivery: queue, retry and fallback settings.

        Raises:
            ImportError: if neptune is not installed.
        """
        validate_identifier(experiment_id, what="experiment id")
        run_id = new_run_id() if run_id is None else validate_identifier(run_id, what="run id")
        neptune = import_optional("neptune", extra="neptune", client="NeptuneTrackingClient")
        mode = mode or os.environ.get("NEPTUNE_MODE") or "offline"
        folder = Path(data_dir) if data_dir is not None else None
        with _data_directory(folder):
            run = neptune.init_run(
                mode=mode,
                project=project,
                custom_run_id=run_id,
                name=experiment_id,
                capture_stdout=False,
                capture_stderr=False,
                capture_hardware_metrics=False,
                capture_traceback=False,
                source_files=[],
                git_ref=False,
            )
        try:
            run["artifact_ml/experiment_id"] = experiment_id
            run["artifact_ml/run_id"] = run_id
            resolved = (
                folder or Path(os.environ.get(_DATA_DIRECTORY_VARIABLE) or ".neptune")
            ).resolve()
            backend = _NeptuneBackend(run=run, mode=mode, data_dir=resolved / mode)
            client = cls(
                backend=backend, experiment_id=experiment_id, run_id=run_id, delivery=delivery
            )
        except BaseException:
            run.stop()
            raise
        client.data_dir = resolved
        return client
