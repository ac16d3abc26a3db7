"""A deterministic sample HVAC/plumbing company for demos, tests and benchmarks."""

from __future__ import annotations

from ledgerbridge.sample.company import (
    ANCHOR,
    KIND_ORDER,
    TROUBLEMAKER_KINDS,
    TROUBLEMAKERS,
    counts,
    sample_company,
    write_json,
)

__all__ = ["ANCHOR", "KIND_ORDER", "TROUBLEMAKERS", "TROUBLEMAKER_KINDS", "counts",
           "sample_company", "write_json"]
