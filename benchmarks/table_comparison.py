"""Benchmark artifact-ml's table comparison against artifact-core 0.2.1 and SDMetrics.

Run with the project's Python: ``python benchmarks/table_comparison.py [--quick]``.

The script builds a synthetic table of Adult's shape (a seeded bootstrap of the bundled table with
Gaussian noise on the continuous columns), then in one run times:

1. every score, score collection and array collection, here and in artifact-core, and the whole
   score set against SDMetrics' ``QualityReport``;
2. every plot kind, here and in artifact-core;
3. growth of the whole score set here at 10k, 100k and 1M rows, computed both with one engine call
   per artifact and through one ``engine.compare`` (validation, fingerprints and encoding once).

Each peer is installed by this script into its own virtual environment under
``$XDG_CACHE_HOME/artifact-ml-benchmarks`` (``~/.cache`` when unset) with ``pip``, and timed in a
subprocess with that environment's Python; the peer's import time is excluded. Each time is the
minimum over a few repeats, and every ratio is peer time / artifact-ml time (above 1 means
artifact-ml is faster). A peer artifact that fails is reported with its error, not retried.

artifact-ml's engine caches encodings and derived values by column content. Every artifact-ml time
compared with a peer starts from an empty cache, so it includes validating and encoding both
tables. The script also prints the full score set with the real table cached and a new synthetic
table (one validation epoch of a training run), and with both tables cached.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from artifact_ml.core.table_comparison import (
    TableComparisonArrayCollectionType,
    TableComparisonEngine,
    TableComparisonPlotType,
    TableComparisonScoreCollectionType,
    TableComparisonScoreType,
    TabularDataSpec,
)

ADULT = Path(__file__).resolve().parents[1] / "src/artifact_ml/datasets/data/adult.csv.gz"
CONTINUOUS = ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"]
PEERS = {
    # artifact-core 0.2.1 pins pandas<3; matplotlib<3.11 keeps its plots working (six of them
    # fail on 3.11 because they use a figure's canvas after pyplot closed it).
    "artifact-core": ["artifact-core==0.2.1", "matplotlib<3.11"],
    "sdmetrics": ["sdmetrics"],
}

# Peer artifact names differ from ours for plots and array collections.
PEER_PLOT_NAMES = {
    TableComparisonPlotType.CORRELATION_HEATMAP: "CORRELATION_HEATMAP_JUXTAPOSITION",
}

ARTIFACT_CORE_RUNNER = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from artifact_core.table_comparison import (
    TableComparisonArrayCollectionType, TableComparisonEngine, TableComparisonPlotType,
    TableComparisonScoreCollectionType, TableComparisonScoreType, TabularDataSpec)

job = json.loads(sys.argv[1])
real = pd.read_csv(job["real"])
synthetic = pd.read_csv(job["synthetic"])
cat = [c for c in real.columns if c not in job["continuous"]]
spec = TabularDataSpec.from_df(real, cts_features=job["continuous"], cat_features=cat)
engine = TableComparisonEngine.build(resource_spec=spec)
kinds = {
    "score": (TableComparisonScoreType, engine.produce_dataset_comparison_score),
    "score_collection": (TableComparisonScoreCollectionType,
                         engine.produce_dataset_comparison_score_collection),
    "array_collection": (TableComparisonArrayCollectionType,
                         engine.produce_dataset_comparison_array_collection),
    "plot": (TableComparisonPlotType, engine.produce_dataset_comparison_plot),
}
results = {}
for kind, member, repeats in job["tasks"]:
    enum, produce = kinds[kind]
    best = None
    try:
        for _ in range(repeats):
            start = time.perf_counter()
            result = produce(enum[member], real, synthetic)
            elapsed = time.perf_counter() - start
            best = elapsed if best is None else min(best, elapsed)
            plt.close("all")
        results[member] = {"seconds": best}
    except Exception as error:
        results[member] = {"error": f"{type(error).__name__}: {error}"[:200]}
print(json.dumps(results))
"""

SDMETRICS_RUNNER = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from sdmetrics.reports.single_table import QualityReport

job = json.loads(sys.argv[1])
real = pd.read_csv(job["real"])
synthetic = pd.read_csv(job["synthetic"])
metadata = {"columns": {
    c: {"sdtype": "numerical" if c in job["continuous"] else "categorical"} for c in real.columns}}
best = None
for _ in range(job["repeats"]):
    start = time.perf_counter()
    report = QualityReport()
    report.generate(real, synthetic, metadata, verbose=False)
    elapsed = time.perf_counter() - start
    best = elapsed if best is None else min(best, elapsed)
