"""Device selection and recursive placement of the tensors inside a batch."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

import torch

__all__ = ["move_to_device", "select_default_device"]

T = TypeVar("T")


def select_default_device() -> torch.device:
    """Return the first available device among CUDA, then Apple MPS, then the CPU."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def move_to_device(data: T, device: torch.device, *, non_blocking: bool = False) -> T:
    """Return ``data`` with every tensor moved to ``device``.

    Tensors inside mappings (TypedDicts included), lists and tuples are moved at any depth, and
    the containers are rebuilt with the same type (named tuples too). Other values are returned
    unchanged.
    """
    return _move(data, device, non_blocking)  # type: ignore[no-any-return]


def _move(data: Any, device: torch.device, non_blocking: bool) -> Any:
    if isinstance(data, torch.Tensor):
        return data.to(device, non_blocking=non_blocking)
    if isinstance(data, Mapping):
        moved = {key: _move(value, device, non_blocking) for key, value in data.items()}
        return moved if type(data) is dict else type(data)(moved)  # type: ignore[call-arg]
    if isinstance(data, tuple):
        items = [_move(value, device, non_blocking) for value in data]
        if hasattr(data, "_fields"):
            return type(data)(*items)
        return type(data)(items)
    if isinstance(data, list):
        return [_move(value, device, non_blocking) for value in data]
    return data
