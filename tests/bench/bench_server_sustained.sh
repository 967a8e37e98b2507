# SPDX-License-Identifier: AGPL-3.0-or-later
# bench-server part 6, sourced by bench_server.sh (its functions, server and
# cluster): a tail that holds under sustained load (issue 17). On a cluster
# that has already taken BENCH_PRELOAD_MB of envelopes (default 2048, made
# here by SQL in 50,000-row transactions, bounded by the free disk), with
# checkpoint_timeout at 30 s and log_checkpoints on so checkpoints fall
# inside each run: API intake at 64 connections for BENCH_SUSTAINED_SECONDS
# (default 60), then pgbench inserting the same envelope into the same
# table at 64 clients for as long. Both start after a CHECKPOINT. Printed:
# throughput, p50, p99 and p99.9 of each, the checkpoints inside each run,
# and the ratios (targets: intake p99 <= 1.5 x pgbench's, throughput >=
# 1.0 x pgbench's).
SUS=${BENCH_SUSTAINED_SECONDS:-60}
PRELOAD_MB=${BENCH_PRELOAD_MB:-2048}
[ -n "$server_pid" ] && stop_server
free_mb=$(df -Pm "$tmp" | awk 'NR == 2 { print $4 }')
if [ "$free_mb" -lt $((PRELOAD_MB * 3 + 2048)) ]; then
    PRELOAD_MB=$(((free_mb - 2048) / 3))
    [ "$PRELOAD_MB" -lt 0 ] && PRELOAD_MB=0
    echo "bench-server: only ${free_mb} MB free: preloading ${PRELOAD_MB} MB"
fi
psql -X -q -d umbra -c "ALTER SYSTEM SET checkpoint_timeout = '30s'" \
    -c "ALTER SYSTEM SET log_checkpoints = on" \
    -c "SELECT pg_reload_conf()" >/dev/null
hex=$(od -An -v -tx1 "$tmp/env" | tr -d ' \n')
psql -X -q -d umbra -c "DROP TABLE IF EXISTS bench_blob" \
    -c "CREATE TABLE bench_blob AS SELECT decode('$hex', 'hex') AS b"
org_a=$(psql -X -At -d umbra -c "SELECT id FROM orgs WHERE slug = 'alpha'")
org_b=$(psql -X -At -d umbra -c "SELECT id FROM orgs WHERE slug = 'beta'")
rows=$((PRELOAD_MB * 1048576 / size))
t0=$(date +%s)
done_rows=0
while [ "$done_rows" -lt "$rows" ]; do
    n=$((rows - done_rows))
    [ "$n" -gt 50000 ] && n=50000
    psql -X -q -d umbra -c "INSERT INTO envelopes (org_id, size, body)
        SELECT $org_b, $size, b FROM bench_blob, generate_series(1, $n)" \
        >/dev/null || break
    done_rows=$((done_rows + n))
done
t1=$(date +%s)
dbsize=$(psql -X -At -d umbra -c "SELECT pg_size_pretty(pg_database_size('umbra'))")
echo
echo "Sustained intake: preloaded $done_rows envelopes in $((t1 - t0)) s" \
    "(database $dbsize); ${SUS}s per run at 64 connections," \
    "checkpoint_timeout 30s, intake_window ${BENCH_INTAKE_WINDOW:-1}"