print(json.dumps({"QualityReport": {"seconds": best, "score": report.get_score()}}))
"""


def peer_python(name: str, requirements: list[str]) -> Path:
    """Create (once) a virtual environment with ``requirements`` and return its Python."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    folder = cache / "artifact-ml-benchmarks" / name
    python = folder / "bin" / "python"
    marker = folder / "installed.json"
    if not marker.exists() or json.loads(marker.read_text()) != requirements:
        venv.create(folder, with_pip=True, clear=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *requirements], check=True)
        marker.write_text(json.dumps(requirements))
    return python


def run_peer(
    python: Path, runner: str, job: dict[str, Any], timeout: float | None = None
) -> dict[str, Any]:
    """Run ``runner`` in the peer's Python and return its JSON timings."""
    try:
        completed = subprocess.run(
            [str(python), "-c", runner, json.dumps(job)],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"_timed_out": timeout}
    if completed.returncode != 0:
        return {"_failed": completed.stderr.strip().splitlines()[-1:]}
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def best_time(
    function: Callable[[], object], repeats: int, before: Callable[[], object] | None = None
) -> float:
    """Return the minimum time of ``repeats`` calls of ``function``, each after ``before()``."""
    best = float("inf")
    for _ in range(repeats):
        if before is not None:
            before()
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def synthetic_like(real: pd.DataFrame, rows: int, seed: int) -> pd.DataFrame:
    generator = np.random.default_rng(seed)
    sample = real.iloc[generator.integers(0, len(real), rows)].reset_index(drop=True)
    for column in CONTINUOUS:
        noise = generator.normal(0.0, 0.1 * float(real[column].std()), rows)
        sample[column] = sample[column] + noise
    return sample


def score_set_time(
    engine: TableComparisonEngine,
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    repeats: int,
    cold: bool = True,
    shared: bool = False,
) -> float:
    """Time every score, score collection and array collection on one pair of tables; with
    ``cold``, each repeat starts from an empty cache; with ``shared``, every artifact comes from
    one ``engine.compare`` instead of its own engine call."""

    def compute_shared() -> None:
        comparison = engine.compare(real, synthetic)
        for score_type in TableComparisonScoreType:
            comparison.compute_score(score_type)
        for collection_type in TableComparisonScoreCollectionType:
            comparison.compute_score_collection(collection_type)
        for array_type in TableComparisonArrayCollectionType:
            comparison.compute_array_collection(array_type)

    def compute_all() -> None:
        for score_type in TableComparisonScoreType:
            engine.compute_score(score_type, real_data=real, synthetic_data=synthetic)
        for collection_type in TableComparisonScoreCollectionType:
            engine.compute_score_collection(
                collection_type, real_data=real, synthetic_data=synthetic
            )
        for array_type in TableComparisonArrayCollectionType:
            engine.compute_array_collection(array_type, real_data=real, synthetic_data=synthetic)

    return best_time(
        compute_shared if shared else compute_all,
        repeats,
        before=engine.clear_cache if cold else None,
    )


