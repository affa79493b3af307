"""The background worker that writes queued results to a backend, with retries and a fallback.

Results go through a bounded FIFO queue to one non-daemon worker thread, so a training step never
waits for backend I/O (it waits only when the queue is full). A write that raises is retried with
exponential backoff; when every attempt fails, the error is logged with the run id and result name
and the result is written to a local fallback folder in the run-folder layout instead. After
three results in a row failed, the backend is paused for ``PAUSE_SECONDS``: results go straight
to the fallback folder, so that a dead backend does not hold up the queue or ``stop()``. The worker
drains the queue on ``stop()``, and also when the main thread has finished (interpreter exit without
``stop()``), so a normal exit loses nothing.

Two things keep the worker's share of the GIL small, so that it slows training as little as
possible. Figures are rendered to PNG once, in a renderer child process (see
``artifact_ml.experiment.render_process``), and those bytes serve the backend and the fallback
folder. For a backend with ``batches_scores`` (MLflow), consecutive queued scores and score
collections go out in one call.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import queue
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import cast

from artifact_ml.experiment.backend import RunOutcome, TrackingBackend
from artifact_ml.experiment.delivery_config import DeliveryConfig, default_fallback_root
from artifact_ml.experiment.records import (
    SCORE_KINDS,
    LogRecord,
    RecordKind,
    close_figures,
    write_record,
)
from artifact_ml.experiment.render_process import RenderProcess, shared_render_process
from artifact_ml.experiment.retry import is_permanent_error, write_with_retries
from artifact_ml.experiment.run_folder import RunFolderBackend

__all__ = ["DeliveryConfig", "DeliveryWorker", "default_fallback_root"]

logger = logging.getLogger(__name__)

# Seconds between an idle worker's checks whether the main thread has ended (interpreter exit
# without stop()). This wake-up is all an idle worker costs.
_POLL_SECONDS = 0.25
# Maximum number of score records in one batch, where a score collection counts as one record.
# The MLflow backend splits a batch of more than 1000 metrics, MLflow's limit per call.
_MAX_BATCH_RECORDS = 100
# The backend is paused after this many results in a row failed with an error that may pass (see
# is_permanent_error), or after one timeout. For PAUSE_SECONDS every result then goes straight to
# the fallback folder, and next one result gets a single attempt. A success ends the pause, a
# failure starts another one. So a dead or hung backend cannot stall the queue, or stop().
_FAILURES_BEFORE_PAUSE = 3
PAUSE_SECONDS = 30.0


def _exit_outcome() -> RunOutcome:
    """Return the outcome of a program whose main thread ended without ``stop()``: failed after
    an uncaught exception (the interpreter stores its type in ``sys.last_type`` before it waits
    for other threads), killed after ``KeyboardInterrupt``, else finished."""
    last_type = getattr(sys, "last_type", None)
    if last_type is None:
        return RunOutcome.FINISHED
    if issubclass(last_type, KeyboardInterrupt):
        return RunOutcome.KILLED
    return RunOutcome.FAILED


class DeliveryWorker:
    """Owns the queue and the worker thread of one tracking client (one run)."""

    def __init__(
        self,
        *,
        backend: TrackingBackend,
        config: DeliveryConfig,
        experiment_id: str,
        run_id: str,
    ) -> None:
        self._backend = backend
        self._config = config
        self._experiment_id = experiment_id
        self._run_id = run_id
        root = config.fallback_root if config.fallback_root is not None else default_fallback_root()
        # Absolute, so that a later change of the working directory does not move it.
        self.fallback_dir = (Path(root) / experiment_id / run_id).resolve()
        self._fallback: RunFolderBackend | None = None
        self._queue: queue.Queue[LogRecord | None] = queue.Queue(maxsize=config.queue_size)
        self._stop_lock = threading.Lock()
        self._stopping = False
        self._outcome = RunOutcome.FINISHED
        self._warned_full = False
        self._consecutive_failures = 0
        self._paused_until = 0.0
        self._held: list[LogRecord | None] = []
        self._renderer: RenderProcess | None = None
        if config.render_process and backend.uses_png:
            self._renderer = shared_render_process()
            self._renderer.acquire()
        self.written_count = 0
        self.fallback_count = 0
        self.lost_count = 0
        self._thread = threading.Thread(
            target=self._run, name=f"artifact-ml-tracking-{run_id}", daemon=False
        )
        self._thread.start()

    @property
    def is_stopped(self) -> bool:
        """Whether ``stop`` was called or the worker has finished."""
        return self._stopping or not self._thread.is_alive()

    def submit(self, record: LogRecord) -> None:
        """Queue ``record``; blocks only while the queue is full.

        Raises:
            RuntimeError: if the worker was stopped.
        """
        if self.is_stopped:
            raise RuntimeError(
                f"Cannot log {record.kind.value} {record.name!r}: the tracking client of run "
                f"{self._run_id!r} is stopped. Build a new client (pass run_id to resume the run)."
            )
        try:
            self._queue.put_nowait(record)
        except queue.Full:
            if not self._warned_full:
                logger.warning(
                    "Tracking queue of run %s is full (%d results); logging waits for the backend.",
                    self._run_id,
                    self._config.queue_size,
                )
                self._warned_full = True
            self._queue.put(record)

    def stop(self, *, outcome: RunOutcome = RunOutcome.FINISHED) -> None:
        """Write every queued result, close the backend and join the worker thread; idempotent.

        ``outcome`` is passed to the backend's ``close``; only the first call's outcome counts.
        """
        with self._stop_lock:
            first_call = not self._stopping
            self._stopping = True
            if first_call:
                self._outcome = outcome
        if first_call and self._thread.is_alive():
            self._queue.put(None)
        if self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        try:
            while True:
                try:
                    record = self._next(timeout=_POLL_SECONDS)
                except queue.Empty:
                    if threading.main_thread().is_alive():
                        continue
                    logger.info("Main thread ended; writing results of run %s.", self._run_id)
                    with self._stop_lock:
                        if not self._stopping:
                            self._outcome = _exit_outcome()
                    self._drain()
                    return
                if record is None:
                    return
                self._handle(record)
        finally:
            self._close_backend()
            if self._renderer is not None:
                self._renderer.release()

    def _next(self, *, timeout: float | None) -> LogRecord | None:
        """Return the record held back by the last batch, else the next queued one.

        Raises:
            queue.Empty: if nothing arrives within ``timeout`` seconds (0: do not wait).
        """
        if self._held:
            return self._held.pop()
        if timeout == 0:
            return self._queue.get_nowait()
        return self._queue.get(timeout=timeout)

    def _drain(self) -> None:
        while True:
            try:
                record = self._next(timeout=0)
            except queue.Empty:
                return
            if record is None:
                return
            self._handle(record)

    def _handle(self, record: LogRecord) -> None:
        """Deliver ``record``, batched with the score records queued right after it if the
        backend takes batches. The first other record taken from the queue waits for ``_next``."""
        accepted = self._divert_non_finite(record)
        if accepted is None:
            return
        record = accepted
        if record.kind not in SCORE_KINDS or not self._backend.batches_scores:
            self._deliver(record)
            return
        batch = [record]
        while len(batch) < _MAX_BATCH_RECORDS:
            try:
                following = self._queue.get_nowait()
            except queue.Empty:
                break
            if following is None or following.kind not in SCORE_KINDS:
                self._held.append(following)
                break
            accepted = self._divert_non_finite(following)
            if accepted is not None:
                batch.append(accepted)
        if len(batch) == 1:
            self._deliver(record)
        else:
            self._deliver_batch(batch)

    def _deliver(self, record: LogRecord) -> None:
        try:
            self._render(record)
            written = self._write_with_retries(
                lambda: write_record(self._backend, record),
                description=f"{record.kind.value} {record.name!r} (step {record.step})",
            )
            if written:
                self.written_count += 1
            else:
                self._write_fallback(record)
        finally:
            close_figures(record.figures())

    def _deliver_batch(self, records: Sequence[LogRecord]) -> None:
        names = ", ".join(f"{record.name!r} (step {record.step})" for record in records)
        written = self._write_with_retries(
            lambda: self._backend.write_score_batch(records=records),
            description=f"a batch of {len(records)} score records: {names}",
        )
        if written:
            self.written_count += len(records)
            return
        # One bad record (e.g. a key the store rejects) fails the whole batch: write each record
        # on its own so that only the records that fail again go to the fallback folder.
        logger.warning(
            "Writing the %d records of the failed batch of run %s one at a time.",
            len(records),
            self._run_id,
        )
        for record in records:
            self._deliver(record)

    def _divert_non_finite(self, record: LogRecord) -> LogRecord | None:
        """Return ``record`` without its NaN/inf scores if the backend cannot store them.

        The removed scores go to the fallback folder with a warning. Returns ``None`` if nothing
        is left for the backend."""
        if record.kind not in SCORE_KINDS or self._backend.stores_non_finite:
            return record
        if record.kind is RecordKind.SCORE:
            if math.isfinite(cast(float, record.value)):
                return record
            self._warn_non_finite(record.name, cast(float, record.value))
            self._write_fallback(record)
            return None
        scores = cast(dict[str, float], record.value)
        finite = {key: value for key, value in scores.items() if math.isfinite(value)}
        if len(finite) == len(scores):
            return record
        rejected = {key: value for key, value in scores.items() if key not in finite}
        for key, value in rejected.items():
            self._warn_non_finite(f"{record.name}[{key!r}]", value)
        self._write_fallback(dataclasses.replace(record, value=rejected))
        return dataclasses.replace(record, value=finite) if finite else None

    def _warn_non_finite(self, name: str, value: float) -> None:
        logger.warning(
            "%s cannot store the non-finite score %r = %r of run %s; it goes to the fallback "
            "folder %s instead.",
            type(self._backend).__name__,
            name,
            value,
            self._run_id,
            self.fallback_dir,
        )

    def _render(self, record: LogRecord) -> None:
        """Render the record's figures to PNG in the renderer process if the backend uses PNG.
        A figure that is left unrendered is rendered in this process when first written."""
        images = [image for image in record.images() if not image.is_rendered]
        if not images or self._renderer is None:
            return
        rendered = self._renderer.render([image.figure for image in images])
        if rendered is None:
            return
        for image, png in zip(images, rendered, strict=True):
            image.set_png(png)

    def _write_with_retries(self, write: Callable[[], object], *, description: str) -> bool:
        """Write with retries unless the backend is paused; return whether the write succeeded.

        Counts the failures in a row that may pass, and pauses the backend after
        ``_FAILURES_BEFORE_PAUSE`` of them (see the constant).
        """
        writer = type(self._backend).__name__
        full_description = f"{description} of run {self._run_id}"
        remaining = self._paused_until - time.monotonic()
        if remaining > 0:
            logger.error(
                "%s is paused after %d failed writes in a row, so %s goes to the fallback folder "
                "%s (the next write is tried in %.0f s).",
                writer,
                self._consecutive_failures,
                full_description,
                self.fallback_dir,
                remaining,
            )
            return False
        paused_before = self._consecutive_failures >= _FAILURES_BEFORE_PAUSE
        error = write_with_retries(
            write,
            attempts=1 if paused_before else self._config.max_attempts,
            config=self._config,
            writer=writer,
            description=full_description,
            fallback_dir=self.fallback_dir,
        )
        if error is None:
            self._consecutive_failures = 0
            return True
        if not is_permanent_error(error):
            self._consecutive_failures += 1
            if isinstance(error, TimeoutError):  # an unresponsive backend: pause at once
                self._consecutive_failures = max(self._consecutive_failures, _FAILURES_BEFORE_PAUSE)
            if self._consecutive_failures >= _FAILURES_BEFORE_PAUSE:
                self._paused_until = time.monotonic() + PAUSE_SECONDS
                logger.warning(
                    "%s failed %d writes in a row for run %s: for the next %.0f s, results go "
                    "straight to the fallback folder %s; then it is tried again.",
                    writer,
                    self._consecutive_failures,
                    self._run_id,
                    PAUSE_SECONDS,
                    self.fallback_dir,
                )
        return False

    def _write_fallback(self, record: LogRecord) -> None:
        try:
            if self._fallback is None:
                self._fallback = RunFolderBackend(
                    run_dir=self.fallback_dir,
                    experiment_id=self._experiment_id,
                    run_id=self._run_id,
                )
            write_record(self._fallback, record)
            self.fallback_count += 1
        except Exception:
            self.lost_count += 1
            logger.exception(
                "Lost %s %r (step %s) of run %s: the fallback folder %s could not be written.",
                record.kind.value,
                record.name,
                record.step,
                self._run_id,
                self.fallback_dir,
            )

    def _close_backend(self) -> None:
        for backend in (self._backend, self._fallback):
            if backend is None:
                continue
            try:
                backend.close(outcome=self._outcome)
            except Exception:
                logger.exception("%s failed to close run %s.", type(backend).__name__, self._run_id)
