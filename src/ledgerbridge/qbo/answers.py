"""Batch write answers read for a few of each entity's fields.

QuickBooks answers every write with the whole entity: an invoice's lines, addresses,
taxes and metadata, for a caller that wants its Id and SyncToken. Parsing all of it into
dicts, and freeing them again, cost more than anything else about a written record's
answer. :func:`batch_reader` makes a reader for one batch that builds only the fields
asked for of the entities the batch wrote; the rest of the text is skipped unparsed.

A fault is read whole (its errors are what the caller explains). An answer the reader
cannot vouch for (a fault for the whole batch, an item with none of the entities the
batch wrote, anything that fails to parse) it leaves to the ordinary parse (it answers
None): a slim read only ever saves work, it never changes what the caller learns.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

Reader = Callable[[bytes], dict[str, Any] | None]


@functools.cache
def _decoder(keep: tuple[str, ...], entities: tuple[str, ...]) -> msgspec.json.Decoder[Any]:
    unset: Any = msgspec.UNSET
    entity = msgspec.defstruct("Entity", [(name, Any, unset) for name in keep])
    item = msgspec.defstruct("Item", [("bId", Any, unset), ("Fault", Any, unset)]
                             + [(name, entity | msgspec.UnsetType, unset) for name in entities])
    answer = msgspec.defstruct("Answer", [("BatchItemResponse", list[item], []),  # type: ignore[valid-type]
                                          ("Fault", Any, unset)])
    return msgspec.json.Decoder(answer)


def _slim(value: Any) -> dict[str, Any]:
    """A decoded struct as the dict the full parse would give, less the fields not kept
    (``to_builtins`` leaves unset ones out)."""
    return msgspec.to_builtins(value)  # type: ignore[no-any-return]


def batch_reader(keep: Iterable[str], entities: Iterable[str]) -> Reader:
    """A reader of a batch answer for writes of ``entities``: each item's entity with
    only the fields in ``keep`` (those it has), its ``bId``, and any ``Fault`` whole."""
    decoder = _decoder(tuple(sorted(set(keep))), tuple(sorted(set(entities))))

    def read(content: bytes) -> dict[str, Any] | None:
        try:
            answer = decoder.decode(content)
        except (msgspec.DecodeError, msgspec.ValidationError):
            return None  # the ordinary parse says what is wrong with it
        if answer.Fault is not msgspec.UNSET:
            return None
        items = [_slim(item) for item in answer.BatchItemResponse]
        if any(len(item) < 2 for item in items):  # only its bId: an entity not expected
            return None
        return {"BatchItemResponse": items}

    return read
