#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""make test-cluster: the cluster of scripts/cluster.sh under load, with
parts killed by SIGKILL (tests/cluster/run.sh starts the cluster on free
loopback ports and runs this).

Phases, all through HAProxy unless said otherwise:
  intake    the same bounded wrk load (fixed envelope, organisation
            'bench', not pulled) through HAProxy with server b out of the
            rotation, then with both, then straight to server a: reports
            per second of each (printed, not asserted)
  forms     six no-JS form reports with a receipt (the servers' Argon2
            pools), answered 201 and pulled with the rest
  server    CLUSTER_CLIENTS clients post fresh envelopes (each sealed to
            the demo organisation with its own canary); server a is
            killed with SIGKILL mid-load and started again
  postmaster  the same load; the primary's postmaster is killed with
            SIGKILL (its pg_autoctl keeper restarts it, or the monitor
            fails over, whichever comes first)
  node      the same load; the primary's whole node is killed with
            SIGKILL (pg_autoctl and every process under it): the monitor
            promotes the standby
For each fault: the time from the kill to the first 201 of a request
sent after it. Outcomes a client may see: 201; 503 with Retry-After;
a refused connection. Anything else (another status, a 503 without
Retry-After, a timeout: a hang) fails. At the end the caseworker pulls
through HAProxy and imports: every report answered 201 must be in the
case store exactly once. Reports stored though not answered 201 are
counted, not failed.
Bounds: about CLUSTER_PHASE_SECONDS (12) per fault phase, CLUSTER_CLIENTS
(8) clients, CLUSTER_WRK_SECONDS (8) per intake run.
"""
import base64
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "vectors"))
import pyumbra  # noqa: E402

TOP = os.path.abspath(os.path.join(HERE, "..", ".."))
O = os.environ.get("O", "build")
CASE = os.path.join(TOP, O, "umbra-case")
SERVER = os.path.join(TOP, O, "umbra-server")
CL = os.environ["CLUSTER_DIR"]
DEMO = os.environ["CLUSTER_DEMO"]
PORT = int(os.environ["UMBRA_PORT"])
PORT_A = int(os.environ["CLUSTER_SERVER_PORT"])
CLIENTS = int(os.environ.get("CLUSTER_CLIENTS", "8"))
PHASE = float(os.environ.get("CLUSTER_PHASE_SECONDS", "12"))
WRK_SECS = int(os.environ.get("CLUSTER_WRK_SECONDS", "8"))
RUN_ID = base64.b32encode(os.urandom(5)).decode().lower()

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL " + name + (": " + str(detail) if detail else ""))
    sys.stdout.flush()


def status():
    """{(kind, name): fields} from scripts/cluster.sh status."""
    p = subprocess.run([os.path.join(TOP, "scripts", "cluster.sh"),
                        "status"], capture_output=True, text=True,
                       timeout=30)
    out = {}
    for line in p.stdout.splitlines():
        f = line.split()
        if f:
            out[(f[0], f[1])] = f[2:]
    return out


def primary():
    """(name, postmaster pid) of the node the monitor calls primary."""
    for (kind, name), f in status().items():
        if kind == "pg" and f[0] in ("primary", "wait_primary", "single"):
            return name, int(f[1])
    return None, None


def wait_settled(timeout):
    """Until one node is primary and the other secondary."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        roles = sorted(f[0] for (k, n), f in status().items()
                       if k == "pg" and n != "monitor")
        if roles == ["primary", "secondary"]:
            return True
        time.sleep(1)
    return False


# ---- envelopes ------------------------------------------------------------

with open(os.path.join(DEMO, "case", "public.json"), "rb") as f:
    BUNDLE = pyumbra.bundle_verify(f.read())
PKS = [base64.b64decode(k["x25519"]) for k in BUNDLE["keys"]]
counter = [0]
counter_lock = threading.Lock()


def fresh():
    with counter_lock:
        counter[0] += 1
        n = counter[0]
    canary = "CLU%s-%06d" % (RUN_ID, n)
    doc = {"schema": "umbra.report/1", "lang": "en", "via": "cli",
           "categories": ["robbery"],
           "narrative": canary + " cluster test report",
           "incident": {"date": "2026-11", "country": "TH"},
           "consent": {"statistics": True}}
    return canary, pyumbra.seal(PKS, json.dumps(doc).encode())


