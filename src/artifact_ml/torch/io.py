"""Typed model input and output: the batches a model consumes and the dicts it returns.

Users extend both per model, for example::

    class VAEInput(ModelInput):
        features: torch.Tensor

    class VAEOutput(ModelOutput):
        kl_divergence: torch.Tensor

Because a ``TypedDict`` is structural, a callback written for ``ModelOutput`` accepts every output
type that extends it, and a static type checker rejects a callback that reads a field the model's
output type lacks.
"""

from __future__ import annotations

from typing import TypedDict, TypeVar

import torch

__all__ = [
    "InputT",
    "InputT_contra",
    "ModelInput",
    "ModelOutput",
    "OutputT",
    "OutputT_co",
    "OutputT_contra",
]


class ModelInput(TypedDict):
    """A batch as the model's ``training_step`` receives it; subclasses add the tensor fields."""


class ModelOutput(TypedDict):
    """A ``training_step`` result; ``loss`` is the scalar tensor that the trainer backpropagates."""

    loss: torch.Tensor


InputT = TypeVar("InputT", bound=ModelInput)
OutputT = TypeVar("OutputT", bound=ModelOutput)
InputT_contra = TypeVar("InputT_contra", bound=ModelInput, contravariant=True)
OutputT_contra = TypeVar("OutputT_contra", bound=ModelOutput, contravariant=True)
OutputT_co = TypeVar("OutputT_co", bound=ModelOutput, covariant=True)
