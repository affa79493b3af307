"""The demo job: train the reference tabular VAE with a table-comparison routine and log it all."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import torch

from artifact_ml.core.table_comparison import (
    TableComparisonPlotCollectionType,
    TableComparisonScoreCollectionType,
    TableComparisonScoreType,
)
from artifact_ml.demo.saved_tables import SavedTables, save_tables
from artifact_ml.demo.table_source import TableSource
from artifact_ml.experiment import TableComparisonPlan, build_tracking_client
from artifact_ml.synthesizers.vae import TabularVAE
from artifact_ml.synthesizers.vae_trainer import TabularVAETrainer, make_vae_loader
from artifact_ml.torch import TableComparisonRoutine

logger = logging.getLogger(__name__)

EXPERIMENT_ID = "artifact-ml-demo"


class DemoPlan(TableComparisonPlan):
    """The demo's artifacts: two scores, the JS distance per feature and a PDF plot per feature."""

    scores = (
        TableComparisonScoreType.MEAN_JS_DISTANCE,
        TableComparisonScoreType.CORRELATION_DISTANCE,
    )
    score_collections = (TableComparisonScoreCollectionType.JS_DISTANCE,)
    plot_collections = (TableComparisonPlotCollectionType.PDF,)


class DemoRoutine(TableComparisonRoutine):
    """Run :class:`DemoPlan` after the first epoch, every ``period`` epochs and at the last epoch.

    The run after the first epoch gives the starting point that later scores improve on.
    """

    plan = DemoPlan
    period: ClassVar[int] = 5

    def is_due(self, epoch: int, *, is_last_epoch: bool) -> bool:
        return epoch == 1 or super().is_due(epoch, is_last_epoch=is_last_epoch)


@dataclass(frozen=True)
class DemoSettings:
    """Settings of :func:`run_demo`.

    Attributes:
        epochs: Training epochs. Default 30.
        artifact_period: Epochs between two table comparisons. Default 5.
        batch_size: Rows per training batch. Default 512.
        learning_rate: Adam's learning rate. Default 3e-3.
        validation_fraction: Share of rows held out as the real table of each comparison.
            Default 0.2.
        seed: Seed of the split, the initial weights, the batch order and generation. Default 0.
        tracking: Tracking backend name (see ``artifact_ml.experiment.TRACKING_BACKENDS``).
        output_dir: Root folder of local tracking data; ``None`` uses the backend's default.
        progress_bar: ``True``/``False`` forces the progress bar; ``None`` shows it on a terminal.
        threads: CPU threads for torch's operations (``torch.set_num_threads``). Default 1.
        tables_dir: Folder where the trained model's synthetic table (as many rows as the source
            table) and the source table are saved as ``synthetic.csv`` and ``real.csv``;
            ``None`` (the default) saves nothing.
    """

    epochs: int = 30
    artifact_period: int = 5
    batch_size: int = 512
    learning_rate: float = 3e-3
    validation_fraction: float = 0.2
    seed: int = 0
    tracking: str = "filesystem"
    output_dir: Path | None = None
    progress_bar: bool | None = None
    threads: int = 1
    tables_dir: Path | None = None

    def __post_init__(self) -> None:
        for name in ("epochs", "artifact_period", "batch_size", "threads"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}.")
        if not 0.0 < self.validation_fraction < 1.0:
            raise ValueError(
                f"validation_fraction must be in (0, 1), got {self.validation_fraction}."
            )
        if self.learning_rate <= 0:
            raise ValueError(f"learning_rate must be positive, got {self.learning_rate}.")


@dataclass(frozen=True)
class DemoResult:
    """The outputs of a demo run.

    Attributes:
        epoch_scores: The trainer's scores, indexed by epoch (1-based), one column per score.
        run_id: The tracking run's id.
        results_hint: One line saying where the logged results are and how to open them.
        run_dir: The run folder when the filesystem tracker was used, else ``None``.
        train_rows: Rows the model trained on.
        validation_rows: Held-out rows each synthetic table was compared with.
        saved_tables: The saved tables and their compare command, if ``tables_dir`` was set.
    """

    epoch_scores: pd.DataFrame
    run_id: str
    results_hint: str
    run_dir: Path | None
    train_rows: int
    validation_rows: int
    saved_tables: SavedTables | None = None


def split_table(
    table: pd.DataFrame, validation_fraction: float, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``table`` into shuffled training and validation parts, both with a fresh index.

    Raises:
        ValueError: Either part would be empty.
    """
    order = np.random.default_rng(seed).permutation(len(table))
    num_validation = round(len(table) * validation_fraction)
    if num_validation < 1 or num_validation >= len(table):
        raise ValueError(
            f"Cannot hold out {validation_fraction:.0%} of {len(table)} rows and keep both parts "
            "non-empty; use a larger table or another validation fraction."
        )
    validation = table.iloc[order[:num_validation]].reset_index(drop=True)
    train = table.iloc[order[num_validation:]].reset_index(drop=True)
    return train, validation


def run_demo(source: TableSource, settings: DemoSettings) -> DemoResult:
    """Train a :class:`TabularVAE` on ``source`` and compare generated tables with held-out rows.

    Raises:
        ValueError: The table cannot be encoded or split (the message names the column).
        ImportError: The tracking backend's library is not installed.
        TableSaveError: ``settings.tables_dir`` cannot be written.
    """
    # Backends may seed the global generators when a run starts (ClearML's Task.init seeds
    # random, numpy and torch with 1337), so the demo seeds them after starting the run.
    client = build_tracking_client(
        settings.tracking, experiment_id=EXPERIMENT_ID, root_dir=settings.output_dir
    )
    with client:
        torch.set_num_threads(settings.threads)
        _seed_everything(settings.seed)
        train, validation = split_table(source.table, settings.validation_fraction, settings.seed)
        model = TabularVAE.from_table(
            train,
            continuous_features=source.spec.continuous_features,
            categorical_features=source.spec.categorical_features,
            seed=settings.seed,
        )
        loader = make_vae_loader(model.encode(train), settings.batch_size, settings.seed)
        routine_class: type[DemoRoutine] = type(
            "DemoRoutine", (DemoRoutine,), {"period": settings.artifact_period}
        )
        routine = routine_class.build(
            validation, client, resource_spec=source.spec, seed=settings.seed
        )
        trainer = TabularVAETrainer.build(
            model=model,
            train_loader=loader,
            tracking_client=client,
            max_epochs=settings.epochs,
            progress_bar=settings.progress_bar,
        )
        trainer.learning_rate = settings.learning_rate
        trainer.validation_routine = routine
        logger.info(
            "Training a tabular VAE on %d rows of %s for %d epochs; comparing with %d held-out "
            "rows.",
            len(train),
            source.name,
            settings.epochs,
            len(validation),
        )
        epoch_scores = trainer.train()
    saved = None
    if settings.tables_dir is not None:
        synthetic = model.generate_synthetic_data(len(source.table))
        saved = save_tables(settings.tables_dir, source.table, synthetic, source.spec)
        logger.info("Saved the real and synthetic tables to %s.", settings.tables_dir)
    run_dir: Any = getattr(client, "run_dir", None)
    return DemoResult(
        epoch_scores=epoch_scores,
        run_id=client.run_id,
        results_hint=client.results_hint(),
        run_dir=Path(run_dir) if run_dir is not None else None,
        train_rows=len(train),
        validation_rows=len(validation),
        saved_tables=saved,
    )


def _seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
