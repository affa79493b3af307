"""Reporting of routine results: scores to the score cache, every result to a tracking client."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from artifact_ml.core.results import ResultModality
from artifact_ml.torch.results import CallbackResult, log_result, result_modality

if TYPE_CHECKING:
    from artifact_ml.experiment import TrackingClient

__all__ = ["check_unique_names", "report_results"]

logger = logging.getLogger(__name__)


def check_unique_names(routine: str, names: Sequence[str]) -> None:
    """Raise ``ValueError`` if two callbacks of ``routine`` share a result name."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(
                f"{routine} has two callbacks named {name!r}; pass name=... to one of them."
            )
        seen.add(name)


def report_results(
    results: Mapping[str, CallbackResult], epoch: int, tracking_client: TrackingClient | None
) -> dict[str, float]:
    """Log ``results`` (keyed by full name) at step ``epoch`` and return the scores among them."""
    scores: dict[str, float] = {}
    for name, result in results.items():
        if result_modality(result) is ResultModality.SCORE:
            scores[name] = float(result)  # type: ignore[arg-type]
        if tracking_client is not None:
            log_result(tracking_client, name, result, step=epoch)
    logger.debug("Epoch %d results: %s", epoch, sorted(results))
    return scores
