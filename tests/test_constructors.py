"""The classes a sync builds once or more for every record write their ``__init__`` out.

mypyc compiles a class's own ``__init__`` to C; the one ``@dataclass`` generates is
plain Python and stays interpreted, about seven times dearer to call (a first full sync
builds more than a dozen of these a record). Written out, an ``__init__`` can drift from
the fields: these tests hold each one to its dataclass fields, their order, defaults
and default factories, on the plain source and on the compiled build alike."""

from __future__ import annotations

import dataclasses
import importlib.machinery
import inspect
import sys
import types
from typing import Any

import pytest

from ledgerbridge.engine.apply import Entry, Work
from ledgerbridge.engine.fields import Built
from ledgerbridge.engine.ledger import LedgerError, LedgerOp, LedgerResult, RemoteRecord
from ledgerbridge.engine.links import Link
from ledgerbridge.engine.matching import Candidate, Match
from ledgerbridge.engine.names import NameResult, Problem
from ledgerbridge.engine.operations import Planned
from ledgerbridge.engine.outcomes import RecordOutcome
from ledgerbridge.engine.planner import Root
from ledgerbridge.engine.triggers import Trigger
from ledgerbridge.qbo.errors import Action, QboError
from ledgerbridge.qbo.operations import Operation, Result

BUILT = Built("customer", {"name": "A"}, [])
LINK = Link("customer", "c1", "customer", "7", "0", "A", None, 1, "created")
RECORD = RemoteRecord("customer", "7", "0")

#: a value of the right type for each field, different from its default (the compiled
#: build checks argument types, so an arbitrary marker object would be refused)
SAMPLES: dict[type, dict[str, Any]] = {
    RecordOutcome: {"kind": "job", "record_id": "j1", "result": "created", "message": "m",
                    "remote_id": "9", "op_id": "op1", "direction": "inbound"},
    Link: {"record_kind": "job", "record_id": "j1", "remote_kind": "customer",
           "remote_id": "9", "remote_version": "3", "remote_name": "A:B", "sent_hash": "h",
           "record_version": 4, "how": "linked"},
    Entry: {"kind": "job", "record": {"id": "j1"}, "link_only": True, "reason": "r",
            "pushed": True},
    Work: {"kind": "job", "record": {"id": "j1"}, "built": BUILT, "link": LINK,
           "action": "update", "name": "A:B", "op": {"id": "op1"}, "link_only": True,
           "reason": "r"},
    Planned: {"record_kind": "job", "record_id": "j1", "record_version": 2,
              "action": "update", "remote_kind": "customer", "payload": {"a": 1},
              "remote_id": "9", "direction": "inbound"},
    Built: {"remote_kind": "invoice", "fields": {"a": 1}, "problems": [Problem("x", "y")]},
    Root: {"key": ("job", "j1"), "pushed": True},
    Candidate: {"key": ("job", "j1"), "remote_kind": "customer", "name": "B",
                "parent_id": "5", "item_type": "Service", "strict_type": True,
                "parent_name": "A"},
    Match: {"verdict": "fail", "name": "B", "record": RECORD, "message": "m"},
    Trigger: {"verdict": "wait", "reason": "r", "setting": "jobs.create_jobs",
              "value": "never", "new_only": True},
    NameResult: {"name": "B", "problem": Problem("x", "y")},
    Operation: {"id": "op1", "action": "update", "entity": "Customer",
                "payload": {"Id": "7"}},
    Result: {"operation_id": "op1", "ok": False, "entity_id": "7", "sync_token": "2",
             "object": {"Id": "7"},
             "error": QboError(action=Action.RETRY_LATER, code="x", message="m")},
    RemoteRecord: {"kind": "invoice", "id": "7", "version": "2", "name": "1001",
                   "active": False, "parent_id": "5", "fields": {"a": 1},
                   "updated_at": None, "deleted": True},
    LedgerOp: {"id": "op1", "action": "update", "kind": "invoice", "fields": {"a": 1},
               "remote_id": "7", "remote_version": "2", "attempt": 3},
    LedgerResult: {"op_id": "op1", "record": RECORD,
                   "error": LedgerError("retry_later", "x", "m"), "note": "n"},
}


def ids(cls: type) -> str:
    return cls.__name__


def kept(value: Any, given: Any) -> bool:
    """``value`` is the object given (a tuple equal to it: the compiled build keeps a
    fixed-size tuple unboxed and boxes it anew when read)."""
    return value == given if isinstance(given, tuple) else value is given


@pytest.mark.parametrize("cls", SAMPLES, ids=ids)
def test_the_init_is_the_class_own(cls: type) -> None:
    own = cls.__dict__.get("__init__")
    assert own is not None, f"{cls.__name__} has no __init__ of its own"
    module = sys.modules[cls.__module__]
    if str(module.__file__).endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
        assert not isinstance(own, types.FunctionType), \
            f"{cls.__name__}.__init__ is interpreted in the compiled build"
    else:
        assert inspect.getsourcefile(own) == inspect.getsourcefile(module), \
            f"{cls.__name__}.__init__ was generated, not written in its module"


@pytest.mark.parametrize("cls", SAMPLES, ids=ids)
def test_every_field_is_taken_by_name_and_kept(cls: type) -> None:
    fields = [f.name for f in dataclasses.fields(cls) if f.init]
    sample = SAMPLES[cls]
    assert sorted(sample) == sorted(fields), "the samples name every field"
    made = cls(**sample)
    for name in fields:
        assert kept(getattr(made, name), sample[name]), name


@pytest.mark.parametrize("cls", SAMPLES, ids=ids)
def test_the_fields_are_taken_in_their_order(cls: type) -> None:
    sample = SAMPLES[cls]
    made = cls(*(sample[f.name] for f in dataclasses.fields(cls) if f.init))
    assert made == cls(**sample)
    for f in dataclasses.fields(cls):
        assert kept(getattr(made, f.name), sample[f.name]), f.name


@pytest.mark.parametrize("cls", SAMPLES, ids=ids)
def test_the_defaults_are_the_fields_defaults(cls: type) -> None:
    sample = SAMPLES[cls]
    fields = [f for f in dataclasses.fields(cls) if f.init]
    required = {f.name: sample[f.name] for f in fields
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    first, second = cls(**required), cls(**required)
    for f in fields:
        if f.name in required:
            continue
        if f.default_factory is not dataclasses.MISSING:
            assert getattr(first, f.name) == f.default_factory(), f.name
            if isinstance(getattr(first, f.name), list | dict):  # a fresh one each time
                assert getattr(first, f.name) is not getattr(second, f.name), f.name
        else:
            assert getattr(first, f.name) == f.default, f.name


def test_replace_still_makes_a_copy_with_one_field_changed() -> None:
    op = LedgerOp(**SAMPLES[LedgerOp])
    again = dataclasses.replace(op, attempt=4)
    assert again.attempt == 4 and again.fields is op.fields and again.id == op.id


def test_an_operation_still_checks_its_id_and_action() -> None:
    from ledgerbridge.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="1 to 50"):
        Operation("x" * 51, "create", "Customer", {})
    with pytest.raises(ConfigurationError, match="unknown action"):
        Operation("op1", "merge", "Customer", {})  # type: ignore[arg-type]
