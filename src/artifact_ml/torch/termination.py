"""Stopping cleanly on SIGTERM, the signal that ``docker stop``, Kubernetes and Slurm send first.

Python's default action for SIGTERM ends the process at once: no ``finally`` clause runs, so a
tracking client would lose what it has queued and leave its run marked as running. Inside
``sigterm_raises`` the signal raises ``Terminated`` in the main thread instead, which unwinds like
Ctrl+C: ``with client:`` blocks stop their clients, write every queued result and record the run
as killed. ``CustomTrainer.train`` and ``artifact-ml demo`` run inside it.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

__all__ = ["Terminated", "sigterm_raises"]

logger = logging.getLogger(__name__)


class Terminated(KeyboardInterrupt):
    """The process received SIGTERM; handled like ``KeyboardInterrupt`` (the run is killed)."""


@contextmanager
def sigterm_raises() -> Iterator[None]:
    """Raise ``Terminated`` in the main thread when SIGTERM arrives inside the block.

    Only the first SIGTERM raises: later ones are logged and ignored, so that they cannot cut
    short the clean-up that the first one started. Outside the block the previous handler is
    back. The block changes nothing in a thread other than the main thread (where Python
    cannot set signal handlers), on a platform without SIGTERM, or when the program has already
    set its own SIGTERM handler.
    """
    sigterm = getattr(signal, "SIGTERM", None)
    if sigterm is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(sigterm)
    if previous is not signal.SIG_DFL:
        yield
        return
    received = False

    def handle(signal_number: int, frame: FrameType | None) -> None:
        nonlocal received
        if received:
            logger.warning("SIGTERM received again; still writing results before exiting.")
            return
        received = True
        raise Terminated(f"received SIGTERM (signal {signal_number})")

    signal.signal(sigterm, handle)
    try:
        yield
    finally:
        signal.signal(sigterm, previous)
