"""Dispatch of callback results to a tracking client by result modality."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure

from artifact_ml.core.results import ResultModality

if TYPE_CHECKING:
    from artifact_ml.experiment import TrackingClient

__all__ = ["CallbackResult", "log_result", "result_modality"]

CallbackResult = (
    float
    | np.ndarray
    | Figure
    | Mapping[str, float]
    | Mapping[str, np.ndarray]
    | Mapping[str, Figure]
)


def result_modality(result: object) -> ResultModality | None:
    """Return the modality of ``result``, or ``None`` for an empty collection.

    Python and numpy real numbers (bool excluded) are scores; a collection's modality is that of
    its values, which must all be of one modality.

    Raises:
        TypeError: if ``result`` (or a collection value) is of no result modality, or a collection
            mixes modalities.
    """
    if isinstance(result, Mapping):
        modalities = {_single_modality(value) for value in result.values()}
        if not modalities:
            return None
        if len(modalities) > 1:
            names = sorted(modality.value for modality in modalities)
            raise TypeError(f"A result collection mixes modalities {names}; return one modality.")
        return _COLLECTION_OF[modalities.pop()]
    return _single_modality(result)


def log_result(client: TrackingClient, name: str, result: CallbackResult, step: int | None) -> None:
    """Log ``result`` under ``name`` with the client method of its modality.

    An empty collection is skipped, because it has no modality to log it as.
    """
    modality = result_modality(result)
    value: Any = result
    if modality is ResultModality.SCORE:
        client.log_score(name, float(value), step=step)
    elif modality is ResultModality.ARRAY:
        client.log_array(name, value, step=step)
    elif modality is ResultModality.PLOT:
        client.log_plot(name, value, step=step)
    elif modality is ResultModality.SCORE_COLLECTION:
        client.log_score_collection(
            name, {key: float(score) for key, score in value.items()}, step=step
        )
    elif modality is ResultModality.ARRAY_COLLECTION:
        client.log_array_collection(name, dict(value), step=step)
    elif modality is ResultModality.PLOT_COLLECTION:
        client.log_plot_collection(name, dict(value), step=step)


_COLLECTION_OF = {
    ResultModality.SCORE: ResultModality.SCORE_COLLECTION,
    ResultModality.ARRAY: ResultModality.ARRAY_COLLECTION,
    ResultModality.PLOT: ResultModality.PLOT_COLLECTION,
}


def _single_modality(value: object) -> ResultModality:
    if isinstance(value, (float, int, np.floating, np.integer)) and not isinstance(value, bool):
        return ResultModality.SCORE
    if isinstance(value, np.ndarray):
        return ResultModality.ARRAY
    if isinstance(value, Figure):
        return ResultModality.PLOT
    raise TypeError(
        f"Invalid callback result type {type(value).__name__}: return a "
        "float, a numpy array, a matplotlib Figure or a dict of one of these."
    )
