"""Trains a small model with checkpoints; run as a script by the resume test.

Usage: python resume_worker.py CHECKPOINT_DIR OUTPUT [--resume] [--hang-at-call N --marker PATH]

With ``--hang-at-call``, the N-th call of ``training_step`` (1-based, counted from the start of
this process) writes MARKER and sleeps, so the test can kill the process mid-epoch.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch
from torch import nn
from trainer_fixtures import (
    CPUTrainer,
    MLPRegressor,
    RegressionInput,
    RegressionOutput,
    make_items,
    make_loader,
)

from artifact_ml.torch import EarlyStopper, ModelTracker, latest_checkpoint

NUM_EPOCHS = 4


class DropoutRegressor(MLPRegressor):
    """Uses dropout, so an exact resume also needs the restored torch generator state."""

    def __init__(self) -> None:
        super().__init__()
        self.dropout = nn.Dropout(p=0.2)
        self.calls = 0
        self.hang_at_call: int | None = None
        self.marker: Path | None = None

    def training_step(self, batch: RegressionInput) -> RegressionOutput:
        self.calls += 1
        if self.calls == self.hang_at_call and self.marker is not None:
            self.marker.write_text("hanging")
            time.sleep(120)
        prediction = self.head(self.dropout(self.activation(self.hidden(batch["features"]))))
        error = prediction.squeeze(-1) - batch["target"]
        return {"loss": error.pow(2).mean(), "mean_absolute_error": error.abs().mean()}


class ResumableTrainer(CPUTrainer):
    def _get_scheduler(self) -> torch.optim.lr_scheduler.LRScheduler | None:
        return torch.optim.lr_scheduler.StepLR(self.optimizer, step_size=1, gamma=0.5)

    def _get_early_stopper(self) -> EarlyStopper | None:
        return EarlyStopper("train/loss", patience=10)

    def _get_model_tracker(self) -> ModelTracker | None:
        return ModelTracker("train/loss")


def run(
    checkpoint_dir: Path,
    *,
    resume: bool,
    hang_at_call: int | None = None,
    marker: Path | None = None,
) -> CPUTrainer:
    """Train to ``NUM_EPOCHS``, resuming from the latest checkpoint if asked."""
    torch.manual_seed(0)
    model = DropoutRegressor()
    model.hang_at_call = hang_at_call
    model.marker = marker
    trainer = ResumableTrainer.build(
        model=model,
        train_loader=make_loader(make_items()),
        max_epochs=NUM_EPOCHS,
        checkpoint_dir=checkpoint_dir,
        progress_bar=False,
    )
    resume_from = latest_checkpoint(checkpoint_dir) if resume else None
    trainer.train(resume_from=resume_from)
    return trainer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("checkpoint_dir", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--hang-at-call", type=int)
    parser.add_argument("--marker", type=Path)
    arguments = parser.parse_args()

    torch.set_num_threads(1)
    trainer = run(
        arguments.checkpoint_dir,
        resume=arguments.resume,
        hang_at_call=arguments.hang_at_call,
        marker=arguments.marker,
    )
    torch.save(
        {
            "model": trainer.model.state_dict(),
            "scores": trainer.score_cache.state_dict(),
            "best_epoch": trainer.model_tracker.best_epoch if trainer.model_tracker else None,
        },
        arguments.output,
    )


if __name__ == "__main__":
    main()
