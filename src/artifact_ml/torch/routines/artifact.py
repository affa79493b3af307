"""``ArtifactRoutine``: a validation plan run on the model, with a period per data split."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from artifact_ml.torch.model import Model

if TYPE_CHECKING:
    from artifact_ml.experiment import DataSplit

__all__ = ["ArtifactRoutine", "ModelT_contra"]

ModelT_contra = TypeVar("ModelT_contra", bound=Model[Any, Any], contravariant=True)


class ArtifactRoutine(ABC, Generic[ModelT_contra]):
    """A routine that computes validation artifacts from a model of type ``ModelT_contra``.

    Subclasses set ``period`` (in epochs) and may set ``periods``, a mapping from ``DataSplit`` to
    the period of that split. A split missing from ``periods`` uses ``period``. A split runs at
    epochs that are multiples of its period and at the last epoch::

        class MyArtifactRoutine(TableComparisonRoutine):
            plan = MyPlan
            period = 5                          # validation (and any split not listed below)
            periods = {DataSplit.TRAIN: 10}     # the train split every 10 epochs

    Which splits a routine compares is up to the instance (``splits``); by default only
    ``DataSplit.VALIDATION``. The type parameter is the model interface the routine needs, so a
    type checker rejects a routine for a trainer whose model does not provide that interface.

    Raises (when the subclass is defined):
        ValueError: if ``period`` or a value of ``periods`` is below 1.
        TypeError: if a key of ``periods`` is not a ``DataSplit``.
    """

    period: ClassVar[int] = 1
    periods: ClassVar[Mapping[DataSplit, int]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        from artifact_ml.experiment import DataSplit

        if cls.period < 1:
            raise ValueError(f"{cls.__name__}.period must be >= 1 epoch, got {cls.period}.")
        for split, split_period in cls.periods.items():
            if not isinstance(split, DataSplit):
                raise TypeError(
                    f"{cls.__name__}.periods has key {split!r}; use DataSplit members, such as "
                    "{DataSplit.TRAIN: 10}."
                )
            if split_period < 1:
                raise ValueError(
                    f"{cls.__name__}.periods[{split}] must be >= 1 epoch, got {split_period}."
                )

    @property
    def splits(self) -> tuple[DataSplit, ...]:
        """The splits this routine computes artifacts for; by default only the validation split."""
        from artifact_ml.experiment import DataSplit

        return (DataSplit.VALIDATION,)

    def period_of(self, split: DataSplit) -> int:
        """Return the period of ``split`` in epochs: ``periods[split]``, else ``period``."""
        return self.periods.get(split, self.period)

    def due_splits(self, epoch: int, *, is_last_epoch: bool) -> tuple[DataSplit, ...]:
        """Return the splits due at ``epoch`` (1-based), in the order of ``splits``."""
        return tuple(
            split for split in self.splits if is_last_epoch or epoch % self.period_of(split) == 0
        )

    def is_due(self, epoch: int, *, is_last_epoch: bool) -> bool:
        """Return whether any split runs at ``epoch`` (1-based)."""
        return bool(self.due_splits(epoch, is_last_epoch=is_last_epoch))

    def run(self, model: ModelT_contra, epoch: int, *, is_last_epoch: bool) -> dict[str, float]:
        """Execute the splits due at ``epoch`` and return their scores by full name.

        Returns an empty dict, without executing anything, when ``is_due`` is false. A subclass
        that overrides ``is_due`` to add epochs (such as the first) runs every split at an added
        epoch where no split's period is due.
        """
        if not self.is_due(epoch, is_last_epoch=is_last_epoch):
            return {}
        due = self.due_splits(epoch, is_last_epoch=is_last_epoch) or self.splits
        return self.execute_splits(model, epoch, due)

    def execute_splits(
        self, model: ModelT_contra, epoch: int, splits: Sequence[DataSplit]
    ) -> dict[str, float]:
        """Compute and log the artifacts of ``splits`` at ``epoch``; return their scores.

        The default calls ``execute(model, epoch)``, which fits a routine with one split. A
        routine with several splits overrides this method to compute only the due ones.
        """
        return self.execute(model, epoch)

    @abstractmethod
    def execute(self, model: ModelT_contra, epoch: int) -> dict[str, float]:
        """Compute and log the artifacts at ``epoch``; return the scores by full name, such as
        ``"validation/mean_js_distance"``."""
