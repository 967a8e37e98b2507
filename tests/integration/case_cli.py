#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""umbra-case without a server: keys, seal/open, import (idempotent,
crash-safe, hostile input), triage, reply queue, canary on disk, locking,
exit codes and --help. Ends with "N passed, N failed"."""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from case_lib import (CASE, Home, Results, bundle_bytes, grep_tree,  # noqa: E402
                      report, tmpdir, write_bundle)

T = Results()
TMP = tmpdir()
CANARY = "CANARY-7f3a9c-LAVENDER"
MAILBOX = {}  # set once the "other" home exists: its key is the mailbox


def run(*args, **kw):
    return subprocess.run([CASE] + list(args), capture_output=True,
                          timeout=60, **kw)


def count_cases(home):
    r = home.run("list", "--json")
    assert r.returncode == 0, r.stderr
    return [json.loads(line) for line in r.stdout.decode().splitlines()]


# ---- usage, help, exit codes --------------------------------------------
r = run()
T.check("no verb is a usage error (exit 2)", r.returncode == 2)
r = run("frobnicate")
T.check("unknown verb exits 2 with one line",
        r.returncode == 2 and r.stderr.count(b"\n") == 1, r.stderr)
for verb in ["init", "fingerprint", "seal", "open", "keys", "pull", "import",
             "list", "show", "triage", "reply", "push", "ack", "quarantine"]:
    r = run(verb, "--help")
    T.check("%s --help exits 0 with usage" % verb,
            r.returncode == 0 and b"usage:" in r.stdout, r.stderr)
r = run("--home", os.path.join(TMP, "x"), "triage")
T.check("triage without an id is a usage error", r.returncode == 2)


def first_line(want, *args):
    """A usage error: exit 2, and stderr's first line exactly want."""
    r = run("--home", os.path.join(TMP, "x"), *args)
    lines = r.stderr.decode().splitlines()
    T.check("'%s' exits 2 saying: %s" % (" ".join(args), want),
            r.returncode == 2 and lines[:1] == [want], r.stderr)


first_line("umbra-case: unknown option '--stauts' for list; did you mean "
           "--status?", "list", "--stauts", "new")
first_line("umbra-case: unknown verb 'lsit'; did you mean list?", "lsit")
first_line("umbra-case: pull needs --token-file FILE (the file with the "
           "organisation's sync token)", "pull", "--server",
           "http://127.0.0.1:9")
first_line("umbra-case: show needs a case number, not 'abc'", "show", "abc")
first_line("umbra-case: reply 1 needs --message-file FILE", "reply", "1")
first_line("umbra-case: unknown option '--stat' for list; did you mean "
           "--status?", "list", "--stat", "new")
first_line("umbra-case: unknown option '--xyz' for list; see 'umbra-case "
           "list --help'", "list", "--xyz")
first_line("umbra-case: --json of show takes no value; write --json alone",
           "show", "1", "--json=yes")
first_line("umbra-case: --status needs a value; write it as --status VALUE",
           "list", "--status")
first_line("umbra-case: show needs a case number; write it as 'umbra-case "
           "show ID'", "show")
first_line("umbra-case: show takes one case number; '2' is one too many",
           "show", "1", "2")
first_line("umbra-case: push does not take --out; see 'umbra-case push "
           "--help'", "push", "--out", "x")
first_line("umbra-case: unknown option '--jsn' for quarantine; did you "
           "mean --json?", "quarantine", "--jsn")
first_line("umbra-case: unknown option '--retry' for import; did you mean "
           "--retry-unopened?", "import", "--retry", "b.bundle")
first_line("umbra-case: triage needs a case number; write it as "
           "'umbra-case triage ID'", "triage", "--status", "new")
first_line("umbra-case: unknown option '--priorty' for triage; did you "
           "mean --priority?", "triage", "1", "--priorty", "low")
first_line("umbra-case: pull needs --server URL (the organisation's server)",
           "pull", "--token-file", "t")

# ---- init, fingerprint, seal, open --------------------------------------
home = Home(TMP)
T.check("init makes key file, store and public.json",
        all(os.path.exists(os.path.join(home.dir, f))
            for f in ["keys.umbra", "cases.db", "public.json"]))
