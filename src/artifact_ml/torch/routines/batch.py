"""``BatchRoutine``: callbacks on the live training batches, reported once per due epoch."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeAlias

import torch
from torch import nn
from torch.utils.hooks import RemovableHandle

from artifact_ml.torch.callbacks.hooks import BackwardHookCallback, ForwardHookCallback
from artifact_ml.torch.callbacks.model_io import ModelIOCallback
from artifact_ml.torch.callbacks.optimizer_state import OptimizerCallback
from artifact_ml.torch.io import InputT_contra, OutputT_contra
from artifact_ml.torch.results import CallbackResult
from artifact_ml.torch.routines.reporting import check_unique_names, report_results

if TYPE_CHECKING:
    from artifact_ml.experiment import TrackingClient

__all__ = ["BatchCallback", "BatchRoutine"]

BatchCallback: TypeAlias = (
    ModelIOCallback[InputT_contra, OutputT_contra, Any]
    | ForwardHookCallback[Any]
    | BackwardHookCallback[Any]
    | OptimizerCallback[Any]
)

_TRAIN_PREFIX = "train"


class BatchRoutine(Generic[InputT_contra, OutputT_contra]):
    """Callbacks fed by the training loop itself, with results logged as ``"train/<name>"``.

    Model-I/O callbacks see each training batch and its output, forward-hook and backward-hook
    callbacks see activations and gradients of the training passes, and optimizer callbacks see
    the optimizer at the end of the epoch. Only callbacks due at an epoch are fed, and hooks are
    attached only for due epochs, so an epoch with nothing due costs nothing per batch.
    """

    def __init__(
        self,
        callbacks: Sequence[BatchCallback[InputT_contra, OutputT_contra]],
        tracking_client: TrackingClient | None = None,
    ) -> None:
        for callback in callbacks:
            if not isinstance(
                callback,
                (ModelIOCallback, ForwardHookCallback, BackwardHookCallback, OptimizerCallback),
            ):
                raise TypeError(
                    f"Invalid BatchRoutine callback type {type(callback).__name__}: "
                    "pass ModelIOCallback, ForwardHookCallback, BackwardHookCallback or "
                    "OptimizerCallback instances."
                )
        check_unique_names("BatchRoutine", [callback.name for callback in callbacks])
        self.callbacks = tuple(callbacks)
        self.tracking_client = tracking_client
        self.results: dict[str, CallbackResult] = {}
        self._due: tuple[BatchCallback[InputT_contra, OutputT_contra], ...] = ()
        self._model_io_due: tuple[ModelIOCallback[InputT_contra, OutputT_contra, Any], ...] = ()
        self._handles: list[RemovableHandle] = []

    @classmethod
    def build(
        cls,
        callbacks: Sequence[BatchCallback[InputT_contra, OutputT_contra]],
        tracking_client: TrackingClient | None = None,
    ) -> BatchRoutine[InputT_contra, OutputT_contra]:
        """Build the routine from its callbacks and an optional tracking client."""
        return cls(callbacks=callbacks, tracking_client=tracking_client)

    @property
    def observes_batches(self) -> bool:
        """Whether a model-I/O callback is due this epoch, so the trainer must call ``on_batch``."""
        return bool(self._model_io_due)

    def start_epoch(self, model: nn.Module, epoch: int, *, is_last_epoch: bool) -> None:
        """Reset the callbacks due at ``epoch`` and attach their hooks to ``model``."""
        self._due = tuple(
            callback
            for callback in self.callbacks
            if callback.is_due(epoch, is_last_epoch=is_last_epoch)
        )
        self._model_io_due = tuple(
            callback for callback in self._due if isinstance(callback, ModelIOCallback)
        )
        for callback in self._due:
            callback.reset()
            if isinstance(callback, (ForwardHookCallback, BackwardHookCallback)):
                self._handles.extend(callback.attach(model))

    def on_batch(self, model_input: InputT_contra, model_output: OutputT_contra) -> None:
        """Feed one training batch and its output to the due model-I/O callbacks."""
        for callback in self._model_io_due:
            callback.update(model_input, model_output)

    def end_epoch(self, optimizer: torch.optim.Optimizer, epoch: int) -> dict[str, float]:
        """Detach the hooks, compute and log the due callbacks' results, and return the scores."""
        self.remove_hooks()
        results: dict[str, CallbackResult] = {}
        for callback in self._due:
            if isinstance(callback, OptimizerCallback):
                callback.update(optimizer)
            results[f"{_TRAIN_PREFIX}/{callback.name}"] = callback.compute()
        self._due = ()
        self._model_io_due = ()
        self.results = results
        return report_results(results, epoch, self.tracking_client)

    def remove_hooks(self) -> None:
        """Remove every hook this routine attached (also called when training fails)."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
