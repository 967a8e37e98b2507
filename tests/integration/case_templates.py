#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""umbra-case reply --template: the translated reply templates, in the
case's language by default, shown first, queued with --yes, edited in
$EDITOR with --edit (on a terminal: a pseudo-terminal here). What was
queued is read back the way the reporter would: push to a small local
HTTP catcher on 127.0.0.1, then open the envelope with the mailbox's key
(the "mailbox" home). No umbra-server. Ends with "N passed, N failed"."""
import base64
import http.server
import json
import os
import pty
import select
import subprocess
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from case_lib import (CASE, ROOT, Home, Results, report, tmpdir,  # noqa: E402
                      write_bundle)

T = Results()
TMP = tmpdir()


def catalogue(lang):
    with open(os.path.join(ROOT, "web", "locales", lang + ".json"),
              encoding="utf-8") as f:
        return json.load(f)


EN, TH, PT = catalogue("en"), catalogue("th"), catalogue("pt-BR")
NAMES = ["received", "safe_now", "where_meet", "lawyer", "own_words"]

home = Home(TMP)
mailbox = Home(TMP, slug="mbox", name="mailbox")
MB = {"mailbox": json.load(open(mailbox.public))["keys"][0]["x25519"]}
records = []
for i, lang in enumerate(["th", "pt", "xx", "en"]):
    doc = report("case in " + lang, lang=lang, mailbox_id="%02x" % i * 32,
                 **MB)
    records.append(("%d" % (i + 1), "2026-11-0%d" % (i + 1), home.seal(doc)))
bpath = os.path.join(TMP, "in.bundle")
write_bundle(bpath, "demo", records)
r = home.run("import", bpath)
T.check("four cases with mailboxes imported", r.returncode == 0 and
        b"Imported 4 new cases" in r.stdout, r.stdout + r.stderr)

# ---- listing ---------------------------------------------------------------
r = home.run("reply", "--list-templates", passphrase=False)
out = r.stdout.decode()
T.check("--list-templates lists the five, in English, without passphrase",
        r.returncode == 0 and all("\n%s\n" % n in out for n in NAMES) and
        EN["reply.lawyer"] in out, r.stderr)
r = home.run("reply", "--list-templates", "--lang", "th", passphrase=False)
out = r.stdout.decode()
T.check("--list-templates --lang th: the Thai texts, marked draft",
        r.returncode == 0 and TH["reply.safe_now"] in out and
        "draft translation" in out, out)

# ---- shown only, then queued with --yes --------------------------------------
r = home.run("reply", "1", "--template", "safe_now")
T.check("--template alone shows the case's language (th) and queues nothing",
        r.returncode == 0 and TH["reply.safe_now"] in r.stdout.decode() and
        b"Not queued" in r.stderr and b"queued;" not in r.stdout,
        r.stdout + r.stderr)
r = home.run("reply", "1", "--template", "safe-now", "--yes")
T.check("--yes queues it (safe-now taken for safe_now)",
        r.returncode == 0 and b"queued; send it" in r.stdout, r.stderr)
r = home.run("reply", "2", "--template", "lawyer", "--yes")
T.check("'pt' finds the pt-BR catalogue", r.returncode == 0 and
        PT["reply.lawyer"] in r.stdout.decode(), r.stdout + r.stderr)
r = home.run("reply", "3", "--template", "received", "--yes")
T.check("a language without templates: English, with a note",
        r.returncode == 0 and EN["reply.received"] in r.stdout.decode() and
        b"English instead" in r.stderr, r.stdout + r.stderr)
r = home.run("reply", "4", "--template", "where_meet", "--lang", "ar",
             "--yes")
T.check("--lang ar overrides the case's language",
        r.returncode == 0 and
        catalogue("ar")["reply.where_meet"] in r.stdout.decode(), r.stderr)

# ---- usage errors ------------------------------------------------------------
r = home.run("reply", "1", "--template", "lawer")
T.check("a misspelled template: did you mean, exit 2",
        r.returncode == 2 and r.stderr.decode().splitlines()[0] ==
        "umbra-case: no reply template 'lawer'; did you mean lawyer?",
        r.stderr)
r = home.run("reply", "1", "--template", "lawyer", "--message-file", "m")
T.check("--template and --message-file together: exit 2",
        r.returncode == 2 and b"not both" in r.stderr, r.stderr)
r = home.run("reply", "1", "--template", "lawyer", "--edit",
             stdin=b"")
T.check("--edit without a terminal: exit 2 before any passphrase",
        r.returncode == 2 and b"--edit needs a terminal" in r.stderr,
        r.stderr)

# ---- --edit on a (pseudo) terminal ---------------------------------------
editor = os.path.join(TMP, "editor.sh")
seen = os.path.join(TMP, "seen.txt")
with open(editor, "w") as f:
    # keeps a copy of what it was given, then signs the reply
    f.write("#!/bin/sh\ncp \"$1\" '%s'\nprintf 'Signed, Ana\\n' >> \"$1\"\n"
            % seen)
os.chmod(editor, 0o700)


def on_tty(args, env):
    """Runs umbra-case with a pseudo-terminal as stdin and stdout."""
    master, slave = pty.openpty()
    e = dict(os.environ)
    e.pop("UMBRA_PASSPHRASE_FILE", None)
    e.update(env)
    p = subprocess.Popen([CASE, "--home", home.dir, "--passphrase-file",
                          home.pwfile] + args, stdin=slave, stdout=slave,
                         stderr=subprocess.PIPE, env=e)
    os.close(slave)
    out = b""
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    p.wait(timeout=60)
    os.close(master)
    return p.returncode, out, p.stderr.read()


rc, out, err = on_tty(["reply", "1", "--template", "own_words", "--edit"],
                      {"VISUAL": "", "EDITOR": editor})
T.check("--edit runs $EDITOR on the template's text and queues the result",
        rc == 0 and b"queued; send it" in out, out + err)
T.check("the editor was given the Thai text",
        os.path.exists(seen) and
        open(seen, encoding="utf-8").read().strip() == TH["reply.own_words"])
T.check("the draft file is gone from the home",
        not [f for f in os.listdir(home.dir) if f.startswith("reply-draft")],
        os.listdir(home.dir))
empty = os.path.join(TMP, "empty.sh")
with open(empty, "w") as f:
    f.write("#!/bin/sh\n: > \"$1\"\n")
os.chmod(empty, 0o700)
rc, out, err = on_tty(["reply", "1", "--template", "own_words", "--edit"],
                      {"VISUAL": empty})
T.check("an emptied draft cancels: nothing queued, exit 0",
        rc == 0 and b"nothing was queued" in err and b"queued;" not in out,
        out + err)

# ---- what the reporters get: push to a catcher, open with the mailbox key ---
got = []
events = []  # each reply queued is a case event too (sealed, opaque)


class Catch(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        n = int(self.headers.get("Content-Length", "0"))
        data = self.rfile.read(n)
        if self.path == "/api/v1/sync/events":
            events.append(data)
            answer = b'{"id": "%d", "day": "2026-12-02"}' % len(events)
        else:
            got.append(json.loads(data))
            answer = b'{"stored": 1}'
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *a):
        pass


srv = http.server.HTTPServer(("127.0.0.1", 0), Catch)
threading.Thread(target=srv.serve_forever, daemon=True).start()
token = os.path.join(TMP, "token")
with open(token, "w") as f:
    f.write("test-token\n")
r = home.run("push", "--server", "http://127.0.0.1:%d" % srv.server_port,
             "--token-file", token)
srv.shutdown()
docs = []
for body in got:
    for rep in body["replies"]:
        o = mailbox.run("open", stdin=base64.b64decode(rep["envelope"]))
        if o.returncode == 0:
            docs.append(json.loads(o.stdout))
T.check("push sent the five queued replies", r.returncode == 0 and
        len(docs) == 5, r.stdout + r.stderr)
T.check("and their five case events, sealed (no reply text in them)",
        len(events) == 5 and b"Sent 5 of 5 case events" in r.stdout and
        not any(b"Signed, Ana" in e for e in events), r.stdout)
by_text = {d["message"]: d.get("lang") for d in docs}
T.check("case 1 got the Thai 'safe now', lang th",
        by_text.get(TH["reply.safe_now"]) == "th", by_text)
T.check("case 2 got the pt-BR 'lawyer', lang pt-BR",
        by_text.get(PT["reply.lawyer"]) == "pt-BR", by_text)
T.check("case 3 got the English 'received', lang en",
        by_text.get(EN["reply.received"]) == "en", by_text)
T.check("case 1 got the edited reply as saved",
        by_text.get(TH["reply.own_words"] + "\nSigned, Ana") == "th",
        by_text)
T.end()
