#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""A hostile server against `umbra-case pull` (test-hostile-server): the
server is in the adversary's hands (seized, or its operator compelled),
and answers the caseworker's online step with whatever hurts most. A fake
server (stdlib http.server on 127.0.0.1) plays each trick; pull must end
within a bound, never crash, refuse what it should (exit 1 with a
message), and leave a bundle that `import` still takes.

  stuck      'more: true' for ever with a page of reports already pulled
             (the cursor never advances)
  bomb       a gzip answer that inflates past the 64 MiB cap
  deep       JSON nested 100,000 deep
  entries    malformed report entries (bad id, day, base64, huge id)
  types      a page with the wrong types
  swapped    the organisation's key bundle swapped for another one
  garbage    200 with a body that is not JSON

Then the cursor (item 5 of issue 11), against the real umbra-server:
  maxid      one answer carrying id 9223372036854775807, then the honest
             server with new reports: they must be pulled, none twice
  restored   the server's database restored from a backup (its envelopes
             and id sequence behind this home's cursor, new reports given
             ids this home already holds): they must be pulled, none twice
  quota      at 80 % of quota_reports pull warns in one line
and what pull shows a live hostile server (item 10): the public bundle is
asked for without the token, with a browser's User-Agent, on a connection
of its own; the plain-http warning is not fooled by 'http://evil/.onion'
or 'http://127.0.0.1.evil'. And a bundle whose ids repeat (item 13).
"""
import base64
import gzip
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import spool  # noqa: E402
from common import (CASE, D, Results, Server, case,  # noqa: E402
                    list_cases, psql, report_doc, request, seal)

R = Results()
HOME = os.path.join(D, "alpha")
TOKF = os.path.join(D, "alpha.token")
# seconds a pull may take against any trick; inflating the 64 MiB bomb
# takes 2 s on a busy machine, and three times as long under ASan
BOUND = 30 if os.environ.get("SAN") or "/asan/" in CASE else 10
ENV = seal(report_doc("hostile server test report"))
PUB = json.load(open(os.path.join(HOME, "public.json")))
OTHER = json.load(open(os.path.join(D, "beta", "public.json")))
BOMB = gzip.compress(b" " * (80 << 20), 9)


def entry(i, env=ENV, day="2026-11-29"):
    return {"id": str(i), "day": day,
            "envelope": base64.b64encode(env).decode()}


def page(reports, more=False, org="alpha"):
    return {"org": org, "reports": reports,
            "next": reports[-1]["id"] if reports else "0", "more": more}


class State:
    trick = None
    calls = 0
    seen = []  # (path, client port, headers) of each request


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real server

    def log_message(self, *a):
        pass

    def send(self, status, body, headers=()):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass

    def do_GET(self):
        State.calls += 1
        State.seen.append((self.path, self.client_address[1],
                           {k.lower(): v for k, v in self.headers.items()}))
        t = State.trick
        if self.path.startswith("/api/v1/orgs/"):
            bundle = OTHER if t == "swapped" else PUB
            return self.send(200, {"slug": "alpha", "name": "Org alpha",
                                   "fingerprint": "x", "bundle": bundle})
        if not self.path.startswith("/api/v1/sync/reports"):
            return self.send(404, {"error": "not_found"})
        if t == "stuck":
            return self.send(200, page([entry(1)], more=True))
        if t == "bomb":
            return self.send(200, BOMB, [("Content-Encoding", "gzip")])
        if t == "deep":
            return self.send(200, b"[" * 100000 + b"]" * 100000)
        if t == "entries":
            return self.send(200, page([
                entry(1), {"id": "-3", "day": "2026-11-29", "envelope": ""},
                {"id": "9" * 40, "day": "x", "envelope": "!!"},
                {"id": "5", "day": "2026-11-29", "envelope": "@@@"}]))
        if t == "types":
            return self.send(200, {"org": 7, "reports": {"a": 1},
                                   "more": "yes"})
        if t == "garbage":
            return self.send(200, b"\x00\xff not json")
        if t == "maxid":
            return self.send(200, page([entry(9223372036854775807,
                                              env=MAXID_ENV)]))
        return self.send(200, page([entry(1), entry(2)]))


WRONG = b"does not match this bundle's cursor"
MAXID_ENV = seal(report_doc("sent by the hostile server under id 2^63-1"))


REAL = set()  # the real server's URL: its reports arrive with the spool


def pull(url, out, *extra):
    if url in REAL:
        spool.wait_moved()  # what was posted so far has reached the tables
    t0 = time.monotonic()
    try:
        r = subprocess.run([CASE, "--home", HOME, "pull", "--server", url,
                            "--token-file", TOKF, "--out", out, *extra],
                           capture_output=True, timeout=BOUND)
        return r.returncode, r.stdout + r.stderr, time.monotonic() - t0
    except subprocess.TimeoutExpired as e:
        return "timeout", (e.stdout or b"") + (e.stderr or b""), BOUND


class Quiet(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # pull hanging up on a trick is expected


def main():
    srv = Quiet(("127.0.0.1", 0), Handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d" % srv.server_address[1]
    # Control: the honest fake works.
    State.trick = None
    out = os.path.join(D, "honest.umbrabundle")
    rc, msg, secs = pull(url, out)
    R.check("control: pull from the honest fake server", rc == 0 and
            b"Pulled 2 new" in msg, (rc, msg[-300:]))
    for trick in ("stuck", "bomb", "deep", "entries", "types", "swapped",
                  "garbage"):
        State.trick = trick
        State.calls = 0
        out = os.path.join(D, "hostile-%s.umbrabundle" % trick)
        rc, msg, secs = pull(url, out)
        print("figures: %s: exit %s after %.1f s and %d requests: %s" % (
            trick, rc, secs, State.calls,
            msg.decode("utf-8", "replace").strip().splitlines()[-1:]
            if msg else ""), flush=True)
        R.check("%s: pull ends within %d s" % (trick, BOUND),
                rc != "timeout", "%d requests" % State.calls)
        R.check("%s: pull does not crash" % trick,
                rc == "timeout" or rc >= 0, rc)
        if trick != "stuck":
            R.check("%s: pull refuses (exit 1 with a message)" % trick,
                    rc == 1 and msg.strip(), (rc, msg[-300:]))
        if os.path.exists(out):
            r = subprocess.run([CASE, "--home", HOME, "--passphrase-file",
                                os.path.join(D, "passphrase"), "import", out],
                               capture_output=True, timeout=120)
            R.check("%s: import takes what was pulled" % trick,
                    r.returncode == 0, r.stderr[-300:])
    public_requests(url)
    plain_http_warning()
    repeated_ids(url)
    cursor(url)
    srv.shutdown()


def public_requests(url):
    """Item 10: a live hostile server must not tell pull from a browser on
    the public bundle route."""
    State.trick = None
    State.seen = []
    rc, msg, _ = pull(url, os.path.join(D, "headers.umbrabundle"))
    orgs = [x for x in State.seen if x[0].startswith("/api/v1/orgs/")]
    sync = [x for x in State.seen if x[0].startswith("/api/v1/sync/")]
    R.check("public bundle: pull asks for it and then syncs",
            rc == 0 and orgs and sync, (rc, msg[-300:], State.seen))
    if not (orgs and sync):
        return
    h = orgs[0][2]
    R.check("public bundle: no token sent", "authorization" not in h, h)
    ua = h.get("user-agent", "")
    R.check("public bundle: a browser's User-Agent, not umbra-case's or "
            "curl's", ua.startswith("Mozilla/5.0") and "umbra" not in
            ua.lower() and "curl" not in ua.lower(), ua)
    R.check("public bundle: on a connection of its own (not reused for "
            "sync)", orgs[0][1] not in [x[1] for x in sync],
            (orgs[0][1], [x[1] for x in sync]))
    R.check("sync requests still carry the token",
            all("authorization" in x[2] for x in sync))


def plain_http_warning():
    """Item 10: only a real onion host or a loopback address is exempt from
    the plain-http token warning. A SOCKS proxy on a closed port makes
    each pull fail at once, after net_init has decided."""
    for url, warn in (("http://evil/.onion", True),
                      ("http://127.0.0.1.evil", True),
                      ("http://evil.example/x.onion/", True),
                      ("http://user@127.0.0.1.evil:80/", True),
                      ("http://abcdefghij.onion", False),
                      ("http://127.0.0.2:1", False),
                      ("http://localhost:1/", False),
                      ("http://[::1]:1", False)):
        rc, msg, _ = pull(url, os.path.join(D, "warn.umbrabundle"),
                          "--proxy", "socks5h://127.0.0.1:1")
        R.check("plain-http warning %s for %s" % (
            "given" if warn else "not given", url),
            (b"is plain http" in msg) == warn and rc == 1,
            (rc, msg[-300:]))


def record(rid, env, day=b"2026-11-29"):
    """One bundle record (protocol section 8)."""
    i = str(rid).encode()
    body = (b"R" + bytes([len(i)]) + i + day + len(env).to_bytes(4, "little")
            + env)
    return body + hashlib.blake2b(body, digest_size=16).digest()


def repeated_ids(url):
    """Item 13: a bundle whose records repeat an id (1, 1, 2), as a file
    changed by other hands on a USB stick: import takes the records before
    the repeat and says so; pull will not append to it."""
    path = os.path.join(D, "repeat.umbrabundle")
    envs = [seal(report_doc("repeat %d" % i)) for i in range(3)]
    with open(path, "wb") as f:
        f.write(b"UMBRABDL\x01\x05\x00\x00alpha" + record(101, envs[0]) +
                record(101, envs[1]) + record(102, envs[2]))
    r = case(HOME, "import", path)
    tags = [c.get("summary", "") for c in list_cases(HOME)]
    R.check("ids 1, 1, 2: import says the bundle was changed by other hands",
            r.returncode == 1 and b"changed by other hands" in r.stderr,
            (r.returncode, r.stdout, r.stderr))
    R.check("ids 1, 1, 2: the record before the repeat is imported, none "
            "after", tags.count("repeat 0") == 1 and "repeat 1" not in tags
            and "repeat 2" not in tags, tags)
    size = os.path.getsize(path)
    State.trick = None
    rc, msg, _ = pull(url, path)
    R.check("ids 1, 1, 2: pull refuses to append to it and cuts nothing",
            rc == 1 and b"not written by pull alone" in msg and
            os.path.getsize(path) == size, (rc, msg[-300:]))


def submit(port, n, tag):
    """n new reports to the real server; their envelopes."""
    envs = []
    for i in range(n):
        env = seal(report_doc("%s %d" % (tag, i)))
        st, _, body = request(port, "POST", "/api/v1/orgs/alpha/reports",
                              env, {"Content-Type":
                                    "application/octet-stream"})
        if st not in (200, 201, 202):
            raise RuntimeError("submit: %s %r" % (st, body[:200]))
        envs.append(env)
    spool.wait_moved()  # in the tables, where sync and pull read
    return envs


def bundle_envelopes(path):
    """(id, envelope) of each record of a bundle file (protocol §8)."""
    out = []
    with open(path, "rb") as f:
        data = f.read()
    pos = 12 + data[9]
    while pos < len(data):
        k = data[pos + 1]
        rid = int(data[pos + 2:pos + 2 + k])
        p = pos + 2 + k + 10
        ln = int.from_bytes(data[p:p + 4], "little")
        out.append((rid, data[p + 4:p + 4 + ln]))
        pos = p + 4 + ln + 16
    return out


def all_pulled(out):
    """Envelopes of the bundle and of those pull set aside beside it."""
    envs = [e for _, e in bundle_envelopes(out)] if os.path.exists(out) \
        else []
    k = 1
    while os.path.exists("%s.%d" % (out, k)):
        envs += [e for _, e in bundle_envelopes("%s.%d" % (out, k))]
        k += 1
    return envs


def cursor(fake_url):
    """Item 5: the bundle is its own cursor; a false id or a restored
    backup must not blind pull for good."""
    srv = Server(log=os.path.join(D, "server-cursor.log"),
                 extra=("--quota_reports", "10"))
    srv.start()
    real = srv.url()
    REAL.add(real)
    out = os.path.join(D, "cursor.umbrabundle")
    sent = submit(srv.port, 2, "before the hostile answer")
    rc, msg, _ = pull(real, out)
    R.check("cursor: first pull from the real server", rc == 0 and
            b"Pulled 2 new" in msg, (rc, msg[-300:]))
    R.check("cursor: no quota warning at 20 %", b"quota" not in msg,
            msg[-300:])
    tok = open(TOKF).read().strip()
    auth = {"Authorization": "Bearer " + tok}
    st, _, body = request(srv.port, "GET", "/api/v1/sync/reports?after=1&"
                          "check=1", headers=auth)
    j = json.loads(body) if st == 200 else {}
    R.check("status: pending, quota and held (ids up to after) reported",
            j.get("pending", {}).get("count") == 2 and
            j.get("pending", {}).get("max_id") == "2" and
            j.get("quota") == {"reports": 10, "bytes": 1 << 30,
                               "mailboxes": 20000, "alerts": 500} and
            j.get("pending", {}).get("alerts") == 0 and
            [h["id"] for h in j.get("held", [])] == ["1"] and
            # (the spool's move gives ids in no arrival order)
            j["held"][0]["sha256"] in {hashlib.sha256(e).hexdigest()
                                       for e in sent},
            (st, body[:400]))
    for q in ("check=2", "check=x", "check=-1"):
        st, _, body = request(srv.port, "GET", "/api/v1/sync/reports?" + q,
                              headers=auth)
        R.check("status: %s is 400 bad_query" % q, st == 400 and
                json.loads(body).get("error") == "bad_query", (st, body))
    # A hostile answer (a seized server, a man in the middle) with id
    # 2^63-1 ...
    State.trick = "maxid"
    rc, msg, _ = pull(fake_url, out)
    R.check("maxid: the hostile answer is taken into the bundle",
            rc == 0 and b"Pulled 1 new" in msg, (rc, msg[-300:]))
    # ... then the honest server with new reports.
    sent += submit(srv.port, 2, "after the hostile answer")
    rc, msg, _ = pull(real, out)
    print("figures: maxid: %s" % msg.decode("utf-8", "replace").strip()
          .replace("\n", " | "), flush=True)
    R.check("maxid: the honest server's new reports are pulled",
            rc == 0 and b"Pulled 2 new" in msg, (rc, msg[-400:]))
    R.check("maxid: pull says in one line that the cursor was wrong",
            len([ln for ln in msg.splitlines() if WRONG in ln]) == 1,
            msg[-400:])
    got = all_pulled(out)
    R.check("maxid: every report pulled exactly once",
            all(got.count(e) == 1 for e in sent) and len(got) == 5,
            (len(got), [got.count(e) for e in sent]))
    rc2, msg2, _ = pull(real, out)
    R.check("maxid: the next pull finds nothing new and no wrong cursor",
            rc2 == 0 and b"Pulled 0 new" in msg2 and WRONG not in msg2,
            (rc2, msg2[-300:]))

    # A backup restored: the server's envelopes and id sequence go back to
    # where they were after the first two reports; new reports then get
    # ids this home already holds.
    keep = psql("SELECT min(id) + 1 FROM envelopes").strip()
    psql("DELETE FROM envelopes WHERE id > %s" % keep)
    psql("SELECT setval('envelopes_id_seq', %s)" % keep)
    new = submit(srv.port, 3, "after the restore")
    ids = psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM "
               "envelopes").strip()
    rc, msg, _ = pull(real, out)
    print("figures: restored (server ids %s): %s" % (
        ids, msg.decode("utf-8", "replace").strip().replace("\n", " | ")),
        flush=True)
    R.check("restored: the new reports are pulled",
            rc == 0 and b"Pulled 3 new" in msg, (rc, msg[-400:]))
    got = all_pulled(out)
    R.check("restored: none pulled twice, none lost",
            all(got.count(e) == 1 for e in sent + new) and len(got) == 8,
            (len(got), [got.count(e) for e in sent + new]))
    R.check("restored: pull says in one line that the cursor was wrong",
            len([ln for ln in msg.splitlines() if WRONG in ln]) == 1,
            msg[-400:])
    rc2, msg2, _ = pull(real, out)
    R.check("restored: the next pull finds nothing new and no wrong "
            "cursor", rc2 == 0 and b"Pulled 0 new" in msg2 and
            WRONG not in msg2, (rc2, msg2[-300:]))

    # Import what was pulled, the bundles set aside first: every report a
    # case exactly once, even those under ids given out twice; then ack
    # empties the server.
    for f in ("%s.1" % out, "%s.2" % out, out):
        r = case(HOME, "import", f)
        R.check("restored: import %s" % os.path.basename(f),
                r.returncode == 0, r.stderr[-300:])
    tags = [c.get("summary", "") for c in list_cases(HOME)]
    want = ["%s %d" % (t, i) for t, n in (("before the hostile answer", 2),
                                          ("after the hostile answer", 2),
                                          ("after the restore", 3))
            for i in range(n)]
    R.check("restored: each report a case exactly once (ids 3 and 4 "
            "given out twice)", all(tags.count(w) == 1 for w in want),
            [(w, tags.count(w)) for w in want])
    r = case(HOME, "ack", "--server", real, "--token-file", TOKF)
    held = psql("SELECT count(*) FROM envelopes").strip()
    R.check("restored: ack deletes every pulled report from the server",
            r.returncode == 0 and held == "0", (r.stdout, r.stderr, held))
    submit(srv.port, 5, "waiting")

    # Quota: 10 reports; the server now holds 5 (50 %), then 8 (80 %).
    rc, msg, _ = pull(real, out)
    R.check("quota: no warning at 50 %", rc == 0 and b"quota" not in msg,
            msg[-300:])
    submit(srv.port, 3, "towards the quota")
    rc, msg, _ = pull(real, out)
    R.check("quota: one warning line at 80 %", rc == 0 and len(
        [ln for ln in msg.splitlines() if b"quota" in ln]) == 1,
        (rc, msg[-400:]))
    # Reports left on the server below the cursor (not for this home, so
    # never acked) while the highest was acked: not a wrong cursor.
    psql("DELETE FROM envelopes WHERE id = (SELECT max(id) FROM envelopes)")
    rc, msg, _ = pull(real, out)
    R.check("left below the cursor: no wrong-cursor warning",
            rc == 0 and b"Pulled 0 new" in msg and WRONG not in msg,
            (rc, msg[-400:]))
    srv.stop()


if __name__ == "__main__":
    R.run(main)
