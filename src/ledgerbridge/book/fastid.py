"""``ids.new_id`` for hot loops: the same ids (the prefix, 10 Crockford base32
characters of the time in milliseconds, then 16 of 80 random bits), about three times
faster (two characters per table look-up instead of one ``divmod`` per character)."""

from __future__ import annotations

import os
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32, as in ids
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]
_MILLIS = 2**50 - 1


def encode(millis: int, rand: int) -> str:
    """The 26 characters ``ids`` makes of ``millis`` (50 bits) and ``rand`` (80 bits)."""
    v = (millis & _MILLIS) << 80 | rand
    p = _PAIRS
    return (p[v >> 120] + p[(v >> 110) & 1023] + p[(v >> 100) & 1023] + p[(v >> 90) & 1023]
            + p[(v >> 80) & 1023] + p[(v >> 70) & 1023] + p[(v >> 60) & 1023]
            + p[(v >> 50) & 1023] + p[(v >> 40) & 1023] + p[(v >> 30) & 1023]
            + p[(v >> 20) & 1023] + p[(v >> 10) & 1023] + p[v & 1023])


def new_id(prefix: str) -> str:
    """A 26-character ULID-style id behind ``prefix_``, as ``ids.new_id`` makes."""
    return f"{prefix}_{encode(time.time_ns() // 1_000_000, int.from_bytes(os.urandom(10)))}"
