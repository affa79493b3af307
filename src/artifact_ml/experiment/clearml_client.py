"""The ClearML tracking client: scalars, debug images and artifacts of one ClearML task.

Mapping: a result name ``"a/b/c"`` becomes title ``"a/b"`` and series ``"c"`` (a name without "/"
uses itself for both); a score collection uses the name as title and each key as series. Scores
are scalars, plots are debug images (the PNG every backend stores, uploaded from a temporary
file), arrays are artifacts named ``<name>/step_<step>`` (and
``<name>/<key>/step_<step>`` in collections), files are artifacts named ``<name>/step_<step>``.
ClearML needs an iteration, so a result without a step is reported at iteration 0.
ClearML stores NaN and infinite scalars as 0.0 (clearml 2.1), so such scores go to the fallback
folder instead (see ``TrackingClient.log_score``).

ClearML allows one task per process: stop a ClearML client before building another.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from artifact_ml.experiment.backend import RunOutcome, StorageName, TrackingBackend
from artifact_ml.experiment.delivery import DeliveryConfig
from artifact_ml.experiment.optional_dependency import import_optional
from artifact_ml.experiment.plot_image import PlotImage
from artifact_ml.experiment.records import RecordKind
from artifact_ml.experiment.server_probe import check_server_reachable
from artifact_ml.experiment.tracking_client import (
    TrackingClient,
    new_run_id,
    validate_identifier,
)

__all__ = ["ClearMLTrackingClient"]


def _title_and_series(name: str) -> tuple[str, str]:
    title, _, series = name.rpartition("/")
    return (title, series) if title else (name, name)


def _step_label(step: int | None) -> str:
    return "step_none" if step is None else f"step_{step}"


def _offline_from_environment() -> bool:
    """Read ``CLEARML_OFFLINE_MODE``; if unset, be offline unless ``CLEARML_API_HOST`` is set."""
    value = os.environ.get("CLEARML_OFFLINE_MODE")
    if value is not None:
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return not os.environ.get("CLEARML_API_HOST")


_CACHE_DIRECTORY_VARIABLE = "CLEARML_CACHE_DIR"


def _set_cache_directory(cache_dir: Path | None) -> Callable[[], None]:
    """Point ``$CLEARML_CACHE_DIR`` at ``cache_dir`` and return the function that restores it.

    clearml 2.1 reads the variable whenever it resolves its cache or offline folder, so it must
    stay set until the task is closed.
    """
    if cache_dir is None:
        return lambda: None
    previous = os.environ.get(_CACHE_DIRECTORY_VARIABLE)
    os.environ[_CACHE_DIRECTORY_VARIABLE] = str(cache_dir.resolve())

    def restore() -> None:
        if previous is None:
            os.environ.pop(_CACHE_DIRECTORY_VARIABLE, None)
        else:
            os.environ[_CACHE_DIRECTORY_VARIABLE] = previous

    return restore


def _check_offline_session(run_id: str) -> None:
    """Raise ValueError if the offline folder has no session of task ``run_id``.

    Offline, clearml 2.1 continues a task id it does not know by starting an empty session
    under that id, so a mistyped id would silently begin a new run.
    """
    clearml_config = import_optional(
        "clearml.config", extra="clearml", client="ClearMLTrackingClient"
    )
    session = Path(clearml_config.get_offline_dir(task_id=run_id))
    if session.is_dir():
        return
    known = sorted(path.name for path in session.parent.glob("*") if path.is_dir())
    listed = ", ".join(known[:10]) or "none"
    if len(known) > 10:
        listed += ", ..."
    raise ValueError(
        f"No ClearML offline session of run id {run_id!r} in {session.parent} (sessions there: "
        f"{listed}). Pass the id of a run recorded offline with the same cache folder, or leave "
        "run_id unset to start a new run."
    )


class _ClearMLBackend(TrackingBackend):
    # NOTE: report_scalar only buffers; clearml writes later in its own thread. If its offline
    # folder becomes unwritable, clearml drops buffered scalars without raising here, so they
    # reach neither ClearML nor the fallback folder (seen with clearml 2.1.12). Each write
    # checks the folder first, so only the results buffered before it went away are lost.
    stores_non_finite = False

    def __init__(
        self, *, task: Any, offline: bool, restore_environment: Callable[[], None]
    ) -> None:
        self._task = task
        self._restore_environment = restore_environment
        self._logger = task.get_logger()
        self._offline = offline
        self.offline_folder: Path | None = Path(task.get_offline_mode_folder()) if offline else None

    def storage_names(
        self, *, kind: RecordKind, name: str, keys: Sequence[str]
    ) -> list[StorageName]:
        owner = f"{kind.value} {name!r}"
        if kind is RecordKind.SCORE:
            return [("scalar", "/".join(_title_and_series(name)), owner)]
        if kind is RecordKind.SCORE_COLLECTION:
            return [("scalar", f"{name}/{key}", f"{owner} key {key!r}") for key in keys]
        if kind is RecordKind.PLOT:
            return [("image", "/".join(_title_and_series(name)), owner)]
        if kind is RecordKind.PLOT_COLLECTION:
            return [("image", f"{name}/{key}", f"{owner} key {key!r}") for key in keys]
        if kind is RecordKind.ARRAY_COLLECTION:
            return [("artifact", f"{name}/{key}", f"{owner} key {key!r}") for key in keys]
        return [("artifact", name, owner)]

    def write_score(self, *, name: str, score: float, step: int | None) -> None:
        self._check_offline_folder()
        title, series = _title_and_series(name)
        self._logger.report_scalar(title=title, series=series, value=score, iteration=step or 0)

    def write_score_collection(
        self, *, name: str, scores: dict[str, float], step: int | None
    ) -> None:
        self._check_offline_folder()
        for key, value in scores.items():
            self._logger.report_scalar(title=name, series=key, value=value, iteration=step or 0)

    def write_plot(self, *, name: str, image: PlotImage, step: int | None) -> None:
        title, series = _title_and_series(name)
        self._report_image(title=title, series=series, image=image, step=step)

    def write_plot_collection(
        self, *, name: str, images: dict[str, PlotImage], step: int | None
    ) -> None:
        for key, image in images.items():
            self._report_image(title=name, series=key, image=image, step=step)

    def write_array(self, *, name: str, array: np.ndarray, step: int | None) -> None:
        self._upload(f"{name}/{_step_label(step)}", array)

    def write_array_collection(
        self, *, name: str, arrays: dict[str, np.ndarray], step: int | None
    ) -> None:
        for key, array in arrays.items():
            self._upload(f"{name}/{key}/{_step_label(step)}", array)

    def write_file(self, *, name: str, path: Path, step: int | None) -> None:
        self._upload(f"{name}/{_step_label(step)}", str(path))

    def close(self, *, outcome: RunOutcome = RunOutcome.FINISHED) -> None:
        # An offline session keeps no task status (clearml 2.1), so the outcome is also stored
        # as the parameter "artifact_ml/outcome". Task.close marks the task completed. It runs
        # even when storing the outcome fails, because ClearML allows one open task per process.
        try:
            self._task.set_parameter("artifact_ml/outcome", outcome.value)
        finally:
            try:
                self._task.close()
            finally:
                self._restore_environment()
        if outcome is RunOutcome.FAILED:
            self._task.mark_failed(status_reason="the tracked code raised an exception", force=True)
        elif outcome is RunOutcome.KILLED:
            self._task.mark_stopped(force=True, status_message="interrupted by the user")

    def results_hint(self) -> str:
        if self.offline_folder is not None:
            return (
                f"ClearML offline session: {self.offline_folder} (upload it with "
                f"Task.import_offline_session('{self.offline_folder}.zip'))"
            )
        return f"Open the ClearML task {self._task.id} in the web UI of your ClearML server."

    def _check_offline_folder(self) -> None:
        """Raise OSError if the offline session folder is gone or not writable, where clearml
        would drop the result without an error."""
        folder = self.offline_folder
        if folder is not None and not (folder.is_dir() and os.access(folder, os.W_OK)):
            raise OSError(
                f"ClearML's offline session folder {folder} is missing or not writable; clearml "
                "would drop this result. Restore the folder (results written before it went "
                "away are lost)."
            )

    def _report_image(self, *, title: str, series: str, image: PlotImage, step: int | None) -> None:
        self._check_offline_folder()
        handle, path = tempfile.mkstemp(prefix="artifact-ml-", suffix=".png")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(image.png)
            # ClearML copies (offline) or uploads the file and then deletes it.
            self._logger.report_image(
                title=title,
                series=series,
                iteration=step or 0,
                local_path=path,
                delete_after_upload=True,
            )
        except BaseException:
            Path(path).unlink(missing_ok=True)
            raise

    def _upload(self, artifact_name: str, artifact: object) -> None:
        self._check_offline_folder()
        self._task.upload_artifact(artifact_name, artifact_object=artifact, wait_on_upload=True)


def _save_random_generators() -> Callable[[], None]:
    """Save the states of the global random, NumPy and (if imported) torch generators and return
    a function that restores them."""
    python_state = random.getstate()
    numpy_state = np.random.get_state()
    torch = sys.modules.get("torch")
    torch_state = torch.get_rng_state() if torch is not None else None

    def restore() -> None:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
        if torch is not None and torch_state is not None:
            torch.set_rng_state(torch_state)

    return restore


class ClearMLTrackingClient(TrackingClient):
    """Logs to a ClearML task; offline by default when no ClearML server is configured.

    ``experiment_id`` is the ClearML project and ``run_id`` the task id (ClearML assigns it).
    The client turns off ClearML's reporter subprocess (it can hang ``close()`` for minutes on
    Linux), its update check, and its automatic framework, resource and console capture.
    """

    offline_folder: Path | None

    @classmethod
    def build(
        cls,
        experiment_id: str,
        run_id: str | None = None,
        *,
        task_name: str | None = None,
        offline: bool | None = None,
        cache_dir: str | Path | None = None,
        delivery: DeliveryConfig | None = None,
    ) -> ClearMLTrackingClient:
        """Start a ClearML task in project ``experiment_id``, or resume the task ``run_id``.

        Args:
            experiment_id: ClearML project name.
            run_id: id of an existing task to continue; default: a new task.
            task_name: name of a new task; default: a time-based run name.
            offline: store the session locally (under ``$CLEARML_CACHE_DIR/offline``); default:
                ``$CLEARML_OFFLINE_MODE`` if set, else offline unless ``$CLEARML_API_HOST`` is set.
            cache_dir: ClearML's cache folder, which contains the offline sessions. It sets
                ``$CLEARML_CACHE_DIR`` in this process until the client stops. Default: the
                variable's value, else ClearML's default ``~/.clearml/cache``. NOTE: clearml
                2.1.12 still writes its session cache ``~/.clearml/.session.json`` in HOME.
            delivery: queue, retry and fallback settings.

        Raises:
            ImportError: if clearml is not installed.
            ConnectionError: if online and nothing accepts connections at the ClearML API server's
                host and port (see ``server_probe``).
            RuntimeError: if another ClearML task is running in this process.
            ValueError: if ``experiment_id`` or ``run_id`` is invalid, or if offline, when no
                offline session of ``run_id`` is in the cache folder (checked before ClearML
                starts a task).
        """
        validate_identifier(experiment_id, what="experiment id")
        if run_id is not None:
            validate_identifier(run_id, what="run id")
        clearml = import_optional("clearml", extra="clearml", client="ClearMLTrackingClient")
        check_updates = import_optional(
            "clearml.utilities.check_updates", extra="clearml", client="ClearMLTrackingClient"
        )
        task_class = clearml.Task
        if task_class.current_task() is not None:
            raise RuntimeError(
                f"A ClearML task ({task_class.current_task().id}) is already running in this "
                "process; ClearML allows one. Stop its tracking client before building another."
            )
        is_offline = _offline_from_environment() if offline is None else offline
        if not is_offline:
            session = import_optional(
                "clearml.backend_api.session", extra="clearml", client="ClearMLTrackingClient"
            )
            check_server_reachable(
                session.Session.get_api_server_host(),
                service="ClearML API server",
                advice="Start it, fix CLEARML_API_HOST (or api.api_server in clearml.conf), or "
                "log offline (offline=True or CLEARML_OFFLINE_MODE=1).",
            )
        # Private switches (clearml 2.1): no forked reporter process and no update request.
        task_class._report_subprocess_enabled = False
        check_updates.CheckPackageUpdates._package_version_checked = True
        task_class.set_offline(offline_mode=is_offline)

        options: dict[str, Any] = {
            "project_name": experiment_id,
            "task_name": task_name or new_run_id(),
            "auto_connect_frameworks": False,
            "auto_resource_monitoring": False,
            "auto_connect_streams": False,
            "auto_connect_arg_parser": False,
        }
        restore_environment = _set_cache_directory(None if cache_dir is None else Path(cache_dir))
        if is_offline and run_id is not None:
            try:
                _check_offline_session(run_id)
            except BaseException:
                restore_environment()
                raise
        # Task.init seeds random, NumPy and torch with a fixed seed (1337 in clearml 2.1); the
        # caller's generators are put back as they were.
        restore_generators = _save_random_generators()
        try:
            if run_id is None:
                task = task_class.init(reuse_last_task_id=False, **options)
            else:
                task = task_class.init(continue_last_task=run_id, **options)
        except BaseException:
            restore_environment()
            raise
        finally:
            restore_generators()
        try:
            if run_id is not None:
                # A continued task offsets every iteration by its last one; steps stay as logged.
                task.set_initial_iteration(0)
            backend = _ClearMLBackend(
                task=task, offline=is_offline, restore_environment=restore_environment
            )
            client = cls(
                backend=backend, experiment_id=experiment_id, run_id=task.id, delivery=delivery
            )
        except BaseException:
            # Leave no running task behind: ClearML allows one per process.
            task.close()
            restore_environment()
            raise
        client.offline_folder = backend.offline_folder
        return client
