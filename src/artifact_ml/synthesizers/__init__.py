"""Reference synthesizers built on ``artifact_ml.torch``; importing this package imports torch."""

from artifact_ml.synthesizers.table_encoder import EncodedLayout, TableEncoder
from artifact_ml.synthesizers.vae import (
    TabularVAE,
    TabularVAEConfig,
    TabularVAEInput,
    TabularVAEOutput,
)
from artifact_ml.synthesizers.vae_trainer import TabularVAETrainer, make_vae_loader

__all__ = [
    "EncodedLayout",
    "TableEncoder",
    "TabularVAE",
    "TabularVAEConfig",
    "TabularVAEInput",
    "TabularVAEOutput",
    "TabularVAETrainer",
    "make_vae_loader",
]
