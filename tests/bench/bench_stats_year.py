# SPDX-License-Identifier: AGPL-3.0-or-later
"""The yearly table audited against twelve published months (issue 18).

Generates about 8,000 reports over one year (52 regions with skewed
sizes, 13 categories, one to three categories per report) into a real
case store through build/tests/stats_e2e, publishes the twelve monthly
tables of region x category as the key holder would, then the yearly
table over them with --force-recut, so that the audit models 13 tables
together. Prints the time of each run and the audit's own line.

Every run of `umbra-case stats` is capped at STATS_YEAR_CAP seconds
(default 600): the bench always ends, and says "did not finish" when a
run was stopped. Options via the environment:

  STATS_YEAR_CAP     seconds per run (600)
  STATS_YEAR_ROUND   --round of every table (default: the tool's, 5)
  STATS_YEAR_BUDGET  --audit-budget of every run (default: the tool's)
  STATS_YEAR_ALONE   1: the yearly table alone, no month published first
                     (the largest single table, 52 x 13 and totals)
  STATS_YEAR_SEED    the generator's seed (18)
  STATS_YEAR_SCALE   reports per region and month times this (1; 127
                     gives about 1,000,000 reports: what the audit's
                     counting again of the true point costs on a large
                     store)
  STATS_YEAR_KEEP    a directory to keep the home in (default: removed)

Ends with "N passed, N failed" (a run that did not finish or failed
counts as failed).
"""
import os
import random
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from case_lib import BUILD, Home  # noqa: E402

FILL = os.path.join(BUILD, "tests", "stats_e2e")
CAP = float(os.environ.get("STATS_YEAR_CAP", "600"))
ROUND = os.environ.get("STATS_YEAR_ROUND", "")
BUDGET = os.environ.get("STATS_YEAR_BUDGET", "")
ALONE = os.environ.get("STATS_YEAR_ALONE", "") == "1"
SEED = int(os.environ.get("STATS_YEAR_SEED", "18"))
SCALE = max(1, int(os.environ.get("STATS_YEAR_SCALE", "1")))
YEAR = "2025"
NREG = 52
NCAT = 13


def regions():
    """52 two-letter region codes, AA, AB, ... (not real countries)."""
    out = []
    for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            out.append(a + b)
    return out[:NREG]


def gen(seed):
    """Spec lines for stats_e2e fill: about 8,000 reports in one year
    (times STATS_YEAR_SCALE)."""
    rnd = random.Random(seed)
    lines = []
    regs = regions()
    for m in range(1, 13):
        for i, cc in enumerate(regs):
            n = int(SCALE * 107 / (i + 1) ** 0.9) + rnd.randint(0, 4 * SCALE)
            for _ in range(n):
                cats = 0
                for _ in range(1 + (rnd.random() < 0.3) +
                               (rnd.random() < 0.1)):
                    cats |= 1 << min(int(rnd.expovariate(0.35)), NCAT - 1)
                day = "%s-%02d-%02d" % (YEAR, m, rnd.randint(1, 28))
                lines.append("%s %d 0 %s en 0 1 1" % (day, cats, cc))
    return lines


def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(home, args):
    """(seconds, finished, returncode, the audit's line with the run's
    CPU seconds)."""
    cmd = [os.path.join(BUILD, "umbra-case"), "--home", home.dir,
           "--passphrase-file", home.pwfile, "stats"] + args
    t0 = time.monotonic()
    c0 = cpu()
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=CAP)
    except subprocess.TimeoutExpired:
        return time.monotonic() - t0, False, None, ""
    dt = time.monotonic() - t0
    audit = ""
    for ln in r.stderr.decode(errors="replace").splitlines():
        if "audit" in ln:
            audit = ln.split("stats: ", 1)[-1]
    return dt, True, r.returncode, "%s [CPU %.2f s]" % (audit, cpu() - c0)


def main():
    passed = failed = 0
    keep = os.environ.get("STATS_YEAR_KEEP")
    if keep:
        os.makedirs(keep)
    with tempfile.TemporaryDirectory(prefix="umbra-year-", dir=keep) as tmp:
        top = keep or tmp
        home = Home(top, slug="org-year", name="holder")
        lines = gen(SEED)
        t_fill = time.monotonic()
        r = subprocess.run([FILL, "fill", home.dir, home.pwfile],
                           input="\n".join(lines).encode(),
                           capture_output=True,
                           timeout=600 + len(lines) // 500)
        if r.returncode != 0:
            print("fill failed:", r.stderr.decode(errors="replace"))
            print("0 passed, 1 failed")
            return 1
        print("fill: %.1f s" % (time.monotonic() - t_fill))
        print("bench-stats-year: %d reports, %d regions, %d categories, "
              "cap %.0f s per run%s" % (len(lines), NREG, NCAT, CAP,
                                        ", --round " + ROUND if ROUND
                                        else ""))
        cut = ["--by", "region,category", "--format", "json", "--publish"]
        if ROUND:
            cut += ["--round", ROUND]
        if BUDGET:
            cut += ["--audit-budget", BUDGET]
        months = 0.0
        for m in range(1, 1 if ALONE else 13):
            key = "%s-%02d" % (YEAR, m)
            dt, done, rc, audit = run(home, cut + [
                "--period", "month", "--from", key, "--to", key,
                "--out", os.path.join(top, "m%02d.json" % m)])
            months += dt
            ok = done and rc == 0
            print("  month %s: %s %.2f s  %s" % (
                key, "published" if ok else
                "did not finish" if not done else "exit %s" % rc, dt, audit))
            passed, failed = passed + ok, failed + (not ok)
        print("  12 months: %.2f s" % months)
        dt, done, rc, audit = run(home, cut + [
            "--period", "year", "--from", YEAR, "--to", YEAR,
            "--force-recut", "--out", os.path.join(top, "year.json")])
        ok = done and rc == 0
        print("  year %s %s: %s %.2f s  %s" % (
            YEAR, "alone" if ALONE else "over the 12 published months",
            "published" if ok else
            "did not finish (stopped at the cap)" if not done
            else "exit %s" % rc, dt, audit))
        passed, failed = passed + ok, failed + (not ok)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
