"""Capture, restore and isolation of the random number generator states that training uses.

States are stored as tensors, ints, floats and lists only, so that a checkpoint holding them loads
with ``torch.load(..., weights_only=True)``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch

__all__ = ["capture_rng_state", "isolated_rng", "restore_rng_state"]


def capture_rng_state() -> dict[str, Any]:
    """Return the states of torch (CPU and every initialised CUDA device), numpy and ``random``."""
    numpy_state = np.random.get_state(legacy=True)
    assert isinstance(numpy_state, tuple)  # legacy=True always returns the tuple form
    _, keys, position, has_gauss, cached_gaussian = numpy_state
    python_version, python_internal, python_gauss = random.getstate()
    cuda_states = torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else []  # type: ignore[no-untyped-call]
    return {
        "torch": torch.get_rng_state(),
        "cuda": cuda_states,
        "numpy_keys": torch.from_numpy(np.asarray(keys, dtype=np.int64)),
        "numpy_position": int(position),
        "numpy_has_gauss": int(has_gauss),
        "numpy_cached_gaussian": float(cached_gaussian),
        "python_version": int(python_version),
        "python_internal": [int(value) for value in python_internal],
        "python_gauss": python_gauss,
    }


def restore_rng_state(state: dict[str, Any]) -> None:
    """Restore the states returned by ``capture_rng_state``.

    CUDA states are restored only when CUDA is available and the device count matches.
    """
    torch.set_rng_state(state["torch"])
    cuda_states = state["cuda"]
    if cuda_states and torch.cuda.is_available() and len(cuda_states) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda_states)
    keys = state["numpy_keys"].numpy().astype(np.uint32)
    np.random.set_state(
        (
            "MT19937",
            keys,
            state["numpy_position"],
            state["numpy_has_gauss"],
            state["numpy_cached_gaussian"],
        )
    )
    random.setstate(
        (state["python_version"], tuple(state["python_internal"]), state["python_gauss"])
    )


@contextmanager
def isolated_rng(seed: int | None = None) -> Iterator[None]:
    """Run the block without changing the caller's random streams.

    The torch, numpy and ``random`` states are restored on exit, so validation that draws random
    numbers leaves training unchanged. With ``seed``, all three are seeded with it inside the block,
    so the block's own draws repeat from run to run.
    """
    state = capture_rng_state()
    try:
        if seed is not None:
            torch.manual_seed(seed)
            np.random.seed(seed)
            random.seed(seed)
        yield
    finally:
        restore_rng_state(state)
