#!/usr/bin/env bash
# Build the compiled package into build/compiled: the wheel `LEDGERBRIDGE_COMPILE=1` makes
# (setup.py: the busiest modules compiled by mypyc), unpacked there. Run anything on it
# with `PYTHONPATH=build/compiled`, e.g.
#
#   bash scripts/compile.sh && PYTHONPATH=build/compiled .venv/bin/python bench/full_sync.py
#
# Rebuilds only when a file under src/, setup.py or pyproject.toml changed since the last
# build (--force: always). Needs a C compiler and Python's headers
# (`bash scripts/setup.sh --system` installs them).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

force=0
for arg in "$@"; do
    case "$arg" in
        --force) force=1 ;;
        *) echo "compile.sh: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

[ -x .venv/bin/python ] || bash scripts/setup.sh

built=build/compiled/.built
if [ "$force" -eq 0 ] && [ -f "$built" ] \
        && [ -z "$(find src setup.py pyproject.toml -newer "$built" -type f -print -quit)" ]; then
    echo "compile: build/compiled is up to date"
    exit 0
fi

echo "compile: building the compiled wheel (mypyc; a minute or two)"
rm -rf build/compiled build/dist build/mypyc
mkdir -p build
LEDGERBRIDGE_COMPILE=1 .venv/bin/python -m pip wheel --quiet --disable-pip-version-check \
    --no-build-isolation --no-deps --wheel-dir build/dist . >build/compile.log 2>&1 || {
    tail -n 30 build/compile.log >&2
    echo "compile: the build failed (log: build/compile.log)" >&2
    exit 1
}
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps \
    --target build/compiled build/dist/ledgerbridge-*.whl
touch "$built"
echo "compile: build/compiled ready ($(find build/compiled -name '*.so' | wc -l) extension files)"
