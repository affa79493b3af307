"""Models shared by the typing checks: a plain regressor, a richer VAE and a synthesizer."""

from __future__ import annotations

import pandas as pd
import torch

from artifact_ml.torch import (
    Model,
    ModelInput,
    ModelIOCallback,
    ModelOutput,
    TableComparisonRoutine,
    TableSynthesizer,
)


class FeaturesInput(ModelInput):
    features: torch.Tensor


class VAEOutput(ModelOutput):
    kl_divergence: torch.Tensor


class PlainModel(Model[FeaturesInput, ModelOutput]):
    def training_step(self, batch: FeaturesInput) -> ModelOutput:
        return {"loss": batch["features"].sum()}


class VAESynthesizer(TableSynthesizer[FeaturesInput, VAEOutput]):
    def training_step(self, batch: FeaturesInput) -> VAEOutput:
        loss = batch["features"].sum()
        return {"loss": loss, "kl_divergence": loss}

    def generate_synthetic_data(self, num_samples: int) -> pd.DataFrame:
        return pd.DataFrame({"a": [0.0] * num_samples})


class MeanKLCallback(ModelIOCallback[ModelInput, VAEOutput, float]):
    """Reads a field that only ``VAEOutput`` has."""

    def __init__(self) -> None:
        super().__init__("mean_kl_divergence")
        self.values: list[float] = []

    def reset(self) -> None:
        self.values = []

    def update(self, model_input: ModelInput, model_output: VAEOutput) -> None:
        self.values.append(float(model_output["kl_divergence"]))

    def compute(self) -> float:
        return sum(self.values) / len(self.values)


class VAERoutine(TableComparisonRoutine):
    period = 2
