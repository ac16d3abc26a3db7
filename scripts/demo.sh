#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run the demo: the sample company loaded and the API served.
# Extra arguments go to `ledgerbridge demo`, e.g. `bash scripts/demo.sh --no-serve`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec .venv/bin/ledgerbridge demo "$@"
