#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# `make cluster`: the cluster of docs/operations.md ("A cluster") on one
# machine, in the foreground like `make run`:
#
#   - a pg_auto_failover monitor and two PostgreSQL nodes (node1, node2),
#     one primary and one streaming standby with synchronous replication
#     and automatic failover, under ./var/cluster/pg;
#   - two umbra-server instances (a, b) on their own ports, each with a
#     libpq multi-host conninfo and target_session_attrs=read-write, so
#     that each follows the primary;
#   - HAProxy on http://127.0.0.1:8080 in front of both, with health
#     checks on /healthz;
#   - the demo organisation, caseworker home and token under ./var/demo
#     (the same as `make run`).
#
# Ctrl-C stops everything. Running it again reuses what exists.
#
#   scripts/cluster.sh [run]    start everything, in the foreground
#   scripts/cluster.sh status   one line per part:
#                                 pg NAME ROLE PID PORT
#                                 server NAME PID PORT
#                                 haproxy NAME PID PORT
#
# As root, PostgreSQL, pg_autoctl, the servers and HAProxy run as the
# unprivileged 'postgres' user (UMBRA_PG_USER). Everything listens on
# 127.0.0.1 only. Environment (tests/cluster uses them):
#   CLUSTER_DIR [var/cluster]  state, logs, configuration
#   CLUSTER_DEMO [var/demo]    demo home, passphrase, token
#   CLUSTER_PG_PORT [5440]     monitor; node1 and node2 on the next two
#   UMBRA_PORT [8080]          HAProxy; servers on CLUSTER_SERVER_PORT
#   CLUSTER_SERVER_PORT [8081] server a; server b on the next one
#   CLUSTER_METRICS_PORT [9111]  metrics of a; b on the next one
#   CLUSTER_WINDOW [0]         the servers' intake_window (0: a 201 is
#                              sent once the report is committed on both
#                              PostgreSQL nodes; see docs/operations.md)
#   CLUSTER_SERVER_CONF []     lines added to the servers' configuration
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
O=${O:-build}
CL=${CLUSTER_DIR:-$top/var/cluster}
DEMO=${CLUSTER_DEMO:-$top/var/demo}
PGP=${CLUSTER_PG_PORT:-5440}
PORT=${UMBRA_PORT:-8080}
SP=${CLUSTER_SERVER_PORT:-8081}
MP=${CLUSTER_METRICS_PORT:-9111}
WINDOW=${CLUSTER_WINDOW:-0}
. tests/lib/pg.sh
. scripts/demo.sh

if [ "$(id -u)" -eq 0 ]; then
    RUNAS=${UMBRA_PG_USER:-postgres}
else
    RUNAS=$(id -un)
fi
NODES="monitor:$PGP node1:$((PGP + 1)) node2:$((PGP + 2))"
SERVERS="a:$SP b:$((SP + 1))"

# pg_autoctl keeps its configuration and state under the XDG folders:
# ours, so that nothing lands in the user's home.
af_env() {
    pg_as env -i PATH="$PG_BIN:/usr/bin:/bin" HOME="$CL" LANG=C.UTF-8 \
        XDG_CONFIG_HOME="$CL/xdg/config" XDG_DATA_HOME="$CL/xdg/data" \
        XDG_RUNTIME_DIR="$CL/xdg/run" PGHOST="$SOCK" "$@"
}
af() { af_env pg_autoctl "$@"; }
# Runs a long-lived process as $RUNAS without a process in between
# (setpriv execs), so that $! is the process itself (status, SIGKILL).
# Only in the background: `run_as CMD... &` (it ends the shell it runs in).
run_as() {
    if [ "$(id -u)" -eq 0 ]; then
        exec setpriv --reuid "$RUNAS" --regid "$(id -g "$RUNAS")" --init-groups \
            --reset-env -- "$@"
    else
        exec "$@"
    fi
}
# psql as the superuser on one node, over the private socket.
node_sql() {
    af_env psql -X -At -h "$SOCK" -p "$1" -d "$2" -c "$3"
}
rw_conninfo() { # USER: the multi-host conninfo of the servers
    echo "host=127.0.0.1,127.0.0.1 port=$((PGP + 1)),$((PGP + 2))" \
        "user=$1 dbname=umbra target_session_attrs=read-write" \
        "connect_timeout=2 keepalives_idle=5 keepalives_interval=2" \
        "keepalives_count=3 tcp_user_timeout=10000"
}

