#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""bench-alerts: what serving verified alerts costs (docs/operations.md,
"Alerts"). Run by with_server.sh (make bench-alerts): pushes N alerts
(BENCH_ALERTS_N, default 200: as many as a page shows) of alpha, each with
three texts, then times GET /alerts?lang=th, /alerts/alpha.atom and
/alerts/alpha.json (each verifies every alert again) over
BENCH_ALERTS_ROUNDS requests (default 20) one after another, and prints
the median and the slowest in ms, and the bytes of each answer. Not a
suite: it asserts only that every alert is served.
"""
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
import alerts_test as T  # noqa: E402

N = int(os.environ.get("BENCH_ALERTS_N", "200"))
ROUNDS = int(os.environ.get("BENCH_ALERTS_ROUNDS", "20"))


def main():
    T.SRV.start()
    try:
        for i in range(N):
            a = T.inner(texts=[
                {"lang": "en", "title": "Alert %d" % i, "body": "x " * 100},
                {"lang": "th", "title": "การแจ้งเตือน %d" % i,
                 "body": "ก " * 100},
                {"lang": "ar", "title": "تنبيه %d" % i, "body": "ب " * 100}])
            st, b = T.push(T.signed(a))
            assert st == 201, (st, b)
        for path in ("/alerts?lang=th", "/alerts/alpha.atom?lang=th",
                     "/alerts/alpha.json?lang=th"):
            ms, size = [], 0
            for _ in range(ROUNDS):
                t0 = time.perf_counter()
                st, _, body = T.get(path)
                ms.append((time.perf_counter() - t0) * 1000)
                size = len(body.encode())
                assert st == 200
                assert body.count("การแจ้งเตือน") >= N, path
            print("%-28s %d alerts: median %.1f ms, slowest %.1f ms, %d bytes"
                  % (path, N, statistics.median(ms), max(ms), size))
    finally:
        T.SRV.stop()


if __name__ == "__main__":
    main()
