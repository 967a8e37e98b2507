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
import re
import secrets
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import spool  # noqa: E402
import umbra  # noqa: E402
from umbra_env import CASE, D, psql  # noqa: E402

ENV_DAYS = 10
MBOX_DAYS = 5
EVENT_DAYS = 12
ALERT_DAYS = 4
TOKEN = {o: open(os.path.join(D, o + ".token")).read().strip()
         for o in ("alpha", "beta")}
R = umbra.Results()
METRICS_PORT = umbra.free_port()
SRV = umbra.Server(extra=["--purge_interval", "1",
                          "--metrics_listen", "127.0.0.1:%d" % METRICS_PORT,
                          "--envelope_retention_days", str(ENV_DAYS),
                          "--mailbox_retention_days", str(MBOX_DAYS),
                          "--event_retention_days", str(EVENT_DAYS),
                          "--alert_retention_days", str(ALERT_DAYS)])


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


def event_post(org, data):
    st, _, body = umbra.request(SRV.port, "POST", "/api/v1/sync/events",
                                seal(org, data),
                                {"Content-Type": "application/octet-stream",
                                 "Authorization": "Bearer " + TOKEN[org]})
    assert st == 201, (st, body)
    return json.loads(body)["id"]


def events_get(org, after=0):
    st, _, body = umbra.request(SRV.port, "GET",
                                "/api/v1/sync/events?after=%d" % after,
                                headers={"Authorization": "Bearer " +
                                         TOKEN[org]})
    assert st == 200, (st, body)
    return json.loads(body)


def pull(org, out):
    return subprocess.run([CASE, "--home", os.path.join(D, org), "pull",
                           "--server", SRV.url(), "--token-file",
                           os.path.join(D, org + ".token"), "--out", out],
                          capture_output=True, text=True, timeout=120,
                          env={k: v for k, v in os.environ.items()
                               if not k.endswith("_PROXY")})


def clean_logs():
    psql("DELETE FROM events; DELETE FROM alerts; "
         "UPDATE orgs SET events_purged = 0, events_purged_day = NULL")


def test_events_expire_and_pull_is_told():
    """Rule: a case event is purged event_retention_days after its day,
    pulled or not, other organisations' by their own days; the events
    route says how many after the cursor go within 7 days and the highest
    id purged; pull warns loudly when it missed some, notes it on a first
    pull, and warns of the ones that were about to go."""
    clean_logs()
    canary = ("RETAIN-EVENT-" + secrets.token_hex(6)).encode()
    out = os.path.join(D, "retain-events.umbrabundle")
    fresh = os.path.join(D, "retain-events-fresh.umbrabundle")
    for f in (out, fresh):
        if os.path.exists(f):
            os.unlink(f)
    e1 = event_post("alpha", canary)
    r = pull("alpha", out)
    R.check("a first pull with nothing purged says nothing of it",
            r.returncode == 0 and "purged" not in r.stderr.lower() and
            "Pulled 1 new case event" in r.stdout, (r.stdout, r.stderr))
    e2, e3, e4 = (event_post("alpha", canary) for _ in range(3))
    b1 = event_post("beta", b"beta's event")
    # one statement: both go in one purge run. e1 (pulled) and e2 (not)
    # are past the retention; e3 (day -7 of 12) goes on day +6, within 7;
    # e4 is today's;
    # beta's is on its last day (goes tomorrow).
    psql("UPDATE events SET day = CASE id WHEN %s THEN current_date - %d "
         "WHEN %s THEN current_date - %d WHEN %s THEN current_date - %d "
         "WHEN %s THEN current_date - %d ELSE day END"
         % (e1, EVENT_DAYS + 2, e2, EVENT_DAYS + 1, e3, EVENT_DAYS - 5, b1,
            EVENT_DAYS))
    R.check("the expired events are purged by the server on its own",
            wait_until(lambda: not exists("events", "id IN (%s, %s)"
                                          % (e1, e2))))
    time.sleep(2.5)  # two more purge runs
    R.check("the others stay (one within 7 days, one today's, one of "
            "another organisation on its last day)",
            all(exists("events", "id = " + i) for i in (e3, e4, b1)))
    R.check("orgs.events_purged holds alpha's highest purged id, beta's 0",
            psql("SELECT string_agg(slug || '=' || events_purged, ',' "
                 "ORDER BY slug) FROM orgs WHERE slug IN ('alpha', 'beta')")
            == "alpha=%s,beta=0" % e2)
    page = events_get("alpha")
    want_day = psql("SELECT (current_date + 6)::text")
    R.check("GET /api/v1/sync/events says purged_through and 1 expiring "
            "(the first on day +6)",
            page.get("purged_through") == e2 and
            page.get("expiring") == {"count": 1, "first_day": want_day,
                                     "within_days": 7,
                                     "retention_days": EVENT_DAYS} and
            [x["id"] for x in page["events"]] == [e3, e4],
            {k: v for k, v in page.items() if k != "events"})
    x = events_get("alpha", int(e3))["expiring"]
    R.check("expiring counts only the events after the cursor",
            x["count"] == 0 and x["first_day"] is None, x)
    page = events_get("beta")
    R.check("beta's answer: nothing purged, its own event expiring",
            page.get("purged_through") == "0" and
            page["expiring"]["count"] == 1, page.get("expiring"))
    r = pull("alpha", out)
    R.check("pull with a cursor below purged_through warns loudly that "
            "events were lost and how to get them back",
            r.returncode == 0 and "WARNING: the server" in r.stderr and
            "PURGED case events" in r.stderr and
            "after id %s, up to id %s" % (e1, e2) in r.stderr and
            "team share" in r.stderr, (r.returncode, r.stdout, r.stderr))
    R.check("and warns of the unpulled event that was about to go",
            "1 case event not pulled until now was within 7 days" in r.stderr
            and want_day in r.stderr and
            "pull at least every %d days" % (EVENT_DAYS - 7) in r.stderr,
            r.stderr)
    r = pull("alpha", fresh)
    R.check("a first pull is told in a note, not the loud warning",
            r.returncode == 0 and "note: the server" in r.stderr and
            "up to id %s" % e2 in r.stderr and "PURGED" not in r.stderr,
            (r.returncode, r.stderr))
    r = pull("alpha", out)
    R.check("once pulled, nothing expires unpulled: no expiring warning",
            r.returncode == 0 and "not pulled until now" not in r.stderr,
            r.stderr)
    log = log_text()
    R.check("the log says counts only: 'purged 2 case events'",
            "retention: purged 2 case events, 0 alerts" in log, log[-2000:])
    R.check("the log holds no event byte and no id",
            canary.decode() not in log and ("id " + e2) not in log)


