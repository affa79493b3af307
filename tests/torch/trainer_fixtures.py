"""Small models, data and trainers shared by the torch tests and the resume worker script."""

from __future__ import annotations

import torch
from torch import nn

from artifact_ml.torch import CustomTrainer, DataLoader, Dataset, Model, ModelInput, ModelOutput

NUM_FEATURES = 4


class RegressionInput(ModelInput):
    features: torch.Tensor
    target: torch.Tensor


class RegressionOutput(ModelOutput):
    mean_absolute_error: torch.Tensor


class MLPRegressor(Model[RegressionInput, RegressionOutput]):
    """A two-layer MLP with a mean squared error loss."""

    def __init__(self, hidden: int = 8) -> None:
        super().__init__()
        self.hidden = nn.Linear(NUM_FEATURES, hidden)
        self.activation = nn.Tanh()
        self.head = nn.Linear(hidden, 1)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        output: torch.Tensor = self.head(self.activation(self.hidden(features)))
        return output.squeeze(-1)

    def training_step(self, batch: RegressionInput) -> RegressionOutput:
        prediction = self(batch["features"])
        error = prediction - batch["target"]
        return {"loss": error.pow(2).mean(), "mean_absolute_error": error.abs().mean()}


def make_items(num_rows: int = 96, seed: int = 0) -> list[RegressionInput]:
    """Return rows of a noisy linear regression problem, generated with their own generator."""
    generator = torch.Generator().manual_seed(seed)
    features = torch.randn(num_rows, NUM_FEATURES, generator=generator)
    weights = torch.tensor([1.0, -2.0, 0.5, 3.0])
    target = features @ weights + 0.1 * torch.randn(num_rows, generator=generator)
    return [RegressionInput(features=features[i], target=target[i]) for i in range(num_rows)]


def make_loader(
    items: list[RegressionInput], batch_size: int = 16, shuffle: bool = True
) -> DataLoader[RegressionInput]:
    return DataLoader(Dataset(items), batch_size=batch_size, shuffle=shuffle)


class CPUTrainer(CustomTrainer[RegressionInput, RegressionOutput]):
    """The default trainer, pinned to the CPU so that results are bitwise reproducible."""

    def _get_device(self) -> torch.device:
        return torch.device("cpu")
