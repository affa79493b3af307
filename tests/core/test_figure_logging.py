"""500 library figures logged through the tracking clients leave no figure open or alive."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from artifact_ml.core.table_comparison import (
    TableComparisonConfig,
    TableComparisonEngine,
    TableComparisonPlotCollectionType,
    TabularDataSpec,
)
from artifact_ml.experiment import FilesystemTrackingClient, InMemoryTrackingClient

# Low-resolution figures keep 500 PNG encodings fast (constrained layout needs normal sizes
# in inches).
SMALL = TableComparisonConfig(figure_width=3.0, figure_height=2.4, figure_dpi=20)
FIGURE_COUNT = 500
NAME = "validation/cdf"


def engine_and_tables() -> tuple[TableComparisonEngine, pd.DataFrame, pd.DataFrame]:
    generator = np.random.default_rng(5)
    real = pd.DataFrame({"x": generator.normal(size=40), "y": generator.exponential(size=40)})
    synthetic = pd.DataFrame({"x": generator.normal(size=30), "y": generator.exponential(size=30)})
    spec = TabularDataSpec.from_df(real, cts_features=["x", "y"])
    return TableComparisonEngine.build(resource_spec=spec, config=SMALL), real, synthetic


def log_cdf_collections(
    client: FilesystemTrackingClient | InMemoryTrackingClient,
) -> list[weakref.ref[Figure]]:
    """Log per-feature CDF collections (2 figures each) until 500 figures are logged."""
    engine, real, synthetic = engine_and_tables()
    references: list[weakref.ref[Figure]] = []
    step = 0
    while len(references) < FIGURE_COUNT:
        figures = engine.compute_plot_collection(
            TableComparisonPlotCollectionType.CDF, real_data=real, synthetic_data=synthetic
        )
        references += [weakref.ref(figure) for figure in figures.values()]
        client.log_plot_collection(NAME, figures, step=step)
        step += 1
    return references


@pytest.mark.slow
def test_filesystem_client_writes_and_releases(tmp_path: Path) -> None:
    plt.close("all")
    client = FilesystemTrackingClient.build(experiment_id="figures", root_dir=tmp_path)

    references = log_cdf_collections(client)
    client.stop()
    gc.collect()

    pngs = sorted((client.run_dir / "plot_collections" / NAME).glob("*/step_*.png"))
    assert len(references) == FIGURE_COUNT
    assert len(pngs) == FIGURE_COUNT
    assert {png.parent.name for png in pngs} == {"x", "y"}
    assert all(png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for png in pngs)
    assert len(plt.get_fignums()) == 0
    assert sum(reference() is not None for reference in references) == 0


@pytest.mark.slow
def test_in_memory_client_keeps_figures_outside_pyplot() -> None:
    plt.close("all")
    client = InMemoryTrackingClient.build(experiment_id="figures")

    references = log_cdf_collections(client)
    client.stop()
    gc.collect()

    stored = [figure for _, figures in client.plot_collections[NAME] for figure in figures.values()]
    assert len(stored) == FIGURE_COUNT
    assert all(isinstance(figure, Figure) for figure in stored)
    assert all(figure.axes for figure in stored)
    assert len(plt.get_fignums()) == 0
    # The client is the figures' only owner: they are alive because it stores them.
    assert sum(reference() is not None for reference in references) == FIGURE_COUNT
    InMemoryTrackingClient.forget_runs()
