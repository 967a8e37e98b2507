#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""The caseworker loop against a real umbra-server and PostgreSQL.

Run by with_server.sh (which sets up the cluster and the organisations
'alpha' and 'beta' through server_env.sh). Reporters submit through the API
and the no-JS form; the caseworker pulls (without passphrase), imports,
lists, triages, replies, pushes; the reporter reads the reply with the
receipt; the caseworker acks and the server holds nothing for the org.
Also: the air-gap variant, a server publishing a different key, and a
pull killed mid-way. Ends with "N passed, N failed".
"""
import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import spool  # noqa: E402
from umbra import Results, Server, free_port, grep_tree, tool  # noqa: E402
import umbra  # noqa: E402
from umbra_env import CASE, CONF, D, PASS, SERVER, psql  # noqa: E402

HOME = os.path.join(D, "alpha")
TOKEN_FILE = os.path.join(D, "alpha.token")
CANARY = "CANARY-caseloop-" + os.urandom(4).hex()

R = Results()
check = R.check
PORT = free_port()
URL = "http://127.0.0.1:%d" % PORT


def request(method, path, body=None, headers=None):
    st, _, data = umbra.request(PORT, method, path, body, headers, timeout=30)
    return st, data


def envelopes_of(org):
    spool.wait_moved()
    return int(psql("SELECT count(*) FROM envelopes e JOIN orgs o ON "
                    "o.id = e.org_id WHERE o.slug = '%s'" % org))


def case(*args, home=HOME, passphrase=True, stdin=None, timeout=300):
    if args and args[0] == "pull":
        spool.wait_moved()  # the reports posted so far are on the server
    cmd = [CASE, "--home", home]
    if passphrase:
        cmd += ["--passphrase-file", PASS]
    env = {k: v for k, v in os.environ.items()
           if k not in ("UMBRA_PASSPHRASE_FILE", "ALL_PROXY", "HTTP_PROXY",
                        "http_proxy", "all_proxy")}
    return subprocess.run(cmd + list(args), input=stdin, capture_output=True,
                          timeout=timeout, env=env,
                          stdin=None if stdin is not None
                          else subprocess.DEVNULL,
                          start_new_session=True)  # no terminal to prompt


def sync_args(token=TOKEN_FILE):
    return ["--server", URL, "--token-file", token]


def seal_report(narrative, mailbox=None):
    doc = {"schema": "umbra.report/1", "lang": "en", "via": "cli",
           "categories": ["physical-violence"], "narrative": narrative,
           "incident": {"date": "2026-11-28", "country": "TH"},
           "consent": {"statistics": True}}
    if mailbox:
        doc["mailbox"], doc["mailbox_id"] = mailbox
    p = subprocess.run([CASE, "seal", "--to",
                        os.path.join(HOME, "public.json")],
                       input=json.dumps(doc).encode(), capture_output=True,
                       check=True)
    return p.stdout


def post_envelope(env):
    st, body = request("POST", "/api/v1/orgs/alpha/reports", env,
                       {"Content-Type": "application/octet-stream"})
    assert st == 201, (st, body)


def new_mailbox():
    receipt = tool("receipt").decode().strip()
    pk, lookup, mailbox_id = tool("derive", receipt).decode().split()
    st, body = request("POST", "/api/v1/mailboxes",
                       json.dumps({"id": mailbox_id}).encode(),
                       {"Content-Type": "application/json"})
    assert st in (200, 201), (st, body)
    return receipt, pk, lookup, mailbox_id


def list_cases(home=HOME):
    r = case("list", "--json", home=home)
    assert r.returncode == 0, r.stderr
    return [json.loads(x) for x in r.stdout.decode().splitlines()]


def test_whole_loop():
    reporters = []
    for i in range(3):
        receipt, pk, lookup, mailbox_id = new_mailbox()
        text = "%s api report %d: a client hit me" % (CANARY, i)
        post_envelope(seal_report(text, (pk, mailbox_id)))
        reporters.append((receipt, lookup, text))
    fields = {"org": "alpha", "lang": "en", "incident.date": "2026-11",
              "incident.country": "th", "categories": ["robbery"],
              "narrative": CANARY + " nojs report: they took my money",
              "consent.statistics": "yes", "reply": "yes"}
    st, page = request("POST", "/report",
                       urllib.parse.urlencode(fields, doseq=True).encode(),
                       {"Content-Type": "application/x-www-form-urlencoded"})
    m = re.search(rb"(\d{4} \d{4} \d{4} \d{4} \d{4} \d{4})", page)
    check("no-JS form report stored with a receipt", st == 201 and m, st)
    nojs_receipt = m.group(1).decode()
    check("server holds 4 envelopes for alpha", envelopes_of("alpha") == 4)

    r = case("pull", *sync_args(), passphrase=False)
    check("pull needs no passphrase and fetches 4",
          r.returncode == 0 and b"Pulled 4 new" in r.stdout,
          (r.returncode, r.stdout, r.stderr))
    r = case("pull", *sync_args(), passphrase=False)
    check("a second pull fetches nothing new",
          r.returncode == 0 and b"Pulled 0 new" in r.stdout, r.stdout)
    check("and says when new reports reach the server's database",
          re.search(rb"reach the server's database every 1 seconds; one sent "
                    rb"since the last time arrives at \d\d:\d\d:\d\d UTC",
                    r.stdout), r.stdout)
    r = case("import")
    cases = list_cases()
    check("import makes 4 cases", r.returncode == 0 and len(cases) == 4,
          (r.stdout, r.stderr))
    check("the cases carry the reporters' words",
          sum(CANARY in c["summary"] for c in cases) == 4)
    nojs = [c for c in cases if "nojs" in c["summary"]]
    check("the no-JS report is a case", len(nojs) == 1)

    cid = str(cases[0]["id"])
    r = case("triage", cid, "--status", "waiting", "--priority", "urgent",
             "--label", "violence", "--note", "replied, waiting")
    check("triage", r.returncode == 0, r.stderr)
    r = case("list", "--status", "waiting", "--json")
    check("list --status sees the triaged case",
          [json.loads(x)["id"] for x in r.stdout.decode().splitlines()] ==
          [int(cid)])

    messages = {}
    for c in cases:
        msg = "We read your report %d. %s" % (c["id"], os.urandom(3).hex())
        path = os.path.join(D, "msg%d.txt" % c["id"])
        with open(path, "w") as f:
            f.write(msg + "\n")
        r = case("reply", str(c["id"]), "--message-file", path)
        check("reply to case %d queued" % c["id"], r.returncode == 0,
              r.stderr)
        messages[c["summary"]] = msg
    r = case("push", *sync_args())
    check("push sends the 4 replies",
          r.returncode == 0 and b"Sent 4 replies" in r.stdout,
          (r.stdout, r.stderr))
    r = case("push", *sync_args())
    check("a second push sends nothing",
          r.returncode == 0 and b"No replies" in r.stdout, r.stdout)

    for receipt, lookup, text in reporters:
        st, body = request("GET", "/api/v1/mailboxes/%s/replies" % lookup)
        reps = json.loads(body)["replies"] if st == 200 else []
        want = [m for s, m in messages.items() if s.startswith(text[:40])]
        ok = len(reps) == 1 and len(want) == 1
        if ok:
            doc = json.loads(tool("open", receipt, data=base64.b64decode(
                reps[0]["envelope"])))
            ok = (doc["message"] == want[0] and
                  doc["schema"] == "umbra.reply/1")
        check("API reporter reads the reply with the receipt", ok,
              (st, reps, want))
    st, page = request("POST", "/check", urllib.parse.urlencode(
        {"receipt": nojs_receipt}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    want = messages[nojs[0]["summary"]]
    check("no-JS reporter reads the reply on /check",
          st == 200 and want.encode() in page, (st, page[-400:]))

    r = case("ack", *sync_args())
    check("ack deletes the imported envelopes",
          r.returncode == 0 and b"deleted 4" in r.stdout, r.stdout)
    check("the server holds no envelope for alpha",
          envelopes_of("alpha") == 0)
    r = case("ack", *sync_args())
    check("a second ack has nothing to do",
          r.returncode == 0 and b"Nothing" in r.stdout, r.stdout)
    hits = grep_tree(HOME, CANARY.encode())
    check("canary in no file under the home (store, bundle, journal)",
          hits == [], hits)


def test_air_gap():
    for i in range(5):
        post_envelope(seal_report("%s air gap %d" % (CANARY, i)))
    online = os.path.join(D, "online")
    os.makedirs(online)
    shutil.copy(os.path.join(HOME, "public.json"), online)
    usb = os.path.join(D, "usb.umbrabundle")
    r = case("pull", *sync_args(), "--out", usb, home=online,
             passphrase=False)
    check("pull on the online machine (public.json only)",
          r.returncode == 0 and b"Pulled 5 new" in r.stdout,
          (r.stdout, r.stderr))
    check("the online machine holds no key and no store",
          sorted(os.listdir(online)) == ["public.json"], os.listdir(online))
    before = len(list_cases())
    r = case("import", usb)
    check("import of the carried bundle on the offline home",
          r.returncode == 0 and len(list_cases()) == before + 5,
          (r.stdout, r.stderr))
    r = case("import", usb)
    check("importing the same bundle twice adds nothing",
          len(list_cases()) == before + 5)
    r = case("ack", *sync_args())
    check("ack after the air gap", r.returncode == 0 and
          envelopes_of("alpha") == 0, r.stdout)


def test_wrong_key():
    post_envelope(seal_report(CANARY + " must not be pulled"))
    evil = os.path.join(D, "evil")
    r = subprocess.run([CASE, "--home", evil, "--passphrase-file", PASS,
                        "init", "--org", "alpha", "--kdf-memory", "8192",
                        "--kdf-passes", "1", "--kdf-lanes", "1"],
                       capture_output=True)
    assert r.returncode == 0, r.stderr
    out = os.path.join(D, "evil.umbrabundle")
    r = case("pull", *sync_args(), "--out", out, home=evil,
             passphrase=False)
    check("pull refuses when the server publishes another key",
          r.returncode == 1 and b"REFUSING" in r.stderr and
          b"different public key" in r.stderr, (r.returncode, r.stderr))
    check("and writes no bundle", not os.path.exists(out))
    r = case("pull", *sync_args(os.path.join(D, "beta.token")),
             "--out", out)
    check("a token of another organisation is refused",
          r.returncode == 1 and not os.path.exists(out), r.stderr)
    r = case("pull", "--server", URL, "--token-file",
             os.path.join(D, "nosuch.token"))
    check("a missing token file is a one-line error",
          r.returncode == 1 and r.stderr.count(b"\n") == 1, r.stderr)
    r = case("pull", "--server", "http://127.0.0.1:1", "--token-file",
             TOKEN_FILE, passphrase=False)
    check("an unreachable server is a one-line error",
          r.returncode == 1 and b"cannot reach" in r.stderr and
          r.stderr.count(b"\n") == 1, r.stderr)
    r = case("pull", *sync_args())
    r = case("import")
    r = case("ack", *sync_args())


def test_pull_killed():
    # an empty file, as a pull killed before its header was written left
    # it in versions before the header was written aside and renamed
    empty = os.path.join(D, "empty.umbrabundle")
    open(empty, "wb").close()
    r = case("pull", *sync_args(), "--out", empty,
             passphrase=False)
    check("pull takes an empty bundle file as a new one",
          r.returncode == 0 and os.path.getsize(empty) > 12,
          (r.stdout, r.stderr))
    pool = [seal_report("%s bulk %d" % (CANARY, i)) for i in range(10)]
    n = 1200
    for i in range(n):
        post_envelope(pool[i % 10])
    spool.wait_moved()
    bundle = os.path.join(D, "bulk.umbrabundle")
    killed = 0
    for delay in (0.05, 0.15, 0.3):
        p = subprocess.Popen([CASE, "--home", HOME, "pull", *sync_args(),
                              "--out", bundle], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(delay)
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
            killed += 1
        p.wait()
    r = case("pull", *sync_args(), "--out", bundle, passphrase=False)
    check("pull completes after being killed %d times" % killed,
          r.returncode == 0 and ("(%d in the file)" % n).encode() in r.stdout,
          (r.stdout, r.stderr))
    before = len(list_cases())
    r = case("import", bundle)
    check("every pulled report imported exactly once",
          r.returncode == 0 and len(list_cases()) == before + n,
          (len(list_cases()) - before, r.stdout, r.stderr))
    r = case("ack", *sync_args())
    check("ack of 1200 in batches", r.returncode == 0 and
          envelopes_of("alpha") == 0, r.stdout)


def test_rotation():
    """keys add: pull refuses until the server has the new bundle; then
    reports sealed to both keys are pulled and imported."""
    r = case("keys", "add")
    check("keys add", r.returncode == 0, r.stderr)
    r = case("pull", *sync_args(), passphrase=False)
    check("pull refuses while the server has the old bundle",
          r.returncode == 1 and b"REFUSING" in r.stderr, r.stderr)
    r = subprocess.run([SERVER, "--config", CONF, "org", "add", "alpha",
                        "--name", "Org alpha", "--public-key",
                        os.path.join(HOME, "public.json")],
                       capture_output=True)
    check("the operator registers the rotated bundle", r.returncode == 0,
          r.stderr)
    env = seal_report(CANARY + " after rotation")
    check("new reports are sealed to both keys", env[5] == 2)
    for _ in range(100):  # the server reloads organisations every 2 s
        st, body = request("POST", "/api/v1/orgs/alpha/reports", env,
                           {"Content-Type": "application/octet-stream"})
        if st == 201:
            break
        time.sleep(0.1)
    check("the server takes reports sealed to the new key", st == 201,
          body)
    r = case("pull", *sync_args(), passphrase=False)
    check("pull accepts the rotated bundle",
          r.returncode == 0 and b"Pulled 1 new" in r.stdout,
          (r.stdout, r.stderr))
    before = len(list_cases())
    r = case("import")
    check("the report sealed after rotation imports",
          len(list_cases()) == before + 1, (r.stdout, r.stderr))
    case("ack", *sync_args())
    # protocol section 3: the server publishing an older bundle (a lower
    # serial) than the home's is refused even with the same keys listed
    r = case("keys", "export")
    pub = json.load(open(os.path.join(HOME, "public.json")))
    check("keys export re-signs with a higher serial (3)",
          r.returncode == 0 and pub.get("serial") == 3, (r.stderr, pub))
    r = case("pull", *sync_args(), passphrase=False)
    check("pull refuses the server's older bundle in one line (exit 1)",
          r.returncode == 1 and b"older public key bundle" in r.stderr and
          b"(serial 2; this home has serial 3)" in r.stderr and
          r.stderr.count(b"\n") == 1, r.stderr)
    r = subprocess.run([SERVER, "--config", CONF, "org", "add", "alpha",
                        "--name", "Org alpha", "--public-key",
                        os.path.join(HOME, "public.json")],
                       capture_output=True)
    check("the operator registers serial 3", r.returncode == 0, r.stderr)
    for _ in range(50):  # the server reloads organisations every 2 s
        r = case("pull", *sync_args(), passphrase=False)
        if r.returncode == 0:
            break
        time.sleep(0.2)
    check("pull accepts it again", r.returncode == 0, r.stderr)


def main():
    srv = Server(port=PORT)
    try:
        R.each((srv.start, test_whole_loop, test_air_gap, test_wrong_key,
                test_pull_killed, test_rotation))
    finally:
        srv.stop(15)
    return R.finish()


if __name__ == "__main__":
    sys.exit(main())
