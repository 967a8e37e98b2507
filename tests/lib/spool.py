# SPDX-License-Identifier: AGPL-3.0-or-later
"""The server's spool (server/spool.h), as the tests see it.

Reports and mailboxes reach PostgreSQL only when the server moves its spool,
at each multiple of intake_window seconds. wait_moved() waits until both
spool files are empty, that is until everything acknowledged before the call
is in PostgreSQL; records() reads what a spool file holds.
"""
import hashlib
import os
import struct
import time

MAGIC = b"USP1"
HEAD = 36
CHECK = 16


def used(path):
    """Bytes of the records at the head of one spool file (0 if none or no
    file). The files are preallocated (server/spool.h): their size says
    nothing, the records end at the first bytes that do not check."""
    try:
        with open(path, "rb") as f:
            if f.read(4) != MAGIC:
                return 0
    except FileNotFoundError:
        return 0
    return sum(HEAD + len(r[4]) + CHECK for r in records(path))


def sizes(spool):
    """[bytes of records held] of spool-a and spool-b."""
    return [used(os.path.join(spool, name))
            for name in ("spool-a", "spool-b")]


def wait_moved(spool=None, timeout=30.0):
    """Waits until the spool is empty; raises if it is not by timeout."""
    spool = spool or os.environ["UMBRA_SPOOL"]
    end = time.time() + timeout
    while time.time() < end:
        if sum(sizes(spool)) == 0:
            return
        time.sleep(0.05)
    raise AssertionError("the spool was not moved in %.0f s: %r"
                         % (timeout, sizes(spool)))


def records(path):
    """[(kind, org_id, day, ref, data)] of one spool file, up to the first
    record that does not check."""
    out = []
    with open(path, "rb") as f:
        buf = f.read()
    off = 0
    while off + HEAD + CHECK <= len(buf):
        h = buf[off:off + HEAD]
        if h[:4] != MAGIC:
            break
        kind, org, day = h[4], *struct.unpack("<II", h[8:16])
        ref = h[16:32]
        (n,) = struct.unpack("<I", h[32:36])
        end = off + HEAD + n + CHECK
        if end > len(buf):
            break
        check = hashlib.blake2b(buf[off:end - CHECK], digest_size=16).digest()
        if check != buf[end - CHECK:end]:
            break
        out.append((kind, org, day, ref, buf[off + HEAD:off + HEAD + n]))
        off = end
    return out
