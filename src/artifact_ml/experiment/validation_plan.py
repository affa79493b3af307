"""The base of validation plans: a declared list of artifacts per modality, computed and logged.

A domain (table comparison, later binary classification) subclasses ``ValidationPlan``, names the
enum of artifact types of each modality in ``artifact_types`` and adds an ``execute`` method that
takes the domain's data and calls ``_run`` with a function computing one artifact. Users then
declare a plan by listing the artifact types they want as class attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from typing import Any, ClassVar

from artifact_ml.core.results import ResultModality
from artifact_ml.experiment.data_split import DataSplit
from artifact_ml.experiment.tracking_client import TrackingClient
from artifact_ml.experiment.validation_results import ValidationResults

__all__ = ["WHOLE_RESULT_KEY", "ArtifactComputer", "ValidationPlan"]

ArtifactComputer = Callable[[ResultModality, Enum], Any]
"""Computes one artifact: given its modality and type, returns the result of that modality."""

_ATTRIBUTE_OF_MODALITY = {
    ResultModality.SCORE: "scores",
    ResultModality.ARRAY: "arrays",
    ResultModality.PLOT: "plots",
    ResultModality.SCORE_COLLECTION: "score_collections",
    ResultModality.ARRAY_COLLECTION: "array_collections",
    ResultModality.PLOT_COLLECTION: "plot_collections",
}


WHOLE_RESULT_KEY = "all"
"""The last name part of a single result that shares its artifact name with a collection."""


class ValidationPlan:
    """A declared set of validation artifacts, executed against data and logged with a step.

    Class attributes (each a sequence of artifact-type enum members, empty by default):
    ``scores``, ``arrays``, ``plots``, ``score_collections``, ``array_collections``,
    ``plot_collections``. A domain base class sets ``artifact_types``, the enum class expected in
    each attribute; a declared member of another enum raises TypeError when the class is defined.

    The plan keeps the latest results in ``results`` and closes the figures of the previous results
    when a new execution replaces them. Each result is logged under ``"<split>/<artifact name>"``,
    and a collection's keys below that. A score, array or plot whose artifact name is also a
    declared collection's (the table comparison's PDF and CDF are both a plot and a plot
    collection) is logged under ``"<split>/<artifact name>/all"`` instead, because backends such
    as Neptune cannot store a result and a collection's keys under the same name.
    """

    artifact_types: ClassVar[Mapping[ResultModality, type[Enum]]] = {}
    scores: ClassVar[Sequence[Enum]] = ()
    arrays: ClassVar[Sequence[Enum]] = ()
    plots: ClassVar[Sequence[Enum]] = ()
    score_collections: ClassVar[Sequence[Enum]] = ()
    array_collections: ClassVar[Sequence[Enum]] = ()
    plot_collections: ClassVar[Sequence[Enum]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for modality, attribute in _ATTRIBUTE_OF_MODALITY.items():
            declared = getattr(cls, attribute)
            if isinstance(declared, str | Enum) or not isinstance(declared, Sequence):
                raise TypeError(
                    f"{cls.__name__}.{attribute} must be a tuple of artifact types, got "
                    f"{declared!r}; write e.g. {attribute} = (SomeType.MEMBER,)."
                )
            expected = cls.artifact_types.get(modality)
            for artifact_type in declared:
                if expected is None or not isinstance(artifact_type, expected):
                    expected_name = "no artifact types" if expected is None else expected.__name__
                    raise TypeError(
                        f"{cls.__name__}.{attribute} lists {artifact_type!r}, but this plan "
                        f"takes {expected_name} there."
                    )

    def __init__(self, *, tracking_client: TrackingClient | None = None) -> None:
        self._tracking_client = tracking_client
        self._results: ValidationResults | None = None

    @property
    def tracking_client(self) -> TrackingClient | None:
        """The client that receives every result, or None to keep results in memory only."""
        return self._tracking_client

    @property
    def results(self) -> ValidationResults | None:
        """The results of the latest execution, or None before the first one."""
        return self._results

    def _run(
        self, *, compute: ArtifactComputer, step: int | None, split: DataSplit
    ) -> ValidationResults:
        """Compute every declared artifact, keep the results, log them and return them."""

        def compute_all(modality: ResultModality) -> dict[str, Any]:
            declared: Sequence[Enum] = getattr(self, _ATTRIBUTE_OF_MODALITY[modality])
            return {str(kind.value): compute(modality, kind) for kind in declared}

        results = ValidationResults(
            scores=compute_all(ResultModality.SCORE),
            arrays=compute_all(ResultModality.ARRAY),
            plots=compute_all(ResultModality.PLOT),
            score_collections=compute_all(ResultModality.SCORE_COLLECTION),
            array_collections=compute_all(ResultModality.ARRAY_COLLECTION),
            plot_collections=compute_all(ResultModality.PLOT_COLLECTION),
        )
        if self._results is not None:
            self._results.close()
        self._results = results
        if self._tracking_client is not None:
            self._log(results=results, client=self._tracking_client, step=step, split=split)
        return results

    @staticmethod
    def _log(
        *, results: ValidationResults, client: TrackingClient, step: int | None, split: DataSplit
    ) -> None:
        prefix = split.value
        collections = {
            *results.score_collections,
            *results.array_collections,
            *results.plot_collections,
        }

        def single(name: str) -> str:
            if name in collections:
                return f"{prefix}/{name}/{WHOLE_RESULT_KEY}"
            return f"{prefix}/{name}"

        for name, score in results.scores.items():
            client.log_score(single(name), score, step=step)
        for name, array in results.arrays.items():
            client.log_array(single(name), array, step=step)
        for name, figure in results.plots.items():
            client.log_plot(single(name), figure, step=step)
        for name, scores in results.score_collections.items():
            client.log_score_collection(f"{prefix}/{name}", scores, step=step)
        for name, arrays in results.array_collections.items():
            client.log_array_collection(f"{prefix}/{name}", arrays, step=step)
        for name, figures in results.plot_collections.items():
            client.log_plot_collection(f"{prefix}/{name}", figures, step=step)
