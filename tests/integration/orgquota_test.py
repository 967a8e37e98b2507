#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Many organisations on one host (docs/operations.md): each its own
quota, set with `umbra-server org set` while the server runs, and a link
from the landing list to each organisation's report page. Against the
real umbra-server and PostgreSQL. Ends with "N passed, N failed"."""
import json
import os
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import spool  # noqa: E402
import umbra  # noqa: E402
import umbra_env  # noqa: E402
from umbra_env import CASE, CONF, D, SERVER, psql  # noqa: E402

TOKEN = {o: open(os.path.join(D, o + ".token")).read().strip()
         for o in ("alpha", "beta")}
R = umbra.Results()
SRV = umbra.Server()


def admin(*args):
    p = subprocess.run([SERVER, "--config", CONF, *args],
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def seal(org, data):
    return subprocess.run([CASE, "seal", "--to",
                           os.path.join(D, org, "public.json")],
                          input=data, capture_output=True,
                          check=True).stdout


def post(org, env):
    st, _, body = umbra.request(SRV.port, "POST",
                                "/api/v1/orgs/%s/reports" % org, env,
                                {"Content-Type": "application/octet-stream"})
    return st, body


def sync(org, path="/api/v1/sync/reports?limit=1000", body=None):
    spool.wait_moved()
    h = {"Authorization": "Bearer " + TOKEN[org]}
    if body is not None:
        h["Content-Type"] = "application/json"
    st, _, b = umbra.request(SRV.port, "POST" if body is not None else "GET",
                             path, body, h)
    assert st == 200, (st, b)
    return json.loads(b)


def drain(org):
    while True:
        ids = [r["id"] for r in sync(org)["reports"]]
        if not ids:
            return
        sync(org, "/api/v1/sync/ack", json.dumps({"ids": ids}).encode())


def quota_seen(org, reports, timeout=10):
    """Waits until sync shows the organisation's quota as reports (the
    servers' cache reloads every 2 s)."""
    end = time.time() + timeout
    while time.time() < end:
        q = sync(org)["quota"]
        if q["reports"] == reports:
            return q
        time.sleep(0.3)
    return sync(org)["quota"]


def test_org_quota():
    drain("alpha")
    drain("beta")
    rc, out, err = admin("org", "set", "alpha", "--max-reports", "2")
    R.check("org set alpha --max-reports 2",
            rc == 0 and "max-reports 2, max-bytes default" in out,
            (rc, out, err))
    q = quota_seen("alpha", 2)
    R.check("the running server applies it without a restart; sync shows "
            "alpha's own quota", q["reports"] == 2, q)
    R.check("beta keeps the server's quota",
            sync("beta")["quota"]["reports"] == 20000)
    env = seal("alpha", b"quota")
    sts = [post("alpha", env)[0] for _ in range(2)]
    st, body = post("alpha", env)
    R.check("alpha's third waiting report gets 507 org_full",
            sts == [201, 201] and st == 507 and
            json.loads(body)["error"] == "org_full", (sts, st, body))
    st, body = post("beta", seal("beta", b"other org"))
    R.check("beta still takes reports", st == 201, (st, body))
    drain("alpha")
    rc, out, err = admin("org", "set", "alpha", "--max-reports", "default",
                         "--max-bytes", str(len(env) + 100))
    R.check("org set back to default reports, a byte quota of one report",
            rc == 0 and "max-reports default, max-bytes %d" % (len(env) + 100)
            in out, (rc, out, err))
    quota_seen("alpha", 20000)
    sts = [post("alpha", env)[0] for _ in range(2)]
    R.check("the byte quota holds: 201 then 507", sts == [201, 507], sts)
    drain("alpha")
    drain("beta")
    rc, out, err = admin("org", "set", "alpha", "--max-bytes", "default")
    R.check("and back to the server's", rc == 0, err)


def mailbox_new(obj):
    st, _, body = umbra.request(SRV.port, "POST", "/api/v1/mailboxes",
                                json.dumps(obj).encode(),
                                {"Content-Type": "application/json"})
    return st, body


def stored_org(hexid):
    """The slug of the organisation a stored mailbox counts against, ""
    for none, None if it is not stored."""
    rows = psql("SELECT coalesce(o.slug, '') FROM mailboxes m LEFT JOIN "
                "orgs o ON o.id = m.org_id WHERE m.mailbox_id = '\\x%s'"
                % hexid)
    return None if rows == "" and psql(
        "SELECT count(*) FROM mailboxes WHERE mailbox_id = '\\x%s'"
        % hexid) == "0" else rows