T.check("key file is mode 0600",
        os.stat(os.path.join(home.dir, "keys.umbra")).st_mode & 0o777 == 0o600)
before = open(os.path.join(home.dir, "keys.umbra"), "rb").read()
r = home.run("init", "--org", "demo", "--kdf-memory", "8192",
             "--kdf-passes", "1")
T.check("init refuses an existing home (exit 1)",
        r.returncode == 1 and b"already" in r.stderr, r.stderr)
T.check("refused init left the key file untouched",
        open(os.path.join(home.dir, "keys.umbra"), "rb").read() == before)
r = run("fingerprint", home.public)
fp = r.stdout.decode().strip()
T.check("fingerprint prints six groups of five digits",
        r.returncode == 0 and len(fp) == 35 and
        all(len(g) == 5 and g.isdigit() for g in fp.split(" ")), fp)
other = Home(TMP, slug="other", name="other")
r = run("fingerprint", other.public)
T.check("another org has another fingerprint",
        r.stdout.decode().strip() != fp)
bad = os.path.join(TMP, "bad.json")
pub = json.load(open(home.public))
pub["org"] = "evil"
json.dump(pub, open(bad, "w"))
r = run("fingerprint", bad)
T.check("a tampered bundle is refused (exit 1)",
        r.returncode == 1 and b"not a valid public key bundle" in r.stderr,
        r.stderr)

# The reporter's mailbox key in these tests is the other home's key, so
# that the other home can open the replies.
MAILBOX = {"mailbox": json.load(open(other.public))["keys"][0]["x25519"],
           "mailbox_id": "ab" * 32}
env = home.seal(b"hello " + CANARY.encode())
r = home.run("open", stdin=env)
T.check("seal then open gives the plaintext back",
        r.returncode == 0 and r.stdout == b"hello " + CANARY.encode())
r = other.run("open", stdin=env)
T.check("another home cannot open it (exit 1, one line)",
        r.returncode == 1 and b"not sealed to any key" in r.stderr and
        r.stderr.count(b"\n") == 1, r.stderr)
wrong = os.path.join(TMP, "wrong.pw")
open(wrong, "w").write("not the passphrase\n")
r = subprocess.run([CASE, "--home", home.dir, "--passphrase-file", wrong,
                    "open"], input=env, capture_output=True, timeout=60)
T.check("wrong passphrase: the documented one-line error",
        r.returncode == 1 and
        b"cannot open key file" in r.stderr and
        b"wrong passphrase or damaged file" in r.stderr, r.stderr)
r = subprocess.run([CASE, "--home", home.dir, "open"], input=env,
                   capture_output=True, timeout=60,
                   env=dict(os.environ, UMBRA_PASSPHRASE_FILE=home.pwfile))
T.check("UMBRA_PASSPHRASE_FILE is used", r.returncode == 0)
r = run("seal", "--to", home.public, "--to", other.public,
        input=b"to both")
r1 = home.run("open", stdin=r.stdout)
r2 = other.run("open", stdin=r.stdout)
T.check("seal to two bundles opens in both homes",
        r1.stdout == b"to both" and r2.stdout == b"to both")
r = run("seal", "--to", home.public, input=b"x" * (17 * 1024 * 1024))
T.check("seal refuses stdin over the envelope cap",
        r.returncode == 1 and r.stdout == b"", r.stderr)

# ---- import: cases, idempotence, hostile plaintexts --------------------
hostile = {
    "invalid JSON": b"{\"schema\": \"umbra.report/1\", ",
    "deep nesting": b"[" * 10000 + b"]" * 10000,
    "deep object nesting": (b'{"schema":"umbra.report/1","narrative":"x",'
                            b'"a":' + b'{"a":' * 10000 + b"1" +
                            b"}" * 10000 + b"}"),
    "huge narrative": json.dumps({"schema": "umbra.report/1",
                                  "narrative": "A" * (15 * 1024 * 1024)
                                  }).encode(),
    "wrong schema": json.dumps({"schema": "umbra.alert/1",
                                "narrative": "x"}).encode(),
    "missing fields": json.dumps({"schema": "umbra.report/1",
                                  "lang": "en"}).encode(),
    "wrong types": json.dumps({"schema": "umbra.report/1",
                               "narrative": ["not", "text"]}).encode(),
    "invalid UTF-8": b'{"schema":"umbra.report/1","narrative":"\xff\xfe"}',
    "duplicate keys": (b'{"schema":"umbra.report/1","narrative":"a",'
                       b'"narrative":"b"}'),
    "not an object": b'"umbra.report/1"',
    "bad mailbox": json.dumps({"schema": "umbra.report/1", "narrative": "x",
                               "mailbox": "short"}).encode(),
    "NUL byte": b'{"schema":"umbra.report/1","narrative":"a\x00b"}',
}
records = []
rid = 1
good_texts = {}
for i in range(5):
    text = "%s report %d: he took my money" % (CANARY, i)
    good_texts[str(rid)] = text
    records.append((str(rid), "2026-11-2%d" % i,
                    home.seal(report(text, **MAILBOX))))
    rid += 1
