# SPDX-License-Identifier: AGPL-3.0-or-later
"""The paths tests/integration/server_env.sh exports (its env.sh, sourced by
tests/lib/server.sh before a test runs), read once at import: the test
folder D with the organisations' homes and tokens, the repository TOP, the
binaries SERVER, CASE and TOOL (build/server_tool), the server's
configuration CONF, the PostgreSQL cluster's PG_DATA and PG_LOG, and the
caseworkers' passphrase file PASS; psql(), SQL on the test's database as
its owner; and pull(), an organisation's `umbra-case pull` from a test's
server."""
import os
import subprocess

D = os.environ["UMBRA_TEST_DIR"]
TOP = os.environ["UMBRA_TOP"]
SERVER = os.environ["UMBRA_SERVER"]
CASE = os.environ["UMBRA_CASE"]
CONF = os.environ["UMBRA_CONF"]
TOOL = os.path.join(os.path.dirname(SERVER), "server_tool")
PG_DATA = os.environ["PG_DATA"]
PG_LOG = os.environ["PG_LOG"]
PASS = os.path.join(D, "passphrase")


def psql(sql, timeout=600):
    """SQL on the test's database "umbra" as the owner (the cluster's
    environment: PGHOST, PGPORT, PGUSER); stdout (unaligned, tuples only),
    stripped. Fails the test when psql does, or takes over timeout
    seconds (the bench's bulk inserts take minutes)."""
    p = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1",
                        "-d", "umbra", "-c", sql],
                       capture_output=True, text=True, timeout=timeout)
    assert p.returncode == 0, (sql, p.stderr)
    return p.stdout.strip()


def pull(srv, org):
    """`umbra-case pull` into D/ORG (the organisation's home) from srv (an
    umbra.Server) with D/ORG.token, proxies unset; the CompletedProcess,
    text."""
    return subprocess.run([CASE, "--home", os.path.join(D, org), "pull",
                           "--server", srv.url(), "--token-file",
                           os.path.join(D, org + ".token")],
                          capture_output=True, text=True, timeout=120,
                          env={k: v for k, v in os.environ.items()
                               if not k.endswith("_PROXY")})