def test_alerts_expire():
    """Rule: an alert is purged alert_retention_days after its expires
    day or after the day it was withdrawn, whichever comes first; a
    withdrawal stays until its alert would have expired, so the withdrawn
    alert pushed again is stored withdrawn, not shown."""
    clean_logs()
    org = psql("SELECT id FROM orgs WHERE slug = 'alpha'")
    old = ALERT_DAYS + 1
    rows = {  # name: (kind, expires or until, withdrawn, withdraws)
        "expired_long_ago": ("alert", -old, None, None),
        "expired_last_day": ("alert", -ALERT_DAYS, None, None),
        "live": ("alert", 30, None, None),
        "withdrawn_long_ago": ("alert", 30, -old, None),
        "withdrawn_lately": ("alert", 30, -ALERT_DAYS, None),
        "w_of_withdrawn_long_ago": ("withdrawal", 30, None,
                                    "withdrawn_long_ago"),
        "gone_with_withdrawal": ("alert", -old, -old - 3, None),
        "w_of_gone": ("withdrawal", -old, None, "gone_with_withdrawal"),
    }
    ids = {n: secrets.token_hex(16) for n in rows}
    sql = []
    for n, (kind, d, wd, of) in rows.items():
        if kind == "alert":
            sql.append("INSERT INTO alerts (org_id, id, kind, body, issued, "
                       "expires, withdrawn) VALUES (%s, '%s', 'alert', "
                       "'\\x00', current_date - 60, current_date + %d, %s)"
                       % (org, ids[n], d, "NULL" if wd is None else
                          "current_date + %d" % wd))
        else:
            sql.append("INSERT INTO alerts (org_id, id, kind, body, issued, "
                       "withdraws, until) VALUES (%s, '%s', 'withdrawal', "
                       "'\\x01', current_date - 60, '%s', current_date + %d)"
                       % (org, ids[n], ids[of], d))
    psql("; ".join(sql))
    gone = ("expired_long_ago", "withdrawn_long_ago", "gone_with_withdrawal",
            "w_of_gone")

    def there(n):
        return exists("alerts", "id = '%s'" % ids[n])
    R.check("expired and long-withdrawn alerts are purged, and a withdrawal "
            "whose alert would have expired long ago",
            wait_until(lambda: not any(there(n) for n in gone)))
    time.sleep(2.5)
    kept = [n for n in rows if n not in gone]
    R.check("the others stay: expired or withdrawn within the retention, "
            "live, a withdrawal whose alert would still be shown",
            all(there(n) for n in kept), [n for n in kept if not there(n)])
    got = psql("SELECT alert_put((SELECT t.hash FROM sync_tokens t JOIN orgs "
               "o ON o.id = t.org_id WHERE o.slug = 'alpha' LIMIT 1), '%s', "
               "'alert', '\\x02', current_date - 60, current_date + 30, "
               "NULL, 500)" % ids["withdrawn_long_ago"])
    R.check("the purged withdrawn alert pushed again is stored withdrawn",
            got == "stored" and psql(
                "SELECT withdrawn IS NOT NULL FROM alerts WHERE id = '%s'"
                % ids["withdrawn_long_ago"]) == "t", got)
    R.check("and not among the live alerts",
            ids["withdrawn_long_ago"] not in
            psql("SELECT string_agg(id, ',') FROM alerts_live(NULL)"))
    R.check("the log says 'purged 0 case events, 4 alerts'",
            "retention: purged 0 case events, 4 alerts" in log_text())


