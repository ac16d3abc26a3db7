#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run the demo: the sample company synced with a local
# QuickBooks Online, then a summary. Extra arguments go to `ledgerbridge demo`, e.g.
# `bash scripts/demo.sh --keep-running` to leave the API (and the sandbox) up afterwards.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/setup.sh
exec .venv/bin/ledgerbridge demo "$@"
