"""Checkpoints: atomic files, ``weights_only`` loads and bitwise-exact resume after SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import torch
from resume_worker import NUM_EPOCHS, run

from artifact_ml.torch import latest_checkpoint, load_checkpoint

WORKER = Path(__file__).with_name("resume_worker.py")
BATCHES_PER_EPOCH = 6  # 96 rows in batches of 16


def _worker_command(checkpoint_dir: Path, output: Path, *extra: str) -> list[str]:
    return [sys.executable, str(WORKER), str(checkpoint_dir), str(output), *extra]


def _run_worker(checkpoint_dir: Path, output: Path, *extra: str) -> dict[str, Any]:
    subprocess.run(
        _worker_command(checkpoint_dir, output, *extra),
        check=True,
        cwd=WORKER.parent,
        env={**os.environ, "PYTHONPATH": str(WORKER.parent)},
        timeout=120,
    )
    result: dict[str, Any] = torch.load(output, weights_only=True)
    return result


def test_resume_after_sigkill_is_bitwise_exact(tmp_path: Path) -> None:
    # Setup: an uninterrupted run (in this process, on one thread like the worker), and a run
    # killed in the middle of epoch 3.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        full_trainer = run(tmp_path / "full", resume=False)
    finally:
        torch.set_num_threads(threads)
    assert full_trainer.model_tracker is not None
    full: dict[str, Any] = {
        "model": full_trainer.model.state_dict(),
        "scores": full_trainer.score_cache.state_dict(),
        "best_epoch": full_trainer.model_tracker.best_epoch,
    }
    interrupted_dir = tmp_path / "interrupted"
    marker = tmp_path / "hanging"
    hang_at_call = 2 * BATCHES_PER_EPOCH + 3
    process = subprocess.Popen(
        _worker_command(
            interrupted_dir,
            tmp_path / "never.pt",
            "--hang-at-call",
            str(hang_at_call),
            "--marker",
            str(marker),
        ),
        cwd=WORKER.parent,
        env={**os.environ, "PYTHONPATH": str(WORKER.parent)},
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists()
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL
    assert latest_checkpoint(interrupted_dir) == interrupted_dir / "epoch_0002.pt"
    assert not (tmp_path / "never.pt").exists()

    # Run: resume from the last checkpoint.
    resumed = _run_worker(interrupted_dir, tmp_path / "resumed.pt", "--resume")

    # Assert: same weights, scores and best epoch as the uninterrupted run.
    assert full["model"].keys() == resumed["model"].keys()
    for name, tensor in full["model"].items():
        assert torch.equal(tensor, resumed["model"][name]), name
    assert full["scores"] == resumed["scores"]
    assert sorted(resumed["scores"]) == list(range(1, NUM_EPOCHS + 1))
    assert full["best_epoch"] == resumed["best_epoch"]


def test_checkpoint_contents_load_weights_only(tmp_path: Path) -> None:
    trainer = run(tmp_path, resume=False)

    files = sorted(path.name for path in tmp_path.iterdir())
    assert files == [f"epoch_{epoch:04d}.pt" for epoch in range(1, NUM_EPOCHS + 1)]
    state = load_checkpoint(tmp_path / "epoch_0004.pt")
    assert state["epoch"] == 4
    assert state["global_step"] == 4 * BATCHES_PER_EPOCH
    assert state["scheduler"]["last_epoch"] == 4
    assert state["early_stopper"]["monitor"] == "train/loss"
    assert trainer.model_tracker is not None
    assert state["model_tracker"]["best_epoch"] == trainer.model_tracker.best_epoch
    assert set(state["rng"]) >= {"torch", "numpy_keys", "python_internal"}
    for name, tensor in trainer.model.state_dict().items():
        assert torch.equal(state["model"][name], tensor), name


def test_resume_in_process_is_bitwise_exact(tmp_path: Path) -> None:
    full = run(tmp_path / "full", resume=False)
    partial_dir = tmp_path / "partial"
    run(partial_dir, resume=False)
    for epoch in (3, 4):
        (partial_dir / f"epoch_{epoch:04d}.pt").unlink()

    resumed = run(partial_dir, resume=True)

    for name, tensor in full.model.state_dict().items():
        assert torch.equal(tensor, resumed.model.state_dict()[name]), name
    assert full.epoch_scores.equals(resumed.epoch_scores)


def test_load_checkpoint_rejects_other_file(tmp_path: Path) -> None:
    path = tmp_path / "other.pt"
    torch.save({"weights": torch.zeros(2)}, path)

    with pytest.raises(ValueError, match="is not an artifact-ml checkpoint"):
        load_checkpoint(path)
    with pytest.raises(FileNotFoundError, match=r"missing\.pt not found"):
        load_checkpoint(tmp_path / "missing.pt")


def test_latest_checkpoint_ignores_temporary_files(tmp_path: Path) -> None:
    (tmp_path / "epoch_0002.pt").write_bytes(b"")
    (tmp_path / "epoch_0010.pt").write_bytes(b"")
    (tmp_path / ".epoch_0011.pt.abc.tmp").write_bytes(b"")

    assert latest_checkpoint(tmp_path) == tmp_path / "epoch_0010.pt"
    assert latest_checkpoint(tmp_path / "absent") is None
