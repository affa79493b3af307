"""Train the reference tabular VAE on UCI Adult with a declared table-comparison routine.

Run from the repository root after ``bash scripts/setup.sh``::

    .venv/bin/python examples/train_vae_on_adult.py --epochs 10

The results go to ``./artifact-ml-runs/adult-vae/<run id>/``.
"""

from __future__ import annotations

import argparse
import logging
import sys

import torch

from artifact_ml.core.table_comparison import (
    TableComparisonPlotCollectionType,
    TableComparisonScoreCollectionType,
    TableComparisonScoreType,
    TabularDataSpec,
)
from artifact_ml.datasets import (
    ADULT_CATEGORICAL_FEATURES,
    ADULT_CONTINUOUS_FEATURES,
    load_adult,
)
from artifact_ml.experiment import FilesystemTrackingClient, TableComparisonPlan
from artifact_ml.synthesizers import (
    TabularVAE,
    TabularVAEInput,
    TabularVAEOutput,
    make_vae_loader,
)
from artifact_ml.torch import (
    CustomTrainer,
    TableComparisonRoutine,
    TableSynthesizer,
    Terminated,
    sigterm_raises,
)


class AdultPlan(TableComparisonPlan):
    scores = (TableComparisonScoreType.MEAN_JS_DISTANCE,)
    score_collections = (TableComparisonScoreCollectionType.JS_DISTANCE,)
    plot_collections = (TableComparisonPlotCollectionType.PDF,)


class AdultRoutine(TableComparisonRoutine):
    plan = AdultPlan
    period = 5  # epochs; the routine also runs at the last epoch


class AdultTrainer(
    CustomTrainer[
        TabularVAEInput, TabularVAEOutput, TableSynthesizer[TabularVAEInput, TabularVAEOutput]
    ]
):
    routine: AdultRoutine

    def _get_optimizer(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.model.parameters(), lr=3e-3)

    def _get_artifact_routine(self) -> AdultRoutine:
        return self.routine


def main(epochs: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    torch.manual_seed(0)
    table = load_adult()
    spec = TabularDataSpec.from_df(
        table,
        cts_features=list(ADULT_CONTINUOUS_FEATURES),
        cat_features=list(ADULT_CATEGORICAL_FEATURES),
        missing_values=("?",),
    )
    validation_data = table.sample(frac=0.2, random_state=0)
    train_data = table.drop(index=validation_data.index)

    model = TabularVAE.from_table(
        train_data,
        continuous_features=spec.continuous_features,
        categorical_features=spec.categorical_features,
    )
    train_loader = make_vae_loader(model.encode(train_data), batch_size=512, seed=0)

    # SIGTERM (docker stop, Kubernetes, Slurm) raises Terminated, also while the client writes
    # its last results after train() returns, so the run ends as killed with nothing lost.
    with (
        sigterm_raises(),
        FilesystemTrackingClient.build(experiment_id="adult-vae") as tracking_client,
    ):
        trainer = AdultTrainer.build(
            model=model,
            train_loader=train_loader,
            tracking_client=tracking_client,
            max_epochs=epochs,
        )
        trainer.routine = AdultRoutine.build(
            validation_data, tracking_client, resource_spec=spec, seed=0
        )
        trainer.train()

    logging.info("Scores per epoch:\n%s", trainer.epoch_scores.to_string())
    logging.info("Run folder: %s", tracking_client.run_dir)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20, help="training epochs (default: 20)")
    try:
        main(parser.parse_args().epochs)
    except Terminated:
        sys.exit(143)  # the exit status of a process ended by SIGTERM, as schedulers expect
