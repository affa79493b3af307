"""Mixed precision: the autocast context and the gradient scaler of each precision setting."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from enum import Enum
from functools import partial

import torch

__all__ = ["Precision", "autocast_factory", "make_grad_scaler"]


class Precision(Enum):
    """The precision of the forward pass.

    ``FP32`` runs in full precision without autocast. ``BF16`` runs under ``torch.autocast`` with
    bfloat16 on any device (the CPU included) and needs no loss scaling. ``FP16`` runs under
    autocast with float16 and scales the loss with ``torch.amp.GradScaler``; it is for CUDA only.
    """

    FP32 = "fp32"
    BF16 = "bf16"
    FP16 = "fp16"


def autocast_factory(
    precision: Precision, device: torch.device
) -> Callable[[], AbstractContextManager[object]]:
    """Return a function that opens the forward-pass context of ``precision`` on ``device``.

    Raises:
        ValueError: for ``FP16`` on a device other than CUDA.
    """
    if precision is Precision.FP32:
        return contextlib.nullcontext
    if precision is Precision.FP16 and device.type != "cuda":
        raise ValueError(
            f"Precision.FP16 needs a CUDA device, but training runs on {device}; use "
            "Precision.BF16 there."
        )
    dtype = torch.bfloat16 if precision is Precision.BF16 else torch.float16
    return partial(torch.autocast, device_type=device.type, dtype=dtype)


def make_grad_scaler(precision: Precision, device: torch.device) -> torch.amp.GradScaler | None:
    """Return the loss scaler for ``FP16`` on CUDA, else ``None``."""
    if precision is Precision.FP16 and device.type == "cuda":
        return torch.amp.GradScaler(device.type)
    return None