def mailbox_quota_seen(org, n, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        q = sync(org)["quota"]
        if q.get("mailboxes") == n:
            return q
        time.sleep(0.3)
    return sync(org)["quota"]


def pull(org):
    return umbra_env.pull(SRV, org)


def test_mailbox_quota():
    """Rule (schema 013): a mailbox registered for an organisation counts
    against its quota of mailboxes (org set --max-mailboxes, else
    quota_mailboxes); past it 507 org_full and nothing stored, while
    other organisations and mailboxes without an organisation go on."""
    drain("alpha")
    drain("beta")
    psql("DELETE FROM replies; DELETE FROM mailboxes")
    SRV.stop()  # the server reads the counts afresh at start
    SRV.start()
    rc, out, err = admin("org", "set", "alpha", "--max-mailboxes", "2")
    R.check("org set alpha --max-mailboxes 2",
            rc == 0 and "max-reports default, max-bytes default, "
            "max-mailboxes 2" in out, (rc, out, err))
    q = mailbox_quota_seen("alpha", 2)
    R.check("sync shows alpha's mailbox quota; beta keeps the server's "
            "20000", q.get("mailboxes") == 2 and
            sync("beta")["quota"].get("mailboxes") == 20000, q)
    ids = [os.urandom(32).hex() for _ in range(7)]
    sts = [mailbox_new({"id": ids[i], "org": "alpha"})[0] for i in (0, 1)]
    st, body = mailbox_new({"id": ids[2], "org": "alpha"})
    R.check("alpha's third mailbox gets 507 org_full",
            sts == [201, 201] and st == 507 and
            json.loads(body)["error"] == "org_full", (sts, st, body))
    st, body = mailbox_new({"id": ids[3], "org": "beta"})
    R.check("beta still registers mailboxes", st == 201, (st, body))
    st, body = mailbox_new({"id": ids[4]})
    R.check("a mailbox without an organisation still registers",
            st == 201, (st, body))
    st, body = mailbox_new({"id": ids[5], "org": "nosuch"})
    R.check("an unknown organisation: 404 unknown_org",
            st == 404 and json.loads(body)["error"] == "unknown_org",
            (st, body))
    st, body = mailbox_new({"id": ids[6], "org": 7})
    R.check("an organisation that is not a slug: 400 bad_org",
            st == 400 and json.loads(body)["error"] == "bad_org",
            (st, body))
    spool.wait_moved()
    got = [stored_org(h) for h in ids]
    R.check("stored with their organisation (none for the one without); "
            "the refused ones not stored at all",
            got == ["alpha", "alpha", None, "beta", "", None, None], got)
    kept = psql("SELECT string_agg(o.slug || '=' || m.n, ',' ORDER BY o.slug) "
                "FROM intake_mailboxes() m JOIN orgs o ON o.id = m.org_id")
    real = psql("SELECT string_agg(o.slug || '=' || x.n, ',' ORDER BY o.slug) "
                "FROM (SELECT org_id, count(*) n FROM mailboxes "
                "WHERE org_id IS NOT NULL GROUP BY org_id) x "
                "JOIN orgs o ON o.id = x.org_id")
    R.check("the counts the trigger keeps are the table's: alpha=2, beta=1",
            kept == real == "alpha=2,beta=1", (kept, real))
    R.check("folded by the move that stored them: no delta left over",
            psql("SELECT count(*) FROM mailbox_count_deltas") == "0" and
            psql("SELECT string_agg(n::text, ',' ORDER BY org_id) "
                 "FROM mailbox_counts") == "2,1")
    # the no-JS form: a report that asks for replies registers a mailbox
    # for its organisation, so at the quota it is refused whole, in the
    # reporter's language; one without a reply still goes
    form = {"org": "alpha", "narrative": "mailbox quota", "reply": "yes"}
    st, _, page = umbra.request(
        SRV.port, "POST", "/report?lang=fr",
        urllib.parse.urlencode(form).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    R.check("no-JS form with a reply at the quota: 507, the org_full "
            "message in French, nothing stored",
            st == 507 and "Cette organisation ne peut pas recevoir"
            in page.decode() and sync("alpha")["pending"]["count"] == 0,
            (st, page[-1500:]))
    form["reply"] = "no"
    st, _, page = umbra.request(
        SRV.port, "POST", "/report?lang=fr",
        urllib.parse.urlencode(form).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    R.check("the same report without a reply is taken", st == 201, st)
    drain("alpha")
    p = sync("alpha")
    R.check("sync: pending.mailboxes 2 of quota.mailboxes 2",
            p["pending"].get("mailboxes") == 2 and
            p["quota"].get("mailboxes") == 2, (p["pending"], p["quota"]))
    r = pull("alpha")
    R.check("umbra-case pull warns: alpha is at its mailbox quota",
            r.returncode == 0 and "WARNING: the server" in r.stderr and
            "holds 2 reply mailboxes for this organisation, at or over its "
            "quota of 2" in r.stderr, (r.returncode, r.stderr))
    r = pull("beta")
    R.check("and does not for beta (1 of 20000)",
            r.returncode == 0 and "reply mailboxes" not in r.stderr,
            (r.returncode, r.stderr))
    rc, out, err = admin("org", "list")
    lines = {ln.split()[0]: ln.split() for ln in out.splitlines()[1:]
             if ln and not ln.startswith("*")}
    R.check("org list: each organisation's mailboxes and quota (its own, "
            "or the server's starred)",
            rc == 0 and lines.get("alpha", [])[5:7] == ["2", "2"] and
            lines.get("beta", [])[5:7] == ["1", "20000*"], (rc, out, err))
    R.check("org list prints counts and quotas only: no names, no ids",
            "Alpha" not in out and not any(h in out for h in ids), out)
    rc, out, err = admin("org", "set", "alpha", "--max-mailboxes", "3")
    mailbox_quota_seen("alpha", 3)
    r = pull("alpha")
    R.check("at 2 of 3 (below 80 %) pull says nothing of mailboxes",
            r.returncode == 0 and "reply mailboxes" not in r.stderr,
            (r.returncode, r.stderr))
    rc, out, err = admin("org", "set", "alpha", "--max-mailboxes", "default")
    R.check("org set --max-mailboxes default",
            rc == 0 and "max-mailboxes default" in out, (rc, out, err))
    q = mailbox_quota_seen("alpha", 20000)
    st, body = mailbox_new({"id": ids[2], "org": "alpha"})
    R.check("restores the server's quota: alpha registers again",
            q.get("mailboxes") == 20000 and st == 201, (q, st, body))
    spool.wait_moved()
    SRV.stop()
    SRV.start()
    # read by the mover's first refresh, a moment after the server starts
    end = time.time() + 10
    while (sync("alpha")["pending"].get("mailboxes") != 3 and
           time.time() < end):
        time.sleep(0.2)
    R.check("after a restart the counts come from PostgreSQL: 3",
            sync("alpha")["pending"].get("mailboxes") == 3,
            (sync("alpha")["pending"],
             umbra.tail(os.path.join(os.environ["UMBRA_TEST_DIR"],
                                     "server.log"))))


def test_mailbox_quota_server_default():
    """quota_mailboxes is the server's default for every organisation
    without its own, and counts mailboxes written straight into
    PostgreSQL (intake_window 0) at once."""
    psql("DELETE FROM replies; DELETE FROM mailboxes")
    SRV.stop()
    SRV.start("--quota_mailboxes", "1", "--intake_window", "0")
    try:
        a, b = os.urandom(32).hex(), os.urandom(32).hex()
        st1, _ = mailbox_new({"id": a, "org": "beta"})
        st2, body = mailbox_new({"id": b, "org": "beta"})
        R.check("quota_mailboxes 1, no spool: the second gets 507 org_full",
                st1 == 201 and st2 == 507 and
                json.loads(body)["error"] == "org_full", (st1, st2, body))
        R.check("the first stored with its organisation, the second not",
                stored_org(a) == "beta" and stored_org(b) is None,
                (stored_org(a), stored_org(b)))
        R.check("sync says quota.mailboxes 1",
                sync("beta")["quota"].get("mailboxes") == 1)
        R.check("without a spool the insert's own transaction folds the "
                "count: beta 1, no delta left over",
                psql("SELECT count(*) FROM mailbox_count_deltas") == "0" and
                psql("SELECT n FROM mailbox_counts c JOIN orgs o ON "
                     "o.id = c.org_id WHERE o.slug = 'beta'") == "1")
    finally:
        SRV.stop()
        SRV.start()


def test_mailbox_quota_counts_the_spool():
    """A mailbox still in the spool counts against the quota, and is not
    in sync's pending.mailboxes (as a report in the spool is not in
    pending.count): polling with a token cannot time registrations."""
    SRV.stop()
    SRV.start("--intake_window", "86400")
    try:
        def status():
            st, _, b = umbra.request(
                SRV.port, "GET", "/api/v1/sync/reports?limit=1",
                headers={"Authorization": "Bearer " + TOKEN["alpha"]})
            assert st == 200, (st, b)
            return json.loads(b)
        end = time.time() + 10
        while status()["pending"].get("mailboxes") is None and \
                time.time() < end:
            time.sleep(0.2)
        before = status()["pending"]["mailboxes"]
        rc, out, err = admin("org", "set", "alpha", "--max-mailboxes",
                             str(before + 1))
        end = time.time() + 10
        while status()["quota"].get("mailboxes") != before + 1 and \
                time.time() < end:
            time.sleep(0.3)
        st1, _ = mailbox_new({"id": os.urandom(32).hex(), "org": "alpha"})
        st2, body = mailbox_new({"id": os.urandom(32).hex(), "org": "alpha"})
        R.check("one mailbox short of the quota: the first (spooled) is "
                "taken, the second refused 507 org_full",
                rc == 0 and st1 == 201 and st2 == 507 and
                json.loads(body)["error"] == "org_full", (rc, err, st1, st2))
        p = status()["pending"]
        R.check("sync does not show the spooled mailbox",
                p["mailboxes"] == before, (before, p))
    finally:
        SRV.stop()
        SRV.start()
    spool.wait_moved()
    end = time.time() + 10
    while sync("alpha")["pending"]["mailboxes"] != before + 1 and \
            time.time() < end:
        time.sleep(0.2)
    R.check("once moved, it does",
            sync("alpha")["pending"]["mailboxes"] == before + 1)
    rc, out, err = admin("org", "set", "alpha", "--max-mailboxes", "default")
    R.check("and alpha back to the server's quota", rc == 0, err)


def test_org_set_refusals():
    for args, want_rc, want in (
            (["org", "set", "alpha"], 2, "usage"),
            (["org", "set", "alpha", "--max-reports", "0"], 2,
             "--max-reports takes a number"),
            (["org", "set", "alpha", "--max-bytes", "12x"], 2,
             "--max-bytes takes a number"),
            (["org", "set", "alpha", "--max-mailboxes", "0"], 2,
             "--max-mailboxes takes a number"),
            (["org", "set", "nosuch", "--max-reports", "5"], 1,
             "no organisation 'nosuch'")):
        rc, out, err = admin(*args)
        R.check("%s: exit %d, says %r" % (" ".join(args), want_rc, want),
                rc == want_rc and want in err, (rc, out, err))


def test_landing_links():
    st, _, body = umbra.request(SRV.port, "GET", "/?lang=en")
    page = body.decode()
    R.check("the landing list links to each organisation's report page",
            st == 200 and all('href="/report?org=%s&amp;lang=en"' % o in page
                              for o in ("alpha", "beta")), page[-3000:])
    st, _, body = umbra.request(SRV.port, "GET", "/report?org=beta&lang=en")
    R.check("which opens with that organisation chosen",
            st == 200 and b'value="beta" required checked' in body)


def test_spool_bound():
    """spool_max_bytes: once the spool holds that much (the mover behind),
    intake answers 503 busy with Retry-After and stores nothing; once it
    is moved, reports are taken again."""
    drain("alpha")
    SRV.stop()
    SRV.start("--intake_window", "86400", "--spool_max_bytes", "4096")
    try:
        env = seal("alpha", b"bound")
        st1, _ = post("alpha", env)
        st, h, body = umbra.request(
            SRV.port, "POST", "/api/v1/orgs/alpha/reports", env,
            {"Content-Type": "application/octet-stream"})
        R.check("past spool_max_bytes: 503 busy with Retry-After",
                st1 == 201 and st == 503 and
                json.loads(body)["error"] == "busy" and
                h.get("retry-after"), (st1, st, body))
        held = spool.sizes(os.environ["UMBRA_SPOOL"])
        R.check("and nothing more was spooled",
                len(spool.records(os.path.join(os.environ["UMBRA_SPOOL"],
                                               "spool-a"))) +
                len(spool.records(os.path.join(os.environ["UMBRA_SPOOL"],
                                               "spool-b"))) == 1, held)
    finally:
        SRV.stop()
    # the same bound, the window back to 1 s: the mover catches up
    SRV.start("--spool_max_bytes", "4096")
    try:
        spool.wait_moved()
        st, _ = post("alpha", env)
        R.check("once moved, intake takes reports again", st == 201, st)
        drain("alpha")
    finally:
        SRV.stop()
        SRV.start()


def main():
    SRV.start()
    try:
        R.each([test_org_quota, test_mailbox_quota,
                test_mailbox_quota_server_default,
                test_mailbox_quota_counts_the_spool, test_org_set_refusals,
                test_landing_links, test_spool_bound])
    finally:
        R.check("the server stops cleanly", SRV.stop() == 0)


if __name__ == "__main__":
    R.run(main)
