#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Retention on the server (docs/operations.md, "Retention"), against the
real umbra-server and PostgreSQL.

Days are days: nothing here sleeps a day. Rows get an older stored `day`
through the owner role (test-only SQL, as a backup restored from weeks ago
would hold), and the server, started with purge_interval = 1, purges them
on its own within a second or two. Each check names the rule of
docs/operations.md it proves. Ends with "N passed, N failed".
"""
import json
import os
import secrets
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import spool  # noqa: E402
import umbra  # noqa: E402
from umbra_env import CASE, D  # noqa: E402

ENV_DAYS = 10
MBOX_DAYS = 5
TOKEN = {o: open(os.path.join(D, o + ".token")).read().strip()
         for o in ("alpha", "beta")}
R = umbra.Results()
SRV = umbra.Server(extra=["--purge_interval", "1",
                          "--envelope_retention_days", str(ENV_DAYS),
                          "--mailbox_retention_days", str(MBOX_DAYS)])


def psql(sql):
    p = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1",
                        "-d", "umbra", "-c", sql],
                       capture_output=True, text=True)
    assert p.returncode == 0, (sql, p.stderr)
    return p.stdout.strip()


def seal(org, data):
    return subprocess.run([CASE, "seal", "--to",
                           os.path.join(D, org, "public.json")],
                          input=data, capture_output=True,
                          check=True).stdout


def post(org, env):
    st, _, body = umbra.request(SRV.port, "POST",
                                "/api/v1/orgs/%s/reports" % org, env,
                                {"Content-Type": "application/octet-stream"})
    assert st == 201, (st, body)


def sync_get(org):
    spool.wait_moved()
    st, _, body = umbra.request(SRV.port, "GET",
                                "/api/v1/sync/reports?limit=1000",
                                headers={"Authorization": "Bearer " +
                                         TOKEN[org]})
    assert st == 200, (st, body)
    return json.loads(body)


def wait_until(cond, timeout=15.0):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.2)
    return cond()


def ids_of(org):
    return psql("SELECT string_agg(e.id::text, ',' ORDER BY e.id) FROM "
                "envelopes e JOIN orgs o ON o.id = e.org_id "
                "WHERE o.slug = '%s'" % org).split(",")


def exists(table, where):
    return psql("SELECT count(*) FROM %s WHERE %s" % (table, where)) != "0"


def log_text():
    with open(SRV.log, "rb") as f:
        return f.read().decode("utf-8", "replace")


def clean():
    psql("DELETE FROM envelopes")
    psql("DELETE FROM replies")
    psql("DELETE FROM mailboxes")


def test_envelopes_expire_and_pull_is_warned():
    """Rule: an envelope nobody pulls is purged envelope_retention_days
    after the day it arrived; sync lists the ones going within 7 days and
    pull prints it loudly."""
    clean()
    canary = ("RETAIN-CANARY-" + secrets.token_hex(6)).encode()
    for _ in range(3):
        post("alpha", seal("alpha", canary))
    post("beta", seal("beta", b"beta keeps"))
    spool.wait_moved()
    old, soon, fresh = ids_of("alpha")
    beta = ids_of("beta")[0]
    # Older than the retention: goes. 5 days old of 10: goes on day +6,
    # within the warning's 7 days. Today's: goes on day +11, not warned.
    psql("UPDATE envelopes SET day = current_date - %d WHERE id = %s"
         % (ENV_DAYS + 1, old))
    psql("UPDATE envelopes SET day = current_date - 5 WHERE id = %s" % soon)
    psql("UPDATE envelopes SET day = current_date - %d WHERE id = %s"
         % (ENV_DAYS + 1 - 1, beta))  # exactly the last day kept
    R.check("the expired envelope is purged by the server on its own",
            wait_until(lambda: not exists("envelopes", "id = " + old)))
    time.sleep(2.5)  # two more purge runs
    R.check("the others stay (one on its last day, one young, one of "
            "another organisation on its last day)",
            all(exists("envelopes", "id = " + i)
                for i in (soon, fresh, beta)))
    page = sync_get("alpha")
    x = page.get("expiring")
    want_day = psql("SELECT (current_date + 6)::text")
    R.check("GET /api/v1/sync/reports says 1 expiring, the first on day +6",
            x == {"count": 1, "first_day": want_day, "within_days": 7,
                  "retention_days": ENV_DAYS}, x)
    R.check("beta's warning counts beta's envelope only (its last day is "
            "today: it goes tomorrow)",
            sync_get("beta")["expiring"]["count"] == 1)
    r = subprocess.run([CASE, "--home", os.path.join(D, "alpha"), "pull",
                        "--server", SRV.url(), "--token-file",
                        os.path.join(D, "alpha.token")],
                       capture_output=True, text=True, timeout=120,
                       env={k: v for k, v in os.environ.items()
                            if not k.endswith("_PROXY")})
    R.check("umbra-case pull prints the warning loudly",
            r.returncode == 0 and "WARNING: the server" in r.stderr and
            "DELETES 1 report of this organisation within 7 days"
            in r.stderr and want_day in r.stderr,
            (r.returncode, r.stdout, r.stderr))
    log = log_text()
    R.check("the log says counts only: 'purged 1 envelopes'",
            "retention: purged 1 envelopes, 0 mailboxes, 0 replies" in log,
            log[-2000:])
    R.check("the log holds no envelope byte and no id",
            canary.decode() not in log and ("id " + old) not in log)


def test_mailboxes_expire_after_last_reply():
    """Rule: a mailbox is purged mailbox_retention_days after its last
    reply, or after the day it was made if never answered, with its
    replies; one registered for an organisation (schema 013) as one
    without, and the organisation's mailbox count follows."""
    clean()
    org = psql("SELECT id FROM orgs WHERE slug = 'alpha'")
    old = MBOX_DAYS + 1
    boxes = {
        "never_answered_old": (old, []),
        "old_answered_today": (old, [0]),
        "old_answered_long_ago": (old + 10, [old + 5, old]),
        "young_never_answered": (MBOX_DAYS, []),
    }
    hexes = {}
    sql = []
    for name, (age, replies) in boxes.items():
        h = secrets.token_hex(32)
        hexes[name] = h
        # two registered for alpha (org_id, one of them expired), the
        # others without an organisation
        sql.append("INSERT INTO mailboxes (mailbox_id, day, org_id) VALUES "
                   "('\\x%s', current_date - %d, %s)"
                   % (h, age, org if name in ("never_answered_old",
                                              "old_answered_today")
                      else "NULL"))
        for r in replies:
            sql.append("INSERT INTO replies (mailbox_id, org_id, day, body) "
                       "VALUES ('\\x%s', %s, current_date - %d, '\\x00')"
                       % (h, org, r))
    # one transaction: a purge run between a mailbox and its reply would
    # take the mailbox first
    psql("; ".join(sql))
    gone = ("never_answered_old", "old_answered_long_ago")

    def where(n):
        return "mailbox_id = '\\x%s'" % hexes[n]
    R.check("expired mailboxes are purged with their replies",
            wait_until(lambda: not any(exists("mailboxes", where(n)) or
                                       exists("replies", where(n))
                                       for n in gone)))
    time.sleep(2.5)
    kept = [n for n in boxes if n not in gone]
    R.check("a mailbox answered within the retention, or young, stays",
            all(exists("mailboxes", where(n)) for n in kept) and
            exists("replies", where("old_answered_today")))
    R.check("with or without an organisation alike: of alpha's two, the "
            "one expired went",
            psql("SELECT count(*) FROM mailboxes WHERE org_id = %s" % org)
            == "1" and exists("mailboxes", where("never_answered_old"))
            is False and exists("mailboxes", where("old_answered_today")))
    R.check("and sync's count of alpha's mailboxes follows the purge: 1",
            wait_until(lambda: sync_get("alpha")["pending"].get("mailboxes")
                       == 1), sync_get("alpha")["pending"])


