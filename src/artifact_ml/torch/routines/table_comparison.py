"""``TableComparisonRoutine``: compares a synthesizer's generated table with validation data."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar, Self

import pandas as pd
import torch

from artifact_ml.torch.model import TableSynthesizer
from artifact_ml.torch.rng import isolated_rng
from artifact_ml.torch.routines.artifact import ArtifactRoutine

if TYPE_CHECKING:
    from artifact_ml.core.table_comparison import TabularDataSpec
    from artifact_ml.experiment import TableComparisonPlan, TrackingClient, ValidationResults

__all__ = ["TableComparisonRoutine"]

logger = logging.getLogger(__name__)


class TableComparisonRoutine(ArtifactRoutine[TableSynthesizer[Any, Any]]):
    """Generate a synthetic table and run a ``TableComparisonPlan`` against validation data.

    Subclasses set ``plan`` (a ``TableComparisonPlan`` subclass) and ``period`` (epochs)::

        class MyArtifactRoutine(TableComparisonRoutine):
            plan = MyPlan
            period = 5

    At each due epoch the model generates ``num_samples`` rows in eval mode under
    ``torch.no_grad()``. The plan compares them with the validation data and logs every result as
    ``"validation/<artifact name>"`` with the epoch as step. The routine returns the scores.
    Generation runs with the torch, numpy and ``random`` states saved and restored, so it never
    changes the training's random streams.
    """

    plan: ClassVar[type[TableComparisonPlan]]

    def __init__(
        self,
        validation_data: pd.DataFrame,
        validation_plan: TableComparisonPlan,
        *,
        num_samples: int,
        seed: int | None,
    ) -> None:
        self.validation_data = validation_data
        self.validation_plan = validation_plan
        self.num_samples = num_samples
        self.seed = seed
        self.results: ValidationResults | None = None

    @classmethod
    def build(
        cls,
        validation_data: pd.DataFrame,
        tracking_client: TrackingClient | None = None,
        *,
        resource_spec: TabularDataSpec | None = None,
        num_samples: int | None = None,
        seed: int | None = None,
    ) -> Self:
        """Build the routine for ``validation_data``.

        Args:
            validation_data: the real table the synthetic one is compared with.
            tracking_client: where the plan logs its results, if anywhere.
            resource_spec: the table's feature types; by default inferred with
                ``TabularDataSpec.from_df(validation_data)``.
            num_samples: rows to generate per run; by default ``len(validation_data)``.
            seed: if given, generation is seeded with it at every run, so runs are comparable.

        Raises:
            TypeError: if the subclass sets no ``plan``.
            ValueError: if ``num_samples`` < 1 or ``validation_data`` is empty.
        """
        plan_class = getattr(cls, "plan", None)
        if plan_class is None:
            raise TypeError(
                f"{cls.__name__} sets no plan; add a class attribute such as "
                "`plan = MyPlan` with a TableComparisonPlan subclass."
            )
        if len(validation_data) == 0:
            raise ValueError(f"{cls.__name__} needs non-empty validation_data, got 0 rows.")
        samples = len(validation_data) if num_samples is None else num_samples
        if samples < 1:
            raise ValueError(f"{cls.__name__} needs num_samples >= 1, got {samples}.")
        if resource_spec is None:
            from artifact_ml.core.table_comparison import TabularDataSpec

            resource_spec = TabularDataSpec.from_df(validation_data)
        validation_plan = plan_class.build(
            resource_spec=resource_spec, tracking_client=tracking_client
        )
        return cls(validation_data, validation_plan, num_samples=samples, seed=seed)

    def execute(self, model: TableSynthesizer[Any, Any], epoch: int) -> dict[str, float]:
        """Generate, compare and log at ``epoch``; return the scores as ``validation/<name>``.

        Raises:
            TypeError: if ``model`` is not a ``TableSynthesizer``.
        """
        from artifact_ml.experiment import DataSplit

        if not isinstance(model, TableSynthesizer):
            raise TypeError(
                f"{type(self).__name__} needs a TableSynthesizer, got {type(model).__name__}; "
                "derive the model from TableSynthesizer and implement generate_synthetic_data."
            )

        was_training = model.training
        model.eval()
        try:
            with torch.no_grad(), isolated_rng(self.seed):
                synthetic_data = model.generate_synthetic_data(self.num_samples)
        finally:
            model.train(was_training)

        results = self.validation_plan.execute(
            real_data=self.validation_data,
            synthetic_data=synthetic_data,
            step=epoch,
            split=DataSplit.VALIDATION,
        )
        self.results = results
        scores = {
            f"{DataSplit.VALIDATION.value}/{name}": float(score)
            for name, score in results.scores.items()
        }
        logger.info("Epoch %d table comparison: %s", epoch, scores)
        return scores