# ---- the clients ----------------------------------------------------------

attempts = []  # dicts
att_lock = threading.Lock()
stop = threading.Event()


def client():
    while not stop.is_set():
        canary, env = fresh()
        a = {"canary": canary, "t0": time.monotonic()}
        try:
            c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=20)
            c.request("POST", "/api/v1/orgs/demo/reports", env,
                      {"Content-Type": "application/octet-stream"})
            r = c.getresponse()
            r.read()
            a["status"] = r.status
            ra = r.getheader("Retry-After")
            if r.status == 201:
                a["kind"] = "acked"
            elif r.status == 503 and ra:
                a["kind"] = "503"
            else:
                a["kind"] = "bad"
            c.close()
        except ConnectionRefusedError:
            a["kind"] = "refused"
        except Exception as e:  # noqa: BLE001 - every other end is bad
            a["kind"] = "bad"
            a["error"] = repr(e)
        a["t1"] = time.monotonic()
        with att_lock:
            attempts.append(a)
        if a["kind"] != "acked":
            time.sleep(0.2)


def outage(t):
    """(first failure, back) in seconds from t: when the first answer
    other than 201 came after t, and when the first 201 came to a request
    sent after that failure (None while not yet); with no failure at all,
    (None, the first 201 of a request sent after t)."""
    with att_lock:
        fails = [a["t1"] for a in attempts
                 if a["kind"] != "acked" and a["t1"] >= t]
        t_fail = min(fails) if fails else None
        since = t_fail if t_fail is not None else t
        acks = [a["t1"] for a in attempts
                if a["kind"] == "acked" and a["t0"] >= since]
    back = min(acks) - t if acks else None
    return (t_fail - t if t_fail is not None else None), back


def load(fault, name):
    """PHASE seconds of load; fault() a third of the way in. Returns the
    time from the fault to the first 201 after the outage it caused."""
    stop.clear()
    ts = [threading.Thread(target=client, daemon=True)
          for _ in range(CLIENTS)]
    for t in ts:
        t.start()
    time.sleep(PHASE / 3)
    t_kill = fault()  # the moment of the kill itself
    # At least PHASE * 2 / 3 after the kill, and until service is back.
    end = t_kill + 180
    while time.monotonic() < end and (
            time.monotonic() < t_kill + PHASE * 2 / 3 or
            outage(t_kill)[1] is None):
        time.sleep(0.1)
    stop.set()
    for t in ts:
        t.join(30)
    fail, back = outage(t_kill)
    check("%s: a 201 after the kill" % name, back is not None)
    # What the clients saw, second by second from the kill.
    with att_lock:
        last = max(a["t1"] for a in attempts) - t_kill
        line = []
        for sec in range(-1, int(last) + 1):
            k = {}
            for a in attempts:
                if sec <= a["t1"] - t_kill < sec + 1:
                    k[a["kind"]] = k.get(a["kind"], 0) + 1
            line.append("%+d[%s]" % (sec, " ".join(
                "%s=%d" % (x, k[x]) for x in sorted(k))))
    print("     %s, answers by second from the kill: %s"
          % (name, " ".join(line)))
    if fail is not None:
        print("     %s: first answer other than 201 %.2f s after the kill"
              % (name, fail))
    return back


# ---- phases ---------------------------------------------------------------

def wrk(port, envelope):
    p = subprocess.run(
        ["wrk", "-t2", "-c32", "-d%ds" % WRK_SECS, "--timeout", "10s",
         "-s", os.path.join(TOP, "tests", "bench", "bench_server_post.lua"),
         "http://127.0.0.1:%d" % port],
        capture_output=True, text=True, timeout=WRK_SECS + 60,
        env=dict(os.environ, ENVELOPE=envelope,
                 PATH_INTAKE="/api/v1/orgs/bench/reports"))
    m = re.search(r"WRK requests=(\d+) errors_status=(\d+) errors_conn=(\d+)"
                  r" secs=([\d.]+) p50_ms=([\d.]+) p99_ms=([\d.]+)", p.stdout)
    if not m:
        return None
    req, est, econ, secs = (int(m[1]), int(m[2]), int(m[3]), float(m[4]))
    return {"rps": (req - est - econ) / secs, "errors": est + econ,
            "p99": float(m[6])}


