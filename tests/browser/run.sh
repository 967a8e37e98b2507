#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# test-browser: a real headless Chromium (Debian's /usr/bin/chromium, driven
# by playwright-core from web/node_modules) against a real umbra-server and
# a private PostgreSQL (tests/lib/pg.sh) started in a fresh folder, with
# two organisations set up by tests/integration/server_env.sh. Screenshots
# go to tests/artifacts/. Everything is stopped at the end.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
O=${O:-build}
export O
tmp=$(mktemp -d /tmp/umbra-browser.XXXXXX)
. tests/lib/pg.sh
server_pid=""
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    pg_stop "$tmp/pg"
    [ -f "$tmp/pg/sockdir" ] && rm -rf "$(cat "$tmp/pg/sockdir")"
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
if [ ! -x /usr/bin/chromium ] || [ ! -d web/node_modules/playwright-core ]; then
    echo "browser: /usr/bin/chromium or web/node_modules/playwright-core missing (make deps)"
    echo "0 passed, 1 failed"
    exit 1
fi
if ! sh tests/integration/server_env.sh "$tmp" >"$tmp/setup.log" 2>&1; then
    cat "$tmp/setup.log"
    echo "0 passed, 1 failed"
    exit 1
fi
. "$tmp/env.sh"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
printf 'listen = 127.0.0.1\nport = %s\n' "$port" >>"$UMBRA_CONF"
# Strict pages: a missing catalogue key renders as [missing:KEY].
UMBRA_PAGE_STRICT=1 "$UMBRA_SERVER" --config "$UMBRA_CONF" >"$tmp/server.log" 2>&1 &
server_pid=$!
i=0
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$server_pid" 2>/dev/null; then
        echo "browser: umbra-server did not start"
        cat "$tmp/server.log"
        echo "0 passed, 1 failed"
        exit 1
    fi
    sleep 0.1
done
mkdir -p tests/artifacts
UMBRA_BASE="http://127.0.0.1:$port" UMBRA_ARTIFACTS="$top/tests/artifacts" \
    node tests/browser/browser_test.js
rc=$?
if [ $rc -ne 0 ] && [ -n "${UMBRA_BROWSER_VERBOSE:-}" ]; then
    tail -n 40 "$tmp/server.log"
fi
exit $rc
