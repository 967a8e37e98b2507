#!/bin/sh
# test-case-loop: the whole caseworker loop against a real umbra-server and
# PostgreSQL. Sets up like the server tests (tests/integration/server_env.sh:
# private cluster, migrations, organisations 'alpha' and 'beta' with homes
# and sync tokens), runs case_loop.py, stops everything at the end.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
O=${O:-build}
export O
tmp=$(mktemp -d /tmp/umbra-caseloop.XXXXXX)
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
/usr/bin/python3 tests/integration/case_loop.py
