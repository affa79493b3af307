"""Progress bar, log records and the trainer's own tracking-client scores."""

from __future__ import annotations

import logging

import pytest
from trainer_fixtures import CPUTrainer, MLPRegressor, make_items, make_loader

from artifact_ml.experiment import InMemoryTrackingClient
from artifact_ml.torch.progress import ProgressBar


def test_progress_bar_forced_on(capsys: pytest.CaptureFixture[str]) -> None:
    trainer = CPUTrainer.build(
        model=MLPRegressor(),
        train_loader=make_loader(make_items(num_rows=32)),
        max_epochs=2,
        progress_bar=True,
    )

    trainer.train()

    error_output = capsys.readouterr().err
    assert "epoch 1/2" in error_output
    assert "epoch 2/2" in error_output
    assert "train/loss=" in error_output


def test_progress_bar_off_without_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    bar = ProgressBar()
    trainer = CPUTrainer.build(
        model=MLPRegressor(), train_loader=make_loader(make_items(num_rows=16)), max_epochs=1
    )

    trainer.train()

    assert bar.enabled is False
    assert trainer.progress_bar.enabled is False
    assert capsys.readouterr().err == ""


def test_epoch_log_records(caplog: pytest.LogCaptureFixture) -> None:
    trainer = CPUTrainer.build(
        model=MLPRegressor(), train_loader=make_loader(make_items(num_rows=16)), max_epochs=2
    )

    with caplog.at_level(logging.INFO, logger="artifact_ml.torch"):
        trainer.train()

    messages = [record.getMessage() for record in caplog.records]
    loss = trainer.epoch_scores["train/loss"].to_list()[-1]
    assert f"Epoch 2/2: train/loss={loss:.6g}" in messages
    assert "Training MLPRegressor on cpu from epoch 1 to 2." in messages


def test_trainer_logs_train_loss_to_client() -> None:
    client = InMemoryTrackingClient.build(experiment_id="trainer")
    trainer = CPUTrainer.build(
        model=MLPRegressor(),
        train_loader=make_loader(make_items(num_rows=16)),
        tracking_client=client,
        max_epochs=3,
    )

    trainer.train()
    client.stop()

    logged = client.scores["train/loss"]
    assert [step for step, _ in logged] == [1, 2, 3]
    assert [value for _, value in logged] == list(trainer.epoch_scores["train/loss"])
