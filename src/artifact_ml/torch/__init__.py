"""Training framework: typed model I/O, models, data, ``CustomTrainer``, callbacks and routines.

Importing this package imports torch but no tracking backend.
"""

from artifact_ml.torch.callbacks.activation_distribution import ActivationDistributionCallback
from artifact_ml.torch.callbacks.base import Callback
from artifact_ml.torch.callbacks.checkpoint import CheckpointCallback, CheckpointLoggingCallback
from artifact_ml.torch.callbacks.gradient_norm import GradientNormCallback
from artifact_ml.torch.callbacks.hooks import BackwardHookCallback, ForwardHookCallback
from artifact_ml.torch.callbacks.learning_rate import LearningRateCallback
from artifact_ml.torch.callbacks.model_io import ModelIOCallback
from artifact_ml.torch.callbacks.optimizer_state import OptimizerCallback
from artifact_ml.torch.callbacks.output_means import MeanLossCallback, ScalarOutputMeanCallback
from artifact_ml.torch.checkpoint import latest_checkpoint, load_checkpoint
from artifact_ml.torch.data import DataLoader, Dataset
from artifact_ml.torch.device import move_to_device, select_default_device
from artifact_ml.torch.distributed import DistributedContext, detect_distributed_context
from artifact_ml.torch.early_stopping import EarlyStopper
from artifact_ml.torch.errors import NonFiniteLossError, NonFiniteLossPolicy
from artifact_ml.torch.io import ModelInput, ModelOutput
from artifact_ml.torch.model import Model, TableSynthesizer
from artifact_ml.torch.model_tracking import ModelTracker
from artifact_ml.torch.monitoring import MonitorMode
from artifact_ml.torch.precision import Precision
from artifact_ml.torch.routines.artifact import ArtifactRoutine
from artifact_ml.torch.routines.batch import BatchRoutine
from artifact_ml.torch.routines.data_loader import DataLoaderRoutine
from artifact_ml.torch.routines.table_comparison import TableComparisonRoutine
from artifact_ml.torch.scheduling import SchedulerInterval
from artifact_ml.torch.score_cache import ScoreCache
from artifact_ml.torch.termination import Terminated, sigterm_raises
from artifact_ml.torch.trainer import CustomTrainer

__all__ = [
    "ActivationDistributionCallback",
    "ArtifactRoutine",
    "BackwardHookCallback",
    "BatchRoutine",
    "Callback",
    "CheckpointCallback",
    "CheckpointLoggingCallback",
    "CustomTrainer",
    "DataLoader",
    "DataLoaderRoutine",
    "Dataset",
    "DistributedContext",
    "EarlyStopper",
    "ForwardHookCallback",
    "GradientNormCallback",
    "LearningRateCallback",
    "MeanLossCallback",
    "Model",
    "ModelIOCallback",
    "ModelInput",
    "ModelOutput",
    "ModelTracker",
    "MonitorMode",
    "NonFiniteLossError",
    "NonFiniteLossPolicy",
    "OptimizerCallback",
    "Precision",
    "ScalarOutputMeanCallback",
    "SchedulerInterval",
    "ScoreCache",
    "TableComparisonRoutine",
    "TableSynthesizer",
    "Terminated",
    "detect_distributed_context",
    "latest_checkpoint",
    "load_checkpoint",
    "move_to_device",
    "select_default_device",
    "sigterm_raises",
]
