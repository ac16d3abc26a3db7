#!/usr/bin/env bash
# Set everything up, then lint, type-check and run the tests: on plain Python, then on
# the compiled build (scripts/compile.sh; LEDGERBRIDGE_TEST_COMPILED=0 skips that pass).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh tests/test_postgres_support.py -q`
# or `bash scripts/test.sh --long`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "setup (scripts/setup.sh --system)"
bash scripts/setup.sh --system

# (bench/ may not exist yet in a fresh clone: git keeps no empty directories)
lint_paths=()
for dir in src tests bench setup.py; do [ -e "$dir" ] && lint_paths+=("$dir"); done
step "ruff check ${lint_paths[*]}"
.venv/bin/ruff check "${lint_paths[@]}"

step "mypy"
.venv/bin/mypy

step "pytest${*:+ $*}"
.venv/bin/pytest "$@"

# The same tests on the compiled build (setup.py: the busiest modules compiled by mypyc,
# which checks type hints at run time); LEDGERBRIDGE_TEST_COMPILED=0 skips it.
if [ "${LEDGERBRIDGE_TEST_COMPILED:-1}" != "0" ]; then
    step "compiled build (scripts/compile.sh)"
    bash scripts/compile.sh
    step "pytest on the compiled build${*:+ $*}"
    PYTHONPATH="$PWD/build/compiled" LEDGERBRIDGE_EXPECT_COMPILED=1 .venv/bin/pytest "$@"
fi
