"""Must fail: a callback reads ``kl_divergence``, which the plain model's output lacks."""

from __future__ import annotations

from typing_models import FeaturesInput, MeanKLCallback

from artifact_ml.torch import BatchRoutine, CustomTrainer, ModelOutput


class PlainTrainer(CustomTrainer[FeaturesInput, ModelOutput]):
    def _get_batch_routine(self) -> BatchRoutine[FeaturesInput, ModelOutput] | None:
        return BatchRoutine.build(callbacks=[MeanKLCallback()])
