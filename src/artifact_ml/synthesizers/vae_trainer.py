"""Training pieces for :class:`~artifact_ml.synthesizers.vae.TabularVAE`: data and trainer."""

from __future__ import annotations

from typing import Any

import torch

from artifact_ml.synthesizers.vae import TabularVAEInput, TabularVAEOutput
from artifact_ml.torch import ArtifactRoutine, CustomTrainer, DataLoader, Dataset, TableSynthesizer


def make_vae_loader(
    features: torch.Tensor, batch_size: int, seed: int
) -> DataLoader[TabularVAEInput]:
    """Build a shuffling loader of ``{"features": row}`` batches over an encoded table.

    Args:
        features: Encoded rows, shape ``(rows, width)``, for example from ``TabularVAE.encode``.
        batch_size: Rows per batch.
        seed: Seed of the shuffling generator, so that the batch order repeats across runs.
    """
    dataset: Dataset[TabularVAEInput] = Dataset(
        lambda index: TabularVAEInput(features=features[index]), length=len(features)
    )
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=generator)


class TabularVAETrainer(
    CustomTrainer[
        TabularVAEInput, TabularVAEOutput, TableSynthesizer[TabularVAEInput, TabularVAEOutput]
    ]
):
    """Trainer of a tabular VAE: Adam at ``learning_rate`` and an optional validation routine.

    Set ``learning_rate`` and ``validation_routine`` after ``build`` and before ``train``; the
    trainer reads them when training starts.
    """

    learning_rate: float = 1e-3
    validation_routine: ArtifactRoutine[Any] | None = None

    def _get_optimizer(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.model.parameters(), lr=self.learning_rate)

    def _get_artifact_routine(self) -> ArtifactRoutine[Any] | None:
        return self.validation_routine
