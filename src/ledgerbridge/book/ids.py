"""Record ids: a kind prefix and a time-ordered random part (``cus_01JD...``).

Ids are made by the application, so a change event and its record can be written in
one statement batch, and ids sort roughly by creation time (good index locality). The
26 characters are Crockford base32 of 50 bits of milliseconds then 80 random bits,
encoded two characters per table look-up (ids are made in bulk loads' hot loop)."""

from __future__ import annotations

import os
import time

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
_PAIRS = [a + b for a in ALPHABET for b in ALPHABET]
_MILLIS = 2**50 - 1


def encode(millis: int, rand: int) -> str:
    """The 26 characters of ``millis`` (50 bits) and ``rand`` (80 bits)."""
    v = (millis & _MILLIS) << 80 | rand
    p = _PAIRS
    return (p[v >> 120] + p[(v >> 110) & 1023] + p[(v >> 100) & 1023] + p[(v >> 90) & 1023]
            + p[(v >> 80) & 1023] + p[(v >> 70) & 1023] + p[(v >> 60) & 1023]
            + p[(v >> 50) & 1023] + p[(v >> 40) & 1023] + p[(v >> 30) & 1023]
            + p[(v >> 20) & 1023] + p[(v >> 10) & 1023] + p[v & 1023])


def new_id(prefix: str) -> str:
    """A 26-character ULID-style id behind ``prefix_``."""
    return f"{prefix}_{encode(time.time_ns() // 1_000_000, int.from_bytes(os.urandom(10)))}"
