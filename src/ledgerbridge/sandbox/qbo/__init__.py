"""A local, faithful QuickBooks Online Accounting API (see docs/sandbox-qbo.md)."""

from . import operations, query
from .app import create_app
from .clock import ManualClock, SandboxClock, SystemClock
from .runtime import QboSandbox

__all__ = ["ManualClock", "QboSandbox", "SandboxClock", "SystemClock", "create_app", "operations",
           "query"]
