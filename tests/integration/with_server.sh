#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Usage: tests/integration/with_server.sh TEST.py
# Starts a private PostgreSQL (tests/lib/pg.sh) in a fresh folder, migrates,
# registers two organisations with caseworker homes and sync tokens
# (server_env.sh), runs TEST.py against the real umbra-server with that
# environment, and stops everything at the end (tests/lib/server.sh). Used
# by test-server (server_test.py, roles_test.py), test-case (case_loop.py)
# and the attack tests (tests/chaos/run.sh).
set -u
[ $# -eq 1 ] || { echo "usage: $0 TEST.py" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/server.sh"
srv_setup srvtest
/usr/bin/python3 "$1"
