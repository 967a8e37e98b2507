#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Checks the deployment files in deploy/: the systemd unit verifies cleanly
# (no warnings), keeps its sandboxing, scores as well exposed as we claim in
# docs/operations.md, and the Tor onion service configuration is valid.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/umbra-server
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
bad() { fail=$((fail + 1)); echo "not ok - $1"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# systemd-analyze verify needs ExecStart to exist: point it at our binary.
unit=$tmp/umbra-server.service
sed "s#/usr/local/bin/umbra-server#$bin#" "$top/deploy/umbra-server.service" >"$unit"
if [ -x "$bin" ]; then
    out=$(cd "$tmp" && systemd-analyze verify "$unit" 2>&1)
    rc=$?
    if [ $rc -eq 0 ] && [ -z "$out" ]; then ok "systemd-analyze verify: clean"
    else bad "systemd-analyze verify: rc=$rc: $out"; fi
else
    bad "build/umbra-server missing"
fi

for d in 'NoNewPrivileges=yes' 'ProtectSystem=strict' 'PrivateTmp=yes' \
    'MemoryDenyWriteExecute=yes' 'LimitCORE=0' 'DynamicUser=yes' \
    'SystemCallFilter=@system-service' 'CapabilityBoundingSet=$' \
    'MemoryMax=[0-9]'; do
    if grep -q "^$d" "$unit"; then ok "unit has $d"; else bad "unit lacks $d"; fi
done

score=$(systemd-analyze security --offline=true "$unit" 2>/dev/null |
    sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
if [ -n "$score" ] && awk "BEGIN{exit !($score <= 2.0)}"; then
    ok "systemd-analyze security exposure $score <= 2.0"
else
    bad "systemd-analyze security exposure '${score:-none}' > 2.0"
fi

if command -v tor >/dev/null 2>&1; then
    sed -e "s#/var/lib/tor/umbra/#$tmp/hs/#" -e 's#Log notice syslog#Log notice stderr#' \
        "$top/deploy/torrc.example" >"$tmp/torrc"
    echo "DataDirectory $tmp/tordata" >>"$tmp/torrc"
    if tor --verify-config -f "$tmp/torrc" >"$tmp/tor.out" 2>&1 &&
        grep -q 'Configuration was valid' "$tmp/tor.out"; then
        ok "torrc.example valid (tor --verify-config)"
    else
        bad "torrc.example: $(tail -n 3 "$tmp/tor.out")"
    fi
    grep -q '^HiddenServicePoWDefensesEnabled 1' "$top/deploy/torrc.example" &&
        ok "onion proof-of-work defence on" || bad "onion PoW defence off"
else
    bad "tor not installed"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
