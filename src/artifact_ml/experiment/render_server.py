"""The renderer process: reads pickled figures on stdin and writes their PNG bytes to stdout.

Started by ``artifact_ml.experiment.render_process`` as ``python -m
artifact_ml.experiment.render_server``; not meant to be run by hand. Rendering matplotlib figures
is CPU-bound Python that holds the GIL, so doing it here, rather than in the tracking worker
thread, keeps it from slowing the training thread.

Messages are framed by ``artifact_ml.experiment.render_protocol``. A request is the pickle of
``(rc_params, figures)`` and a reply the pickle of ``("ok", [png bytes, ...])`` or ``("error",
description)``. The process exits when stdin closes (its parent stopped or died).

The process ignores SIGINT and lowers its own scheduling priority (see ``child_process``), so on
a machine with no idle core it takes CPU time from training only when training leaves some.
"""

from __future__ import annotations

import pickle
from typing import IO

from artifact_ml.experiment.child_process import serve_on_stdio
from artifact_ml.experiment.collection_pause import collection_paused
from artifact_ml.experiment.render_protocol import read_message, write_message

__all__ = ["serve"]


def serve(requests: IO[bytes], replies: IO[bytes]) -> None:
    """Render the figures of each request and write the reply, until ``requests`` ends."""
    import matplotlib

    matplotlib.use("Agg")
    from artifact_ml.experiment.plot_image import render_png

    while True:
        payload = read_message(requests)
        if payload is None:
            return
        try:
            with collection_paused():
                rc_params, figures = pickle.loads(payload)
            with matplotlib.rc_context(rc_params):
                reply: tuple[str, object] = ("ok", [render_png(figure) for figure in figures])
        except Exception as error:
            reply = ("error", f"{type(error).__name__}: {error}")
        write_message(replies, pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))


def main() -> None:
    """Serve as a child process (see ``child_process``) on stdin and stdout."""
    serve_on_stdio(serve)


if __name__ == "__main__":
    main()
