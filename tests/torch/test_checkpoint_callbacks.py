"""Checkpoint callbacks: checkpoint files logged to tracking clients and loaded back."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import pytest
import torch
from trainer_fixtures import CPUTrainer, MLPRegressor, make_items, make_loader

from artifact_ml.experiment import FilesystemTrackingClient, InMemoryTrackingClient, TrackingClient
from artifact_ml.torch import CheckpointCallback, CheckpointLoggingCallback


def _trainer_class(client: TrackingClient, period: int) -> type[CPUTrainer]:
    class LoggingTrainer(CPUTrainer):
        def _get_checkpoint_callbacks(self) -> Sequence[CheckpointCallback]:
            return [CheckpointLoggingCallback(client, period=period)]

    return LoggingTrainer


def _train(trainer_class: type[CPUTrainer], checkpoint_dir: Path, max_epochs: int) -> CPUTrainer:
    torch.manual_seed(0)
    model = MLPRegressor()
    loader = make_loader(make_items(num_rows=48), batch_size=16, shuffle=False)
    trainer = trainer_class.build(
        model=model, train_loader=loader, max_epochs=max_epochs, checkpoint_dir=checkpoint_dir
    )
    trainer.train()
    return trainer


def _assert_same_state(loaded: dict[str, torch.Tensor], expected: dict[str, torch.Tensor]) -> None:
    assert list(loaded) == list(expected)
    for name, tensor in expected.items():
        assert torch.equal(loaded[name], tensor), name


def test_in_memory_client_receives_due_checkpoints(tmp_path: Path) -> None:
    client = InMemoryTrackingClient.build(experiment_id="checkpoints")

    trainer = _train(_trainer_class(client, period=2), tmp_path / "run", max_epochs=3)
    client.stop()

    logged = client.files["checkpoints"]
    assert [step for step, _ in logged] == [2, 3]  # epoch 2 by period, epoch 3 as the last
    final = torch.load(io.BytesIO(logged[1][1]), weights_only=True)
    assert final["epoch"] == 3
    _assert_same_state(final["model"], trainer.model.state_dict())
    assert logged[0][1] == (tmp_path / "run" / "epoch_0002.pt").read_bytes()

    # The epoch-2 file contains the weights of a separate run stopped after 2 epochs.
    two_epochs = _train(CPUTrainer, tmp_path / "two", max_epochs=2)
    at_epoch_2 = torch.load(io.BytesIO(logged[0][1]), weights_only=True)
    _assert_same_state(at_epoch_2["model"], two_epochs.model.state_dict())


def test_filesystem_client_stores_loadable_checkpoint(tmp_path: Path) -> None:
    client = FilesystemTrackingClient.build(experiment_id="checkpoints", root_dir=tmp_path / "runs")

    trainer = _train(_trainer_class(client, period=1), tmp_path / "run", max_epochs=2)
    client.stop()

    files = sorted(path.relative_to(client.run_dir) for path in client.run_dir.rglob("*.pt"))
    assert files == [
        Path("files/checkpoints/step_1/epoch_0001.pt"),
        Path("files/checkpoints/step_2/epoch_0002.pt"),
    ]
    loaded = torch.load(client.run_dir / files[1], weights_only=True)
    assert loaded["epoch"] == 2
    assert loaded["global_step"] == trainer.global_step == 6
    _assert_same_state(loaded["model"], trainer.model.state_dict())
    _assert_same_state(loaded["optimizer"]["state"][0], trainer.optimizer.state_dict()["state"][0])


def test_checkpoint_callback_needs_folder() -> None:
    client = InMemoryTrackingClient.build(experiment_id="no-folder")
    trainer = _trainer_class(client, period=1).build(
        model=MLPRegressor(), train_loader=make_loader(make_items(num_rows=16)), max_epochs=1
    )

    with pytest.raises(ValueError, match="has checkpoint callbacks but no checkpoint folder"):
        trainer.train()
    client.stop()
    assert client.files == {}


def test_checkpoint_callback_arguments() -> None:
    client = InMemoryTrackingClient.build(experiment_id="arguments")

    with pytest.raises(ValueError, match="period must be >= 1 epoch, got 0"):
        CheckpointLoggingCallback(client, period=0)
    with pytest.raises(ValueError, match="needs a non-empty name"):
        CheckpointLoggingCallback(client, name="")
    callback = CheckpointLoggingCallback(client, period=3)
    client.stop()

    assert [callback.is_due(epoch, is_last_epoch=False) for epoch in (1, 3, 4, 6)] == [
        False,
        True,
        False,
        True,
    ]
    assert callback.is_due(4, is_last_epoch=True) is True