status() {
    [ -f "$CL/sockdir" ] || { echo "cluster: nothing in $CL" >&2; return 1; }
    SOCK=$(cat "$CL/sockdir")
    roles=$(node_sql "$PGP" pg_auto_failover \
        "SELECT nodename, reportedstate FROM pgautofailover.node" \
        2>/dev/null || true)
    for n in $NODES; do
        name=${n%%:*} port=${n#*:}
        pid=$(head -n 1 "$CL/pg/$name/postmaster.pid" 2>/dev/null || true)
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || pid=-
        if [ "$name" = monitor ]; then
            role=monitor
        else
            role=$(echo "$roles" | awk -F'|' -v n="$name" '$1 == n {print $2}')
            [ -n "$role" ] || role=unknown
        fi
        echo "pg $name $role $pid $port"
    done
    for s in $SERVERS; do
        name=${s%%:*} port=${s#*:}
        pid=$(cat "$CL/server-$name.pid" 2>/dev/null || true)
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || pid=-
        echo "server $name $pid $port"
    done
    pid=$(cat "$CL/haproxy.pid" 2>/dev/null || true)
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || pid=-
    echo "haproxy front $pid $PORT"
}

case "${1:-run}" in
status) status; exit $? ;;
run) ;;
*) echo "usage: scripts/cluster.sh [run|status]" >&2; exit 2 ;;
esac

for c in pg_autoctl haproxy; do
    command -v "$c" >/dev/null || {
        echo "cluster: '$c' is missing (scripts/deps.sh installs it)" >&2
        exit 1
    }
done

mkdir -p "$CL/pg" "$CL/xdg/run" "$DEMO"
rm -f "$CL/ready"
chmod 0700 "$DEMO"
chmod 0755 "$CL"
if [ -f "$CL/sockdir" ]; then
    SOCK=$(cat "$CL/sockdir")
else
    SOCK=$(mktemp -d /tmp/umbra-cl.XXXXXX)
    echo "$SOCK" >"$CL/sockdir"
fi
mkdir -p "$SOCK"
if [ "$(id -u)" -eq 0 ]; then
    chown -R "$RUNAS" "$CL/pg" "$CL/xdg" "$SOCK"
    chown "$RUNAS" "$CL"
    runuser -u "$RUNAS" -- test -x "$CL" || {
        echo "cluster: user '$RUNAS' cannot reach '$CL'" >&2
        exit 1
    }
fi
chmod 0700 "$SOCK" "$CL/pg" "$CL/xdg"

# The settings of tests/lib/pg.sh (logging nothing about clients or
# statements, as little WAL as PostgreSQL allows), in a file of their own
# included from postgresql.conf and rewritten at every start.
umbra_conf() { # DATADIR
    pg_as sh -c "cat >'$1/umbra.conf'" <<CONF
# Umbra (scripts/cluster.sh), rewritten at every start
unix_socket_directories = '$SOCK'
unix_socket_permissions = 0700
synchronous_commit = on
fsync = on
full_page_writes = on
max_connections = 200
log_destination = 'stderr'
logging_collector = off
log_min_error_statement = panic
log_error_verbosity = terse
log_statement = 'none'
log_connections = off
log_disconnections = off
log_hostname = off
log_line_prefix = '%m [%p] '
log_parameter_max_length = 0
log_parameter_max_length_on_error = 0
log_checkpoints = off
log_autovacuum_min_duration = -1
log_replication_commands = off
archive_mode = off
wal_recycle = off
min_wal_size = 32MB
max_wal_size = 1GB
track_commit_timestamp = off
# pg_auto_failover asks for 8 GB; its replication slots already keep what
# a standby has yet to receive.
wal_keep_size = 64MB
CONF
    # Last in postgresql.conf, after pg_auto_failover's own includes, so
    # that these win.
    pg_as sh -c "grep -v \"^include_if_exists = 'umbra.conf'\" \
        '$1/postgresql.conf' >'$1/postgresql.conf.new' &&
        echo \"include_if_exists = 'umbra.conf'\" >>'$1/postgresql.conf.new' &&
        mv '$1/postgresql.conf.new' '$1/postgresql.conf'"
}

