"""Data wrappers: datasets from sequences or functions, and device placement of batches."""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest
import torch

from artifact_ml.torch import DataLoader, Dataset, ModelInput, move_to_device, select_default_device


class NestedInput(ModelInput):
    features: torch.Tensor
    extras: dict[str, torch.Tensor]


class Pair(NamedTuple):
    left: torch.Tensor
    right: torch.Tensor


def test_loader_places_nested_tensors() -> None:
    items = [
        NestedInput(features=torch.full((3,), float(i)), extras={"mask": torch.ones(2)})
        for i in range(5)
    ]
    loader: DataLoader[NestedInput] = DataLoader(Dataset(items), batch_size=2)
    loader.device = torch.device("meta")

    batches = list(loader)

    assert len(batches) == 3
    assert batches[0]["features"].device.type == "meta"
    assert batches[0]["features"].shape == (2, 3)
    assert batches[0]["extras"]["mask"].device.type == "meta"
    assert batches[-1]["features"].shape == (1, 3)


def test_loader_without_device_keeps_batches() -> None:
    items = [NestedInput(features=torch.full((2,), float(i)), extras={}) for i in range(4)]
    loader: DataLoader[NestedInput] = DataLoader(Dataset(items), batch_size=4)

    (batch,) = list(loader)

    assert batch["features"].device.type == "cpu"
    assert batch["features"][:, 0].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_move_to_device_rebuilds_containers() -> None:
    data: dict[str, Any] = {
        "pair": Pair(torch.zeros(1), torch.ones(1)),
        "items": [torch.zeros(2), "label"],
    }

    moved = move_to_device(data, torch.device("meta"))

    assert isinstance(moved["pair"], Pair)
    assert moved["pair"].right.device.type == "meta"
    assert moved["items"][0].device.type == "meta"
    assert moved["items"][1] == "label"
    assert data["pair"].left.device.type == "cpu"


def test_trainer_places_model_and_loader() -> None:
    from trainer_fixtures import CPUTrainer, MLPRegressor, make_items, make_loader

    loader = make_loader(make_items(num_rows=8))
    model = MLPRegressor()

    trainer = CPUTrainer.build(model=model, train_loader=loader, max_epochs=1)

    assert trainer.device == torch.device("cpu")
    assert loader.device == torch.device("cpu")
    assert next(model.parameters()).device.type == "cpu"


def test_default_device_on_this_machine() -> None:
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    if not torch.cuda.is_available() and torch.backends.mps.is_available():
        expected = "mps"

    assert select_default_device().type == expected


def test_dataset_from_function() -> None:
    dataset = Dataset(lambda index: index * 10, length=3)

    assert len(dataset) == 3
    assert [dataset[i] for i in range(3)] == [0, 10, 20]
    with pytest.raises(IndexError, match="index 3 is out of range"):
        dataset[3]


def test_dataset_rejects_bad_length() -> None:
    with pytest.raises(ValueError, match="needs length >= 0, got length=None"):
        Dataset(lambda index: index)
    with pytest.raises(ValueError, match="remove length=2"):
        Dataset([1, 2], length=2)
