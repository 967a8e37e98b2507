#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""The house has no circles: in client-crypto/, server/ and caseworker/ a
module is a .c with its .h (a NAME_int.h private header belongs to NAME);
module A depends on B when A's .c or .h includes B's header. The check:
no module reaches itself through those includes, no source file outside
tests is over 800 lines, and a module of the library (client-crypto/)
includes nothing of the programs.

Usage: modules.py [repo-dir]. Ends with "N passed, N failed".
"""
import os
import re
import sys

from tally import check, finish

ROOT = sys.argv[1] if len(sys.argv) > 1 else "."
DIRS = ["client-crypto", "server", "caseworker"]
MAX_LINES = 800


def module_of(d, name):
    base = os.path.splitext(name)[0]
    if base.endswith("_int"):
        base = base[:-4]
    return d + "/" + base


mods = {}  # module -> set of modules it includes
owner = {}  # header basename -> module (first folder wins, as -I order)
for d in DIRS:
    for name in sorted(os.listdir(os.path.join(ROOT, d))):
        if re.fullmatch(r"[a-z0-9_]+\.[ch]", name):
            mods.setdefault(module_of(d, name), set())
            if name.endswith(".h"):
                owner.setdefault(name, module_of(d, name))

for d in DIRS:
    for name in sorted(os.listdir(os.path.join(ROOT, d))):
        if not re.fullmatch(r"[a-z0-9_]+\.[ch]", name):
            continue
        path = os.path.join(ROOT, d, name)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        m = module_of(d, name)
        if name.endswith(".c"):
            check(text.count("\n") <= MAX_LINES,
                  "%s/%s has %d lines (at most %d)"
                  % (d, name, text.count("\n"), MAX_LINES))
        for inc in re.findall(r'^#include "([^"]+)"', text, re.M):
            local = module_of(d, inc)
            t = local if local in mods and os.path.exists(
                os.path.join(ROOT, d, inc)) else owner.get(inc)
            if t is None or t == m:
                continue
            mods[m].add(t)
            if d == "client-crypto":
                check(t.startswith("client-crypto/"),
                      "the library's %s includes %s of a program" % (name, inc))


def reaches(a, b):
    seen, todo = set(), [a]
    while todo:
        v = todo.pop()
        for w in mods[v]:
            if w == b:
                return True
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return False


for m in sorted(mods):
    check(not reaches(m, m), "%s is in a circle of includes" % m)
print("%d modules in %s" % (len(mods), ", ".join(DIRS)))
finish()
