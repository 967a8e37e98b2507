#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""bench-retention: what the case events' retention costs in PostgreSQL
(docs/operations.md, "Retention"). Run by with_server.sh (make
bench-retention): stores BENCH_EVENTS (default 200,000) events of 4 KiB
over 100 days, half of each of two organisations, vacuums, then prints
PostgreSQL's own execution time (EXPLAIN ANALYZE, no client round trip) of
sync_events_expiring (what every page of GET /api/v1/sync/events adds)
at two cursors, before and after the purge, and of retention_purge_logs
batches of 1,000 (the purge after a backlog, and a run with nothing to
purge). Not a suite: it asserts only that the purge takes what is past
60 days and nothing else.
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from umbra_env import psql  # noqa: E402

N = int(os.environ.get("BENCH_EVENTS", "200000"))


def ms(sql):
    out = psql("EXPLAIN (ANALYZE) " + sql)
    return float(re.search(r"Execution Time: ([0-9.]+) ms", out).group(1))


def median(sql, n=5):
    return sorted(ms(sql) for _ in range(n))[n // 2]


def main():
    orgs = psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM orgs"
                ).split(",")
    psql("DELETE FROM events")
    psql("INSERT INTO events (org_id, body, day) SELECT CASE WHEN g %% 2 = 0 "
         "THEN %s ELSE %s END, decode(repeat('00', 4096), 'hex'), "
         "current_date - (g %% 100) FROM generate_series(1, %d) g"
         % (orgs[0], orgs[1], N))
    psql("VACUUM ANALYZE events")
    h = psql("SELECT encode(hash, 'hex') FROM sync_tokens t JOIN orgs o ON "
             "o.id = t.org_id WHERE o.id = %s LIMIT 1" % orgs[0])
    first = int(psql("SELECT min(id) FROM events"))

    def expiring(label):
        for after in (0, first + N // 2):
            q = ("SELECT * FROM sync_events_expiring('\\x%s', %d, 60, 7)"
                 % (h, after))
            n = psql("SELECT n FROM sync_events_expiring('\\x%s', %d, 60, 7)"
                     % (h, after))
            print("%s: sync_events_expiring after=%d (%s expiring): "
                  "median of 5 %.1f ms" % (label, after, n, median(q)))

    expiring("%d events" % N)
    batches = []
    while True:
        out = psql("EXPLAIN (ANALYZE) SELECT * FROM "
                   "retention_purge_logs(60, 30, 1000)")
        batches.append(float(re.search(r"Execution Time: ([0-9.]+) ms",
                                       out).group(1)))
        left = int(psql("SELECT count(*) FROM events "
                        "WHERE day < current_date - 60"))
        if left == 0:
            break
    batches.sort()
    print("purge of %d expired events: %d batches of 1,000, median %.0f ms, "
          "slowest %.0f ms" % (N - int(psql("SELECT count(*) FROM events")),
                               len(batches), batches[len(batches) // 2],
                               batches[-1]))
    print("a purge run with nothing to purge: median of 5 %.1f ms"
          % median("SELECT * FROM retention_purge_logs(60, 30, 1000)"))
    assert psql("SELECT count(*) FROM events WHERE day < current_date - 60"
                ) == "0"
    assert psql("SELECT count(*) FROM events WHERE day >= current_date - 60"
                ) != "0"
    psql("VACUUM ANALYZE events")
    expiring("after the purge, %s events" % psql("SELECT count(*) FROM events"))
    psql("DELETE FROM events")


if __name__ == "__main__":
    main()
