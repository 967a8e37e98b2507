#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Leak scanning (test-leak): a full run of Umbra end to end, then every
file the server and PostgreSQL wrote, and the caseworker's home, searched
byte for byte for what must never be kept in the clear.

The run: an API report (sealed by `umbra-case seal`, with a reply
mailbox), a no-JS form report (urlencoded) and a multipart one, with canaries
in the narrative, the place, the perpetrator's description and
identifiers; the server killed with SIGKILL half-way and restarted; the
caseworker pulls, imports, replies, pushes and acknowledges; the
reporters read the replies (API with the lookup id, /check with the
receipt grouped and ungrouped); refused requests carry canaries too (a
bad date, a bad mailbox id, a path, X-Forwarded-For, a receipt with a
wrong check digit). Every request comes from 127.13.37.42
(a loopback address found in no configuration) with a distinctive
User-Agent.

While the server still runs, a scan of its memory: after one more no-JS
report with a receipt and /check pages showing the reply (grouped and
ungrouped receipt), every request ended, its writable mappings
(/proc/PID/maps and /proc/PID/mem) are searched for every receipt (grouped,
ungrouped, as a form sends it), the reply text, the no-JS forms' canaries
and the lookup ids (hex and raw): 0 hits. Control: a
form whose upload has not ended is found there (it is legitimately live).

Then CHECKPOINT, and a scan of: the server's log, its working and temp
folders, PostgreSQL's log, its whole data directory (pg_wal included) and
socket folder, and the caseworker's home (encrypted store, key file,
bundle), for: each canary, the receipts (grouped and ungrouped), the
lookup id (hex), the client address and the User-Agent. 0 hits.

