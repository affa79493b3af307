"""A logged figure together with its PNG encoding, rendered once and shared by every write."""

from __future__ import annotations

import io
import threading

import matplotlib
from matplotlib.figure import Figure

__all__ = ["PlotImage", "changed_rc_params", "render_png"]

# rcParams that select or configure a GUI backend; a renderer process always uses Agg.
_BACKEND_RC_PARAMS = frozenset({"backend", "backend_fallback", "interactive"})


def render_png(figure: Figure) -> bytes:
    """Render ``figure`` to PNG bytes with ``savefig(format="png")`` and the current rcParams."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def changed_rc_params() -> dict[str, object]:
    """Return the rcParams this process changed since matplotlib read its matplotlibrc.

    A renderer process started from the same environment reads the same matplotlibrc, so
    applying these makes it render with this process's settings (e.g. ``savefig.dpi``).
    """
    changed: dict[str, object] = {}
    for key, value in matplotlib.rcParams.items():
        if key in _BACKEND_RC_PARAMS:
            continue
        try:
            unchanged = bool(matplotlib.rcParamsOrig.get(key) == value)
        except (TypeError, ValueError):  # values such as arrays do not compare to a bool
            unchanged = False
        if not unchanged:
            changed[key] = value
    return changed


class PlotImage:
    """A figure and its PNG bytes.

    The PNG is rendered at most once: either set by the tracking worker (which renders in a
    separate process, see ``artifact_ml.experiment.render_process``) or rendered in this process
    on first access of ``png``. Every backend write and the fallback folder reuse the same bytes.
    """

    __slots__ = ("_lock", "_png", "figure")

    def __init__(self, figure: Figure) -> None:
        self.figure = figure
        self._png: bytes | None = None
        self._lock = threading.Lock()

    @property
    def is_rendered(self) -> bool:
        """Whether the PNG bytes are already known."""
        return self._png is not None

    @property
    def png(self) -> bytes:
        """The PNG encoding of ``figure``; rendered in this process if not yet rendered."""
        with self._lock:
            if self._png is None:
                self._png = render_png(self.figure)
            return self._png

    def set_png(self, png: bytes) -> None:
        """Store PNG bytes rendered elsewhere from this figure (ignored once rendered)."""
        with self._lock:
            if self._png is None:
                self._png = png
