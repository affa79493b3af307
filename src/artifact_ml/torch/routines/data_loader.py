"""``DataLoaderRoutine``: callbacks over whole data loaders, one sweep per split and due epoch."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeAlias

import torch
from torch.utils.hooks import RemovableHandle

from artifact_ml.torch.callbacks.hooks import ForwardHookCallback
from artifact_ml.torch.callbacks.model_io import ModelIOCallback
from artifact_ml.torch.data import DataLoader
from artifact_ml.torch.io import InputT, OutputT
from artifact_ml.torch.model import Model
from artifact_ml.torch.results import CallbackResult
from artifact_ml.torch.routines.reporting import check_unique_names, report_results

if TYPE_CHECKING:
    from artifact_ml.experiment import DataSplit, TrackingClient

__all__ = ["DataLoaderCallback", "DataLoaderRoutine"]

logger = logging.getLogger(__name__)

DataLoaderCallback: TypeAlias = ModelIOCallback[InputT, OutputT, Any] | ForwardHookCallback[Any]


class DataLoaderRoutine(Generic[InputT, OutputT]):
    """Callbacks run over prescribed data loaders after a training epoch, per ``DataSplit``.

    For each split, the routine sweeps its loader once with the model in eval mode under
    ``torch.no_grad()``, calling ``training_step`` on each batch, and logs each due callback's
    result as ``"<split>/<name>"``. A split with no due callback is not swept. Backward-hook and
    optimizer callbacks are rejected, because no gradients exist in a sweep.

    Args:
        loaders: the loader of each split, e.g. ``{DataSplit.VALIDATION: validation_loader}``.
        callbacks: the callbacks run on every split, or a mapping from split to its callbacks.
        tracking_client: where results are logged, if anywhere.

    Raises:
        ValueError: if ``callbacks`` names a split without a loader.
        TypeError: if a callback is of another kind.
    """

    def __init__(
        self,
        loaders: Mapping[DataSplit, DataLoader[InputT]],
        callbacks: Sequence[DataLoaderCallback[InputT, OutputT]]
        | Mapping[DataSplit, Sequence[DataLoaderCallback[InputT, OutputT]]],
        tracking_client: TrackingClient | None = None,
    ) -> None:
        if isinstance(callbacks, Mapping):
            unknown = [split.value for split in callbacks if split not in loaders]
            if unknown:
                raise ValueError(
                    f"DataLoaderRoutine has callbacks for splits {unknown} without a loader; "
                    f"add their loaders or remove them (loaders: {[s.value for s in loaders]})."
                )
            by_split = {split: tuple(callbacks[split]) for split in callbacks}
        else:
            by_split = {split: tuple(callbacks) for split in loaders}
        for split_callbacks in by_split.values():
            check_unique_names("DataLoaderRoutine", [callback.name for callback in split_callbacks])
            for callback in split_callbacks:
                if not isinstance(callback, (ModelIOCallback, ForwardHookCallback)):
                    raise TypeError(
                        f"DataLoaderRoutine got {type(callback).__name__}; it runs only "
                        "ModelIOCallback and ForwardHookCallback instances, because a sweep "
                        "computes no gradients and takes no optimizer step."
                    )
        self.loaders = dict(loaders)
        self.callbacks = by_split
        self.tracking_client = tracking_client
        self.results: dict[str, CallbackResult] = {}

    @classmethod
    def build(
        cls,
        loaders: Mapping[DataSplit, DataLoader[InputT]],
        callbacks: Sequence[DataLoaderCallback[InputT, OutputT]]
        | Mapping[DataSplit, Sequence[DataLoaderCallback[InputT, OutputT]]],
        tracking_client: TrackingClient | None = None,
    ) -> DataLoaderRoutine[InputT, OutputT]:
        """Build the routine; see the class for the arguments."""
        return cls(loaders=loaders, callbacks=callbacks, tracking_client=tracking_client)

    def set_device(self, device: torch.device) -> None:
        """Place the batches of every loader on ``device``."""
        for loader in self.loaders.values():
            loader.device = device

    def run(
        self, model: Model[InputT, OutputT], epoch: int, *, is_last_epoch: bool
    ) -> dict[str, float]:
        """Sweep each split with due callbacks, log the results and return the scores."""
        results: dict[str, CallbackResult] = {}
        for split, split_callbacks in self.callbacks.items():
            due = [c for c in split_callbacks if c.is_due(epoch, is_last_epoch=is_last_epoch)]
            if not due:
                continue
            self._sweep(model, self.loaders[split], due)
            for callback in due:
                results[f"{split.value}/{callback.name}"] = callback.compute()
        self.results = results
        return report_results(results, epoch, self.tracking_client)

    def _sweep(
        self,
        model: Model[InputT, OutputT],
        loader: DataLoader[InputT],
        callbacks: Sequence[DataLoaderCallback[InputT, OutputT]],
    ) -> None:
        model_io = [c for c in callbacks if isinstance(c, ModelIOCallback)]
        handles: list[RemovableHandle] = []
        was_training = model.training
        model.eval()
        try:
            for callback in callbacks:
                callback.reset()
                if isinstance(callback, ForwardHookCallback):
                    handles.extend(callback.attach(model))
            with torch.no_grad():
                for batch in loader:
                    output = model.training_step(batch)
                    for callback in model_io:
                        callback.update(batch, output)
        finally:
            for handle in handles:
                handle.remove()
            model.train(was_training)
