"""Process-wide test settings: a headless matplotlib and backends that never reach the network."""

import importlib.util
import os

import matplotlib

# Set before any backend library is imported, because MLflow and ClearML read them at import time.
os.environ.update(
    MLFLOW_DISABLE_TELEMETRY="true",
    DO_NOT_TRACK="true",
    MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR="false",
    CLEARML_OFFLINE_MODE="1",
    NEPTUNE_MODE="offline",
)
matplotlib.use("Agg")

# The tests' models are tiny, so one thread is faster than two and immune to a busy machine.
# The core and experiment layers also run without torch installed.
if importlib.util.find_spec("torch") is not None:
    import torch

    torch.set_num_threads(1)
