"""Built-in forward-hook callback: a histogram of each layer's activations."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from artifact_ml.torch.callbacks.hooks import ForwardHookCallback

__all__ = ["ActivationDistributionCallback"]


class ActivationDistributionCallback(ForwardHookCallback[dict[str, Figure]]):
    """Per layer, a histogram of the output values seen during the epoch, as a plot collection.

    To bound memory, each forward pass contributes at most ``values_per_batch`` values per layer,
    taken at an even stride through the flattened output (no random draws, so training's random
    streams are untouched). Each pass copies that sample to the CPU.

    Args:
        name: the result name; default ``"activation_distribution"``.
        period, layer_names: as for ``ForwardHookCallback``.
        values_per_batch: the maximum number of values kept per layer per forward pass; default
            1024.
        bins: the number of histogram bins; default 50.
    """

    def __init__(
        self,
        *,
        name: str = "activation_distribution",
        period: int = 1,
        layer_names: Sequence[str] | None = None,
        values_per_batch: int = 1024,
        bins: int = 50,
    ) -> None:
        super().__init__(name, period=period, layer_names=layer_names)
        if values_per_batch < 1 or bins < 1:
            raise ValueError(
                "ActivationDistributionCallback needs values_per_batch >= 1 and bins >= 1, got "
                f"{values_per_batch} and {bins}."
            )
        self.values_per_batch = values_per_batch
        self.bins = bins
        self._samples: dict[str, list[np.ndarray]] = {}

    def reset(self) -> None:
        self._samples = {}

    def update_activation(self, layer_name: str, activation: torch.Tensor) -> None:
        flat = activation.reshape(-1)
        stride = max(1, -(-flat.numel() // self.values_per_batch))
        sample = flat[::stride].float().cpu().numpy()
        self._samples.setdefault(layer_name, []).append(sample)

    def compute(self) -> dict[str, Figure]:
        figures: dict[str, Figure] = {}
        for layer_name, samples in self._samples.items():
            values = np.concatenate(samples)
            finite = values[np.isfinite(values)]
            figure = Figure(figsize=(6.0, 4.0))
            axes = figure.add_subplot()
            axes.hist(finite, bins=self.bins, density=True, color="tab:blue", label=layer_name)
            axes.set_title(f"Activation distribution of layer {layer_name}")
            axes.set_xlabel("activation value")
            axes.set_ylabel("density")
            axes.legend(title=f"{finite.size} values")
            figure.tight_layout()
            figures[layer_name] = figure
        return figures
