"""Checks of the first training batch and ``training_step`` output, with errors that name the fix.

The trainer runs these checks once, on the first batch of the first epoch it trains, so later
batches pay nothing for them.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

__all__ = ["check_training_batch", "check_training_output"]


def check_training_batch(model_name: str, batch: object, *, epoch: int, batch_index: int) -> None:
    """Raise ``TypeError`` unless ``batch`` is a mapping (the model's ``ModelInput`` dict)."""
    if isinstance(batch, Mapping):
        return
    raise TypeError(
        f"{model_name}.training_step expects the model's input dict (a ModelInput), but the "
        f"training loader yielded a {type(batch).__name__} at epoch {epoch}, batch "
        f"{batch_index}. Build the loader as artifact_ml.torch.DataLoader(Dataset(items)) with "
        "items that are dicts such as {'features': tensor}, or pass "
        "collate_fn=... that returns that dict, instead of a TensorDataset or tuple items."
    )


def check_training_output(model_name: str, output: object, *, epoch: int, batch_index: int) -> None:
    """Raise ``ValueError`` or ``TypeError`` unless ``output["loss"]`` is a scalar tensor with grad.

    Raises:
        TypeError: if ``output`` is not a mapping or its loss is not a ``torch.Tensor``.
        ValueError: if the loss is missing, has more than one element or does not require grad.
    """
    where = f"at epoch {epoch}, batch {batch_index}"
    if not isinstance(output, Mapping):
        raise TypeError(
            f"{model_name}.training_step returned a {type(output).__name__} {where}; return "
            "ModelOutput(loss=...), a dict with a scalar loss tensor."
        )
    if "loss" not in output:
        raise ValueError(
            f"{model_name}.training_step returned a dict without 'loss' {where} (keys: "
            f"{sorted(map(str, output))}); return ModelOutput(loss=...)."
        )
    loss = output["loss"]
    if not isinstance(loss, torch.Tensor):
        raise TypeError(
            f"{model_name}.training_step returned a loss of type {type(loss).__name__} {where}; "
            "the loss must be a scalar torch.Tensor computed from the model's parameters, so "
            "return the tensor itself, not loss.item() or a Python number."
        )
    if loss.numel() != 1:
        raise ValueError(
            f"{model_name}.training_step returned a loss of shape {tuple(loss.shape)} {where}; "
            "the loss must be a scalar tensor, so reduce it, for example with .mean() or .sum()."
        )
    if not loss.requires_grad:
        raise ValueError(
            f"{model_name}.training_step returned a loss that does not require grad {where}; "
            "compute it from the model's parameters, outside torch.no_grad() and without "
            ".detach()."
        )
