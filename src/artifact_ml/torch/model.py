"""Model interfaces: the contracts a model satisfies to be trained and validated by artifact-ml."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Generic

import pandas as pd
from torch import nn

from artifact_ml.torch.io import InputT_contra, OutputT_co

__all__ = ["Model", "TableSynthesizer"]


class Model(nn.Module, ABC, Generic[InputT_contra, OutputT_co]):
    """A trainable ``nn.Module`` whose training step maps a typed batch to a typed output.

    ``training_step`` runs the forward pass and returns a dict whose ``loss`` entry the trainer
    backpropagates; the other entries are for callbacks. The trainer calls it in train mode for
    training batches, and data-loader routines call it in eval mode under ``torch.no_grad()``.
    """

    @abstractmethod
    def training_step(self, batch: InputT_contra) -> OutputT_co:
        """Compute the output of one batch, including the scalar ``loss`` tensor."""


class TableSynthesizer(Model[InputT_contra, OutputT_co]):
    """A model that learns a table and generates new rows with the real table's columns."""

    @abstractmethod
    def generate_synthetic_data(self, num_samples: int) -> pd.DataFrame:
        """Generate ``num_samples`` synthetic rows as a DataFrame with the real table's columns.

        Table-comparison routines call it in eval mode under ``torch.no_grad()``.
        """
