"""Mixed precision settings: bf16 autocast on the CPU and the fp16 device check."""

from __future__ import annotations

import pytest
import torch
from trainer_fixtures import (
    CPUTrainer,
    MLPRegressor,
    RegressionInput,
    RegressionOutput,
    make_items,
    make_loader,
)

from artifact_ml.torch import Precision
from artifact_ml.torch.precision import autocast_factory


class DtypeRecorder(MLPRegressor):
    """Records the dtype of the hidden layer's output on each training step."""

    def __init__(self) -> None:
        super().__init__()
        self.dtypes: list[torch.dtype] = []

    def training_step(self, batch: RegressionInput) -> RegressionOutput:
        self.dtypes.append(self.hidden(batch["features"]).dtype)
        return super().training_step(batch)


def test_bf16_autocast_on_cpu() -> None:
    class BF16Trainer(CPUTrainer):
        def _get_precision(self) -> Precision:
            return Precision.BF16

    model = DtypeRecorder()
    trainer = BF16Trainer.build(
        model=model, train_loader=make_loader(make_items(num_rows=32)), max_epochs=2
    )

    trainer.train()

    assert set(model.dtypes) == {torch.bfloat16}
    assert trainer.grad_scaler is None
    assert next(model.parameters()).dtype == torch.float32
    assert trainer.epoch_scores["train/loss"].notna().all()


def test_fp32_has_no_autocast() -> None:
    model = DtypeRecorder()
    trainer = CPUTrainer.build(
        model=model, train_loader=make_loader(make_items(num_rows=16)), max_epochs=1
    )

    trainer.train()

    assert set(model.dtypes) == {torch.float32}


def test_fp16_needs_cuda() -> None:
    with pytest.raises(ValueError, match=r"Precision\.FP16 needs a CUDA device, but training runs"):
        autocast_factory(Precision.FP16, torch.device("cpu"))
