"""Two-process DistributedDataParallel training on the CPU with the Gloo backend.

``torchrun`` launches the worker on localhost. On each rank, a first trainer initialises the
process group from torchrun's environment and wraps the model itself, and a second trainer gets a
model the worker wrapped in DDP. Both runs are compared with a single process that trains on the
whole batch: DDP averages two half-batch gradients while the single process averages one full
batch, so the sums run in another order and the weights agree to float32 rounding (checked with
rtol=1e-5, atol=1e-6), not bitwise. Both ranks end with bitwise equal weights.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch
from ddp_worker import NUM_EPOCHS, WORLD_SIZE, train
from trainer_fixtures import MLPRegressor

from artifact_ml.torch import DistributedContext, detect_distributed_context

WORKER = Path(__file__).with_name("ddp_worker.py")


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    threads = torch.get_num_threads()
    try:
        return train(tmp_path_factory.mktemp("single"), rank=0, world_size=1)
    finally:
        torch.set_num_threads(threads)


def _load_ranks(output_dir: Path, run: str) -> list[dict[str, Any]]:
    return [
        torch.load(output_dir / f"{run}_rank{rank}.pt", weights_only=True)
        for rank in range(WORLD_SIZE)
    ]


def _check_ranks(ranks: list[dict[str, Any]], reference: dict[str, Any]) -> None:
    main, other = ranks
    assert main["distributed_model"] and other["distributed_model"]
    assert reference["distributed_model"] is False

    # Weights: bitwise equal across ranks, equal to the single process up to rounding.
    for name, tensor in main["model"].items():
        assert torch.equal(tensor, other["model"][name]), name
        torch.testing.assert_close(tensor, reference["model"][name], rtol=1e-5, atol=1e-6)
    torch.manual_seed(0)
    initial = MLPRegressor().state_dict()
    assert not torch.equal(main["model"]["head.weight"], initial["head.weight"])

    # Scores: every rank caches rank 0's routine scores and the loss averaged over both ranks.
    assert main["epoch_scores"] == other["epoch_scores"]
    for epoch in range(1, NUM_EPOCHS + 1):
        assert main["epoch_scores"]["train/loss"][epoch] == pytest.approx(
            reference["epoch_scores"]["train/loss"][epoch], rel=1e-5
        )
    assert sorted(main["epoch_scores"]["validation/weight_norm"]) == [2, 3]
    assert main["epoch_scores"]["validation/weight_norm"][3] == pytest.approx(
        reference["epoch_scores"]["validation/weight_norm"][3], rel=1e-5
    )

    # Only rank 0 ran routines, logged, wrote checkpoints and ran checkpoint callbacks.
    assert main["routine_epochs"] == [2, 3]
    assert other["routine_epochs"] == []
    assert [step for step, _ in main["logged_scores"]["train/loss"]] == [1, 2, 3]
    assert [step for step, _ in main["logged_scores"]["train/mean_loss"]] == [1, 2, 3]
    assert main["logged_files"] == {"checkpoints": [1, 2, 3]}
    assert main["checkpoints"] == ["epoch_0001.pt", "epoch_0002.pt", "epoch_0003.pt"]
    assert other["logged_scores"] == {}
    assert other["logged_files"] == {}
    assert other["checkpoints"] == []


def test_torchrun_two_ranks_match_single_process(tmp_path: Path, reference: dict[str, Any]) -> None:
    environment = {**os.environ, "PYTHONPATH": str(WORKER.parent), "OMP_NUM_THREADS": "1"}
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        environment.pop(name, None)

    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node",
            str(WORLD_SIZE),
            str(WORKER),
            str(tmp_path),
        ],
        cwd=WORKER.parent,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert completed.returncode == 0, completed.stderr[-3000:]
    trainer_wrapper = _load_ranks(tmp_path, "trainer_wrapper")
    _check_ranks(trainer_wrapper, reference)
    assert not trainer_wrapper[0]["is_given_wrapper"]
    given_wrapper = _load_ranks(tmp_path, "given_wrapper")
    _check_ranks(given_wrapper, reference)
    assert given_wrapper[0]["is_given_wrapper"] and given_wrapper[1]["is_given_wrapper"]
    # Neither rank warned about a loader without a DistributedSampler.
    assert "has no DistributedSampler" not in completed.stderr


def test_single_process_context(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RANK", raising=False)
    monkeypatch.setenv("WORLD_SIZE", "1")

    assert detect_distributed_context() == DistributedContext(rank=0, world_size=1, local_rank=0)
    assert DistributedContext().is_main_process is True
    assert DistributedContext(rank=1, world_size=2).is_main_process is False
    assert DistributedContext(rank=1, world_size=2).is_distributed is True
    monkeypatch.setenv("WORLD_SIZE", "two")
    with pytest.raises(ValueError, match="WORLD_SIZE='two' is not an integer"):
        detect_distributed_context()
