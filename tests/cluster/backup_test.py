#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""make test-backup: the backup of docs/operations.md ("Backups") restored
into a NEW PostgreSQL cluster, and the service carries on.

Run by tests/chaos/run.sh with UMBRA_INTAKE_WINDOW=0 (reports committed as
they come; the spool is not in a dump, see the docs). Steps:
  1. reports A (one of them with a reporter's mailbox) are posted, pulled
     and imported; reports B are posted and not pulled;
  2. the backup: `pg_dump -Fc` of the database and `pg_dumpall
     --roles-only`, exactly as the docs say; the old cluster is stopped
     for good;
  3. the restore into a new cluster (initdb), as the docs say: roles,
     createdb, pg_restore, the database's privileges, the id sequence moved
     forward, `umbra-server migrate`; a server on it;
  4. pull resumes: exactly the reports B arrive, no report of A again;
     reports D posted after the restore are pulled next, once;
  5. the caseworker replies to the report with the mailbox; the reporter's
     lookup id finds the reply on the restored server, and it opens with
     the mailbox's key.
Ends with "N passed, N failed".
"""
import base64
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "vectors"))
from umbra import Results, Server, request  # noqa: E402
import nacl.bindings as nb  # noqa: E402
import pyumbra  # noqa: E402

R = Results()
D = os.environ["UMBRA_TEST_DIR"]
TOP = os.environ["UMBRA_TOP"]
CASE = os.environ["UMBRA_CASE"]
SERVER = os.environ["UMBRA_SERVER"]
CONF = os.environ["UMBRA_CONF"]
HOME = os.path.join(D, "alpha")
TOKEN = os.path.join(D, "alpha.token")
PASS = os.path.join(D, "passphrase")
RUN = base64.b32encode(os.urandom(5)).decode().lower()

with open(os.path.join(HOME, "public.json"), "rb") as f:
    PKS = [base64.b64decode(k["x25519"])
           for k in pyumbra.bundle_verify(f.read())["keys"]]


def case(*args):
    return subprocess.run([CASE, "--home", HOME, "--passphrase-file", PASS,
                           *args], capture_output=True, timeout=300)


def sh(script, **env):
    """A shell script with tests/lib/pg.sh sourced; its stdout."""
    p = subprocess.run(["sh", "-ec", ". tests/lib/pg.sh\n" + script],
                       cwd=TOP, capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, **env))
    if p.returncode != 0:
        raise RuntimeError(p.stderr)
    return p.stdout


def post(srv, n, tag, extra=None):
    """n reports with canaries BKP<run>-<tag>-<i>; the canaries answered
    201."""
    acked = []
    for i in range(n):
        canary = "BKP%s-%s-%03d" % (RUN, tag, i)
        doc = {"schema": "umbra.report/1", "lang": "en", "via": "cli",
               "categories": ["robbery"],
               "narrative": canary + " backup test report",
               "incident": {"date": "2026-11", "country": "TH"},
               "consent": {"statistics": True}}
        if extra and i == 0:
            doc.update(extra)
        st, _, _ = request(srv.port, "POST", "/api/v1/orgs/alpha/reports",
                           pyumbra.seal(PKS, json.dumps(doc).encode()),
                           {"Content-Type": "application/octet-stream"})
        if st == 201:
            acked.append(canary)
    return acked


def pull(srv, what):
    r = case("pull", "--server", srv.url(), "--token-file", TOKEN)
    R.check("%s: umbra-case pull" % what, r.returncode == 0, r.stderr)
    out = r.stdout.decode() + r.stderr.decode()
    r = case("import")
    R.check("%s: umbra-case import" % what, r.returncode == 0, r.stderr)
    return out


def seen():
    """canary -> (times in the store, case id)."""
    r = case("list", "--json")
    got = {}
    for line in r.stdout.decode().splitlines():
        c = json.loads(line)
        s = c.get("summary", "")
        if s.startswith("BKP" + RUN):
            k = s.split(" ", 1)[0]
            n, _ = got.get(k, (0, None))
            got[k] = (n + 1, c["id"])
    return got


def main():
    srv = Server()
    srv.start()

    # A reporter's mailbox (protocol 5.3; the Argon2 step from the receipt
    # is the vectors' business: the lookup id is drawn at random here).
    lookup = os.urandom(32)
    mailbox_id = pyumbra.blake2b(b"umbra/mailbox/v1" + lookup)
    mpk, msk = nb.crypto_box_keypair()
    st, _, _ = request(srv.port, "POST", "/api/v1/mailboxes",
                       json.dumps({"id": mailbox_id.hex()}).encode(),
                       {"Content-Type": "application/json"})
    R.check("mailbox registered", st == 201, st)

    a = post(srv, 20, "A", {"mailbox": base64.b64encode(mpk).decode(),
                            "mailbox_id": mailbox_id.hex()})
    R.check("reports A answered 201", len(a) == 20, len(a))
    pull(srv, "before the backup")
    b = post(srv, 15, "B")
    R.check("reports B answered 201", len(b) == 15, len(b))

    # The backup, as docs/operations.md says.
    dump = os.path.join(D, "umbra.dump")
    roles = os.path.join(D, "roles.sql")
    sh('pg_as "$PG_BIN/pg_dump" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" '
       '-Fc umbra >"$DUMP"\n'
       'pg_as "$PG_BIN/pg_dumpall" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" '
       '--roles-only >"$ROLES"\n', DUMP=dump, ROLES=roles)
    R.check("the backup is written", os.path.getsize(dump) > 0)
    srv.stop()
    sh('pg_stop "$DIR"', DIR=os.path.join(D, "pg"))

    # The restore into a new cluster, as docs/operations.md says.
    new = os.path.join(D, "pg-new")
    env = sh('''PGPORT=5433
pg_start "$NEW" >&2
psql() { pg_as "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$PGHOST" \\
    -p "$PGPORT" -U "$PGUSER" "$@"; }
# the roles (the cluster's own superuser is there already)
grep -E '^(CREATE|ALTER) ROLE (umbra_intake|umbra_sync)\\b' "$ROLES" |
    psql -d postgres >&2
pg_as "$PG_BIN/createdb" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" umbra
pg_as "$PG_BIN/pg_restore" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" \\
    --exit-on-error -d umbra <"$DUMP"
psql -d umbra -c "REVOKE CONNECT, TEMPORARY ON DATABASE umbra FROM PUBLIC" \\
    -c "GRANT CONNECT ON DATABASE umbra TO CURRENT_USER, umbra_intake, umbra_sync" \\
    -c "SELECT setval('envelopes_id_seq', (SELECT last_value FROM envelopes_id_seq) + 1000000000)" >&2
echo "$PGHOST $PGPORT"
''', NEW=new, DUMP=dump, ROLES=roles).split()
    host, port = env[0], env[1]
    conf = os.path.join(D, "server-new.conf")
    with open(CONF) as f:
        text = f.read()
    old = "host=%s port=%s" % (os.environ["PGHOST"], os.environ["PGPORT"])
    R.check("the configuration names the old cluster", old in text)
    with open(conf, "w") as f:
        f.write(text.replace(old, "host=%s port=%s" % (host, port)))
    r = subprocess.run([SERVER, "--config", conf, "migrate"],
                       capture_output=True, timeout=120)
    R.check("umbra-server migrate on the restored database",
            r.returncode == 0, r.stderr)
    srv = Server(conf=conf)
    srv.start()

    out = pull(srv, "after the restore")
    g = seen()
    R.check("every report of A and B in the store once",
            all(g.get(c, (0,))[0] == 1 for c in a + b),
            [c for c in a + b if g.get(c, (0,))[0] != 1][:5])
    R.check("the pull after the restore brought B only (no report twice)",
            len(g) == len(a) + len(b), (len(g), out))
    d = post(srv, 10, "D")
    pull(srv, "reports after the restore")
    g = seen()
    R.check("reports D pulled once, nothing else again",
            all(g.get(c, (0,))[0] == 1 for c in a + b + d) and
            len(g) == len(a) + len(b) + len(d), len(g))

    # The reply reaches the reporter's mailbox on the restored server.
    case_id = g.get(a[0], (0, None))[1]
    msg = os.path.join(D, "reply.txt")
    with open(msg, "w") as f:
        f.write("We read your report %s. Are you safe?\n" % RUN)
    r = case("reply", str(case_id), "--message-file", msg)
    R.check("reply queued", r.returncode == 0, r.stderr)
    r = case("push", "--server", srv.url(), "--token-file", TOKEN)
    R.check("reply pushed to the restored server", r.returncode == 0,
            r.stderr)
    st, _, body = request(srv.port, "POST", "/api/v1/mailboxes/replies",
                          json.dumps({"id": lookup.hex()}).encode(),
                          {"Content-Type": "application/json"})
    ans = json.loads(body) if st == 200 else {}
    R.check("the mailbox is known after the restore",
            ans.get("known") is True, (st, body[:200]))
    texts = []
    for rep in ans.get("replies", []):
        content, _ = pyumbra.open_envelope(base64.b64decode(rep["envelope"]),
                                           [(msk, mpk)])
        texts.append(json.loads(content).get("message", ""))
    R.check("the reply opens with the mailbox's key",
            any(RUN in t for t in texts), texts)
    srv.stop()


def stop_new():
    """The new cluster and its socket folder (tests/chaos/run.sh cleans up
    the first one only)."""
    new = os.path.join(D, "pg-new")
    if os.path.exists(os.path.join(new, "sockdir")):
        sh('pg_stop "$NEW"; rm -rf "$(cat "$NEW/sockdir")"', NEW=new)


def run():
    try:
        main()
    finally:
        stop_new()


R.run(run)