def phase_intake():
    bench = os.path.join(CL, "..", "bench.json")
    env = os.path.join(CL, "..", "bench.env")
    with open(os.path.join(DEMO, "case", "public.json"), "rb") as f:
        b = json.loads(f.read())
    # A bundle names its organisation: 'bench' gets one of its own, whose
    # reports nobody pulls.
    seed = os.urandom(32)
    x_sk = os.urandom(32)
    import nacl.bindings as nb
    x_pk = nb.crypto_scalarmult_base(x_sk)
    text = pyumbra.bundle_make("bench", b["created"], seed,
                               [(x_pk, b["created"])])
    with open(bench, "wb") as f:
        f.write(text if isinstance(text, bytes) else text.encode())
    r = subprocess.run([SERVER, "--config", os.path.join(CL, "server.conf"),
                        "org", "add", "bench", "--name", "Bench",
                        "--public-key", bench], capture_output=True)
    check("org bench added", r.returncode == 0, r.stderr)
    with open(env, "wb") as f:
        f.write(pyumbra.seal([x_pk], b'{"bench": true}'))
    # The servers load organisations at start and on a change: wait until
    # both know 'bench'.
    for port in (PORT_A, PORT_A + 1):
        end = time.monotonic() + 30
        while time.monotonic() < end:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/api/v1/orgs/bench")
            if c.getresponse().status == 200:
                break
            time.sleep(0.5)
    # The same path both times: through HAProxy, first with server b out
    # of the rotation (its runtime API), then with both.
    haproxy_cmd("disable server servers/b")
    one = wrk(PORT, env)
    haproxy_cmd("enable server servers/b")
    time.sleep(2)
    two = wrk(PORT, env)
    direct = wrk(PORT_A, env)
    check("intake runs, every request answered 201",
          one and two and direct and one["rps"] > 0 and two["rps"] > 0 and
          not one["errors"] and not two["errors"] and not direct["errors"],
          (one, two, direct))
    if one and two:
        print("FIGURE intake through HAProxy, one server:  %.0f reports/s, "
              "p99 %.1f ms" % (one["rps"], one["p99"]))
        print("FIGURE intake through HAProxy, two servers: %.0f reports/s, "
              "p99 %.1f ms (%.2fx one)" % (two["rps"], two["p99"],
                                          two["rps"] / one["rps"]))
    if direct:
        print("FIGURE intake straight to one server:       %.0f reports/s, "
              "p99 %.1f ms" % (direct["rps"], direct["p99"]))


def haproxy_cmd(cmd):
    import socket
    s = socket.socket(socket.AF_UNIX)
    s.connect(os.path.join(CL, "haproxy.sock"))
    s.sendall(cmd.encode() + b"\n")
    out = s.recv(4096)
    s.close()
    return out


def phase_forms():
    """No-JS form reports through HAProxy (so on both servers' Argon2
    pools), each with a receipt (a mailbox in the same commit): 201, and
    pulled at the end with the rest."""
    import urllib.parse
    ok = 0
    for i in range(6):
        canary = "CLU%s-F%03d" % (RUN_ID, i)
        body = urllib.parse.urlencode({
            "org": "demo", "lang": "en", "incident.date": "2026-11",
            "incident.country": "th", "categories": "robbery",
            "narrative": canary + " cluster form report",
            "consent.statistics": "yes", "reply": "yes"}).encode()
        a = {"canary": canary, "t0": time.monotonic()}
        c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        c.request("POST", "/report", body,
                  {"Content-Type": "application/x-www-form-urlencoded"})
        r = c.getresponse()
        r.read()
        c.close()
        a["status"] = r.status
        a["kind"] = "acked" if r.status == 201 else "bad"
        a["t1"] = time.monotonic()
        ok += a["kind"] == "acked"
        with att_lock:
            attempts.append(a)
    check("no-JS form reports with a receipt through HAProxy: 201", ok == 6,
          ok)


