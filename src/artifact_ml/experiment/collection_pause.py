"""Pausing Python's cyclic garbage collector while the tracking worker pickles figures.

Pickling a matplotlib figure calls ``__getstate__`` on each of its artists and transforms, and
every call returns a new dict that the pickler keeps until it returns: tens of thousands of
containers for the 15 figures of one table comparison. Those allocations start collections of
the older generations, and a full collection walks every object of the process (about 0.2 s of
CPU with torch, pandas, matplotlib and MLflow loaded on the development VM). The worker holds the
GIL while it collects, so the training thread stops for that long. The dicts are freed by
reference counting as soon as the pickler returns, so pausing the collector for that time leaves
no garbage behind.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collection_paused"]

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def collection_paused() -> Iterator[None]:
    """Disable the cyclic garbage collector inside the block.

    Nested or concurrent blocks share one pause: the last block to leave restores the state the
    first one found. A call to ``gc.enable()`` or ``gc.disable()`` from another thread during the
    pause is overwritten when the pause ends.
    """
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
