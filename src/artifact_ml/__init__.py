"""artifact-ml: declarative validation workflows for PyTorch tabular synthesizers and classifiers.

The package has three layers. ``artifact_ml.core`` computes validation artifacts (scores, arrays,
plots and collections of them) with numpy, pandas and matplotlib. ``artifact_ml.experiment`` logs
them to tracking backends. ``artifact_ml.torch`` trains PyTorch models and runs validation routines
during training. Importing this package imports none of the layers.
"""

__version__ = "0.1.0"
