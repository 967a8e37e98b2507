#!/usr/bin/python3
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
"""
import base64
import gzip
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CASE, D, Results, report_doc, seal  # noqa: E402

R = Results()
HOME = os.path.join(D, "alpha")
TOKF = os.path.join(D, "alpha.token")
BOUND = 10  # seconds a pull may take against any trick
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


class Handler(BaseHTTPRequestHandler):
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
        return self.send(200, page([entry(1), entry(2)]))


def pull(url, out):
    t0 = time.monotonic()
    try:
        r = subprocess.run([CASE, "--home", HOME, "pull", "--server", url,
                            "--token-file", TOKF, "--out", out],
                           capture_output=True, timeout=BOUND)
        return r.returncode, r.stdout + r.stderr, time.monotonic() - t0
    except subprocess.TimeoutExpired as e:
        return "timeout", (e.stdout or b"") + (e.stderr or b""), BOUND


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
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
    srv.shutdown()


if __name__ == "__main__":
    R.run(main)
