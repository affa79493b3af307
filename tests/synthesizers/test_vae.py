"""TabularVAE: loss terms against torch.distributions, generation contract and learning."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch
from torch.distributions import Categorical, Normal, kl_divergence

from artifact_ml.synthesizers import (
    TabularVAE,
    TabularVAEConfig,
    TabularVAEInput,
    make_vae_loader,
)


def make_table(num_rows: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    income = rng.lognormal(mean=3.0, sigma=0.5, size=num_rows)
    income[rng.random(num_rows) < 0.3] = np.nan
    return pd.DataFrame(
        {
            "age": rng.integers(18, 80, size=num_rows),
            "income": income,
            "city": rng.choice(["Oslo", "Lima", "Pune"], size=num_rows, p=[0.6, 0.3, 0.1]),
        }
    )


def build_model(table: pd.DataFrame, seed: int = 0) -> TabularVAE:
    torch.manual_seed(seed)
    return TabularVAE.from_table(
        table,
        continuous_features=["age", "income"],
        categorical_features=["city"],
        config=TabularVAEConfig(latent_dim=4, hidden_dims=(32,)),
        seed=seed,
    )


def train(model: TabularVAE, table: pd.DataFrame, epochs: int) -> list[float]:
    loader = make_vae_loader(model.encode(table), batch_size=64, seed=0)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(epochs):
        total = 0.0
        for batch in loader:
            loss = model.training_step(batch)["loss"]
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
        losses.append(total / len(loader))
    return losses


def test_reconstruction_loss_matches_distributions() -> None:
    table = make_table()
    model = build_model(table)
    features = model.encode(table.iloc[:16])
    decoded = torch.randn(16, features.shape[1])
    layout = model.table_encoder.layout

    measured = model._reconstruction_loss(decoded, features)

    scale = model.log_scale.exp()
    continuous = -Normal(decoded[:, layout.continuous], scale).log_prob(
        features[:, layout.continuous]
    )
    # The loss leaves out the Gaussian's constant 0.5 * log(2 * pi) per continuous feature.
    continuous = continuous.sum(1) - 2 * 0.5 * math.log(2 * math.pi)
    indicators = torch.nn.functional.binary_cross_entropy_with_logits(
        decoded[:, layout.missing_indicators],
        features[:, layout.missing_indicators],
        reduction="none",
    ).sum(1)
    (city,) = layout.categorical
    categorical = -Categorical(logits=decoded[:, city]).log_prob(features[:, city].argmax(1))
    expected = (continuous + indicators + categorical).mean()
    assert measured.item() == pytest.approx(expected.item(), rel=1e-5)


def test_kl_divergence_matches_distributions() -> None:
    table = make_table()
    model = build_model(table)
    features = model.encode(table.iloc[:32])

    torch.manual_seed(5)
    output = model.training_step(TabularVAEInput(features=features))

    mean, log_variance = model.encoder(features).chunk(2, dim=1)
    posterior = Normal(mean, torch.exp(0.5 * log_variance))
    expected = kl_divergence(posterior, Normal(0.0, 1.0)).sum(1).mean()
    assert output["kl_divergence"].item() == pytest.approx(expected.item(), rel=1e-5)
    total = output["reconstruction_loss"] + output["kl_divergence"]
    assert output["loss"].item() == pytest.approx(total.item(), rel=1e-6)


def test_generation_keeps_columns_and_dtypes() -> None:
    table = make_table()
    model = build_model(table)

    synthetic = model.generate_synthetic_data(250)

    assert list(synthetic.columns) == ["age", "income", "city"]
    assert len(synthetic) == 250
    assert synthetic["age"].dtype == table["age"].dtype
    assert synthetic["income"].dtype == np.float64
    assert set(synthetic["city"]) <= {"Oslo", "Lima", "Pune"}
    assert synthetic["age"].between(table["age"].min(), table["age"].max()).all()


def test_generation_repeats_and_spares_global_rng() -> None:
    model = build_model(make_table())
    torch.manual_seed(7)
    expected_draw = torch.rand(3)

    torch.manual_seed(7)
    first = model.generate_synthetic_data(100)
    draw_after_generation = torch.rand(3)
    second = model.generate_synthetic_data(100)

    pd.testing.assert_frame_equal(first, second)
    assert torch.equal(draw_after_generation, expected_draw)


def test_generation_of_zero_rows() -> None:
    model = build_model(make_table())

    synthetic = model.generate_synthetic_data(0)

    assert list(synthetic.columns) == ["age", "income", "city"]
    assert len(synthetic) == 0


def test_generation_rejects_negative_count() -> None:
    model = build_model(make_table())

    with pytest.raises(ValueError, match="num_samples must be non-negative, got -1"):
        model.generate_synthetic_data(-1)


def test_training_learns_marginals() -> None:
    table = make_table(num_rows=1000)
    model = build_model(table)

    losses = train(model, table, epochs=40)
    synthetic = model.generate_synthetic_data(4000)

    assert losses[-1] < losses[0] - 1.0
    assert synthetic["income"].isna().mean() == pytest.approx(0.3, abs=0.06)
    shares = synthetic["city"].value_counts(normalize=True)
    assert shares["Oslo"] == pytest.approx(0.6, abs=0.08)
    assert shares["Pune"] == pytest.approx(0.1, abs=0.06)
    observed = table["income"].dropna()
    assert synthetic["income"].median() == pytest.approx(observed.median(), rel=0.2)


def test_config_rejects_empty_hidden_dims() -> None:
    with pytest.raises(ValueError, match=r"hidden_dims must be positive widths, got \(\)"):
        TabularVAEConfig(hidden_dims=())
