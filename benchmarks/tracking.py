"""Tracking overhead: epoch time of the demo's training loop with each backend, against no tracking.

Every run trains the demo's model with the demo's components: the reference ``TabularVAE`` on the
bundled UCI Adult table (80 % train, 20 % held out, batch 512, Adam at 3e-3), ``TabularVAETrainer``
and the demo's table-comparison routine. That routine runs after epoch 1, every ``--period``
epochs and at the last epoch. Each time it generates a synthetic table and computes two scores,
the per-feature JS distance collection and one PDF figure per feature (15 figures for Adult). The
trainer logs ``train/loss`` every epoch.

Both arms compute exactly the same results, figures included. The reference arm ("none") builds
the routine and trainer with ``tracking_client=None``, so the plan keeps its results in memory and
nothing is logged. A tracking arm passes a client of one backend, which logs every result: the
scores, the collection and every figure as a PNG.

Timed region (the "epoch time"): ``trainer.train()`` from its call to its return, divided by the
number of epochs. Each epoch's own duration is measured too (from one epoch end to the next), and
epochs with and without artifacts are reported apart. The timed region includes the calls to
``log_*``, the time the training thread loses to the client's worker thread (they share the GIL),
and the CPU time that the PNG renderer process takes from training when no core is idle.

Not timed: reading the data, building the model, trainer and tracking client (for MLflow, run
creation), and warm-up. ``stop()``, which drains whatever the worker has not yet written when
training returns (usually the last artifact epoch's figures) and finishes the run, is timed on its
own and reported as "drain s". "total ratio" is (train + drain) over the reference's train time.

Other processes on a shared machine change the speed of training from one run to the next, so
every tracking run sits between two reference runs: a round is none, backend 1, none, backend 2,
..., none. A run's ratio is its time over the mean of its two neighbouring reference runs, and
each printed ratio is the median of those ratios over rounds; printed seconds are medians too.
"ratio IQR" gives the first and third quartiles of the epoch ratios over the rounds.
The in-memory backend writes nothing anywhere, so its ratio also shows the noise of the machine.
Torch uses one thread, as on the 2-core machine the README numbers come from.

usage: python benchmarks/tracking.py [--epochs 10] [--period 5] [--repeats 3]
                                     [--backends filesystem,memory,mlflow,clearml,neptune,
                                                 mlflow-in-process]
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch

from artifact_ml.demo.job import DemoRoutine, split_table
from artifact_ml.demo.table_source import TableSource, load_bundled_adult
from artifact_ml.experiment import (
    DeliveryConfig,
    MlflowTrackingClient,
    TrackingClient,
    build_tracking_client,
)
from artifact_ml.synthesizers.vae import TabularVAE
from artifact_ml.synthesizers.vae_trainer import TabularVAETrainer, make_vae_loader

REFERENCE = "none"
# MLflow with its writes in the tracking worker thread instead of the writer child process.
MLFLOW_IN_PROCESS = "mlflow-in-process"
SEED = 0


@dataclass(frozen=True)
class RunTiming:
    """Seconds of one run: each epoch, which epochs computed artifacts, and the drain."""

    epoch_seconds: list[float]
    artifact_epochs: list[bool]
    drain_seconds: float

    @property
    def train_seconds(self) -> float:
        return sum(self.epoch_seconds)

    def mean_epoch(self, *, artifacts: bool | None = None) -> float:
        """Mean epoch seconds over all epochs, or over those with (or without) artifacts."""
        chosen = [
            seconds
            for seconds, has_artifacts in zip(self.epoch_seconds, self.artifact_epochs, strict=True)
            if artifacts is None or has_artifacts == artifacts
        ]
        return statistics.fmean(chosen) if chosen else float("nan")


def make_routine_class(period: int, epoch_ends: list[float], due: list[bool]) -> type[DemoRoutine]:
    """Return the demo routine with ``period``, recording when each epoch's end-of-epoch work
    starts (the routine runs once per epoch, right after the trainer logs ``train/loss``)."""

    class TimedDemoRoutine(DemoRoutine):
        period: ClassVar[int]

        def run(self, model: Any, epoch: int, *, is_last_epoch: bool) -> dict[str, float]:
            due.append(self.is_due(epoch, is_last_epoch=is_last_epoch))
            scores = super().run(model, epoch, is_last_epoch=is_last_epoch)
            epoch_ends.append(time.perf_counter())
            return scores

    TimedDemoRoutine.period = period
    return TimedDemoRoutine


def run_once(
    backend: str, source: TableSource, *, epochs: int, period: int, root: Path
) -> RunTiming:
    """Train for ``epochs`` with ``backend`` ("none": no tracking) and time it."""
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    train, validation = split_table(source.table, 0.2, SEED)
    model = TabularVAE.from_table(
        train,
        continuous_features=source.spec.continuous_features,
        categorical_features=source.spec.categorical_features,
        seed=SEED,
    )
    loader = make_vae_loader(model.encode(train), 512, SEED)
    client: TrackingClient | None = None
    if backend == MLFLOW_IN_PROCESS:
        client = MlflowTrackingClient.build(
            experiment_id="bench", root_dir=root, delivery=DeliveryConfig(backend_process=False)
        )
    elif backend != REFERENCE:
        client = build_tracking_client(backend, experiment_id="bench", root_dir=root)
    epoch_ends: list[float] = []
    due: list[bool] = []
    routine = make_routine_class(period, epoch_ends, due).build(
        validation, client, resource_spec=source.spec, seed=SEED
    )
    trainer = TabularVAETrainer.build(
        model=model,
        train_loader=loader,
        tracking_client=client,
        max_epochs=epochs,
        progress_bar=False,
    )
    trainer.learning_rate = 3e-3
    trainer.validation_routine = routine

    start = time.perf_counter()
    trainer.train()
    end = time.perf_counter()
    drain_seconds = 0.0
    if client is not None:
        client.stop()
        drain_seconds = time.perf_counter() - end
        if client.fallback_count or client.lost_count:
            raise RuntimeError(
                f"{backend} stored only part of the results: {client.fallback_count} went to the "
                f"fallback folder and {client.lost_count} were lost; the timing is not valid."
            )
    boundaries = [start, *epoch_ends]
    epoch_seconds = [later - earlier for earlier, later in itertools.pairwise(boundaries)]
    epoch_seconds[-1] += end - epoch_ends[-1]
    return RunTiming(epoch_seconds=epoch_seconds, artifact_epochs=due, drain_seconds=drain_seconds)


def _interquartile_range(values: list[float]) -> str:
    """Format the first and third quartiles of ``values`` ("-" for fewer than two values)."""
    if len(values) < 2:
        return "-"
    first, _, third = statistics.quantiles(values, n=4, method="inclusive")
    return f"{first:.3f}-{third:.3f}"


def report(runs: list[tuple[str, RunTiming]]) -> str:
    """Format one line per arm: median seconds, and median ratios to the neighbouring references."""
    ratios: dict[str, dict[str, list[float]]] = {}
    seconds: dict[str, dict[str, list[float]]] = {}
    for index, (arm, timing) in enumerate(runs):
        values = {
            "epoch": timing.mean_epoch(),
            "plain": timing.mean_epoch(artifacts=False),
            "artifact": timing.mean_epoch(artifacts=True),
            "total": timing.train_seconds + timing.drain_seconds,
        }
        arm_seconds = seconds.setdefault(arm, {})
        for key, value in [*values.items(), ("drain", timing.drain_seconds)]:
            arm_seconds.setdefault(key, []).append(value)
        if arm == REFERENCE:
            continue
        neighbours = [runs[index - 1][1], runs[index + 1][1]]
        reference = {
            "epoch": statistics.fmean(run.mean_epoch() for run in neighbours),
            "plain": statistics.fmean(run.mean_epoch(artifacts=False) for run in neighbours),
            "artifact": statistics.fmean(run.mean_epoch(artifacts=True) for run in neighbours),
            "total": statistics.fmean(run.train_seconds for run in neighbours),
        }
        arm_ratios = ratios.setdefault(arm, {})
        for key, value in values.items():
            arm_ratios.setdefault(key, []).append(value / reference[key])

    header = (
        f"{'backend':<12}{'epoch s':>9}{'ratio':>8}{'ratio IQR':>15}{'plain ep.':>11}"
        f"{'artifact ep.':>14}{'drain s':>9}{'total ratio':>13}"
    )
    lines = [header]
    for arm, arm_seconds in seconds.items():
        arm_ratios = ratios.get(
            arm, {key: [1.0] for key in ("epoch", "plain", "artifact", "total")}
        )
        median = {key: statistics.median(values) for key, values in arm_ratios.items()}
        lines.append(
            f"{arm:<12}{statistics.median(arm_seconds['epoch']):>9.3f}{median['epoch']:>8.3f}"
            f"{_interquartile_range(arm_ratios['epoch']):>15}"
            f"{median['plain']:>11.3f}{median['artifact']:>14.3f}"
            f"{statistics.median(arm_seconds['drain']):>9.3f}{median['total']:>13.3f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10, help="epochs per run (default 10)")
    parser.add_argument(
        "--period", type=int, default=5, help="epochs between table comparisons (default 5)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="timed rounds (default 3)")
    parser.add_argument(
        "--backends",
        default="filesystem,memory,mlflow,clearml,neptune",
        help="comma-separated backends (default: all five; mlflow-in-process is MLflow with "
        "its writes in the worker thread, DeliveryConfig(backend_process=False))",
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    torch.set_num_threads(1)
    backends = arguments.backends.split(",")
    arms = [REFERENCE, *backends]
    source = load_bundled_adult()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        os.environ.setdefault("CLEARML_CACHE_DIR", str(root / "clearml"))
        os.environ.setdefault("NEPTUNE_MODE", "offline")
        os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
        os.environ["ARTIFACT_ML_FALLBACK_DIR"] = str(root / "fallback")
        # Warm-up: one short untimed run per arm (imports, MLflow store creation, caches).
        for arm in arms:
            run_once(arm, source, epochs=1, period=arguments.period, root=root)
        runs: list[tuple[str, RunTiming]] = []
        for round_index in range(arguments.repeats):
            shift = round_index % len(backends)
            order = [REFERENCE]
            for backend in backends[shift:] + backends[:shift]:
                order += [backend, REFERENCE]
            if runs:
                order = order[1:]  # the previous round ended with a reference run
            for arm in order:
                timing = run_once(
                    arm, source, epochs=arguments.epochs, period=arguments.period, root=root
                )
                runs.append((arm, timing))
                print(f"round {round_index + 1}: {arm} done", flush=True)
    print(
        f"epochs={arguments.epochs} period={arguments.period} repeats={arguments.repeats} "
        f"torch threads={torch.get_num_threads()}; medians over rounds"
    )
    print(report(runs))


if __name__ == "__main__":
    main()
