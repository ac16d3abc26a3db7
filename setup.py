"""The compiled build: with ``LEDGERBRIDGE_COMPILE=1`` the modules a sync spends its time
in are compiled to C extensions by mypyc (from their type hints); without it, the package
is plain Python. Both pass the same tests (``scripts/compile.sh`` builds the compiled one
into ``build/compiled`` and ``scripts/test.sh`` runs the suite on it too).

Everything else about the package is in ``pyproject.toml``."""

from __future__ import annotations

import os

from setuptools import setup

#: the busiest modules of a full sync, by profile (docs/benchmarks.md, "session 8")
COMPILED = (
    "ledgerbridge/book/codec.py",
    "ledgerbridge/book/rows.py",
    "ledgerbridge/book/store.py",
    "ledgerbridge/engine/apply.py",
    "ledgerbridge/engine/collector.py",
    "ledgerbridge/engine/context.py",
    "ledgerbridge/engine/fields.py",
    "ledgerbridge/engine/graph.py",
    "ledgerbridge/engine/ledger.py",
    "ledgerbridge/engine/links.py",
    "ledgerbridge/engine/matching.py",
    "ledgerbridge/engine/names.py",
    "ledgerbridge/engine/operations.py",
    "ledgerbridge/engine/outcomes.py",
    "ledgerbridge/engine/payloads.py",
    "ledgerbridge/engine/planner.py",
    "ledgerbridge/engine/runner.py",
    "ledgerbridge/engine/triggers.py",
    "ledgerbridge/ledgers/qbo/ledger.py",
    "ledgerbridge/ledgers/qbo/translate.py",
    "ledgerbridge/many_rows.py",
    "ledgerbridge/qbo/budget.py",
    "ledgerbridge/qbo/faults.py",
    "ledgerbridge/qbo/http.py",
    "ledgerbridge/qbo/operations.py",
    "ledgerbridge/qbo/writes.py",
)


def _extensions() -> list[object]:
    if os.environ.get("LEDGERBRIDGE_COMPILE") != "1":
        return []
    from mypyc.build import mypycify  # the build needs mypy (the dev extra has it)

    here = os.path.dirname(os.path.abspath(__file__))
    return list(mypycify([os.path.join("src", path) for path in COMPILED],
                         opt_level="3", target_dir=os.path.join(here, "build", "mypyc")))


setup(ext_modules=_extensions())
