"""Settings of a tracking client's queue, retries, fallback folder and child processes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FALLBACK_DIR_VARIABLE", "DeliveryConfig", "default_fallback_root"]

FALLBACK_DIR_VARIABLE = "ARTIFACT_ML_FALLBACK_DIR"


def default_fallback_root() -> Path:
    """Return ``$ARTIFACT_ML_FALLBACK_DIR``, or ``./artifact-ml-fallback`` when it is unset."""
    return Path(os.environ.get(FALLBACK_DIR_VARIABLE) or "artifact-ml-fallback")


@dataclass(frozen=True)
class DeliveryConfig:
    """Queue, retry, fallback and rendering settings of a tracking client.

    Args:
        queue_size: maximum number of queued results; logging blocks while the queue is full.
            Default 1024.
        max_attempts: attempts per result before it goes to the fallback folder. Default 3.
        initial_retry_delay: seconds to wait before the second attempt. Default 0.1.
        retry_backoff: factor by which the delay grows after each failed attempt. Default 2.0.
        fallback_root: folder for results that the backend failed to store, written as
            ``<fallback_root>/<experiment id>/<run id>/`` in the filesystem client's layout.
            Default: ``$ARTIFACT_ML_FALLBACK_DIR`` or ``./artifact-ml-fallback``.
        render_process: render figures to PNG in a child process shared by the clients of this
            process (True, the default), instead of in the worker thread, where rendering holds
            the GIL and slows training. The worker falls back to rendering in-process whenever
            the child fails.
        backend_process: run the backend's writes in a child process of their own (True, the
            default) for backends that support it (MLflow), so that the backend library's
            Python work does not hold this process's GIL. A call that fails there is retried
            like any other write, and the next call starts a new child if it died.
        write_timeout: seconds a write in such a child process may take. A slower write (a
            store that stopped responding) counts as a failed attempt, and the child is
            restarted. Default 300.
    """

    queue_size: int = 1024
    max_attempts: int = 3
    initial_retry_delay: float = 0.1
    retry_backoff: float = 2.0
    fallback_root: Path | None = None
    render_process: bool = True
    backend_process: bool = True
    write_timeout: float = 300.0

    def __post_init__(self) -> None:
        if self.queue_size < 1:
            raise ValueError(f"queue_size must be at least 1, got {self.queue_size}.")
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}.")
        if not self.write_timeout > 0:
            raise ValueError(f"write_timeout must be positive, got {self.write_timeout}.")
        if self.initial_retry_delay < 0 or self.retry_backoff < 1:
            raise ValueError(
                "initial_retry_delay must be >= 0 and retry_backoff >= 1, got "
                f"{self.initial_retry_delay} and {self.retry_backoff}."
            )
