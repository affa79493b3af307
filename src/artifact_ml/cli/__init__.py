"""The ``artifact-ml`` command-line interface."""
