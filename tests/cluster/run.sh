#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# make test-cluster: scripts/cluster.sh on free loopback ports in a fresh
# folder under /tmp (removed at the end, kept with UMBRA_KEEP_TMP=1), then
# tests/cluster/cluster_test.py against it; the cluster is stopped at the
# end as Ctrl-C stops `make cluster`.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
O=${O:-build}
export O

tmp=$(mktemp -d /tmp/umbra-cluster.XXXXXX)
chmod 0755 "$tmp"
cpid=""
cleanup() {
    if [ -n "$cpid" ]; then
        kill -TERM "$cpid" 2>/dev/null
        wait "$cpid" 2>/dev/null
    fi
    [ -f "$tmp/cluster/sockdir" ] && rm -rf "$(cat "$tmp/cluster/sockdir")"
    [ -n "${UMBRA_KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Free ports: a run of three for PostgreSQL (monitor, node1, node2), two
# for the servers, two for their metrics, one for HAProxy.
ports=$(/usr/bin/python3 - <<'PY'
import random, socket
def free(n):
    while True:
        base = random.randrange(20000, 60000 - n)
        ok = True
        for p in range(base, base + n):
            s = socket.socket()
            try:
                s.bind(("127.0.0.1", p))
            except OSError:
                ok = False
            s.close()
        if ok:
            return base
print(free(3), free(2), free(2), free(1))
PY
)
set -- $ports
export CLUSTER_DIR="$tmp/cluster" CLUSTER_DEMO="$tmp/demo" \
    CLUSTER_PG_PORT=$1 CLUSTER_SERVER_PORT=$2 CLUSTER_METRICS_PORT=$3 \
    UMBRA_PORT=$4
# The intake figures send tens of thousands of reports to the organisation
# 'bench' (never pulled): past the default quota they would be 507.
export CLUSTER_SERVER_CONF="quota_reports = 100000000
quota_bytes = 1099511627776"

scripts/cluster.sh >"$tmp/cluster.log" 2>&1 &
cpid=$!
i=0
until [ -f "$CLUSTER_DIR/ready" ]; do
    i=$((i + 1))
    if [ $i -gt 600 ] || ! kill -0 "$cpid" 2>/dev/null; then
        echo "the cluster did not start:"
        tail -n 30 "$tmp/cluster.log"
        for f in "$CLUSTER_DIR"/*.log; do
            echo "== $f"
            tail -n 10 "$f"
        done
        echo "0 passed, 1 failed"
        exit 1
    fi
    sleep 0.5
done
echo "cluster up after $((i / 2)) s"
/usr/bin/python3 tests/cluster/cluster_test.py
rc=$?
[ $rc -eq 0 ] || tail -n 30 "$tmp/cluster.log"
exit $rc
