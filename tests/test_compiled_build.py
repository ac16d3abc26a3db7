"""The compiled build (``setup.py``, ``scripts/compile.sh``): its module list names real
modules, and when the suite is run on it (``scripts/test.sh`` does, with
``LEDGERBRIDGE_EXPECT_COMPILED=1``) those modules are the compiled ones, not the source."""

from __future__ import annotations

import ast
import importlib
import importlib.machinery
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def compiled_paths() -> list[str]:
    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(target, ast.Name) and target.id == "COMPILED"
                for target in node.targets):
            return list(ast.literal_eval(node.value))
    raise AssertionError("setup.py has no COMPILED list")


def module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def test_the_compiled_list_names_modules_of_the_package() -> None:
    paths = compiled_paths()
    assert paths, "nothing to compile"
    assert len(set(paths)) == len(paths)
    for path in paths:
        assert (ROOT / "src" / path).is_file(), f"setup.py compiles {path}, which is gone"


@pytest.mark.skipif(os.environ.get("LEDGERBRIDGE_EXPECT_COMPILED") != "1",
                    reason="the suite runs on the plain source (scripts/test.sh runs it on "
                           "the compiled build too)")
def test_the_compiled_modules_are_the_ones_imported() -> None:
    extensions = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    for path in compiled_paths():
        module = importlib.import_module(module_name(path))
        assert str(module.__file__).endswith(extensions), \
            f"{module.__name__} was imported from {module.__file__}, not the compiled build"
