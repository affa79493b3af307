"""The ``artifact-ml demo`` job: a tabular VAE trained on real data with validation artifacts."""
