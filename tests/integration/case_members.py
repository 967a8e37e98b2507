#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""umbra-case with one key per caseworker (issue 4, item 6).

The key holder's home (plain `init`) adds members made with `init
--member`; public.json lists the organisation's keys plus every member's;
a report sealed to it opens in every home; a removed member cannot open
new reports; tampered member files, rotation in a member home and joining a
bundle without the member's key are refused. Then, against a real
umbra-server and PostgreSQL (tests/integration/server_env.sh): the server
takes the re-signed bundle as a rotation and refuses an envelope sealed to
the removed member's key with 400 unknown_key. Ends with
"N passed, N failed".
"""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from case_lib import (CASE, ROOT, BUILD, Home, Results, report, tmpdir,
                      write_bundle)
import umbra  # noqa: E402 (tests/lib, on the path through case_lib)

T = Results()
LOW = ["--kdf-memory", "8192", "--kdf-passes", "1", "--kdf-lanes", "1"]


class Member(Home):
    """A member home: init --org SLUG --member --name NAME."""

    def __init__(self, parent, slug, name, label):
        self.dir = os.path.join(parent, name)
        self.pwfile = os.path.join(parent, name + ".pw")
        with open(self.pwfile, "wb") as f:
            f.write(b"member passphrase " + name.encode() + b" quiet lantern orbit\n")
        self.slug = slug
        self.init = self.run("init", "--org", slug, "--member", "--name",
                             label, *LOW)
        self.public = os.path.join(self.dir, "public.json")
        self.member = os.path.join(self.dir, "member.json")


def out(r):
    return (r.stdout + r.stderr).decode(errors="replace")


def keys_of(path):
    return [k["id"] for k in json.load(open(path))["keys"]]


def offline(d):
    admin = Home(d, "circle", "admin")
    m1 = Member(d, "circle", "m1", "Ana")
    m2 = Member(d, "circle", "m2", "Bo")
    T.check("init --member succeeds", m1.init.returncode == 0 and
            m2.init.returncode == 0, out(m1.init) + out(m2.init))
    T.check("a member home has a key file, a store and member.json but no "
            "public.json",
            all(os.path.exists(os.path.join(m1.dir, f))
                for f in ("keys.umbra", "cases.db", "member.json")) and
            not os.path.exists(m1.public))
    mj = json.load(open(m1.member))
    fp_org = subprocess.run([CASE, "fingerprint", admin.public],
                            capture_output=True).stdout.strip()
    pub_admin = json.load(open(admin.public))
    T.check("member.json: org, name, own key, not the organisation's "
            "signing key",
            mj["format"] == "umbra.member/1" and mj["org"] == "circle" and
            mj["name"] == "Ana" and
            mj["signing_key"] != pub_admin["signing_key"] and
            mj["x25519"] not in [k["x25519"] for k in pub_admin["keys"]])
    fp = subprocess.run([CASE, "fingerprint", m1.member],
                        capture_output=True).stdout.decode().strip()
    T.check("init prints the member fingerprint that 'fingerprint "
            "member.json' shows", len(fp) == 35 and fp in out(m1.init),
            fp + " / " + out(m1.init))
    r = m1.run("import", os.path.join(d, "none.umbrabundle"))
    T.check("import before joining says what to do next",
            r.returncode == 1 and "keys join" in out(r) and
            "add-member" in out(r), out(r))
    r = m1.run("pull", "--server", "http://127.0.0.1:9", "--token-file",
               m1.pwfile)
    T.check("pull before joining says what to do next",
            r.returncode == 1 and "keys join" in out(r), out(r))

    # the key holder adds both members
    before = open(admin.public, "rb").read()
    bad = dict(mj)
    bad["name"] = "Mallory"
    badpath = os.path.join(d, "tampered.json")
    json.dump(bad, open(badpath, "w"))
    r = admin.run("keys", "add-member", badpath)
    T.check("a tampered member.json (name changed) is refused",
            r.returncode == 1 and "signature" in out(r), out(r))
    bad = dict(mj)
    bad["x25519"] = json.load(open(m2.member))["x25519"]
    bad["id"] = json.load(open(m2.member))["id"]
    json.dump(bad, open(badpath, "w"))
    r = admin.run("keys", "add-member", badpath)
    T.check("a tampered member.json (key swapped) is refused",
            r.returncode == 1 and "signature" in out(r), out(r))
    other = Member(d, "other-org", "mo", "Zed")
    r = admin.run("keys", "add-member", other.member)
    T.check("a member.json of another organisation is refused",
            r.returncode == 1 and "other-org" in out(r), out(r))
    T.check("refusals leave public.json as it was",
            open(admin.public, "rb").read() == before)
    r = admin.run("keys", "add-member", m1.member)
    T.check("add-member succeeds and prints the member fingerprint",
            r.returncode == 0 and fp in out(r), out(r))
    r = admin.run("keys", "add-member", m2.member)
    T.check("add-member of a second member", r.returncode == 0, out(r))
    r = admin.run("keys", "add-member", m1.member)
    T.check("adding the same member twice is refused", r.returncode == 1,
            out(r))
    ids = keys_of(admin.public)
    T.check("public.json lists 3 keys: the organisation's and both "
            "members'",
            len(ids) == 3 and mj["id"] in ids and
            json.load(open(m2.member))["id"] in ids, ids)
    r0 = subprocess.run([CASE, "fingerprint", admin.public],
                        capture_output=True)
    T.check("the organisation fingerprint does not change",
            r0.returncode == 0 and r0.stdout.strip() == fp_org,
            out(r0) + " / " + fp_org.decode())
    r = admin.run("keys", "list")
    T.check("keys list names the members",
            r.returncode == 0 and "member 'Ana'" in out(r) and
            "member 'Bo'" in out(r) and "organisation" in out(r), out(r))

    # members join
    m3 = Member(d, "circle", "m3", "Cy")
    r = m3.run("keys", "join", admin.public)
    T.check("a member cannot join a bundle that lacks its key",
            r.returncode == 1 and "does not list" in out(r) and
            not os.path.exists(m3.public), out(r))
    for m in (m1, m2):
        r = m.run("keys", "join", admin.public)
        T.check("%s joins" % m.dir[-2:], r.returncode == 0 and
                open(m.public, "rb").read() ==
                open(admin.public, "rb").read(), out(r))
    r = m1.run("keys", "list", passphrase=False)
    T.check("keys list in a member home marks its own key, no passphrase",
            r.returncode == 0 and "(this home)" in out(r), out(r))
    r = m1.run("keys", "add")
    T.check("keys add (rotation) is refused in a member home and says who "
            "can do it", r.returncode == 1 and "key holder" in out(r),
            out(r))
    r = m1.run("keys", "export")
    T.check("keys export is refused in a member home", r.returncode == 1,
            out(r))
    r = m1.run("keys", "add-member", m3.member)
    T.check("add-member is refused in a member home",
            r.returncode == 1 and "key holder" in out(r), out(r))
    T.check("public.json of the member untouched by the refusals",
            open(m1.public, "rb").read() == open(admin.public, "rb").read())

    # a report sealed to the bundle opens in every home
    doc = report("member test one")
    env1 = admin.seal(doc)
    for h in (admin, m1, m2):
        r = h.run("open", stdin=env1)
        T.check("report 1 opens in %s" % os.path.basename(h.dir),
                r.returncode == 0 and r.stdout == doc, out(r))
    write_bundle(os.path.join(d, "b1"), "circle", [("1", "2026-11-29", env1)])
    for h in (m1, m2):
        r = h.run("import", os.path.join(d, "b1"))
        r2 = h.run("list", "--json")
        T.check("import in %s: one case" % os.path.basename(h.dir),
                r.returncode == 0 and r2.returncode == 0 and
                "member test one" in out(r2) and
                "Imported 1 new case from" in out(r), out(r) + out(r2))

    # remove a member
    old_public = os.path.join(d, "old-public.json")
    shutil.copy(admin.public, old_public)
    r = admin.run("keys", "remove-member", "Bo")
    T.check("remove-member by name; says the server needs the bundle",
            r.returncode == 0 and "umbra-server org add" in out(r), out(r))
    ids = keys_of(admin.public)
    T.check("public.json lists 2 keys, not the removed member's",
            len(ids) == 2 and json.load(open(m2.member))["id"] not in ids,
            ids)
    r = admin.run("keys", "remove-member", "Bo")
    T.check("removing an unknown member is refused", r.returncode == 1,
            out(r))
    r = m1.run("keys", "join", admin.public)
    T.check("the remaining member joins the new bundle", r.returncode == 0,
            out(r))
    # protocol section 3: the bundle from before the removal still verifies
    # (it lists m1 too), but joining it would go back: refused
    before = open(m1.public, "rb").read()
    r = m1.run("keys", "join", old_public)
    T.check("join refuses the older bundle (lower serial) in one line",
            r.returncode == 1 and "older than the public key bundle this "
            "home holds" in out(r) and out(r).count("\n") == 1 and
            open(m1.public, "rb").read() == before, out(r))
    doc2 = report("member test two")
    env2 = admin.seal(doc2)
    r = m2.run("open", stdin=env2)
    T.check("a new report does not open in the removed member's home",
            r.returncode == 1 and "not sealed to any key of this home"
            in out(r) and doc2 not in r.stdout, out(r))
    write_bundle(os.path.join(d, "b2"), "circle", [("2", "2026-11-29", env2)])
    r = m2.run("import", os.path.join(d, "b2"))
    T.check("import in the removed member's home: not for this home",
            r.returncode == 0 and "1 not for this home" in out(r), out(r))
    for h in (admin, m1):
        r = h.run("open", stdin=env2)
        T.check("report 2 still opens in %s" % os.path.basename(h.dir),
                r.returncode == 0 and r.stdout == doc2, out(r))

    # rotation in the key holder's home keeps the members
    r = admin.run("keys", "add")
    ids = keys_of(admin.public)
    T.check("keys add keeps the members in public.json",
            r.returncode == 0 and len(ids) == 3 and mj["id"] in ids,
            out(r) + str(ids))
    r = admin.run("keys", "export")
    T.check("keys export keeps the members",
            r.returncode == 0 and keys_of(admin.public) == ids, out(r))
    r = m1.run("keys", "join", admin.public)
    env3 = admin.seal(b"after rotation")
    r2 = m1.run("open", stdin=env3)
    T.check("after rotation the member joins again and opens new reports",
            r.returncode == 0 and r2.stdout == b"after rotation",
            out(r) + out(r2))
    # a bundle signed by another key is refused by join
    r = m1.run("keys", "join", other.public if os.path.exists(other.public)
               else Home(d, "circle", "impostor").public)
    T.check("join refuses a bundle signed by another organisation key",
            r.returncode == 1, out(r))
    return admin, m1, m2, old_public


def post(port, path, body):
    st, _, data = umbra.request(
        port, "POST", path, body,
        {"Content-Type": "application/octet-stream"}, timeout=30)
    return st, data


def with_server(d):
    """org add with the members' bundle, then after remove-member the
    server refuses an envelope sealed to the removed key."""
    sdir = os.path.join(d, "srv")
    os.mkdir(sdir)
    os.chmod(d, 0o755)  # PostgreSQL may run as another user
    try:
        with_server_run(d, sdir)
    finally:
        subprocess.run(["sh", "-c", '. tests/lib/pg.sh; pg_stop "$1"; '
                        '[ -f "$1/sockdir" ] && rm -rf "$(cat "$1/sockdir")";'
                        ' true', "sh", os.path.join(sdir, "pg")],
                       cwd=ROOT, capture_output=True)


def with_server_run(d, sdir):
    env = dict(os.environ, O=BUILD)
    r = subprocess.run(["sh", os.path.join(ROOT, "tests/integration/"
                                           "server_env.sh"), sdir],
                       capture_output=True, env=env, cwd=ROOT, timeout=300)
    if r.returncode != 0:
        T.check("server set-up", False, out(r)[-800:])
        return
    vals = {}
    for line in open(os.path.join(sdir, "env.sh")):
        for part in line.replace("export ", "").split():
            k, _, v = part.partition("=")
            vals[k] = v.strip("'")
    server, conf = vals["UMBRA_SERVER"], vals["UMBRA_CONF"]
    admin = Home(d, "ring", "sadmin")
    m1 = Member(d, "ring", "s1", "Ana")
    m2 = Member(d, "ring", "s2", "Bo")
    for m in (m1, m2):
        admin.run("keys", "add-member", m.member)
    old = os.path.join(d, "ring-old.json")
    shutil.copy(admin.public, old)
    r = subprocess.run([server, "--config", conf, "org", "add", "ring",
                        "--name", "Ring", "--public-key", admin.public],
                       capture_output=True)
    T.check("server: org add with the members' bundle (3 keys)",
            r.returncode == 0 and b"3 key" in r.stdout, out(r))
    srv = umbra.Server(log=os.path.join(sdir, "server.log"), server=server,
                       conf=conf, cwd=ROOT)
    port = srv.port
    try:
        srv.start()
        st, body = post(port, "/api/v1/orgs/ring/reports",
                        admin.seal(report("to all three")))
        T.check("server: an envelope sealed to the 3 keys is taken",
                st == 201, (st, body))
        r = admin.run("keys", "remove-member", "Bo")
        r2 = subprocess.run([server, "--config", conf, "org", "add", "ring",
                             "--name", "Ring", "--public-key", admin.public],
                            capture_output=True)
        T.check("server: the re-signed bundle is taken as a rotation",
                r.returncode == 0 and r2.returncode == 0 and
                b"2 key" in r2.stdout, out(r) + out(r2))
        # the old bundle, still listing the removed member, verifies: the
        # server must refuse to go back to it (a lower serial)
        r3 = subprocess.run([server, "--config", conf, "org", "add", "ring",
                             "--name", "Ring", "--public-key", old],
                            capture_output=True)
        T.check("server: the old bundle listing the removed member is "
                "refused (a rollback)",
                r3.returncode == 1 and b"older than the registered" in
                r3.stderr, out(r3))
        # the server reloads its organisations every 2 s
        st = 0
        stale = Home.seal(type("H", (), {"public": old})(),
                          report("sealed to the old bundle"))
        deadline = time.time() + 10
        while time.time() < deadline:
            st, body = post(port, "/api/v1/orgs/ring/reports", stale)
            if st == 400:
                break
            time.sleep(0.3)
        T.check("server: an envelope sealed to the removed member's key "
                "is refused 400 unknown_key",
                st == 400 and b"unknown_key" in body, (st, body))
        st, body = post(port, "/api/v1/orgs/ring/reports",
                        admin.seal(report("to the new bundle")))
        T.check("server: an envelope sealed to the new bundle is taken",
                st == 201, (st, body))
    finally:
        srv.stop(15)


def main():
    d = tmpdir()
    try:
        T.each((offline, with_server), d)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return T.finish()


if __name__ == "__main__":
    sys.exit(main())
