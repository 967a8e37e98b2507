# SPDX-License-Identifier: AGPL-3.0-or-later
"""bench-mover: how fast the mover copies a full spool into PostgreSQL.

Run by tests/integration/with_server.sh (a private cluster, migrated). For
each server binary named in BENCH_MOVER_SERVERS ("label=path ...", default
the build's umbra-server), ROUNDS times in turn: BENCH_MOVER_RECORDS
(default 50,000) envelopes of 4,247 random bytes are written to the
stopped server's spool, the server is started, and the time until the
mover starts wiping the file (every record committed: it wipes only then)
is measured, start-up (the spool is read and counted) and the wait for the
first window boundary (intake_window, 1 s here) included; the table is
emptied between rounds. Prints rows/s per round and the median
per binary. Bounded: 600 s per move at most.
"""
import os
import secrets
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import spool  # noqa: E402
import umbra  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..",
                                "integration"))
from server_test import psql, spool_record  # noqa: E402


def main():
    n = int(os.environ.get("BENCH_MOVER_RECORDS", "50000"))
    rounds = int(os.environ.get("BENCH_MOVER_ROUNDS", "2"))
    spec = os.environ.get("BENCH_MOVER_SERVERS",
                          "this=" + os.environ["UMBRA_SERVER"])
    servers = [s.split("=", 1) for s in spec.split()]
    rc, out, err = psql("SELECT id FROM orgs WHERE slug = 'alpha'")
    assert rc == 0, err
    org = int(out)
    day = int(time.time()) // 86400
    body = secrets.token_bytes(4247)
    os.makedirs(os.environ["UMBRA_SPOOL"], mode=0o700, exist_ok=True)
    path = os.path.join(os.environ["UMBRA_SPOOL"], "spool-a")
    got = {label: [] for label, _ in servers}
    print("bench-mover: %d envelopes of %d bytes per move, %d rounds"
          % (n, len(body), rounds))
    for r in range(rounds):
        for label, binary in servers:
            psql("TRUNCATE envelopes CASCADE")
            psql("CHECKPOINT")
            at = spool.used(path)
            with open(path, "r+b" if os.path.exists(path) else "wb") as f:
                f.seek(at)
                chunk = []
                for i in range(n):
                    chunk.append(spool_record(org, day,
                                              secrets.token_bytes(16), body))
                    if len(chunk) == 1000:
                        f.write(b"".join(chunk))
                        chunk = []
                f.write(b"".join(chunk))
                f.flush()
                os.fsync(f.fileno())
            srv = umbra.Server(server=binary)
            t0 = time.time()
            srv.start()
            # The mover wipes the file from its start, and only once every
            # record is committed: the first bytes turning to zeros mark
            # the end of the copy (a cheap poll; reading the whole spool
            # every few ms would take the CPU the move needs).
            while True:
                with open(path, "rb") as f:
                    if f.read(4) != spool.MAGIC:
                        break
                if time.time() - t0 > 600:
                    raise AssertionError("not moved in 600 s")
                time.sleep(0.02)
            dt = time.time() - t0
            spool.wait_moved(timeout=600)
            srv.stop()
            rc, out, _ = psql("SELECT count(*) FROM envelopes")
            assert int(out) == n, (out, n)
            got[label].append(n / dt)
            print("  round %d, %-8s %6.1f s  %7.0f rows/s"
                  % (r + 1, label, dt, n / dt))
            sys.stdout.flush()
    for label, v in got.items():
        print("  %-8s median %7.0f rows/s" % (label, statistics.median(v)))
    psql("TRUNCATE envelopes CASCADE")
    return 0


if __name__ == "__main__":
    sys.exit(main())