escape = "ESC\x1b]0;owned\x07 and \x1b[2J clear \u009b31m C1 \u202e rlo"
records.append((str(rid), "2026-11-29",
                home.seal(report(escape, **MAILBOX))))
escape_id = str(rid)
rid += 1
for name, doc in hostile.items():
    records.append((str(rid), "2026-11-29", home.seal(doc)))
    rid += 1
records.append((str(rid), "2026-11-29", other.seal(report("not ours"))))
rid += 1
records.append((str(rid), "2026-11-29", b"UMBR garbage" * 400))
rid += 1
bpath = os.path.join(TMP, "in.umbrabundle")
write_bundle(bpath, "demo", records)
r = home.run("import", bpath, timeout=300)
cases = count_cases(home)
T.check("import exits 0 despite hostile documents", r.returncode == 0,
        r.stderr)
T.check("every good report became a case (6)", len(cases) == 6,
        len(cases))
r = home.run("quarantine", "--json")
q = [json.loads(x) for x in r.stdout.decode().splitlines()]
T.check("each hostile document is quarantined with a reason",
        len([x for x in q if x["outcome"] == "quarantine"]) ==
        len(hostile) + 1 and all(x["reason"] for x in q), q)
T.check("the envelope for another home is listed as not for this home",
        len([x for x in q if x["outcome"] == "unopened"]) == 1)
reasons = " | ".join(x["reason"] for x in q)
for word in ["invalid JSON", "deeper than 16", "1 MiB", "schema",
             "neither", "UTF-8", "duplicate"]:
    T.check("quarantine reason mentions '%s'" % word, word in reasons,
            reasons)
r = home.run("import", bpath)
T.check("second import adds nothing",
        r.returncode == 0 and len(count_cases(home)) == 6 and
        b"Imported 0 new" in r.stdout, r.stdout)
r = home.run("quarantine")
T.check("second import did not quarantine twice",
        len(r.stdout.decode().splitlines()) == len(q))

# escape sequences neutralised
ecase = [c for c in cases if "ESC" in c["summary"]][0]
r = home.run("show", str(ecase["id"]))
T.check("show prints the report without any escape byte",
        r.returncode == 0 and b"\x1b" not in r.stdout and
        b"\xc2\x9b" not in r.stdout and b"\x07" not in r.stdout and
        b"clear" in r.stdout, r.stdout)
T.check("bidi override shown, not applied", b"<U+202E>" in r.stdout)
r = home.run("list")
T.check("list prints no escape byte", b"\x1b" not in r.stdout and
        b"\x07" not in r.stdout)
r = home.run("show", str(cases[0]["id"]))
T.check("show gives the narrative in the reporter's words",
        CANARY.encode() in r.stdout and b"he took my money" in r.stdout)
r = home.run("show", "999")
T.check("show of a missing case exits 1", r.returncode == 1)

# ---- triage and history -------------------------------------------------
cid = str(cases[0]["id"])
r = home.run("triage", cid, "--status", "in-progress", "--priority",
             "urgent", "--label", "police", "--label", "follow-up",
             "--assign", "amara", "--note", "called her back", "--as",
             "joy")
T.check("triage saves changes", r.returncode == 0, r.stderr)
r = home.run("triage", cid, "--status", "sleeping")
T.check("triage refuses an unknown status (exit 2)", r.returncode == 2)
r = home.run("show", cid, "--json")
j = json.loads(r.stdout)
T.check("show --json has status, priority, labels, assignee",
        j["status"] == "in-progress" and j["priority"] == "urgent" and
        sorted(j["labels"]) == ["follow-up", "police"] and
        j["assignee"] == "amara", j)
