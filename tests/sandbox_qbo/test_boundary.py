"""Design decision 11: the sandbox is QuickBooks, not us; it imports no engine code."""

from __future__ import annotations

import ast
from pathlib import Path

import ledgerbridge.sandbox

SANDBOX = Path(ledgerbridge.sandbox.__file__).parent


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(SANDBOX.parent.parent).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                found.append(f"{base}.{node.module}" if node.module else base)
            else:
                found.append(node.module or "")
    return found


def test_sandbox_imports_nothing_from_the_engine() -> None:
    offending = [(str(path.relative_to(SANDBOX)), name)
                 for path in SANDBOX.rglob("*.py") for name in imported_modules(path)
                 if name.split(".")[0] == "ledgerbridge"
                 and not name.startswith("ledgerbridge.sandbox")]
    assert offending == []


def test_boundary_check_sees_relative_imports() -> None:
    names = imported_modules(SANDBOX / "qbo" / "entities" / "names.py")
    assert "ledgerbridge.sandbox.qbo.errors" in names
