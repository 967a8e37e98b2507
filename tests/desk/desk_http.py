#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""umbra-case desk over plain HTTP: the attacks of issue 14 item 2 —
another Host (DNS rebinding), no session, a wrong or spent secret, a
stolen cookie without the CSRF token, a form from another origin, another
local user's process with the port but not the secret, a hostile report,
the idle lock, two desks on one home, stopping on SIGHUP and SIGINT — and
what a caseworker's changes leave in the store; then the conversation and
the reply templates (issue 14, items 2 and 3): follow-ups built as
tests/integration/case_conv.py builds them (the proof by
tests/vectors/pyumbra.py, with PyNaCl), the inbox's unread marks and
filter, the case's messages in order (a hostile one inert, an unverified
one marked), a Thai template filled, edited and queued, and the sealed
reply opened with the mailbox's key to read its lang. Ends with
"N passed, N failed"."""
import base64
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from desk_lib import CANARY, HOSTILE, Desk, prepare  # noqa: E402
from umbra import Results, grep_tree  # noqa: E402
from case_lib import Home, tmpdir, write_bundle  # noqa: E402
sys.path.insert(0, os.path.join(HERE, "..", "vectors"))
import nacl.bindings as nb  # noqa: E402
import pyumbra  # noqa: E402

T = Results()
TMP = tmpdir()
F = prepare(os.path.join(TMP, "a"))
HOME = F["home"]


def form(**kw):
    return urllib.parse.urlencode(kw)


def show(case_id):
    r = subprocess.run([F["case"], "--home", HOME, "--passphrase-file",
                        F["pwfile"], "show", str(case_id), "--json"],
                       capture_output=True, timeout=60)
    return json.loads(r.stdout) if r.returncode == 0 else {}


def seal(data):
    r = subprocess.run([F["case"], "seal", "--to",
                        os.path.join(HOME, "public.json")], input=data,
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout


def listening_on_loopback_only(port):
    hexport = ":%04X" % port
    rows = []
    for f in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows += [l.split() for l in open(f).read().splitlines()[1:]]
        except OSError:
            pass
    mine = [r for r in rows if r[1].endswith(hexport) and r[3] == "0A"]
    return len(mine) == 1 and mine[0][1] == "0100007F" + hexport


def usage():
    def run(*args):
        return subprocess.run([F["case"], "--home", HOME] + list(args),
                              capture_output=True, timeout=30)
    r = run("desk", "--help")
    T.check("desk --help exits 0 with its usage", r.returncode == 0 and
            r.stdout.startswith(b"usage: umbra-case [--home DIR] desk"))
    for args, want in [(["--port", "0"], b"--port needs a port number"),
                       (["--port", "x"], b"--port needs a port number"),
                       (["--lang", "xx"], b"the desk has no language 'xx'"),
                       (["--bogus"], b"unknown option '--bogus' for desk")]:
        r = run("desk", *args)
        T.check("desk %s: exit 2 saying why" % " ".join(args),
                r.returncode == 2 and r.stderr.splitlines()[0].startswith(
                    b"umbra-case: " + want) and r.stdout == b"",
                r.stderr[:200])
    for env, want in [("th_TH.UTF-8", b'lang="th" dir="ltr"'),
                      ("pt_BR.UTF-8", b'lang="pt-BR"'),
                      ("ar_EG.UTF-8", b'lang="ar" dir="rtl"'),
                      ("de_DE.UTF-8", b'lang="en"')]:
        d = Desk(HOME, env={"LANG": env, "LC_ALL": ""})
        d.login()
        _, _, page = d.request("GET", "/", cookie=d.cookie)
        d.stop()
        T.check("LANG=%s: the desk starts in %s" % (env, want.decode()),
                want in page, page[:200])
    r = subprocess.run([F["case"], "--home", os.path.join(TMP, "nohome"),
                        "desk", "--no-browser"], capture_output=True,
                       timeout=30)
    T.check("a desk on a folder that is no home: exit 1, nothing served",
            r.returncode == 1 and b"no key file" in r.stderr and
            r.stdout == b"", r.stderr)


def main():
    usage()
    d = Desk(HOME)
    T.check("the first line is the address with a one-time secret",
            d.ok, d.url)
    if not d.ok:
        return
    T.check("the desk listens on 127.0.0.1 only",
            listening_on_loopback_only(d.port))

    # -- before the session ---------------------------------------------
    s, _, body = d.request("GET", "/")
    T.check("no session: 403 no_session", s == 403 and
            body.startswith(b"no_session"), (s, body))
    s, _, body = d.request("GET", "/open?s=" + "0" * 64)
    T.check("a wrong secret: 403", s == 403 and b"bad_secret" in body, s)
    s, _, body = d.request("GET", "/open?s=" + d.secret,
                           host="evil.example")
    T.check("Host: evil.example with the secret: 421 bad_host",
            s == 421 and body.startswith(b"bad_host"), (s, body))
    s, _, _ = d.request("GET", "/open?s=" + d.secret,
                        host="localhost:%d" % d.port)
    T.check("Host: localhost:PORT is refused too (421)", s == 421, s)

    # another local user's process: the port, not the secret
    other = None
    if os.geteuid() == 0:
        code = ("import http.client,sys;c=http.client.HTTPConnection("
                "'127.0.0.1',%d,timeout=10);c.request('GET','/');"
                "r=c.getresponse();print(r.status);"
                "c=http.client.HTTPConnection('127.0.0.1',%d,timeout=10);"
                "c.request('POST','/unlock',body='passphrase=x',headers="
                "{'Content-Type':'application/x-www-form-urlencoded'});"
                "print(c.getresponse().status)") % (d.port, d.port)
        other = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
             "/usr/bin/python3", "-c", code], capture_output=True,
            timeout=30, cwd="/")
        T.check("another user's process (uid 65534) reaches the port but "
                "is refused: 403 for GET and POST",
                other.returncode == 0 and other.stdout.split() ==
                [b"403", b"403"], (other.stdout, other.stderr))
    else:
        s, _, _ = d.request("GET", "/case?id=1")
        T.check("another process without the secret is refused (403)",
                s == 403, s)

    # -- the session ----------------------------------------------------
    s, h = d.login()
    cookie = h.get("set-cookie", "")
    T.check("the secret gets a 303 to / and a session cookie",
            s == 303 and h.get("location") == "/" and d.cookie, (s, h))
    T.check("the cookie is HttpOnly and SameSite=Strict",
            "HttpOnly" in cookie and "SameSite=Strict" in cookie, cookie)
    s, _, _ = d.request("GET", "/open?s=" + d.secret)
    T.check("the secret works once only (403 the second time)", s == 403, s)
    s, h, body = d.request("GET", "/", cookie=d.cookie)
    T.check("with the session: the unlock page", s == 200 and
            b'name="passphrase"' in body, s)
    csp = h.get("content-security-policy", "")
    T.check("strict CSP: default-src 'none', no script, frame-ancestors "
            "'none'", "default-src 'none'" in csp and "script-src" not in
            csp and "frame-ancestors 'none'" in csp, csp)
    T.check("no-store, nosniff, no referrer to other sites",
            h.get("cache-control") == "no-store" and
            h.get("x-content-type-options") == "nosniff" and
            h.get("referrer-policy") == "same-origin", h)
    T.check("the pages load nothing from another host",
            not re.search(rb'(src|href|action)="(https?:)?//', body), body)
    s, _, _ = d.request("GET", "/", host="evil.example", cookie=d.cookie)
    T.check("the session cookie under Host: evil.example: 421", s == 421, s)
    csrf = d.csrf()
    T.check("the pages carry a CSRF token", len(csrf) == 64)

    # -- unlocking --------------------------------------------------------
    s, _, body = d.request("POST", "/unlock", cookie=d.cookie,
                           body=form(passphrase=F["passphrase"]))
    T.check("the stolen cookie without the CSRF token cannot unlock (403 "
            "bad_csrf)", s == 403 and body.startswith(b"bad_csrf"), (s, body))
    s, _, _ = d.request("POST", "/unlock", cookie=d.cookie,
                        body=form(csrf="f" * 64, passphrase=F["passphrase"]))
    T.check("a wrong CSRF token: 403", s == 403, s)
    s, _, _ = d.request("POST", "/unlock", cookie=d.cookie,
                        body=form(csrf=csrf, passphrase=F["passphrase"]),
                        headers={"Origin": "http://evil.example"})
    T.check("a form posted from another origin: 403", s == 403, s)
    _, _, body = d.request("GET", "/", cookie=d.cookie)
    T.check("after the refusals the desk is still locked",
            b'name="passphrase"' in body)
    s, _, _ = d.request("POST", "/unlock", cookie=d.cookie,
                        body=form(csrf=csrf, passphrase="wrong"))
    _, _, body = d.request("GET", "/", cookie=d.cookie)
    T.check("a wrong passphrase: still locked, saying so",
            s == 303 and b'name="passphrase"' in body and
            b"did not open" in body, body[:300])
    s, _, _ = d.request("POST", "/unlock", cookie=d.cookie,
                        body=form(csrf=csrf, passphrase=F["passphrase"]),
                        headers={"Origin": d.base})
    s2, _, body = d.request("GET", "/", cookie=d.cookie)
    T.check("the right passphrase opens the inbox with its counts",
            s == 303 and s2 == 200 and b'id="count-new">2<' in body,
            body[:400])
    s, _, body = d.request("POST", "/unlock", cookie=d.cookie,
                           body="csrf=" + csrf + "&x=" + "a" * 200000)
    T.check("a body over 128 KiB: 413", s == 413, s)

    # -- a change, with and without the token -------------------------------
    s, _, _ = d.request("POST", "/triage", cookie=d.cookie,
                        body=form(id=1, status="closed"))
    T.check("triage with the cookie but no CSRF token: 403", s == 403, s)
    s, h, _ = d.request("POST", "/triage", cookie=d.cookie,
                        body=form(csrf=csrf, id=1, status="bogus"))
    T.check("an unknown status: 400, nothing stored", s == 400, s)
    s, h, _ = d.request("POST", "/triage", cookie=d.cookie,
                        body=form(csrf=csrf, id=1, status="in-progress",
                                  priority="high", label="pay",
                                  note="called the clinic"))
    T.check("triage with the token: 303 back to the case",
            s == 303 and h.get("location") == "/case?id=1", (s, h))
    s, h, _ = d.request("POST", "/reply", cookie=d.cookie,
                        body=form(csrf=csrf, id=1,
                                  message="We can help. " + CANARY))
    T.check("a reply is queued: 303", s == 303, s)
    d.stop()
    c = show(1)
    hist = " ".join(x["what"] for x in c.get("history", []))
    T.check("the store has the triage (status, priority, label, note) "
            "in the history", c.get("status") == "in-progress" and
            c.get("priority") == "high" and "pay" in c.get("labels", "") and
            "called the clinic" in hist, c)
    T.check("the refused changes left no trace (status never closed)",
            "closed" not in hist and "bogus" not in hist, hist)
    c2 = show(2)
    T.check("the other case is untouched", c2.get("status") == "new", c2)

    # -- the hostile report ---------------------------------------------------
    d = Desk(HOME, env={"UMBRA_PASSPHRASE_FILE": F["pwfile"]})
    d.login()
    s, _, page = d.request("GET", "/case?id=2", cookie=d.cookie)
    T.check("the hostile case is shown (200)", s == 200, s)
    T.check("no script, style, onerror or javascript: link survives",
            b"<script" not in page and b"<style" not in page and
            b"onerror=" not in page.replace(b"onerror=alert(2)&gt;", b"") and
            b'href="javascript' not in page, page[-3000:])
    T.check("its markup is shown as text",
            b"&lt;script&gt;" in page and b"javascript:alert(1)" in page)
    T.check("bidi controls and escapes are neutralised (no U+202E, U+2066 "
            "or ESC in the page)", "\u202e".encode() not in page and
            "\u2066".encode() not in page and b"\x1b" not in page)
    T.check("the narrative sits in an isolated, dir=auto block",
            b'class="narr" id="narrative" dir="auto"' in page)
    T.check("the PNG is shown, the fake image is not",
            page.count(b'<img class="att"') == 1 and b"Not an image" in page)
    s, h, img = d.request("GET", "/attachment?id=2&n=0", cookie=d.cookie)
    T.check("the PNG is served from memory as image/png, inline, nosniff",
            s == 200 and h.get("content-type") == "image/png" and
            h.get("content-disposition") == "inline" and
            h.get("x-content-type-options") == "nosniff" and
            img.startswith(b"\x89PNG"), (s, h))
    s, h, _ = d.request("GET", "/attachment?id=2&n=1", cookie=d.cookie)
    T.check("the attachment claiming to be a PNG is not served (404)",
            s == 404 and not h.get("content-type", "").startswith("image/"),
            (s, h))
    s, _, page = d.request("GET", "/quarantine", cookie=d.cookie)
    T.check("the 10 MB narrative is in the quarantine with its reason, "
            "its text not shown", s == 200 and b"longer than 1 MiB" in page
            and b"AAAAAAAAAA" not in page and len(page) < 20000, len(page))
    # a narrative near the most import accepts (1 MiB): 900 KiB of Arabic
    big = os.path.join(TMP, "big.umbrabundle")
    write_bundle(big, "demo", [("105", "2026-11-24", seal(
        json.dumps({"schema": "umbra.report/1", "lang": "ar",
                    "narrative": "\u0627" * (450 * 1024)},
                   ensure_ascii=False).encode()))])
    s, _, page = d.request("POST", "/sync", cookie=d.cookie,
                           body=form(csrf=d.csrf(), do="import", **{"in": big}))
    T.check("the desk imports a bundle (a 900 KiB narrative)",
            s == 200 and b'data-exit="0"' in page and b"1 new" in page,
            re.sub(rb".*<pre id=\"output\" dir=\"ltr\">", b"", page)[:300])
    # files out of the air gap: the queued reply and the imported reports'
    # ids into an outbox file (push --out), beside import
    _, _, page = d.request("GET", "/sync", cookie=d.cookie)
    T.check("the sync page offers to save an outbox, beside import",
            b'name="outbox"' in page and b'value="save_outbox"' in page and
            page.index(b'value="import"') < page.index(b'value="save_outbox"'))
    ob = os.path.join(TMP, "outbox.json")
    s, _, page = d.request("POST", "/sync", cookie=d.cookie, body=form(
        csrf=d.csrf(), do="save_outbox", outbox=ob))
    T.check("the desk saves the queued reply and the deletions to an outbox "
            "file, mode 600", s == 200 and b'data-exit="0"' in page and
            b"Wrote 1 reply and" in page and os.path.exists(ob) and
            os.stat(ob).st_mode & 0o777 == 0o600,
            re.sub(rb".*<pre id=\"output\" dir=\"ltr\">", b"", page)[:300])
    doc = json.load(open(ob)) if os.path.exists(ob) else {}
    T.check("the outbox is umbra.outbox/1 with the reply and the ids",
            doc.get("format") == "umbra.outbox/1" and
            len(doc.get("replies", [])) == 1 and len(doc.get("acks", [])) >= 1,
            doc.keys())
    s, _, page = d.request("POST", "/sync", cookie=d.cookie, body=form(
        csrf=d.csrf(), do="save_outbox", outbox=ob + "2"))
    T.check("saving again has nothing new to carry (no file)",
            s == 200 and b"Nothing to carry out" in page and
            not os.path.exists(ob + "2"), page[-600:])
    s, _, _ = d.request("POST", "/sync", cookie=d.cookie, body=form(
        csrf=d.csrf(), do="save_outbox", outbox="a\x01b"))
    T.check("an outbox path with a control character: 400", s == 400, s)
    t0 = time.monotonic()
    s, _, page = d.request("GET", "/case?id=3", cookie=d.cookie)
    dt = time.monotonic() - t0
    print("     a 900 KiB right-to-left narrative: %d bytes of page in %.3f s"
          % (len(page), dt))
    T.check("a 900 KiB narrative is shown whole, in under 10 s",
            s == 200 and page.count("\u0627".encode()) >= 450 * 1024 and
            dt < 10, (s, len(page), dt))
    s, _, _ = d.request("GET", "/case?id=999", cookie=d.cookie)
    T.check("no such case: 404", s == 404, s)
    s, _, _ = d.request("GET", "/case?id=-1", cookie=d.cookie)
    T.check("a bad case number: 400", s == 400, s)

    # -- two desks on one home ------------------------------------------------
    r = subprocess.run([F["case"], "--home", HOME, "desk", "--no-browser"],
                       capture_output=True, timeout=30)
    T.check("a second desk on the same home refuses, saying why (exit 1)",
            r.returncode == 1 and b"another desk is already open" in
            r.stderr and r.stdout == b"", (r.returncode, r.stderr))
    rc = d.stop(signal.SIGHUP)
    T.check("SIGHUP (the terminal closing) stops the desk (exit 0)",
            rc == 0 and "stopped" in d.err, (rc, d.err))

    # -- the browser, through a stand-in xdg-open ------------------------------
    bindir = os.path.join(TMP, "bin")
    seen = os.path.join(TMP, "seen")
    os.makedirs(bindir)
    os.makedirs(seen)
    with open(os.path.join(bindir, "xdg-open"), "w") as f:
        f.write("#!/bin/sh\n"
                # read with builtins only: while sh waits for a child it
                # blocks signals of its own
                "while read k v; do [ \"$k\" = SigBlk: ] && "
                "echo \"$v\" > %s/sigblk; done < /proc/$$/status\n"
                "stat -c %%a \"$1\" > %s/mode\n"
                "cat \"$1\" > %s/page\n"
                "echo \"$@\" > %s/args\n" % (seen, seen, seen, seen))
    os.chmod(os.path.join(bindir, "xdg-open"), 0o755)
    d = Desk(HOME, env={"PATH": bindir + ":" + os.environ["PATH"]}, args=())
    for _ in range(100):
        if os.path.exists(os.path.join(seen, "args")):
            break
        time.sleep(0.05)
    time.sleep(0.1)
    rd = lambda n: open(os.path.join(seen, n)).read()  # noqa: E731
    T.check("without --no-browser, xdg-open is started", d.ok and
            os.path.exists(os.path.join(seen, "args")))
    T.check("the secret is not on xdg-open's command line; it gets a file "
            "of the home, mode 600, that leads to the address",
            d.secret not in rd("args") and rd("mode").strip() == "600" and
            d.url in rd("page"), (rd("args"), rd("mode")))
    T.check("the browser starts with no signal blocked",
            rd("sigblk").strip().strip("0") == "", rd("sigblk"))
    d.login()
    T.check("once the secret is used, the file is gone",
            not os.path.exists(os.path.join(HOME, "desk-open.html")))
    d.stop()

    # -- the idle lock ----------------------------------------------------------
    d = Desk(HOME, env={"UMBRA_DESK_IDLE_SECONDS": "2"})
    T.check("after a stop, a new desk starts on the same home", d.ok)
    d.login()
    csrf = d.csrf()
    d.request("POST", "/unlock", cookie=d.cookie,
              body=form(csrf=csrf, passphrase=F["passphrase"]))
    s, _, page = d.request("GET", "/case?id=1", cookie=d.cookie)
    T.check("unlocked, the case opens", s == 200 and CANARY.encode() in page)
    time.sleep(3.5)
    s, h, _ = d.request("GET", "/case?id=1", cookie=d.cookie)
    _, _, page = d.request("GET", "/", cookie=d.cookie)
    T.check("past the idle time the desk locks: the case is not shown, "
            "the passphrase is asked", s == 303 and
            b'name="passphrase"' in page and CANARY.encode() not in page,
            (s, page[:300]))
    s, _, _ = d.request("POST", "/triage", cookie=d.cookie,
                        body=form(csrf=csrf, id=1, status="closed"))
    T.check("a change sent to the locked desk is not saved",
            show(1).get("status") == "in-progress")
    r = subprocess.run([F["case"], "--home", HOME, "--passphrase-file",
                        F["pwfile"], "triage", "1", "--note", "from the "
                        "terminal"], capture_output=True, timeout=60)
    T.check("while locked, the store's writer lock is free for the "
            "terminal", r.returncode == 0, r.stderr)
    rc = d.stop(signal.SIGINT)
    T.check("Ctrl-C stops the desk (exit 0)", rc == 0, (rc, d.err))
    T.check("nothing of the reports or replies is left in clear on disk",
            grep_tree(TMP, CANARY.encode()) == [],
            grep_tree(TMP, CANARY.encode()))
    T.check("the desk's browser file and secret are gone",
            not os.path.exists(os.path.join(HOME, "desk-open.html")))


def catalogue(lang):
    with open(os.path.join(HERE, "..", "..", "web", "locales",
                           lang + ".json"), encoding="utf-8") as f:
        return json.load(f)


def conversation():
    """Issue 14 items 2 and 3 on a home of its own: case 1 (English, a
    reporter's mailbox whose key is made here) with two follow-ups, one
    hostile; case 2 (Thai, replies sealed to the "mailbox" home); case 3
    a follow-up whose proof is from another key (unverified)."""
    parent = os.path.join(TMP, "conv")
    os.makedirs(parent)
    h = Home(parent)
    mbox = Home(parent, slug="mbox", name="mailbox")
    org = base64.b64decode(json.load(open(h.public))["keys"][0]["x25519"])
    pk, sk = nb.crypto_box_keypair()
    mid = os.urandom(32)
    box = {"mailbox": base64.b64encode(pk).decode(), "mailbox_id": mid.hex()}

    def doc(text, **extra):
        d = {"schema": "umbra.report/1", "lang": "en", "via": "web",
             "narrative": text}
        d.update(extra)
        return json.dumps(d).encode()

    def follow(text, key=sk):
        proof = pyumbra.followup_proof(org, key, mid, text.encode())
        return doc(text, follow_up={
            "proof": base64.b64encode(proof).decode()}, **box)

    first = "The first report, from the bar on the corner."
    safe = "I am safe now. He came back on Friday."
    mark = "HOSTILE-FOLLOW-UP-7f3a"
    th = doc("รายงานภาษาไทย", lang="th", categories=["robbery"],
             mailbox=json.load(open(mbox.public))["keys"][0]["x25519"],
             mailbox_id="ab" * 32)
    b = os.path.join(parent, "b1")
    write_bundle(b, h.slug, [
        ("201", "2026-11-20", h.seal(doc(first, categories=["robbery"],
                                         **box))),
        ("202", "2026-11-20", h.seal(th))])
    r1 = h.run("import", b)
    write_bundle(b, h.slug, [
        ("203", "2026-11-25", h.seal(follow(safe))),
        ("204", "2026-11-26", h.seal(follow(HOSTILE + " " + mark))),
        ("205", "2026-11-27", h.seal(follow(
            "FORGED follow-up", nb.crypto_box_keypair()[1])))])
    r2 = h.run("import", b)
    T.check("conversation: two reports and three follow-ups imported",
            r1.returncode == 0 and r2.returncode == 0, r1.stderr + r2.stderr)

    d = Desk(h.dir)
    d.login()
    csrf = d.csrf()
    d.request("POST", "/unlock", cookie=d.cookie, body=form(
        csrf=csrf, passphrase=open(h.pwfile).read().rstrip("\n")))
    _, _, inbox = d.request("GET", "/", cookie=d.cookie)
    m = re.search(rb'id="unread-1">([^<]*)<', inbox)
    T.check("inbox: case 1 is marked with its 2 unread messages",
            m is not None and m.group(1) == b"2 new", inbox[-2000:])
    T.check("inbox: case 2 has no unread mark, case 3 is marked "
            "unverified", b'id="unread-2"' not in inbox and
            b'id="unverified-3"' in inbox)
    T.check("inbox: the status counts stay", re.search(
        rb'id="count-new">3<', inbox) is not None)
    s, _, only = d.request("GET", "/?unread=1", cookie=d.cookie)
    T.check("inbox filter 'with unread messages': case 1 only, box checked",
            s == 200 and b'href="/case?id=1"' in only and
            b'href="/case?id=2"' not in only and
            b'name="unread" value="1" checked' in only, s)
    s, _, _ = d.request("GET", "/?unread=yes", cookie=d.cookie)
    T.check("inbox filter unread=yes: 400", s == 400, s)

    s, _, page = d.request("GET", "/case?id=1", cookie=d.cookie)
    conv = page[page.find(b'<section id="messages">'):]
    conv = conv[:conv.find(b"</section>")]
    at = [conv.find(x) for x in (b'href="#narrative"', safe.encode(),
                                 mark.encode())]
    T.check("case 1: the conversation in order (report, then the "
            "follow-ups by day)", s == 200 and -1 not in at and
            at == sorted(at), at)
    T.check("case 1: both follow-ups marked new, each in a bidi-isolated "
            "block", conv.count(b'class="msg reporter unread"') == 2 and
            conv.count(b'<div class="narr" dir="auto">') == 2)
    T.check("a hostile follow-up is inert (escaped, no tag of its own)",
            b"<script>document" not in page and b"<img src=x" not in page
            and b"&lt;script&gt;document.title" in conv and
            b'<a href="javascript' not in page and
            "\u202e".encode() not in conv, conv)
    _, _, inbox = d.request("GET", "/", cookie=d.cookie)
    T.check("after opening case 1 its unread mark is gone",
            b'id="unread-1"' not in inbox and b'href="/case?id=1"' in inbox)
    _, _, page = d.request("GET", "/case?id=1", cookie=d.cookie)
    T.check("opened again, its follow-ups are no longer new",
            b'class="msg reporter unread"' not in page and
            safe.encode() in page)
    _, _, page = d.request("GET", "/case?id=3", cookie=d.cookie)
    T.check("case 3 (a follow-up whose proof failed) is marked unverified",
            b'id="unverified"' in page and b"FORGED follow-up" in page)

    TH, PT = catalogue("th"), catalogue("pt-BR")
    _, _, page = d.request("GET", "/case?id=2", cookie=d.cookie)
    names = re.findall(rb'<select id="tpl" name="tpl">(.*?)</select>', page)
    T.check("case 2: a menu of the five templates, in the desk's language",
            names and names[0].count(b"<option") == 5 and
            b">Are you safe now?<" in names[0], names)
    T.check("case 2: the language menu defaults to the case's, Thai",
            b'<option value="th" selected>' in page)
    s, _, page = d.request("GET", "/case?id=2&tpl=safe_now", cookie=d.cookie)
    ta = re.search(rb'<textarea id="message"[^>]*>(.*?)</textarea>', page,
                   re.S)
    T.check("choosing 'safe now' fills the textarea with the Thai text",
            s == 200 and ta is not None and html.unescape(
                ta.group(1).decode()) == TH["reply.safe_now"], s)
    T.check("the filled composer shows the language and carries lang th",
            b'id="template-lang" data-lang="th"' in page and
            b'name="lang" value="th"' in page)
    _, _, page = d.request("GET", "/case?id=2&tpl=lawyer&tlang=pt-BR",
                           cookie=d.cookie)
    T.check("another language from the menu: the pt-BR text",
            html.escape(PT["reply.lawyer"], quote=False).encode() in page)
    for q in ("tpl=nope", "tpl=safe_now&tlang=%3Cx%3E"):
        s, _, _ = d.request("GET", "/case?id=2&" + q, cookie=d.cookie)
        T.check("a bad template choice (%s): 400" % q, s == 400, s)
    edited = TH["reply.safe_now"] + "\nSigned, Ana"
    s, _, _ = d.request("POST", "/reply", cookie=d.cookie, body=form(
        csrf=csrf, id=2, lang="xx", message=edited))
    T.check("a reply with a language no template has: 400", s == 400, s)
    # sent as a browser sends a textarea: lines ended by CR LF
    s, _, _ = d.request("POST", "/reply", cookie=d.cookie, body=form(
        csrf=csrf, id=2, lang="th", message=edited.replace("\n", "\r\n")))
    T.check("the edited template is queued", s == 303, s)
    s, _, _ = d.request("POST", "/reply", cookie=d.cookie, body=form(
        csrf=csrf, id=1, message="We read your messages."))
    _, _, page = d.request("GET", "/case?id=1", cookie=d.cookie)
    conv = page[page.find(b'<section id="messages">'):]
    T.check("case 1: the organisation's reply comes last, not pushed yet",
            conv.find(b'class="msg org"') > conv.find(mark.encode()) > 0 and
            b"queued, not sent yet" in conv, conv[-600:])
    d.stop()
    out = os.path.join(parent, "outbox.json")
    r = h.run("push", "--out", out)
    docs = []
    if r.returncode == 0:
        for rep in json.load(open(out))["replies"]:
            o = mbox.run("open", stdin=base64.b64decode(rep["envelope"]))
            if o.returncode == 0:
                docs.append(json.loads(o.stdout))
    T.check("the sealed reply of case 2 is the edited Thai text (lines "
            "ended by LF), lang th",
            [(x.get("message"), x.get("lang")) for x in docs] ==
            [(edited, "th")], (r.stderr, docs))
    shown = show_in(h, 2).get("messages", [])
    T.check("show --json lists the reply kept in case 2",
            [m.get("text") for m in shown if m.get("from") == "org"] ==
            [edited], shown)


def show_in(h, case_id):
    r = h.run("show", str(case_id), "--json")
    return json.loads(r.stdout) if r.returncode == 0 else {}


T.run(lambda: (main(), conversation(),
               shutil.rmtree(TMP, ignore_errors=True)))
