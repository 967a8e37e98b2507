#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# `make run`: the embedded default (README.md). A private PostgreSQL
# cluster under ./var/pg (run as the unprivileged 'postgres' user when we
# are root), the schema migrated, the demo organisation 'demo' with its
# caseworker home in ./var/demo/case (passphrase in ./var/demo/passphrase,
# demo only) and a sync token in ./var/demo/token, then umbra-server on
# http://127.0.0.1:8080 in the foreground. Ctrl-C stops the server and the
# database. Running it again reuses everything that exists.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
O=${O:-build}
VAR=$top/var
DEMO=$VAR/demo
PORT=${UMBRA_PORT:-8080}
METRICS_PORT=${UMBRA_METRICS_PORT:-9101}
. tests/lib/pg.sh
. scripts/demo.sh

mkdir -p "$VAR" "$DEMO"
chmod 0755 "$VAR"
chmod 0700 "$DEMO"
echo "run: starting PostgreSQL in $VAR/pg"
pg_start "$VAR/pg"

spid=""
stop() {
    trap - INT TERM EXIT
    if [ -n "$spid" ]; then
        kill "$spid" 2>/dev/null || true
        wait "$spid" 2>/dev/null || true
    fi
    echo "run: stopping PostgreSQL"
    pg_stop "$VAR/pg"
}
trap stop EXIT
trap 'exit 130' INT TERM

if ! psql -X -At -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'umbra'" |
    grep -q 1; then
    pg_as "$PG_BIN/createdb" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" umbra
fi

CONF=$VAR/server.conf
cat >"$CONF" <<CONF
# Written by scripts/run.sh (make run); see docs/operations.md.
listen = 127.0.0.1
port = $PORT
db_owner = host=$PGHOST port=$PGPORT user=$PGUSER dbname=umbra
db_intake = host=$PGHOST port=$PGPORT user=umbra_intake dbname=umbra
db_sync = host=$PGHOST port=$PGPORT user=umbra_sync dbname=umbra
web_dir = $top/web
schema_dir = $top/schema
# The Argon2 pool of the no-JS path in an idle cgroup, so that it never
# delays the API (docs/operations.md, "The Argon2 pool and the API").
kdf_cgroup = auto
# Reports wait in the spool and reach PostgreSQL at each full minute, so
# that the demo's pull sees them soon; a real server keeps the default
# hour (docs/operations.md, "The spool and the time of day").
spool_dir = $VAR/spool
intake_window = 60
# Prometheus metrics on loopback only, never on the public port
# (docs/operations.md, "Metrics").
metrics_listen = 127.0.0.1:$METRICS_PORT
CONF
"$O/umbra-server" --config "$CONF" migrate

demo_setup run "$VAR/pg"

cat <<MSG

  Umbra is running on http://127.0.0.1:$PORT/   (Ctrl-C stops it)

  caseworker home   $DEMO/case  (passphrase in $DEMO/passphrase)
  sync token        $DEMO/token
  metrics           http://127.0.0.1:$METRICS_PORT/metrics  (loopback only)
  try               $O/umbra-case --home $DEMO/case pull \\
                        --server http://127.0.0.1:$PORT --token-file $DEMO/token

MSG
"$O/umbra-server" --config "$CONF" &
spid=$!
wait "$spid" || true
spid=""
