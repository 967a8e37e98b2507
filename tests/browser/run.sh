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
# Every tests/browser/*_test.js in turn against this one server (or only
# UMBRA_BROWSER_ONLY's, e.g. UMBRA_BROWSER_ONLY=pages); each ends with
# "N passed, N failed", added up here.
rc=0
total_pass=0
total_fail=0
for t in "$top"/tests/browser/${UMBRA_BROWSER_ONLY:-*}_test.js; do
    echo "# $(basename "$t")"
    UMBRA_BASE="http://127.0.0.1:$port" UMBRA_ARTIFACTS="$top/tests/artifacts" \
        node "$t" >"$tmp/browser.out" 2>&1
    trc=$?
    cat "$tmp/browser.out"
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$tmp/browser.out" | tail -n 1)
    if [ -z "$last" ]; then
        total_fail=$((total_fail + 1))
        echo "FAIL $(basename "$t") printed no tally"
        rc=1
        continue
    fi
    p=${last%% passed*}
    f=${last#*passed, }
    f=${f%% failed}
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    [ $trc -ne 0 ] && rc=1
done
echo "# all browser test files"
echo "$total_pass passed, $total_fail failed"
if [ $rc -ne 0 ] && [ -n "${UMBRA_BROWSER_VERBOSE:-}" ]; then
    tail -n 40 "$tmp/server.log"
fi
exit $rc
