#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Usage: tests/integration/with_server.sh TEST.py
# Starts a private PostgreSQL (tests/lib/pg.sh) in a fresh folder, migrates,
# registers two organisations with caseworker homes and sync tokens
# (server_env.sh), runs TEST.py against the real umbra-server with that
# environment, and stops everything at the end. Used by test-server
# (server_test.py) and test-case (case_loop.py).
set -u
[ $# -eq 1 ] || { echo "usage: $0 TEST.py" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
O=${O:-build}
export O
tmp=$(mktemp -d /tmp/umbra-srvtest.XXXXXX)
. tests/lib/pg.sh
cleanup() {
    pg_stop "$tmp/pg"
    [ -f "$tmp/pg/sockdir" ] && rm -rf "$(cat "$tmp/pg/sockdir")"
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
if ! sh tests/integration/server_env.sh "$tmp" >"$tmp/setup.log" 2>&1; then
    cat "$tmp/setup.log"
    echo "0 passed, 1 failed"
    exit 1
fi
. "$tmp/env.sh"
/usr/bin/python3 "$1"
