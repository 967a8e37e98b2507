# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shared helpers for the umbra-case integration tests (stdlib only);
Results and grep_tree come from tests/lib/umbra.py.

Bundle files are written here from the format in docs/protocol.md section 8
(independently of the C code), so tests can feed `import` without a server.
"""
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
from umbra import Results, grep_tree  # noqa: E402,F401 (the tests' imports)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("UMBRA_BUILD", "build"))
CASE = os.path.join(BUILD, "umbra-case")
PASSPHRASE = b"correct horse battery staple\n"


class Home:
    """A caseworker home made with low Argon2 parameters."""

    def __init__(self, parent, slug="demo", name="home"):
        self.dir = os.path.join(parent, name)
        self.pwfile = os.path.join(parent, name + ".pw")
        with open(self.pwfile, "wb") as f:
            f.write(PASSPHRASE)
        self.slug = slug
        r = self.run("init", "--org", slug, "--kdf-memory", "8192",
                     "--kdf-passes", "1", "--kdf-lanes", "1")
        assert r.returncode == 0, r.stderr
        self.public = os.path.join(self.dir, "public.json")

    def run(self, *args, stdin=None, passphrase=True, timeout=120, env=None):
        cmd = [CASE, "--home", self.dir]
        if passphrase:
            cmd += ["--passphrase-file", self.pwfile]
        e = dict(os.environ)
        e.pop("UMBRA_PASSPHRASE_FILE", None)
        if env:
            e.update(env)
        return subprocess.run(cmd + list(args), input=stdin,
                              capture_output=True, timeout=timeout, env=e)

    def seal(self, data):
        r = subprocess.run([CASE, "seal", "--to", self.public], input=data,
                           capture_output=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return r.stdout


def report(narrative="something happened", **extra):
    doc = {"schema": "umbra.report/1", "lang": "en", "via": "cli",
           "categories": ["robbery"], "narrative": narrative,
           "incident": {"date": "2026-11", "country": "th"},
           "consent": {"statistics": True}}
    doc.update(extra)
    return json.dumps(doc).encode()


def bundle_bytes(slug, records):
    """records: list of (id:str, day:str, envelope:bytes)."""
    out = bytearray(b"UMBRABDL" + bytes([1, len(slug), 0, 0]) + slug.encode())
    for rid, day, env in records:
        rec = (b"R" + bytes([len(rid)]) + rid.encode() + day.encode() +
               struct.pack("<I", len(env)) + env)
        out += rec + hashlib.blake2b(rec, digest_size=16).digest()
    return bytes(out)


def write_bundle(path, slug, records):
    with open(path, "wb") as f:
        f.write(bundle_bytes(slug, records))


def tmpdir():
    return tempfile.mkdtemp(prefix="umbra-case-test.")
