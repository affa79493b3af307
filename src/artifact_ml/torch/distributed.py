"""Scale-out through ``torch.distributed``: rank detection, DDP forward redirection, collectives.

Launch one process per device with ``torchrun`` (for example
``torchrun --nproc_per_node 2 train.py``). ``CustomTrainer`` then initialises the default process
group from the environment variables that torchrun sets (``RANK``, ``WORLD_SIZE``,
``LOCAL_RANK``, ``MASTER_ADDR``, ``MASTER_PORT``), unless the script has initialised one itself.
The trainer wraps the model in ``DistributedDataParallel`` (or uses the DDP wrapper it was given),
and only rank 0 logs, writes checkpoints and runs routines. Give every rank its own shard of the
training data with ``DataLoader(dataset, batch_size=..., sampler=DistributedSampler(dataset))``;
the trainer calls the sampler's ``set_epoch`` before each epoch.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from artifact_ml.torch.model import Model

__all__ = [
    "DistributedContext",
    "all_gather_values",
    "barrier",
    "broadcast_scores",
    "detect_distributed_context",
    "redirected_training_step",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DistributedContext:
    """This process's place among the training processes.

    Attributes:
        rank: the global rank, 0 to ``world_size - 1``.
        world_size: the number of training processes.
        local_rank: the rank on this machine, which selects the CUDA device.
    """

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_distributed(self) -> bool:
        """Whether more than one process trains."""
        return self.world_size > 1

    @property
    def is_main_process(self) -> bool:
        """Whether this process is rank 0, the one that logs, checkpoints and runs routines."""
        return self.rank == 0


def detect_distributed_context() -> DistributedContext:
    """Return this process's rank, initialising the default process group under torchrun.

    An initialised process group is used as it is. Otherwise, if ``WORLD_SIZE`` > 1 and ``RANK``
    are set (as torchrun sets them), the default group is initialised from the environment with
    the NCCL backend when CUDA is available and Gloo otherwise. The script should call
    ``torch.distributed.destroy_process_group()`` when it is done. Without either, the context is
    a single process.

    Raises:
        ValueError: if ``RANK``, ``WORLD_SIZE`` or ``LOCAL_RANK`` is not an integer.
    """
    if not dist.is_available():
        return DistributedContext()
    if dist.is_initialized():
        rank = dist.get_rank()
        return DistributedContext(
            rank=rank,
            world_size=dist.get_world_size(),
            local_rank=_environment_int("LOCAL_RANK", default=rank),
        )
    world_size = _environment_int("WORLD_SIZE", default=1)
    if world_size <= 1 or "RANK" not in os.environ:
        return DistributedContext()
    backend = "nccl" if torch.cuda.is_available() else "gloo"
    dist.init_process_group(backend=backend)
    rank = dist.get_rank()
    logger.info(
        "Initialised the %s process group from the environment: rank %d of %d.",
        backend,
        rank,
        world_size,
    )
    return DistributedContext(
        rank=rank,
        world_size=dist.get_world_size(),
        local_rank=_environment_int("LOCAL_RANK", default=rank),
    )


def _environment_int(name: str, *, default: int) -> int:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(
            f"Environment variable {name}={value!r} is not an integer; launch with torchrun or "
            f"unset {name}."
        ) from None


def redirected_training_step(
    wrapper: DistributedDataParallel, model: Model[Any, Any], batch: Any
) -> Any:
    """Run ``model.training_step(batch)`` through the DDP ``wrapper``'s ``forward``.

    DDP prepares its gradient all-reduce only in its own ``forward``, which calls the wrapped
    module's ``forward``. This function points ``model.forward`` at ``training_step`` for one call
    (the same forward redirection as Lightning's strategies) and restores it before
    ``training_step`` runs, so ``self(...)`` inside the step calls the model's own ``forward``.
    """
    shadowed = model.__dict__.get("forward")

    def restore() -> None:
        if shadowed is None:
            model.__dict__.pop("forward", None)
        else:
            model.__dict__["forward"] = shadowed

    def forward(step_batch: Any) -> Any:
        restore()
        return model.training_step(step_batch)

    model.__dict__["forward"] = forward
    try:
        return wrapper(batch)
    finally:
        restore()


def all_gather_values(values: torch.Tensor) -> torch.Tensor:
    """Return the 1-d float64 ``values`` of every rank stacked by rank, shape (world size, n).

    The tensor travels on the CPU for the Gloo backend and on its device otherwise.
    """
    device = torch.device("cpu") if dist.get_backend() == "gloo" else values.device
    local = values.detach().to(device=device, dtype=torch.float64).reshape(-1)
    gathered = [torch.empty_like(local) for _ in range(dist.get_world_size())]
    dist.all_gather(gathered, local)
    return torch.stack(gathered)


def broadcast_scores(
    scores: Sequence[tuple[str, float]], *, is_main_process: bool
) -> list[tuple[str, float]]:
    """Return rank 0's ``(name, score)`` pairs on every rank, ignoring the other ranks' pairs."""
    payload: list[object] = [list(scores) if is_main_process else None]
    dist.broadcast_object_list(payload, src=0)
    received = payload[0]
    assert isinstance(received, list)  # rank 0 always sends a list
    return [(str(name), float(score)) for name, score in received]


def barrier() -> None:
    """Wait until every rank reaches this call."""
    dist.barrier()
