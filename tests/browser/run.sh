#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# test-browser: a real headless Chromium (Debian's /usr/bin/chromium, driven
# by playwright-core from web/node_modules) against a real umbra-server and
# a private PostgreSQL (tests/lib/pg.sh) started in a fresh folder, with
# two organisations set up by tests/integration/server_env.sh. Screenshots
# go to tests/artifacts/. Everything is stopped at the end
# (tests/lib/server.sh).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ ! -x /usr/bin/chromium ] ||
    [ ! -d "$top/web/node_modules/playwright-core" ]; then
    echo "browser: /usr/bin/chromium or web/node_modules/playwright-core missing (make deps)"
    echo "0 passed, 1 failed"
    exit 1
fi
. "$top/tests/lib/server.sh"
srv_setup browser
port=$(srv_free_port)
printf 'listen = 127.0.0.1\nport = %s\n' "$port" >>"$UMBRA_CONF"
# Strict pages: a missing catalogue key renders as [missing:KEY].
UMBRA_PAGE_STRICT=1 "$UMBRA_SERVER" --config "$UMBRA_CONF" >"$tmp/server.log" 2>&1 &
server_pid=$!
srv_wait "http://127.0.0.1:$port" "$tmp/server.log" || {
    echo "0 passed, 1 failed"
    exit 1
}
mkdir -p tests/artifacts
UMBRA_BASE="http://127.0.0.1:$port" UMBRA_ARTIFACTS="$top/tests/artifacts" \
    node tests/browser/browser_test.js
rc=$?
if [ $rc -ne 0 ] && [ -n "${UMBRA_BROWSER_VERBOSE:-}" ]; then
    tail -n 40 "$tmp/server.log"
fi
exit $rc
