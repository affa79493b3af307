"""Hook callbacks: observers of layer activations (forward) and parameter gradients (backward)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

import torch
from torch import nn
from torch.utils.hooks import RemovableHandle

from artifact_ml.torch.callbacks.base import Callback, ResultT_co

__all__ = ["BackwardHookCallback", "ForwardHookCallback", "LayerHookCallback", "select_layers"]


def select_layers(model: nn.Module, layer_names: Sequence[str] | None) -> dict[str, nn.Module]:
    """Return the named layers of ``model``: those listed, else every leaf module with parameters.

    Raises:
        KeyError: if a listed name is not a submodule of ``model``; the message lists the names.
    """
    modules = dict(model.named_modules())
    if layer_names is None:
        return {
            name: module
            for name, module in modules.items()
            if name
            and not any(True for _ in module.children())
            and any(True for _ in module.parameters(recurse=False))
        }
    missing = [name for name in layer_names if name not in modules]
    if missing:
        raise KeyError(
            f"Layers {missing} are not submodules of {type(model).__name__}; valid names are "
            f"{sorted(name for name in modules if name)}."
        )
    return {name: modules[name] for name in layer_names}


class LayerHookCallback(Callback[ResultT_co]):
    """A callback that observes selected layers through hooks; the base of both hook kinds.

    Args:
        name, period: as for ``Callback``.
        layer_names: the ``named_modules`` names to observe; ``None`` (the default) observes every
            leaf module that has parameters.
    """

    def __init__(
        self, name: str, *, period: int = 1, layer_names: Sequence[str] | None = None
    ) -> None:
        super().__init__(name, period=period)
        self.layer_names = None if layer_names is None else tuple(layer_names)


class ForwardHookCallback(LayerHookCallback[ResultT_co]):
    """A callback fed with the output tensor of selected layers on every forward pass.

    Args:
        name, period: as for ``Callback``.
        layer_names: the ``named_modules`` names to observe; ``None`` (the default) observes every
            leaf module that has parameters.
    """

    def attach(self, model: nn.Module) -> list[RemovableHandle]:
        """Register the forward hooks on ``model``; the caller removes the returned handles."""
        handles = []
        for layer_name, module in select_layers(model, self.layer_names).items():
            handles.append(module.register_forward_hook(self._make_hook(layer_name)))
        return handles

    def _make_hook(self, layer_name: str) -> Any:
        def hook(module: nn.Module, inputs: Any, output: Any) -> None:
            if isinstance(output, torch.Tensor):
                self.update_activation(layer_name, output.detach())

        return hook

    @abstractmethod
    def update_activation(self, layer_name: str, activation: torch.Tensor) -> None:
        """Accumulate one detached layer output."""


class BackwardHookCallback(LayerHookCallback[ResultT_co]):
    """A callback fed with the gradient of each parameter of selected layers on every backward pass.

    The gradient is that of one backward pass (one micro-batch under gradient accumulation),
    before clipping and, under fp16 mixed precision, still multiplied by the loss scale.

    Args:
        name, period: as for ``Callback``.
        layer_names: the ``named_modules`` names to observe; ``None`` (the default) observes every
            leaf module that has parameters.
    """

    def attach(self, model: nn.Module) -> list[RemovableHandle]:
        """Register the gradient hooks on ``model``; the caller removes the returned handles."""
        handles = []
        for layer_name, module in select_layers(model, self.layer_names).items():
            parameters: Mapping[str, nn.Parameter] = dict(module.named_parameters(recurse=True))
            for parameter_name, parameter in parameters.items():
                if parameter.requires_grad:
                    hook = self._make_hook(layer_name, parameter_name)
                    handles.append(parameter.register_hook(hook))  # type: ignore[no-untyped-call]
        return handles

    def _make_hook(self, layer_name: str, parameter_name: str) -> Any:
        def hook(gradient: torch.Tensor) -> None:
            self.update_gradient(layer_name, parameter_name, gradient.detach())

        return hook

    @abstractmethod
    def update_gradient(self, layer_name: str, parameter_name: str, gradient: torch.Tensor) -> None:
        """Accumulate one detached parameter gradient."""
