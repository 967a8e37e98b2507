# SPDX-License-Identifier: AGPL-3.0-or-later
# Sourced by scripts/run.sh and scripts/cluster.sh: the demo organisation
# both start with. demo_setup WHO DB: with $O (the build), $CONF (the
# server's config) and $DEMO (var/demo) set, makes the demo caseworker home
# and its passphrase if missing, registers its bundle with the server, and
# makes a sync token in $DEMO/token unless the one there is for database DB
# ($DEMO/token.for names it: `make run` and `make cluster` share var/demo
# but not their databases) and that database still holds a token 'demo'.
demo_setup() {
    if [ ! -s "$DEMO/passphrase" ]; then
        (umask 077 && od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >"$DEMO/passphrase")
    fi
    if [ ! -f "$DEMO/case/public.json" ]; then
        echo "$1: creating the demo caseworker home in $DEMO/case"
        "$O/umbra-case" --home "$DEMO/case" --passphrase-file "$DEMO/passphrase" \
            init --org demo
    fi
    "$O/umbra-server" --config "$CONF" org add demo --name "Demo organisation" \
        --public-key "$DEMO/case/public.json"
    if [ "$(cat "$DEMO/token.for" 2>/dev/null)" != "$2" ] ||
        ! "$O/umbra-server" --config "$CONF" token list |
        awk '$1 == "demo" && $2 == "demo" {f = 1} END {exit !f}' ||
        [ ! -s "$DEMO/token" ]; then
        "$O/umbra-server" --config "$CONF" token revoke demo demo >/dev/null 2>&1 || true
        (umask 077 && "$O/umbra-server" --config "$CONF" token add demo demo \
            >"$DEMO/token")
        echo "$2" >"$DEMO/token.for"
    fi
}