def kill_server():
    pid = int(status()[("server", "a")][0])
    os.kill(pid, signal.SIGKILL)
    t = time.monotonic()
    print("     killed server a (pid %d)" % pid)
    return t


def restart_server():
    """Server a again, as scripts/cluster.sh starts it (its log appends)."""
    args = [SERVER, "--config", os.path.join(CL, "server.conf"),
            "--port", str(PORT_A), "--metrics_listen",
            "127.0.0.1:%s" % os.environ["CLUSTER_METRICS_PORT"],
            "--spool_dir", os.path.join(CL, "server-a", "spool")]
    if os.getuid() == 0:
        user = os.environ.get("UMBRA_PG_USER", "postgres")
        args = ["setpriv", "--reuid", user, "--regid", user,
                "--init-groups", "--reset-env", "--"] + args
    log = open(os.path.join(CL, "server-a.log"), "ab")
    p = subprocess.Popen(args, stdout=log, stderr=log,
                         start_new_session=True)
    with open(os.path.join(CL, "server-a.pid"), "w") as f:
        f.write("%d\n" % p.pid)
    return p


def kill_postmaster():
    name, pid = primary()
    os.kill(pid, signal.SIGKILL)
    t = time.monotonic()
    print("     killed the postmaster of %s (pid %d)" % (name, pid))
    return t


def kill_node(dead):
    name, pid = primary()
    with open(os.path.join(CL, "autoctl-%s.pid" % name)) as f:
        keeper = int(f.read().strip())
    # pg_autoctl run and every process under it, at once: a dead machine.
    tree = [keeper]
    out = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True,
                         text=True).stdout.split()
    pairs = [(int(out[i]), int(out[i + 1])) for i in range(0, len(out), 2)]
    grew = True
    while grew:
        grew = False
        for p, pp in pairs:
            if pp in tree and p not in tree:
                tree.append(p)
                grew = True
    for p in tree:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
    t = time.monotonic()
    dead.append(name)
    print("     killed node %s: pg_autoctl and %d processes under it"
          % (name, len(tree) - 1))
    return t


def check_sync(what):
    """synchronous_commit and synchronous_standby_names as pg_auto_failover
    set them on the primary, and a standby streaming in sync."""
    st = status()
    sock = open(os.path.join(CL, "sockdir")).read().strip()
    name, _ = primary()
    port = st[("pg", name)][2]
    q = ("SELECT current_setting('synchronous_commit'), "
         "current_setting('synchronous_standby_names'), "
         "(SELECT string_agg(sync_state, ',') FROM pg_stat_replication)")
    cmd = ["psql", "-X", "-At", "-h", sock, "-p", port, "-d", "umbra",
           "-c", q]
    if os.getuid() == 0:
        cmd = ["runuser", "-u", os.environ.get("UMBRA_PG_USER", "postgres"),
               "--"] + cmd
    out = subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
    print("     primary %s: synchronous_commit|standby_names|sync_state: %s"
          % (name, out))
    f = out.split("|")
    check(what, len(f) == 3 and f[0] == "on" and
          f[1].startswith("ANY 1 (") and f[2] in ("quorum", "sync"), out)


def restart_node(name):
    """pg_autoctl run for a node, as scripts/cluster.sh starts it."""
    sock = open(os.path.join(CL, "sockdir")).read().strip()
    pg_bin = os.path.dirname(subprocess.run(
        ["sh", "-c", ". tests/lib/pg.sh; echo $PG_BIN/x"], cwd=TOP,
        capture_output=True, text=True).stdout.strip())
    args = ["env", "PATH=%s:/usr/bin:/bin" % pg_bin, "HOME=" + CL,
            "LANG=C.UTF-8", "XDG_CONFIG_HOME=%s/xdg/config" % CL,
            "XDG_DATA_HOME=%s/xdg/data" % CL,
            "XDG_RUNTIME_DIR=%s/xdg/run" % CL, "PGHOST=" + sock,
            "pg_autoctl", "run", "--pgdata", os.path.join(CL, "pg", name)]
    if os.getuid() == 0:
        user = os.environ.get("UMBRA_PG_USER", "postgres")
        args = ["setpriv", "--reuid", user, "--regid", user,
                "--init-groups", "--reset-env", "--"] + args
    log = open(os.path.join(CL, name + ".log"), "ab")
    p = subprocess.Popen(args, stdout=log, stderr=log,
                         start_new_session=True)
    with open(os.path.join(CL, "autoctl-%s.pid" % name), "w") as f:
        f.write("%d\n" % p.pid)


