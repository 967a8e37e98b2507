#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""The statistics files (caseworker/stats*.c, .h) form modules without a
circle: every function a stats header declares is defined in one .c (the
header's owner), the modules' includes (a .c or its header including
another stats header) have no cycle, and no .c is over 800 lines.

Usage: stats_modules.py [caseworker-dir]. Ends with "N passed, N failed".
"""
import os
import re
import sys

from tally import check, finish

DIR = sys.argv[1] if len(sys.argv) > 1 else "caseworker"
MAX_LINES = 800


def read(name):
    with open(os.path.join(DIR, name), encoding="utf-8") as f:
        return f.read()


def local_includes(text):
    return re.findall(r'^#include "(stats[a-z_]*\.h)"', text, re.M)


files = sorted(os.listdir(DIR))
sources = [f for f in files if re.fullmatch(r"stats[a-z_]*\.c", f)]
headers = [f for f in files if re.fullmatch(r"stats[a-z_]*\.h", f)]

# where each stats_ function is defined (return type on its own line)
defined = {}
for c in sources:
    for name in re.findall(r"^(stats_\w+)\(", read(c), re.M):
        defined.setdefault(name, set()).add(c)

# the owner of each header: the one .c defining what it declares
owner = {}
for h in headers:
    text = re.sub(r"/\*.*?\*/", "", read(h), flags=re.S)
    text = re.sub(r"static inline.*?\n\}\n", "", text, flags=re.S)
    decl = set(re.findall(r"^[a-z][^;(]*?\b(stats_\w+)\(", text, re.M))
    owners = set()
    for d in decl:
        owners |= defined.get(d, set())
    check(len(owners) == 1,
          "%s declares functions of %s" % (h, ", ".join(sorted(owners))
                                          or "no .c"))
    if len(owners) == 1:
        owner[h] = owners.pop()
    else:
        owner[h] = h[:-2] + ".c"

# module graph: a .c depends on the owners of the headers it and its own
# header include
graph = {c: set() for c in sources}
for h in headers:
    o = owner[h]
    graph.setdefault(o, set())
    for inc in local_includes(read(h)):
        if inc in owner and owner[inc] != o:
            graph[o].add(owner[inc])
for c in sources:
    for inc in local_includes(read(c)):
        if inc in owner and owner[inc] != c:
            graph[c].add(owner[inc])

# cycle search (depth first, colours)
colour, cycle = {}, []


def visit(n, path):
    colour[n] = 1
    for m in sorted(graph.get(n, ())):
        if colour.get(m) == 1:
            cycle.append(path[path.index(m):] + [m] if m in path
                         else path + [m])
        elif m not in colour:
            visit(m, path + [m])
    colour[n] = 2


for n in sorted(graph):
    if n not in colour:
        visit(n, [n])
check(not cycle, "include cycle: " + "; ".join(" -> ".join(c)
                                               for c in cycle))

for c in sources:
    n = read(c).count("\n")
    check(n <= MAX_LINES, "%s has %d lines (at most %d)" % (c, n, MAX_LINES))

finish()
