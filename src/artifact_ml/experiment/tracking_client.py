"""The tracking client: the one logging interface that every backend shares."""

from __future__ import annotations

import atexit
import logging
import numbers
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Self

import numpy as np
from matplotlib.figure import Figure

from artifact_ml.experiment.backend import RunOutcome, TrackingBackend
from artifact_ml.experiment.delivery import DeliveryConfig, DeliveryWorker
from artifact_ml.experiment.names import (
    FALLBACK_NAMESPACE,
    NameRegistry,
    sanitize_key,
    validate_name,
)
from artifact_ml.experiment.plot_image import PlotImage
from artifact_ml.experiment.records import LogRecord, RecordKind, RecordValue
from artifact_ml.experiment.run_folder import check_part_lengths, run_folder_storage_names

__all__ = ["TrackingClient", "new_run_id", "validate_identifier"]

logger = logging.getLogger(__name__)


def new_run_id() -> str:
    """Return a fresh run id: UTC time to the second plus 8 random hex digits."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"


def validate_identifier(value: object, *, what: str) -> str:
    """Return ``value`` if it is a valid experiment or run id: one non-empty path part.

    Raises:
        ValueError: naming ``what`` and the bad value.
    """
    if (
        not isinstance(value, str)
        or not value
        or value in (".", "..")
        or "/" in value
        or ("\\" in value)
    ):
        raise ValueError(
            f"Invalid {what} {value!r}: use a non-empty string without '/' or '\\', "
            "e.g. 'adult-vae'."
        )
    validate_name(value)
    return value


class TrackingClient:
    """Logs results of one run to one backend without blocking the caller.

    Build a client with a subclass's ``build`` (e.g. ``FilesystemTrackingClient.build``).
    Every ``log_*`` method validates the name, copies the value and queues it; a background worker
    writes it (see ``artifact_ml.experiment.delivery``). Names may contain "/" but no empty, "."
    or ".." part and no backslash; a name that the backend would store like another name is
    rejected. ``step`` is usually the epoch; ``None`` means no step.

    Figures are closed (removed from pyplot) once written. The caller must not change a logged
    figure or file until ``stop()`` returns, because they are written later; arrays and scores are
    copied when logged.
    """

    def __init__(
        self,
        *,
        backend: TrackingBackend,
        experiment_id: str,
        run_id: str,
        delivery: DeliveryConfig | None = None,
    ) -> None:
        self._experiment_id = validate_identifier(experiment_id, what="experiment id")
        self._run_id = validate_identifier(run_id, what="run id")
        self._backend = backend
        self._names = NameRegistry()
        self._checked: set[tuple[RecordKind, str, tuple[str, ...]]] = set()
        self._key_owners: dict[tuple[str, str], str] = {}
        self._worker = DeliveryWorker(
            backend=backend,
            config=delivery if delivery is not None else DeliveryConfig(),
            experiment_id=experiment_id,
            run_id=run_id,
        )
        atexit.register(self.stop)
        logger.info("Started tracking run %s of experiment %s.", run_id, experiment_id)

    @property
    def experiment_id(self) -> str:
        """The experiment (group of runs) this run belongs to."""
        return self._experiment_id

    @property
    def run_id(self) -> str:
        """The id of this run; pass it to ``build(run_id=...)`` to resume the run."""
        return self._run_id

    @property
    def fallback_dir(self) -> Path:
        """The folder where results go when the backend fails to store them."""
        return self._worker.fallback_dir

    @property
    def fallback_count(self) -> int:
        """Number of results written to the fallback folder instead of the backend."""
        return self._worker.fallback_count

    @property
    def lost_count(self) -> int:
        """Number of results that neither the backend nor the fallback folder stored."""
        return self._worker.lost_count

    def results_hint(self) -> str:
        """Return one line telling a user how to open this run's results."""
        return self._backend.results_hint()

    def log_score(self, name: str, score: float, step: int | None = None) -> None:
        """Queue a score.

        NaN, inf and -inf are valid scores. The memory, filesystem and MLflow backends store them
        (MLflow's SQL stores keep NaN but store inf and -inf as the largest and smallest float64,
        mlflow 3.17). ClearML would store them as 0.0 and Neptune would skip them. So for those
        two backends the worker writes a non-finite score to the fallback folder instead, counted
        in ``fallback_count``, and logs a warning naming the run id, result name and value.
        Non-finite values in ``log_score_collection`` are handled the same way, key by key. A 0-d
        NumPy array or torch tensor is read with ``item()``.

        Raises:
            TypeError: if ``score`` is not a real number (or a 0-d array or tensor of one).
            ValueError: if ``name`` is invalid or too long for the backend.
        """
        self._submit(RecordKind.SCORE, name, _to_float(score, name=name), step)

    def log_array(self, name: str, array: np.ndarray, step: int | None = None) -> None:
        """Queue a copy of ``array``.

        Raises:
            TypeError: if the array is not numeric (bool, integer, float or complex dtype), e.g.
                an object or string array, which backends cannot store without pickling, or if
                it is a masked array (its mask would be lost).
        """
        self._submit(RecordKind.ARRAY, name, _copy_numeric_array(array, name=name), step)

    def log_plot(self, name: str, figure: Figure, step: int | None = None) -> None:
        """Queue a figure; it is written as PNG (by most backends) and then closed."""
        self._submit(RecordKind.PLOT, name, PlotImage(_check_figure(figure, name=name)), step)

    def log_score_collection(
        self, name: str, scores: Mapping[str, float], step: int | None = None
    ) -> None:
        """Queue scores keyed by e.g. feature name."""
        value = {key: _to_float(score, name=f"{name}[{key!r}]") for key, score in scores.items()}
        self._submit(RecordKind.SCORE_COLLECTION, name, value, step)

    def log_array_collection(
        self, name: str, arrays: Mapping[str, np.ndarray], step: int | None = None
    ) -> None:
        """Queue copies of arrays keyed by e.g. feature name; raises TypeError as ``log_array``."""
        value = {
            key: _copy_numeric_array(array, name=f"{name}[{key!r}]")
            for key, array in arrays.items()
        }
        self._submit(RecordKind.ARRAY_COLLECTION, name, value, step)

    def log_plot_collection(
        self, name: str, plots: Mapping[str, Figure], step: int | None = None
    ) -> None:
        """Queue figures keyed by e.g. feature name; each is closed once written."""
        value = {
            key: PlotImage(_check_figure(figure, name=f"{name}[{key!r}]"))
            for key, figure in plots.items()
        }
        self._submit(RecordKind.PLOT_COLLECTION, name, value, step)

    def log_file(self, name: str, path: str | Path, step: int | None = None) -> None:
        """Queue a file (e.g. a checkpoint); it is read when written, so keep it until ``stop()``.

        Raises:
            FileNotFoundError: if ``path`` is not an existing file.
        """
        file_path = Path(path).resolve()
        if not file_path.is_file():
            raise FileNotFoundError(f"Cannot log file {name!r}: {str(path)!r} is not a file.")
        self._submit(RecordKind.FILE, name, file_path, step)

    def stop(self, *, outcome: RunOutcome = RunOutcome.FINISHED) -> None:
        """Write every queued result, finish the run and join the worker thread; idempotent.

        ``outcome`` is recorded by the backend (e.g. MLflow's run status); only the first call's
        outcome counts.
        """
        atexit.unregister(self.stop)
        self._worker.stop(outcome=outcome)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop the run: finished, failed if the block raised, killed on ``KeyboardInterrupt``."""
        if exc_type is None:
            outcome = RunOutcome.FINISHED
        elif issubclass(exc_type, KeyboardInterrupt):
            outcome = RunOutcome.KILLED
        else:
            outcome = RunOutcome.FAILED
        self.stop(outcome=outcome)

    def _submit(self, kind: RecordKind, name: str, value: RecordValue, step: int | None) -> None:
        validate_name(name)
        if step is not None and (isinstance(step, bool) or not isinstance(step, numbers.Integral)):
            raise TypeError(f"step of {name!r} must be an int or None, got {step!r}.")
        keys: tuple[str, ...] = ()
        if isinstance(value, dict):
            sanitized = self._sanitize_keys(name, value)
            keys = tuple(sanitized)
            value = sanitized  # type: ignore[assignment]
        signature = (kind, name, keys)
        if signature not in self._checked:
            check_part_lengths(name, keys)
            entries = self._backend.storage_names(kind=kind, name=name, keys=keys)
            # Any result may end up in the fallback folder, so its paths there must differ too.
            entries += [
                (f"{FALLBACK_NAMESPACE}{namespace}", stored_name, owner)
                for namespace, stored_name, owner in run_folder_storage_names(
                    kind=kind, name=name, keys=keys
                )
            ]
            self._names.register(entries, subject=f"{kind.value} {name!r}")
            self._checked.add(signature)
        step = None if step is None else int(step)
        self._worker.submit(LogRecord(kind=kind, name=name, value=value, step=step))

    def _sanitize_keys(self, name: str, value: Mapping[str, object]) -> dict[str, object]:
        """Return ``value`` with keys made single path parts; reject keys that collide."""
        sanitized: dict[str, object] = {}
        for key, item in value.items():
            safe_key = sanitize_key(key)
            owner = self._key_owners.setdefault((name, safe_key), key)
            if owner != key:
                raise ValueError(
                    f"Keys of {name!r} collide: {key!r} and {owner!r} are both stored as "
                    f"{safe_key!r}. Rename one of them."
                )
            sanitized[safe_key] = item
        return sanitized


def _to_float(value: object, *, name: str) -> float:
    """Return ``value`` as a float: a real number, or a 0-d NumPy array or torch tensor of one."""
    if isinstance(value, np.ma.MaskedArray) or value is np.ma.masked:
        raise TypeError(f"Score {name!r} is a masked value; pass a real number instead.")
    item = getattr(value, "item", None)
    is_zero_dim = getattr(value, "ndim", None) == 0 and callable(item)
    if is_zero_dim:
        value = item()  # type: ignore[misc]
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        hint = ""
        if callable(item) and not is_zero_dim:
            hint = " For an array or tensor with one element, pass value.item()."
        raise TypeError(f"Score {name!r} must be a real number, got {value!r}.{hint}")
    return float(value)


def _copy_numeric_array(array: object, *, name: str) -> np.ndarray:
    if isinstance(array, np.ma.MaskedArray):
        raise TypeError(
            f"Array {name!r} is a masked array, whose mask would be lost; pass "
            "array.filled(np.nan) (or another fill value) instead."
        )
    try:
        copy = np.array(np.asarray(array), copy=True)
    except RuntimeError as error:  # e.g. a torch tensor that requires grad or lives on a GPU
        raise TypeError(
            f"Array {name!r} cannot be converted to a NumPy array ({error}); pass "
            "tensor.detach().cpu().numpy() instead."
        ) from error
    if copy.dtype.kind not in "biufc":
        raise TypeError(
            f"Array {name!r} has dtype {copy.dtype}, which cannot be logged: use a bool, integer, "
            "float or complex array (e.g. convert with array.astype(float))."
        )
    return copy


def _check_figure(figure: object, *, name: str) -> Figure:
    if not isinstance(figure, Figure):
        raise TypeError(
            f"Plot {name!r} must be a matplotlib.figure.Figure, got {type(figure).__name__}."
        )
    return figure
