"""Seeded fault injection: a share of requests answered with 429, 500, 503, a hang,
a dropped connection or a slow answer."""

from __future__ import annotations

import random

from .state import FaultSettings

FAULT_KINDS = ("429", "500", "503", "hang", "drop", "slow")


class ConnectionDropped(ConnectionResetError):
    """Raised by the app after starting a response: the server closes the connection."""


class FaultInjector:
    """Picks which requests fail, reproducibly for a given seed."""

    def __init__(self, settings: FaultSettings) -> None:
        self.configure(settings)

    def configure(self, settings: FaultSettings) -> None:
        unknown = [kind for kind in settings.kinds if kind not in FAULT_KINDS]
        if unknown:
            raise ValueError(f"unknown fault kinds: {unknown}; known: {list(FAULT_KINDS)}")
        if not 0.0 <= settings.rate <= 1.0:
            raise ValueError("fault rate must be between 0 and 1")
        self.settings = settings
        self._random = random.Random(settings.seed)

    def pick(self) -> str | None:
        """The fault for the next request, or None."""
        if self.settings.rate <= 0 or not self.settings.kinds:
            return None
        if self._random.random() >= self.settings.rate:
            return None
        return self._random.choice(self.settings.kinds)
