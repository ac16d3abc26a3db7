"""Fewer garbage collections while a sync run works.

A run allocates many short-lived containers (book rows, fields, payloads, answers) while
holding many long-lived ones (links, the name index, a level's work). At Python's
default threshold (a young collection every 700 net allocations) the collector keeps
walking the long-lived ones: about a fifth of a full sync's CPU in the full-sync
benchmark. While any run is active the young threshold is raised, and at a run's
checkpoints (its plan made, each level done) what is alive is frozen (``gc.freeze``:
kept out of later collections, still freed by reference counting); the last run to
finish unfreezes it, so cyclic garbage is still collected, only later. Runs may overlap
in one process (the worker): the first to start raises the threshold, the last to
finish restores it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG_THRESHOLD = 50_000

_lock = threading.Lock()
_active = 0
_saved: tuple[int, int, int] | None = None


@contextmanager
def fewer_collections(young: int = YOUNG_THRESHOLD) -> Iterator[None]:
    global _active, _saved
    with _lock:
        if _active == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(max(young, _saved[0]), _saved[1], _saved[2])
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None
                gc.unfreeze()


def checkpoint() -> None:
    """Keep what is alive now out of later collections (while a run is active)."""
    with _lock:
        if _active:
            gc.freeze()
