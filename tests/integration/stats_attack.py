# SPDX-License-Identifier: AGPL-3.0-or-later
"""The attacks of issue 18, rerun against the real `umbra-case stats`.

Generated data (skewed region x category counts, several categories per
report) go into real case stores through build/tests/stats_e2e; the tool
then publishes as an organisation would, and an attacker who sees every
published table solves integer programs with GLPK's glpsol (each solve
bounded in time) for the range of every hidden cell under the threshold,
from everything published: each figure's rounding interval, "<T" as
0..T-1, "x" as at least T, the region totals as sums (one region per
report), the category cells as at most their total and together at least
it (several categories per report), the months summing to the quarter.

  1. month/quarter differencing from two homes: the key holder publishes
     Q1; a member's home may not publish at all; the key holder's months
     are refused without --force-recut and audited against Q1 with it;
  2. a merge of drafts stays a draft, weaker inputs are refused, and "x"
     in a merged table is said to be possibly any number;
  3. 100 forced re-cuts with varied epsilon are refused (nothing published
     to average), the budget stops a third noisy cut of a month, and
     drafts draw the published noise again, not fresh noise;
  4. --round 1 tables.

Passing means: no published hidden cell is recovered or shown to be at
least one, and each keeps a range of at least the protection width (or
is known to be zero). A control makes the same tables with the audit off
(--protection 0, drafts) and the same attacker must expose a cell there,
so the attacker is shown able to find what it looks for.
Ends with "N passed, N failed".
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from case_lib import BUILD, Home, Results, tmpdir  # noqa: E402

FILL = os.path.join(BUILD, "tests", "stats_e2e")
GLPSOL = shutil.which("glpsol")
LOW = ["--kdf-memory", "8192", "--kdf-passes", "1", "--kdf-lanes", "1"]
NCAT = 13
WIDTH = 5  # the documented default protection width
TMLIM = 10  # seconds per attacker solve


class Member(Home):
    """A member's home (init --member), as tests/integration/case_members."""

    def __init__(self, parent, slug, name):
        self.dir = os.path.join(parent, name)
        self.pwfile = os.path.join(parent, name + ".pw")
        with open(self.pwfile, "wb") as f:
            f.write(b"member passphrase " + name.encode() +
                    b" quiet lantern orbit\n")
        self.slug = slug
        r = self.run("init", "--org", slug, "--member", "--name", name, *LOW)
        assert r.returncode == 0, r.stderr


def gen(seed, months, nreg=7, scale=1.0):
    """Spec lines for stats_e2e fill: skewed regions, 1-3 categories."""
    rnd = random.Random(seed)
    regs = ["TH", "LA", "KH", "MM", "VN", "MY", "PH", "ID", "BR"][:nreg]
    lines = []
    for m in months:
        for i, cc in enumerate(regs):
            n = int(scale * 90 / (i + 1)) + rnd.randint(0, 6)
            for _ in range(n):
                cats = 0
                for _ in range(1 + (rnd.random() < 0.3) + (rnd.random() < 0.1)):
                    b = min(int(rnd.expovariate(0.35)), NCAT - 1)
                    cats |= 1 << b
                day = "%s-%02d" % (m, rnd.randint(1, 28))
                lines.append("%s %d 0 %s en 0 1 1" % (day, cats, cc))
    return lines


