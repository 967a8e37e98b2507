# SPDX-License-Identifier: AGPL-3.0-or-later
"""What the Python tests share (standard library only): the "N passed, N
failed" bookkeeping, a free loopback port, one HTTP request on a new
connection, umbra-server as a child process on a free port of 127.0.0.1,
server_tool, and a search of a folder for a needle.

Importing it needs no environment. Server and tool() read the paths that
tests/integration/server_env.sh exports (see umbra_env.py) when called.
"""
import atexit
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import traceback


class Results:
    """Counts checks; prints "ok NAME" or "FAIL NAME: DETAIL" for each and
    the closing "N passed, N failed" line."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            print("ok   %s" % name, flush=True)
        else:
            self.failed += 1
            print("FAIL %s%s" % (name, ": " + str(detail)[:2000] if detail
                                 else ""), flush=True)
        return bool(cond)

    def each(self, tests, *args):
        """Runs each test(*args); one that raises is one more failure
        ("NAME ran to the end"), with its trace, and the next one runs."""
        for t in tests:
            try:
                t(*args)
            except Exception as e:  # noqa: BLE001
                traceback.print_exc()
                self.check(t.__name__ + " ran to the end", False, repr(e))

    def run(self, main):
        """Runs main(); an exception is one more failure, with its trace,
        and the closing line is printed all the same."""
        try:
            main()
        except Exception:  # noqa: BLE001
            traceback.print_exc()
            self.failed += 1
        self.end()

    def finish(self):
        """Prints the closing line; the exit status to give."""
        print("%d passed, %d failed" % (self.passed, self.failed),
              flush=True)
        return 1 if self.failed else 0

    def end(self):
        sys.exit(self.finish())


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


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


def tail(path, n=30):
    try:
        with open(path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-n:]).decode("utf-8",
                                                                "replace")
    except OSError:
        return ""


def grep_tree(root, needle):
    """Files under root whose raw bytes contain needle."""
    hits = []
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                if needle in fh.read():
                    hits.append(p)
    return hits


def tool(*args, data=None, timeout=None):
    """build/server_tool (beside umbra-server) with args; its stdout."""
    exe = os.path.join(os.path.dirname(os.environ["UMBRA_SERVER"]),
                       "server_tool")
    p = subprocess.run([exe, *args], input=data, capture_output=True,
                       timeout=timeout)
    assert p.returncode == 0, (args, p.stderr)
    return p.stdout


_procs = []


@atexit.register
def _kill_leftovers():
    """No server outlives its test, whatever happened."""
    for p in _procs:
        if p.poll() is None:
            p.kill()
            p.wait()


class Server:
    """umbra-server on a free port of 127.0.0.1 (or port), its output
    appended to log (default UMBRA_TEST_DIR/server.log). server and conf
    default to UMBRA_SERVER and UMBRA_CONF, the working folder to
    UMBRA_TOP."""

    def __init__(self, log=None, extra=(), port=None, server=None,
                 conf=None, cwd=None):
        self.port = port or free_port()
        self.log = log or os.path.join(os.environ["UMBRA_TEST_DIR"],
                                       "server.log")
        self.extra = list(extra)
        self.server = server or os.environ["UMBRA_SERVER"]
        self.conf = conf or os.environ["UMBRA_CONF"]
        self.cwd = cwd
        self.proc = None

    def start(self, *extra, wait=True, cwd=None):
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [self.server, "--config", self.conf, "--port", str(self.port),
             *self.extra, *extra],
            stdout=logf, stderr=logf,
            cwd=cwd or self.cwd or os.environ["UMBRA_TOP"])
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
        self.proc.kill()
        self.proc.wait()
        raise RuntimeError("server not healthy: %s" % tail(self.log))

    def kill(self, sig=signal.SIGKILL):
        self.proc.send_signal(sig)
        self.proc.wait()
        return self.proc.returncode

    def stop(self, timeout=20):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def url(self):
        return "http://127.0.0.1:%d" % self.port
