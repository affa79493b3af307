"""Built-in model-I/O callbacks: the mean loss and the mean of any scalar output field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from artifact_ml.torch.callbacks.model_io import ModelIOCallback
from artifact_ml.torch.io import ModelInput, ModelOutput

__all__ = ["MeanLossCallback", "ScalarOutputMeanCallback"]


class ScalarOutputMeanCallback(ModelIOCallback[ModelInput, ModelOutput, float]):
    """The mean over batches of a scalar (one-element) tensor field of the model output.

    Values stay on the model's device until ``compute``, which syncs once. The mean is unweighted
    by batch size, so a smaller last batch counts as much as a full one.

    Args:
        field: the output key, such as ``"kl_divergence"``.
        name: the result name; defaults to ``"mean_<field>"``.
        period: as for ``Callback``.

    Raises (from ``update`` or ``compute``):
        KeyError: if the output has no ``field``; the message lists the output's keys.
        ValueError: if the field is not a one-element tensor, or no batch was observed.
    """

    def __init__(self, field: str, *, name: str | None = None, period: int = 1) -> None:
        super().__init__(name if name is not None else f"mean_{field}", period=period)
        self.field = field
        self._values: list[torch.Tensor] = []

    def reset(self) -> None:
        self._values = []

    def update(self, model_input: ModelInput, model_output: ModelOutput) -> None:
        fields: Mapping[str, Any] = model_output
        value = fields.get(self.field)
        if value is None:
            raise KeyError(
                f"{type(self).__name__} reads output field {self.field!r}, but the model output "
                f"has keys {sorted(fields)}; pick one of them."
            )
        if not isinstance(value, torch.Tensor) or value.numel() != 1:
            raise ValueError(
                f"Output field {self.field!r} must be a one-element tensor, got "
                f"{type(value).__name__} with shape {getattr(value, 'shape', None)}."
            )
        self._values.append(value.detach())

    def compute(self) -> float:
        if not self._values:
            raise ValueError(f"{type(self).__name__}({self.field!r}) observed no batch.")
        values = torch.stack([value.reshape(()) for value in self._values])
        return float(values.double().mean().item())


class MeanLossCallback(ScalarOutputMeanCallback):
    """The mean over batches of the output's ``loss``, logged as ``"<split>/mean_loss"``."""

    def __init__(self, *, name: str = "mean_loss", period: int = 1) -> None:
        super().__init__("loss", name=name, period=period)

    def update(self, model_input: ModelInput, model_output: ModelOutput) -> None:
        self._values.append(model_output["loss"].detach())
