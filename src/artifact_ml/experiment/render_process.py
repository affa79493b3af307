"""Rendering figures to PNG in a child process shared by the tracking clients of this process.

Matplotlib rendering is CPU-bound Python: done by the tracking worker thread, it holds the GIL and
slows the training thread (about 0.2 to 0.7 s per PDF figure of the table comparison on the
development VM). The worker instead pickles the figures (a few ms each) and a child process
(``artifact_ml.experiment.render_server``) renders them, so training only loses the pickling
time (with the garbage collector paused, see ``collection_pause``). The child runs at a lower
scheduling priority than training. Every client that renders holds a reference, and the child
exits when the last one releases it (or when this process exits, because its stdin closes).

When the child cannot start, dies, or a figure cannot be pickled, ``render`` returns None and the
caller renders in its own process, so a result is never lost to this optimisation.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import threading
from typing import IO, cast

from matplotlib.figure import Figure

from artifact_ml.experiment.child_process import stop_child
from artifact_ml.experiment.collection_pause import collection_paused
from artifact_ml.experiment.plot_image import changed_rc_params
from artifact_ml.experiment.render_protocol import read_message, write_message

__all__ = ["RenderProcess", "shared_render_process"]

logger = logging.getLogger(__name__)

_STOP_TIMEOUT_SECONDS = 10.0


class RenderProcess:
    """One renderer child process, started on the first ``render`` call; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._users = 0
        self._disabled = False

    def acquire(self) -> None:
        """Register one user (a tracking client); pair with ``release``."""
        with self._lock:
            self._users += 1

    def release(self) -> None:
        """Unregister one user; the child process stops when no user is left."""
        with self._lock:
            self._users = max(self._users - 1, 0)
            if self._users == 0:
                self._stop_locked()
                self._disabled = False  # the next client tries a new child process

    def render(self, figures: list[Figure]) -> list[bytes] | None:
        """Return the PNG bytes of ``figures`` rendered in the child, or None if that failed."""
        if not figures:
            return []
        try:
            with collection_paused():
                request = pickle.dumps(
                    (changed_rc_params(), figures), protocol=pickle.HIGHEST_PROTOCOL
                )
        except Exception as error:  # e.g. a figure with a lambda tick formatter
            logger.debug("Rendering figures in this process: they cannot be pickled (%r).", error)
            return None
        with self._lock:
            process = self._ensure_started_locked()
            if process is None:
                return None
            try:
                write_message(cast(IO[bytes], process.stdin), request)
                payload = read_message(cast(IO[bytes], process.stdout))
                if payload is None:
                    raise EOFError("the renderer process closed its output")
            except (OSError, EOFError) as error:
                logger.warning(
                    "The PNG renderer process failed (%r); rendering in this process instead.",
                    error,
                )
                self._disabled = True
                self._stop_locked()
                return None
        status, value = pickle.loads(payload)
        if status != "ok":
            logger.debug("The renderer process could not render a figure: %s", value)
            return None
        return cast(list[bytes], value)

    def _ensure_started_locked(self) -> subprocess.Popen[bytes] | None:
        if self._process is not None:
            return self._process
        if self._disabled:
            return None
        environment = dict(os.environ, MPLBACKEND="Agg")
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "artifact_ml.experiment.render_server"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=environment,
            )
        except OSError as error:
            logger.warning(
                "Cannot start the PNG renderer process (%r); rendering in this process.", error
            )
            self._disabled = True
            return None
        return self._process

    def _stop_locked(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            stop_child(process, timeout=_STOP_TIMEOUT_SECONDS, description="PNG renderer")


_shared = RenderProcess()


def shared_render_process() -> RenderProcess:
    """Return the renderer shared by every tracking client of this process."""
    return _shared
