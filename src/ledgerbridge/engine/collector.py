"""No cyclic garbage collections while a sync run works.

A run allocates many short-lived containers (book rows, fields, payloads, answers) while
holding many long-lived ones (links, the name index, a level's work). Every young
collection walks all the containers allocated since the last one that are still alive,
and a run keeps most of what it allocates alive for a while: at Python's default
threshold the collector was about a fifth of a full sync's CPU, and still about a
twentieth with a raised threshold. Yet a run makes almost no cyclic garbage (a full
sync of 16,000 records: under 600 objects), and everything else is freed by reference
counting. So while any run is active the collector is off, and at a run's checkpoints
(its plan made, each chunk staged and sent, each level done) what is alive is frozen
(``gc.freeze``: kept out of later collections, still freed by reference counting). The
last run to finish unfreezes it and turns the collector back on if it was on, so the
little cyclic garbage is collected then. Runs may overlap in one process (the worker):
the first to start turns it off, the last to finish turns it back on.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_active = 0
_was_enabled = False


@contextmanager
def fewer_collections() -> Iterator[None]:
    global _active, _was_enabled
    with _lock:
        if _active == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                gc.unfreeze()
                if _was_enabled:
                    gc.enable()


def checkpoint() -> None:
    """Keep what is alive now out of later collections (while a run is active)."""
    with _lock:
        if _active:
            gc.freeze()
