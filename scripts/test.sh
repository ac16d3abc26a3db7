#!/usr/bin/env bash
# Set everything up, then lint, type-check and run the tests.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh tests/test_postgres_support.py -q`
# or `bash scripts/test.sh --long`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*"; }

step "setup (scripts/setup.sh --system)"
bash scripts/setup.sh --system

# (bench/ may not exist yet in a fresh clone: git keeps no empty directories)
lint_paths=()
for dir in src tests bench; do [ -d "$dir" ] && lint_paths+=("$dir"); done
step "ruff check ${lint_paths[*]}"
.venv/bin/ruff check "${lint_paths[@]}"

step "mypy"
.venv/bin/mypy

step "pytest${*:+ $*}"
exec .venv/bin/pytest "$@"
