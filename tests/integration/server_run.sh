#!/bin/sh
# test-server: starts a private PostgreSQL (tests/lib/pg.sh) in a fresh
# folder, migrates, registers two organisations, runs server_test.py
# against the real umbra-server, and stops everything at the end.
set -u
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
/usr/bin/python3 tests/integration/server_test.py
