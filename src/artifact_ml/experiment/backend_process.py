"""A child process that runs a tracking backend's writes, off the training process's GIL.

A backend library that does much Python work per call (MLflow's SQLAlchemy store) slows the
training thread when the tracking worker thread runs it, because both need the GIL. A
``BackendProcess`` instead sends each call, pickled, to a child process
(``artifact_ml.experiment.backend_server``) that built its own copy of the backend, and waits for
the reply with the GIL released. A call that fails in the child, or a child that dies, raises
``BackendProcessError`` in the caller, so the worker's retries and fallback folder still apply.
After a child dies, the next call starts a new one.
"""

from __future__ import annotations

import logging
import os
import pickle
import select
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from typing import IO, Any, cast

from artifact_ml.experiment.child_process import stop_child
from artifact_ml.experiment.render_protocol import read_message, write_message

__all__ = ["BackendProcess", "BackendProcessError", "BackendTimeoutError"]

logger = logging.getLogger(__name__)

_STOP_TIMEOUT_SECONDS = 30.0
_OPEN_TIMEOUT_SECONDS = 120.0


class BackendProcessError(RuntimeError):
    """A call could not be run in the backend's child process, or raised there."""


class BackendTimeoutError(BackendProcessError, TimeoutError):
    """The child process did not reply within the timeout and was killed."""


class BackendProcess:
    """One child process that runs the calls of one backend; thread-safe.

    Args:
        opener: a module-level function that builds the backend in the child from ``arguments``
            (both must pickle).
        arguments: keyword arguments of ``opener``.
        description: what the backend is, for error messages (e.g. ``"MLflow"``).
        reply_timeout: seconds to wait for the reply to each call; after that the child is
            killed and the call raises ``BackendProcessError``. Building the backend in a new
            child may take up to ``max(reply_timeout, 120)`` seconds, because importing a
            library such as MLflow takes many seconds on a busy machine.
        environment_defaults: environment variables of the child that this process's own
            environment overrides (for settings of the backend library).
    """

    def __init__(
        self,
        *,
        opener: Callable[..., Any],
        arguments: dict[str, Any],
        description: str,
        reply_timeout: float = 300.0,
        environment_defaults: Mapping[str, str] | None = None,
    ) -> None:
        self._reply_timeout = reply_timeout
        self._opening = pickle.dumps((opener, arguments), protocol=pickle.HIGHEST_PROTOCOL)
        self._description = description
        self._environment_defaults = dict(environment_defaults or {})
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._open_reply_pending = False
        self.started_count = 0

    def start(self) -> None:
        """Start the child and wait until it has built the backend, so that its imports and
        connection happen now rather than during the first write. Does nothing if it is running.

        Raises:
            BackendProcessError: if the child cannot be started or cannot build the backend.
        """
        with self._lock:
            self._ensure_ready_locked()

    def call(self, method: str, **arguments: Any) -> None:
        """Run ``backend.<method>(**arguments)`` in the child and wait until it returns.

        Raises:
            BackendProcessError: the call raised in the child (the message gives its error), the
                arguments do not pickle, or the child could not be started or died.
        """
        try:
            request = pickle.dumps((method, arguments), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:
            raise BackendProcessError(
                f"Cannot send {method} to the {self._description} writer process: its arguments "
                f"do not pickle ({type(error).__name__}: {error})."
            ) from error
        with self._lock:
            process = self._ensure_ready_locked()
            payload = self._exchange_locked(process, request, timeout=self._reply_timeout)
            status, value = pickle.loads(payload)
            if status != "ok":
                raise BackendProcessError(
                    f"{self._description} {method} failed in its writer process: {value}"
                )

    def close(self) -> None:
        """Stop the child after the calls sent so far; idempotent."""
        with self._lock:
            self._stop_locked()

    def _ensure_ready_locked(self) -> subprocess.Popen[bytes]:
        """Return the running child, started if needed, once it has built the backend."""
        process = self._ensure_started_locked()
        if self._open_reply_pending:
            self._open_reply_pending = False
            payload = self._exchange_locked(
                process, None, timeout=max(self._reply_timeout, _OPEN_TIMEOUT_SECONDS)
            )
            status, value = pickle.loads(payload)
            if status != "ok":
                self._stop_locked()
                raise BackendProcessError(
                    f"The {self._description} writer process could not open the run: {value}"
                )
        return process

    def _ensure_started_locked(self) -> subprocess.Popen[bytes]:
        if self._process is not None and self._process.poll() is None:
            return self._process
        self._stop_locked()
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "artifact_ml.experiment.backend_server"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env={**self._environment_defaults, **os.environ},
            )
        except OSError as error:
            raise BackendProcessError(
                f"Cannot start the {self._description} writer process: {error}."
            ) from error
        self._process = process
        try:
            write_message(cast(IO[bytes], process.stdin), self._opening)
        except OSError as error:
            self._stop_locked()
            raise BackendProcessError(
                f"The {self._description} writer process failed at start (exit code "
                f"{process.poll()}): {error}."
            ) from error
        self._open_reply_pending = True
        self.started_count += 1
        return process

    def _exchange_locked(
        self, process: subprocess.Popen[bytes], request: bytes | None, *, timeout: float
    ) -> bytes:
        """Send ``request`` (None: send nothing) and return the reply's payload."""
        try:
            if request is not None:
                write_message(cast(IO[bytes], process.stdin), request)
            replies = cast(IO[bytes], process.stdout)
            ready, _, _ = select.select([replies], [], [], timeout)
            if not ready:
                process.kill()
                self._stop_locked()
                raise BackendTimeoutError(
                    f"The {self._description} writer process timed out after {timeout:g} s and "
                    "was stopped. The next write starts a new one."
                )
            payload = read_message(replies)
            if payload is None:
                raise EOFError("it closed its output")
        except (OSError, EOFError) as error:
            self._stop_locked()
            raise BackendProcessError(
                f"The {self._description} writer process stopped (exit code {process.poll()}): "
                f"{error}. The next write starts a new one."
            ) from error
        return payload

    def _stop_locked(self) -> None:
        process, self._process = self._process, None
        self._open_reply_pending = False
        if process is not None:
            stop_child(
                process,
                timeout=_STOP_TIMEOUT_SECONDS,
                description=f"{self._description} writer",
            )
