"""Built-in backward-hook callback: the gradient norm of each layer."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from artifact_ml.torch.callbacks.hooks import BackwardHookCallback

__all__ = ["GradientNormCallback"]


class GradientNormCallback(BackwardHookCallback[dict[str, float]]):
    """Per layer, the L2 norm of the gradient of all its parameters, averaged over backward passes.

    For each backward pass, a layer's norm is ``sqrt(sum of squared gradient entries)`` over its
    parameters. The result maps each layer name to the arithmetic mean of these norms over the
    epoch's passes. Squared sums stay on the device until ``compute``.

    Args:
        name: the result name; default ``"gradient_norm"``.
        period, layer_names: as for ``BackwardHookCallback``.
    """

    def __init__(
        self,
        *,
        name: str = "gradient_norm",
        period: int = 1,
        layer_names: Sequence[str] | None = None,
    ) -> None:
        super().__init__(name, period=period, layer_names=layer_names)
        self._squared_sums: dict[str, dict[str, list[torch.Tensor]]] = {}

    def reset(self) -> None:
        self._squared_sums = {}

    def update_gradient(self, layer_name: str, parameter_name: str, gradient: torch.Tensor) -> None:
        by_parameter = self._squared_sums.setdefault(layer_name, {})
        by_parameter.setdefault(parameter_name, []).append(gradient.double().pow(2).sum())

    def compute(self) -> dict[str, float]:
        norms: dict[str, float] = {}
        for layer_name, by_parameter in self._squared_sums.items():
            # Every parameter of a layer receives one gradient per backward pass, so the lists
            # have equal lengths and entry i of each belongs to pass i.
            per_pass = torch.stack([torch.stack(sums) for sums in by_parameter.values()]).sum(0)
            norms[layer_name] = float(per_pass.sqrt().mean().item())
        return norms
