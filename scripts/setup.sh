#!/usr/bin/env bash
# Set up a development environment; safe to run again (it only does what is missing).
#
#   bash scripts/setup.sh            # .venv with the package installed editable, [dev] extras
#   bash scripts/setup.sh --system   # also the Debian packages the tests use, when missing:
#                                    #   postgresql (throwaway servers), chromium (browser tests),
#                                    #   gcc and python3-dev (the compiled build, scripts/compile.sh)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

system=0
for arg in "$@"; do
    case "$arg" in
        --system) system=1 ;;
        -h | --help)
            sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "setup.sh: unknown argument: $arg (try --help)" >&2
            exit 2
            ;;
    esac
done

log() { echo "setup: $*"; }

# --- The interpreter -----------------------------------------------------------------
# The interpreter: $PYTHON when set; else the distribution's own python3 when it is 3.11
# or newer (Debian's is linked statically and profile-optimized: the engine does ~10 %
# less work a record on it than on a default pyenv build, docs/benchmarks.md); else the
# python3 on PATH.
usable() { "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }
pick_python() {
    if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"; return; fi
    local candidate
    for candidate in /usr/bin/python3 python3; do
        if command -v "$candidate" >/dev/null && usable "$candidate"; then
            echo "$candidate"
            return
        fi
    done
    echo python3
}

# --- Debian packages ---------------------------------------------------------------
have_postgresql() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null; }
have_chromium() { [ -x /usr/bin/chromium ]; }
# the compiled build (scripts/compile.sh) needs a C compiler and the interpreter's headers
have_compiler() { command -v cc >/dev/null; }
have_headers() {
    local python
    python="$(pick_python)"
    [ -x .venv/bin/python ] && python=.venv/bin/python
    "$python" -c 'import os, sys, sysconfig
sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null
}

install_system_packages() {
    local missing=()
    have_postgresql || missing+=(postgresql)
    have_chromium || missing+=(chromium)
    have_compiler || missing+=(gcc)
    have_headers || missing+=(python3-dev)
    [ ${#missing[@]} -eq 0 ] && return 0

    if ! command -v apt-get >/dev/null; then
        log "apt-get is not available: please install ${missing[*]} yourself;" \
            "the tests that need them will be skipped"
        return 0
    fi
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null; then
            sudo=(sudo)
        else
            log "not root and no sudo: cannot install ${missing[*]};" \
                "the tests that need them will be skipped"
            return 0
        fi
    fi
    local apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
    local install=("${apt[@]}" install -y -q --no-install-recommends "${missing[@]}")
    log "installing Debian packages: ${missing[*]}"
    if ! "${install[@]}" >/tmp/ledgerbridge-apt.log 2>&1; then
        log "install failed; running apt-get update and trying again"
        if ! { "${apt[@]}" update -q && "${install[@]}"; } >>/tmp/ledgerbridge-apt.log 2>&1; then
            tail -n 20 /tmp/ledgerbridge-apt.log >&2 || true
            log "could not install ${missing[*]} (log: /tmp/ledgerbridge-apt.log);" \
                "the tests that need them will be skipped"
            return 0
        fi
    fi
    log "installed ${missing[*]}"
}

if [ "$system" -eq 1 ]; then
    install_system_packages
fi

# --- Python virtualenv ---------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
    python="$(pick_python)"
    log "creating .venv with $python ($("$python" --version 2>&1))"
    "$python" -m venv .venv
fi

stamp=.venv/.ledgerbridge-install.sha256
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
have="$(cat "$stamp" 2>/dev/null || true)"
if [ "$want" != "$have" ] || ! compgen -G '.venv/lib/python*/site-packages/ledgerbridge-*.dist-info' >/dev/null; then
    log "installing ledgerbridge and its [dev] dependencies into .venv"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
    echo "$want" >"$stamp"
else
    log ".venv is up to date"
fi
