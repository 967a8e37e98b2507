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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import spool  # noqa: E402
import umbra  # noqa: E402
from umbra_env import CASE, CONF, D, SERVER  # noqa: E402

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


def test_org_set_refusals():
    for args, want_rc, want in (
            (["org", "set", "alpha"], 2, "usage"),
            (["org", "set", "alpha", "--max-reports", "0"], 2,
             "--max-reports takes a number"),
            (["org", "set", "alpha", "--max-bytes", "12x"], 2,
             "--max-bytes takes a number"),
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
        R.each([test_org_quota, test_org_set_refusals, test_landing_links,
                test_spool_bound])
    finally:
        R.check("the server stops cleanly", SRV.stop() == 0)


if __name__ == "__main__":
    R.run(main)