def fill(home, lines):
    r = subprocess.run([FILL, "fill", home.dir, home.pwfile],
                       input="\n".join(lines).encode(), capture_output=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr


def month_span(frm, to):
    """Month keys YYYY-MM from the day frm to the day to."""
    y, m = int(frm[:4]), int(frm[5:7])
    out = []
    while "%04d-%02d" % (y, m) <= to[:7]:
        out.append("%04d-%02d" % (y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


class Attacker:
    """Every published table of region x category as one integer program
    over unknowns y[month][region][category] (and their totals)."""

    def __init__(self, tables):
        self.tables = tables
        self.months = sorted({m for t in tables
                              for m in month_span(t["from"], t["to"])})
        self.regs = []
        self.cats = []
        for t in tables:
            assert t["dims"] == ["region", "category"], t["dims"]
            for r in t["rows"]:
                if r not in self.regs:
                    self.regs.append(r)
            for c in t["columns"]:
                if c not in self.cats:
                    self.cats.append(c)
        self.lines = []
        self.ints = []
        self._build()

    def var(self, m, a, b):
        return "y_%d_%d_%d" % (m, a, b)

    def _build(self):
        A, B = len(self.regs), len(self.cats)
        for m in range(len(self.months)):
            for a in range(A + 1):
                for b in range(B + 1):
                    self.ints.append(self.var(m, a, b))
            # one region per report: regions add up to their total
            for b in range(B + 1):
                self.row(" + ".join(self.var(m, a, b) for a in range(A)) +
                         " - " + self.var(m, A, b) + " = 0")
            # several categories per report
            for a in range(A + 1):
                tot = self.var(m, a, B)
                self.row(" + ".join(self.var(m, a, b) for b in range(B)) +
                         " - " + tot + " >= 0")
                for b in range(B):
                    self.row(self.var(m, a, b) + " - " + tot + " <= 0")
        self.erow = {}
        for ti, t in enumerate(self.tables):
            for (i, j), cell in self.entries(t):
                expr = self.expr(t, i, j)
                lo, hi = self.bounds(t, cell)
                self.row(expr + " >= %d" % lo)
                self.erow[(ti, i, j)] = len(self.lines)  # glpk's row number
                if hi is not None:
                    self.row(expr + " <= %d" % hi)

    def row(self, text):
        self.lines.append(" c%d: %s" % (len(self.lines), text))

    @staticmethod
    def entries(t):
        R, C = len(t["rows"]), len(t["columns"])
        for i in range(R):
            for j in range(C):
                yield (i, j), t["cells"][i][j]
            yield (i, C), t["row_totals"][i]
        for j in range(C):
            yield (R, j), t["column_totals"][j]
        yield (R, C), t["total"]

    @staticmethod
    def bounds(t, cell):
        T, r = t["policy"]["threshold"], t["policy"]["round"]
        if cell == "x":
            return T, None
        if isinstance(cell, str):  # "<T"
            return 0, T - 1
        lo = cell - r // 2 if r > 1 else cell
        hi = lo + r - 1 if r > 1 else cell
        return max(lo, T), max(hi, T)

    def keyset(self, keys, idx, universe):
        """Base indexes that entry index idx of a table's axis names (a
        key the table lacks counts in its "other")."""
        if idx == len(keys):
            return [len(universe)]
        out = []
        for a, k in enumerate(universe):
            name = k if k in keys else "other"
            if name == keys[idx]:
                out.append(a)
        return out

    def expr(self, t, i, j):
        ms = [self.months.index(m) for m in month_span(t["from"], t["to"])]
        ra = self.keyset(t["rows"], i, self.regs)
        cb = self.keyset(t["columns"], j, self.cats)
        return " + ".join(self.var(m, a, b) for m in ms for a in ra
                          for b in cb)

    def solve(self, expr, sense, workdir):
        """The optimum (None if not proved within TMLIM) and the value of
        every table entry at the solution found (a witness)."""
        path = os.path.join(workdir, "attack.lp")
        with open(path, "w") as f:
            f.write("%s\n obj: %s\nSubject To\n" % (sense, expr))
            f.write("\n".join(self.lines))
            f.write("\nGeneral\n " + "\n ".join(self.ints) + "\nEnd\n")
        sol = os.path.join(workdir, "attack.sol")
        subprocess.run([GLPSOL, "--lp", path, "--tmlim", str(TMLIM),
                        "-w", sol], capture_output=True, timeout=TMLIM + 30)
        opt, rows = None, {}
        for line in open(sol):
            f = line.split()
            if f[:2] == ["s", "mip"] and len(f) >= 6:
                if f[4] in ("o", "f"):
                    opt = round(float(f[5])) if f[4] == "o" else None
                else:
                    return None, {}
            elif f[:1] == ["i"]:
                rows[int(f[1])] = round(float(f[2]))
        return opt, rows

    def exposed(self, workdir):
        """[(table, cell, lo, hi)] of hidden cells under the threshold
        that are shown to be >= 1 or narrower than the width. A solution
        seen with a cell at 0 (or at the width) spares that cell's
        minimum (or maximum): it is a point the attacker cannot rule
        out."""
        bad = []
        self.solves = 0
        small = []
        for ti, t in enumerate(self.tables):
            for (i, j), cell in self.entries(t):
                if isinstance(cell, str) and cell.startswith("<"):
                    small.append((ti, i, j))
        zero, wide = set(), set()

        def harvest(rows):
            for k in small:
                w = min(WIDTH, self.tables[k[0]]["policy"]["threshold"] - 1)
                v = rows.get(self.erow[k])
                if v == 0:
                    zero.add(k)
                if v is not None and v >= w:
                    wide.add(k)

        for k in small:
            ti, i, j = k
            t = self.tables[ti]
            w = min(WIDTH, t["policy"]["threshold"] - 1)
            e = self.expr(t, i, j)
            lo, hi = 0, w
            if k not in zero:
                lo, rows = self.solve(e, "Minimize", workdir)
                self.solves += 1
                harvest(rows)
            if k not in wide and lo is not None and lo == 0:
                hi, rows = self.solve(e, "Maximize", workdir)
                self.solves += 1
                harvest(rows)
            if lo is None or hi is None:
                continue  # nothing proved in time
            if lo >= 1 or (hi != 0 and hi < w):
                bad.append((ti, (i, j), lo, hi))
        return bad


def load(path):
    with open(path) as f:
        return json.load(f)


def stats(home, *args):
    return home.run("stats", *args, timeout=600)


def differencing(res, top, seed, control_hits):
    """Attack 1 on one dataset; returns the published tables."""
    d = os.path.join(top, "diff%d" % seed)
    os.makedirs(d)
    kh = Home(d, slug="org-a", name="holder")
    mem = Member(d, "org-a", "member")
    data = gen(seed, ["2026-01", "2026-02", "2026-03"], scale=0.35)
    fill(kh, data)
    fill(mem, data)
    cut = ["--by", "region,category", "--format", "json"]
    q1 = os.path.join(d, "q1.json")
    r = stats(kh, *cut, "--from", "2026-Q1", "--to", "2026-Q1", "--publish",
              "--out", q1)
    res.check("seed %d: the key holder publishes Q1" % seed,
              r.returncode == 0, r.stderr)
    r = stats(mem, *cut, "--period", "month", "--from", "2026-01", "--to",
              "2026-01", "--publish", "--out", os.path.join(d, "mj.json"))
    res.check("seed %d: a member's home may not publish (and says why)" % seed,
              r.returncode != 0 and b"key holder" in r.stderr and
              not os.path.exists(os.path.join(d, "mj.json")), r.stderr)
    r = stats(kh, *cut, "--period", "month", "--from", "2026-01", "--to",
              "2026-01", "--publish", "--out", os.path.join(d, "nf.json"))
    res.check("seed %d: a month of a published quarter is refused without "
              "--force-recut" % seed, r.returncode == 1 and
              b"already published" in r.stderr, r.stderr)
    pubs = [load(q1)]
    drafts = [load(q1)]
    for m in ("01", "02", "03"):
        out = os.path.join(d, "m%s.json" % m)
        # the control first: the same month as a draft without the audit
        dr = os.path.join(d, "d%s.json" % m)
        r = stats(kh, *cut, "--period", "month", "--from", "2026-" + m,
                  "--to", "2026-" + m, "--protection", "0", "--out", dr)
        if r.returncode == 0:
            drafts.append(load(dr))
        r = stats(kh, *cut, "--period", "month", "--from", "2026-" + m,
                  "--to", "2026-" + m, "--publish", "--force-recut",
                  "--out", out)
        ok = r.returncode == 0
        refused = (r.returncode == 1 and b"audit cannot protect" in r.stderr
                   and not os.path.exists(out))
        # published after the audit against Q1 and the months before, or
        # refused by it (the last month of a quarter may be the quarter
        # less the others): either way nothing unaudited leaves
        res.check("seed %d: 2026-%s %s" % (
            seed, m, "published forced after an audit against the "
            "connected publications" if ok else "refused by the audit"),
            (ok and load(out)["status"] == "published-forced" and
             b"audit:" in r.stderr) or refused, r.stderr)
        if ok:
            pubs.append(load(out))
    res.check("seed %d: at least one month published forced (%d), so the "
              "attacker has a quarter and its months" % (seed, len(pubs) - 1),
              len(pubs) >= 2)
    t0 = time.time()
    att = Attacker(pubs)
    bad = att.exposed(d)
    res.check("seed %d: the attacker on Q1 and its three months (%d solves, "
              "%.1f s) recovers no hidden cell, shows none to be at least one"
              % (seed, att.solves, time.time() - t0), bad == [], bad)
    control_hits.append(len(Attacker(drafts).exposed(d)))
    return pubs


def merge_of_drafts(res, top):
    d = os.path.join(top, "merge")
    os.makedirs(d)
    a = Home(d, slug="org-a", name="a")
    b = Home(d, slug="org-b", name="b")
    fill(a, gen(11, ["2026-04", "2026-05", "2026-06"], scale=0.5))
    fill(b, gen(12, ["2026-04", "2026-05", "2026-06"], scale=0.5))
    cut = ["--by", "region,category", "--from", "2026-Q2", "--to", "2026-Q2",
           "--format", "json"]
    fa, fb = os.path.join(d, "a.json"), os.path.join(d, "b.json")
    weak = os.path.join(d, "weak.json")
    pa = os.path.join(d, "pa.json")
    res.check("draft exports", stats(a, *cut, "--out", fa).returncode == 0 and
              stats(b, *cut, "--out", fb).returncode == 0)
    r = stats(a, *cut, "--threshold", "1", "--round", "1", "--out", weak)
    res.check("a draft with --threshold 1 --round 1", r.returncode == 0,
              r.stderr)
    m = os.path.join(d, "m.json")
    r = a.run("stats", "merge", fa, fb, "--out", m)
    res.check("a merge of drafts is a draft", r.returncode == 0 and
              load(m)["status"] == "draft", r.stderr)
    r = a.run("stats", "merge", fa, fa, "--out", m)
    res.check("merge draft.json draft.json stays a draft",
              r.returncode == 0 and load(m)["status"] == "draft", r.stderr)
    r = a.run("stats", "merge", weak, fb, "--out", os.path.join(d, "w.json"))
    res.check("an input weaker than the merge's policy is refused",
              r.returncode == 1 and b"protected less" in r.stderr, r.stderr)
    r = stats(a, *cut, "--publish", "--out", pa)
    pb = os.path.join(d, "pb.json")
    r2 = stats(b, *cut, "--publish", "--out", pb)
    r = a.run("stats", "merge", pa, pb, "--out", m)
    ok = r.returncode == 0
    j = load(m) if ok else {}
    res.check("a merge of publications is 'merged', and its notes say 'x' "
              "may be any number", ok and r2.returncode == 0 and
              j.get("status") == "merged" and
              any("any number" in n for n in j.get("notes", [])), r.stderr)


def recuts(res, top):
    d = os.path.join(top, "recut")
    os.makedirs(d)
    kh = Home(d, slug="org-a", name="holder")
    fill(kh, gen(21, ["2026-07", "2026-08", "2026-09"], scale=0.5))
    cut = ["--by", "category", "--from", "2026-Q3", "--to", "2026-Q3",
           "--format", "json"]
    first = os.path.join(d, "e1.json")
    r = stats(kh, *cut, "--epsilon", "1", "--publish", "--out", first)
    res.check("Q3 published with epsilon 1", r.returncode == 0, r.stderr)
    refused = 0
    t0 = time.time()
    for k in range(1, 101):
        out = os.path.join(d, "r%d.json" % k)
        r = stats(kh, *cut, "--epsilon", "1.%05d" % k, "--publish",
                  "--force-recut", "--out", out)
        if (r.returncode == 1 and b"another policy" in r.stderr and
                not os.path.exists(out)):
            refused += 1
    res.check("100 forced re-cuts differing only in epsilon: %d refused "
              "(%.0f s)" % (refused, time.time() - t0), refused == 100)
    r = stats(kh, "--by", "region", "--from", "2026-Q3", "--to", "2026-Q3",
              "--epsilon", "1", "--publish", "--force-recut", "--format",
              "json", "--out", os.path.join(d, "reg.json"))
    res.check("another cut of Q3 with epsilon 1 (budget 2 per month)",
              r.returncode == 0, r.stderr)
    r = stats(kh, "--by", "perpetrator", "--from", "2026-Q3", "--to",
              "2026-Q3", "--epsilon", "1/2", "--publish", "--force-recut",
              "--out", os.path.join(d, "perp.json"))
    res.check("a third noisy cut of the same months is refused: budget "
              "spent", r.returncode == 1 and b"budget" in r.stderr, r.stderr)
    # the noise comes from the months' seeds: a draft of the published cut
    # (same epsilon) draws exactly the published noise, every time; a
    # draft with another epsilon draws other noise, which is why a re-cut
    # differing only in epsilon is never published (above)
    pub = load(first)["values"]
    same = 0
    for k in range(5):
        out = os.path.join(d, "draft%d.json" % k)
        r = stats(kh, *cut, "--epsilon", "1", "--out", out)
        if r.returncode == 0 and load(out)["values"] == pub:
            same += 1
    res.check("5 drafts of the published noisy cut give the published "
              "figures (%d of 5): no fresh draws to average" % same,
              same == 5)
    dfs = []
    for k in range(2):
        out = os.path.join(d, "raw%d.json" % k)
        stats(kh, *cut, "--epsilon", "1", "--threshold", "1", "--round",
              "1", "--protection", "0", "--out", out)
        dfs.append(load(out)["values"] if os.path.exists(out) else None)
    res.check("the noisy counts themselves (threshold 1, round 1) are the "
              "same in two drafts", dfs[0] is not None and dfs[0] == dfs[1])


def round1(res, top, control_hits):
    d = os.path.join(top, "round1")
    os.makedirs(d)
    kh = Home(d, slug="org-a", name="holder")
    fill(kh, gen(31, ["2026-10", "2026-11", "2026-12"], scale=0.3))
    cut = ["--by", "region,category", "--from", "2026-Q4", "--to", "2026-Q4",
           "--round", "1", "--format", "json"]
    out = os.path.join(d, "q4.json")
    r = stats(kh, *cut, "--publish", "--out", out)
    res.check("Q4 published with --round 1", r.returncode == 0, r.stderr)
    if r.returncode != 0:
        return
    t = load(out)
    att = Attacker([t])
    bad = att.exposed(d)
    res.check("--round 1: the attacker (%d solves) recovers no hidden cell, "
              "shows none to be at least one; the audit hid %d"
              % (att.solves, len(t["policy"].get("audit_hidden", []))),
              bad == [], bad)
    dr = os.path.join(d, "dq4.json")
    if stats(kh, *cut, "--protection", "0", "--out", dr).returncode == 0:
        control_hits.append(len(Attacker([load(dr)]).exposed(d)))


def main():
    res = Results()
    if GLPSOL is None:
        res.check("glpsol (Debian glpk-utils) is installed", False)
        sys.exit(res.finish())
    top = tmpdir()
    hits = []
    try:
        for seed in (1,):  # one dataset keeps make check short
            differencing(res, top, seed, hits)
        round1(res, top, hits)
        merge_of_drafts(res, top)
        recuts(res, top)
        res.check("control: with the audit off, the same attacker exposes "
                  "cells (%s), so it can find what it looks for" % hits,
                  sum(hits) > 0)
    finally:
        shutil.rmtree(top, ignore_errors=True)
    sys.exit(res.finish())


if __name__ == "__main__":
    main()