hist = [h["what"] for h in j["history"]]
T.check("history records who and what",
        "status set to 'in-progress'" in hist and
        "note: called her back" in hist and
        all(h["who"] == "joy" for h in j["history"][1:]), j["history"])
r = home.run("list", "--status", "in-progress", "--json")
T.check("list --status filters",
        [json.loads(x)["id"] for x in r.stdout.decode().splitlines()] ==
        [int(cid)])
r = home.run("list", "--label", "police", "--json")
T.check("list --label filters", len(r.stdout.decode().splitlines()) == 1)
r = home.run("list", "--from", "2026-11-22", "--to", "2026-11-23", "--json")
T.check("list --from/--to filters by day received",
        len(r.stdout.decode().splitlines()) == 2, r.stdout)
r = home.run("list", "--category", "robbery", "--json")
T.check("list --category filters",
        len(r.stdout.decode().splitlines()) == 6)
r = home.run("list", "--category", "police-harassment", "--json")
T.check("list --category excludes", r.stdout == b"")

# ---- reply queue --------------------------------------------------------
msg = os.path.join(TMP, "msg.txt")
open(msg, "w").write("We got your message. " + CANARY + " Call us.\n")
r = home.run("reply", cid, "--message-file", msg)
T.check("reply queues a sealed reply", r.returncode == 0, r.stderr)
r = home.run("show", cid, "--json")
T.check("history shows the queued reply",
        "reply queued" in [h["what"] for h in json.loads(r.stdout)["history"]])

# ---- canary nowhere on disk in the clear --------------------------------
hits = grep_tree(home.dir, CANARY.encode())
T.check("canary string in no file under the home", hits == [], hits)
hits = grep_tree(home.dir, b"he took my money")
T.check("report text in no file under the home", hits == [], hits)
T.check("no stray files under the home",
        set(os.listdir(home.dir)) <= {"cases.db", "cases.db-wal",
                                      "cases.db-shm", "keys.umbra", "lock",
                                      "public.json"}, os.listdir(home.dir))

# ---- locking -------------------------------------------------------------
import fcntl  # noqa: E402
lk = open(os.path.join(home.dir, "lock"), "r+")
fcntl.flock(lk, fcntl.LOCK_EX | fcntl.LOCK_NB)
r = home.run("triage", cid, "--note", "x")
T.check("a second writer is refused while the lock is held",
        r.returncode == 1 and b"another umbra-case" in r.stderr, r.stderr)
r = home.run("list")
T.check("readers still work while a writer holds the lock",
        r.returncode == 0)
fcntl.flock(lk, fcntl.LOCK_UN)
lk.close()

# ---- SIGKILL during import, then import again: exactly once --------------
crash = Home(TMP, name="crash")
pool = [crash.seal(report("%s crash %d" % (CANARY, i))) for i in range(8)]
N = 2300
recs = [(str(i), "2026-11-29", pool[i % len(pool)]) for i in range(1, N + 1)]
cpath = os.path.join(TMP, "crash.umbrabundle")
write_bundle(cpath, "demo", recs)
points = [1, 2, 100, 255, 256, 257, 511, 1023, 1024, 1025, 2047, 2048,
          2299]
ok = True
for p in points:
    r = crash.run("import", cpath, env={"UMBRA_CASE_TEST_KILL_AFTER": str(p)})
    if r.returncode != -signal.SIGKILL:
        ok = False
    r = crash.run("list", "--json")
    if r.returncode != 0:
        ok = False
T.check("import killed at %d points; the store opens after each" %
        len(points), ok)
walh = Home(TMP, name="wal")
wrecs = [(str(i), "2026-11-29",
          walh.seal(report("%s wal %d" % (CANARY, i)))) for i in range(1, 6)]
wpath = os.path.join(TMP, "wal.umbrabundle")
write_bundle(wpath, "demo", [(str(i), "2026-11-29", wrecs[i % 5][2])
                             for i in range(1, 1601)])
