#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Runs one attack test (tests/chaos/NAME.py or tests/leak/NAME.py) against
# a private PostgreSQL cluster and a migrated database with the
# organisations 'alpha' and 'beta' (tests/integration/server_env.sh) in a
# fresh folder under /tmp, removed at the end (kept with UMBRA_KEEP_TMP=1;
# tests/lib/server.sh).
# Usage: tests/chaos/run.sh PATH/TO/TEST.py
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/server.sh"
srv_setup attack
/usr/bin/python3 "$1"
