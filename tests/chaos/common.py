# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shared helpers of the attack tests (tests/chaos, tests/leak): the
environment written by tests/integration/server_env.sh, a server process
on a free loopback port, raw and http.client requests, PostgreSQL crash
and restart through tests/lib/pg.sh, the caseworker tool, and the
"N passed, N failed" bookkeeping. Standard library only.
"""
import atexit
import errno
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import traceback

D = os.environ["UMBRA_TEST_DIR"]
TOP = os.environ["UMBRA_TOP"]
SERVER = os.environ["UMBRA_SERVER"]
CASE = os.environ["UMBRA_CASE"]
CONF = os.environ["UMBRA_CONF"]
PG_DATA = os.environ["PG_DATA"]
PG_LOG = os.environ["PG_LOG"]
PASS = os.path.join(D, "passphrase")


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            print("ok   %s" % name, flush=True)
        else:
            self.failed += 1
            print("FAIL %s %s" % (name, str(detail)[:2000]), flush=True)
        return bool(cond)

    def run(self, main):
        """Runs main(); an exception is one more failure, with its trace,
        and the closing line is printed all the same."""
        try:
            main()
        except Exception:  # noqa: BLE001
            traceback.print_exc()
            self.failed += 1
        self.end()

    def end(self):
        print("%d passed, %d failed" % (self.passed, self.failed), flush=True)
        sys.exit(1 if self.failed else 0)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


_procs = []


@atexit.register
def _kill_leftovers():
    """No server outlives its test, whatever happened."""
    for p in _procs:
        if p.poll() is None:
            p.kill()
            p.wait()


class Server:
    """umbra-server on a free port of 127.0.0.1, its output in D/server.log."""

    def __init__(self, log=None, extra=()):
        self.port = free_port()
        self.log = log or os.path.join(D, "server.log")
        self.extra = list(extra)
        self.proc = None

    def start(self, *extra, wait=True, cwd=None):
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [SERVER, "--config", CONF, "--port", str(self.port),
             *self.extra, *extra],
            stdout=logf, stderr=logf, cwd=cwd or TOP)
        _procs.append(self.proc)
        logf.close()
        if wait:
            self.wait_healthy()

    def wait_healthy(self, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited %s: %s" % (
                    self.proc.returncode, tail(self.log)))
            try:
                st, _, _ = request(self.port, "GET", "/healthz", timeout=5)
                if st == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("server not healthy: %s" % tail(self.log))

    def kill(self, sig=signal.SIGKILL):
        self.proc.send_signal(sig)
        self.proc.wait()
        return self.proc.returncode

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def url(self):
        return "http://127.0.0.1:%d" % self.port


def sanitizer_reports(path):
    """Lines of AddressSanitizer, LeakSanitizer or UBSan reports in a log
    (the asan build of `make asan` writes them to the server's stderr)."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return []
    return [ln for ln in text.splitlines() if "ERROR: AddressSanitizer" in ln
            or "ERROR: LeakSanitizer" in ln or "runtime error:" in ln]


def tail(path, n=30):
    try:
        with open(path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-n:]).decode("utf-8",
                                                                "replace")
    except OSError:
        return ""


def request(port, method, path, body=None, headers=None, timeout=20,
            source=None, host="127.0.0.1"):
    """One request on a new connection: (status, headers lowercased, body)."""
    c = http.client.HTTPConnection(host, port, timeout=timeout,
                                   source_address=(source, 0) if source
                                   else None)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data
    finally:
        c.close()


def sh_pg(func):
    """Runs pg_kill/pg_stop/pg_start of tests/lib/pg.sh on our cluster."""
    pgdir = os.path.dirname(PG_DATA)
    p = subprocess.run(
        ["sh", "-c", '. "$1/tests/lib/pg.sh" && %s "$2"' % func, "sh", TOP,
         pgdir], capture_output=True, timeout=90)
    if p.returncode != 0:
        raise RuntimeError("%s: %s %s" % (func, p.stdout, p.stderr))


def pg_kill():
    sh_pg("pg_kill")


def pg_start():
    sh_pg("pg_start")


def pg_running():
    pid = os.path.join(PG_DATA, "postmaster.pid")
    return os.path.exists(pid)


def psql(sql):
    """Runs SQL as the cluster's superuser; stdout (unaligned, tuples only)."""
    pg_bin = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")
    cmd = [os.path.join(pg_bin, "psql"), "-X", "-qAt", "-d", "umbra",
           "-c", sql]
    if os.getuid() == 0:
        cmd = ["runuser", "-u", os.environ.get("PGUSER", "postgres"),
               "--"] + cmd
    p = subprocess.run(cmd, capture_output=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.decode())
    return p.stdout.decode()


def seal(doc, org="alpha"):
    data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    p = subprocess.run([CASE, "seal", "--to",
                        os.path.join(D, org, "public.json")], input=data,
                       capture_output=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.decode())
    return p.stdout


def report_doc(narrative, **extra):
    doc = {"schema": "umbra.report/1", "lang": "en", "via": "cli",
           "categories": ["robbery"], "narrative": narrative,
           "incident": {"date": "2026-11", "country": "TH"},
           "consent": {"statistics": True}}
    doc.update(extra)
    return doc


def case(home, *args, passphrase=True, stdin=None, timeout=300, cwd=None,
         env=None):
    cmd = [CASE, "--home", home]
    if passphrase:
        cmd += ["--passphrase-file", PASS]
    e = dict(os.environ)
    e.pop("UMBRA_PASSPHRASE_FILE", None)
    if env:
        e.update(env)
    return subprocess.run(cmd + list(args), input=stdin, capture_output=True,
                          timeout=timeout, cwd=cwd, env=e)


def list_cases(home):
    r = case(home, "list", "--json")
    if r.returncode != 0:
        raise RuntimeError(r.stderr.decode())
    return [json.loads(x) for x in r.stdout.decode().splitlines() if x]


def percentile(xs, p):
    if not xs:
        return float("nan")
    s = sorted(xs)
    k = min(len(s) - 1, max(0, int(round(p / 100.0 * len(s) + 0.5)) - 1))
    return s[k]


def conn_refused(e):
    return isinstance(e, ConnectionRefusedError) or (
        isinstance(e, OSError) and e.errno == errno.ECONNREFUSED)
