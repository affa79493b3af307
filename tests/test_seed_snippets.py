"""The three snippets of the public API description, with their blanks filled, run as written.

``MyModel`` learns independent marginals of a two-column table (a Gaussian for ``height`` and a
categorical distribution for ``color``), which keeps every expected value computable by hand.
The snippets' free names ``validation_data`` and ``tracking_client`` are module globals here,
set by the test before training.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from artifact_ml.core.table_comparison import (
    TableComparisonEngine,
    TableComparisonScoreType,
    TabularDataSpec,
)
from artifact_ml.experiment import (
    InMemoryTrackingClient,
    TableComparisonPlan,
    TrackingClient,
)
from artifact_ml.torch import (
    CustomTrainer,
    DataLoader,
    Dataset,
    ModelInput,
    ModelOutput,
    TableComparisonRoutine,
    TableSynthesizer,
)

COLORS = ("blue", "green", "red")

validation_data: pd.DataFrame
tracking_client: TrackingClient | None


class MyModelInput(ModelInput):
    height: torch.Tensor
    color: torch.Tensor


class MyModelOutput(ModelOutput):
    height_nll: torch.Tensor


class MyPlan(TableComparisonPlan):
    scores = (TableComparisonScoreType.MEAN_JS_DISTANCE,)


class MyArtifactRoutine(TableComparisonRoutine):
    plan = MyPlan
    period = 2


# Snippet 1: the model.
class MyModel(TableSynthesizer[MyModelInput, MyModelOutput]):
    def __init__(self) -> None:
        super().__init__()
        self.height_mean = torch.nn.Parameter(torch.zeros(()))
        self.height_log_std = torch.nn.Parameter(torch.zeros(()))
        self.color_logits = torch.nn.Parameter(torch.zeros(len(COLORS)))

    def training_step(self, batch: MyModelInput) -> MyModelOutput:
        # Model-specific training logic
        height = torch.distributions.Normal(self.height_mean, self.height_log_std.exp())
        height_nll = -height.log_prob(batch["height"]).mean()
        color_nll = torch.nn.functional.cross_entropy(
            self.color_logits.expand(len(batch["color"]), -1), batch["color"]
        )
        return MyModelOutput(loss=height_nll + color_nll, height_nll=height_nll)

    def generate_synthetic_data(self, num_samples: int) -> pd.DataFrame:
        # Domain-specific generation logic
        heights = self.height_mean + self.height_log_std.exp() * torch.randn(num_samples)
        colors = torch.multinomial(self.color_logits.softmax(0), num_samples, replacement=True)
        return pd.DataFrame(
            {
                "height": heights.detach().numpy(),
                "color": [COLORS[index] for index in colors.tolist()],
            }
        )


# Snippet 2: the trainer.
class MyTrainer(CustomTrainer[MyModelInput, MyModelOutput]):
    def _get_optimizer(self) -> torch.optim.Optimizer:
        return torch.optim.Adam(self.model.parameters(), lr=0.001)

    def _get_artifact_routine(self) -> MyArtifactRoutine:
        return MyArtifactRoutine.build(validation_data, tracking_client)


def make_table(num_rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "height": rng.normal(loc=1.7, scale=0.1, size=num_rows),
            "color": rng.choice(COLORS, size=num_rows, p=[0.5, 0.3, 0.2]),
        }
    )


def make_loader(table: pd.DataFrame) -> DataLoader[MyModelInput]:
    heights = torch.tensor(table["height"].to_numpy(), dtype=torch.float32)
    colors = torch.tensor([COLORS.index(color) for color in table["color"]])
    dataset: Dataset[MyModelInput] = Dataset(
        lambda index: MyModelInput(height=heights[index], color=colors[index]), length=len(table)
    )
    return DataLoader(
        dataset, batch_size=50, shuffle=True, generator=torch.Generator().manual_seed(0)
    )


@pytest.fixture
def trained_snippets() -> tuple[MyTrainer, MyModel, InMemoryTrackingClient]:
    global validation_data, tracking_client
    torch.manual_seed(0)
    train_table = make_table(num_rows=500, seed=1)
    validation_data = make_table(num_rows=400, seed=2)
    client = InMemoryTrackingClient.build(experiment_id="seed-snippets")
    tracking_client = client
    train_loader = make_loader(train_table)
    model = MyModel()

    # Snippet 3: build and train.
    trainer = MyTrainer.build(model=model, train_loader=train_loader)
    trainer.train()  # All infrastructure handled automatically

    client.stop()
    return trainer, model, client


def test_snippets_train_model_parameters(
    trained_snippets: tuple[MyTrainer, MyModel, InMemoryTrackingClient],
) -> None:
    _, model, _ = trained_snippets

    # 10 epochs of 10 Adam steps at lr 0.001 move each parameter by about 0.1 towards the data.
    assert model.height_mean.item() == pytest.approx(0.1, abs=0.01)
    assert (
        model.color_logits[0].item() > model.color_logits[1].item() > model.color_logits[2].item()
    )


def test_snippets_record_epoch_scores(
    trained_snippets: tuple[MyTrainer, MyModel, InMemoryTrackingClient],
) -> None:
    trainer, _, _ = trained_snippets
    scores = trainer.epoch_scores

    assert list(scores.index) == list(range(1, 11))
    assert scores["train/loss"].is_monotonic_decreasing
    assert list(scores["validation/mean_js_distance"].dropna().index) == [2, 4, 6, 8, 10]


def test_snippets_log_routine_scores(
    trained_snippets: tuple[MyTrainer, MyModel, InMemoryTrackingClient],
) -> None:
    trainer, _, client = trained_snippets
    logged = client.scores["validation/mean_js_distance"]

    assert [step for step, _ in logged] == [2, 4, 6, 8, 10]
    expected = trainer.epoch_scores["validation/mean_js_distance"].dropna().tolist()
    assert [value for _, value in logged] == pytest.approx(expected, rel=1e-12)


def test_snippets_score_matches_engine(
    trained_snippets: tuple[MyTrainer, MyModel, InMemoryTrackingClient],
) -> None:
    trainer, model, _ = trained_snippets
    assert isinstance(trainer.artifact_routine, MyArtifactRoutine)
    routine = MyArtifactRoutine.build(validation_data, None, seed=123)
    engine = TableComparisonEngine.build(resource_spec=TabularDataSpec.from_df(validation_data))

    torch.manual_seed(123)
    synthetic = model.generate_synthetic_data(len(validation_data))
    expected = engine.compute_score(
        TableComparisonScoreType.MEAN_JS_DISTANCE,
        real_data=validation_data,
        synthetic_data=synthetic,
    )
    measured = routine.execute(model, epoch=11)

    assert measured["validation/mean_js_distance"] == pytest.approx(expected, rel=1e-12)
