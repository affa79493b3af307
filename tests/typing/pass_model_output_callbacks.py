"""Must pass: ModelOutput-level callbacks and a table-comparison routine on a richer synthesizer."""

from __future__ import annotations

import pandas as pd
import torch
from typing_models import FeaturesInput, MeanKLCallback, VAEOutput, VAERoutine, VAESynthesizer

from artifact_ml.experiment import DataSplit
from artifact_ml.torch import (
    BatchRoutine,
    CustomTrainer,
    DataLoader,
    DataLoaderRoutine,
    Dataset,
    GradientNormCallback,
    LearningRateCallback,
    MeanLossCallback,
    ModelInput,
    ModelIOCallback,
    ModelOutput,
    TableSynthesizer,
)

validation_data = pd.DataFrame({"a": [1.0, 2.0]})


class VAETrainer(CustomTrainer[FeaturesInput, VAEOutput]):
    def _get_batch_routine(self) -> BatchRoutine[FeaturesInput, VAEOutput] | None:
        return BatchRoutine.build(
            callbacks=[
                MeanLossCallback(),
                MeanKLCallback(),
                GradientNormCallback(),
                LearningRateCallback(),
            ]
        )

    def _get_loader_routine(self) -> DataLoaderRoutine[FeaturesInput, VAEOutput] | None:
        loader: DataLoader[FeaturesInput] = self.train_loader
        return DataLoaderRoutine.build(
            loaders={DataSplit.VALIDATION: loader}, callbacks=[MeanLossCallback(), MeanKLCallback()]
        )

    def _get_artifact_routine(self) -> VAERoutine:
        return VAERoutine.build(validation_data)


class DeclaredSynthesizerTrainer(
    CustomTrainer[FeaturesInput, VAEOutput, TableSynthesizer[FeaturesInput, VAEOutput]]
):
    def _get_artifact_routine(self) -> VAERoutine:
        return VAERoutine.build(validation_data)


generic_callback: ModelIOCallback[FeaturesInput, VAEOutput, float] = MeanLossCallback()
base_callback: ModelIOCallback[ModelInput, ModelOutput, float] = MeanLossCallback()
items = [FeaturesInput(features=torch.zeros(2))]
inferred_loader = DataLoader(Dataset(items), batch_size=1)
trainer = VAETrainer.build(model=VAESynthesizer(), train_loader=inferred_loader)
declared = DeclaredSynthesizerTrainer.build(model=VAESynthesizer(), train_loader=inferred_loader)
scores: pd.DataFrame = trainer.epoch_scores
