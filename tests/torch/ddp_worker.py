"""One rank of the two-process DDP test (``torchrun --standalone --nproc_per_node 2
ddp_worker.py OUTPUT_DIR``), and the single-process reference run (``train``).

Each rank trains twice. The first trainer initialises the process group from torchrun's
environment and wraps the model in ``DistributedDataParallel`` itself. The second gets a model
that this script wrapped, in the group that is then already initialised. Each run saves what the
rank recorded to ``OUTPUT_DIR/<run>_rank<rank>.pt``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data.distributed import DistributedSampler
from trainer_fixtures import CPUTrainer, MLPRegressor, RegressionInput, RegressionOutput, make_items

from artifact_ml.experiment import InMemoryTrackingClient
from artifact_ml.torch import (
    ArtifactRoutine,
    BatchRoutine,
    CheckpointCallback,
    CheckpointLoggingCallback,
    DataLoader,
    Dataset,
    MeanLossCallback,
    Model,
)

NUM_ROWS = 64
GLOBAL_BATCH_SIZE = 16
NUM_EPOCHS = 3
WORLD_SIZE = 2


class WeightNormRoutine(ArtifactRoutine[Model[Any, Any]]):
    """Reports the L2 norm of all parameters as ``validation/weight_norm`` every 2 epochs."""

    period = 2

    def __init__(self) -> None:
        self.executed_epochs: list[int] = []

    def execute(self, model: Model[Any, Any], epoch: int) -> dict[str, float]:
        self.executed_epochs.append(epoch)
        norm = torch.sqrt(sum(parameter.detach().pow(2).sum() for parameter in model.parameters()))
        return {"validation/weight_norm": float(norm)}


def train(
    output_dir: Path,
    *,
    rank: int,
    world_size: int,
    model: MLPRegressor | DistributedDataParallel | None = None,
) -> dict[str, Any]:
    """Train on the 64 rows (this rank's shard when ``world_size`` > 1); return the results."""
    torch.set_num_threads(1)
    torch.manual_seed(0)
    if model is None:
        model = MLPRegressor()
    dataset = Dataset(make_items(num_rows=NUM_ROWS))
    sampler = (
        DistributedSampler(dataset, num_replicas=world_size, rank=rank, shuffle=False)
        if world_size > 1
        else None
    )
    loader = DataLoader(dataset, batch_size=GLOBAL_BATCH_SIZE // world_size, sampler=sampler)
    client = InMemoryTrackingClient.build(experiment_id="ddp", run_id=f"{output_dir.name}-{rank}")
    routine = WeightNormRoutine()

    class Trainer(CPUTrainer):
        def _get_optimizer(self) -> torch.optim.Optimizer:
            return torch.optim.SGD(self.model.parameters(), lr=0.05)

        def _get_batch_routine(self) -> BatchRoutine[RegressionInput, RegressionOutput]:
            return BatchRoutine.build(callbacks=[MeanLossCallback()], tracking_client=client)

        def _get_artifact_routine(self) -> ArtifactRoutine[Model[Any, Any]]:
            return routine

        def _get_checkpoint_callbacks(self) -> Sequence[CheckpointCallback]:
            return [CheckpointLoggingCallback(client)]

    checkpoint_dir = output_dir / f"checkpoints_rank{rank}"
    trainer = Trainer.build(
        model=model,
        train_loader=loader,
        tracking_client=client,
        max_epochs=NUM_EPOCHS,
        checkpoint_dir=checkpoint_dir,
    )
    trainer.train()
    client.stop()
    return {
        "model": trainer.model.state_dict(),
        "epoch_scores": {
            name: {int(epoch): float(value) for epoch, value in column.dropna().items()}
            for name, column in trainer.epoch_scores.items()
        },
        "logged_scores": {name: list(values) for name, values in client.scores.items()},
        "logged_files": {name: [step for step, _ in files] for name, files in client.files.items()},
        "routine_epochs": list(routine.executed_epochs),
        "checkpoints": sorted(path.name for path in checkpoint_dir.glob("*.pt"))
        if checkpoint_dir.is_dir()
        else [],
        "distributed_model": trainer.distributed_model is not None,
        "is_given_wrapper": trainer.distributed_model is model,
    }


def main() -> None:
    """Train twice on each rank: first through the trainer's own DDP wrapper, then through one
    made here, in the process group the first run initialised."""
    output_dir = Path(sys.argv[1])
    rank = int(os.environ["RANK"])
    world_size = int(os.environ["WORLD_SIZE"])

    result = train(output_dir / "trainer_wrapper", rank=rank, world_size=world_size)
    torch.save(result, output_dir / f"trainer_wrapper_rank{rank}.pt")

    torch.manual_seed(0)
    wrapper = DistributedDataParallel(MLPRegressor())
    result = train(output_dir / "given_wrapper", rank=rank, world_size=world_size, model=wrapper)
    torch.save(result, output_dir / f"given_wrapper_rank{rank}.pt")
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
