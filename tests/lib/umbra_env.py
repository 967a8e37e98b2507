# SPDX-License-Identifier: AGPL-3.0-or-later
"""The paths tests/integration/server_env.sh exports (its env.sh, sourced by
tests/lib/server.sh before a test runs), read once at import: the test
folder D with the organisations' homes and tokens, the repository TOP, the
binaries SERVER, CASE and TOOL (build/server_tool), the server's
configuration CONF, the PostgreSQL cluster's PG_DATA and PG_LOG, and the
caseworkers' passphrase file PASS."""
import os

D = os.environ["UMBRA_TEST_DIR"]
TOP = os.environ["UMBRA_TOP"]
SERVER = os.environ["UMBRA_SERVER"]
CASE = os.environ["UMBRA_CASE"]
CONF = os.environ["UMBRA_CONF"]
TOOL = os.path.join(os.path.dirname(SERVER), "server_tool")
PG_DATA = os.environ["PG_DATA"]
PG_LOG = os.environ["PG_LOG"]
PASS = os.path.join(D, "passphrase")
