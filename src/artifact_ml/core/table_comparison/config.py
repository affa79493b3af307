"""Hyperparameters of the table-comparison artifacts, with their documented defaults."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TableComparisonConfig"]


@dataclass(frozen=True)
class TableComparisonConfig:
    """Hyperparameters shared by every table-comparison artifact.

    Attributes:
        bin_count: the maximum number of bins over the real table's range for a continuous feature's
            distribution (JS distance and PDF plots): equal-width bins, or for integer columns
            bins of ``w`` consecutive integers with the smallest ``w`` that gives at most this
            many. Default 50.
        js_base: logarithm base of the Jensen-Shannon divergence. With base 2 the JS distance lies
            in [0, 1]. Default 2.0.
        std_ddof: delta degrees of freedom of the standard deviation and variance (1 gives the
            sample statistic, as pandas does). Default 1.
        tsne_sample_size: rows sampled from each table (without replacement) for t-SNE; tables
            with fewer rows are used whole. Default 500.
        tsne_perplexity: t-SNE perplexity, capped at one less than the number of embedded rows.
            Default 30.0.
        tsne_max_iter: t-SNE optimisation iterations (scikit-learn accepts 250 or more).
            Default 500.
        seed: seed of every random choice (t-SNE row sample and initialisation, truncated SVD),
            from 0 to 2**32 - 1. Default 0.
        figure_width: width of one panel, in inches. Default 4.0.
        figure_height: height of one panel, in inches. Default 3.0.
        figure_dpi: resolution of the figures, in dots per inch. Default 100.
        max_plotted_categories: categories drawn per categorical feature (the most frequent in
            both tables, the rest summed into "(other)") in a one-feature PDF figure. A figure
            with a panel per feature draws at most 12 per panel. Default 30.
    """

    bin_count: int = 50
    js_base: float = 2.0
    std_ddof: int = 1
    tsne_sample_size: int = 500
    tsne_perplexity: float = 30.0
    tsne_max_iter: int = 500
    seed: int = 0
    figure_width: float = 4.0
    figure_height: float = 3.0
    figure_dpi: int = 100
    max_plotted_categories: int = 30

    def __post_init__(self) -> None:
        if self.bin_count < 1:
            raise ValueError(f"bin_count must be at least 1, got {self.bin_count}.")
        if self.js_base <= 1.0:
            raise ValueError(f"js_base must be greater than 1, got {self.js_base}.")
        if self.std_ddof < 0:
            raise ValueError(f"std_ddof must be 0 or more, got {self.std_ddof}.")
        if self.tsne_sample_size < 2:
            raise ValueError(f"tsne_sample_size must be at least 2, got {self.tsne_sample_size}.")
        if self.tsne_perplexity <= 0:
            raise ValueError(f"tsne_perplexity must be positive, got {self.tsne_perplexity}.")
        if self.tsne_max_iter < 250:
            raise ValueError(f"tsne_max_iter must be at least 250, got {self.tsne_max_iter}.")
        if not 0 <= self.seed < 2**32:
            raise ValueError(
                f"seed must be between 0 and {2**32 - 1} (the range of NumPy and scikit-learn "
                f"seeds), got {self.seed}."
            )
        if self.max_plotted_categories < 1:
            raise ValueError(
                f"max_plotted_categories must be at least 1, got {self.max_plotted_categories}."
            )
