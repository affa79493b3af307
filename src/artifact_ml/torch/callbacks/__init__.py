"""Callbacks: model-I/O, forward-hook, backward-hook and optimizer observers, and built-ins."""
