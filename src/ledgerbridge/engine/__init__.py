"""The sync engine: planner, operations, runner, links, matching, transmission log.
It speaks to QuickBooks only through the ledger protocol (``engine.ledger``)."""
