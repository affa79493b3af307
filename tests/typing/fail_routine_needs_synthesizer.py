"""Must fail: a table-comparison routine for a trainer whose model is no ``TableSynthesizer``."""

from __future__ import annotations

import pandas as pd
from typing_models import FeaturesInput, PlainModel, VAERoutine

from artifact_ml.torch import CustomTrainer, ModelOutput

validation_data = pd.DataFrame({"a": [1.0, 2.0]})


class PlainTrainer(CustomTrainer[FeaturesInput, ModelOutput, PlainModel]):
    def _get_artifact_routine(self) -> VAERoutine:
        return VAERoutine.build(validation_data)
