"""``ArtifactRoutine``: a validation plan run on the model every ``period`` epochs."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Generic, TypeVar

from artifact_ml.torch.model import Model

__all__ = ["ArtifactRoutine", "ModelT_contra"]

ModelT_contra = TypeVar("ModelT_contra", bound=Model[Any, Any], contravariant=True)


class ArtifactRoutine(ABC, Generic[ModelT_contra]):
    """A routine that computes validation artifacts from a model of type ``ModelT_contra``.

    Subclasses set ``period`` (in epochs): the routine runs at epochs that are multiples of it
    and at the last epoch. The type parameter is the model interface the routine needs, so a type
    checker rejects a routine for a trainer whose model does not provide that interface.
    """

    period: ClassVar[int] = 1

    def is_due(self, epoch: int, *, is_last_epoch: bool) -> bool:
        """Return whether the routine runs at ``epoch`` (1-based)."""
        if self.period < 1:
            raise ValueError(f"{type(self).__name__}.period must be >= 1 epoch, got {self.period}.")
        return is_last_epoch or epoch % self.period == 0

    def run(self, model: ModelT_contra, epoch: int, *, is_last_epoch: bool) -> dict[str, float]:
        """Execute the routine if it is due at ``epoch`` and return its scores by full name."""
        if not self.is_due(epoch, is_last_epoch=is_last_epoch):
            return {}
        return self.execute(model, epoch)

    @abstractmethod
    def execute(self, model: ModelT_contra, epoch: int) -> dict[str, float]:
        """Compute and log the artifacts at ``epoch``; return the scores by full name, such as
        ``"validation/mean_js_distance"``."""
