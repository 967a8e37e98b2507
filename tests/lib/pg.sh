#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# A private PostgreSQL 15 cluster for tests and `make run`.
#
#   . tests/lib/pg.sh
#   pg_start DIR      create (if new) and start a cluster in DIR/data,
#                     socket in a short folder under /tmp; exports PGHOST,
#                     PGPORT, PGUSER (a superuser), PG_DATA, PG_LOG, PG_SOCK
#   pg_stop DIR       stop it (fast shutdown)
#   pg_kill DIR       stop it with -m immediate (crash)
#   pg_as CMD...      run a command as the cluster's owner
#
# PostgreSQL refuses to run as root, so as root the cluster belongs to the
# unprivileged 'postgres' system user (UMBRA_PG_USER to change). It listens
# on a Unix socket only, commits synchronously, and logs no statement text,
# client address or connection details.
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

pg_as() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "${UMBRA_PG_USER:-postgres}" -- "$@"
    else
        "$@"
    fi
}

pg_start() {
    _dir=$1
    mkdir -p "$_dir"
    _dir=$(cd "$_dir" && pwd)
    PG_DATA=$_dir/data
    PG_LOG=$_dir/postgresql.log
    # Unix socket paths are limited to about 100 bytes: keep it short.
    if [ -f "$_dir/sockdir" ]; then
        PG_SOCK=$(cat "$_dir/sockdir")
    else
        PG_SOCK=$(mktemp -d /tmp/umbra-pg.XXXXXX)
        echo "$PG_SOCK" >"$_dir/sockdir"
    fi
    mkdir -p "$PG_SOCK"
    if [ "$(id -u)" -eq 0 ]; then
        _u=${UMBRA_PG_USER:-postgres}
        chown "$_u" "$_dir" "$PG_SOCK"
        chmod 0700 "$PG_SOCK"
        touch "$PG_LOG" && chown "$_u" "$PG_LOG" && chmod 0600 "$PG_LOG"
        # The cluster's owner must be able to reach its folder.
        if ! runuser -u "$_u" -- test -x "$_dir"; then
            echo "pg: user '$_u' cannot reach '$_dir'; use a folder outside" \
                 "private home directories" >&2
            return 1
        fi
        PGUSER=$_u
    else
        PGUSER=$(id -un)
    fi
    if [ ! -f "$PG_DATA/PG_VERSION" ]; then
        pg_as "$PG_BIN/initdb" -D "$PG_DATA" -A trust -U "$PGUSER" \
            -E UTF8 --locale=C.UTF-8 >"$_dir/initdb.log" 2>&1 || {
            cat "$_dir/initdb.log" >&2
            return 1
        }
        pg_as sh -c "cat >>'$PG_DATA/postgresql.conf'" <<CONF
# Umbra: private cluster (tests/lib/pg.sh)
listen_addresses = ''
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
track_activity_query_size = 1024
CONF
        pg_as sh -c "cat >'$PG_DATA/pg_hba.conf'" <<HBA
local all all trust
HBA
    fi
    # The WAL settings live in a file of their own, rewritten at every
    # start, so that a cluster made by an older version gets them too.
    pg_as sh -c "cat >'$PG_DATA/umbra-wal.conf'" <<CONF
# Umbra (tests/lib/pg.sh): keep as little WAL as PostgreSQL allows and
# never copy it elsewhere; docs/operations.md, "WAL and time".
archive_mode = off
wal_recycle = off
min_wal_size = 32MB
max_wal_size = 1GB
track_commit_timestamp = off
CONF
    grep -q "umbra-wal.conf" "$PG_DATA/postgresql.conf" ||
        pg_as sh -c "echo \"include_if_exists = 'umbra-wal.conf'\" \
            >>'$PG_DATA/postgresql.conf'"
    PGHOST=$PG_SOCK
    PGPORT=${PGPORT:-5432}
    export PGHOST PGPORT PGUSER PG_DATA PG_LOG PG_SOCK
    if pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
        return 0
    fi
    rm -f "$PG_SOCK"/.s.PGSQL.*
    pg_as "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 \
        -o "-k $PG_SOCK -p $PGPORT" start >/dev/null || {
        tail -n 20 "$PG_LOG" >&2
        return 1
    }
}

pg_stop() {
    pg_as "$PG_BIN/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1 || true
}

pg_kill() {
    pg_as "$PG_BIN/pg_ctl" -D "$1/data" -m immediate -w stop >/dev/null 2>&1 ||
        true
}
