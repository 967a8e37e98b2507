#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Opens N idle connections to umbra-server and prints its RSS (KiB)
before and after: `bench_server_idle.py PID PORT N`."""
import resource
import socket
import sys
import time


def rss(pid):
    for line in open("/proc/%s/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


pid, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 200), hard))
before = rss(pid)
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    socks.append(s)
for s in socks:  # each answered once, then left idle (keep-alive)
    s.settimeout(10)
    s.recv(4096)
time.sleep(1)
after = rss(pid)
print("IDLE connections=%d rss_before_kib=%d rss_after_kib=%d "
      "per_conn_kib=%.1f" % (n, before, after, (after - before) / n))
for s in socks:
    s.close()