ckpts() { grep -c "checkpoint complete" "$PG_LOG" 2>/dev/null || echo 0; }
# Seconds the server's threads ran on a CPU and waited in the run queue for
# one (/proc/PID/task/*/schedstat: ns on CPU, ns waiting, timeslices).
sched() {
    cat /proc/"$server_pid"/task/*/schedstat 2>/dev/null |
        awk '{ r += $1; w += $2 } END { printf "%.2f %.2f", r / 1e9, w / 1e9 }'
}
# With BENCH_SPOOL_MAX (bytes), first intake with spool_max_bytes set (a
# bounded backlog, 503 busy with Retry-After past it), on the fresh spool.
if [ -n "${BENCH_SPOOL_MAX:-}" ]; then
    psql -X -q -d umbra -c CHECKPOINT >/dev/null
    start_server --spool_max_bytes "$BENCH_SPOOL_MAX"
    wrk -t2 -c64 -d3s -s tests/bench/bench_server_post.lua "$url" >/dev/null 2>&1
    psql -X -q -d umbra -c CHECKPOINT >/dev/null
    c4=$(ckpts)
    wrk -t2 -c64 -d"${SUS}s" --timeout 10s \
        -s tests/bench/bench_server_post.lua "$url" >"$tmp/sus_wrk2" 2>&1
    c5=$(ckpts)
    stop_server
    n=$(field requests <"$tmp/sus_wrk2")
    e=$(field errors_status <"$tmp/sus_wrk2")
    s=$(field secs <"$tmp/sus_wrk2")
    ok_rps=$(awk "BEGIN{printf \"%.0f\", ($n - $e) / $s}")
    b_p99=$(field p99_ms <"$tmp/sus_wrk2")
    b_p50=$(field p50_ms <"$tmp/sus_wrk2")
    b_p999=$(field p999_ms <"$tmp/sus_wrk2")
fi
psql -X -q -d umbra -c CHECKPOINT >/dev/null
# UMBRA_PHASES=1: the server keeps a histogram of each intake phase and of
# the mover's transactions and prints them to its log when it stops.
export UMBRA_PHASES=1
start_server
unset UMBRA_PHASES
wrk -t2 -c64 -d3s -s tests/bench/bench_server_post.lua "$url" >/dev/null 2>&1
psql -X -q -d umbra -c CHECKPOINT >/dev/null
c0=$(ckpts)
sc0=$(sched)
wrk -t2 -c64 -d"${SUS}s" --timeout 10s -s tests/bench/bench_server_post.lua \
    "$url" >"$tmp/sus_wrk" 2>&1
sc1=$(sched)
c1=$(ckpts)
# What the spool still held when the run ended (answered 201, durable,
# not yet in PostgreSQL), and how long the server took to stop: it finishes
# the move under way (what is left waits in the spool for the next start).
backlog=$(/usr/bin/python3 -c 'import sys; sys.path.insert(0, "tests/lib")
import spool; print(sum(len(spool.records(sys.argv[1] + "/" + n))
                        for n in ("spool-a", "spool-b")))' "$UMBRA_SPOOL")
d0=$(date +%s)
stop_server
drain=$(($(date +%s) - d0))
printf 'INSERT INTO envelopes (org_id, size, body) SELECT %s, %s, b FROM bench_blob;\n' \
    "$org_a" "$size" >"$tmp/sus_pgbench.sql"
psql -X -q -d umbra -c CHECKPOINT >/dev/null
c2=$(ckpts)
rm -f "$tmp"/sus_pgb.*
(cd "$tmp" && pgbench -n -c 64 -j 2 -T "$SUS" -f sus_pgbench.sql -l \
    --log-prefix=sus_pgb umbra >"$tmp/sus_pgbench.out" 2>&1)
c3=$(ckpts)
n=$(field requests <"$tmp/sus_wrk")
s=$(field secs <"$tmp/sus_wrk")
api_rps=$(awk "BEGIN{printf \"%.0f\", $n / $s}")
api_p50=$(field p50_ms <"$tmp/sus_wrk")
api_p99=$(field p99_ms <"$tmp/sus_wrk")
api_p999=$(field p999_ms <"$tmp/sus_wrk")
api_err=$(field errors_status <"$tmp/sus_wrk")
pg_tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$tmp/sus_pgbench.out" | head -n 1)
cat "$tmp"/sus_pgb.* | awk '{print $3}' | sort -n >"$tmp/sus_pglat"
pn=$(wc -l <"$tmp/sus_pglat")
pct() { awk -v n="$pn" -v p="$1" 'NR == int(n * p) + 1 { printf "%.2f", $1 / 1000 }' "$tmp/sus_pglat"; }
pg_p50=$(pct 0.50)
pg_p99=$(pct 0.99)
pg_p999=$(pct 0.999)
printf '  %-30s %7s/s  p50 %7s ms  p99 %7s ms  p99.9 %7s ms  checkpoints %s  non-2xx %s\n' \
    "umbra-server intake" "$api_rps" "$api_p50" "$api_p99" "$api_p999" \
    "$((c1 - c0))" "$api_err"
printf '  %-30s %7.0f/s  p50 %7s ms  p99 %7s ms  p99.9 %7s ms  checkpoints %s\n' \
    "pgbench, 1 INSERT per xact" "$pg_tps" "$pg_p50" "$pg_p99" "$pg_p999" \
    "$((c3 - c2))"
echo "  umbra-server's threads during the run: on a CPU" \
    "$(awk -v a="$sc0" -v b="$sc1" 'BEGIN { split(a, x, " "); split(b, y, " ");
        printf "%.1f s, waiting for one %.1f s", y[1] - x[1], y[2] - x[2] }')" \
    "(run queue, /proc/PID/task/*/schedstat)"
if grep -q '^umbra-server: phase ' "$tmp/server.log"; then
    echo "  the server's own timings (UMBRA_PHASES=1; ms, since it started):"
    grep '^umbra-server: phase ' "$tmp/server.log" | tail -n 12 |
        sed 's/^umbra-server: phase /    /'
fi
echo "  intake's spool held $backlog reports when the run ended (answered" \
    "201, fsynced, not yet moved; counted after the run, while the mover" \
    "went on); the server finished its move under way and stopped in ${drain}s"
echo "  ratios umbra/pgbench: throughput $(ratio "$api_rps" "$pg_tps")" \
    "(target >= 1.0), p99 $(ratio "$api_p99" "$pg_p99") (target <= 1.5)," \
    "p99.9 $(ratio "$api_p999" "$pg_p999")"
if [ -n "${BENCH_SPOOL_MAX:-}" ]; then
    printf '  %-30s %7s/s  p50 %7s ms  p99 %7s ms  p99.9 %7s ms  checkpoints %s  503 %s\n' \
        "intake, spool_max_bytes $BENCH_SPOOL_MAX" "$ok_rps" "$b_p50" \
        "$b_p99" "$b_p999" "$((c5 - c4))" "$e"
    echo "  ratios umbra/pgbench: throughput of 201s" \
        "$(ratio "$ok_rps" "$pg_tps"), p99 of all answers (a 503 is quick)" \
        "$(ratio "$b_p99" "$pg_p99")"
fi
psql -X -q -d umbra -c "ALTER SYSTEM RESET checkpoint_timeout" \
    -c "ALTER SYSTEM RESET log_checkpoints" -c "SELECT pg_reload_conf()" \
    >/dev/null
