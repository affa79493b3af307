"""The garbage-collector pause around the tracking worker's pickling of figures."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest
from matplotlib.figure import Figure

from artifact_ml.experiment.collection_pause import collection_paused
from artifact_ml.experiment.render_process import RenderProcess


@pytest.fixture(autouse=True)
def collector_enabled_afterwards() -> Iterator[None]:
    yield
    gc.enable()


def test_pause_restores_an_enabled_collector() -> None:
    gc.enable()
    with collection_paused():
        assert not gc.isenabled()
        with collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_pause_leaves_a_disabled_collector_disabled() -> None:
    gc.disable()
    with collection_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_pause_restores_after_an_error() -> None:
    gc.enable()
    with pytest.raises(RuntimeError, match="inside"), collection_paused():
        raise RuntimeError("inside")
    assert gc.isenabled()


def test_two_threads_share_one_pause() -> None:
    gc.enable()
    entered = threading.Event()
    release = threading.Event()
    states: list[bool] = []

    def pause_in_thread() -> None:
        with collection_paused():
            entered.set()
            release.wait(timeout=10)
            states.append(gc.isenabled())

    thread = threading.Thread(target=pause_in_thread)
    with collection_paused():
        thread.start()
        assert entered.wait(timeout=10)
    states.append(gc.isenabled())  # the other thread's pause is still open
    release.set()
    thread.join(timeout=10)

    assert states == [False, False]
    assert gc.isenabled()


class _CollectorProbe:
    """Records whether the collector was enabled when it was pickled; unpickles as 0."""

    seen: ClassVar[list[bool]] = []

    def __reduce__(self) -> tuple[type[int], tuple[()]]:
        self.seen.append(gc.isenabled())
        return (int, ())


def test_render_pickles_with_collector_paused() -> None:
    gc.enable()
    figure = Figure(figsize=(2, 2), dpi=40)
    figure.subplots().plot([0.0, 1.0], [1.0, 0.0])
    figure.probe = _CollectorProbe()  # type: ignore[attr-defined]
    _CollectorProbe.seen.clear()
    renderer = RenderProcess()
    renderer.acquire()
    try:
        (png,) = renderer.render([figure]) or [b""]
    finally:
        renderer.release()

    assert _CollectorProbe.seen == [False]
    assert gc.isenabled()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
