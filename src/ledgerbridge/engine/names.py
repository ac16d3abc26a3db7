"""Names as QuickBooks wants them: no colon, tab or newline; within the edition's
length; unique across customers, vendors and employees (the shared namespace).

Matching compares *normalized* names: case folded, runs of whitespace made one space,
ends trimmed, so "ACME  Supply " and "acme supply" are the same name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from ledgerbridge.errors import Problem
from ledgerbridge.settings.model import ConnectionWide

FORBIDDEN = re.compile(r"[:\t\r\n]")
SPACES = re.compile(r"\s+")
#: kinds whose names share one namespace in QuickBooks
SHARED_NAMESPACE = frozenset({"customer", "vendor", "employee"})


@lru_cache(maxsize=1 << 16)
def normalize(name: str) -> str:
    """The form two names are compared in (cached: a run compares the same names many
    times)."""
    return SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip().casefold()


@dataclass(slots=True)
class NameResult:
    name: str | None
    problem: Problem | None = None

    # written out: mypyc compiles it, not a dataclass's generated one (tests/test_constructors.py)
    def __init__(self, name: str | None, problem: Problem | None = None) -> None:
        self.name = name
        self.problem = problem


def clean(name: str, field: str, max_length: int, rules: ConnectionWide) -> NameResult:
    """The name to send, or the problem that stops it (naming the fix)."""
    text = name.strip()
    if FORBIDDEN.search(text):
        if rules.forbidden_characters == "fail":
            return NameResult(None, Problem(field, f"'{name}' contains a colon, tab or "
                                            "line break, which QuickBooks refuses; rename it, "
                                            "or set forbidden characters to 'replace'"))
        text = FORBIDDEN.sub(rules.replacement_character, text)
    if not text:
        return NameResult(None, Problem(field, "is empty; QuickBooks needs a name"))
    if len(text) > max_length:
        return NameResult(None, Problem(field, f"'{text[:40]}...' is {len(text)} characters; "
                                        f"QuickBooks allows at most {max_length}: shorten it"))
    return NameResult(text)


def with_suffix(name: str, kind: str, max_length: int, rules: ConnectionWide) -> str:
    """``name`` with the collision suffix of ``kind``, shortened to fit."""
    suffix = rules.vendor_suffix if kind == "vendor" else rules.customer_suffix
    return name[: max_length - len(suffix)].rstrip() + suffix
