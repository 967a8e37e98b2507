# SPDX-License-Identifier: AGPL-3.0-or-later
"""What the desk's tests share: a scratch home with test reports
imported (a plain one with a mailbox, a hostile one, one quarantined for
its 10 MB narrative) and a bundle left for the desk's own import (a new
report and a follow-up from the plain report's reporter, its proof made
by tests/vectors/pyumbra.py), starting a desk and reading its first line,
and plain HTTP requests with any Host, cookie and headers.

    desk_lib.py prepare DIR    makes a home in DIR and prints its facts
                               as JSON (the Chromium test uses it)
"""
import atexit
import base64
import http.client
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "vectors"))
from case_lib import CASE, Home, report, write_bundle  # noqa: E402
import nacl.bindings as nb  # noqa: E402
import pyumbra  # noqa: E402

FOLLOW_UP = "I am safe now, thank you. He has not come back."

CANARY = "CANARY-desk-5b1e-MARIGOLD"
# A real 1x1 PNG, and bytes that claim to be one.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9Q"
    "DwADhgGAWjR9awAAAABJRU5ErkJggg==")
HOSTILE = ("<script>document.title='pwned'</script>"
           "<style>body{display:none}</style>"
           "<a href=\"javascript:alert(1)\">click</a>"
           "<img src=x onerror=alert(2)>"
           "\u202egnp.exe\u202c \u2066isolated\u2069 \x1b[31mred")


def mailbox():
    return {"mailbox": base64.b64encode(os.urandom(32)).decode(),
            "mailbox_id": os.urandom(32).hex()}


def prepare(parent):
    """A home in parent with three reports imported; a dict of facts."""
    os.makedirs(parent, exist_ok=True)
    h = Home(parent)
    pk, sk = nb.crypto_box_keypair()
    mid = os.urandom(32)
    box = {"mailbox": base64.b64encode(pk).decode(),
           "mailbox_id": mid.hex()}
    plain = report("The manager kept my pay for three weeks. " + CANARY,
                   **box)
    hostile = report(HOSTILE, perpetrator={"type": "other",
                                           "description": HOSTILE},
                     attachments=[
                         {"name": "photo.png", "type": "image/png",
                          "data": base64.b64encode(PNG).decode()},
                         {"name": "evil.png", "type": "image/png",
                          "data": base64.b64encode(
                              b"<svg onload=alert(3)>not a png</svg>")
                          .decode()}])
    huge = report("A" * (10 * 1024 * 1024))
    recs = [("101", "2026-11-20", h.seal(plain)),
            ("102", "2026-11-21", h.seal(hostile)),
            ("103", "2026-11-22", h.seal(huge))]
    b = os.path.join(parent, "in.umbrabundle")
    write_bundle(b, h.slug, recs)
    r = h.run("import", b)
    assert r.returncode == 0, r.stderr
    os.unlink(b)
    # one more, left on the "USB stick" for the desk's own import
    more = os.path.join(parent, "usb.umbrabundle")
    org = base64.b64decode(json.load(open(h.public))["keys"][0]["x25519"])
    proof = pyumbra.followup_proof(org, sk, mid, FOLLOW_UP.encode())
    follow = json.dumps({"schema": "umbra.report/1", "lang": "en",
                         "via": "web", "narrative": FOLLOW_UP,
                         "follow_up": {"proof": base64.b64encode(proof)
                                       .decode()}, **box}).encode()
    write_bundle(more, h.slug, [("104", "2026-11-23", h.seal(
        report("They took my phone at the checkpoint.", **mailbox()))),
        ("105", "2026-11-24", h.seal(follow))])
    return {"home": h.dir, "pwfile": h.pwfile, "usb": more,
            "passphrase": open(h.pwfile).read().rstrip("\n"),
            "plain": 1, "hostile": 2, "case": CASE, "canary": CANARY,
            "follow_up": FOLLOW_UP}


STARTED = []


@atexit.register
def _stop_all():
    """Whatever a test did, no desk outlives it."""
    for p in STARTED:
        if p.poll() is None:
            p.kill()
            p.wait()


class Desk:
    """A running `umbra-case desk --no-browser` on home; .url is its
    first line, .base the address without the secret."""

    def __init__(self, home, env=None, args=("--no-browser",)):
        e = dict(os.environ)
        e.pop("UMBRA_PASSPHRASE_FILE", None)
        # English unless a test asks (the desk follows the locale)
        e.update({"LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"})
        e.update(env or {})
        self.p = subprocess.Popen([CASE, "--home", home, "desk"] + list(args),
                                  stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=e)
        STARTED.append(self.p)
        self.url = self.p.stdout.readline().decode().strip()
        m = re.match(r"^(http://127\.0\.0\.1:(\d+))/open\?s=([0-9a-f]{64})$",
                     self.url)
        self.ok = m is not None
        if m:
            self.base, self.port, self.secret = m.group(1), int(m.group(2)), \
                m.group(3)
        self.cookie = None

    def request(self, method, path, host=None, cookie=None, body=None,
                headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = {"Host": host or "127.0.0.1:%d" % self.port}
        if cookie:
            h["Cookie"] = cookie
        if isinstance(body, str):
            body = body.encode()
        if body is not None:
            h["Content-Type"] = "application/x-www-form-urlencoded"
            h["Content-Length"] = str(len(body))
        h.update(headers or {})
        c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in h.items():
            c.putheader(k, v)
        c.endheaders(body)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), \
            data

    def login(self):
        s, h, _ = self.request("GET", "/open?s=" + self.secret)
        m = re.match(r"([^=;]+=[0-9a-f]{64})", h.get("set-cookie", ""))
        self.cookie = m.group(1) if m else None
        return s, h

    def csrf(self):
        _, _, page = self.request("GET", "/", cookie=self.cookie)
        m = re.search(rb'name="csrf" value="([0-9a-f]{64})"', page)
        return m.group(1).decode() if m else ""

    def stop(self, sig=2):
        if self.p.poll() is None:
            self.p.send_signal(sig)
        try:
            rc = self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
        self.p.stdout.close()
        self.err = self.p.stderr.read().decode()
        self.p.stderr.close()
        return rc


if __name__ == "__main__" and sys.argv[1:2] == ["prepare"]:
    os.makedirs(sys.argv[2], exist_ok=True)
    print(json.dumps(prepare(sys.argv[2])))
