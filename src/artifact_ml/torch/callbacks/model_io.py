"""Model-I/O callbacks: observers of each batch's model input and output."""

from __future__ import annotations

from abc import abstractmethod
from typing import Generic

from artifact_ml.torch.callbacks.base import Callback, ResultT_co
from artifact_ml.torch.io import InputT_contra, OutputT_contra

__all__ = ["ModelIOCallback"]


class ModelIOCallback(Callback[ResultT_co], Generic[InputT_contra, OutputT_contra, ResultT_co]):
    """A callback fed with every batch's model input and output.

    The input and output type parameters are contravariant. A callback written for
    ``ModelOutput`` therefore fits every model whose output type extends ``ModelOutput``. A type
    checker rejects a callback written for an output type with extra fields when the model's
    output lacks them.
    """

    @abstractmethod
    def update(self, model_input: InputT_contra, model_output: OutputT_contra) -> None:
        """Accumulate one batch. Keep tensors on their device to avoid a host sync per batch."""
