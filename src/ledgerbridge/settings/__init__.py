"""Sync settings and mappings, per connection."""

from ledgerbridge.settings.model import SyncSettings

__all__ = ["SyncSettings"]
