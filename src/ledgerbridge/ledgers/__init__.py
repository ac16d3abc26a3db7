"""Ledgers: the QuickBooks editions behind the engine's ledger protocol."""