def main():
    check("cluster settled", wait_settled(60))
    st = status()
    print("\n".join(" ".join((k, n) + tuple(f)) for (k, n), f in st.items()))

    check_sync("synchronous replication on the primary")

    phase_intake()
    phase_forms()

    t = load(kill_server, "server kill")
    if t is not None:
        print("FIGURE server SIGKILL: service back %.2f s after the kill" % t)
    restart_server()
    time.sleep(2)

    check("cluster settled before the postmaster kill", wait_settled(60))
    t = load(kill_postmaster, "postmaster kill")
    if t is not None:
        print("FIGURE primary postmaster SIGKILL: service back %.2f s after "
              "the kill" % t)

    check("cluster settled before the node kill", wait_settled(120))
    dead = []
    t = load(lambda: kill_node(dead), "node kill")
    if t is not None:
        print("FIGURE primary node SIGKILL (failover): service back %.2f s after the kill"
              % t)
    # The dead machine comes back: it rejoins as the standby, and commits
    # are synchronous again.
    t0 = time.monotonic()
    restart_node(dead[0])
    ok = wait_settled(180)
    check("node %s back as the standby" % dead[0], ok)
    if ok:
        print("FIGURE node %s back as a synchronous standby %.1f s after its "
              "restart" % (dead[0], time.monotonic() - t0))
        check_sync("synchronous replication again after the node's return")
    for (k, n), f in status().items():
        print("     after: %s %s %s" % (k, n, " ".join(f)))

    kinds = {}
    for a in attempts:
        kinds[a["kind"]] = kinds.get(a["kind"], 0) + 1
    print("     outcomes: %s" % kinds)
    bad = [a for a in attempts if a["kind"] == "bad"]
    check("clients saw only 201, 503 with Retry-After or refusals",
          not bad, bad[:5])

    # The pull once the cluster serves again (the promotion done).
    end = time.monotonic() + 120
    while time.monotonic() < end:
        try:
            c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=5)
            c.request("GET", "/healthz")
            if c.getresponse().status == 200:
                break
        except OSError:
            pass
        time.sleep(0.5)
    home = os.path.join(DEMO, "case")
    url = "http://127.0.0.1:%d" % PORT
    base = [CASE, "--home", home, "--passphrase-file",
            os.path.join(DEMO, "passphrase")]
    r = subprocess.run(base + ["pull", "--server", url, "--token-file",
                               os.path.join(DEMO, "token")],
                       capture_output=True, timeout=600)
    check("umbra-case pull", r.returncode == 0, r.stderr[-500:])
    r = subprocess.run(base + ["import"], capture_output=True, timeout=900)
    check("umbra-case import", r.returncode == 0, r.stderr[-500:])
    r = subprocess.run(base + ["list", "--json"], capture_output=True,
                       timeout=300)
    seen = {}
    for line in r.stdout.decode().splitlines():
        s = json.loads(line).get("summary", "")
        if s.startswith("CLU" + RUN_ID):
            k = s.split(" ", 1)[0]
            seen[k] = seen.get(k, 0) + 1
    acked = [a["canary"] for a in attempts if a["kind"] == "acked"]
    lost = [c for c in acked if seen.get(c, 0) == 0]
    twice = [c for c, n in seen.items() if n > 1]
    extra = [a["canary"] for a in attempts
             if a["kind"] != "acked" and seen.get(a["canary"])]
    print("FIGURE reports answered 201: %d; in the case store: %d; lost: %d;"
          " twice: %d; stored though not answered 201: %d"
          % (len(acked), len(seen), len(lost), len(twice), len(extra)))
    check("every report answered 201 pulled", not lost, lost[:5])
    check("no report pulled twice", not twice, twice[:5])
    check("a load of some size", len(acked) >= 200, len(acked))


try:
    main()
except Exception as e:  # noqa: BLE001 - counted as a failure
    import traceback
    traceback.print_exc()
    check("test ran to its end", False, repr(e))
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