Last, crashes: umbra-server (after taking a form report) and
`umbra-case open` killed by SIGSEGV and SIGABRT with `ulimit -c
unlimited` and a core pattern that writes into the working folder: no core
file may appear (a program that does not protect itself, crashed the same
way in the same folder, must leave one, so the check can fail).
"""
import base64
import datetime
import json
import os
import re
import resource
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "chaos"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "vectors"))
from pyumbra import damm  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import spool  # noqa: E402
from common import (CASE, D, PG_DATA, PG_LOG, Results, Server, case,  # noqa
                    list_cases, psql, report_doc, request, sanitizer_reports,
                    seal, tail)

R = Results()
TOOL = os.path.join(os.path.dirname(os.environ["UMBRA_SERVER"]),
                    "server_tool")
CLIENT = "127.13.37.42"
UA = "UmbraLeakAgent/9.1 (canary %s)" % secrets.token_hex(5)
TAG = secrets.token_hex(6)
CAN = {k: "LK%s%s" % (k.upper(), TAG) for k in
       ("apinarr", "apiplace", "apiid", "apidesc", "formnarr", "formplace",
        "formid", "formdesc", "mpnarr", "mpplace", "mpid", "reply",
        "errdate", "errjson", "errpath", "errxff", "errreceipt", "wbtext",
        "errorg",
        "refnarr", "refplace", "refid")}
HOME = os.path.join(D, "alpha")
TOKF = os.path.join(D, "alpha.token")
SRV_CWD = os.path.join(D, "server-cwd")
SRV_TMP = os.path.join(D, "server-tmp")
os.makedirs(SRV_CWD)
os.makedirs(SRV_TMP)
os.environ["TMPDIR"] = SRV_TMP  # the server and umbra-case inherit it
SRV = Server()
SPOOL = os.environ["UMBRA_SPOOL"]


def req(method, path, body=None, headers=None, timeout=60):
    h = {"User-Agent": UA}
    h.update(headers or {})
    return request(SRV.port, method, path, body, h, timeout=timeout,
                   source=CLIENT)


def tool(*args, data=None):
    p = subprocess.run([TOOL, *args], input=data, capture_output=True,
                       timeout=60)
    assert p.returncode == 0, (args, p.stderr)
    return p.stdout


def new_mailbox():
    receipt = tool("receipt").decode().strip()
    pk, lookup, mailbox_id = tool("derive", receipt).decode().split()
    # registered for the organisation, as the report page does (013)
    st, _, body = req("POST", "/api/v1/mailboxes",
                      json.dumps({"id": mailbox_id, "org": "alpha"}).encode(),
                      {"Content-Type": "application/json"})
    R.check("API reporter's mailbox created", st in (200, 201), (st, body))
    return receipt, pk, lookup, mailbox_id


def form_fields(prefix):
    return {"org": "alpha", "lang": "en", "incident.date": "2026-11",
            "incident.country": "th",
            "incident.place": CAN[prefix + "place"] + " bus station",
            "categories": ["robbery", "threats-stalking"],
            "perpetrator.type": "client",
            "perpetrator.description": CAN.get(prefix + "desc", "tall"),
            "perpetrator.identifiers.kind": "phone",
            "perpetrator.identifiers.value": CAN[prefix + "id"],
            "narrative": CAN[prefix + "narr"] + " he took my money",
            "consent.statistics": "yes", "reply": "yes"}


def multipart(fields):
    b = "----umbraleak" + secrets.token_hex(8)
    out = []
    for k, v in fields.items():
        for one in (v if isinstance(v, list) else [v]):
            out.append("--%s\r\nContent-Disposition: form-data; name=\"%s\""
                       "\r\n\r\n%s\r\n" % (b, k, one))
    out.append("--%s--\r\n" % b)
    return "".join(out).encode(), "multipart/form-data; boundary=" + b


STORED = []  # bytes the database keeps by design (scan control)
RECEIPT_RE = re.compile(rb"(\d{4} \d{4} \d{4} \d{4} \d{4} \d{4})")


def run_flow():
    """The end-to-end run; returns the secrets to look for."""
    lookups, receipts = [], []
    # 1. API report with a reply mailbox.
    receipt, pk, lookup, mailbox_id = new_mailbox()
    STORED.append(bytes.fromhex(mailbox_id))
    receipts.append(receipt)
    lookups.append(lookup)
    doc = report_doc(
        CAN["apinarr"] + " a client hit me",
        incident={"date": "2026-11", "country": "TH",
                  "place": CAN["apiplace"]},
        perpetrator={"type": "client", "description": CAN["apidesc"],
                     "identifiers": [{"kind": "phone",
                                      "value": CAN["apiid"]}]},
        mailbox=pk, mailbox_id=mailbox_id)
    st, _, body = req("POST", "/api/v1/orgs/alpha/reports", seal(doc),
                      {"Content-Type": "application/octet-stream"})
    R.check("API report stored (201)", st == 201, (st, body))

    # 2. No-JS form, urlencoded.
    st, _, page = req("POST", "/report", urllib.parse.urlencode(
        form_fields("form"), doseq=True).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    m = RECEIPT_RE.search(page)
    R.check("no-JS (urlencoded) report stored with a receipt",
            st == 201 and m, (st, page[-300:]))
    if m:
        receipts.append(m.group(1).decode())

    # 3. The server is killed half-way and restarted.
    SRV.kill()
    SRV.start(cwd=SRV_CWD)

    # 4. No-JS form, multipart.
    body, ctype = multipart(form_fields("mp"))
    st, _, page = req("POST", "/report", body, {"Content-Type": ctype})
    m = RECEIPT_RE.search(page)
    R.check("no-JS (multipart) report stored with a receipt after a "
            "SIGKILL", st == 201 and m, (st, page[-300:]))
    if m:
        receipts.append(m.group(1).decode())

    # 5. The caseworker: pull, import, reply, push, ack.
    spool.wait_moved()
    r = case(HOME, "pull", "--server", SRV.url(), "--token-file", TOKF,
             passphrase=False)
    R.check("pull", r.returncode == 0 and b"Pulled 3 new" in r.stdout,
            (r.stdout, r.stderr))
    r = case(HOME, "import")
    cases = list_cases(HOME)
    R.check("import: 3 cases carrying the canaries",
            r.returncode == 0 and len(cases) == 3 and
            all(c["summary"].startswith("LK") for c in cases),
            (r.stderr, cases))
    msgs = {}
    for c in cases:
        path = os.path.join(D, "msg%d.txt" % c["id"])
        msgs[c["id"]] = "%s reply to case %d" % (CAN["reply"], c["id"])
        with open(path, "w") as f:
            f.write(msgs[c["id"]] + "\n")
        r = case(HOME, "reply", str(c["id"]), "--message-file", path)
        R.check("reply queued for case %d" % c["id"], r.returncode == 0,
                r.stderr)
        os.unlink(path)
    r = case(HOME, "push", "--server", SRV.url(), "--token-file", TOKF)
    R.check("push", r.returncode == 0, (r.stdout, r.stderr))
    r = case(HOME, "ack", "--server", SRV.url(), "--token-file", TOKF)
    R.check("ack", r.returncode == 0, (r.stdout, r.stderr))

    # 6. The reporters read their replies.
    st, _, body = req("GET", "/api/v1/mailboxes/%s/replies" % lookup)
    reps = json.loads(body).get("replies", []) if st == 200 else []
    ok = len(reps) == 1 and CAN["reply"].encode() in tool(
        "open", receipt, data=base64.b64decode(reps[0]["envelope"]))
    R.check("API reporter reads the reply with the lookup id", ok,
            (st, body[:200]))
    for i, rc in enumerate(receipts[1:]):
        for form in (rc, rc.replace(" ", "")):
            st, _, page = req("POST", "/check", urllib.parse.urlencode(
                {"receipt": form, "lang": "en"}).encode(),
                {"Content-Type": "application/x-www-form-urlencoded"})
            R.check("no-JS reporter %d reads the reply on /check (%s)" % (
                i + 1, "grouped" if " " in form else "ungrouped"),
                st == 200 and CAN["reply"].encode() in page,
                (st, page[-300:]))
    # The API reporter's receipt on /check too, with its lookup id
    # derived server-side.
    st, _, page = req("POST", "/check", urllib.parse.urlencode(
        {"receipt": receipt}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    R.check("API reporter's receipt works on /check", st == 200 and
            CAN["reply"].encode() in page, st)
    # Refused requests carrying canaries: error paths must not log them.
    fields = form_fields("form")
    fields["incident.date"] = CAN["errdate"]
    st1, _, _ = req("POST", "/report", urllib.parse.urlencode(
        fields, doseq=True).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    st2, _, _ = req("POST", "/api/v1/mailboxes", json.dumps(
        {"id": CAN["errjson"]}).encode(), {"Content-Type":
                                           "application/json"})
    st3, _, _ = req("GET", "/api/v1/mailboxes/%s/replies" % CAN["errpath"])
    # an unknown organisation's name: 404, and the name nowhere
    st6, _, _ = req("POST", "/api/v1/mailboxes", json.dumps(
        {"id": secrets.token_hex(32), "org": CAN["errorg"]}).encode(),
        {"Content-Type": "application/json"})
    st4, _, _ = req("GET", "/nowhere/" + CAN["errpath"],
                    headers={"X-Forwarded-For": CAN["errxff"]})
    bad = "".join(c for c in CAN["errreceipt"] if c.isdigit())
    bad = (bad * 24)[:23]
    bad += str((damm(bad) + 1) % 10)  # a wrong check digit
    CAN["errreceipt"] = bad
    st5, _, _ = req("POST", "/check", urllib.parse.urlencode(
        {"receipt": bad}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    R.check("refused requests with canaries are refused (400/404)",
            [st1, st2, st3, st4, st5, st6] == [400, 400, 400, 404, 400, 404],
            [st1, st2, st3, st4, st5, st6])
    # The lookup ids of the no-JS receipts, to look for too.
    for rc in receipts[1:]:
        lookups.append(tool("derive", rc).decode().split()[1])
    return receipts, lookups


def scan(roots, needles):
    """{needle label: [files]} over every regular file under roots."""
    hits = {k: [] for k in needles}
    nfiles = nbytes = 0
    seen = set()
    for root in roots:
        if os.path.isfile(root):
            walk = [(os.path.dirname(root), [], [os.path.basename(root)])]
        else:
            walk = os.walk(root)
        for d, _, files in walk:
            for f in files:
                p = os.path.join(d, f)
                if p in seen or not os.path.isfile(p) or os.path.islink(p):
                    continue
                seen.add(p)
                try:
                    with open(p, "rb") as fh:
                        data = fh.read()
                except OSError:
                    continue
                nfiles += 1
                nbytes += len(data)
                low = data.lower()
                for k, n in needles.items():
                    if n.lower() in low:
                        hits[k].append(p)
    return hits, nfiles, nbytes


def leak_scan(receipts, lookups):
    psql("CHECKPOINT")
    # The server is stopped the way an adversary would find it: killed.
    SRV.kill()
    needles = {"canary " + k: v.encode() for k, v in CAN.items()}
    for i, rc in enumerate(receipts):
        needles["receipt %d grouped" % i] = rc.encode()
        needles["receipt %d ungrouped" % i] = rc.replace(" ", "").encode()
        needles["receipt %d dashed" % i] = rc.replace(" ", "-").encode()
    for i, lk in enumerate(lookups):
        needles["lookup id %d" % i] = lk.encode()
        needles["lookup id %d (raw)" % i] = bytes.fromhex(lk)
    needles["client address"] = CLIENT.encode()
    needles["User-Agent"] = UA.encode()
    needles["User-Agent token"] = UA.split("canary ")[1].encode()
    sockdir = open(os.path.join(os.path.dirname(PG_DATA), "sockdir")).read(
    ).strip()
    shm = [os.path.join("/dev/shm", f) for f in os.listdir("/dev/shm")
           if f.startswith("PostgreSQL.")] if os.path.isdir("/dev/shm") \
        else []
    server_side = [SRV.log, SRV_CWD, SRV_TMP, PG_LOG, PG_DATA, sockdir,
                   SPOOL] + shm
    hits, nf, nb = scan(server_side, needles)
    print("figures: scanned %d files, %.1f MB written by the server and "
          "PostgreSQL (log, data directory with pg_wal, sockets, temp) for "
          "%d needles" % (nf, nb / 1e6, len(needles)))
    for k, files in hits.items():
        R.check("server side: 0 hits for %s" % k, not files, files[:5])
    hits, nf, nb = scan([HOME], needles)
    print("figures: scanned %d files, %.1f MB of the caseworker home "
          "(encrypted store, key file, bundle)" % (nf, nb / 1e6))
    R.check("caseworker home: 0 hits for any needle",
            not any(hits.values()),
            {k: v for k, v in hits.items() if v})
    # Control: the scan reaches the table files (a mailbox id, which the
    # database keeps by design, is found in the data directory).
    h, _, _ = scan([PG_DATA], {"mailbox id": STORED[0]})
    R.check("the scan finds a stored mailbox id in the data directory "
            "(control)", h["mailbox id"], h)
    # The scan can fail: the same needles are found where they are meant
    # to be (the server log gets the address if we write it there).
    probe = os.path.join(D, "probe.log")
    with open(probe, "wb") as f:
        f.write(b"x " + CLIENT.encode() + b" " + receipts[0].encode())
    h, _, _ = scan([probe], needles)
    R.check("the scan finds planted needles (control)",
            h["client address"] and h["receipt 0 grouped"])
    os.unlink(probe)


# ---- time ------------------------------------------------------------------

W = 6  # intake_window of the time scan, seconds


def wal_records(start_lsn):
    """pg_waldump of everything from start_lsn: [(xid, rels, commit time or
    None)] and the number of records read. rels: relfilenodes touched."""
    pg_bin = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")
    p = subprocess.run([os.path.join(pg_bin, "pg_waldump"), "-p",
                        os.path.join(PG_DATA, "pg_wal"), "-s", start_lsn],
                       capture_output=True, text=True, timeout=120)
    recs = []
    for line in p.stdout.splitlines():
        m = re.search(r"tx:\s+(\d+),", line)
        xid = int(m.group(1)) if m else 0
        rels = set(int(x) for x in re.findall(r"rel \d+/\d+/(\d+)", line))
        t = None
        m = re.search(r"desc: COMMIT (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"
                      r"(?:\.\d+)?) UTC", line)
        if m:
            t = datetime.datetime.strptime(
                m.group(1) + ("" if "." in m.group(1) else ".0"),
                "%Y-%m-%d %H:%M:%S.%f").replace(
                    tzinfo=datetime.timezone.utc).timestamp()
        recs.append((xid, rels, t))
    if "invalid record length" not in p.stderr:  # its normal end
        print("pg_waldump: " + p.stderr.strip()[:300])
    return recs


def file_times(roots):
    """[(path, mtime, ctime)] of every file and folder under roots."""
    out = []
    for root in roots:
        for d, dirs, files in os.walk(root):
            for f in [d] + [os.path.join(d, x) for x in files]:
                try:
                    st = os.lstat(f)
                except OSError:
                    continue
                out.append((f, st.st_mtime, st.st_ctime))
    return out


def wait_until(t):
    now = time.time()
    if t > now:
        time.sleep(t - now)


def time_scan():
    """A seized server must not tell when a report came in, finer than the
    window it came in: every COMMIT PostgreSQL logged while reports arrived
    lies at a window boundary, no transaction writes an envelope and a
    mailbox, no file time under the data directory or the spool falls on a
    submission, and ids follow no arrival order inside a window."""
    srv = Server(log=os.path.join(D, "server-time.log"),
                 extra=["--intake_window", str(W)])
    srv.start(cwd=SRV_CWD)
    spool.wait_moved()
    psql("CHECKPOINT")
    start_lsn = psql("SELECT pg_current_wal_lsn()").strip()
    alpha = psql("SELECT id FROM orgs WHERE slug = 'alpha'").strip()
    last_id = int(psql("SELECT coalesce(max(id), 0) FROM envelopes") or 0)
    subs = []  # (start, end) of each submission

    def rq(method, path, body, headers):
        h = {"User-Agent": UA}
        h.update(headers)
        return request(srv.port, method, path, body, h, timeout=60,
                       source=CLIENT)

    def timed(fn):
        t0 = time.time()
        fn()
        subs.append((t0, time.time()))

    def api(i):
        st, _, _ = rq("POST", "/api/v1/orgs/alpha/reports",
                       seal(report_doc("time scan %d" % i)),
                       {"Content-Type": "application/octet-stream"})
        assert st == 201, st

    def mailbox():
        st, _, _ = rq("POST", "/api/v1/mailboxes",
                       json.dumps({"id": secrets.token_hex(32),
                                   "org": "alpha"}).encode(),
                       {"Content-Type": "application/json"}, )
        assert st == 201, st

    def form():
        body = urllib.parse.urlencode(
            {"org": "alpha", "narrative": "time scan form", "reply": "yes",
             "categories": "robbery"}).encode()
        st, _, _ = rq("POST", "/report", body,
                       {"Content-Type": "application/x-www-form-urlencoded"})
        assert st == 201, st

    sealed = [seal(report_doc("time scan order %d" % i)) for i in range(8)]
    # Three windows in a row, starting with the next one.
    b0 = (int(time.time()) // W + 1) * W
    # Window 1: eight API reports and two mailboxes, mid-window.
    wait_until(b0 + 2.0)
    for env in sealed:
        timed(lambda e=env: rq("POST", "/api/v1/orgs/alpha/reports", e,
                                {"Content-Type":
                                 "application/octet-stream"}))
    timed(mailbox)
    timed(mailbox)
    # Window 2: a no-JS report with a receipt (envelope and mailbox).
    wait_until(b0 + W + 2.5)
    timed(form)
    # Window 3: one API report; before its move, the spool's file time is
    # that of the report (the window in which a time is exposed).
    wait_until(b0 + 2 * W + 2.5)
    timed(lambda: api(99))
    sp = [m for _, m, _ in file_times([SPOOL])]
    R.check("control: before its move, the spool's file time is the last "
            "report's (a file-time scan can fail)",
            any(subs[-1][0] - 0.01 <= t <= subs[-1][1] + 0.01 for t in sp),
            (subs[-1], sp))
    R.check("every submission lay mid-window (the test's own timing)",
            all(1.0 <= s % W and e % W <= W - 1.0 for s, e in subs),
            [(s % W, e % W) for s, e in subs])
    spool.wait_moved(SPOOL, timeout=3 * W)
    srv.stop()

    def near(t, slack=0.5):
        return any(s - slack <= t <= e + slack for s, e in subs)

    recs = wal_records(start_lsn)  # before a checkpoint removes segments
    psql("CHECKPOINT")
    commits = [t for _, _, t in recs if t is not None]
    env_rel = int(psql("SELECT pg_relation_filenode('envelopes')"))
    mb_rel = int(psql("SELECT pg_relation_filenode('mailboxes')"))
    by_xid = {}
    for xid, rels, _ in recs:
        if xid:
            by_xid.setdefault(xid, set()).update(rels)
    print("figures: time scan: %d WAL records read from %s, %d commits, "
          "%d submissions in 3 windows of %d s" % (len(recs), start_lsn,
                                                   len(commits), len(subs),
                                                   W))
    R.check("the WAL holds the three moves' commits (the dump is read)",
            sum(1 for rels in by_xid.values() if env_rel in rels) >= 3 and
            sum(1 for rels in by_xid.values() if mb_rel in rels) >= 2,
            (len(by_xid), by_xid))
    late = [t % W for t in commits if t % W > 1.5]
    R.check("every COMMIT in the WAL lies within 1.5 s after a window "
            "boundary", not late, late)
    R.check("no COMMIT time in the WAL falls on a submission",
            not [t for t in commits if near(t)])
    R.check("no transaction writes both an envelope and a mailbox",
            not [x for x, rels in by_xid.items()
                 if env_rel in rels and mb_rel in rels])
    roots = [PG_DATA, SPOOL, os.path.dirname(PG_DATA)]
    hits = [(p, m, c) for p, m, c in file_times(roots)
            if near(m) or near(c)]
    R.check("no file time under the data directory or the spool falls on "
            "a submission", not hits, hits[:5])
    order = []
    days = set()
    for line in psql("SELECT id, day::text FROM envelopes WHERE org_id = %s "
                     "AND id > %d ORDER BY id" % (alpha, last_id)).split():
        i, day = line.split("|")
        days.add(day)
        body = base64.b64decode(psql(
            "SELECT encode(body, 'base64') FROM envelopes WHERE id = %s"
            % i).replace("\n", ""))
        r = case(HOME, "open", stdin=body)
        m = re.search(rb"time scan order (\d)", r.stdout)
        if m:
            order.append(int(m.group(1)))
    today = {time.strftime("%Y-%m-%d", time.gmtime(s)) for s, _ in subs}
    R.check("moved reports keep the day they arrived, nothing finer",
            days and days <= today, (days, today))
    R.check("the eight reports of one window got ids in no arrival order",
            sorted(order) == list(range(8)) and order != list(range(8)),
            order)
    # Control: without a window, a commit carries the submission's time.
    srv = Server(log=os.path.join(D, "server-time.log"),
                 extra=["--intake_window", "0"])
    srv.start(cwd=SRV_CWD)
    lsn = psql("SELECT pg_current_wal_lsn()").strip()
    wait_until((int(time.time()) // W + 1) * W + 3.0)
    subs.clear()
    timed(lambda: api(100))
    srv.stop()
    commits = [t for _, _, t in wal_records(lsn) if t is not None]
    R.check("control: with intake_window = 0 the WAL gives the submission's "
            "time (the WAL scan can fail)", any(near(t) for t in commits),
            (subs, commits))
# ---- the live server's memory ---------------------------------------------

MEM_REGION_MAX = 1 << 32  # larger writable maps: AddressSanitizer's shadow
MEM_CHUNK = 16 << 20


def scan_memory(pid, needles):
    """{label: hit count}, the bytes read and the maps skipped, over every
    writable mapping of a live process (heap, anonymous maps,
    sodium_malloc's pages, thread stacks), read through /proc/PID/mem in
    chunks that overlap by the longest needle. Maps over 4 GiB are
    skipped: only AddressSanitizer's shadow is that large (a plain build
    has none)."""
    hits = {k: 0 for k in needles}
    over = max(len(n) for n in needles.values()) - 1
    nbytes = skipped = 0
    with open("/proc/%d/maps" % pid) as maps, \
            open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for line in maps:
            parts = line.split()
            if "w" not in parts[1] or "r" not in parts[1]:
                continue
            if len(parts) > 5 and parts[5] in ("[vvar]", "[vsyscall]"):
                continue
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            if hi - lo > MEM_REGION_MAX:
                skipped += 1
                continue
            tail_ = b""
            pos = lo
            while pos < hi:
                n = min(MEM_CHUNK, hi - pos)
                try:
                    mem.seek(pos)
                    data = mem.read(n)
                except (OSError, ValueError, OverflowError):
                    break
                if not data:
                    break
                buf = tail_ + data
                for k, nd in needles.items():
                    # Count each hit once: those wholly in the old tail
                    # were counted with the previous chunk.
                    hits[k] += buf.count(nd) - tail_.count(nd)
                tail_ = buf[-over:] if over else b""
                nbytes += len(data)
                pos += len(data)
    return hits, nbytes, skipped


def memory_scan(receipts, lookups):
    """The live server after the run (no-JS reports with receipts, /check
    pages showing a reply, a no-JS write-back, every request ended): its
    writable memory holds none of the receipts, the reply text, the forms'
    and the write-back's text or the lookup ids. A form still being uploaded is legitimately live, so its canary
    is found (control: the scan reads the heap where form values are
    kept)."""
    pid = SRV.proc.pid
    receipts = list(receipts)
    # Last before the scan, so that no later request reuses their memory:
    # a no-JS report with a receipt, and /check pages showing the reply
    # (grouped and ungrouped receipt).
    st, _, page = req("POST", "/report", urllib.parse.urlencode(
        form_fields("form"), doseq=True).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    m = RECEIPT_RE.search(page)
    R.check("memory scan: a no-JS report gets a receipt", st == 201 and m,
            st)
    if m:
        receipts.append(m.group(1).decode())
    # A refused no-JS report comes back filled: the page that shows its
    # text again is built and freed in wiped memory too.
    fields = form_fields("ref")
    fields["incident.day"] = "31"
    fields["incident.month"] = "2"
    fields["incident.year"] = "2024"
    st, _, page = req("POST", "/report", urllib.parse.urlencode(
        fields, doseq=True).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    R.check("memory scan: a refused no-JS report comes back filled",
            st == 400 and CAN["refnarr"].encode() in page and
            CAN["refplace"].encode() in page, st)
    for form in (receipts[1], receipts[1].replace(" ", "")):
        st, _, page = req("POST", "/check", urllib.parse.urlencode(
            {"receipt": form, "lang": "en"}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        R.check("memory scan: /check shows the reply", st == 200 and
                CAN["reply"].encode() in page, st)
    # the reporter writes back without JavaScript (POST /report with the
    # receipt: the server derives the mailbox, seals and wipes)
    st, _, page = req("POST", "/report", urllib.parse.urlencode(
        {"org": "alpha", "lang": "en", "receipt": receipts[1],
         "narrative": CAN["wbtext"] + " he came back"}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"})
    R.check("memory scan: a no-JS write-back is sent", st == 201, st)
    del page
    time.sleep(1.0)  # every connection closed, every job done
    needles = {}
    for i, rc in enumerate(receipts):
        needles["receipt %d grouped" % i] = rc.encode()
        needles["receipt %d ungrouped" % i] = rc.replace(" ", "").encode()
        needles["receipt %d as a form sends it" % i] = rc.replace(
            " ", "+").encode()
    needles["reply text"] = CAN["reply"].encode()
    needles["no-JS write-back text"] = CAN["wbtext"].encode()
    for k in ("formnarr", "formplace", "formid", "formdesc", "mpnarr",
              "mpplace", "mpid", "refnarr", "refplace", "refid"):
        needles["no-JS form text (canary %s)" % k] = CAN[k].encode()
    # The lookup ids: the server derives each from its receipt on /check
    # (and the API reporter also sent its own, lookup id 0, to the API).
    lookups = lookups + [tool("derive", rc).decode().split()[1]
                         for rc in receipts[len(lookups):]]
    for i, lk in enumerate(lookups):
        needles["lookup id %d (hex)" % i] = lk.encode()
        needles["lookup id %d (raw)" % i] = bytes.fromhex(lk)
    hits, nbytes, skipped = scan_memory(pid, needles)
    print("figures: scanned %.1f MB of the live server's writable memory "
          "(%d maps over 4 GiB skipped) for %d needles: %d hits" % (
              nbytes / 1e6, skipped, len(needles), sum(hits.values())))
    for k, n in hits.items():
        R.check("live server memory: 0 hits for %s" % k, n == 0, n)
    # Control: a form whose upload has not ended keeps its text in the
    # form buffers; the scan must find it there.
    live = "LKLIVE" + secrets.token_hex(8)
    fields = form_fields("form")
    fields["narrative"] = live + " still typing"
    body = urllib.parse.urlencode(fields, doseq=True)
    s = socket.create_connection(("127.0.0.1", SRV.port),
                                 source_address=(CLIENT, 0))
    try:
        s.sendall(("POST /report HTTP/1.1\r\nHost: x\r\nContent-Type: "
                   "application/x-www-form-urlencoded\r\nContent-Length: "
                   "%d\r\n\r\n%s&" % (len(body) + 100, body)).encode())
        time.sleep(0.5)
        h, _, _ = scan_memory(pid, {"live": live.encode()})
        R.check("the memory scan finds a form still being uploaded "
                "(control)", h["live"] > 0, h)
    finally:
        s.close()


# ---- core files -------------------------------------------------------------

def core_files(d):
    return [f for f in os.listdir(d) if f.startswith("core")]


def crash_checks():
    pattern = open("/proc/sys/kernel/core_pattern").read().strip()
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))
    except (ValueError, OSError):
        pass
    limit = resource.getrlimit(resource.RLIMIT_CORE)[0]
    print("core_pattern '%s', ulimit -c %s" % (
        pattern, "unlimited" if limit == resource.RLIM_INFINITY else limit))
    cwd = os.path.join(D, "crash")
    os.makedirs(cwd)
    # Control: a program that does not protect itself leaves a core here.
    p = subprocess.Popen(["sleep", "30"], cwd=cwd)
    time.sleep(0.2)
    p.send_signal(signal.SIGSEGV)
    p.wait()
    time.sleep(0.5)
    control = core_files(cwd)
    for f in control:
        os.unlink(os.path.join(cwd, f))
    can_see = bool(control)
    if pattern.startswith("|"):
        print("core_pattern is a pipe: cores go to '%s', not the folder; "
              "checking the processes' own limits instead" % pattern)
    elif not can_see:
        print("the control crash left no core file here (core_pattern '%s',"
              " ulimit -c %s): checking the processes' limits instead" %
              (pattern, limit))
    else:
        R.check("control: an unprotected program leaves a core file",
                can_see)

    def protected(pid):
        """RLIMIT_CORE of a live process is 0 (as /proc/PID/limits says)."""
        with open("/proc/%d/limits" % pid) as f:
            for line in f:
                if line.startswith("Max core file size"):
                    return line.split()[4] == "0"
        return False

    results = []
    big = report_doc(CAN["apinarr"] + " crash " + "x" * 300000)
    env = seal(big)
    for sig in (signal.SIGSEGV, signal.SIGABRT):
        # umbra-server in the middle of a no-JS form whose body (narrative
        # and all) is half sent: the plaintext is in its form buffers.
        srv = Server(log=os.path.join(D, "crash-server.log"))
        srv.start(cwd=cwd)
        body = urllib.parse.urlencode(form_fields("form"), doseq=True)
        s = socket.create_connection(("127.0.0.1", srv.port),
                                     source_address=(CLIENT, 0))
        s.sendall(("POST /report HTTP/1.1\r\nHost: x\r\nContent-Type: "
                   "application/x-www-form-urlencoded\r\nContent-Length: "
                   "%d\r\n\r\n%s" % (len(body) + 100, body)).encode())
        time.sleep(0.3)
        lim0 = protected(srv.proc.pid)
        rc = srv.kill(sig)
        s.close()
        results.append(("umbra-server", sig, rc, lim0))
        # umbra-case open with a 300 KB report it has opened and cannot
        # finish writing (nobody reads its stdout): plaintext in memory.
        p = subprocess.Popen([CASE, "--home", HOME, "--passphrase-file",
                              os.path.join(D, "passphrase"), "open"],
                             cwd=cwd, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        p.stdin.write(env)
        p.stdin.close()
        time.sleep(0.5)
        lim1 = protected(p.pid)
        p.send_signal(sig)
        p.wait()
        got = p.stdout.read()
        results.append(("umbra-case open (blocked writing the plaintext, "
                        "%d bytes out)" % len(got), sig, p.returncode, lim1))
    time.sleep(0.5)
    cores = core_files(cwd)
    # Under AddressSanitizer its own SIGSEGV handler reports and exits 1.
    asan = "/asan/" in os.environ["UMBRA_SERVER"]
    for name, sig, rc, lim in results:
        R.check("%s killed by %s (it was running: exit %s)" % (
            name, signal.Signals(sig).name, rc),
            rc == -sig or (asan and rc == 1), rc)
        R.check("%s runs with a core size limit of 0" % name, lim)
    if can_see:
        R.check("no core file after the crashes (ulimit -c unlimited, "
                "pattern '%s')" % pattern, not cores, cores)
    print("figures: crashes of umbra-server and umbra-case open by SIGSEGV "
          "and SIGABRT: %d core files (control: %s)" % (
              len(cores), "a core file" if can_see else "cannot observe"))


def main():
    SRV.start(cwd=SRV_CWD)
    receipts, lookups = run_flow()
    memory_scan(receipts, lookups)
    leak_scan(receipts, lookups)
    time_scan()
    rep = sanitizer_reports(SRV.log)
    R.check("no sanitizer report in the server's log", not rep, rep[:5])
    crash_checks()


if __name__ == "__main__":
    R.run(main)