def ratio(peer: dict[str, Any], ours: float) -> str:
    if "timeout" in peer:
        return f"> {peer['timeout'] / ours:.1f}x  (peer timed out after {peer['timeout']:.0f} s)"
    if "seconds" not in peer:
        return f"peer failed ({peer.get('error', 'unknown error')})"
    return f"{peer['seconds'] / ours:8.1f}x  (peer {peer['seconds']:.3f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip the 1M-row growth point")
    parser.add_argument("--repeats", type=int, default=3, help="repeats per timing (default 3)")
    parser.add_argument(
        "--skip-plots", action="store_true", help="skip the plot comparison with artifact-core"
    )
    parser.add_argument(
        "--plot-timeout",
        type=float,
        default=600.0,
        help="seconds after which a peer plot is stopped and reported as timed out (default 600)",
    )
    args = parser.parse_args()

    real = pd.read_csv(ADULT)
    synthetic = synthetic_like(real, len(real), seed=0)
    spec = TabularDataSpec.from_df(real, cts_features=CONTINUOUS)
    engine = TableComparisonEngine.build(resource_spec=spec)
    print(
        f"Python {sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__}, "
        f"{os.cpu_count()} CPUs, Adult {real.shape[0]} x {real.shape[1]}"
    )

    with tempfile.TemporaryDirectory() as folder:
        real_path = Path(folder) / "real.csv"
        synthetic_path = Path(folder) / "synthetic.csv"
        real.to_csv(real_path, index=False)
        synthetic.to_csv(synthetic_path, index=False)
        base_job = {
            "real": str(real_path),
            "synthetic": str(synthetic_path),
            "continuous": CONTINUOUS,
        }

        tasks: list[tuple[str, str, int]] = (
            [("score", member.name, args.repeats) for member in TableComparisonScoreType]
            + [
                ("score_collection", member.name, args.repeats)
                for member in TableComparisonScoreCollectionType
            ]
            + [
                ("array_collection", f"{member.name}_JUXTAPOSITION", args.repeats)
                for member in TableComparisonArrayCollectionType
            ]
        )
        core_python = peer_python("artifact-core", PEERS["artifact-core"])
        core = run_peer(core_python, ARTIFACT_CORE_RUNNER, {**base_job, "tasks": tasks})
        # One subprocess per plot, so that a slow plot (t-SNE on every row) hits its own timeout.
        for member in [] if args.skip_plots else list(TableComparisonPlotType):
            name = PEER_PLOT_NAMES.get(member, member.name)
            job = {**base_job, "tasks": [("plot", name, 1)]}
            result = run_peer(core_python, ARTIFACT_CORE_RUNNER, job, timeout=args.plot_timeout)
            if "_timed_out" in result:
                result = {name: {"timeout": args.plot_timeout}}
            core.update(result)
        sdmetrics_python = peer_python("sdmetrics", PEERS["sdmetrics"])
        sdmetrics = run_peer(sdmetrics_python, SDMETRICS_RUNNER, {**base_job, "repeats": 1})

    print("\nScores, score collections and array collections (peer time / artifact-ml time)")
    ours_total = 0.0
    core_total = 0.0
    core_complete = True
    timed: list[tuple[str, str, Callable[[], object]]] = []
    for score_type in TableComparisonScoreType:
        timed.append(
            (
                score_type.value,
                score_type.name,
                lambda t=score_type: engine.compute_score(
                    t, real_data=real, synthetic_data=synthetic
                ),
            )
        )
    for collection_type in TableComparisonScoreCollectionType:
        timed.append(
            (
                collection_type.value,
                collection_type.name,
                lambda t=collection_type: engine.compute_score_collection(
                    t, real_data=real, synthetic_data=synthetic
                ),
            )
        )
    for array_type in TableComparisonArrayCollectionType:
        timed.append(
            (
                array_type.value,
                f"{array_type.name}_JUXTAPOSITION",
                lambda t=array_type: engine.compute_array_collection(
                    t, real_data=real, synthetic_data=synthetic
                ),
            )
        )
    for name, peer_name, function in timed:
        ours = best_time(function, args.repeats, before=engine.clear_cache)
        ours_total += ours
        peer = core.get(peer_name, {"error": str(core.get("_failed"))})
        if "seconds" in peer:
            core_total += peer["seconds"]
        else:
            core_complete = False
        print(f"  {name:<22} ours {ours:.4f} s   artifact-core {ratio(peer, ours)}")

    full = score_set_time(engine, real, synthetic, args.repeats)
    shared = score_set_time(engine, real, synthetic, args.repeats, shared=True)
    print(f"\nFull score set: artifact-ml {full:.3f} s ({shared:.3f} s through one compare)")
    if core_complete:
        print(f"  vs artifact-core (sum of its artifacts): {core_total / full:.1f}x")
    print(f"  vs SDMetrics QualityReport: {ratio(sdmetrics.get('QualityReport', {}), full)}")

    epoch_times = []
    for seed in range(3, 3 + args.repeats):
        engine.clear_cache()
        score_set_time(engine, real, synthetic_like(real, len(real), seed=seed), 1, cold=False)
        next_synthetic = synthetic_like(real, len(real), seed=seed + 100)
        epoch_times.append(score_set_time(engine, real, next_synthetic, 1, cold=False))
    print(
        f"  real table cached, new synthetic table (a validation epoch): {min(epoch_times):.3f} s"
    )
    warm = score_set_time(engine, real, synthetic, args.repeats, cold=False)
    print(f"  both tables cached: {warm:.3f} s")

    print("\nPlots (peer time / artifact-ml time)")
    for plot_type in [] if args.skip_plots else list(TableComparisonPlotType):
        ours = best_time(
            lambda t=plot_type: engine.compute_plot(t, real_data=real, synthetic_data=synthetic),
            1,
            before=engine.clear_cache,
        )
        peer = core.get(PEER_PLOT_NAMES.get(plot_type, plot_type.name), {})
        print(f"  {plot_type.value:<28} ours {ours:.3f} s   artifact-core {ratio(peer, ours)}")

    print("\nGrowth of the full score set (artifact-ml, best of 2, empty cache)")
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    times: dict[tuple[int, bool], float] = {}
    for size in sizes:
        big_real = synthetic_like(real, size, seed=1)
        big_synthetic = synthetic_like(real, size, seed=2)
        for through_compare in (False, True):
            times[size, through_compare] = score_set_time(
                engine, big_real, big_synthetic, repeats=2, shared=through_compare
            )
        print(
            f"  {size:>9} rows: {times[size, False]:.3f} s with one call per artifact, "
            f"{times[size, True]:.3f} s through one compare"
        )
    if 1_000_000 in sizes:
        for through_compare, label in ((False, "one call per artifact"), (True, "one compare")):
            growth = times[1_000_000, through_compare] / times[100_000, through_compare]
            print(f"  1M / 100k time ratio, {label}: {growth:.2f} (target <= 10)")


if __name__ == "__main__":
    main()
