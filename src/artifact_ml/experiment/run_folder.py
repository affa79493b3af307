"""The run-folder layout of the filesystem tracking client, also used by every fallback folder.

Layout under ``run_dir`` (a result name keeps its "/" as sub-folders):

- ``scores/<name>.csv``: header ``step,value``, one row per logged score;
- ``score_collections/<name>.csv``: column ``step`` plus one column per key, one row per log;
- ``arrays/<name>/step_<step>.npy`` and ``array_collections/<name>/<key>/step_<step>.npy``;
- ``plots/<name>/step_<step>.png`` and ``plot_collections/<name>/<key>/step_<step>.png``;
- ``files/<name>/step_<step>/<file name>`` (``files/<name>/<file name>`` without a step);
- ``run.json``: experiment id, run id, status, start, resume and finish times (UTC, ISO 8601),
  and ``recreated_at`` if the file was written again after it disappeared during the run.

A result logged without a step is written as ``step_none`` (an empty ``step`` field in CSV files).
Each part of a name or key may be at most ``MAX_PART_BYTES`` bytes in UTF-8 after sanitising, so
that every file name (with its suffix) fits the 255-byte limit of ext4, APFS and NTFS. Files get
the permissions of a normally created file (``0o666`` minus the umask).
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from artifact_ml.experiment.backend import RunOutcome, StorageName, TrackingBackend
from artifact_ml.experiment.plot_image import PlotImage
from artifact_ml.experiment.records import RecordKind

__all__ = [
    "MAX_PART_BYTES",
    "RunFolderBackend",
    "check_part_lengths",
    "run_folder_storage_names",
    "sanitize_path_name",
]

logger = logging.getLogger(__name__)

_INVALID_PATH_CHARACTERS = re.compile(r'[<>:"|?*]')
MAX_PART_BYTES = 250
"""Maximum UTF-8 length of one name part or key: 255 bytes minus room for ".csv" or ".npy"."""


def check_part_lengths(name: str, keys: Sequence[str]) -> None:
    """Raise ValueError if a part of ``name`` or a key is too long for a run folder.

    Every backend's fallback folder is a run folder, so every client applies this limit.
    """
    for part in [*name.split("/"), *keys]:
        size = len(sanitize_path_name(part).encode("utf-8"))
        if size > MAX_PART_BYTES:
            raise ValueError(
                f"Invalid result name {name!r}: the part or key {part[:40]!r}... is {size} bytes "
                f"long in UTF-8; the limit is {MAX_PART_BYTES} bytes per part. Shorten it."
            )


def sanitize_path_name(name: str) -> str:
    """Replace characters that some file systems reject (``<>:"|?*``) with "_"."""
    return _INVALID_PATH_CHARACTERS.sub("_", name)


def _step_label(step: int | None) -> str:
    return "step_none" if step is None else f"step_{step}"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _current_umask() -> int:
    # os.umask can only be read by setting it. This races with another thread that changes the
    # umask at the same moment, which programs rarely do.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Write via a temporary file in the same folder, then rename, so no file is half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    os.close(handle)
    try:
        # mkstemp creates the file with mode 0o600; give it the mode a plain open() would.
        os.chmod(temporary, 0o666 & ~_current_umask())
        write(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run_folder_storage_names(
    *, kind: RecordKind, name: str, keys: Sequence[str]
) -> list[StorageName]:
    """Return the paths under which a run folder stores a result (see the module docstring), as
    ``TrackingBackend.storage_names`` entries."""
    owner = f"{kind.value} {name!r}"
    storage = [(kind.value, sanitize_path_name(name), owner)]
    storage += [
        (f"{kind.value}/{name}", sanitize_path_name(key), f"{owner} key {key!r}") for key in keys
    ]
    return storage


class RunFolderBackend(TrackingBackend):
    """Writes results into ``run_dir`` with the layout in the module docstring.

    Args:
        run_dir: the run folder; created on the first write (or by ``start``).
        experiment_id: recorded in ``run.json``.
        run_id: recorded in ``run.json``.
    """

    def __init__(self, *, run_dir: Path, experiment_id: str, run_id: str) -> None:
        self.run_dir = run_dir
        self._experiment_id = experiment_id
        self._run_id = run_id
        self._started = False
        self._metadata: dict[str, Any] = {}

    def start(self) -> None:
        """Create the run folder and write ``run.json``; a folder that exists is resumed."""
        metadata_path = self.run_dir / "run.json"
        if metadata_path.exists():
            metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
            metadata.setdefault("resumed_at", []).append(_now())
        else:
            metadata = {
                "experiment_id": self._experiment_id,
                "run_id": self._run_id,
                "started_at": _now(),
                "resumed_at": [],
            }
        metadata["status"] = "running"
        metadata["finished_at"] = None
        self._metadata = metadata
        self._write_metadata()
        self._started = True

    def close(self, *, outcome: RunOutcome = RunOutcome.FINISHED) -> None:
        """Record ``outcome`` ("finished", "failed" or "killed") as the status in ``run.json``
        (only if anything was written)."""
        if not self._started:
            return
        self._metadata["status"] = outcome.value
        self._metadata["finished_at"] = _now()
        self._write_metadata()

    def results_hint(self) -> str:
        return f"Results are in the folder {self.run_dir}"

    def storage_names(
        self, *, kind: RecordKind, name: str, keys: Sequence[str]
    ) -> list[StorageName]:
        return run_folder_storage_names(kind=kind, name=name, keys=keys)

    def write_score(self, *, name: str, score: float, step: int | None) -> None:
        path = self._path("scores", f"{name}.csv")
        self._append_csv_row(path=path, header=["step", "value"], row=[step, repr(score)])

    def write_score_collection(
        self, *, name: str, scores: dict[str, float], step: int | None
    ) -> None:
        path = self._path("score_collections", f"{name}.csv")
        row = {"step": "" if step is None else str(step)}
        row.update({key: repr(value) for key, value in scores.items()})
        self._append_csv_dict(path=path, row=row)

    def write_array(self, *, name: str, array: np.ndarray, step: int | None) -> None:
        self._save_array(self._path("arrays", name, f"{_step_label(step)}.npy"), array)

    def write_array_collection(
        self, *, name: str, arrays: dict[str, np.ndarray], step: int | None
    ) -> None:
        for key, array in arrays.items():
            path = self._path("array_collections", name, key, f"{_step_label(step)}.npy")
            self._save_array(path, array)

    def write_plot(self, *, name: str, image: PlotImage, step: int | None) -> None:
        self._save_bytes(self._path("plots", name, f"{_step_label(step)}.png"), image.png)

    def write_plot_collection(
        self, *, name: str, images: dict[str, PlotImage], step: int | None
    ) -> None:
        for key, image in images.items():
            path = self._path("plot_collections", name, key, f"{_step_label(step)}.png")
            self._save_bytes(path, image.png)

    def write_file(self, *, name: str, path: Path, step: int | None) -> None:
        folder = self._path("files", name)
        if step is not None:
            folder = folder / _step_label(step)
        _write_atomically(folder / path.name, lambda temporary: shutil.copyfile(path, temporary))

    def _path(self, *parts: str) -> Path:
        if not self._started:
            self.start()
        elif not (self.run_dir / "run.json").exists():
            self._restore_metadata()
        return self.run_dir.joinpath(*(sanitize_path_name(part) for part in parts))

    def _restore_metadata(self) -> None:
        """Write ``run.json`` again after it disappeared while the run was writing."""
        logger.warning(
            "run.json of run %s is missing from %s: the folder was deleted or moved while the "
            "run was writing. Writing run.json again; results written before that are no longer "
            "in this folder.",
            self._run_id,
            self.run_dir,
        )
        self._metadata.setdefault("recreated_at", []).append(_now())
        self._write_metadata()

    def _write_metadata(self) -> None:
        text = json.dumps(self._metadata, indent=2)
        _write_atomically(
            self.run_dir / "run.json",
            lambda temporary: temporary.write_text(text, encoding="utf-8"),
        )

    @staticmethod
    def _save_array(path: Path, array: np.ndarray) -> None:
        _write_atomically(path, lambda temporary: np.save(temporary, array, allow_pickle=False))

    @staticmethod
    def _save_bytes(path: Path, content: bytes) -> None:
        _write_atomically(path, lambda temporary: temporary.write_bytes(content))

    @staticmethod
    def _append_csv_row(*, path: Path, header: list[str], row: list[object]) -> None:
        is_new = not path.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            if is_new:
                writer.writerow(header)
            writer.writerow(["" if value is None else value for value in row])

    @staticmethod
    def _append_csv_dict(*, path: Path, row: dict[str, str]) -> None:
        """Append a row; if it has keys the header lacks, rewrite the file with the union."""
        rows: list[dict[str, str]] = []
        header: list[str] = []
        if path.exists():
            with path.open(newline="", encoding="utf-8") as stream:
                header = next(csv.reader(stream), [])
        if header and set(row) <= set(header):
            with path.open("a", newline="", encoding="utf-8") as stream:
                csv.DictWriter(stream, fieldnames=header, restval="").writerow(row)
            return
        if header:
            with path.open(newline="", encoding="utf-8") as stream:
                rows = list(csv.DictReader(stream))
        columns = header + [key for key in row if key not in header]
        rows.append(row)

        def write_all(temporary: Path) -> None:
            with temporary.open("w", newline="", encoding="utf-8") as stream:
                writer = csv.DictWriter(stream, fieldnames=columns, restval="")
                writer.writeheader()
                writer.writerows(rows)

        _write_atomically(path, write_all)
