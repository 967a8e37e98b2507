#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Shared set-up for the server tests and benchmark: a private PostgreSQL
# cluster under $1 (tests/lib/pg.sh), the database 'umbra' with its roles
# migrated, and two organisations 'alpha' and 'beta' with caseworker homes
# (low Argon2 cost), public bundles and sync tokens. Writes $1/env.sh with
# the variables the Python tests read. Source it: `. server_env.sh DIR`.
set -e
SE_DIR=$1
SE_TOP=$(cd "$(dirname "$0")/../.." 2>/dev/null && pwd || pwd)
[ -f "$SE_TOP/tests/lib/pg.sh" ] || SE_TOP=$(pwd)
O=${O:-build}
case $O in /*) OUT=$O ;; *) OUT=$SE_TOP/$O ;; esac
. "$SE_TOP/tests/lib/pg.sh"
# PostgreSQL runs as 'postgres' when we are root: it must reach the folder.
chmod 0755 "$SE_DIR"
pg_start "$SE_DIR/pg"
pg_as "$PG_BIN/createdb" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" umbra \
    2>/dev/null || true
SERVER="$OUT/umbra-server"
CASE="$OUT/umbra-case"
CONF=$SE_DIR/server.conf
cat >"$CONF" <<CONF
db_owner = host=$PGHOST port=$PGPORT user=$PGUSER dbname=umbra
db_intake = host=$PGHOST port=$PGPORT user=umbra_intake dbname=umbra
db_sync = host=$PGHOST port=$PGPORT user=umbra_sync dbname=umbra
web_dir = $SE_TOP/web
schema_dir = $SE_TOP/schema
spool_dir = $SE_DIR/spool
intake_window = ${UMBRA_INTAKE_WINDOW:-1}
CONF
"$SERVER" --config "$CONF" migrate >/dev/null
printf 'test passphrase of quiet lantern orbit\n' >"$SE_DIR/passphrase"
for org in alpha beta; do
    if [ ! -f "$SE_DIR/$org/public.json" ]; then
        "$CASE" --home "$SE_DIR/$org" --passphrase-file "$SE_DIR/passphrase" \
            init --org "$org" --kdf-memory 8192 --kdf-passes 1 \
            --kdf-lanes 1 >/dev/null
    fi
    "$SERVER" --config "$CONF" org add "$org" --name "Org $org" \
        --public-key "$SE_DIR/$org/public.json" >/dev/null
    [ -f "$SE_DIR/$org.token" ] ||
        "$SERVER" --config "$CONF" token add "$org" ci >"$SE_DIR/$org.token"
done
cat >"$SE_DIR/env.sh" <<ENV
export UMBRA_TEST_DIR='$SE_DIR' UMBRA_TOP='$SE_TOP' UMBRA_SERVER='$SERVER'
export UMBRA_CASE='$CASE' UMBRA_CONF='$CONF' UMBRA_SPOOL='$SE_DIR/spool'
export PGHOST='$PGHOST' PGPORT='$PGPORT' PGUSER='$PGUSER' PG_DATA='$PG_DATA'
export PG_LOG='$PG_LOG' PG_BIN='$PG_BIN'
ENV