r = walh.run("import", wpath, env={"UMBRA_CASE_TEST_KILL_AFTER": "1500"})
# import writes through a rollback journal (store_bulk), other verbs
# through the write-ahead log: a kill leaves one of them to recover from
side = [f for f in ("cases.db-journal", "cases.db-wal")
        if os.path.exists(os.path.join(walh.dir, f)) and
        os.path.getsize(os.path.join(walh.dir, f)) > 0]
T.check("after a kill a journal is left to recover from", side != [],
        os.listdir(walh.dir))
hits = grep_tree(walh.dir, CANARY.encode()) + \
    grep_tree(walh.dir, b"umbra.report/1")
T.check("the journal and store hold no plaintext", hits == [], hits)
# real, timing-based kills too
for delay in [0.01, 0.03, 0.06, 0.1]:
    p = subprocess.Popen([CASE, "--home", crash.dir, "--passphrase-file",
                          crash.pwfile, "import", cpath],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    p.send_signal(signal.SIGKILL)
    p.wait()
r = crash.run("import", cpath, timeout=300)
ids = [c["id"] for c in count_cases(crash)]
T.check("after the kills, a last import gives every report exactly once",
        r.returncode == 0 and len(ids) == N, (len(ids), r.stderr))
r = crash.run("import", cpath)
T.check("and one more import adds nothing", len(count_cases(crash)) == N)
hits = grep_tree(crash.dir, CANARY.encode())
T.check("no canary under the crashed home", hits == [], hits)

# ---- damaged and foreign bundles -----------------------------------------
fresh = Home(TMP, name="fresh")
frecs = [(str(i), "2026-11-29", fresh.seal(report("torn %d" % i)))
         for i in (1, 2, 3)]
data = bundle_bytes("demo", frecs)
tpath = os.path.join(TMP, "torn.umbrabundle")
open(tpath, "wb").write(data[:-10])
r = fresh.run("import", tpath)
T.check("a torn bundle imports the good records and says so (exit 1)",
        r.returncode == 1 and len(count_cases(fresh)) == 2 and
        b"incomplete" in r.stderr, (r.returncode, r.stderr))
opath = os.path.join(TMP, "other.umbrabundle")
write_bundle(opath, "other", recs[:2])
r = fresh.run("import", opath)
T.check("a bundle of another organisation is refused",
        r.returncode == 1 and b"organisation 'other'" in r.stderr, r.stderr)
open(opath, "wb").write(b"not a bundle at all")
r = fresh.run("import", opath)
T.check("a file that is no bundle is refused with one line",
        r.returncode == 1 and r.stderr.count(b"\n") == 1, r.stderr)

# ---- key rotation ---------------------------------------------------------
old_env = home.seal(b"sealed before rotation")
r = home.run("keys", "add")
T.check("keys add succeeds", r.returncode == 0, r.stderr)
pubj = json.load(open(home.public))
T.check("public.json now lists two keys", len(pubj["keys"]) == 2)
r = run("fingerprint", home.public)
T.check("fingerprint unchanged by rotation", r.stdout.decode().strip() == fp)
r = home.run("open", stdin=old_env)
T.check("an envelope sealed before rotation still opens",
        r.stdout == b"sealed before rotation")
new_env = home.seal(b"after")
T.check("new envelopes carry two stanzas", new_env[5] == 2)
r = home.run("open", stdin=new_env)
T.check("and open", r.stdout == b"after")

# ---- --retry-unopened tries again what this home could not open ---------
r = home.run("import", "--retry-unopened", bpath)
T.check("import --retry-unopened tries the unopened report again",
        r.returncode == 0 and b"Trying again 1 report not" in r.stdout and
        b"1 not for this home" in r.stdout, r.stdout)
r = home.run("quarantine", "--json")
T.check("and lists it once",
        len([x for x in r.stdout.splitlines()
             if b'"unopened"' in x]) == 1, r.stdout)

# ---- passphrase change ----------------------------------------------------
newpw = os.path.join(TMP, "new.pw")
open(newpw, "w").write("a new passphrase for a new laptop\n")
r = home.run("keys", "passphrase", "--new-passphrase-file", newpw)
T.check("keys passphrase succeeds", r.returncode == 0, r.stderr)
r = home.run("list")
T.check("the old passphrase no longer opens the key file",
        r.returncode == 1 and b"wrong passphrase" in r.stderr)
r = subprocess.run([CASE, "--home", home.dir, "--passphrase-file", newpw,
                    "list", "--json"], capture_output=True, timeout=60)
T.check("the new one opens the same cases",
        r.returncode == 0 and len(r.stdout.splitlines()) == 6)

# ---- --passphrase-file: exactly one line ending is stripped -------------
# (protocol section 4: the passphrase is used as given)
def pw_run(home_dir, content, *args):
    f = os.path.join(TMP, "pp.pw")
    with open(f, "wb") as fh:
        fh.write(content)
    e = dict(os.environ)
    e.pop("UMBRA_PASSPHRASE_FILE", None)
    return subprocess.run([CASE, "--home", home_dir, "--passphrase-file", f] +
                          list(args), capture_output=True, timeout=60, env=e)


pp = os.path.join(TMP, "pp")
r = pw_run(pp, b"two lines\n\n", "init", "--org", "demo", "--kdf-memory",
           "8192", "--kdf-passes", "1", "--kdf-lanes", "1",
           "--weak-passphrase-ok")
T.check("init with a passphrase file ending in two newlines", r.returncode == 0,
        r.stderr)
r = pw_run(pp, b"two lines\n", "list")
T.check("one newline fewer is another passphrase (only one is stripped)",
        r.returncode == 1 and b"wrong passphrase" in r.stderr, r.stderr)
r = pw_run(pp, b"two lines", "list")
T.check("no newline at all is another passphrase too",
        r.returncode == 1 and b"wrong passphrase" in r.stderr, r.stderr)
r = pw_run(pp, b"two lines\n\r\n", "list")
T.check("a CRLF line ending is stripped as one", r.returncode == 0, r.stderr)
r = pw_run(pp, b"two lines\n\n\n", "list")
T.check("three newlines: two stay, another passphrase",
        r.returncode == 1 and b"wrong passphrase" in r.stderr, r.stderr)
pp2 = os.path.join(TMP, "pp2")
r = pw_run(pp2, b"x" * 1024 + b"\r\n", "init", "--org", "demo",
           "--kdf-memory", "8192", "--kdf-passes", "1", "--kdf-lanes", "1",
           "--weak-passphrase-ok")
T.check("a 1024-byte passphrase with its CRLF is accepted", r.returncode == 0,
        r.stderr)
r = pw_run(pp2, b"x" * 1024, "list")
T.check("and opens the key file without its line ending", r.returncode == 0,
        r.stderr)
r = pw_run(pp2, b"x" * 1025 + b"\n", "list")
T.check("a 1025-byte passphrase is refused in one line (exit 1)",
        r.returncode == 1 and b"longer than 1024 bytes" in r.stderr and
        r.stderr.count(b"\n") == 1, r.stderr)
r = pw_run(pp2, b"\n", "list")
T.check("a file holding only a newline is an empty passphrase",
        r.returncode == 1 and b"passphrase is empty" in r.stderr, r.stderr)

# ---- a tampered key file cannot choose the Argon2 cost (protocol 4) -----
# The header is authenticated only by the key Argon2 derives from it, so
# its parameters are capped before any hashing: 4 GiB x 64 passes x 64
# lanes (within the old bounds) must be refused at once.
import struct  # noqa: E402
kf = os.path.join(pp, "keys.umbra")
raw = bytearray(open(kf, "rb").read())
for m, t, p, what in [(4194304, 64, 64, "4 GiB x 64 passes x 64 lanes"),
                      (1048576, 16, 16, "1 GiB x 16 passes"),
                      (65536, 17, 4, "17 passes")]:
    struct.pack_into("<III", raw, 12, m, t, p)
    open(kf, "wb").write(raw)
    t0 = time.monotonic()
    try:
        r = pw_run(pp, b"two lines\n\n", "list")
        took = time.monotonic() - t0
        ok = (r.returncode == 1 and took < 5 and
              b"unreasonable key derivation parameters" in r.stderr and
              r.stderr.count(b"\n") == 1)
        T.check("a key file tampered to %s is refused in %.2f s" % (what, took),
                ok, r.stderr)
    except subprocess.TimeoutExpired:
        T.check("a key file tampered to %s is refused fast" % what, False,
                "still hashing after 60 s")

shutil.rmtree(TMP, ignore_errors=True)
sys.exit(T.finish())
