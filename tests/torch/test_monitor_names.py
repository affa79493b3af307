"""Misspelt monitored score names: a warning once every routine has reported, and at the end."""

from __future__ import annotations

import logging

import pytest
from trainer_fixtures import (
    CPUTrainer,
    MLPRegressor,
    RegressionInput,
    RegressionOutput,
    make_items,
    make_loader,
)

from artifact_ml.torch import BatchRoutine, EarlyStopper, MeanLossCallback, ModelTracker

LOGGER = "artifact_ml.torch.monitor_names"


def _train(
    *, stopper_monitor: str | None = None, tracker_monitor: str | None = None, period: int = 3
) -> CPUTrainer:
    class MonitoringTrainer(CPUTrainer):
        def _get_batch_routine(self) -> BatchRoutine[RegressionInput, RegressionOutput] | None:
            return BatchRoutine.build(callbacks=[MeanLossCallback(period=period)])

        def _get_early_stopper(self) -> EarlyStopper | None:
            return None if stopper_monitor is None else EarlyStopper(stopper_monitor, patience=9)

        def _get_model_tracker(self) -> ModelTracker | None:
            return None if tracker_monitor is None else ModelTracker(tracker_monitor)

    trainer = MonitoringTrainer.build(
        model=MLPRegressor(), train_loader=make_loader(make_items(num_rows=32)), max_epochs=4
    )
    return trainer


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == LOGGER and record.levelno == logging.WARNING
    ]


def test_misspelt_stopper_warns_after_routines(caplog: pytest.LogCaptureFixture) -> None:
    trainer = _train(stopper_monitor="train/mean_los")

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        trainer.train()

    messages = _warnings(caplog)
    assert len(messages) == 2
    assert messages[0] == (
        "EarlyStopper monitors 'train/mean_los', but no score of that name was recorded by "
        "epoch 3, after every routine reported. Recorded names: ['train/loss', "
        "'train/mean_loss']. Closest: ['train/mean_loss', 'train/loss']. Pass one of the recorded "
        "names."
    )
    assert messages[1].startswith(
        "Training ended at epoch 4 without any 'train/mean_los' score, so EarlyStopper never "
        "acted on it"
    )
    assert list(trainer.epoch_scores.index) == [1, 2, 3, 4]


def test_correct_periodic_name_no_warning(caplog: pytest.LogCaptureFixture) -> None:
    trainer = _train(stopper_monitor="train/mean_loss", tracker_monitor="train/mean_loss")

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        trainer.train()

    assert _warnings(caplog) == []
    assert trainer.model_tracker is not None
    assert trainer.model_tracker.best_epoch in (3, 4)


def test_misspelt_tracker_warns(caplog: pytest.LogCaptureFixture) -> None:
    trainer = _train(tracker_monitor="val/nope", period=1)

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        trainer.train()

    messages = _warnings(caplog)
    assert len(messages) == 2
    assert messages[0].startswith(
        "ModelTracker monitors 'val/nope', but no score of that name was recorded by epoch 1,"
    )
    assert "Closest" not in messages[0]
    assert "a model tracker keeps no state" in messages[1]
    with pytest.raises(RuntimeError, match="score 'val/nope' was never recorded"):
        trainer.restore_best_model()
