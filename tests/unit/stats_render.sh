#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Renders the statistics outputs left by stats_unit (HTML with its inline
# SVG, a standalone SVG, Arabic and Thai pages) in headless Chromium and
# checks that each screenshot is a real, non-trivial PNG.
# Usage: tests/unit/stats_render.sh DIR   (DIR holds stats*.html, stats*.svg)
set -u
dir=${1:-tests/artifacts}
chrome=${CHROMIUM:-/usr/bin/chromium}
pass=0
fail=0
profile=$(mktemp -d /tmp/umbra-stats-chromium.XXXXXX)
trap 'rm -rf "$profile"' EXIT INT TERM

check() { # name condition-result message
    if [ "$2" -eq 0 ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $1: $3"
    fi
}

if [ ! -x "$chrome" ]; then
    echo "FAIL chromium not found at $chrome"
    echo "0 passed, 1 failed"
    exit 1
fi

for page in stats.html stats-ar.html stats-th.html stats.svg stats-es.svg; do
    src="$dir/$page"
    png="$dir/${page%.*}-$(echo "$page" | sed 's/.*\.//').png"
    [ "$page" = stats.html ] && png="$dir/stats.png"
    rm -f "$png"
    if [ ! -s "$src" ]; then
        check "$page" 1 "missing $src (run stats_unit with STATS_ARTIFACTS)"
        continue
    fi
    abs=$(cd "$(dirname "$src")" && pwd)/$(basename "$src")
    timeout 60 "$chrome" --headless --no-sandbox --disable-gpu \
        --disable-background-networking --disable-component-update \
        --disable-sync --no-first-run --disable-dev-shm-usage \
        --user-data-dir="$profile/$page" --hide-scrollbars \
        --window-size=900,1400 --screenshot="$png" "file://$abs" \
        >"$profile/$page.log" 2>&1
    rc=$?
    check "$page" "$rc" "chromium exited $rc: $(tail -n 3 "$profile/$page.log")"
    # PNG signature 89 50 4E 47 0D 0A 1A 0A, and more than a blank page
    sig=$(head -c 8 "$png" 2>/dev/null | od -An -tx1 | tr -d ' \n')
    size=$(wc -c <"$png" 2>/dev/null || echo 0)
    [ "$sig" = 89504e470d0a1a0a ]
    check "$page" $? "screenshot $png is not a PNG (signature '$sig')"
    [ "$size" -gt 20000 ]
    check "$page" $? "screenshot $png is only $size bytes"
    echo "rendered $page -> $png ($size bytes)"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
