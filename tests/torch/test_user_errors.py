"""Common user mistakes: each raises an error that names the model, the place and the fix."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
import torch
from trainer_fixtures import (
    CPUTrainer,
    MLPRegressor,
    RegressionInput,
    RegressionOutput,
    make_items,
    make_loader,
)

from artifact_ml.torch import DataLoader, Dataset, training_loop
from artifact_ml.torch.checkpoint import load_checkpoint


class MissingLossRegressor(MLPRegressor):
    def training_step(self, batch: RegressionInput) -> RegressionOutput:
        output = super().training_step(batch)
        return {"mean_absolute_error": output["mean_absolute_error"]}  # type: ignore[typeddict-item]


class VectorLossRegressor(MLPRegressor):
    def training_step(self, batch: RegressionInput) -> RegressionOutput:
        prediction = self(batch["features"])
        error = prediction - batch["target"]
        return {"loss": error.pow(2), "mean_absolute_error": error.abs().mean()}


class FloatLossRegressor(MLPRegressor):
    def training_step(self, batch: RegressionInput) -> RegressionOutput:
        output = super().training_step(batch)
        return {"loss": output["loss"].item(), "mean_absolute_error": output["loss"]}  # type: ignore[typeddict-item]


class DetachedLossRegressor(MLPRegressor):
    def training_step(self, batch: RegressionInput) -> RegressionOutput:
        output = super().training_step(batch)
        return {"loss": output["loss"].detach(), "mean_absolute_error": output["loss"]}


def _trainer(model: MLPRegressor, max_epochs: int = 2) -> CPUTrainer:
    return CPUTrainer.build(
        model=model, train_loader=make_loader(make_items(num_rows=32)), max_epochs=max_epochs
    )


def test_missing_loss_key_error() -> None:
    trainer = _trainer(MissingLossRegressor())

    expected = (
        "MissingLossRegressor.training_step returned a dict without 'loss' at epoch 1, batch 0 "
        "(keys: ['mean_absolute_error']); return ModelOutput(loss=...)."
    )
    with pytest.raises(ValueError, match=re.escape(expected)):
        trainer.train()
    assert trainer.epoch == 0


def test_vector_loss_error() -> None:
    trainer = _trainer(VectorLossRegressor())

    with pytest.raises(ValueError) as caught:
        trainer.train()

    message = str(caught.value)
    assert message.startswith(
        "VectorLossRegressor.training_step returned a loss of shape (16,) at epoch 1, batch 0;"
    )
    assert ".mean() or .sum()" in message


def test_float_loss_error() -> None:
    trainer = _trainer(FloatLossRegressor())

    with pytest.raises(TypeError) as caught:
        trainer.train()

    assert str(caught.value).startswith(
        "FloatLossRegressor.training_step returned a loss of type float at epoch 1, batch 0;"
    )
    assert "not loss.item()" in str(caught.value)


def test_detached_loss_error() -> None:
    trainer = _trainer(DetachedLossRegressor())

    with pytest.raises(ValueError, match=r"returned a loss that does not require grad at epoch 1"):
        trainer.train()


def test_tuple_batches_error() -> None:
    features = torch.randn(32, 4)
    target = torch.randn(32)
    tensor_dataset = torch.utils.data.TensorDataset(features, target)
    loader: DataLoader[RegressionInput] = DataLoader(tensor_dataset, batch_size=8)  # type: ignore[arg-type]
    trainer = CPUTrainer.build(model=MLPRegressor(), train_loader=loader, max_epochs=1)

    with pytest.raises(TypeError) as caught:
        trainer.train()

    message = str(caught.value)
    assert message.startswith(
        "MLPRegressor.training_step expects the model's input dict (a ModelInput), but the "
        "training loader yielded a list at epoch 1, batch 0."
    )
    assert "instead of a TensorDataset" in message


def test_plain_torch_loader_error() -> None:
    plain_loader = torch.utils.data.DataLoader(Dataset(make_items(num_rows=8)), batch_size=4)

    with pytest.raises(TypeError) as caught:
        CPUTrainer.build(model=MLPRegressor(), train_loader=plain_loader)  # type: ignore[arg-type]

    assert str(caught.value).startswith(
        "CPUTrainer needs train_loader to be an artifact_ml.torch.DataLoader, got "
        "torch.utils.data.dataloader.DataLoader;"
    )


@pytest.mark.parametrize(
    ("max_epochs", "error", "expected"),
    [
        (
            2.5,
            TypeError,
            "max_epochs must be a whole number of epochs (int), got 2.5 of type float",
        ),
        (
            True,
            TypeError,
            "max_epochs must be a whole number of epochs (int), got True of type bool",
        ),
        (0, ValueError, "max_epochs must be >= 1, got 0."),
    ],
)
def test_invalid_max_epochs_error(
    max_epochs: object, error: type[Exception], expected: str
) -> None:
    with pytest.raises(error, match=re.escape(expected)):
        CPUTrainer.build(
            model=MLPRegressor(),
            train_loader=make_loader(make_items(num_rows=8)),
            max_epochs=max_epochs,  # type: ignore[arg-type]
        )


def test_empty_dataset_error() -> None:
    with pytest.raises(
        ValueError, match=r"DataLoader got an empty dataset \(Dataset of length 0\)"
    ):
        make_loader([], shuffle=True)

    trainer = CPUTrainer.build(
        model=MLPRegressor(), train_loader=make_loader([], shuffle=False), max_epochs=1
    )
    with pytest.raises(ValueError) as caught:
        trainer.train()
    assert str(caught.value).startswith(
        "The training loader of MLPRegressor yielded no batch at epoch 1;"
    )


def test_second_train_logs_and_continues(caplog: pytest.LogCaptureFixture) -> None:
    trainer = _trainer(MLPRegressor(), max_epochs=2)
    first_scores = trainer.train()
    weights = [parameter.detach().clone() for parameter in trainer.model.parameters()]

    with caplog.at_level(logging.INFO, logger="artifact_ml.torch.training_loop"):
        second_scores = trainer.train()

    assert "Training already reached max_epochs=2" in caplog.text
    assert second_scores.equals(first_scores)
    for before, after in zip(weights, trainer.model.parameters(), strict=True):
        assert torch.equal(before, after)

    continued = trainer.train(max_epochs=4)
    assert list(continued.index) == [1, 2, 3, 4]
    assert continued.loc[1:2].equals(first_scores)
    assert trainer.epoch == 4


def test_contract_checked_only_first_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[tuple[str, int, int]] = []
    original_check = training_loop.check_training_output

    def counting_check(model_name: str, output: object, *, epoch: int, batch_index: int) -> None:
        checked.append((model_name, epoch, batch_index))
        original_check(model_name, output, epoch=epoch, batch_index=batch_index)

    monkeypatch.setattr(training_loop, "check_training_output", counting_check)
    trainer = _trainer(MLPRegressor(), max_epochs=2)
    trainer.train()
    trainer.train(max_epochs=3)

    assert checked == [("MLPRegressor", 1, 0)]
    assert trainer.batch_contract_checked


def _write_checkpoint(directory: Path) -> Path:
    trainer = CPUTrainer.build(
        model=MLPRegressor(),
        train_loader=make_loader(make_items(num_rows=16)),
        max_epochs=1,
        checkpoint_dir=directory,
    )
    trainer.train()
    return directory / "epoch_0001.pt"


@pytest.mark.parametrize("damage", ["truncated", "empty", "text"])
def test_damaged_checkpoint_error(tmp_path: Path, damage: str) -> None:
    path = _write_checkpoint(tmp_path)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        path.write_text("epoch 1 weights\n")

    with pytest.raises(ValueError) as caught:
        load_checkpoint(path)

    message = str(caught.value)
    assert message.startswith(f"Checkpoint {path} is damaged or not a checkpoint")
    assert "Resume from an earlier checkpoint" in message
    assert caught.value.__cause__ is not None
    assert type(caught.value.__cause__).__name__ in message

    trainer = _trainer(MLPRegressor())
    with pytest.raises(ValueError, match=re.escape(f"Checkpoint {path} is damaged")):
        trainer.train(resume_from=path)
