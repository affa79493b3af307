"""Experiment layer: tracking clients for every backend and validation plans that log through them.

Every client is built with ``XTrackingClient.build(experiment_id=..., run_id=None, ...)``, logs the
six result kinds plus files through a background worker, and is stopped with ``stop()`` or a
``with`` block. Backend libraries (mlflow, clearml, neptune) are imported only when their client
is built, and the validation plans (which import ``artifact_ml.core.table_comparison``) only when
first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from artifact_ml.experiment.data_split import DataSplit
from artifact_ml.experiment.delivery import DeliveryConfig
from artifact_ml.experiment.factory import TRACKING_BACKENDS, build_tracking_client
from artifact_ml.experiment.filesystem import FilesystemTrackingClient
from artifact_ml.experiment.in_memory import InMemoryTrackingClient
from artifact_ml.experiment.tracking_client import TrackingClient
from artifact_ml.experiment.validation_results import ValidationResults

if TYPE_CHECKING:
    from artifact_ml.experiment.clearml_client import ClearMLTrackingClient
    from artifact_ml.experiment.mlflow_client import MlflowTrackingClient
    from artifact_ml.experiment.neptune_client import NeptuneTrackingClient
    from artifact_ml.experiment.table_comparison_plan import TableComparisonPlan
    from artifact_ml.experiment.validation_plan import ValidationPlan

__all__ = [
    "TRACKING_BACKENDS",
    "ClearMLTrackingClient",
    "DataSplit",
    "DeliveryConfig",
    "FilesystemTrackingClient",
    "InMemoryTrackingClient",
    "MlflowTrackingClient",
    "NeptuneTrackingClient",
    "TableComparisonPlan",
    "TrackingClient",
    "ValidationPlan",
    "ValidationResults",
    "build_tracking_client",
]

_LAZY_MODULES = {
    "ClearMLTrackingClient": "artifact_ml.experiment.clearml_client",
    "MlflowTrackingClient": "artifact_ml.experiment.mlflow_client",
    "NeptuneTrackingClient": "artifact_ml.experiment.neptune_client",
    "TableComparisonPlan": "artifact_ml.experiment.table_comparison_plan",
    "ValidationPlan": "artifact_ml.experiment.validation_plan",
}


def __getattr__(name: str) -> Any:
    module = _LAZY_MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'artifact_ml.experiment' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
