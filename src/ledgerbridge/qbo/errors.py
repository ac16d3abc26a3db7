"""Errors as data: THE table from HTTP statuses and QuickBooks Fault codes to an action.

Every retry / re-read / fail / reconnect decision about a QuickBooks Online answer is made
here and nowhere else. :func:`classify` turns an answer into a :class:`QboError` (plain
data the engine can store); :meth:`QboError.to_exception` maps it onto ledgerbridge's
exception tree when a caller wants to raise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ledgerbridge.errors import (
    ConfigurationError,
    ConflictError,
    LedgerbridgeError,
    NeedsReconnectError,
    Problem,
    RecordRejectedError,
    RetryLaterError,
)
from ledgerbridge.qbo.faults import Fault


class Action(StrEnum):
    """What the caller should do about an answer."""

    RETRY_LATER = "retry_later"
    REREAD_AND_RETRY = "reread_and_retry"
    RECORD_FAILED = "record_failed"
    REFRESH_TOKEN = "refresh_token"  # noqa: S105 - an action, not a secret
    NEEDS_RECONNECT = "needs_reconnect"
    COMPANY_PROBLEM = "company_problem"
    ALREADY_DONE = "already_done"  # the answer says the work is done already


@dataclass(frozen=True)
class Rule:
    action: Action
    message: str  # for people; {entity} {element} {name} {doc} {detail} {holder} filled in


_RETRY = "QuickBooks is busy or did not answer; ledgerbridge will try again shortly."
_RECONNECT = ("QuickBooks no longer accepts this connection's authorization. Reconnect "
              "QuickBooks (ledgerbridge connect qbo) to resume syncing.")

#: THE table, by QuickBooks Fault code.
FAULT_CODES: dict[str, Rule] = {
    "610": Rule(Action.RECORD_FAILED, "This {entity} refers to a record that QuickBooks "
                "cannot find or that was made inactive. Reactivate it in QuickBooks, or "
                "point the {entity} at an active record."),
    "2010": Rule(Action.RECORD_FAILED, "QuickBooks does not accept a field sent with this "
                 "{entity} ({detail}). Remove that field from the mapping."),
    "2020": Rule(Action.RECORD_FAILED, "QuickBooks needs {element} on this {entity}. Fill "
                 "it in, then sync again."),
    "2030": Rule(Action.RECORD_FAILED, "This {entity} names a QuickBooks Id that is not "
                 "valid ({detail}). Re-link the record, then sync again."),
    "2040": Rule(Action.RECORD_FAILED, "The {element} of this {entity} contains a colon, "
                 "tab or line break, which QuickBooks refuses. Remove them, then sync again."),
    "2050": Rule(Action.RECORD_FAILED, "The {element} of this {entity} is longer than "
                 "QuickBooks allows ({detail}). Shorten it, then sync again."),
    "2500": Rule(Action.RECORD_FAILED, "This {entity} refers to a record that does not "
                 "exist in QuickBooks ({detail}). Sync that record first or fix the link."),
    "3001": Rule(Action.RETRY_LATER, _RETRY),
    "3100": Rule(Action.NEEDS_RECONNECT, "QuickBooks refused this app for the company "
                 "(wrong environment, company or permissions). Reconnect QuickBooks with the "
                 "right company and environment."),
    "3200": Rule(Action.REFRESH_TOKEN, _RECONNECT),
    "4000": Rule(Action.RECORD_FAILED, "QuickBooks could not read a query ledgerbridge sent "
                 "({detail}). This is a ledgerbridge bug; please report it."),
    "4001": Rule(Action.RECORD_FAILED, "QuickBooks refused a query ledgerbridge sent "
                 "({detail}). This is a ledgerbridge bug; please report it."),
    "5010": Rule(Action.REREAD_AND_RETRY, "This {entity} was changed in QuickBooks since "
                 "ledgerbridge read it; it will be re-read and the change applied again."),
    "6000": Rule(Action.RECORD_FAILED, "QuickBooks refused this {entity}: {detail} Fix the "
                 "record, then sync again."),
    "6140": Rule(Action.RECORD_FAILED, "Another {entity} in QuickBooks already uses the "
                 "number '{doc}'. Change the number, or turn off custom transaction numbers "
                 "in QuickBooks."),
    "6190": Rule(Action.COMPANY_PROBLEM, "The QuickBooks subscription of this company is "
                 "not active (trial ended or cancelled). Renew it in QuickBooks, then sync "
                 "again."),
    "6210": Rule(Action.COMPANY_PROBLEM, "The books of this QuickBooks company are closed "
                 "for the date of this {entity}. Change its date, or move the closing date "
                 "in QuickBooks (Account and settings > Advanced)."),
    "6240": Rule(Action.RECORD_FAILED, "{holder} in QuickBooks already uses the name "
                 "'{name}'. Rename one of them, or set the name collision rule to suffix."),
    "6540": Rule(Action.RECORD_FAILED, "This {entity} is part of a deposit in QuickBooks and "
                 "cannot be changed. Remove it from the deposit in QuickBooks first."),
    "10000": Rule(Action.RETRY_LATER, _RETRY),
}

#: THE table's exceptions by operation: a Fault code that means something else when it
#: answers this operation. 610 answering a delete or a void names the very object to be
#: deleted or voided (their body holds no other reference): it is gone already, most
#: often deleted by an earlier try whose answer was lost.
FAULT_CODES_BY_OPERATION: dict[tuple[str, str], Rule] = {
    ("610", "delete"): Rule(Action.ALREADY_DONE, "QuickBooks no longer has this {entity}: "
                            "it was deleted already (by an earlier try whose answer was "
                            "lost, or in QuickBooks)."),
    ("610", "void"): Rule(Action.ALREADY_DONE, "QuickBooks no longer has this {entity}, or "
                          "it was made inactive: there is nothing left to void."),
}

#: THE table, by HTTP status, when no Fault code decides (or the body had none).
HTTP_STATUSES: dict[int, Rule] = {
    400: Rule(Action.RECORD_FAILED, "QuickBooks refused this {entity}: {detail}"),
    401: Rule(Action.REFRESH_TOKEN, _RECONNECT),
    403: Rule(Action.NEEDS_RECONNECT, _RECONNECT),
    404: Rule(Action.RECORD_FAILED, "QuickBooks has no such {entity} ({detail})."),
    408: Rule(Action.RETRY_LATER, _RETRY),
    429: Rule(Action.RETRY_LATER, _RETRY),
    500: Rule(Action.RETRY_LATER, _RETRY),
    502: Rule(Action.RETRY_LATER, _RETRY),
    503: Rule(Action.RETRY_LATER, _RETRY),
    504: Rule(Action.RETRY_LATER, _RETRY),
}

#: Failures below HTTP: no answer came.
TRANSPORT: dict[str, Rule] = {
    "timeout": Rule(Action.RETRY_LATER, _RETRY),
    "dropped": Rule(Action.RETRY_LATER, _RETRY),
    "unanswered": Rule(Action.RETRY_LATER, "QuickBooks answered the batch without a result "
                       "for this {entity}; it will be sent again."),
}

#: Fault codes of a failure inside the service, after it may have done the work
INSIDE_FAILURES = frozenset({"10000"})

_FALLBACK = Rule(Action.RECORD_FAILED, "QuickBooks refused this {entity}: {detail}")


@dataclass(frozen=True)
class QboError:
    """One classified failure: plain data (storable, comparable)."""

    action: Action
    code: str  # the Fault code, "http:<status>" or the transport failure's name
    message: str  # for people: says what to fix
    detail: str = ""  # QuickBooks' own words, for logs (already free of tokens)
    status: int | None = None
    element: str | None = None
    retry_after: float | None = None
    context: dict[str, Any] = field(default_factory=dict, compare=False)
    #: QuickBooks may have carried the request out: no answer came, or the service
    #: failed inside (5xx); a throttle or a refusal means it did not
    maybe_applied: bool = False

    @property
    def retryable(self) -> bool:
        return self.action in (Action.RETRY_LATER, Action.REREAD_AND_RETRY)

    def to_exception(self) -> LedgerbridgeError:
        if self.action is Action.RETRY_LATER:
            return RetryLaterError(self.message, retry_after=self.retry_after)
        if self.action is Action.REREAD_AND_RETRY:
            return ConflictError(self.message)
        if self.action in (Action.NEEDS_RECONNECT, Action.REFRESH_TOKEN):
            return NeedsReconnectError(self.message)
        if self.action is Action.COMPANY_PROBLEM:
            return ConfigurationError(self.message)
        return RecordRejectedError(self.message, [Problem(self.element or "", self.message)])


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def _render(rule: Rule, values: dict[str, str]) -> str:
    return rule.message.format_map(_Blank(values)).replace(" ()", "")


def _values(fault: Fault | None, entity: str, extra: dict[str, str]) -> dict[str, str]:
    values = {"entity": entity.lower() if entity else "record", "detail": "", "element": "a "
              "required field", "holder": "Another record"}
    if fault is not None:
        values["detail"] = fault.detail or fault.message
        if fault.element:
            values["element"] = fault.element
    values.update({k: v for k, v in extra.items() if v})
    return values


def classify(status: int | None, faults: list[Fault], *, entity: str = "",
             retry_after: float | None = None, transport: str | None = None,
             extra: dict[str, str] | None = None, operation: str | None = None) -> QboError:
    """Look an answer up in the table: the first Fault code known wins (as it answers
    ``operation``, when given: create, update, delete or void), then the status."""
    fault = faults[0] if faults else None
    rule = None
    for candidate in faults:
        rule = FAULT_CODES_BY_OPERATION.get((candidate.code, operation or "")) \
            or FAULT_CODES.get(candidate.code)
        if rule is not None:
            fault = candidate
            break
    if rule is None and transport is not None:
        rule = TRANSPORT[transport]
    if rule is None and status is not None:
        rule = HTTP_STATUSES.get(status) or (
            HTTP_STATUSES[500] if status >= 500 else None)
    rule = rule or _FALLBACK
    code = fault.code if fault is not None and fault.code in FAULT_CODES else (
        transport or f"http:{status}")
    values = _values(fault, entity, extra or {})
    return QboError(action=rule.action, code=code, message=_render(rule, values),
                    detail=values["detail"], status=status,
                    element=fault.element if fault else None, retry_after=retry_after,
                    maybe_applied=transport is not None or (status or 0) >= 500
                    or code in INSIDE_FAILURES)
