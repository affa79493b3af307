"""PDF and CDF overlays of each feature, real against synthetic.

PDF: a continuous feature is drawn as two density histograms (the real one filled, the synthetic
one as a step outline) on bins shared by both tables over their combined finite range (one bin per
integer for integer columns with at most ``bin_count`` values); a categorical feature as
side-by-side bars of probability mass, the most frequent ``max_plotted_categories`` categories
(at most 12 per panel in a figure of several features) shown and the rest summed into
"(other)". Missing values are reported in the legend as a share of rows. CDF: the empirical CDF
of the finite values of each continuous feature.

A figure of several features titles each panel with its feature and gives each continuous panel a
legend with the missing shares. A figure of one feature (the plot collections) has only the
figure title and one figure legend, which then gives the missing shares too.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from artifact_ml.core.table_comparison.context import ComparisonContext
from artifact_ml.core.table_comparison.distributions import bin_edges
from artifact_ml.core.table_comparison.plots.figures import (
    REAL_COLOR,
    SYNTHETIC_COLOR,
    add_real_synthetic_legend,
    new_figure,
    show_message,
)

__all__ = ["cdf_figure", "draw_cdf", "draw_pdf", "pdf_figure"]

# Categories drawn per panel of a figure with a panel per feature: more labels than this overlap
# in a 4-inch panel.
_PANEL_CATEGORY_LIMIT = 12


def _missing_share(values_count: int, missing_count: float) -> str:
    if values_count == 0:
        return "no rows"
    return f"{100.0 * missing_count / values_count:.1f}% missing"


def _missing_shares(context: ComparisonContext, feature: str) -> tuple[str, str]:
    """Return the missing shares of ``feature`` in the real and synthetic tables as legend text,
    from the (cached) distribution, whose last count is the missing cells."""
    distribution = context.distribution(feature)
    return (
        _missing_share(context.real.row_count, float(distribution.real_counts[-1])),
        _missing_share(context.synthetic.row_count, float(distribution.synthetic_counts[-1])),
    )


def _draw_continuous_pdf(axes: Axes, context: ComparisonContext, feature: str) -> None:
    real = context.real.continuous[feature]
    synthetic = context.synthetic.continuous[feature]
    real_finite = real[np.isfinite(real)]
    synthetic_finite = synthetic[np.isfinite(synthetic)]
    combined = np.concatenate([real_finite, synthetic_finite])
    edges, _ = bin_edges(combined, combined, context.config.bin_count)
    if edges[0] == edges[-1]:
        edges = np.array([edges[0] - 0.5, edges[0] + 0.5])
    for values, total, color, role in (
        (real_finite, real.size, REAL_COLOR, "real"),
        (synthetic_finite, synthetic.size, SYNTHETIC_COLOR, "synthetic"),
    ):
        label = f"{role} ({_missing_share(total, total - values.size)})"
        if values.size == 0:
            axes.plot([], [], color=color, label=label)
            continue
        density, _ = np.histogram(values, bins=edges, density=True)
        # The real histogram is filled and the synthetic one an outline, so that neither hides
        # the other where they coincide.
        is_real = role == "real"
        axes.stairs(
            density,
            edges,
            color=color,
            fill=is_real,
            alpha=0.45 if is_real else 1.0,
            linewidth=1.5,
            label=label,
        )
    axes.set_xlabel(feature)
    axes.set_ylabel("probability density")


def _draw_categorical_pdf(axes: Axes, context: ComparisonContext, feature: str, limit: int) -> None:
    distribution = context.distribution(feature)
    real = distribution.real_counts
    synthetic = distribution.synthetic_counts
    real_mass = real / real.sum() if real.sum() > 0 else real
    synthetic_mass = synthetic / synthetic.sum() if synthetic.sum() > 0 else synthetic
    labels = list(distribution.labels)

    if len(labels) > limit:
        order = np.argsort(-(real_mass + synthetic_mass), kind="stable")
        kept = np.sort(order[: limit - 1])
        rest = np.setdiff1d(np.arange(len(labels)), kept)
        labels = [labels[i] for i in kept] + ["(other)"]
        real_mass = np.append(real_mass[kept], real_mass[rest].sum())
        synthetic_mass = np.append(synthetic_mass[kept], synthetic_mass[rest].sum())

    positions = np.arange(len(labels))
    width = 0.4
    axes.bar(positions - width / 2, real_mass, width=width, color=REAL_COLOR, label="real")
    axes.bar(
        positions + width / 2, synthetic_mass, width=width, color=SYNTHETIC_COLOR, label="synthetic"
    )
    axes.set_xticks(positions, labels, rotation=60, ha="right", fontsize="small")
    axes.set_xlabel(feature)
    axes.set_ylabel("probability mass")


def draw_pdf(
    axes: Axes, context: ComparisonContext, feature: str, *, panel_legend: bool = True
) -> None:
    """Draw the PDF overlay of one feature on ``axes`` with axis labels.

    With ``panel_legend``, also add a panel title and, for a continuous feature, a legend with the
    missing shares.
    """
    if feature in context.spec.categories:
        limit = context.config.max_plotted_categories
        if panel_legend:
            limit = min(limit, _PANEL_CATEGORY_LIMIT)
        _draw_categorical_pdf(axes, context, feature, limit)
    else:
        _draw_continuous_pdf(axes, context, feature)
        if panel_legend:
            axes.legend(fontsize="small")
    if panel_legend:
        axes.set_title(feature)


def draw_cdf(
    axes: Axes, context: ComparisonContext, feature: str, *, panel_legend: bool = True
) -> None:
    """Draw the empirical CDFs of one continuous feature on ``axes`` with axis labels.

    With ``panel_legend``, also add a panel title and a legend with the missing shares.
    """
    for values, color, role in (
        (context.real.continuous[feature], REAL_COLOR, "real"),
        (context.synthetic.continuous[feature], SYNTHETIC_COLOR, "synthetic"),
    ):
        finite = np.sort(values[np.isfinite(values)])
        label = f"{role} ({_missing_share(values.size, values.size - finite.size)})"
        if finite.size == 0:
            axes.plot([], [], color=color, label=label)
            continue
        probabilities = np.arange(1, finite.size + 1) / finite.size
        axes.step(finite, probabilities, where="post", color=color, label=label)
    axes.set_xlabel(feature)
    axes.set_ylabel("cumulative probability")
    axes.set_ylim(-0.02, 1.02)
    if panel_legend:
        axes.set_title(feature)
        axes.legend(fontsize="small")


def _add_legend(figure: Figure, context: ComparisonContext, features: tuple[str, ...]) -> None:
    """Add the figure legend; for a single feature it carries the missing shares as well."""
    details = _missing_shares(context, features[0]) if len(features) == 1 else ("", "")
    add_real_synthetic_legend(
        figure, context.real.row_count, context.synthetic.row_count, details=details
    )


def pdf_figure(context: ComparisonContext, features: tuple[str, ...], title: str) -> Figure:
    """Build one figure with a PDF panel per feature in ``features``.

    A figure of one categorical feature widens with its number of plotted categories (0.25 inch
    each), so that the rotated labels do not overlap.
    """
    config = context.config
    if len(features) == 1 and features[0] in context.spec.categories:
        plotted = min(len(context.distribution(features[0]).labels), config.max_plotted_categories)
        config = replace(config, figure_width=max(config.figure_width, 0.25 * plotted))
    figure, panels = new_figure(config, len(features), title)
    if not features:
        show_message(panels[0], "the table has no features")
        panels[0].set_xlabel("value")
        panels[0].set_ylabel("probability")
    for axes, feature in zip(panels, features, strict=False):
        draw_pdf(axes, context, feature, panel_legend=len(features) > 1)
    _add_legend(figure, context, features)
    return figure


def cdf_figure(context: ComparisonContext, features: tuple[str, ...], title: str) -> Figure:
    """Build one figure with a CDF panel per continuous feature in ``features``."""
    figure, panels = new_figure(context.config, len(features), title)
    if not features:
        show_message(panels[0], "the table has no continuous features")
        panels[0].set_xlabel("value")
        panels[0].set_ylabel("cumulative probability")
    for axes, feature in zip(panels, features, strict=False):
        draw_cdf(axes, context, feature, panel_legend=len(features) > 1)
    _add_legend(figure, context, features)
    return figure
