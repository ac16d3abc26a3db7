"""The REST API host apps use (FastAPI)."""

from ledgerbridge.api.app import create_app

__all__ = ["create_app"]
