"""TableComparisonRoutine: a real plan run on a synthesizer during training."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from artifact_ml.core.table_comparison import (
    TableComparisonEngine,
    TableComparisonScoreCollectionType,
    TableComparisonScoreType,
    TabularDataSpec,
)
from artifact_ml.experiment import InMemoryTrackingClient, TableComparisonPlan
from artifact_ml.torch import (
    ArtifactRoutine,
    CustomTrainer,
    DataLoader,
    Dataset,
    ModelInput,
    ModelOutput,
    TableComparisonRoutine,
    TableSynthesizer,
)
from artifact_ml.torch.rng import isolated_rng


class TableInput(ModelInput):
    values: torch.Tensor


class ShiftSynthesizer(TableSynthesizer[TableInput, ModelOutput]):
    """Learns the column means of a two-column table; generates them plus unit Gaussian noise."""

    def __init__(self) -> None:
        super().__init__()
        self.mean = nn.Parameter(torch.zeros(2))
        self.generation_modes: list[bool] = []

    def training_step(self, batch: TableInput) -> ModelOutput:
        return {"loss": (batch["values"] - self.mean).pow(2).mean()}

    def generate_synthetic_data(self, num_samples: int) -> pd.DataFrame:
        self.generation_modes.append(self.training)
        values = torch.randn(num_samples, 2) + self.mean
        return pd.DataFrame(values.numpy(), columns=["a", "b"])


class ScorePlan(TableComparisonPlan):
    scores = (TableComparisonScoreType.MEAN_JS_DISTANCE,)
    score_collections = (TableComparisonScoreCollectionType.JS_DISTANCE,)


class EveryOtherEpoch(TableComparisonRoutine):
    plan = ScorePlan
    period = 2


def _real_table() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(rng.normal(3.0, 1.0, size=(300, 2)), columns=["a", "b"])


def _train(
    real: pd.DataFrame, routine: TableComparisonRoutine | None, max_epochs: int = 5
) -> tuple[CustomTrainer[TableInput, ModelOutput], ShiftSynthesizer]:
    class Trainer(CustomTrainer[TableInput, ModelOutput]):
        def _get_device(self) -> torch.device:
            return torch.device("cpu")

        def _get_optimizer(self) -> torch.optim.Optimizer:
            return torch.optim.Adam(self.model.parameters(), lr=0.2)

        def _get_artifact_routine(
            self,
        ) -> ArtifactRoutine[TableSynthesizer[TableInput, ModelOutput]] | None:
            return routine

    items = [TableInput(values=torch.tensor(row, dtype=torch.float32)) for row in real.to_numpy()]
    torch.manual_seed(0)
    model = ShiftSynthesizer()
    loader = DataLoader(Dataset(items), batch_size=50, shuffle=True)
    trainer = Trainer.build(model=model, train_loader=loader, max_epochs=max_epochs)
    trainer.train()
    return trainer, model


def test_routine_scores_at_due_epochs() -> None:
    real = _real_table()
    client = InMemoryTrackingClient.build(experiment_id="routine")
    routine = EveryOtherEpoch.build(real, client, seed=11)

    trainer, model = _train(real, routine)
    client.stop()

    logged = client.scores["validation/mean_js_distance"]
    assert [step for step, _ in logged] == [2, 4, 5]
    scores = trainer.epoch_scores
    assert list(scores.index) == [1, 2, 3, 4, 5]
    assert scores["validation/mean_js_distance"].notna().tolist() == [
        False,
        True,
        False,
        True,
        True,
    ]
    assert [step for step, _ in client.score_collections["validation/js_distance"]] == [2, 4, 5]
    assert model.generation_modes == [False, False, False]
    assert model.training is True

    # The final score equals the engine's on the same seeded synthetic table.
    with torch.no_grad(), isolated_rng(11):
        synthetic = model.generate_synthetic_data(len(real))
    engine = TableComparisonEngine.build(resource_spec=TabularDataSpec.from_df(real))
    expected = engine.compute_score(
        TableComparisonScoreType.MEAN_JS_DISTANCE, real_data=real, synthetic_data=synthetic
    )
    assert logged[-1][1] == pytest.approx(expected, abs=1e-12)
    assert scores.loc[5, "validation/mean_js_distance"] == pytest.approx(expected, abs=1e-12)


def test_routine_learning_lowers_distance() -> None:
    real = _real_table()
    routine = EveryOtherEpoch.build(real, None, seed=3)

    trainer, _ = _train(real, routine, max_epochs=6)

    distances = trainer.epoch_scores["validation/mean_js_distance"].dropna()
    assert distances.iloc[-1] < distances.iloc[0]


def test_routine_leaves_training_numerics_unchanged() -> None:
    real = _real_table()

    _, with_routine = _train(real, EveryOtherEpoch.build(real, None))
    _, without_routine = _train(real, None)

    assert torch.equal(with_routine.mean, without_routine.mean)


def test_routine_defaults_and_errors() -> None:
    real = _real_table()

    routine = EveryOtherEpoch.build(real)

    assert routine.num_samples == 300
    assert routine.is_due(3, is_last_epoch=False) is False
    assert routine.is_due(3, is_last_epoch=True) is True
    with pytest.raises(ValueError, match="needs num_samples >= 1, got 0"):
        EveryOtherEpoch.build(real, num_samples=0)
    with pytest.raises(ValueError, match="needs non-empty validation_data"):
        EveryOtherEpoch.build(real.iloc[:0])

    class NoPlan(TableComparisonRoutine):
        period = 1

    with pytest.raises(TypeError, match="NoPlan sets no plan"):
        NoPlan.build(real)


def test_routine_rejects_other_model_at_runtime() -> None:
    from trainer_fixtures import MLPRegressor

    routine = EveryOtherEpoch.build(_real_table())

    with pytest.raises(TypeError, match="needs a TableSynthesizer, got MLPRegressor"):
        routine.execute(MLPRegressor(), epoch=1)  # type: ignore[arg-type]
