"""Runs raise the collector's young threshold while any of them is active, and the
last one to finish puts back what was there."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from ledgerbridge.engine.collector import YOUNG_THRESHOLD, checkpoint, fewer_collections


@pytest.fixture(autouse=True)
def default_threshold() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*before)


def test_overlapping_runs_restore_the_threshold_when_the_last_one_ends(
        default_threshold: tuple[int, int, int]) -> None:
    first = fewer_collections()
    second = fewer_collections()
    first.__enter__()
    assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
    second.__enter__()
    first.__exit__(None, None, None)  # the first run ends while the second still runs
    assert gc.get_threshold() == (YOUNG_THRESHOLD, 10, 10)
    second.__exit__(None, None, None)
    assert gc.get_threshold() == default_threshold


def test_a_failing_run_restores_it_and_a_higher_setting_is_kept() -> None:
    with pytest.raises(RuntimeError), fewer_collections():
        raise RuntimeError("the run failed")
    assert gc.get_threshold() == (700, 10, 10)
    gc.set_threshold(100_000, 10, 10)  # the host application asked for more already
    with fewer_collections():
        assert gc.get_threshold() == (100_000, 10, 10)
    assert gc.get_threshold() == (100_000, 10, 10)


def test_checkpoints_freeze_only_while_a_run_is_active() -> None:
    gc.unfreeze()
    checkpoint()  # no run: nothing frozen
    assert gc.get_freeze_count() == 0
    with fewer_collections():
        kept = [[n] for n in range(100)]  # containers alive at the checkpoint
        checkpoint()
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_freeze_count() == 0  # the last run out unfreezes them
