"""Routines: batch, data-loader and artifact routines that run callbacks and validation plans."""
