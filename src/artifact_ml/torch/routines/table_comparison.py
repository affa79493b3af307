"""``TableComparisonRoutine``: compares a synthesizer's generated table with real tables."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Self

import pandas as pd
import torch

from artifact_ml.torch.model import TableSynthesizer
from artifact_ml.torch.rng import isolated_rng
from artifact_ml.torch.routines.artifact import ArtifactRoutine

if TYPE_CHECKING:
    from artifact_ml.core.table_comparison import TabularDataSpec
    from artifact_ml.experiment import (
        DataSplit,
        TableComparisonPlan,
        TrackingClient,
        ValidationResults,
    )

__all__ = ["TableComparisonRoutine"]

logger = logging.getLogger(__name__)


class TableComparisonRoutine(ArtifactRoutine[TableSynthesizer[Any, Any]]):
    """Generate a synthetic table and run a ``TableComparisonPlan`` against the real table of
    each split.

    Subclasses set ``plan`` (a ``TableComparisonPlan`` subclass), ``period`` (epochs) and, for
    splits compared on another schedule, ``periods``::

        class MyArtifactRoutine(TableComparisonRoutine):
            plan = MyPlan
            period = 5
            periods = {DataSplit.TRAIN: 10}

        routine = MyArtifactRoutine.build(validation_data, tracking_client, train_data=train_data)

    At each epoch where at least one split is due, the model generates ``num_samples`` rows once,
    in eval mode under ``torch.no_grad()``. That one table is compared with the real table of every
    due split (train, validation, test, in that order), and each result is logged as
    ``"<split>/<artifact name>"`` with the epoch as step. Generation runs with the torch, numpy and
    ``random`` states saved and restored, so it never changes the training's random streams.
    Each split has its own plan instance, so the latest results of every split stay readable in
    ``split_results`` (a plan closes the figures of its previous results when it replaces them).
    """

    plan: ClassVar[type[TableComparisonPlan]]

    def __init__(
        self,
        real_data: Mapping[DataSplit, pd.DataFrame],
        plans: Mapping[DataSplit, TableComparisonPlan],
        *,
        num_samples: int,
        seed: int | None,
    ) -> None:
        from artifact_ml.experiment import DataSplit

        if set(real_data) != set(plans):
            raise ValueError(
                f"{type(self).__name__} needs one plan per split with data; got data for "
                f"{sorted(s.value for s in real_data)} and plans for "
                f"{sorted(s.value for s in plans)}."
            )
        if not real_data:
            raise ValueError(f"{type(self).__name__} needs the real table of at least one split.")
        ordered = [split for split in DataSplit if split in real_data]
        self.real_data = {split: real_data[split] for split in ordered}
        self.plans = {split: plans[split] for split in ordered}
        self.num_samples = num_samples
        self.seed = seed
        self.split_results: dict[DataSplit, ValidationResults] = {}

    @classmethod
    def build(
        cls,
        validation_data: pd.DataFrame,
        tracking_client: TrackingClient | None = None,
        *,
        train_data: pd.DataFrame | None = None,
        test_data: pd.DataFrame | None = None,
        resource_spec: TabularDataSpec | None = None,
        num_samples: int | None = None,
        seed: int | None = None,
    ) -> Self:
        """Build the routine for ``validation_data`` and, optionally, the train and test tables.

        Args:
            validation_data: the real validation table the synthetic one is compared with.
            tracking_client: where the plans log their results, if anywhere.
            train_data: the real training table, compared at the period of ``DataSplit.TRAIN``.
            test_data: the real test table, compared at the period of ``DataSplit.TEST``.
            resource_spec: the tables' feature types, shared by every split; by default inferred
                with ``TabularDataSpec.from_df(validation_data)``.
            num_samples: rows to generate per due epoch; by default ``len(validation_data)``.
                The same synthetic table is compared with every split due at that epoch.
            seed: if given, generation is seeded with it at every run, so runs are comparable.

        Raises:
            TypeError: if the subclass sets no ``plan``.
            ValueError: if ``num_samples`` < 1, a given table is empty, or ``train_data`` or
                ``test_data`` do not match the spec (the message names the column).
        """
        from artifact_ml.experiment import DataSplit

        plan_class = getattr(cls, "plan", None)
        if plan_class is None:
            raise TypeError(
                f"{cls.__name__} sets no plan; add a class attribute such as "
                "`plan = MyPlan` with a TableComparisonPlan subclass."
            )
        tables = {
            DataSplit.TRAIN: train_data,
            DataSplit.VALIDATION: validation_data,
            DataSplit.TEST: test_data,
        }
        real_data = {split: table for split, table in tables.items() if table is not None}
        for split, table in real_data.items():
            if len(table) == 0:
                raise ValueError(f"{cls.__name__} needs non-empty {split.value}_data, got 0 rows.")
        samples = len(validation_data) if num_samples is None else num_samples
        if samples < 1:
            raise ValueError(f"{cls.__name__} needs num_samples >= 1, got {samples}.")
        if resource_spec is None:
            from artifact_ml.core.table_comparison import TabularDataSpec

            resource_spec = TabularDataSpec.from_df(validation_data)
        for split, table in real_data.items():
            if split is not DataSplit.VALIDATION:
                resource_spec.validate(table, role=f"{split.value}_data")
        plans = {
            split: plan_class.build(resource_spec=resource_spec, tracking_client=tracking_client)
            for split in real_data
        }
        return cls(real_data, plans, num_samples=samples, seed=seed)

    @property
    def splits(self) -> tuple[DataSplit, ...]:
        """The splits with a real table, in the order train, validation, test."""
        return tuple(self.real_data)

    @property
    def validation_data(self) -> pd.DataFrame:
        """The real validation table.

        Raises:
            KeyError: if the routine was built without one.
        """
        from artifact_ml.experiment import DataSplit

        return self.real_data[DataSplit.VALIDATION]

    @property
    def validation_plan(self) -> TableComparisonPlan:
        """The plan of the validation split."""
        from artifact_ml.experiment import DataSplit

        return self.plans[DataSplit.VALIDATION]

    @property
    def results(self) -> ValidationResults | None:
        """The latest validation results, or ``None`` before the first run."""
        from artifact_ml.experiment import DataSplit

        return self.split_results.get(DataSplit.VALIDATION)

    def execute(
        self,
        model: TableSynthesizer[Any, Any],
        epoch: int,
        *,
        splits: Sequence[DataSplit] | None = None,
    ) -> dict[str, float]:
        """Generate one table, compare it with each split's real table and log at ``epoch``.

        Args:
            model: the synthesizer.
            epoch: the step of every logged result.
            splits: the splits to compare; by default every split with a real table.

        Returns:
            The scores of every compared split, as ``"<split>/<artifact name>"``.

        Raises:
            TypeError: if ``model`` is not a ``TableSynthesizer``.
            KeyError: if ``splits`` names a split without a real table.
        """
        if not isinstance(model, TableSynthesizer):
            raise TypeError(
                f"{type(self).__name__} needs a TableSynthesizer, got {type(model).__name__}; "
                "derive the model from TableSynthesizer and implement generate_synthetic_data."
            )
        selected = self.splits if splits is None else tuple(splits)
        missing = [split.value for split in selected if split not in self.real_data]
        if missing:
            raise KeyError(
                f"{type(self).__name__} has no real table for splits {missing}; build it with "
                f"their data (it has {[split.value for split in self.real_data]})."
            )

        synthetic_data = self._generate(model)
        scores: dict[str, float] = {}
        for split in selected:
            results = self.plans[split].execute(
                real_data=self.real_data[split],
                synthetic_data=synthetic_data,
                step=epoch,
                split=split,
            )
            self.split_results[split] = results
            for name, score in results.scores.items():
                scores[f"{split.value}/{name}"] = float(score)
        logger.info("Epoch %d table comparison: %s", epoch, scores)
        return scores

    def execute_splits(
        self, model: TableSynthesizer[Any, Any], epoch: int, splits: Sequence[DataSplit]
    ) -> dict[str, float]:
        """Compare one generated table with the real tables of ``splits``; see ``execute``."""
        return self.execute(model, epoch, splits=splits)

    def _generate(self, model: TableSynthesizer[Any, Any]) -> pd.DataFrame:
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad(), isolated_rng(self.seed):
                return model.generate_synthetic_data(self.num_samples)
        finally:
            model.train(was_training)
