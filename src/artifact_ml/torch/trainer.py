"""``CustomTrainer``: the training loop, configured through hook methods with defaults."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Self, cast

import pandas as pd
import torch
from torch.nn.parallel import DistributedDataParallel
from torch.optim.lr_scheduler import LRScheduler
from torch.utils.data.distributed import DistributedSampler
from typing_extensions import TypeVar

from artifact_ml.torch.callbacks.checkpoint import CheckpointCallback
from artifact_ml.torch.checkpoint import load_checkpoint
from artifact_ml.torch.data import DataLoader
from artifact_ml.torch.device import select_default_device
from artifact_ml.torch.distributed import detect_distributed_context
from artifact_ml.torch.early_stopping import EarlyStopper
from artifact_ml.torch.errors import NonFiniteLossPolicy
from artifact_ml.torch.io import InputT, OutputT
from artifact_ml.torch.model import Model
from artifact_ml.torch.model_tracking import ModelTracker
from artifact_ml.torch.monitor_names import MonitoredNameCheck
from artifact_ml.torch.precision import Precision, autocast_factory, make_grad_scaler
from artifact_ml.torch.progress import ProgressBar
from artifact_ml.torch.routines.artifact import ArtifactRoutine
from artifact_ml.torch.routines.batch import BatchRoutine
from artifact_ml.torch.routines.data_loader import DataLoaderRoutine
from artifact_ml.torch.scheduling import SchedulerInterval
from artifact_ml.torch.score_cache import ScoreCache
from artifact_ml.torch.termination import sigterm_raises
from artifact_ml.torch.training_loop import TrainingLoop

if TYPE_CHECKING:
    from artifact_ml.experiment import TrackingClient

__all__ = ["CustomTrainer", "ModelT"]

logger = logging.getLogger(__name__)

ModelT = TypeVar("ModelT", bound=Model[Any, Any], default=Any)

DEFAULT_MAX_EPOCHS = 10


class CustomTrainer(TrainingLoop[InputT, OutputT], Generic[InputT, OutputT, ModelT]):
    """Trains a ``Model[InputT, OutputT]``; subclasses configure it by overriding ``_get_*`` hooks.

    ``build`` places the model and loader on ``_get_device()``. The other hooks run once, at the
    first ``train()`` or ``load_checkpoint()``, so they may use ``self.model``,
    ``self.train_loader``, ``self.tracking_client`` and ``self.device``.

    The optional third type parameter ``ModelT`` declares the model interface that the artifact
    routine may require, such as ``TableSynthesizer[MyInput, MyOutput]``. A type checker then
    rejects an artifact routine that needs another interface. It defaults to ``Any``, which
    accepts every routine.

    NOTE: two gaps in the static checks remain. A two-parameter ``CustomTrainer[In, Out]`` has
    ``ModelT = Any``, so mypy accepts any artifact routine there, even a
    ``TableComparisonRoutine`` for a model that is no ``TableSynthesizer``. Declare the third
    parameter to get that check. And ``build(model=...)`` checks the model against
    ``Model[InputT, OutputT]`` only, not against ``ModelT``, because typing the parameter as
    ``ModelT`` would drop the input and output check of every two-parameter trainer (``Any``
    accepts everything) and Python types have no intersection. At runtime, a routine that needs
    a ``TableSynthesizer`` raises ``TypeError`` when it first runs on another model.

    Several processes: launched with ``torchrun``, the trainer joins (or initialises from the
    environment) the default process group, places the model on ``cuda:<LOCAL_RANK>`` when CUDA is
    available, and trains through ``DistributedDataParallel`` (see ``_get_distributed_model``).
    Only rank 0 logs to the tracking client, writes checkpoints, shows the progress bar and runs
    the batch, data-loader and artifact routines and checkpoint callbacks. The other ranks wait
    for it at a barrier after each checkpoint and receive its routine scores, so every rank's
    ``epoch_scores``, early stopper and model tracker agree. Build the training loader with
    ``sampler=DistributedSampler(dataset)`` so that each rank trains on its own shard; the trainer
    calls the sampler's ``set_epoch`` before each epoch. Every rank reads ``resume_from``, so put
    checkpoints on a filesystem that every rank sees.
    """

    @classmethod
    def build(
        cls,
        model: Model[InputT, OutputT] | DistributedDataParallel,
        train_loader: DataLoader[InputT],
        tracking_client: TrackingClient | None = None,
        *,
        max_epochs: int | None = None,
        checkpoint_dir: str | Path | None = None,
        progress_bar: bool | None = None,
    ) -> Self:
        """Build a trainer.

        Args:
            model: the model to train, or a ``DistributedDataParallel`` wrapping it (then used as
                the DDP model under ``torchrun`` instead of a wrapper the trainer builds).
            train_loader: the training batches.
            tracking_client: where the trainer logs its own epoch scores (``"train/loss"``).
                Routines log to the client they were built with.
            max_epochs: the epoch bound; overrides ``_get_max_epochs()``.
            checkpoint_dir: the folder of checkpoint files; overrides ``_get_checkpoint_dir()``.
                Without one, no checkpoint is written.
            progress_bar: ``True``/``False`` forces the progress bar on or off; ``None`` (the
                default) shows it only when stderr is a terminal.

        Raises:
            ValueError: if ``max_epochs`` < 1.
            TypeError: if ``model`` is not a ``Model`` (nor a DDP wrapper of one).
        """
        return cls(
            model=model,
            train_loader=train_loader,
            tracking_client=tracking_client,
            max_epochs=max_epochs,
            checkpoint_dir=checkpoint_dir,
            progress_bar=progress_bar,
        )

    def __init__(
        self,
        model: Model[InputT, OutputT] | DistributedDataParallel,
        train_loader: DataLoader[InputT],
        tracking_client: TrackingClient | None = None,
        *,
        max_epochs: int | None = None,
        checkpoint_dir: str | Path | None = None,
        progress_bar: bool | None = None,
    ) -> None:
        if max_epochs is not None:
            _check_max_epochs(max_epochs, source="max_epochs")
        if not isinstance(train_loader, DataLoader):
            raise TypeError(
                f"{type(self).__name__} needs train_loader to be an artifact_ml.torch.DataLoader, "
                f"got {type(train_loader).__module__}.{type(train_loader).__qualname__}; build it "
                "as DataLoader(Dataset(items), batch_size=...) with items that are the model's "
                "input dicts, so that the trainer can move each batch to its device."
            )
        given_wrapper = model if isinstance(model, DistributedDataParallel) else None
        module = model.module if given_wrapper is not None else model
        if not isinstance(module, Model):
            raise TypeError(
                f"CustomTrainer needs an artifact_ml.torch.Model, got {type(module).__name__}; "
                "derive the model from Model (or TableSynthesizer) and implement training_step."
            )
        self.model: Model[InputT, OutputT] = module
        self.distributed = detect_distributed_context()
        self._given_distributed_model = given_wrapper
        self.train_loader = train_loader
        self.tracking_client = tracking_client
        self.score_cache = ScoreCache()
        self.epoch = 0
        self.global_step = 0
        self.progress_bar = ProgressBar(progress_bar if self.distributed.is_main_process else False)
        self._max_epochs_argument = max_epochs
        self._checkpoint_dir_argument = None if checkpoint_dir is None else Path(checkpoint_dir)
        self._is_set_up = False
        self.batch_contract_checked = False
        self.monitored_name_check = MonitoredNameCheck(monitors={}, routines=())

        self.device = torch.device(self._get_device())
        self.model.to(self.device)
        self.train_loader.device = self.device

    @property
    def epoch_scores(self) -> pd.DataFrame:
        """Every epoch-level score: a DataFrame indexed by epoch (1-based), one column per name.

        ``"train/loss"`` (the mean over the epoch's batches of the training loss) is present at
        every epoch. Epochs appear only if they have a score, so no row is all NaN.
        """
        return self.score_cache.to_frame()

    def restore_best_model(self) -> None:
        """Load the model tracker's best state into ``self.model``.

        Raises:
            RuntimeError: if the trainer has no model tracker, or the tracker kept no state.
        """
        self._set_up()
        if self.model_tracker is None:
            raise RuntimeError(
                f"{type(self).__name__} has no model tracker; override _get_model_tracker to "
                "return a ModelTracker before training."
            )
        self.model_tracker.restore(self.model)

    # Hooks. Override these in a subclass to configure training.

    def _get_optimizer(self) -> torch.optim.Optimizer:
        """Return the optimizer; by default Adam with learning rate 1e-3 over all parameters."""
        return torch.optim.Adam(self.model.parameters(), lr=1e-3)

    def _get_scheduler(self) -> LRScheduler | None:
        """Return a learning-rate scheduler over ``self.optimizer``; by default none."""
        return None

    def _get_scheduler_interval(self) -> SchedulerInterval:
        """Return when the scheduler steps; by default after each epoch."""
        return SchedulerInterval.EPOCH

    def _get_scheduler_monitor(self) -> str:
        """Return the cached score that ``ReduceLROnPlateau`` follows; by default "train/loss"."""
        return "train/loss"

    def _get_device(self) -> torch.device:
        """Return the training device; by default CUDA if available, then MPS, then the CPU.

        Under ``torchrun`` with CUDA, the default is ``cuda:<LOCAL_RANK>``, which also becomes the
        current CUDA device.
        """
        device = select_default_device()
        if device.type == "cuda" and self.distributed.is_distributed:
            # NOTE: checked by reading only; the tests run on machines without CUDA.
            device = torch.device("cuda", self.distributed.local_rank)
            torch.cuda.set_device(device)
        return device

    def _get_distributed_model(self) -> DistributedDataParallel:
        """Return the DDP wrapper that trains ``self.model`` when several processes train.

        Called only under ``torchrun`` (world size > 1), once, at set-up. By default it returns the
        wrapper given to ``build``, else ``DistributedDataParallel(self.model)`` with
        ``device_ids=[device]`` on CUDA. Override it to pass other DDP options, such as
        ``find_unused_parameters=True``. The trainer routes each ``training_step`` through the
        wrapper's ``forward``, so DDP averages the gradients over the ranks in each backward pass.
        """
        if self._given_distributed_model is not None:
            return self._given_distributed_model
        device_ids = [self.device] if self.device.type == "cuda" else None
        return DistributedDataParallel(self.model, device_ids=device_ids)

    def _get_max_epochs(self) -> int:
        """Return the epoch bound, used when ``build`` got no ``max_epochs``; by default 10."""
        return DEFAULT_MAX_EPOCHS

    def _get_gradient_clip_norm(self) -> float | None:
        """Return the max L2 norm of all gradients together (``clip_grad_norm_``); default none."""
        return None

    def _get_gradient_accumulation_steps(self) -> int:
        """Return the number of batches whose gradients add up before each optimizer step.

        The default is 1. Each batch's loss is divided by this number before its backward pass,
        also in a shorter last group of an epoch.
        """
        return 1

    def _get_precision(self) -> Precision:
        """Return the forward-pass precision; by default ``Precision.FP32`` (no autocast)."""
        return Precision.FP32

    def _get_nonfinite_loss_policy(self) -> NonFiniteLossPolicy:
        """Return what happens on a NaN or infinite loss.

        The default, in one process on the CPU, is ``RAISE_IMMEDIATELY``: each batch's loss is
        checked before its backward pass (about 0.6 µs per batch) and the error names the first
        bad batch's epoch and batch before the optimizer applies it. On CUDA or MPS that check
        would wait for the device at every batch, and under ``torchrun`` it would add one
        all-gather per batch, so there the default is ``RAISE``: one check at the end of the
        epoch, which names the same epoch and batch but after the epoch's optimizer steps ran.
        Return ``RAISE_IMMEDIATELY`` to stop at the bad batch on any device.
        """
        if self.device.type == "cpu" and not self.distributed.is_distributed:
            return NonFiniteLossPolicy.RAISE_IMMEDIATELY
        return NonFiniteLossPolicy.RAISE

    def _get_early_stopper(self) -> EarlyStopper | None:
        """Return the early stopper; by default none (training runs to the epoch bound)."""
        return None

    def _get_model_tracker(self) -> ModelTracker | None:
        """Return the best-model tracker; by default none."""
        return None

    def _get_checkpoint_dir(self) -> Path | None:
        """Return the checkpoint folder; by default the ``checkpoint_dir`` given to ``build``."""
        return self._checkpoint_dir_argument

    def _get_checkpoint_period(self) -> int:
        """Return the checkpoint period in epochs; by default 1.

        A checkpoint is also written at the epoch where training ends.
        """
        return 1

    def _get_checkpoint_callbacks(self) -> Sequence[CheckpointCallback]:
        """Return the callbacks run after each checkpoint write, such as a
        ``CheckpointLoggingCallback``; by default none. They need a checkpoint folder."""
        return ()

    def _get_batch_routine(self) -> BatchRoutine[InputT, OutputT] | None:
        """Return the routine fed by the training batches; by default none."""
        return None

    def _get_loader_routine(self) -> DataLoaderRoutine[InputT, OutputT] | None:
        """Return the routine run over data loaders after each epoch; by default none."""
        return None

    def _get_artifact_routine(self) -> ArtifactRoutine[ModelT] | None:
        """Return the validation-artifact routine; by default none."""
        return None

    # Set-up and checkpoints.

    def _set_up(self) -> None:
        if self._is_set_up:
            return
        max_epochs = self._max_epochs_argument or self._get_max_epochs()
        if self._max_epochs_argument is None:
            _check_max_epochs(max_epochs, source="_get_max_epochs()")
        accumulation_steps = self._get_gradient_accumulation_steps()
        if accumulation_steps < 1:
            raise ValueError(
                f"_get_gradient_accumulation_steps must return >= 1, got {accumulation_steps}."
            )

        self.max_epochs = max_epochs
        self.accumulation_steps = accumulation_steps
        self.gradient_clip_norm = self._get_gradient_clip_norm()

        self.optimizer = self._get_optimizer()
        self.scheduler = self._get_scheduler()
        self.scheduler_interval = self._get_scheduler_interval()
        self.scheduler_monitor = self._get_scheduler_monitor()
        self.precision = self._get_precision()
        self.autocast = autocast_factory(self.precision, self.device)
        self.grad_scaler = make_grad_scaler(self.precision, self.device)

        self.nonfinite_loss_policy = self._get_nonfinite_loss_policy()
        self.early_stopper = self._get_early_stopper()
        self.model_tracker = self._get_model_tracker()
        self.checkpoint_dir = self._get_checkpoint_dir()
        self.checkpoint_period = self._get_checkpoint_period()
        if self.checkpoint_period < 1:
            raise ValueError(
                f"_get_checkpoint_period must return >= 1 epoch, got {self.checkpoint_period}."
            )

        self.checkpoint_callbacks = tuple(self._get_checkpoint_callbacks())
        if self.checkpoint_callbacks and self.checkpoint_dir is None:
            raise ValueError(
                f"{type(self).__name__} has checkpoint callbacks but no checkpoint folder, so no "
                "checkpoint is written; pass checkpoint_dir=... to build or override "
                "_get_checkpoint_dir."
            )

        self.batch_routine = self._get_batch_routine()
        self.loader_routine = self._get_loader_routine()
        if self.loader_routine is not None:
            self.loader_routine.set_device(self.device)
        self.artifact_routine = cast(
            "ArtifactRoutine[Model[InputT, OutputT]] | None", self._get_artifact_routine()
        )
        self.monitored_name_check = self._make_monitored_name_check()
        self.distributed_model = None
        if self.distributed.is_distributed:
            self._set_up_distributed()
        self._is_set_up = True

    def _make_monitored_name_check(self) -> MonitoredNameCheck:
        monitors = {}
        if self.early_stopper is not None:
            monitors["EarlyStopper"] = self.early_stopper.monitor
        if self.model_tracker is not None:
            monitors["ModelTracker"] = self.model_tracker.monitor
        routines = [
            name
            for name, routine in (
                ("batch routine", self.batch_routine),
                ("loader routine", self.loader_routine),
                ("artifact routine", self.artifact_routine),
            )
            if routine is not None
        ]
        return MonitoredNameCheck(monitors=monitors, routines=routines)

    def _set_up_distributed(self) -> None:
        self.distributed_model = self._get_distributed_model()
        if not self.distributed.is_main_process:
            # Rank 0 alone runs routines and checkpoint callbacks; the others get its scores.
            self.batch_routine = None
            self.loader_routine = None
            self.artifact_routine = None
            self.checkpoint_callbacks = ()
        if not isinstance(self.train_loader.loader.sampler, DistributedSampler):
            logger.warning(
                "Rank %d trains on the whole training set, because the training loader has no "
                "DistributedSampler; pass sampler=DistributedSampler(dataset) to DataLoader to "
                "give each of the %d ranks its own shard.",
                self.distributed.rank,
                self.distributed.world_size,
            )

    def load_checkpoint(self, path: str | Path) -> None:
        """Restore the training state saved in ``path`` so that ``train()`` continues from it.

        The file is loaded with ``weights_only=True``. Restored: model, optimizer, scheduler,
        gradient scaler, epoch and step counters, cached scores, early stopper, model tracker,
        the torch/numpy/``random`` generator states and the training loader's generator.

        Raises:
            FileNotFoundError: if ``path`` does not exist.
            ValueError: if the file is no checkpoint, or its early stopper or model tracker
                monitor another score than this trainer's.
        """
        self._set_up()
        state = load_checkpoint(path)
        self.restore_state(state)
        logger.info("Resumed from checkpoint %s at epoch %d.", path, self.epoch)

    def train(
        self, *, resume_from: str | Path | None = None, max_epochs: int | None = None
    ) -> pd.DataFrame:
        """Train up to the epoch bound or an early stop, and return ``epoch_scores``.

        A second call continues from ``self.epoch``, as Lightning's ``fit`` does: with a larger
        ``max_epochs`` it trains the added epochs, and without one (once the bound is reached) it
        logs that at INFO and returns ``epoch_scores`` unchanged.

        Args:
            resume_from: a checkpoint file to continue from (see ``load_checkpoint``).
            max_epochs: a new epoch bound for this and later calls; by default the current one.

        Raises:
            Terminated: if the process receives SIGTERM while it trains (in the main thread and
                when no other SIGTERM handler is set; see ``artifact_ml.torch.termination``).
                It is a ``KeyboardInterrupt``, so ``with client:`` records the run as killed.
            NonFiniteLossError: if a loss is NaN or infinite under ``NonFiniteLossPolicy``
                ``RAISE_IMMEDIATELY`` (at the bad batch) or ``RAISE`` (at epoch end); see
                ``_get_nonfinite_loss_policy`` for the default.
            TypeError: if the loader yields no input dict, ``training_step`` returns no dict or
                its loss is no tensor (checked at the first batch), or ``max_epochs`` is no int.
            ValueError: if ``training_step`` returns no ``"loss"`` or a loss with more than one
                element or without grad (checked at the first batch), if an epoch has no batch,
                or if ``max_epochs`` < 1.
        """
        if max_epochs is not None:
            _check_max_epochs(max_epochs, source="max_epochs")
            self._max_epochs_argument = max_epochs
        if resume_from is not None:
            self.load_checkpoint(resume_from)
        self._set_up()
        if max_epochs is not None:
            self.max_epochs = max_epochs
        with sigterm_raises():
            self.run_epochs()
        return self.epoch_scores


def _check_max_epochs(max_epochs: object, *, source: str) -> None:
    """Raise ``TypeError`` unless ``max_epochs`` is an int, ``ValueError`` unless it is >= 1."""
    if isinstance(max_epochs, bool) or not isinstance(max_epochs, int):
        raise TypeError(
            f"{source} must be a whole number of epochs (int), got {max_epochs!r} of type "
            f"{type(max_epochs).__name__}; pass for example max_epochs=3."
        )
    if max_epochs < 1:
        raise ValueError(f"{source} must be >= 1, got {max_epochs}.")
