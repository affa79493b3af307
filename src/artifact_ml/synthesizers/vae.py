"""A reference variational autoencoder for mixed-type tables.

The model follows the usual tabular VAE recipe: an MLP encoder to a Gaussian latent code, an MLP
decoder to one output head per column kind, and the evidence lower bound as the loss. Continuous
features are modelled as Gaussians with a learned scale in the quantile-normal space of
:class:`~artifact_ml.synthesizers.table_encoder.TableEncoder`, categorical features (missing
values included) as categorical distributions, and the missing-value indicators of continuous
features as Bernoulli variables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from artifact_ml.synthesizers.table_encoder import TableEncoder
from artifact_ml.torch import ModelInput, ModelOutput, TableSynthesizer

_MIN_LOG_SCALE = -4.6  # a scale of 0.01 in the standard-normal space
_INITIAL_LOG_SCALE = -2.3  # a scale of 0.1, as in the TVAE of Xu et al. (2019)
_GENERATION_CHUNK_ROWS = 8192


class TabularVAEInput(ModelInput):
    """A batch of encoded rows: ``features`` has shape ``(batch, encoder.layout.num_columns)``."""

    features: torch.Tensor


class TabularVAEOutput(ModelOutput):
    """The loss (negative ELBO per row, in nats) and its two terms, each averaged over the batch."""

    reconstruction_loss: torch.Tensor
    kl_divergence: torch.Tensor


@dataclass(frozen=True)
class TabularVAEConfig:
    """Architecture and loss weights of :class:`TabularVAE`.

    Attributes:
        latent_dim: Size of the latent code. Default 32.
        hidden_dims: Widths of the encoder's hidden layers; the decoder mirrors them.
            Default (256, 256).
        kl_weight: Weight of the KL divergence in the loss (1.0 is the plain ELBO). Default 1.0.
    """

    latent_dim: int = 32
    hidden_dims: tuple[int, ...] = (256, 256)
    kl_weight: float = 1.0

    def __post_init__(self) -> None:
        if self.latent_dim < 1:
            raise ValueError(f"latent_dim must be at least 1, got {self.latent_dim}.")
        if not self.hidden_dims or min(self.hidden_dims) < 1:
            raise ValueError(f"hidden_dims must be positive widths, got {self.hidden_dims}.")
        if self.kl_weight < 0:
            raise ValueError(f"kl_weight must be non-negative, got {self.kl_weight}.")


class TabularVAE(TableSynthesizer[TabularVAEInput, TabularVAEOutput]):
    """Variational autoencoder that learns a table and generates new rows of it.

    Build it with :meth:`from_table`, train it on :meth:`encode` output with a
    :class:`~artifact_ml.torch.CustomTrainer`, then call :meth:`generate_synthetic_data`.
    Generation draws from a generator seeded with ``sampling_seed`` on every call, so repeated
    calls return the same table and leave the global random state untouched.
    """

    def __init__(
        self, encoder: TableEncoder, config: TabularVAEConfig | None = None, sampling_seed: int = 0
    ) -> None:
        super().__init__()
        self.table_encoder = encoder
        self.config = config or TabularVAEConfig()
        self.sampling_seed = sampling_seed
        layout = encoder.layout
        width = layout.num_columns
        self._num_continuous = layout.continuous.stop - layout.continuous.start
        self._num_indicators = layout.missing_indicators.stop - layout.missing_indicators.start
        self.encoder = _mlp(width, self.config.hidden_dims, 2 * self.config.latent_dim)
        self.decoder = _mlp(self.config.latent_dim, tuple(reversed(self.config.hidden_dims)), width)
        self.log_scale = nn.Parameter(torch.full((self._num_continuous,), _INITIAL_LOG_SCALE))

    @classmethod
    def from_table(
        cls,
        table: pd.DataFrame,
        continuous_features: Sequence[str],
        categorical_features: Sequence[str],
        config: TabularVAEConfig | None = None,
        seed: int = 0,
    ) -> TabularVAE:
        """Fit the table encoding on ``table`` and build an untrained model for it.

        Raises:
            ValueError: From :meth:`TableEncoder.fit`, when the table or a feature list is invalid.
        """
        encoder = TableEncoder.fit(table, continuous_features, categorical_features, seed=seed)
        return cls(encoder, config=config, sampling_seed=seed)

    def encode(self, table: pd.DataFrame) -> torch.Tensor:
        """Encode ``table`` as a float32 tensor of shape ``(rows, encoded width)`` on the CPU."""
        return torch.from_numpy(self.table_encoder.encode(table))

    def training_step(self, batch: TabularVAEInput) -> TabularVAEOutput:
        features = batch["features"]
        mean, log_variance = self.encoder(features).chunk(2, dim=1)
        latent = mean + torch.randn_like(mean) * torch.exp(0.5 * log_variance)
        reconstruction_loss = self._reconstruction_loss(self.decoder(latent), features)
        kl_divergence = 0.5 * (mean.pow(2) + log_variance.exp() - 1.0 - log_variance).sum(1).mean()
        loss = reconstruction_loss + self.config.kl_weight * kl_divergence
        return TabularVAEOutput(
            loss=loss, reconstruction_loss=reconstruction_loss, kl_divergence=kl_divergence
        )

    @torch.no_grad()
    def generate_synthetic_data(self, num_samples: int) -> pd.DataFrame:
        """Generate ``num_samples`` rows with the training table's columns, order and dtypes.

        Raises:
            ValueError: ``num_samples`` is negative.
        """
        if num_samples < 0:
            raise ValueError(f"num_samples must be non-negative, got {num_samples}.")
        device = self.log_scale.device
        generator = torch.Generator(device=device).manual_seed(self.sampling_seed)
        chunks = []
        for start in range(0, max(num_samples, 1), _GENERATION_CHUNK_ROWS):
            rows = min(_GENERATION_CHUNK_ROWS, num_samples - start)
            latent = torch.randn(rows, self.config.latent_dim, generator=generator, device=device)
            chunks.append(self._sample_columns(self.decoder(latent), generator))
        continuous, indicators, categories = (
            np.concatenate([chunk[part] for chunk in chunks]) for part in range(3)
        )
        category_indices = [categories[:, column] for column in range(categories.shape[1])]
        return self.table_encoder.decode(continuous, indicators, category_indices)

    def _reconstruction_loss(self, decoded: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        layout = self.table_encoder.layout
        scale = self.log_scale.clamp(min=_MIN_LOG_SCALE)
        residual = (features[:, layout.continuous] - decoded[:, layout.continuous]) / scale.exp()
        loss = (0.5 * residual.pow(2) + scale).sum(1)
        if self._num_indicators:
            loss = loss + F.binary_cross_entropy_with_logits(
                decoded[:, layout.missing_indicators],
                features[:, layout.missing_indicators],
                reduction="none",
            ).sum(1)
        for block in layout.categorical:
            targets = features[:, block].argmax(1)
            loss = loss + F.cross_entropy(decoded[:, block], targets, reduction="none")
        return loss.mean()

    def _sample_columns(
        self, decoded: torch.Tensor, generator: torch.Generator
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        layout = self.table_encoder.layout
        scale = self.log_scale.clamp(min=_MIN_LOG_SCALE).exp()
        mean = decoded[:, layout.continuous]
        noise = torch.randn(mean.shape, generator=generator, device=mean.device)
        continuous = mean + noise * scale
        probabilities = torch.sigmoid(decoded[:, layout.missing_indicators])
        uniform = torch.rand(probabilities.shape, generator=generator, device=mean.device)
        indicators = (uniform < probabilities).float()
        categories = [
            torch.multinomial(F.softmax(decoded[:, block], dim=1), 1, generator=generator)
            for block in layout.categorical
        ]
        category_matrix = (
            torch.cat(categories, dim=1)
            if categories
            else torch.zeros(len(decoded), 0, dtype=torch.long, device=mean.device)
        )
        return (
            continuous.cpu().numpy(),
            indicators.cpu().numpy(),
            category_matrix.cpu().numpy(),
        )


def _mlp(input_dim: int, hidden_dims: tuple[int, ...], output_dim: int) -> nn.Sequential:
    layers: list[nn.Module] = []
    width = input_dim
    for hidden in hidden_dims:
        layers += [nn.Linear(width, hidden), nn.ReLU()]
        width = hidden
    layers.append(nn.Linear(width, output_dim))
    return nn.Sequential(*layers)
