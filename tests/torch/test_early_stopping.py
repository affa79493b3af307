"""Early stopping and model tracking on cached scores, against hand-computed outcomes."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from trainer_fixtures import CPUTrainer, MLPRegressor, make_items, make_loader

from artifact_ml.torch import ArtifactRoutine, EarlyStopper, Model, ModelTracker, MonitorMode


class ScriptedRoutine(ArtifactRoutine[Model[Any, Any]]):
    """Reports a given score per epoch and keeps a copy of the model state at each run."""

    period = 1

    def __init__(self, scores: dict[int, float]) -> None:
        self.scores = scores
        self.states: dict[int, dict[str, torch.Tensor]] = {}

    def execute(self, model: Model[Any, Any], epoch: int) -> dict[str, float]:
        self.states[epoch] = {name: t.clone() for name, t in model.state_dict().items()}
        if epoch not in self.scores:
            return {}
        return {"validation/score": self.scores[epoch]}


def _train(
    scores: dict[int, float],
    stopper: EarlyStopper | None,
    tracker: ModelTracker | None,
    max_epochs: int = 10,
) -> tuple[CPUTrainer, ScriptedRoutine]:
    routine = ScriptedRoutine(scores)

    class Trainer(CPUTrainer):
        def _get_early_stopper(self) -> EarlyStopper | None:
            return stopper

        def _get_model_tracker(self) -> ModelTracker | None:
            return tracker

        def _get_artifact_routine(self) -> ArtifactRoutine[Any] | None:
            return routine

    torch.manual_seed(0)
    trainer = Trainer.build(
        model=MLPRegressor(),
        train_loader=make_loader(make_items(num_rows=32)),
        max_epochs=max_epochs,
        progress_bar=False,
    )
    trainer.train()
    return trainer, routine


def test_stopper_min_mode_with_patience() -> None:
    stopper = EarlyStopper("validation/score", patience=2)

    decisions = [
        stopper.update(epoch, {"validation/score": score})
        for epoch, score in enumerate([1.0, 0.8, 0.9, 0.85, 0.7], start=1)
    ]

    # 0.9 and 0.85 do not beat 0.8, so the second miss (epoch 4) stops.
    assert decisions == [False, False, False, True, True]
    assert stopper.best == 0.8
    assert stopper.best_epoch == 2
    assert stopper.stopped_epoch == 4


def test_stopper_max_mode_min_delta() -> None:
    stopper = EarlyStopper("validation/accuracy", mode=MonitorMode.MAX, patience=2, min_delta=0.05)

    stopper.update(1, {"validation/accuracy": 0.50})
    stopper.update(2, {"validation/accuracy": 0.54})
    stopped = stopper.update(3, {"validation/accuracy": 0.60})

    # 0.54 is within min_delta of 0.50 (a miss); 0.60 beats 0.50 + 0.05, so the wait resets.
    assert stopped is False
    assert stopper.best == 0.60
    assert stopper.best_epoch == 3
    assert stopper.wait == 0


def test_stopper_ignores_epochs_without_score() -> None:
    stopper = EarlyStopper("validation/score", patience=1)

    stopper.update(1, {"validation/score": 1.0})
    stopped = stopper.update(2, {"train/loss": 5.0})

    assert stopped is False
    assert stopper.wait == 0


def test_stopper_state_dict_round_trip() -> None:
    stopper = EarlyStopper("validation/score", patience=3)
    stopper.update(1, {"validation/score": 1.0})
    stopper.update(2, {"validation/score": 2.0})
    restored = EarlyStopper("validation/score", patience=3)

    restored.load_state_dict(stopper.state_dict())

    assert restored.best == 1.0
    assert restored.best_epoch == 1
    assert restored.wait == 1
    with pytest.raises(ValueError, match="monitors 'validation/score' \\(min\\)"):
        EarlyStopper("train/loss").load_state_dict(stopper.state_dict())


def test_stopper_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="patience must be >= 1, got 0"):
        EarlyStopper("train/loss", patience=0)
    with pytest.raises(ValueError, match=r"min_delta must be >= 0, got -0\.1"):
        EarlyStopper("train/loss", min_delta=-0.1)


def test_trainer_stops_early_at_expected_epoch() -> None:
    scores = {1: 0.9, 2: 0.5, 3: 0.6, 4: 0.55, 5: 0.7, 6: 0.1}

    trainer, _ = _train(scores, EarlyStopper("validation/score", patience=3), None)

    # Best at epoch 2; epochs 3, 4 and 5 miss, so training stops after epoch 5.
    assert trainer.epoch == 5
    assert list(trainer.epoch_scores.index) == [1, 2, 3, 4, 5]
    assert list(trainer.epoch_scores["validation/score"]) == [0.9, 0.5, 0.6, 0.55, 0.7]


def test_tracker_restores_best_epoch_state() -> None:
    scores = {1: 0.9, 2: 0.3, 3: 0.6, 4: 0.4}
    tracker = ModelTracker("validation/score")

    trainer, routine = _train(scores, None, tracker, max_epochs=4)
    trainer.restore_best_model()

    assert tracker.best_epoch == 2
    assert tracker.best == 0.3
    for name, tensor in trainer.model.state_dict().items():
        assert torch.equal(tensor, routine.states[2][name]), name
    assert not torch.equal(routine.states[2]["head.weight"], routine.states[4]["head.weight"])


def test_tracker_max_mode_on_sparse_scores() -> None:
    # Scores only at epochs 2 and 4 (as an artifact routine with period 2 reports them).
    tracker = ModelTracker("validation/score", mode=MonitorMode.MAX)

    _, routine = _train({2: 0.2, 4: 0.8}, None, tracker, max_epochs=5)

    assert tracker.best_epoch == 4
    assert tracker.best_state is not None
    assert torch.equal(tracker.best_state["head.bias"], routine.states[4]["head.bias"])


def test_restore_best_model_without_tracker() -> None:
    trainer, _ = _train({}, None, None, max_epochs=1)

    with pytest.raises(RuntimeError, match="Trainer has no model tracker"):
        trainer.restore_best_model()


def test_build_rejects_plain_module() -> None:
    with pytest.raises(TypeError, match=r"needs an artifact_ml\.torch\.Model, got Linear"):
        CPUTrainer.build(
            model=torch.nn.Linear(2, 1),  # type: ignore[arg-type]
            train_loader=make_loader(make_items(num_rows=4)),
        )


def test_tracker_restore_without_state_fails() -> None:
    tracker = ModelTracker("validation/missing")

    with pytest.raises(RuntimeError, match="'validation/missing' was never recorded"):
        tracker.restore(MLPRegressor())


def test_tracker_rejects_other_monitor_state() -> None:
    tracker = ModelTracker("validation/score", mode=MonitorMode.MAX)

    with pytest.raises(ValueError) as raised:
        ModelTracker("train/loss").load_state_dict(tracker.state_dict())

    assert str(raised.value) == (
        "ModelTracker state monitors 'validation/score' (max), but this tracker monitors "
        "'train/loss' (min); build the tracker with the same monitor and mode as the "
        "checkpointed run."
    )
