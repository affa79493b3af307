"""Retrying one backend write with exponential backoff, logging each failure."""

from __future__ import annotations

import errno
import logging
import time
from collections.abc import Callable
from pathlib import Path

from artifact_ml.experiment.delivery_config import DeliveryConfig

__all__ = ["is_permanent_error", "write_with_retries"]

logger = logging.getLogger(__name__)


def is_permanent_error(error: Exception) -> bool:
    """Return whether retrying cannot help: a TypeError or ValueError (e.g. a value that cannot be
    serialised) or an OSError for a file name that is too long."""
    if isinstance(error, TypeError | ValueError):
        return True
    return isinstance(error, OSError) and error.errno == errno.ENAMETOOLONG


def write_with_retries(
    write: Callable[[], object],
    *,
    attempts: int,
    config: DeliveryConfig,
    writer: str,
    description: str,
    fallback_dir: Path,
) -> Exception | None:
    """Call ``write`` up to ``attempts`` times; return None once a call succeeds, else the error
    of the last attempt.

    The delay before the second attempt is ``config.initial_retry_delay`` seconds and grows by
    ``config.retry_backoff`` after each failure. Each failed attempt is logged (a warning, and an
    error naming ``fallback_dir`` after the last one) with ``writer`` and ``description``, which
    names the result and the run. An error that would repeat on every attempt (see
    ``is_permanent_error``) ends the attempts at once, and so does a ``TimeoutError``: a backend
    that did not respond in time would make every attempt wait that long again.

    Raises:
        ValueError: if ``attempts`` is less than 1.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    delay = config.initial_retry_delay
    for attempt in range(1, attempts + 1):
        try:
            write()
            return None
        except Exception as error:
            if attempt == attempts or is_permanent_error(error) or isinstance(error, TimeoutError):
                logger.error(
                    "%s failed to write %s after %d attempt(s): %r. "
                    "Writing it to the fallback folder %s.",
                    writer,
                    description,
                    attempt,
                    error,
                    fallback_dir,
                )
                return error
            logger.warning(
                "%s failed to write %s (attempt %d of %d): %r; retry in %.2f s.",
                writer,
                description,
                attempt,
                attempts,
                error,
                delay,
            )
            time.sleep(delay)
            delay *= config.retry_backoff
    raise AssertionError("unreachable: the last attempt returns")
