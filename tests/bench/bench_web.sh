#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# bench-web: the report form on a simulated cheap phone, with and without
# JavaScript, in one run (issue 13, item 7; tests/bench/bench_web.js says
# what is emulated and measured). Starts its own umbra-server and private
# PostgreSQL like tests/browser/run.sh (tests/lib/server.sh).
#
#   BENCH_WEB_ROUNDS=N        rounds of each path (default 5, at most 20)
#   BENCH_WEB_BASELINE=REF    also measure the pages of git revision REF
#                             (say main, or a commit before this change):
#                             its web/ is exported with git archive into
#                             the run's folder, its vendored files built
#                             there by its own web/module.mk from this
#                             tree's packages (linked, never installed
#                             there), and served by a
#                             second umbra-server (this tree's binary) on
#                             the same database; rounds alternate between
#                             both. REF's package-lock.json must pin
#                             packages this tree's node_modules has (true
#                             of every revision with libsodium.js 0.7.15).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ ! -x /usr/bin/chromium ] ||
    [ ! -d "$top/web/node_modules/playwright-core" ]; then
    echo "bench-web: /usr/bin/chromium or web/node_modules/playwright-core missing (make deps)"
    exit 1
fi
. "$top/tests/lib/server.sh"
srv_setup benchweb
# No quota: a long run stores more reports than the default allows.
printf 'quota_reports = 1000000000\nquota_bytes = 1125899906842624\n' >>"$UMBRA_CONF"
port=$(srv_free_port)
printf 'listen = 127.0.0.1\nport = %s\n' "$port" >>"$UMBRA_CONF"
"$UMBRA_SERVER" --config "$UMBRA_CONF" >"$tmp/server.log" 2>&1 &
server_pid=$!
srv_wait "http://127.0.0.1:$port" "$tmp/server.log" || exit 1
targets="current=http://127.0.0.1:$port"

base_pid=""
stop_base() {
    [ -n "$base_pid" ] && kill "$base_pid" 2>/dev/null && wait "$base_pid" 2>/dev/null
    srv_cleanup
}
if [ -n "${BENCH_WEB_BASELINE:-}" ]; then
    trap stop_base EXIT INT TERM
    ref=$BENCH_WEB_BASELINE
    mkdir -p "$tmp/base"
    if ! git -C "$top" archive "$ref" web | tar -x -C "$tmp/base"; then
        echo "bench-web: cannot export web/ of $ref"
        exit 1
    fi
    # Its packages are this tree's, linked one by one, and make is told not
    # to remake the npm stamp: the baseline's rules must never run npm,
    # which would rewrite the folder it is given.
    mkdir -p "$tmp/base/web/node_modules"
    for d in "$top"/web/node_modules/*; do
        ln -s "$d" "$tmp/base/web/node_modules/"
    done
    touch "$tmp/base/web/node_modules/.umbra-installed"
    if ! make -s -C "$tmp/base" -f web/module.mk \
        -o web/node_modules/.umbra-installed web-vendor >"$tmp/base.log" 2>&1; then
        cat "$tmp/base.log"
        echo "bench-web: cannot build the vendored files of $ref"
        exit 1
    fi
    bport=$(srv_free_port)
    sed -e "s|^web_dir = .*|web_dir = $tmp/base/web|" -e "s|^port = .*|port = $bport|" \
        "$UMBRA_CONF" >"$tmp/base.conf"
    "$UMBRA_SERVER" --config "$tmp/base.conf" >"$tmp/base-server.log" 2>&1 &
    base_pid=$!
    server_pid_keep=$server_pid
    server_pid=$base_pid
    srv_wait "http://127.0.0.1:$bport" "$tmp/base-server.log" || exit 1
    server_pid=$server_pid_keep
    targets="$targets $(echo "$ref" | tr -c 'A-Za-z0-9._\n-' '_' | cut -c1-12)=http://127.0.0.1:$bport"
    echo "bench-web: baseline $ref ($(git -C "$top" rev-parse --short "$ref")) on port $bport"
fi
UMBRA_BENCH_TARGETS=$targets node "$top/tests/bench/bench_web.js"
