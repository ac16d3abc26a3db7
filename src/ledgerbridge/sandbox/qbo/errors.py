"""QuickBooks Online fault shapes, as data.

One table (``FAULTS``) holds every fault the sandbox answers with: its HTTP status,
code, ``Message`` and a ``Detail`` template. Shapes follow the recorded responses in
``shared/fixtures/qbo-captures`` (ValidationFault, the lower-case 401 body, the XML
throttle body).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]


@dataclass(frozen=True)
class FaultSpec:
    """One row of the fault table."""

    code: str
    status: int
    message: str
    detail: str
    fault_type: str = "ValidationFault"


_OBJECT_GONE = (
    "Object Not Found : Something you're trying to use has been made inactive. "
    "Check the fields with accounts, customers, items, vendors or employees."
)

FAULTS: dict[str, FaultSpec] = {
    spec.code: spec
    for spec in (
        FaultSpec("500", 400, "Unsupported Operation",
                  "Operation Could not find resource for relative : {path} of full path: "
                  "{url} is not supported."),
        FaultSpec("610", 400, "Object Not Found", _OBJECT_GONE),
        FaultSpec("2010", 400, "Request has invalid or unsupported property",
                  "Property Name:Unrecognized field \"{field}\" (class "
                  "com.intuit.schema.finance.v3.{entity}), not marked as ignorable\n"
                  " specified is unsupported or invalid"),
        FaultSpec("2020", 400, "Required param missing, need to supply the required value for "
                  "the API", "Required parameter {field} is missing in the request"),
        FaultSpec("2030", 400, "Invalid ID", "Id should be a valid number. Supplied value:{value}"),
        FaultSpec("2040", 400, "Invalid String",
                  "String contains invalid characters (colon, tab or new line) : {field}"),
        FaultSpec("2050", 400, "String length is either shorter or longer than supported by "
                  "specification", "String length specified does not match the supported "
                  "length. Min:{min} Max:{max} supplied length:{length}"),
        FaultSpec("2500", 400, "Invalid Reference Id",
                  "Invalid Reference Id : {detail}"),
        FaultSpec("3100", 403, "message=ApplicationAuthorizationFailed; errorCode=003100; "
                  "statusCode=403", "{detail}", "SERVICE"),
        FaultSpec("3200", 401, "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                  "{detail}", "AUTHENTICATION"),
        FaultSpec("4000", 400, "Error parsing query", "QueryParserError: {detail}"),
        FaultSpec("4001", 400, "Invalid query", "QueryValidationError: {detail}"),
        FaultSpec("5010", 400, "Stale Object Error",
                  "Stale Object Error : You and {user} were working on this at the same time. "
                  "{user} finished before you did, so your work was not saved."),
        FaultSpec("6000", 400, "A business validation error has occurred while processing "
                  "your request", "Business Validation Error: {detail}"),
        FaultSpec("6070", 400, "Amount is not equal to UnitPrice * Qty",
                  "Amount is not equal to UnitPrice * Qty. Supplied value:{value}"),
        FaultSpec("6140", 400, "Duplicate Document Number Error",
                  "Duplicate Document Number Error : You must specify a different number. "
                  "This number has already been used. DocNumber={doc} is assigned to "
                  "TxnType={entity} with TxnId={txn_id}"),
        FaultSpec("6240", 400, "Duplicate Name Exists Error",
                  "The name supplied already exists. : null"),
        FaultSpec("10000", 500, "An application error has occurred while processing your "
                  "request", "System Failure Error: {detail}", "SystemFault"),
    )
}

DEFAULT_USER = "Sandbox User"


class QboFault(Exception):
    """A QuickBooks fault raised anywhere in the sandbox and rendered at the edge."""

    def __init__(self, code: str, element: str | None = None, *, with_time: bool = True,
                 **params: str) -> None:
        self.spec = FAULTS[code]
        self.element = element
        self.with_time = with_time
        self.params = params
        super().__init__(f"{code}: {self.detail}")

    @property
    def status(self) -> int:
        return self.spec.status

    @property
    def detail(self) -> str:
        params = {"user": DEFAULT_USER, "detail": "", **self.params}
        return self.spec.detail.format(**params)

    def error_entry(self, *, batch: bool = False) -> JSON:
        entry: JSON = {"Message": self.spec.message, "Detail": self.detail,
                       "code": self.spec.code}
        if self.element is not None or batch:
            entry["element"] = self.element or ""
        return entry

    def fault(self, *, batch: bool = False) -> JSON:
        return {"Error": [self.error_entry(batch=batch)], "type": self.spec.fault_type}


def fault_body(fault: QboFault, time: str) -> JSON:
    """The JSON body of a failed single (non-batch) call."""
    body: JSON = {"Fault": fault.fault()}
    if fault.with_time:
        body["time"] = time
    return body


def auth_fault_body(detail: str, epoch_ms: int) -> JSON:
    """The lower-case body QuickBooks sends with HTTP 401 (``error__401.json``)."""
    spec = FAULTS["3200"]
    return {
        "warnings": None,
        "intuitObject": None,
        "fault": {
            "error": [{"message": spec.message, "detail": detail, "code": spec.code,
                       "element": None}],
            "type": spec.fault_type,
        },
        "report": None,
        "queryResponse": None,
        "batchItemResponse": [],
        "attachableResponse": [],
        "syncErrorResponse": None,
        "requestId": None,
        "time": epoch_ms,
        "status": None,
        "cdcresponse": [],
    }


AUTH_CHALLENGE = 'Bearer realm="Intuit", error="invalid_token"'

THROTTLE_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<IntuitResponse time="{time}" xmlns="http://schema.intuit.com/finance/v3">\n'
    '  <Fault type="SERVICE">\n'
    '    <Error code="3001">\n'
    "      <Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>\n"
    "      <Detail>The request limit was reached.  Try again later</Detail>\n"
    "    </Error>\n"
    "  </Fault>\n"
    "</IntuitResponse>\n"
)


def throttle_xml(time: str) -> str:
    """The XML body of HTTP 429 (``xml/too_many_requests_error.xml``), sent even to JSON clients."""
    return THROTTLE_XML.format(time=time)
