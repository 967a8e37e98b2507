# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shared helpers of the attack tests (tests/chaos, tests/leak): the
environment written by tests/integration/server_env.sh (umbra_env), a
server process on a free loopback port, requests and the "N passed, N
failed" bookkeeping (tests/lib/umbra.py), PostgreSQL crash and restart
through tests/lib/pg.sh, and the caseworker tool. Standard library only.
"""
import errno
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from umbra import Results, Server, request, tail  # noqa: E402,F401
from umbra_env import (CASE, CONF, D, PASS, PG_DATA, PG_LOG,  # noqa: E402,F401
                       SERVER, TOP)


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
