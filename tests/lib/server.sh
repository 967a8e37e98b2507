#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# The set-up every runner against the real umbra-server shares
# (tests/integration/with_server.sh, tests/chaos/run.sh,
# tests/browser/run.sh, tests/bench/bench_server.sh).
#
#   top=$(cd "$(dirname "$0")/../.." && pwd)
#   . "$top/tests/lib/server.sh"
#   srv_setup NAME    cd to $top; O defaulted to build and exported; a
#                     fresh folder $tmp (/tmp/umbra-NAME.XXXXXX) with a
#                     private PostgreSQL (tests/lib/pg.sh), the database
#                     migrated and the organisations 'alpha' and 'beta'
#                     (tests/integration/server_env.sh), whose env.sh is
#                     sourced. On a failed set-up: its log and "0 passed,
#                     1 failed", exit 1. At exit, the server in
#                     $server_pid (if set) and the cluster are stopped and
#                     $tmp removed (kept with UMBRA_KEEP_TMP=1).
#   srv_free_port     prints a free TCP port of 127.0.0.1
#   srv_wait URL [LOG]  waits up to 10 s for URL/healthz to answer while
#                     $server_pid lives; else prints "umbra-server did not
#                     start" (and LOG) and returns 1
: "${top:?set top to the repository before sourcing tests/lib/server.sh}"
cd "$top" || exit 1
O=${O:-build}
export O
. tests/lib/pg.sh
server_pid=""

srv_cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null &&
        wait "$server_pid" 2>/dev/null
    pg_stop "$tmp/pg"
    [ -f "$tmp/pg/sockdir" ] && rm -rf "$(cat "$tmp/pg/sockdir")"
    [ -n "${UMBRA_KEEP_TMP:-}" ] || rm -rf "$tmp"
}

srv_setup() {
    tmp=$(mktemp -d "/tmp/umbra-$1.XXXXXX")
    trap srv_cleanup EXIT INT TERM
    if ! sh tests/integration/server_env.sh "$tmp" >"$tmp/setup.log" 2>&1
    then
        cat "$tmp/setup.log"
        echo "0 passed, 1 failed"
        exit 1
    fi
    . "$tmp/env.sh"
}

srv_free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

srv_wait() {
    _i=0
    until curl -fsS "$1/healthz" >/dev/null 2>&1; do
        _i=$((_i + 1))
        if [ $_i -gt 100 ] || ! kill -0 "$server_pid" 2>/dev/null; then
            echo "umbra-server did not start"
            [ -n "${2:-}" ] && cat "$2"
            return 1
        fi
        sleep 0.1
    done
}
