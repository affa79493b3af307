"""Start-up and stop code shared by the tracking clients' helper processes (the PNG renderer
and the backend writer).

Each child reads length-prefixed requests on stdin and writes replies on stdout (see
``render_protocol``). It ignores SIGINT, because Ctrl+C in a terminal reaches the whole process
group and the parent decides when the child stops. So it still handles what was queued before
the interrupt. It runs at niceness +10 where ``os.nice`` exists, because its work is
asynchronous and training should come first on a machine with no idle core. It exits when its
stdin closes, and quietly when its parent is gone before a reply is written.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import IO

__all__ = ["serve_on_stdio", "stop_child"]

logger = logging.getLogger(__name__)

NICENESS_INCREMENT = 10


def serve_on_stdio(serve: Callable[[IO[bytes], IO[bytes]], None]) -> None:
    """Prepare this child process (SIGINT ignored, lower priority) and run ``serve(requests,
    replies)`` on the original stdin and stdout; anything else printed goes to stderr."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(os, "nice"):
        os.nice(NICENESS_INCREMENT)
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        serve(sys.stdin.buffer, replies)
    except BrokenPipeError:
        # The parent closed its end (it was killed), so no reply can be delivered. Exit
        # without flushing ``replies`` again, which would print a second BrokenPipeError.
        os._exit(0)


def stop_child(process: subprocess.Popen[bytes], *, timeout: float, description: str) -> None:
    """Close the child's stdin, wait up to ``timeout`` seconds for it to exit, else kill it."""
    try:
        if process.stdin is not None:
            process.stdin.close()
        process.wait(timeout=timeout)
    except (OSError, subprocess.TimeoutExpired):
        logger.warning("The %s process did not stop within %g s; killing it.", description, timeout)
        process.kill()
        process.wait()
    finally:
        if process.stdout is not None:
            process.stdout.close()
