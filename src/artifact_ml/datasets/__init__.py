"""Real tables bundled with artifact-ml, for the demo, tutorials and tests."""

from artifact_ml.datasets.adult import (
    ADULT_CATEGORICAL_FEATURES,
    ADULT_CONTINUOUS_FEATURES,
    ADULT_MISSING_VALUE,
    load_adult,
)

__all__ = [
    "ADULT_CATEGORICAL_FEATURES",
    "ADULT_CONTINUOUS_FEATURES",
    "ADULT_MISSING_VALUE",
    "load_adult",
]