def test_metrics_count_the_purges():
    """Rule: /metrics (the loopback metrics listener) counts what the purge
    took since start, each kind as the log's lines of counts add up, and
    nothing but counts."""
    st, _, body = umbra.request(METRICS_PORT, "GET", "/metrics")
    text = body.decode()
    got = dict(re.findall(r'^umbra_retention_purged_total\{what="(\w+)"\} '
                          r'(\d+)$', text, re.M))
    log = log_text()[LOG_START:]
    want = dict.fromkeys(("envelopes", "mailboxes", "replies", "events",
                          "alerts"), 0)
    for m in re.finditer(r"retention: purged (\d+) envelopes, (\d+) "
                         r"mailboxes, (\d+) replies", log):
        for k, v in zip(("envelopes", "mailboxes", "replies"), m.groups()):
            want[k] += int(v)
    for m in re.finditer(r"retention: purged (\d+) case events, (\d+) "
                         r"alerts", log):
        for k, v in zip(("events", "alerts"), m.groups()):
            want[k] += int(v)
    got = {k: int(v) for k, v in got.items()}
    R.check("/metrics counts each kind the purge took, as the log adds up "
            "(envelopes, mailboxes, replies, events and alerts all > 0)",
            st == 200 and got == want and all(want.values()), (st, got, want))
    R.check("the purge counters are counts only: one line per kind",
            len([ln for ln in text.splitlines()
                 if ln.startswith("umbra_retention_purged_total")]) == 5,
            text[-600:])


def test_zero_keeps_for_ever():
    """Rule: envelope_retention_days = 0 keeps envelopes until they are
    acknowledged, and sync then warns of none."""
    SRV.stop()
    SRV.start("--envelope_retention_days", "0", "--event_retention_days",
              "0", "--alert_retention_days", "0")
    try:
        clean()
        clean_logs()
        org = psql("SELECT id FROM orgs WHERE slug = 'alpha'")
        psql("INSERT INTO envelopes (org_id, size, body, day) VALUES "
             "(%s, 1, '\\x00', current_date - 400)" % org)
        psql("INSERT INTO events (org_id, body, day) VALUES "
             "(%s, '\\x00', current_date - 400)" % org)
        psql("INSERT INTO alerts (org_id, id, kind, body, issued, expires) "
             "VALUES (%s, '%s', 'alert', '\\x00', current_date - 500, "
             "current_date - 400)" % (org, secrets.token_hex(16)))
        time.sleep(3)
        R.check("a 400-day-old envelope stays with retention 0",
                psql("SELECT count(*) FROM envelopes") == "1")
        R.check("so do a 400-day-old case event and alert with theirs 0",
                psql("SELECT (SELECT count(*) FROM events) + "
                     "(SELECT count(*) FROM alerts)") == "2")
        x = events_get("alpha")["expiring"]
        R.check("and the events route says none expire",
                x["count"] == 0 and x["retention_days"] == 0, x)
        x = sync_get("alpha")["expiring"]
        R.check("and nothing is said to expire",
                x["count"] == 0 and x["first_day"] is None and
                x["retention_days"] == 0, x)
    finally:
        clean()
        clean_logs()
        SRV.stop()
        SRV.start()


LOG_START = 0  # where this run's server log begins


def main():
    global LOG_START
    LOG_START = len(log_text()) if os.path.exists(SRV.log) else 0
    SRV.start()
    try:
        R.each([test_envelopes_expire_and_pull_is_warned,
                test_mailboxes_expire_after_last_reply,
                test_bounded_batches,
                test_one_purger_at_a_time,
                test_events_expire_and_pull_is_told,
                test_alerts_expire,
                test_metrics_count_the_purges,
                test_zero_keeps_for_ever])
    finally:
        rc = SRV.stop()
        R.check("the server stops cleanly", rc == 0, rc)


if __name__ == "__main__":
    R.run(main)
