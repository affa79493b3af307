"""The trainer changes no numerics: its weights equal those of a hand-written PyTorch loop."""

from __future__ import annotations

import torch
from trainer_fixtures import CPUTrainer, MLPRegressor, RegressionInput, make_items, make_loader

NUM_EPOCHS = 3


def _plain_loop_state(items: list[RegressionInput], seed: int) -> dict[str, torch.Tensor]:
    torch.manual_seed(seed)
    model = MLPRegressor()
    loader: torch.utils.data.DataLoader[RegressionInput] = torch.utils.data.DataLoader(
        items,  # type: ignore[arg-type]  # a list is a valid map-style dataset
        batch_size=16,
        shuffle=True,
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()
    for _ in range(NUM_EPOCHS):
        for batch in loader:
            optimizer.zero_grad()
            loss = (model(batch["features"]) - batch["target"]).pow(2).mean()
            loss.backward()
            optimizer.step()
    return model.state_dict()


def _trainer_state(
    items: list[RegressionInput], seed: int
) -> tuple[dict[str, torch.Tensor], CPUTrainer]:
    torch.manual_seed(seed)
    model = MLPRegressor()
    trainer = CPUTrainer.build(
        model=model, train_loader=make_loader(items), max_epochs=NUM_EPOCHS, progress_bar=False
    )
    trainer.train()
    return model.state_dict(), trainer


def test_weights_bitwise_equal_plain_loop() -> None:
    items = make_items()

    expected = _plain_loop_state(items, seed=7)
    actual, _ = _trainer_state(items, seed=7)

    assert expected.keys() == actual.keys()
    for name in expected:
        assert torch.equal(expected[name], actual[name]), name


def test_weights_differ_with_other_seed() -> None:
    items = make_items()

    expected = _plain_loop_state(items, seed=7)
    actual, _ = _trainer_state(items, seed=8)

    assert not torch.equal(expected["head.weight"], actual["head.weight"])


def test_train_loss_is_mean_batch_loss() -> None:
    items = make_items(num_rows=40)
    torch.manual_seed(3)
    model = MLPRegressor()
    reference = MLPRegressor()
    reference.load_state_dict(model.state_dict())
    trainer = CPUTrainer.build(
        model=model,
        train_loader=make_loader(items, batch_size=16, shuffle=False),
        max_epochs=1,
        progress_bar=False,
    )

    trainer.train()

    optimizer = torch.optim.Adam(reference.parameters(), lr=1e-3)
    losses = []
    for start in range(0, 40, 16):
        rows = items[start : start + 16]
        features = torch.stack([row["features"] for row in rows])
        target = torch.stack([row["target"] for row in rows])
        optimizer.zero_grad()
        loss = (reference(features) - target).pow(2).mean()
        losses.append(loss.item())
        loss.backward()
        optimizer.step()
    scores = trainer.epoch_scores
    assert list(scores.index) == [1]
    assert list(scores.columns) == ["train/loss"]
    assert abs(scores.loc[1, "train/loss"] - sum(losses) / len(losses)) < 1e-6


def test_gradient_accumulation_matches_manual_loop() -> None:
    items = make_items(num_rows=64)

    class AccumulatingTrainer(CPUTrainer):
        def _get_gradient_accumulation_steps(self) -> int:
            return 2

    torch.manual_seed(5)
    model = MLPRegressor()
    reference = MLPRegressor()
    reference.load_state_dict(model.state_dict())
    trainer = AccumulatingTrainer.build(
        model=model,
        train_loader=make_loader(items, batch_size=8, shuffle=False),
        max_epochs=1,
        progress_bar=False,
    )
    trainer.train()

    optimizer = torch.optim.Adam(reference.parameters(), lr=1e-3)
    for step in range(4):
        optimizer.zero_grad()
        for micro in range(2):
            rows = items[(2 * step + micro) * 8 : (2 * step + micro + 1) * 8]
            features = torch.stack([row["features"] for row in rows])
            target = torch.stack([row["target"] for row in rows])
            ((reference(features) - target).pow(2).mean() / 2).backward()
        optimizer.step()
    assert trainer.global_step == 4
    for name, tensor in reference.state_dict().items():
        assert torch.equal(tensor, model.state_dict()[name]), name


def test_gradient_clipping_matches_manual_loop() -> None:
    items = make_items(num_rows=32)

    class ClippingTrainer(CPUTrainer):
        def _get_gradient_clip_norm(self) -> float | None:
            return 0.05

        def _get_optimizer(self) -> torch.optim.Optimizer:
            return torch.optim.SGD(self.model.parameters(), lr=0.1)

    torch.manual_seed(6)
    model = MLPRegressor()
    reference = MLPRegressor()
    reference.load_state_dict(model.state_dict())
    trainer = ClippingTrainer.build(
        model=model,
        train_loader=make_loader(items, batch_size=32, shuffle=False),
        max_epochs=1,
        progress_bar=False,
    )
    trainer.train()

    optimizer = torch.optim.SGD(reference.parameters(), lr=0.1)
    features = torch.stack([row["features"] for row in items])
    target = torch.stack([row["target"] for row in items])
    (reference(features) - target).pow(2).mean().backward()
    total_norm = torch.nn.utils.clip_grad_norm_(reference.parameters(), 0.05)
    optimizer.step()
    assert total_norm.item() > 0.05
    for name, tensor in reference.state_dict().items():
        assert torch.equal(tensor, model.state_dict()[name]), name
