"""Every figure: title, axis labels, a real-vs-synthetic legend, messy data, and no leaks."""

from __future__ import annotations

import gc

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from artifact_ml.core.table_comparison import (
    TableComparisonConfig,
    TableComparisonEngine,
    TableComparisonPlotCollectionType,
    TableComparisonPlotType,
    TabularDataSpec,
)

CONFIG = TableComparisonConfig(tsne_sample_size=30, tsne_perplexity=5.0, figure_dpi=40)


def real_table() -> pd.DataFrame:
    generator = np.random.default_rng(11)
    rows = 60
    return pd.DataFrame(
        {
            "income": generator.lognormal(10, 1, rows),
            "kids": generator.integers(0, 4, rows),
            "city": generator.choice(["a", "b", "?"], rows),
            "flag": generator.random(rows) < 0.3,
            "constant": [1.0] * rows,
        }
    )


def messy_synthetic_tables() -> dict[str, pd.DataFrame]:
    real = real_table()
    with_new_category = real.copy()
    with_new_category.loc[:5, "city"] = "unseen"
    with_infinite = real.copy()
    with_infinite.loc[:3, "income"] = np.inf
    all_missing = real.copy()
    all_missing["income"] = np.nan
    text_numbers = real.astype({"income": str})
    return {
        "same": real.copy(),
        "empty": real.iloc[:0],
        "single_row": real.iloc[:1],
        "new_category": with_new_category,
        "infinite": with_infinite,
        "all_missing": all_missing,
        "text_numbers": text_numbers,
        "extra_column": real.assign(extra=1),
    }


def engine() -> TableComparisonEngine:
    spec = TabularDataSpec.from_df(real_table(), cts_features=["income", "constant"])
    return TableComparisonEngine.build(resource_spec=spec, config=CONFIG)


def check_figure(figure: Figure) -> None:
    assert isinstance(figure, Figure)
    assert figure.get_suptitle() != ""
    visible = [
        axes for axes in figure.axes if axes.get_visible() and axes.get_label() != "<colorbar>"
    ]
    assert visible
    for axes in visible:
        assert axes.get_xlabel() != ""
        assert axes.get_ylabel() != ""
    texts = " ".join(text.get_text() for legend in figure.legends for text in legend.get_texts())
    assert "real" in texts
    assert "synthetic" in texts


@pytest.mark.parametrize("case", list(messy_synthetic_tables()))
def test_every_plot_on_messy_table(case: str) -> None:
    synthetic = messy_synthetic_tables()[case]
    comparison = engine()

    for plot_type in TableComparisonPlotType:
        figure = comparison.compute_plot(
            plot_type, real_data=real_table(), synthetic_data=synthetic
        )
        check_figure(figure)


def test_every_plot_collection_keys() -> None:
    comparison = engine()
    expected = {
        TableComparisonPlotCollectionType.PDF: ["income", "kids", "city", "flag", "constant"],
        TableComparisonPlotCollectionType.CDF: ["income", "constant"],
        TableComparisonPlotCollectionType.CORRELATION_HEATMAPS: [
            "real",
            "synthetic",
            "absolute_difference",
        ],
    }

    for collection_type, keys in expected.items():
        figures = comparison.compute_plot_collection(
            collection_type, real_data=real_table(), synthetic_data=real_table()
        )
        assert list(figures) == keys
        for figure in figures.values():
            check_figure(figure)


@pytest.mark.parametrize(
    "collection_type",
    [TableComparisonPlotCollectionType.PDF, TableComparisonPlotCollectionType.CDF],
)
def test_single_feature_figure_legend(
    collection_type: TableComparisonPlotCollectionType,
) -> None:
    real = real_table()
    synthetic = real.copy()
    synthetic.loc[:14, "income"] = np.nan  # 15 of 60 rows: 25.0% missing

    figures = engine().compute_plot_collection(
        collection_type, real_data=real, synthetic_data=synthetic
    )
    figure = figures["income"]

    assert figure.get_suptitle() == f"{collection_type.value.upper()} of income: real vs synthetic"
    assert [axes.get_title() for axes in figure.axes] == [""]
    assert [axes.get_legend() for axes in figure.axes] == [None]
    assert len(figure.legends) == 1
    texts = [text.get_text() for text in figure.legends[0].get_texts()]
    assert texts == ["real (60 rows, 0.0% missing)", "synthetic (60 rows, 25.0% missing)"]


def test_multi_feature_figure_keeps_panel_titles() -> None:
    figure = engine().compute_plot(
        TableComparisonPlotType.CDF, real_data=real_table(), synthetic_data=real_table()
    )

    assert [axes.get_title() for axes in figure.axes] == ["income", "constant"]
    panel_texts = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert panel_texts == ["real (0.0% missing)", "synthetic (0.0% missing)"]
    assert [text.get_text() for text in figure.legends[0].get_texts()] == [
        "real (60 rows)",
        "synthetic (60 rows)",
    ]


def test_alignment_joins_labels_of_close_points() -> None:
    generator = np.random.default_rng(3)
    rows = 40
    shared = generator.normal(50.0, 5.0, rows)
    table = pd.DataFrame(
        {"age": shared, "hours": shared + 0.01, "salary": generator.normal(9e4, 1e4, rows)}
    )
    spec = TabularDataSpec.from_df(table, cts_features=["age", "hours", "salary"])
    comparison = TableComparisonEngine.build(resource_spec=spec, config=CONFIG)

    figure = comparison.compute_plot(TableComparisonPlotType.MEAN_ALIGNMENT, table, table)

    labels = {text.get_text(): text for text in figure.axes[0].texts}
    assert sorted(labels) == ["age, hours", "salary"]
    assert labels["age, hours"].get_horizontalalignment() == "left"
    assert labels["salary"].get_horizontalalignment() == "right"
    assert labels["salary"].get_verticalalignment() == "top"


def test_heatmap_of_empty_synthetic_table_says_why() -> None:
    real = real_table()

    figure = engine().compute_plot(TableComparisonPlotType.CORRELATION_HEATMAP, real, real.iloc[:0])

    panels = {axes.get_title(): axes for axes in figure.axes if axes.get_title()}
    messages = {title: [text.get_text() for text in axes.texts] for title, axes in panels.items()}
    assert messages == {
        "real": [],
        "synthetic": ["no association: the synthetic table has no rows"],
        "|real - synthetic|": ["no association: the synthetic table has no rows"],
    }


def test_figures_render_to_png(tmp_path: object) -> None:
    comparison = engine()
    figure = comparison.compute_plot(
        TableComparisonPlotType.PDF, real_data=real_table(), synthetic_data=real_table()
    )
    canvas_figure = figure.canvas.figure

    figure.canvas.draw()
    width, height = figure.canvas.get_width_height()

    assert canvas_figure is figure
    assert width > 0
    assert height > 0


@pytest.mark.slow
def test_five_hundred_figures_leave_none_open() -> None:
    real = pd.DataFrame({"x": np.linspace(0.0, 1.0, 20), "y": np.linspace(1.0, 3.0, 20)})
    spec = TabularDataSpec.from_df(real, cts_features=["x", "y"])
    comparison = TableComparisonEngine.build(resource_spec=spec, config=CONFIG)
    plt.close("all")
    created = 0

    while created < 500:
        figures = comparison.compute_plot_collection(
            TableComparisonPlotCollectionType.CDF, real_data=real, synthetic_data=real
        )
        created += len(figures)
        del figures
    gc.collect()

    assert created == 500
    assert plt.get_fignums() == []
