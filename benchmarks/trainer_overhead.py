"""Trainer overhead: epoch time of ``CustomTrainer`` against a plain PyTorch loop and Lightning.

Trains the same MLP (one-hot UCI Adult features, batch 512, Adam, binary cross-entropy) with:
  (a) a hand-written PyTorch loop,
  (b) ``CustomTrainer`` with no routines (default ``NonFiniteLossPolicy.RAISE_IMMEDIATELY``, one
      loss check per batch),
  (b2) the same with ``NonFiniteLossPolicy.RAISE`` (one loss check per epoch), so that (b) - (b2)
      is the cost of the per-batch check,
  (c) ``CustomTrainer`` with a ``BatchRoutine`` computing the mean loss,
  (d) PyTorch Lightning's ``Trainer`` with logging, checkpointing and the progress bar off.
Variants run interleaved, in a rotated order per repeat, on one thread. Each ratio is the median
time of a variant over the median time of (a), all measured in this run.

Usage: python benchmarks/trainer_overhead.py [--epochs 2] [--repeats 7] [--hidden 256]
(needs ``pip install pytorch-lightning`` for variant (d); it is skipped without it.)
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import torch
from torch import nn

from artifact_ml.datasets import load_adult
from artifact_ml.torch import (
    BatchRoutine,
    CustomTrainer,
    DataLoader,
    MeanLossCallback,
    Model,
    ModelInput,
    ModelOutput,
    NonFiniteLossPolicy,
)

BATCH_SIZE = 512


class AdultInput(ModelInput):
    features: torch.Tensor
    label: torch.Tensor


class BatchDataset(torch.utils.data.Dataset[AdultInput]):
    """Returns a whole batch per index list, so no variant pays per-row collation."""

    def __init__(self, features: torch.Tensor, labels: torch.Tensor) -> None:
        self.features = features
        self.labels = labels

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, indices: list[int]) -> AdultInput:
        return AdultInput(features=self.features[indices], label=self.labels[indices])


def load_features() -> tuple[torch.Tensor, torch.Tensor]:
    """Return standardised continuous and one-hot categorical Adult features, and the labels."""
    table = load_adult()
    labels = torch.tensor(
        (table["class"].astype(str).str.contains(">50K")).to_numpy(), dtype=torch.float32
    )
    inputs = table.drop(columns=["class"])
    continuous = inputs.select_dtypes(include="number")
    continuous = (continuous - continuous.mean()) / continuous.std()
    categorical = pd.get_dummies(inputs.select_dtypes(exclude="number").astype(str), dtype=float)
    features = np.concatenate([continuous.to_numpy(), categorical.to_numpy()], axis=1)
    return torch.tensor(features, dtype=torch.float32), labels


def make_network(num_features: int, hidden: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(num_features, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, 1),
    )


class AdultClassifier(Model[AdultInput, ModelOutput]):
    def __init__(self, network: nn.Sequential) -> None:
        super().__init__()
        self.network = network
        self.loss = nn.BCEWithLogitsLoss()

    def training_step(self, batch: AdultInput) -> ModelOutput:
        logits = self.network(batch["features"]).squeeze(-1)
        return {"loss": self.loss(logits, batch["label"])}


def torch_loader(dataset: BatchDataset) -> torch.utils.data.DataLoader[AdultInput]:
    sampler = torch.utils.data.BatchSampler(
        torch.utils.data.RandomSampler(range(len(dataset))), BATCH_SIZE, drop_last=False
    )
    return torch.utils.data.DataLoader(dataset, batch_size=None, sampler=sampler)


def run_plain(dataset: BatchDataset, network: nn.Sequential, epochs: int) -> float:
    loader = torch_loader(dataset)
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-3)
    loss_function = nn.BCEWithLogitsLoss()
    start = time.perf_counter()
    network.train()
    for _ in range(epochs):
        for batch in loader:
            optimizer.zero_grad()
            logits = network(batch["features"]).squeeze(-1)
            loss = loss_function(logits, batch["label"])
            loss.backward()
            optimizer.step()
    return time.perf_counter() - start


class BenchmarkTrainer(CustomTrainer[AdultInput, ModelOutput]):
    def _get_device(self) -> torch.device:
        return torch.device("cpu")


class EpochEndCheckTrainer(BenchmarkTrainer):
    def _get_nonfinite_loss_policy(self) -> NonFiniteLossPolicy:
        return NonFiniteLossPolicy.RAISE


class MeanLossTrainer(BenchmarkTrainer):
    def _get_batch_routine(self) -> BatchRoutine[AdultInput, ModelOutput] | None:
        return BatchRoutine.build(callbacks=[MeanLossCallback()])


def run_trainer(
    trainer_class: type[BenchmarkTrainer],
    dataset: BatchDataset,
    network: nn.Sequential,
    epochs: int,
) -> float:
    sampler = torch.utils.data.BatchSampler(
        torch.utils.data.RandomSampler(range(len(dataset))), BATCH_SIZE, drop_last=False
    )
    loader: DataLoader[AdultInput] = DataLoader(dataset, batch_size=None, sampler=sampler)
    trainer = trainer_class.build(
        model=AdultClassifier(network), train_loader=loader, max_epochs=epochs, progress_bar=False
    )
    start = time.perf_counter()
    trainer.train()
    return time.perf_counter() - start


def make_lightning_runner() -> Callable[[BatchDataset, nn.Sequential, int], float] | None:
    try:
        import pytorch_lightning as lightning
    except ImportError:
        return None
    warnings.filterwarnings("ignore", module="pytorch_lightning")
    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)

    class LightningClassifier(lightning.LightningModule):
        def __init__(self, network: nn.Sequential) -> None:
            super().__init__()
            self.network = network
            self.loss_function = nn.BCEWithLogitsLoss()

        def training_step(self, batch: AdultInput, batch_index: int) -> torch.Tensor:
            logits = self.network(batch["features"]).squeeze(-1)
            loss: torch.Tensor = self.loss_function(logits, batch["label"])
            return loss

        def configure_optimizers(self) -> torch.optim.Optimizer:
            return torch.optim.Adam(self.parameters(), lr=1e-3)

    def run_lightning(dataset: BatchDataset, network: nn.Sequential, epochs: int) -> float:
        trainer = lightning.Trainer(
            max_epochs=epochs,
            accelerator="cpu",
            devices=1,
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
        )
        module = LightningClassifier(network)
        start = time.perf_counter()
        trainer.fit(module, train_dataloaders=torch_loader(dataset))
        return time.perf_counter() - start

    return run_lightning


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=2, help="epochs per timed run")
    parser.add_argument("--repeats", type=int, default=7, help="interleaved repeats per variant")
    parser.add_argument("--hidden", type=int, default=256, help="hidden layer width of the MLP")
    arguments = parser.parse_args()
    torch.set_num_threads(1)

    features, labels = load_features()
    dataset = BatchDataset(features, labels)
    variants: dict[str, Callable[[BatchDataset, nn.Sequential, int], float]] = {
        "(a) plain PyTorch loop": run_plain,
        "(b) CustomTrainer, no routines": lambda d, n, e: run_trainer(BenchmarkTrainer, d, n, e),
        "(b2) CustomTrainer, loss checked per epoch": lambda d, n, e: run_trainer(
            EpochEndCheckTrainer, d, n, e
        ),
        "(c) CustomTrainer + BatchRoutine mean loss": lambda d, n, e: run_trainer(
            MeanLossTrainer, d, n, e
        ),
    }
    lightning_runner = make_lightning_runner()
    if lightning_runner is not None:
        variants["(d) PyTorch Lightning Trainer"] = lightning_runner

    times: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for repeat in range(arguments.repeats + 1):
        order = names[repeat % len(names) :] + names[: repeat % len(names)]
        for name in order:
            torch.manual_seed(repeat)
            network = make_network(features.shape[1], arguments.hidden)
            elapsed = variants[name](dataset, network, arguments.epochs)
            if repeat > 0:  # the first round warms up allocators and imports
                times[name].append(elapsed)

    reference = statistics.median(times[names[0]])
    print(
        f"Adult: {len(dataset)} rows, {features.shape[1]} features, batch {BATCH_SIZE}, "
        f"hidden {arguments.hidden}, {arguments.epochs} epochs per run, "
        f"{arguments.repeats} interleaved repeats, torch {torch.__version__}, 1 thread"
    )
    print(f"{'variant':45s} {'median s':>9s} {'ratio to (a)':>13s}")
    for name in names:
        median = statistics.median(times[name])
        print(f"{name:45s} {median:9.3f} {median / reference:13.3f}")


if __name__ == "__main__":
    main()