# Loopback only: the nodes reach each other and the monitor on
# 127.0.0.1; the Unix socket is the owner's alone (0700).
hba() { # DATADIR
    pg_as sh -c "cat >'$1/pg_hba.conf'" <<HBA
# Umbra (scripts/cluster.sh): one machine, loopback only
local all all trust
host all all 127.0.0.1/32 trust
host replication all 127.0.0.1/32 trust
HBA
}

pids=""
stop() {
    trap - INT TERM EXIT
    set +e
    echo "cluster: stopping"
    [ -f "$CL/haproxy.pid" ] && kill "$(cat "$CL/haproxy.pid")" 2>/dev/null
    for s in $SERVERS; do
        f=$CL/server-${s%%:*}.pid
        [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
    done
    for n in node2 node1 monitor; do
        [ -f "$CL/pg/$n/postmaster.pid" ] || continue
        af stop --pgdata "$CL/pg/$n" >/dev/null 2>&1
    done
    for p in $pids; do
        wait "$p" 2>/dev/null
    done
    rm -f "$CL"/*.pid "$CL/ready"
}
trap stop EXIT
trap 'exit 130' INT TERM

monitor_uri="postgres://autoctl_node@127.0.0.1:$PGP/pg_auto_failover?sslmode=disable"

# Each pg_autoctl service in the background, its output in a log.
af_run() { # NAME
    run_as env PATH="$PG_BIN:/usr/bin:/bin" HOME="$CL" LANG=C.UTF-8 \
        XDG_CONFIG_HOME="$CL/xdg/config" XDG_DATA_HOME="$CL/xdg/data" \
        XDG_RUNTIME_DIR="$CL/xdg/run" PGHOST="$SOCK" \
        pg_autoctl run --pgdata "$CL/pg/$1" >>"$CL/$1.log" 2>&1 &
    echo $! >"$CL/autoctl-$1.pid"
    pids="$pids $!"
}

wait_state() { # SECONDS: until one node is primary and the other secondary
    _i=0
    while :; do
        st=$(node_sql "$PGP" pg_auto_failover \
            "SELECT string_agg(reportedstate::text || '/' || goalstate::text, ' '
                    ORDER BY reportedstate::text)
             FROM pgautofailover.node" 2>/dev/null || true)
        [ "$st" = "primary/primary secondary/secondary" ] && return 0
        _i=$((_i + 1))
        if [ $_i -gt $(($1 * 2)) ]; then
            echo "cluster: the nodes did not settle (state: $st)" >&2
            return 1
        fi
        sleep 0.5
    done
}

wait_sql() { # PORT DB
    _i=0
    until node_sql "$1" "$2" "SELECT 1" >/dev/null 2>&1; do
        _i=$((_i + 1))
        [ $_i -lt 120 ] || { echo "cluster: port $1 did not answer" >&2; return 1; }
        sleep 0.5
    done
}

# The monitor: health checks fast enough for a failover within seconds on
# one machine (docs/operations.md, "A cluster"; defaults: 5 s checks, a
# node unhealthy after 20 s, 30 s for a lost primary to demote itself).
# A primary cut off from the monitor and the standby demotes itself after
# the keeper's network_partition_timeout (6 s here), before the monitor's
# primary_demote_timeout (10 s) lets the standby take over.
M=$CL/pg/monitor
if [ ! -f "$CL/pg/monitor.created" ]; then
    echo "cluster: creating the monitor in $M"
    rm -rf "$M"
    pg_as "$PG_BIN/initdb" -D "$M" -A trust -U "$RUNAS" -E UTF8 \
        --locale=C.UTF-8 >"$CL/initdb.log" 2>&1
    umbra_conf "$M"
    hba "$M"
    af create monitor --pgdata "$M" --pgport "$PGP" --hostname 127.0.0.1 \
        --no-ssl --skip-pg-hba >>"$CL/monitor.log" 2>&1
    af config set --pgdata "$M" postgresql.listen_addresses 127.0.0.1 \
        >/dev/null
    pg_as touch "$CL/pg/monitor.created"
fi
umbra_conf "$M"
af_run monitor
wait_sql "$PGP" pg_auto_failover
for g in health_check_period=2000 health_check_timeout=2000 \
    health_check_retry_delay=1000 health_check_max_retries=1 \
    node_considered_unhealthy_timeout=6000 primary_demote_timeout=10000; do
    node_sql "$PGP" pg_auto_failover \
        "ALTER SYSTEM SET pgautofailover.${g%%=*} = ${g#*=}" >/dev/null
done
node_sql "$PGP" pg_auto_failover "SELECT pg_reload_conf()" >/dev/null

for n in node1 node2; do
    N=$CL/pg/$n
    port=$((PGP + 1))
    [ $n = node1 ] || port=$((PGP + 2))
    if [ ! -f "$CL/pg/$n.created" ]; then
        echo "cluster: creating $n in $N"
        rm -rf "$N"
        if [ $n = node1 ]; then
            pg_as "$PG_BIN/initdb" -D "$N" -A trust -U "$RUNAS" -E UTF8 \
                --locale=C.UTF-8 >"$CL/initdb.log" 2>&1
            umbra_conf "$N"
            hba "$N"
        fi
        af create postgres --pgdata "$N" --pgport "$port" \
            --listen 127.0.0.1 --hostname 127.0.0.1 --name "$n" \
            --no-ssl --skip-pg-hba --dbname umbra \
            --monitor "$monitor_uri" >>"$CL/$n.log" 2>&1
        pg_as touch "$CL/pg/$n.created"
    fi
    umbra_conf "$N"
    af config set --pgdata "$N" timeout.network_partition_timeout 6 >/dev/null
    af_run "$n"
    # The standby is made from the running primary (pg_basebackup).
    [ $n = node1 ] && wait_sql "$port" postgres
done
echo "cluster: waiting for a primary and a synchronous standby"
wait_state 120
# The monitor's view may be the one of the last run until the keepers
# report: wait for the primary itself to stream to a synchronous standby.
OWNER="$(rw_conninfo "$RUNAS")"
i=0
until [ "$(af_env psql -X -At -d "$OWNER" -c "SELECT count(*)
        FROM pg_stat_replication WHERE sync_state IN ('sync', 'quorum')" \
        2>/dev/null)" = 1 ]; do
    i=$((i + 1))
    [ $i -lt 240 ] || { echo "cluster: no synchronous standby" >&2; exit 1; }
    sleep 0.5
done
wait_state 120

CONF=$CL/server.conf
cat >"$CONF" <<CONF
# Written by scripts/cluster.sh (make cluster); see docs/operations.md.
listen = 127.0.0.1
db_owner = $OWNER
db_intake = $(rw_conninfo umbra_intake)
db_sync = $(rw_conninfo umbra_sync)
web_dir = $top/web
schema_dir = $top/schema
intake_window = $WINDOW
retry_after = 2
${CLUSTER_SERVER_CONF:-}
CONF
"$O/umbra-server" --config "$CONF" migrate

demo_setup cluster "$CL"

i=0
for s in $SERVERS; do
    name=${s%%:*} port=${s#*:}
    mkdir -p "$CL/server-$name"
    [ "$(id -u)" -ne 0 ] || chown "$RUNAS" "$CL/server-$name"
    chmod 0700 "$CL/server-$name"
    run_as "$O/umbra-server" --config "$CONF" --port "$port" \
        --metrics_listen "127.0.0.1:$((MP + i))" \
        --spool_dir "$CL/server-$name/spool" >>"$CL/server-$name.log" 2>&1 &
    echo $! >"$CL/server-$name.pid"
    pids="$pids $!"
    i=$((i + 1))
done

# HAProxy: round robin over both servers, a server out of the rotation
# when /healthz fails (it does while its database is unreachable), and
# every answer HAProxy itself makes (no server left, a server gone in the
# middle of a request) a 503 with Retry-After, as the servers' own.
ERR=$CL/haproxy-errors
mkdir -p "$ERR"
for code in 502 503 504; do
    body='{"error":"unavailable","message":"the service is unavailable; try again shortly"}'
    printf 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 2\r\nCache-Control: no-store\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s' \
        "${#body}" "$body" >"$ERR/$code.http"
done
cat >"$CL/haproxy.cfg" <<CFG
# Written by scripts/cluster.sh; see docs/operations.md, "A cluster".
# No log lines: HAProxy logs nothing (no 'log' directive), so no client
# address, path or User-Agent is written anywhere.
global
    maxconn 4096
    # The runtime API, for the owner only (tests/cluster takes a server out
    # of the rotation with it).
    stats socket $CL/haproxy.sock mode 600 level admin

defaults
    mode http
    timeout connect 2s
    timeout client 65s
    timeout server 65s
    timeout http-request 60s
    timeout queue 10s
    retries 2
    option redispatch
    # Only failed connections are tried again (on the other server): a
    # report the server has received is never sent twice.
    retry-on conn-failure
    errorfile 502 $ERR/502.http
    errorfile 503 $ERR/503.http
    errorfile 504 $ERR/504.http

frontend umbra
    bind 127.0.0.1:$PORT
    default_backend servers

backend servers
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    default-server inter 1s fall 2 rise 1 maxconn 512
CFG
for s in $SERVERS; do
    echo "    server ${s%%:*} 127.0.0.1:${s#*:} check" >>"$CL/haproxy.cfg"
done
run_as "$(command -v haproxy)" -db -f "$CL/haproxy.cfg" >>"$CL/haproxy.log" 2>&1 &
echo $! >"$CL/haproxy.pid"
pids="$pids $!"

for s in $SERVERS; do
    _i=0
    until curl -fsS "http://127.0.0.1:${s#*:}/healthz" >/dev/null 2>&1; do
        _i=$((_i + 1))
        [ $_i -lt 100 ] || { echo "cluster: server ${s%%:*} did not start" >&2
            tail -n 20 "$CL/server-${s%%:*}.log" >&2; exit 1; }
        sleep 0.2
    done
done
touch "$CL/ready"

cat <<MSG

  Umbra (cluster) is running on http://127.0.0.1:$PORT/   (Ctrl-C stops it)

$(status | sed 's/^/  /')

  caseworker home   $DEMO/case  (passphrase in $DEMO/passphrase)
  sync token        $DEMO/token
  state and logs    $CL  (scripts/cluster.sh status)
  try               $O/umbra-case --home $DEMO/case pull \\
                        --server http://127.0.0.1:$PORT --token-file $DEMO/token

MSG
# In the foreground until Ctrl-C (or until HAProxy ends).
while kill -0 "$(cat "$CL/haproxy.pid" 2>/dev/null || echo 0)" 2>/dev/null; do
    sleep 1
done
echo "cluster: HAProxy ended" >&2
