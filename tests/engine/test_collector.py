"""Runs turn the cyclic collector off while any of them is active, and the last one to
finish turns it back on (only if it was on); checkpoints freeze what is alive."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from ledgerbridge.engine.collector import checkpoint, fewer_collections


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    gc.unfreeze()
    if was:
        gc.enable()
    else:
        gc.disable()


def test_overlapping_runs_turn_it_back_on_when_the_last_one_ends() -> None:
    first = fewer_collections()
    second = fewer_collections()
    first.__enter__()
    assert not gc.isenabled()
    second.__enter__()
    first.__exit__(None, None, None)  # the first run ends while the second still runs
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_failing_run_turns_it_back_on_and_an_application_that_had_it_off_keeps_it_off(
        ) -> None:
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("the run failed")
    assert gc.isenabled()
    gc.disable()  # the host application runs without it
    with fewer_collections():
        assert not gc.isenabled()
    assert not gc.isenabled()


def test_checkpoints_freeze_only_while_a_run_is_active() -> None:
    gc.unfreeze()
    checkpoint()  # no run: nothing frozen
    assert gc.get_freeze_count() == 0
    with fewer_collections():
        kept = [[n] for n in range(100)]  # containers alive at the checkpoint
        checkpoint()
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_freeze_count() == 0  # the last run out unfreezes them


def test_cyclic_garbage_of_a_run_is_collected_once_it_ends() -> None:
    class Node:
        other: object = None

    with fewer_collections():
        for _ in range(1000):  # cycles, unreachable at once
            a, b = Node(), Node()
            a.other, b.other = b, a
        del a, b
        checkpoint()
    assert gc.collect() >= 2000  # nothing was collected during the run; all of it now
