"""``apply``: operations packed into batch calls of at most 30, every answer mapped back to
its operation. A batch's requestid is a hash of its operation ids; a lone operation goes
as a single call with ``requestid`` = its id. Batches run concurrently within the budget.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Collection, Sequence
from typing import Any

from ledgerbridge.errors import ConfigurationError, LedgerbridgeError, NeedsReconnectError
from ledgerbridge.qbo import answers, batch_reads
from ledgerbridge.qbo.errors import Action, QboError, classify
from ledgerbridge.qbo.faults import Fault, faults_from_json
from ledgerbridge.qbo.http import QboHttp
from ledgerbridge.qbo.operations import (
    Operation,
    Result,
    batch_body,
    batch_request_id,
    failure,
    json_payload,
    pack,
    success,
)

NAMESPACE = ("Customer", "Vendor", "Employee")  # DisplayName is unique across these
ARTICLE = {"Customer": "A customer", "Vendor": "A vendor", "Employee": "An employee"}


def _names(op: Operation) -> dict[str, str]:
    payload = op.payload
    name = payload.get("DisplayName") or payload.get("Name") or ""
    return {"name": str(name), "doc": str(payload.get("DocNumber") or "")}


def _error(op: Operation, status: int | None, item: Any) -> QboError:
    return classify(status, faults_from_json(item), entity=op.entity, extra=_names(op),
                    operation=op.action)


def _caught(exc: LedgerbridgeError, op: Operation) -> QboError:
    if isinstance(exc, NeedsReconnectError | ConfigurationError):
        raise exc
    error = exc.context.extra.get("qbo_error")
    if isinstance(error, QboError):
        return dataclasses.replace(error, message=error.message.replace(
            "this record", f"this {op.entity.lower()}"))
    return QboError(action=Action.RETRY_LATER, code=exc.code, message=exc.message)


async def send_single(http: QboHttp, op: Operation) -> Result:
    try:
        answer = await http.request("POST", op.entity.lower(), params=op.path_params,
                                    json=json_payload(op), entity=op.entity)
    except LedgerbridgeError as exc:
        return failure(op, _caught(exc, op))
    if answer.status == 200 and isinstance(answer.body, dict):
        return success(op, answer.body)
    return failure(op, _error(op, answer.status, answer.body))


async def send_batch(http: QboHttp, batch: Sequence[Operation],
                     keep: Collection[str] | None = None) -> list[Result]:
    if len(batch) == 1:
        return [await send_single(http, batch[0])]
    read = answers.batch_reader(keep, {op.entity for op in batch}) if keep else None
    try:
        answer = await http.request("POST", "batch",
                                    params={"requestid": batch_request_id(batch)},
                                    json=batch_body(batch), batch=True, entity=batch[0].entity,
                                    read=read)
    except LedgerbridgeError as exc:
        return [failure(op, _caught(exc, op)) for op in batch]
    if answer.status != 200 or not isinstance(answer.body, dict):
        return [failure(op, _error(op, answer.status, answer.body)) for op in batch]
    items = {str(item.get("bId")): item for item in answer.body.get("BatchItemResponse", [])
             if isinstance(item, dict)}
    return [_item_result(op, items.get(str(index))) for index, op in enumerate(batch)]


def _item_result(op: Operation, item: dict[str, Any] | None) -> Result:
    if item is None:
        return failure(op, classify(None, [], transport="unanswered", entity=op.entity))
    if "Fault" in item:
        return failure(op, _error(op, 400, item))
    return success(op, item)


async def apply(http: QboHttp, operations: Sequence[Operation],
                keep: Collection[str] | None = None) -> list[Result]:
    """One :class:`Result` per operation, in the order given. With ``keep``, a batched
    operation's ``Result.object`` has only those of the entity's fields (read without
    parsing the rest; a lone operation's has them all)."""
    batches = pack(operations)
    # as many batches at once as may be in flight; the rest queue here rather than
    # every one of them polling the budget for a free slot
    slots = asyncio.Semaphore(max(1, http.budget.limits.in_flight))

    async def send(batch: list[Operation]) -> list[Result]:
        async with slots:
            return await send_batch(http, batch, keep)

    answered = await asyncio.gather(*(send(batch) for batch in batches))
    by_id = {result.operation_id: result for group in answered for result in group}
    results = [by_id[op.id] for op in operations]
    return await explain_name_clashes(http, operations, results)


async def explain_name_clashes(http: QboHttp, operations: Sequence[Operation],
                               results: list[Result]) -> list[Result]:
    """6240 says only "the name exists": look up who holds each name, to say so."""
    clashes = [r for r in results if r.error is not None and r.error.code == "6240"]
    if not clashes:
        return results
    ops = {op.id: op for op in operations}
    names = {_names(ops[r.operation_id])["name"] for r in clashes} - {""}
    holders = await _holders(http, names, {ops[r.operation_id].entity for r in clashes})
    better = {}
    for result in clashes:
        op = ops[result.operation_id]
        name = _names(op)["name"]
        holder = holders.get(name.casefold())
        if holder is not None and result.error is not None:
            error = classify(400, [Fault("6240", "", "")], entity=op.entity,
                             extra={"name": name, "holder": holder})
            better[result.operation_id] = dataclasses.replace(
                result, error=dataclasses.replace(result.error, message=error.message))
    return [better.get(r.operation_id, r) for r in results]


async def _holders(http: QboHttp, names: set[str], entities: set[str]) -> dict[str, str]:
    lookups = NAMESPACE if entities & set(NAMESPACE) else tuple(sorted(entities))
    holders: dict[str, str] = {}
    for entity in lookups:
        try:
            found = await batch_reads.find_by_names(http, entity, names)
        except LedgerbridgeError:
            continue
        for name in found:
            holders.setdefault(name.casefold(), ARTICLE.get(entity, f"A {entity.lower()}"))
    return holders