def test_bounded_batches():
    """Rule: the purge works in batches of 1,000 rows per transaction; a
    backlog larger than one batch goes in one run all the same."""
    clean()
    org = psql("SELECT id FROM orgs WHERE slug = 'alpha'")
    psql("INSERT INTO envelopes (org_id, size, body, day) SELECT %s, 1, "
         "'\\x00', current_date - %d FROM generate_series(1, 2500)"
         % (org, ENV_DAYS + 3))
    R.check("2,500 expired envelopes are all purged",
            wait_until(lambda: psql("SELECT count(*) FROM envelopes") == "0",
                       30))
    R.check("in one run, logged as one line of counts",
            "retention: purged 2500 envelopes" in log_text())


def test_one_purger_at_a_time():
    """Rule: with several servers on one database, one purges at a time
    (an advisory lock): while another session holds it, nothing is purged;
    once it is released, the purge happens."""
    clean()
    org = psql("SELECT id FROM orgs WHERE slug = 'alpha'")
    holder = subprocess.Popen(["psql", "-X", "-q", "-d", "umbra"],
                              stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, text=True)
    try:
        holder.stdin.write("SELECT pg_advisory_lock(hashtext("
                           "'umbra.retention_purge'));\n")
        holder.stdin.flush()
        R.check("another session holds the purge's lock",
                wait_until(lambda: psql(
                    "SELECT count(*) FROM pg_locks WHERE locktype = "
                    "'advisory' AND granted") != "0", 10))
        psql("INSERT INTO envelopes (org_id, size, body, day) VALUES "
             "(%s, 1, '\\x00', current_date - %d)" % (org, ENV_DAYS + 2))
        time.sleep(3)
        R.check("meanwhile the server purges nothing",
                psql("SELECT count(*) FROM envelopes") == "1")
    finally:
        holder.stdin.write("SELECT pg_advisory_unlock_all();\n\\q\n")
        holder.stdin.flush()
        holder.wait(10)
    R.check("once released, the next run purges it",
            wait_until(lambda: psql("SELECT count(*) FROM envelopes")
                       == "0"))


def test_zero_keeps_for_ever():
    """Rule: envelope_retention_days = 0 keeps envelopes until they are
    acknowledged, and sync then warns of none."""
    SRV.stop()
    SRV.start("--envelope_retention_days", "0")
    try:
        clean()
        org = psql("SELECT id FROM orgs WHERE slug = 'alpha'")
        psql("INSERT INTO envelopes (org_id, size, body, day) VALUES "
             "(%s, 1, '\\x00', current_date - 400)" % org)
        time.sleep(3)
        R.check("a 400-day-old envelope stays with retention 0",
                psql("SELECT count(*) FROM envelopes") == "1")
        x = sync_get("alpha")["expiring"]
        R.check("and nothing is said to expire",
                x["count"] == 0 and x["first_day"] is None and
                x["retention_days"] == 0, x)
    finally:
        clean()
        SRV.stop()
        SRV.start()


def main():
    SRV.start()
    try:
        R.each([test_envelopes_expire_and_pull_is_warned,
                test_mailboxes_expire_after_last_reply,
                test_bounded_batches,
                test_one_purger_at_a_time,
                test_zero_keeps_for_ever])
    finally:
        rc = SRV.stop()
        R.check("the server stops cleanly", rc == 0, rc)


if __name__ == "__main__":
    R.run(main)
