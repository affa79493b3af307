"""Built-in callbacks and routines, checked against values computed by hand."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from trainer_fixtures import (
    CPUTrainer,
    MLPRegressor,
    RegressionInput,
    RegressionOutput,
    make_items,
    make_loader,
)

from artifact_ml.experiment import DataSplit, InMemoryTrackingClient
from artifact_ml.torch import (
    ActivationDistributionCallback,
    BatchRoutine,
    DataLoaderRoutine,
    GradientNormCallback,
    LearningRateCallback,
    MeanLossCallback,
    ModelInput,
    ModelIOCallback,
    ModelOutput,
    ScalarOutputMeanCallback,
    SchedulerInterval,
)


def _batches(items: list[RegressionInput], size: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    batches = []
    for start in range(0, len(items), size):
        rows = items[start : start + size]
        features = torch.stack([row["features"] for row in rows])
        target = torch.stack([row["target"] for row in rows])
        batches.append((features, target))
    return batches


def _run_with_batch_routine(
    callbacks: list[Any], max_epochs: int = 1, items: list[RegressionInput] | None = None
) -> tuple[CPUTrainer, MLPRegressor, InMemoryTrackingClient]:
    client = InMemoryTrackingClient.build(experiment_id="callbacks")
    items = items if items is not None else make_items(num_rows=40)

    class Trainer(CPUTrainer):
        def _get_optimizer(self) -> torch.optim.Optimizer:
            return torch.optim.SGD(self.model.parameters(), lr=0.05)

        def _get_batch_routine(self) -> BatchRoutine[RegressionInput, RegressionOutput] | None:
            return BatchRoutine.build(callbacks=callbacks, tracking_client=client)

    torch.manual_seed(1)
    model = MLPRegressor()
    reference = MLPRegressor()
    reference.load_state_dict(model.state_dict())
    trainer = Trainer.build(
        model=model,
        train_loader=make_loader(items, batch_size=16, shuffle=False),
        max_epochs=max_epochs,
        progress_bar=False,
    )
    trainer.train()
    client.stop()
    return trainer, reference, client


def test_mean_loss_and_output_field_mean() -> None:
    items = make_items(num_rows=40)

    trainer, reference, client = _run_with_batch_routine(
        [MeanLossCallback(), ScalarOutputMeanCallback("mean_absolute_error")], items=items
    )

    optimizer = torch.optim.SGD(reference.parameters(), lr=0.05)
    losses, errors = [], []
    for features, target in _batches(items, 16):
        optimizer.zero_grad()
        error = reference(features) - target
        loss = error.pow(2).mean()
        losses.append(loss.item())
        errors.append(error.abs().mean().item())
        loss.backward()
        optimizer.step()
    scores = trainer.epoch_scores.loc[1]
    assert scores["train/mean_loss"] == pytest.approx(np.mean(losses), rel=1e-6)
    assert scores["train/mean_mean_absolute_error"] == pytest.approx(np.mean(errors), rel=1e-6)
    ((step, logged_loss),) = client.scores["train/mean_loss"]
    assert step == 1
    assert logged_loss == pytest.approx(np.mean(losses), rel=1e-6)


def test_gradient_norm_per_layer() -> None:
    items = make_items(num_rows=32)

    trainer, reference, client = _run_with_batch_routine([GradientNormCallback()], items=items)

    optimizer = torch.optim.SGD(reference.parameters(), lr=0.05)
    norms: dict[str, list[float]] = {"hidden": [], "head": []}
    for features, target in _batches(items, 16):
        optimizer.zero_grad()
        (reference(features) - target).pow(2).mean().backward()
        for layer in norms:
            module = getattr(reference, layer)
            squared = sum(p.grad.double().pow(2).sum() for p in module.parameters())
            norms[layer].append(math.sqrt(float(squared)))
        optimizer.step()
    logged = client.score_collections["train/gradient_norm"]
    assert len(logged) == 1
    step, values = logged[0]
    assert step == 1
    assert set(values) == {"hidden", "head"}
    for layer, layer_norms in norms.items():
        assert values[layer] == pytest.approx(np.mean(layer_norms), rel=1e-9)
    assert "train/gradient_norm" not in trainer.epoch_scores.columns


def test_learning_rate_with_step_scheduler() -> None:
    client = InMemoryTrackingClient.build(experiment_id="learning-rate")

    class Trainer(CPUTrainer):
        def _get_optimizer(self) -> torch.optim.Optimizer:
            return torch.optim.SGD(self.model.parameters(), lr=0.1)

        def _get_scheduler(self) -> torch.optim.lr_scheduler.LRScheduler | None:
            return torch.optim.lr_scheduler.StepLR(self.optimizer, step_size=1, gamma=0.5)

        def _get_batch_routine(self) -> BatchRoutine[RegressionInput, RegressionOutput] | None:
            return BatchRoutine.build(callbacks=[LearningRateCallback()], tracking_client=client)

    trainer = Trainer.build(
        model=MLPRegressor(),
        train_loader=make_loader(make_items(num_rows=32)),
        max_epochs=3,
        progress_bar=False,
    )
    trainer.train()
    client.stop()

    assert list(trainer.epoch_scores["train/learning_rate"]) == [0.1, 0.05, 0.025]
    assert trainer.optimizer.param_groups[0]["lr"] == 0.0125


def test_scheduler_steps_per_optimizer_step() -> None:
    class Trainer(CPUTrainer):
        def _get_optimizer(self) -> torch.optim.Optimizer:
            return torch.optim.SGD(self.model.parameters(), lr=1.0)

        def _get_scheduler(self) -> torch.optim.lr_scheduler.LRScheduler | None:
            return torch.optim.lr_scheduler.StepLR(self.optimizer, step_size=1, gamma=0.5)

        def _get_scheduler_interval(self) -> SchedulerInterval:
            return SchedulerInterval.STEP

    trainer = Trainer.build(
        model=MLPRegressor(),
        train_loader=make_loader(make_items(num_rows=48), batch_size=16),
        max_epochs=2,
        progress_bar=False,
    )
    trainer.train()

    assert trainer.global_step == 6
    assert trainer.optimizer.param_groups[0]["lr"] == 0.5**6


def test_activation_distribution_plots_per_layer() -> None:
    callback = ActivationDistributionCallback(layer_names=["hidden", "activation"], bins=10)

    _, _, client = _run_with_batch_routine([callback], max_epochs=2)

    logged = client.plot_collections["train/activation_distribution"]
    assert [step for step, _ in logged] == [1, 2]
    figures = logged[-1][1]
    assert sorted(figures) == ["activation", "hidden"]
    assert all(isinstance(figure, Figure) for figure in figures.values())


def test_activation_histogram_values() -> None:
    callback = ActivationDistributionCallback(values_per_batch=4, bins=4)
    callback.reset()

    callback.update_activation("layer", torch.arange(8.0))
    callback.update_activation("layer", torch.tensor([100.0]))
    figures = callback.compute()

    # A stride of 2 keeps 0, 2, 4 and 6; the second batch adds 100.
    axes = figures["layer"].axes[0]
    rectangles = [patch for patch in axes.patches if isinstance(patch, Rectangle)]
    heights = [rectangle.get_height() for rectangle in rectangles]
    widths = [rectangle.get_width() for rectangle in rectangles]
    assert len(rectangles) == 4
    assert sum(h * w for h, w in zip(heights, widths, strict=True)) == pytest.approx(1.0)
    assert axes.get_title() == "Activation distribution of layer layer"
    assert axes.get_xlabel() == "activation value"
    assert heights[0] * widths[0] * 5 == pytest.approx(4.0)


def test_callback_period_skips_epochs() -> None:
    trainer, _, client = _run_with_batch_routine([MeanLossCallback(period=2)], max_epochs=5)

    assert [step for step, _ in client.scores["train/mean_loss"]] == [2, 4, 5]
    assert trainer.epoch_scores["train/mean_loss"].isna().tolist() == [
        True,
        False,
        True,
        False,
        False,
    ]
    assert trainer.epoch_scores["train/loss"].notna().all()


class CountingCallback(ModelIOCallback[ModelInput, ModelOutput, float]):
    """Counts the batches passed to ``update``."""

    def __init__(self, period: int) -> None:
        super().__init__("batches", period=period)
        self.count = 0
        self.total = 0

    def reset(self) -> None:
        self.count = 0

    def update(self, model_input: ModelInput, model_output: ModelOutput) -> None:
        self.count += 1
        self.total += 1

    def compute(self) -> float:
        return float(self.count)


def test_loader_routine_values_and_skipped_sweeps() -> None:
    train_items = make_items(num_rows=32, seed=0)
    validation_items = make_items(num_rows=24, seed=1)
    validation_loader = make_loader(validation_items, batch_size=8, shuffle=False)
    counter = CountingCallback(period=3)
    client = InMemoryTrackingClient.build(experiment_id="loader")

    class Trainer(CPUTrainer):
        def _get_loader_routine(
            self,
        ) -> DataLoaderRoutine[RegressionInput, RegressionOutput] | None:
            return DataLoaderRoutine.build(
                loaders={DataSplit.VALIDATION: validation_loader},
                callbacks=[MeanLossCallback(period=3), counter],
                tracking_client=client,
            )

    trainer = Trainer.build(
        model=MLPRegressor(), train_loader=make_loader(train_items), max_epochs=4
    )
    trainer.train()
    client.stop()

    # Due at epochs 3 and 4 (the last); 3 batches per sweep, and no other sweep.
    assert counter.total == 6
    assert [step for step, _ in client.scores["validation/batches"]] == [3, 4]
    with torch.no_grad():
        losses = [
            (trainer.model(features) - target).pow(2).mean().item()
            for features, target in _batches(validation_items, 8)
        ]
    assert trainer.epoch_scores.loc[4, "validation/mean_loss"] == pytest.approx(
        np.mean(losses), rel=1e-6
    )
    assert trainer.model.training is True


def test_loader_routine_rejects_backward_hooks() -> None:
    loader = make_loader(make_items(num_rows=8))

    with pytest.raises(TypeError, match="runs only ModelIOCallback and ForwardHookCallback"):
        DataLoaderRoutine.build(
            loaders={DataSplit.VALIDATION: loader},
            callbacks=[GradientNormCallback()],  # type: ignore[arg-type]
        )


def test_scalar_output_mean_missing_field() -> None:
    callback = ScalarOutputMeanCallback("kl_divergence")

    with pytest.raises(KeyError, match=r"has keys \['loss'\]"):
        callback.update({}, {"loss": torch.tensor(1.0)})


def test_duplicate_callback_name_is_rejected() -> None:
    with pytest.raises(ValueError, match="BatchRoutine has two callbacks named 'mean_loss'"):
        BatchRoutine.build(callbacks=[MeanLossCallback(), ScalarOutputMeanCallback("loss")])


def test_duplicate_score_across_routines_is_rejected() -> None:
    items = make_items(num_rows=16)

    class Trainer(CPUTrainer):
        def _get_batch_routine(self) -> BatchRoutine[RegressionInput, RegressionOutput] | None:
            return BatchRoutine.build(callbacks=[MeanLossCallback()])

        def _get_loader_routine(
            self,
        ) -> DataLoaderRoutine[RegressionInput, RegressionOutput] | None:
            return DataLoaderRoutine.build(
                loaders={DataSplit.TRAIN: make_loader(items)}, callbacks=[MeanLossCallback()]
            )

    trainer = Trainer.build(model=MLPRegressor(), train_loader=make_loader(items), max_epochs=1)

    with pytest.raises(ValueError, match="'train/mean_loss' was already recorded at epoch 1"):
        trainer.train()
