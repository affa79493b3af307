"""The backend writer process: runs a tracking backend's writes for a parent process.

Started by ``artifact_ml.experiment.backend_process`` as ``python -m
artifact_ml.experiment.backend_server``; not meant to be run by hand. The first message is the
pickle of ``(opener, arguments)``: a module-level function and the keyword arguments that build
the backend here. Each later message is the pickle of ``(method, arguments)``, a call of one of
the backend's methods. The reply to every message is the pickle of ``("ok", None)`` or
``("error", description)``. Messages are framed by ``artifact_ml.experiment.render_protocol``.
The process exits when its stdin closes (the parent closed the backend, stopped or died). It
ignores SIGINT and runs at a lower priority (see ``child_process``).
"""

from __future__ import annotations

import pickle
import traceback
from collections.abc import Callable
from typing import IO, Any

from artifact_ml.experiment.child_process import serve_on_stdio
from artifact_ml.experiment.render_protocol import read_message, write_message

__all__ = ["serve"]


def _reply(replies: IO[bytes], status: str, value: object) -> None:
    write_message(replies, pickle.dumps((status, value), protocol=pickle.HIGHEST_PROTOCOL))


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """Build the backend from the first request, then run each later request's call on it."""
    payload = read_message(requests)
    if payload is None:
        return
    try:
        opener, arguments = pickle.loads(payload)
        backend = _callable_opener(opener)(**arguments)
    except Exception as error:
        _reply(replies, "error", f"cannot open the backend: {type(error).__name__}: {error}")
        return
    _reply(replies, "ok", None)
    while True:
        payload = read_message(requests)
        if payload is None:
            return
        try:
            method, arguments = pickle.loads(payload)
            getattr(backend, method)(**arguments)
        except Exception as error:
            location = traceback.extract_tb(error.__traceback__)[-1]
            _reply(
                replies,
                "error",
                f"{type(error).__name__}: {error} (at {location.filename}:{location.lineno})",
            )
            continue
        _reply(replies, "ok", None)


def _callable_opener(opener: object) -> Callable[..., Any]:
    """Return ``opener`` if it is callable.

    Raises:
        TypeError: if it is not.
    """
    if not callable(opener):
        raise TypeError(f"The backend opener must be callable, got {type(opener).__name__}.")
    return opener


def main() -> None:
    """Serve as a child process (see ``child_process``) on stdin and stdout."""
    serve_on_stdio(serve)


if __name__ == "__main__":
    main()
