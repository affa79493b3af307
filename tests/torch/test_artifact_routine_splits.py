"""ArtifactRoutine periods per DataSplit, and TableComparisonRoutine over several real tables."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest
import torch
from test_table_comparison_routine import ScorePlan, ShiftSynthesizer, TableInput

from artifact_ml.core.table_comparison import (
    TableComparisonEngine,
    TableComparisonScoreType,
    TabularDataSpec,
)
from artifact_ml.experiment import DataSplit, InMemoryTrackingClient
from artifact_ml.torch import (
    ArtifactRoutine,
    CustomTrainer,
    DataLoader,
    Dataset,
    ModelOutput,
    TableComparisonRoutine,
    TableSynthesizer,
)
from artifact_ml.torch.rng import isolated_rng


class SplitRoutine(TableComparisonRoutine):
    plan = ScorePlan
    period = 2
    periods: ClassVar = {DataSplit.TRAIN: 3}


def _table(mean: float, seed: int, rows: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.normal(mean, 1.0, size=(rows, 2)), columns=["a", "b"])


def _train(
    routine: ArtifactRoutine[TableSynthesizer[TableInput, ModelOutput]], max_epochs: int
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

    real = _table(3.0, seed=0)
    items = [TableInput(values=torch.tensor(row, dtype=torch.float32)) for row in real.to_numpy()]
    torch.manual_seed(0)
    model = ShiftSynthesizer()
    loader = DataLoader(Dataset(items), batch_size=50, shuffle=True)
    trainer = Trainer.build(model=model, train_loader=loader, max_epochs=max_epochs)
    trainer.train()
    return trainer, model


def test_due_splits_follow_periods() -> None:
    routine = SplitRoutine.build(
        _table(3.0, 1), train_data=_table(3.0, 2), test_data=_table(3.0, 3)
    )

    assert routine.splits == (DataSplit.TRAIN, DataSplit.VALIDATION, DataSplit.TEST)
    assert routine.period_of(DataSplit.TRAIN) == 3
    assert routine.period_of(DataSplit.VALIDATION) == 2
    assert routine.period_of(DataSplit.TEST) == 2
    due = {epoch: routine.due_splits(epoch, is_last_epoch=False) for epoch in range(1, 7)}
    assert due[1] == ()
    assert due[2] == (DataSplit.VALIDATION, DataSplit.TEST)
    assert due[3] == (DataSplit.TRAIN,)
    assert due[6] == (DataSplit.TRAIN, DataSplit.VALIDATION, DataSplit.TEST)
    assert routine.due_splits(1, is_last_epoch=True) == routine.splits
    assert routine.is_due(1, is_last_epoch=False) is False


def test_default_build_compares_validation_only() -> None:
    validation = _table(3.0, 1)

    routine = SplitRoutine.build(validation)

    assert routine.splits == (DataSplit.VALIDATION,)
    assert routine.validation_data is validation
    assert routine.due_splits(3, is_last_epoch=False) == ()
    assert routine.due_splits(4, is_last_epoch=False) == (DataSplit.VALIDATION,)


def test_splits_logged_on_own_periods() -> None:
    validation = _table(3.0, seed=1)
    train = _table(2.5, seed=2, rows=400)
    test = _table(3.5, seed=3, rows=150)
    client = InMemoryTrackingClient.build(experiment_id="splits")
    routine = SplitRoutine.build(validation, client, train_data=train, test_data=test, seed=5)

    trainer, model = _train(routine, max_epochs=5)
    client.stop()

    def steps(name: str) -> list[int | None]:
        return [step for step, _ in client.scores[name]]

    assert steps("train/mean_js_distance") == [3, 5]
    assert steps("validation/mean_js_distance") == [2, 4, 5]
    assert steps("test/mean_js_distance") == [2, 4, 5]
    assert [s for s, _ in client.score_collections["train/js_distance"]] == [3, 5]
    # One synthetic table per epoch with a due split (2, 3, 4, 5), not one per split.
    assert len(model.generation_modes) == 4

    scores = trainer.epoch_scores
    assert scores["train/mean_js_distance"].notna().tolist() == [False, False, True, False, True]
    assert scores["test/mean_js_distance"].notna().tolist() == [False, True, False, True, True]
    assert "train/loss" in scores.columns

    # At epoch 5 all three splits were compared with the same seeded synthetic table.
    with torch.no_grad(), isolated_rng(5):
        synthetic = model.generate_synthetic_data(len(validation))
    engine = TableComparisonEngine.build(resource_spec=TabularDataSpec.from_df(validation))
    for split, real in (("train", train), ("validation", validation), ("test", test)):
        expected = engine.compute_score(
            TableComparisonScoreType.MEAN_JS_DISTANCE, real_data=real, synthetic_data=synthetic
        )
        assert scores.loc[5, f"{split}/mean_js_distance"] == pytest.approx(expected, abs=1e-12)
        assert client.scores[f"{split}/mean_js_distance"][-1] == (5, pytest.approx(expected))
    assert scores.loc[5, "train/mean_js_distance"] != scores.loc[5, "test/mean_js_distance"]

    results = routine.split_results
    assert set(results) == {DataSplit.TRAIN, DataSplit.VALIDATION, DataSplit.TEST}
    assert routine.results is results[DataSplit.VALIDATION]
    assert set(results[DataSplit.TRAIN].score_collections["js_distance"]) == {"a", "b"}


def test_execute_selected_splits() -> None:
    routine = SplitRoutine.build(_table(3.0, 1), train_data=_table(3.0, 2), seed=0)
    model = ShiftSynthesizer()

    scores = routine.execute(model, epoch=1, splits=[DataSplit.TRAIN])

    assert list(scores) == ["train/mean_js_distance"]
    assert 0.0 < scores["train/mean_js_distance"] <= 1.0
    with pytest.raises(KeyError, match=r"no real table for splits \['test'\]"):
        routine.execute(model, epoch=1, splits=[DataSplit.TEST])


def test_build_rejects_bad_split_tables() -> None:
    validation = _table(3.0, 1)

    with pytest.raises(ValueError, match="needs non-empty train_data, got 0 rows"):
        SplitRoutine.build(validation, train_data=validation.iloc[:0])
    with pytest.raises(ValueError, match="'b'"):
        SplitRoutine.build(validation, test_data=validation[["a"]])


def test_periods_checked_at_class_definition() -> None:
    with pytest.raises(ValueError, match=r"periods\[DataSplit.TRAIN\] must be >= 1 epoch, got 0"):

        class ZeroPeriod(TableComparisonRoutine):
            plan = ScorePlan
            periods: ClassVar = {DataSplit.TRAIN: 0}

    with pytest.raises(TypeError, match="periods has key 'train'; use DataSplit members"):

        class StringKey(TableComparisonRoutine):
            plan = ScorePlan
            periods: ClassVar[Any] = {"train": 2}

    with pytest.raises(ValueError, match="period must be >= 1 epoch, got 0"):

        class ZeroDefault(TableComparisonRoutine):
            plan = ScorePlan
            period = 0


def test_overridden_is_due_runs_every_split() -> None:
    class FirstEpochToo(SplitRoutine):
        def is_due(self, epoch: int, *, is_last_epoch: bool) -> bool:
            return epoch == 1 or super().is_due(epoch, is_last_epoch=is_last_epoch)

    client = InMemoryTrackingClient.build(experiment_id="first-epoch")
    routine = FirstEpochToo.build(_table(3.0, 1), client, train_data=_table(3.0, 2), seed=0)

    trainer, model = _train(routine, max_epochs=4)
    client.stop()

    assert [step for step, _ in client.scores["train/mean_js_distance"]] == [1, 3, 4]
    assert [step for step, _ in client.scores["validation/mean_js_distance"]] == [1, 2, 4]
    assert len(model.generation_modes) == 4
    assert list(trainer.epoch_scores.index) == [1, 2, 3, 4]
