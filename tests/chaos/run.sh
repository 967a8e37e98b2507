#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Runs one attack test (tests/chaos/NAME.py or tests/leak/NAME.py) against
# a private PostgreSQL cluster and a migrated database with the
# organisations 'alpha' and 'beta' (tests/integration/server_env.sh) in a
# fresh folder under /tmp, removed at the end.
# Usage: tests/chaos/run.sh PATH/TO/TEST.py
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
O=${O:-build}
export O
test=$1
tmp=$(mktemp -d /tmp/umbra-attack.XXXXXX)
. tests/lib/pg.sh
cleanup() {
    pg_stop "$tmp/pg"
    [ -f "$tmp/pg/sockdir" ] && rm -rf "$(cat "$tmp/pg/sockdir")"
    [ -n "${UMBRA_KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
if ! sh tests/integration/server_env.sh "$tmp" >"$tmp/setup.log" 2>&1; then
    cat "$tmp/setup.log"
    echo "0 passed, 1 failed"
    exit 1
fi
. "$tmp/env.sh"
/usr/bin/python3 "$test"
