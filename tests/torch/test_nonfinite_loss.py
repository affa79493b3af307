"""NaN and infinite losses: an error naming epoch and batch (at once by default), or skips."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from trainer_fixtures import CPUTrainer, MLPRegressor, RegressionInput, RegressionOutput, make_items

from artifact_ml.torch import DataLoader, Dataset, NonFiniteLossError, NonFiniteLossPolicy


class PoisonedRegressor(MLPRegressor):
    """Returns a NaN loss for every batch whose first target is exactly 1000."""

    def training_step(self, batch: RegressionInput) -> RegressionOutput:
        output = super().training_step(batch)
        if batch["target"][0].item() == 1000.0:
            output["loss"] = output["loss"] * float("nan")
        return output


def _poisoned_loader(poisoned_batch: int) -> DataLoader[RegressionInput]:
    items = make_items(num_rows=32)
    items[poisoned_batch * 8]["target"] = torch.tensor(1000.0)
    return DataLoader(Dataset(items), batch_size=8, shuffle=False)


def test_nan_loss_error_names_epoch_and_batch() -> None:
    trainer = CPUTrainer.build(
        model=PoisonedRegressor(), train_loader=_poisoned_loader(2), max_epochs=3
    )

    with pytest.raises(NonFiniteLossError, match=r"is nan at epoch 1, batch 2 ") as caught:
        trainer.train()

    assert caught.value.epoch == 1
    assert caught.value.batch == 2
    assert "_get_nonfinite_loss_policy" in str(caught.value)
    assert trainer.epoch_scores.empty


def test_infinite_loss_error() -> None:
    class InfiniteRegressor(MLPRegressor):
        def training_step(self, batch: RegressionInput) -> RegressionOutput:
            output = super().training_step(batch)
            output["loss"] = output["loss"] + float("inf")
            return output

    trainer = CPUTrainer.build(
        model=InfiniteRegressor(), train_loader=_poisoned_loader(0), max_epochs=1
    )

    with pytest.raises(NonFiniteLossError, match=r"is inf at epoch 1, batch 0 "):
        trainer.train()


def test_skip_policy_skips_bad_batches() -> None:
    class SkippingTrainer(CPUTrainer):
        def _get_nonfinite_loss_policy(self) -> NonFiniteLossPolicy:
            return NonFiniteLossPolicy.SKIP_BATCH

    trainer = SkippingTrainer.build(
        model=PoisonedRegressor(), train_loader=_poisoned_loader(1), max_epochs=2
    )

    trainer.train()

    assert trainer.global_step == 6  # 3 of 4 batches per epoch step the optimizer
    assert trainer.epoch_scores["train/loss"].notna().all()
    for parameter in trainer.model.parameters():
        assert torch.isfinite(parameter).all()


def test_loss_metadata_type() -> None:
    error = NonFiniteLossError(epoch=4, batch=7, loss=float("nan"))

    assert isinstance(error, FloatingPointError)
    assert error.loss != error.loss


class NthCallPoisoned(MLPRegressor):
    """Returns a NaN loss at the ``poisoned_call``-th call of ``training_step`` (0-based)."""

    def __init__(self, poisoned_call: int) -> None:
        super().__init__()
        self.poisoned_call = poisoned_call
        self.calls = 0

    def training_step(self, batch: RegressionInput) -> RegressionOutput:
        output = super().training_step(batch)
        if self.calls == self.poisoned_call:
            output["loss"] = output["loss"] * float("nan")
        self.calls += 1
        return output


def _train_poisoned(
    policy: NonFiniteLossPolicy, checkpoint_dir: Path
) -> tuple[NonFiniteLossError, NthCallPoisoned, CPUTrainer]:
    class PolicyTrainer(CPUTrainer):
        def _get_nonfinite_loss_policy(self) -> NonFiniteLossPolicy:
            return policy

    model = NthCallPoisoned(poisoned_call=5)  # epoch 2, batch 1 with 4 batches per epoch
    loader = DataLoader(Dataset(make_items(num_rows=32)), batch_size=8, shuffle=False)
    trainer = PolicyTrainer.build(
        model=model, train_loader=loader, max_epochs=3, checkpoint_dir=checkpoint_dir
    )
    with pytest.raises(NonFiniteLossError) as caught:
        trainer.train()
    return caught.value, model, trainer


def test_immediate_raise_stops_at_bad_batch(tmp_path: Path) -> None:
    error, model, trainer = _train_poisoned(NonFiniteLossPolicy.RAISE_IMMEDIATELY, tmp_path)

    assert (error.epoch, error.batch, error.rank) == (2, 1, None)
    assert "at epoch 2, batch 1 (0-based batch index)." in str(error)
    assert model.calls == 6  # batches after the bad one never ran
    assert trainer.global_step == 5  # the bad batch took no optimizer step
    for parameter in model.parameters():
        assert torch.isfinite(parameter).all()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["epoch_0001.pt"]
    assert list(trainer.epoch_scores.index) == [1]


def test_epoch_end_raise_after_whole_epoch(tmp_path: Path) -> None:
    error, model, trainer = _train_poisoned(NonFiniteLossPolicy.RAISE, tmp_path)

    assert (error.epoch, error.batch) == (2, 1)
    assert model.calls == 8  # the whole epoch ran before the check
    assert trainer.global_step == 8
    assert not all(bool(torch.isfinite(parameter).all()) for parameter in model.parameters())
    assert sorted(path.name for path in tmp_path.iterdir()) == ["epoch_0001.pt"]


def test_default_policy_stops_at_bad_batch() -> None:
    model = NthCallPoisoned(poisoned_call=5)  # epoch 2, batch 1 with 4 batches per epoch
    loader = DataLoader(Dataset(make_items(num_rows=32)), batch_size=8, shuffle=False)
    trainer = CPUTrainer.build(model=model, train_loader=loader, max_epochs=3)

    with pytest.raises(NonFiniteLossError) as caught:
        trainer.train()

    assert trainer.nonfinite_loss_policy is NonFiniteLossPolicy.RAISE_IMMEDIATELY
    assert (caught.value.epoch, caught.value.batch) == (2, 1)
    assert model.calls == 6
    assert trainer.global_step == 5
    for parameter in model.parameters():
        assert torch.isfinite(parameter).all()


def test_default_policy_per_device() -> None:
    class MetaDeviceTrainer(CPUTrainer):
        def _get_device(self) -> torch.device:
            return torch.device("meta")

    cpu_trainer = CPUTrainer.build(model=MLPRegressor(), train_loader=_poisoned_loader(0))
    meta_trainer = MetaDeviceTrainer.build(model=MLPRegressor(), train_loader=_poisoned_loader(0))

    assert cpu_trainer._get_nonfinite_loss_policy() is NonFiniteLossPolicy.RAISE_IMMEDIATELY
    assert meta_trainer._get_nonfinite_loss_policy() is NonFiniteLossPolicy.RAISE
