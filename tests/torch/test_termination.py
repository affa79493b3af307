"""SIGTERM inside ``sigterm_raises`` and ``CustomTrainer.train``: raised once as ``Terminated``,
then ignored, then the previous handler is back."""

from __future__ import annotations

import json
import logging
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from trainer_fixtures import (
    CPUTrainer,
    MLPRegressor,
    RegressionInput,
    RegressionOutput,
    make_items,
    make_loader,
)

from artifact_ml.torch.termination import Terminated, sigterm_raises


def _send_sigterm() -> None:
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(1.0)  # the handler runs at the next bytecode; the sleep is cut short


@pytest.fixture(autouse=True)
def default_sigterm_handler() -> Iterator[None]:
    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    yield
    signal.signal(signal.SIGTERM, previous)


def test_sigterm_raises_terminated() -> None:
    started = time.monotonic()

    with pytest.raises(Terminated, match="received SIGTERM"), sigterm_raises():
        _send_sigterm()

    assert time.monotonic() - started < 0.9
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_terminated_is_keyboard_interrupt() -> None:
    assert issubclass(Terminated, KeyboardInterrupt)


def test_second_sigterm_is_ignored(caplog: pytest.LogCaptureFixture) -> None:
    raised = 0
    with (
        caplog.at_level(logging.WARNING, logger="artifact_ml.torch.termination"),
        sigterm_raises(),
    ):
        try:
            _send_sigterm()
        except Terminated:
            raised += 1
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)

    assert raised == 1
    assert any("SIGTERM received again" in message for message in caplog.messages)


def test_own_sigterm_handler_is_kept() -> None:
    received: list[int] = []

    def handler(signal_number: int, frame: object) -> None:
        received.append(signal_number)

    signal.signal(signal.SIGTERM, handler)
    with sigterm_raises():
        assert signal.getsignal(signal.SIGTERM) is handler
        _send_sigterm()

    assert received == [signal.SIGTERM]
    assert signal.getsignal(signal.SIGTERM) is handler


class _SigtermAtBatch(MLPRegressor):
    """Sends SIGTERM to its own process at the ``batch``-th training step."""

    def __init__(self, batch: int) -> None:
        super().__init__()
        self.batch = batch
        self.steps = 0

    def training_step(self, batch: RegressionInput) -> RegressionOutput:
        self.steps += 1
        if self.steps == self.batch:
            os.kill(os.getpid(), signal.SIGTERM)
        return super().training_step(batch)


def test_trainer_sigterm_records_killed_run(tmp_path: Path) -> None:
    from artifact_ml.experiment import FilesystemTrackingClient

    model = _SigtermAtBatch(batch=15)  # 6 batches per epoch: stops in epoch 3
    with (
        pytest.raises(Terminated),
        FilesystemTrackingClient.build("exp", run_id="run", root_dir=tmp_path) as client,
    ):
        trainer = CPUTrainer.build(
            model=model,
            train_loader=make_loader(make_items(num_rows=96)),
            tracking_client=client,
            max_epochs=10,
            progress_bar=False,
        )
        trainer.train()

    losses = pd.read_csv(client.run_dir / "scores" / "train" / "loss.csv")
    assert json.loads((client.run_dir / "run.json").read_text())["status"] == "killed"
    assert losses["step"].tolist() == [1, 2]
    assert trainer.epoch == 2
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
