"""A bounded, thread-safe cache of values derived from table columns (encodings, statistics).

Keys contain the fingerprints of the columns a value derives from (see ``fingerprint``), so a
hit can never return a value computed from different data. The cache evicts the least
recently used entries once the sizes of the cached NumPy arrays exceed ``max_bytes``.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

import numpy as np

__all__ = ["DEFAULT_CACHE_MAX_BYTES", "ComputationCache", "freeze"]

logger = logging.getLogger(__name__)

ValueT = TypeVar("ValueT")

# Enough for the encodings of two 1M-row tables of 15 features (8 bytes per cell each).
DEFAULT_CACHE_MAX_BYTES = 256 * 2**20

# Size charged for an entry without arrays (a few floats), so that many of them still evict.
_SMALL_ENTRY_BYTES = 256


def freeze(array: np.ndarray) -> np.ndarray:
    """Mark ``array`` read-only, so that no caller can change a cached value, and return it."""
    array.setflags(write=False)
    return array


class ComputationCache:
    """Least-recently-used map from hashable keys to computed values, bounded in bytes.

    ``max_bytes=0`` disables caching: every lookup computes its value.
    """

    def __init__(self, max_bytes: int = DEFAULT_CACHE_MAX_BYTES) -> None:
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be 0 or more, got {max_bytes}.")
        self._max_bytes = max_bytes
        self._entries: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        """Whether values are stored (``max_bytes > 0``)."""
        return self._max_bytes > 0

    @property
    def size_bytes(self) -> int:
        """Bytes charged for the cached entries."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def get_or_compute(
        self, key: Hashable, compute: Callable[[], ValueT], size_bytes: Callable[[ValueT], int]
    ) -> ValueT:
        """Return the value cached under ``key``, or compute, store and return it.

        ``compute`` runs outside the lock, so two threads may compute the same value once each.
        """
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return cast(ValueT, entry[0])
            self.misses += 1
        value = compute()
        if self._max_bytes == 0:
            return value
        size = max(size_bytes(value), _SMALL_ENTRY_BYTES)
        if size > self._max_bytes:
            logger.debug("Not caching %d bytes: above the %d-byte budget.", size, self._max_bytes)
            return value
        with self._lock:
            if key not in self._entries:
                self._entries[key] = (value, size)
                self._bytes += size
            while self._bytes > self._max_bytes:
                _, (_, evicted_size) = self._entries.popitem(last=False)
                self._bytes -= evicted_size
        return value
