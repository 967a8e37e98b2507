#!/usr/bin/python3
"""umbra-case opens a case store made before its schema was numbered.

tests/fixtures/case_store_v1/ holds two homes made by the umbra-case of
that time (tests/fixtures/case_store_v1/make.py): `members/` (three cases,
labels, a status, a priority, a note, two members) and `plain/` (one case,
a note, no members table). Copies of them are opened with today's
umbra-case: the cases, their history and the members are all there, and
the store can be changed (a member removed, one added where the table did
not exist, a note). Ends with "N passed, N failed".
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from case_lib import CASE, ROOT, Results, tmpdir

T = Results()
FIX = os.path.join(ROOT, "tests", "fixtures", "case_store_v1")
LOW = ["--kdf-memory", "8192", "--kdf-passes", "1", "--kdf-lanes", "1"]


def out(r):
    return (r.stdout + r.stderr).decode(errors="replace")


def home_copy(d, name):
    dst = os.path.join(d, name)
    os.makedirs(dst, mode=0o700)
    for f in ("keys.umbra", "public.json", "cases.db"):
        shutil.copy(os.path.join(FIX, name, f), dst)
        os.chmod(os.path.join(dst, f), 0o600)
    return dst


def run(home, *args):
    return subprocess.run([CASE, "--home", home, "--passphrase-file",
                           os.path.join(FIX, "home.pw")] + list(args),
                          capture_output=True, timeout=120)



def main():
    d = tmpdir()
    try:
        check(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return T.finish()


def check(d):
    h = home_copy(d, "members")
    r = run(h, "list")
    lines = [l for l in out(r).splitlines() if "fixture report" in l]
    T.check("list of an old store: its three cases", r.returncode == 0 and
            len(lines) == 3, out(r))
    T.check("status, labels and priority kept",
            "in-progress" in lines[0] and " follow-up,police " in lines[0]
            and "high" in lines[1] if len(lines) == 3 else False, out(r))
    r = run(h, "show", "1")
    T.check("the report and its history kept", r.returncode == 0 and
            "fixture report 0" in out(r) and
            "note: called her back" in out(r), out(r))
    r = run(h, "keys", "list")
    T.check("the members kept", r.returncode == 0 and
            "member 'Ana'" in out(r) and "member 'Bo'" in out(r), out(r))
    r = run(h, "keys", "remove-member", "Bo")
    r2 = run(h, "keys", "list")
    T.check("a member removed from the migrated store",
            r.returncode == 0 and "member 'Bo'" not in out(r2) and
            "member 'Ana'" in out(r2), out(r) + out(r2))
    r = run(h, "triage", "2", "--note", "after the upgrade")
    r2 = run(h, "show", "2")
    T.check("a note added and shown after the migration",
            r.returncode == 0 and "note: after the upgrade" in out(r2),
            out(r) + out(r2))
    r = run(h, "list")
    T.check("the store opens again (migrated once)", r.returncode == 0 and
            out(r).count("fixture report") == 3, out(r))

    p = home_copy(d, "plain")
    r = run(p, "show", "1")
    T.check("a store without a members table opens", r.returncode == 0 and
            "note: called her back" in out(r), out(r))
    mpw = os.path.join(d, "m.pw")
    with open(mpw, "wb") as f:
        f.write(b"member passphrase of quiet lantern orbit\n")
    m = os.path.join(d, "m")
    r = subprocess.run([CASE, "--home", m, "--passphrase-file", mpw, "init",
                        "--org", "fixture", "--member", "--name", "Cy"] + LOW,
                       capture_output=True, timeout=120)
    r2 = run(p, "keys", "add-member", os.path.join(m, "member.json"))
    r3 = run(p, "keys", "list")
    T.check("a member added where the table did not exist",
            r.returncode == 0 and r2.returncode == 0 and
            "member 'Cy'" in out(r3), out(r) + out(r2) + out(r3))


if __name__ == "__main__":
    sys.exit(main())
