"""Retrying one backend write with exponential backoff, logging each failure."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from artifact_ml.experiment.delivery_config import DeliveryConfig

__all__ = ["write_with_retries"]

logger = logging.getLogger(__name__)


def write_with_retries(
    write: Callable[[], object],
    *,
    attempts: int,
    config: DeliveryConfig,
    writer: str,
    description: str,
    fallback_dir: Path,
) -> bool:
    """Call ``write`` up to ``attempts`` times; return whether one call succeeded.

    The delay before the second attempt is ``config.initial_retry_delay`` seconds and grows by
    ``config.retry_backoff`` after each failure. Each failed attempt is logged (a warning, and an
    error naming ``fallback_dir`` after the last one) with ``writer`` and ``description``, which
    names the result and the run.
    """
    delay = config.initial_retry_delay
    for attempt in range(1, attempts + 1):
        try:
            write()
            return True
        except Exception as error:
            if attempt == attempts:
                logger.error(
                    "%s failed to write %s after %d attempt(s): %r. "
                    "Writing it to the fallback folder %s.",
                    writer,
                    description,
                    attempts,
                    error,
                    fallback_dir,
                )
                return False
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
    return False
