#!/usr/bin/python3
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
        "errdate", "errjson", "errpath", "errxff", "errreceipt")}
HOME = os.path.join(D, "alpha")
TOKF = os.path.join(D, "alpha.token")
SRV_CWD = os.path.join(D, "server-cwd")
SRV_TMP = os.path.join(D, "server-tmp")
os.makedirs(SRV_CWD)
os.makedirs(SRV_TMP)
os.environ["TMPDIR"] = SRV_TMP  # the server and umbra-case inherit it
SRV = Server()


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
    st, _, body = req("POST", "/api/v1/mailboxes",
                      json.dumps({"id": mailbox_id}).encode(),
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
            [st1, st2, st3, st4, st5] == [400, 400, 400, 404, 400],
            [st1, st2, st3, st4, st5])
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
    server_side = [SRV.log, SRV_CWD, SRV_TMP, PG_LOG, PG_DATA, sockdir] + shm
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
    pages showing a reply, every request ended): its writable memory holds
    none of the receipts, the reply text, the forms' text or the lookup
    ids. A form still being uploaded is legitimately live, so its canary
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
    for form in (receipts[1], receipts[1].replace(" ", "")):
        st, _, page = req("POST", "/check", urllib.parse.urlencode(
            {"receipt": form, "lang": "en"}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        R.check("memory scan: /check shows the reply", st == 200 and
                CAN["reply"].encode() in page, st)
    del page
    time.sleep(1.0)  # every connection closed, every job done
    needles = {}
    for i, rc in enumerate(receipts):
        needles["receipt %d grouped" % i] = rc.encode()
        needles["receipt %d ungrouped" % i] = rc.replace(" ", "").encode()
        needles["receipt %d as a form sends it" % i] = rc.replace(
            " ", "+").encode()
    needles["reply text"] = CAN["reply"].encode()
    for k in ("formnarr", "formplace", "formid", "formdesc", "mpnarr",
              "mpplace", "mpid"):
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
    rep = sanitizer_reports(SRV.log)
    R.check("no sanitizer report in the server's log", not rep, rep[:5])
    crash_checks()


if __name__ == "__main__":
    R.run(main)
