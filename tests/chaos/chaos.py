#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Fault injection (test-chaos): a bounded load of API and no-JS form
submissions while umbra-server is killed with SIGKILL and restarted, while
PostgreSQL is crashed with `pg_ctl stop -m immediate` and restarted,
several cycles each, and once both (the server restarted while the
database is still down).

Every API submission is a fresh envelope (sealed by `umbra-case seal` to
the organisation's public.json) whose narrative starts with its own
canary, so each attempt can be traced; so does every form's narrative.
Outcomes:
  201                acknowledged: must be in the case store exactly once
  503 + Retry-After  refused during a database outage (allowed)
  refused            connection refused while the server process is down
  cut                connection dropped by a SIGKILL while in flight
anything else (another status, a 503 without Retry-After, a refusal or a
drop while the server is up, a client timeout) fails the test. At the end
the caseworker pulls and imports: every acknowledged report must open,
exactly once; reports lost must be 0. Reports answered 503 yet stored
(the database committed, then crashed before the server heard of it) are
counted and listed, not failed. Last, the fuzz_http seeds are replayed
raw: the server must answer or close, never die.

Bounds: CHAOS_SERVER_CYCLES (3) and CHAOS_PG_CYCLES (3) cycles, about 60
submissions a second from CHAOS_CLIENTS (4) clients; ~40 s in all.
"""
import http.client
import os
import re
import socket
import queue
import secrets
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import spool  # noqa: E402
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (D, TOP, Results, Server, case, conn_refused, list_cases,  # noqa
                    pg_kill, pg_start, report_doc, request,
                    sanitizer_reports, seal, tail)

SERVER_CYCLES = int(os.environ.get("CHAOS_SERVER_CYCLES", "3"))
PG_CYCLES = int(os.environ.get("CHAOS_PG_CYCLES", "3"))
CLIENTS = int(os.environ.get("CHAOS_CLIENTS", "4"))
PACE = 4.0 / 60  # seconds between two submissions of one client
FORM_PACE = 0.15  # the no-JS client (Argon2 for every other one)
RUN_ID = secrets.token_hex(3)

R = Results()
SRV = Server(extra=["--request_deadline", "15"])
state_lock = threading.Lock()
state = {"server_down": False, "kills": 0}
stop = threading.Event()
envelopes = queue.Queue(maxsize=64)
attempts = []  # dicts, appended under state_lock
events = []  # (monotonic time, what) of the faults


def sealer():
    """Seals fresh envelopes ahead of the clients (bounded queue)."""
    n = 0
    with ThreadPoolExecutor(2) as ex:
        while not stop.is_set():
            batch = []
            for _ in range(8):
                n += 1
                canary = "CHX%s-%06d" % (RUN_ID, n)
                batch.append((canary, ex.submit(
                    seal, report_doc(canary + " chaos report: a client hit me"))))
            for canary, fut in batch:
                env = fut.result()
                while not stop.is_set():
                    try:
                        envelopes.put((canary, env), timeout=0.2)
                        break
                    except queue.Full:
                        pass


def snapshot():
    with state_lock:
        return state["server_down"], state["kills"]


def next_form():
    """A no-JS form report with its canary (every other one asks for a
    receipt, so its mailbox joins the same commit)."""
    with state_lock:
        state["forms"] = state.get("forms", 0) + 1
        n = state["forms"]
    canary = "CHX%s-F%05d" % (RUN_ID, n)
    fields = {"org": "alpha", "lang": "en", "incident.date": "2026-11",
              "incident.country": "th", "categories": "robbery",
              "narrative": canary + " chaos form report",
              "consent.statistics": "yes"}
    if n % 2 == 0:
        fields["reply"] = "yes"
    return canary, urllib.parse.urlencode(fields).encode()


def client(via="api"):
    while not stop.is_set():
        if via == "form":
            canary, body = next_form()
            path, ctype = "/report", "application/x-www-form-urlencoded"
        else:
            try:
                canary, body = envelopes.get(timeout=0.5)
            except queue.Empty:
                continue
            path = "/api/v1/orgs/alpha/reports"
            ctype = "application/octet-stream"
        down0, kills0 = snapshot()
        t0 = time.monotonic()
        a = {"canary": canary, "t0": t0, "via": via}
        try:
            st, h, body = request(SRV.port, "POST", path, body,
                                  {"Content-Type": ctype}, timeout=20)
            a["status"] = st
            a["retry_after"] = h.get("retry-after")
            a["body"] = body[:200]
            if st == 201:
                a["kind"] = "acked"
            elif st == 503 and h.get("retry-after"):
                a["kind"] = "503"
            else:
                a["kind"] = "bad"
        except Exception as e:  # noqa: BLE001 - classified below
            a["error"] = repr(e)
            down1, kills1 = snapshot()
            during_kill = down0 or down1 or kills1 != kills0
            if conn_refused(e):
                a["kind"] = "refused" if during_kill else "bad"
            elif isinstance(e, (OSError, http.client.HTTPException)) and \
                    not isinstance(e, TimeoutError) and during_kill:
                a["kind"] = "cut"
            else:
                a["kind"] = "bad"
        a["t1"] = time.monotonic()
        with state_lock:
            attempts.append(a)
        time.sleep(PACE if via == "api" else FORM_PACE)


def acked_since(t):
    with state_lock:
        return sum(1 for a in attempts if a["kind"] == "acked" and
                   a["t0"] >= t)


def wait_acks_after(t, timeout=15):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if acked_since(t) >= 3:
            return True
        time.sleep(0.1)
    return False


def main():
    SRV.start()
    threads = [threading.Thread(target=sealer, daemon=True)]
    threads += [threading.Thread(target=client, daemon=True)
                for _ in range(CLIENTS)]
    threads.append(threading.Thread(target=client, args=("form",),
                                    daemon=True))
    for t in threads:
        t.start()
    survived_srv = survived_pg = survived_both = 0
    t_start = time.monotonic()
    try:
        time.sleep(1.5)
        for i in range(SERVER_CYCLES):
            time.sleep(1.5)
            with state_lock:
                state["server_down"] = True
                state["kills"] += 1
            events.append((time.monotonic(), "server SIGKILL"))
            SRV.kill()
            time.sleep(0.7)
            SRV.start(wait=False)
            SRV.wait_healthy()
            with state_lock:
                state["server_down"] = False
            t = time.monotonic()
            if R.check("server SIGKILL cycle %d: back and acknowledging"
                       % (i + 1), wait_acks_after(t)):
                survived_srv += 1
        for i in range(PG_CYCLES):
            time.sleep(1.5)
            events.append((time.monotonic(), "pg_ctl stop -m immediate"))
            pg_kill()
            events.append((time.monotonic(), "PostgreSQL stopped"))
            time.sleep(2.0)
            # The server must answer health checks 503 (not hang, not die).
            try:
                st, h, _ = request(SRV.port, "GET", "/healthz", timeout=10)
            except OSError as e:
                st, h = repr(e), {}
            R.check("PostgreSQL down %d: /healthz is 503 with Retry-After"
                    % (i + 1), st == 503 and "retry-after" in h, st)
            pg_start()
            t = time.monotonic()
            why = ""
            try:
                SRV.wait_healthy(60)
                healthy = time.monotonic() - t
                ok = wait_acks_after(t, 30)
                why = "healthy after %.1f s; acknowledged since: %d; " \
                      "last answers: %s" % (healthy, acked_since(t), [
                          (a["kind"], a.get("status"), a.get("error"))
                          for a in attempts[-5:]])
            except RuntimeError as e:
                ok = False
                why = str(e)
            if R.check("PostgreSQL crash cycle %d: server reconnected and "
                       "acknowledging" % (i + 1), ok, why):
                survived_pg += 1
        # Both at once: PostgreSQL crashes, then the server is killed and
        # restarted while the database is still down (as systemd would).
        time.sleep(1.5)
        events.append((time.monotonic(), "pg_ctl stop -m immediate (both)"))
        pg_kill()
        time.sleep(0.5)
        with state_lock:
            state["server_down"] = True
            state["kills"] += 1
        SRV.kill()
        SRV.start(wait=False)
        started = False
        for _ in range(100):
            try:
                st, h, _ = request(SRV.port, "GET", "/healthz", timeout=5)
                started = True
                break
            except OSError:
                time.sleep(0.05)
        with state_lock:
            state["server_down"] = False
        R.check("server restarted while PostgreSQL is down: serves, /healthz "
                "503 with Retry-After", started and st == 503 and
                "retry-after" in h, (started, tail(SRV.log, 5)))
        time.sleep(2.0)
        pg_start()
        t = time.monotonic()
        try:
            SRV.wait_healthy(60)
            ok = wait_acks_after(t, 30)
        except RuntimeError as e:
            ok = False
            print(e)
        if R.check("combined cycle: acknowledging again once PostgreSQL "
                   "is back", ok, tail(SRV.log, 5)):
            survived_both = 1
        time.sleep(1.0)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    load_secs = time.monotonic() - t_start

    kinds = {}
    for a in attempts:
        kinds[a["kind"]] = kinds.get(a["kind"], 0) + 1
    bad = [a for a in attempts if a["kind"] == "bad"]
    R.check("server still running after the load", SRV.proc.poll() is None,
            tail(SRV.log))
    R.check("no other answer than 201, 503+Retry-After, refused while "
            "down, or cut by a SIGKILL", not bad,
            [(a.get("status"), a.get("retry_after"), a.get("error"),
              a.get("body")) for a in bad[:10]])

    # The caseworker's side: pull, import, and look for every canary.
    # (Reports reach the database, and so pull, when the spool is moved.)
    spool.wait_moved()
    home = os.path.join(D, "alpha")
    tokf = os.path.join(D, "alpha.token")
    r = case(home, "pull", "--server", SRV.url(), "--token-file", tokf,
             passphrase=False)
    R.check("umbra-case pull", r.returncode == 0, r.stderr)
    t_imp = time.monotonic()
    r = case(home, "import")
    R.check("umbra-case import", r.returncode == 0, r.stderr)
    imp_secs = time.monotonic() - t_imp
    r = case(home, "quarantine")
    quarantined = r.stdout.decode().strip() if r.returncode == 0 else "?"
    cases = list_cases(home)
    seen = {}
    for c in cases:
        s = c.get("summary", "")
        if s.startswith("CHX" + RUN_ID):
            k = s.split(" ", 1)[0]
            seen[k] = seen.get(k, 0) + 1
    acked = [a["canary"] for a in attempts if a["kind"] == "acked"]
    lost = [k for k in acked if seen.get(k, 0) == 0]
    dup = [k for k in seen if seen[k] > 1]
    unacked_stored = [a["canary"] for a in attempts
                      if a["kind"] != "acked" and seen.get(a["canary"])]
    phantom_503 = [a["canary"] for a in attempts
                   if a["kind"] == "503" and seen.get(a["canary"])]
    for a in attempts:
        if a["kind"] == "503" and seen.get(a["canary"]):
            last = max((e for e in events if e[0] <= a["t1"]),
                       default=(0, "start"))
            print("  answered 503 yet stored: %s via %s, %.2f s, answered "
                  "%.2f s after '%s': %s" % (
                      a["canary"], a["via"], a["t1"] - a["t0"],
                      a["t1"] - last[0], last[1], a.get("body")))
    R.check("every acknowledged report is in the case store (lost = 0)",
            not lost, lost[:10])
    R.check("no report is in the case store twice", not dup, dup[:10])
    R.check("acknowledged reports were made in every phase",
            len(acked) >= 50, len(acked))
    # A 503 says "nothing was stored"; a row committed just as the
    # database crashed may still be stored: counted, not failed.
    one = next((c for c in cases if c.get("summary", "").startswith(
        "CHX" + RUN_ID)), None)
    if one:
        r = case(home, "show", str(one["id"]), "--json")
        R.check("an imported chaos report opens with its narrative",
                r.returncode == 0 and b" chaos " in r.stdout, r.stderr)

    print("figures: server SIGKILL cycles survived %d/%d, PostgreSQL "
          "immediate-stop cycles survived %d/%d, both at once (server "
          "restarted while the database is down) %d/1" % (
              survived_srv, SERVER_CYCLES, survived_pg, PG_CYCLES,
              survived_both))
    acked_form = sum(1 for a in attempts if a["kind"] == "acked" and
                     a["via"] == "form")
    print("figures: %d submissions in %.1f s from %d API clients and one "
          "no-JS form client: acknowledged (201) %d (%d of them forms), "
          "lost %d, duplicated %d" % (
              len(attempts), load_secs, CLIENTS, len(acked), acked_form,
              len(lost), len(dup)))
    R.check("acknowledged no-JS form reports were made too", acked_form >= 10,
            acked_form)
    print("figures: during outages: 503 with Retry-After %d, connection "
          "refused while the server was down %d, in flight at a SIGKILL "
          "(dropped) %d, any other answer %d" % (
              kinds.get("503", 0), kinds.get("refused", 0),
              kinds.get("cut", 0), len(bad)))
    print("figures: unacknowledged but stored anyway %d (of them answered "
          "503: %d); import of %d cases took %.1f s; quarantine: %s" % (
              len(unacked_stored), len(phantom_503), len(cases), imp_secs,
              quarantined[:200] or "empty"))
    hostile_replay()
    SRV.stop()
    rep = sanitizer_reports(SRV.log)
    R.check("no sanitizer report in the server's log", not rep, rep[:5])


def hostile_replay():
    """The fuzz seeds of fuzz_http (tests/fuzz/corpus/http: every route,
    malformed requests and known crashers) sent raw to the real server
    with its database: each answered with a status line or closed, and
    the server still up at the end."""
    corpus = os.path.join(TOP, "tests", "fuzz", "corpus", "http")
    bad = []
    names = sorted(os.listdir(corpus)) if os.path.isdir(corpus) else []
    for name in names:
        with open(os.path.join(corpus, name), "rb") as f:
            data = f.read()
        s = socket.create_connection(("127.0.0.1", SRV.port), timeout=3)
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            first = s.recv(16)
        except TimeoutError:
            first = b""  # no answer to an incomplete request: allowed
        except OSError as e:
            first = repr(e).encode()
        finally:
            s.close()
        if first and not re.match(rb"HTTP/1\.[01] [1-5]\d\d ", first):
            bad.append((name, first))
        if not first:
            time.sleep(0.3)  # closed: give a dying server time to be seen
        if SRV.proc.poll() is not None:
            bad.append((name, "server died: exit %s" % SRV.proc.returncode))
            SRV.start()
    R.check("%d hostile requests (tests/fuzz/corpus/http) sent raw: the "
            "server answers or closes, and never dies" % len(names),
            names and not bad, bad[:5])


if __name__ == "__main__":
    R.run(main)
