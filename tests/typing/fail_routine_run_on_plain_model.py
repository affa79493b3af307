"""Must fail: a table-comparison routine run directly on a model that is no ``TableSynthesizer``."""

from __future__ import annotations

import pandas as pd
from typing_models import PlainModel, VAERoutine

routine = VAERoutine.build(pd.DataFrame({"a": [1.0, 2.0]}))
scores = routine.run(PlainModel(), epoch=2, is_last_epoch=False)
