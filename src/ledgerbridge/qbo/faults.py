"""Reading QuickBooks' error bodies: JSON (``Fault``/``Error`` or the lower-case 401 shape)
and XML (``IntuitResponse/Fault/Error``, as the 429 answer comes even to JSON clients)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import orjson

_XML_ERROR = re.compile(r"<(?:\w+:)?Error\b([^>]*)>(.*?)</(?:\w+:)?Error>", re.DOTALL)
_XML_ATTR = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class Fault:
    code: str
    message: str
    detail: str
    element: str | None = None


def _pick(entry: dict[str, Any], *names: str) -> Any:
    for name in names:
        if entry.get(name) is not None:
            return entry[name]
    return None


def faults_from_json(body: Any) -> list[Fault]:
    """The Errors of a ``Fault`` (or ``fault``) object inside ``body``, if any."""
    if not isinstance(body, dict):
        return []
    fault = _pick(body, "Fault", "fault")
    if not isinstance(fault, dict):
        return []
    errors = _pick(fault, "Error", "error") or []
    found = []
    for entry in errors if isinstance(errors, list) else []:
        if isinstance(entry, dict):
            element = _pick(entry, "element")
            found.append(Fault(code=str(_pick(entry, "code") or ""),
                               message=str(_pick(entry, "Message", "message") or ""),
                               detail=str(_pick(entry, "Detail", "detail") or ""),
                               element=str(element) if element else None))
    return found


def _xml_text(inner: str, tag: str) -> str:
    found = re.search(rf"<(?:\w+:)?{tag}>(.*?)</(?:\w+:)?{tag}>", inner, re.DOTALL)
    return html.unescape(found.group(1)).strip() if found else ""


def faults_from_xml(text: bytes) -> list[Fault]:
    """The ``Error`` elements of an ``IntuitResponse`` (a tiny, fixed shape: read with
    patterns, so no XML parser ever sees entities or DTDs from the network)."""
    document = text.decode("utf-8", errors="replace")
    found = []
    for attributes, inner in _XML_ERROR.findall(document):
        attrs = dict(_XML_ATTR.findall(attributes))
        found.append(Fault(code=attrs.get("code", ""), message=_xml_text(inner, "Message"),
                           detail=_xml_text(inner, "Detail"), element=attrs.get("element")))
    return found


def parse_body(content: bytes) -> tuple[Any, list[Fault]]:
    """``(json body or None, faults)`` from any answer QuickBooks gives."""
    stripped = content.lstrip()
    if stripped.startswith(b"<"):
        return None, faults_from_xml(stripped) if b"Fault" in stripped else []
    if not stripped:
        return None, []
    try:
        body = orjson.loads(content)
    except orjson.JSONDecodeError:
        return None, []
    return body, faults_from_json(body)
