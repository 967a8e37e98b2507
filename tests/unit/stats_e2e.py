# SPDX-License-Identifier: AGPL-3.0-or-later
"""`umbra-case stats` end to end, on a real home and case store.

Reports go in through the real pipeline (seal, bundle, import) so that the
facts the store keeps are the ones statistics read; larger known counts go
in as synthetic facts through build/tests/stats_e2e (store_add_synthetic).
Ends with "N passed, N failed".
"""
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
from case_lib import BUILD, Home, Results, report, tmpdir, write_bundle  # noqa: E402

FILL = os.path.join(BUILD, "tests", "stats_e2e")
CATS = ["physical-violence", "sexual-violence", "robbery", "non-payment",
        "threats-stalking", "police-harassment", "police-extortion",
        "arrest-detention", "immigration-raid", "exploitation",
        "service-discrimination", "housing-eviction", "other"]


def fill(home, lines):
    r = subprocess.run([FILL, "fill", home.dir, home.pwfile],
                       input="\n".join(lines).encode(), capture_output=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    return r


def rnd5(v):
    return (v + 2) // 5 * 5


def main():
    res = Results()
    top = tmpdir()
    try:
        home = Home(top, slug="org-a", name="a")

        # -- real reports through import: consent decides ------------------
        recs = []
        n = 0
        for i in range(12):
            doc = report(categories=["police-extortion"],
                         consent={"statistics": True})
            recs.append((str(n + 1), "2026-02-1%d" % (i % 9), home.seal(doc)))
            n += 1
        for i in range(30):
            doc = report(categories=["robbery"], consent={"statistics": False})
            recs.append((str(n + 1), "2026-02-20", home.seal(doc)))
            n += 1
        for i in range(4):
            doc = report(categories=["robbery"])
            doc = json.loads(doc)
            del doc["consent"]
            recs.append((str(n + 1), "2026-03-01",
                         home.seal(json.dumps(doc).encode())))
            n += 1
        bpath = os.path.join(top, "in.umbrabundle")
        write_bundle(bpath, "org-a", recs)
        r = home.run("import", bpath)
        res.check("import of 46 reports", r.returncode == 0, r.stderr)
        out = os.path.join(top, "q1.json")
        r = home.run("stats", "--by", "category", "--from", "2026-Q1", "--to",
                     "2026-Q1", "--threshold", "1", "--round", "1",
                     "--format", "json", "--out", out)
        res.check("stats on imported reports", r.returncode == 0, r.stderr)
        if r.returncode == 0:
            j = json.load(open(out))
            vals = dict(zip(j["rows"], j["values"]))
            res.check("12 consenting police-extortion reports counted",
                      vals.get("police-extortion") == 12, vals)
            res.check("34 robbery reports without consent never count",
                      vals.get("robbery") == "<1", vals)
            res.check("total counts consenting reports only",
                      j["total"] == 12, j["total"])
            res.check("export says what it counts",
                      j["counts"] == "reports received" and
                      any("not a measure" in x for x in j["notes"]), j["notes"])

        # -- synthetic facts with known counts -----------------------------
        truth = {}
        lines = []
        for m in (4, 5, 6):
            for ci, cat in enumerate(CATS):
                c = (ci * 7 + m * 3) % 40  # 0..39: some small, some not
                if c:
                    lines.append("2026-%02d-15 %d 0 TH th 1 1 %d" % (m, 1 << ci, c))
                truth[(cat, "2026-%02d" % m)] = c
            # never counted: no consent
            lines.append("2026-%02d-15 %d 0 TH th 1 0 500" % (m, 1 << 9))
        fill(home, lines)
        out = os.path.join(top, "q2.json")
        r = home.run("stats", "--by", "category,period", "--period", "month",
                     "--from", "2026-04", "--to", "2026-06", "--format",
                     "json", "--out", out)
        res.check("stats by category and month", r.returncode == 0, r.stderr)
        if r.returncode == 0:
            j = json.load(open(out))
            bad = []
            for ri, cat in enumerate(j["rows"]):
                for ci, per in enumerate(j["columns"]):
                    t = truth.get((cat, per), 0)
                    v = j["cells"][ri][ci]
                    ok = (v == "<10" and t < 10) or (v == "x" and t >= 10) or \
                         (isinstance(v, int) and t >= 10 and v == rnd5(t))
                    if not ok:
                        bad.append((cat, per, t, v))
            res.check("every cell follows the policy", not bad, bad[:5])
            ex = j["row_totals"][j["rows"].index("exploitation")]
            ext = sum(truth[("exploitation", "2026-%02d" % m)]
                      for m in (4, 5, 6))
            res.check("1,500 exploitation cases without consent never count",
                      ex == rnd5(ext), (ex, ext))
            for ri, row in enumerate(j["cells"]):
                line = row + [j["row_totals"][ri]]
                hid = sum(1 for v in line if isinstance(v, str))
                if hid == 1:
                    bad.append(("row", j["rows"][ri]))
            res.check("no row with a single hidden entry", not bad, bad[:5])

        # -- ledger through the binary -------------------------------------
        pub = os.path.join(top, "pub.csv")
        r = home.run("stats", "--by", "category", "--period", "quarter",
                     "--from", "2026-Q2", "--to", "2026-Q2", "--publish",
                     "--out", pub)
        res.check("publish Q2", r.returncode == 0, r.stderr)
        first = open(pub).read() if r.returncode == 0 else ""
        fill(home, ["2026-05-02 4 0 TH th 0 1 1"])  # one more robbery in Q2
        r = home.run("stats", "--by", "category", "--period", "quarter",
                     "--from", "2026-Q2", "--to", "2026-Q2", "--publish",
                     "--out", pub)
        res.check("same cut again gives the same figures",
                  r.returncode == 0 and open(pub).read().split("\ncategory,")[1]
                  == first.split("\ncategory,")[1], r.stderr)
        r = home.run("stats", "--by", "perpetrator", "--period", "month",
                     "--from", "2026-05", "--to", "2026-07", "--publish",
                     "--out", pub)
        res.check("a re-cut of a published period is refused",
                  r.returncode == 1 and b"refused" in r.stderr, r.stderr)
        r = home.run("stats", "--by", "perpetrator", "--period", "month",
                     "--from", "2026-05", "--to", "2026-07", "--publish",
                     "--force-recut", "--out", pub)
        res.check("--force-recut publishes", r.returncode == 0, r.stderr)

        # -- the audit's work budget ---------------------------------------
        lines = []
        for m in (10, 11, 12):
            for ci in range(len(CATS)):
                c = (ci * 5 + m * 3) % 40
                if c:
                    lines.append("2026-%02d-15 %d 0 TH th 1 1 %d"
                                 % (m, 1 << ci, c))
        fill(home, lines)
        q4 = ["stats", "--by", "category,period", "--period", "month",
              "--from", "2026-10", "--to", "2026-12", "--format", "json"]
        over = b"could not finish within its budget of 1 units of work"
        draft = os.path.join(top, "q4-draft.json")
        r = home.run(*q4, "--audit-budget", "1", "--out", draft)
        res.check("a draft past the audit's budget is refused, nothing "
                  "written",
                  r.returncode == 1 and over in r.stderr and
                  b"--audit-budget N" in r.stderr and
                  not os.path.exists(draft), r.stderr)
        q4pub = os.path.join(top, "q4-pub.json")
        r = home.run(*q4, "--audit-budget", "1", "--publish", "--out", q4pub)
        res.check("a publication past the audit's budget is refused with "
                  "the refusals' exit status, nothing written",
                  r.returncode == 1 and over in r.stderr and
                  b"audit: stopped at" in r.stderr and
                  not os.path.exists(q4pub), r.stderr)
        # had the refused run been recorded, this would be a re-issue
        r = home.run(*q4, "--publish", "--out", q4pub)
        err = r.stderr.decode(errors="replace")
        work = [int(w.split(" of ")[0].split()[-1]) for w in
                err.split("; ") if "units of work," in w]
        res.check("the default budget publishes it, as a first publication "
                  "(the ledger did not keep the refused one)",
                  r.returncode == 0 and "was published on" not in err and
                  os.path.exists(q4pub) and work and work[0] > 1, err)
        for bad in ("0", "12x", "", "-3", "99999999999999"):
            r = home.run(*q4, "--audit-budget", bad)
            res.check("--audit-budget '%s' is a usage error" % bad,
                      r.returncode == 2 and b"bad --audit-budget" in
                      r.stderr, r.stderr)

        # -- outputs through the binary ------------------------------------
        html = os.path.join(top, "q2.html")
        r = home.run("stats", "--by", "category", "--from", "2026-Q2",
                     "--to", "2026-Q2", "--lang", "fr", "--out", html)
        page = open(html, encoding="utf-8").read() if r.returncode == 0 else ""
        res.check("HTML report in French",
                  r.returncode == 0 and "Signalements reçus" in page and
                  "<svg" in page and "<table" in page, r.stderr)

        # -- merge of two organisations' exports ---------------------------
        other = Home(top, slug="org-b", name="b")
        fill(other, ["2026-04-03 %d 1 BR pt-BR 0 1 %d" % (1 << ci, 5 + ci * 3)
                     for ci in range(len(CATS))])
        ea = os.path.join(top, "a.json")
        eb = os.path.join(top, "b.json")
        em = os.path.join(top, "m.json")
        for h, e in ((home, ea), (other, eb)):
            r = h.run("stats", "--by", "category", "--from", "2026-Q2",
                      "--to", "2026-Q2", "--format", "json", "--out", e)
            res.check("export for merge", r.returncode == 0, r.stderr)
        r = subprocess.run([os.path.join(BUILD, "umbra-case"), "stats",
                            "merge", ea, eb, "--out", em],
                           capture_output=True, timeout=60)
        res.check("merge needs no home or passphrase", r.returncode == 0,
                  r.stderr)
        if r.returncode == 0:
            a, b, m = (json.load(open(p)) for p in (ea, eb, em))
            bad = []
            for i, cat in enumerate(m["rows"]):
                va = a["values"][a["rows"].index(cat)]
                vb = b["values"][b["rows"].index(cat)]
                vm = m["values"][i]
                if isinstance(va, int) and isinstance(vb, int):
                    if vm != rnd5(va + vb) and not isinstance(vm, str):
                        bad.append((cat, va, vb, vm))
                elif isinstance(vm, int):
                    bad.append((cat, va, vb, vm))
            res.check("merged = sum of visible, hidden stays hidden",
                      not bad, bad)
            res.check("merged export says so", m.get("merged_from") == 2 and
                      any("twice" in x for x in m["notes"]), m.get("notes"))
    finally:
        shutil.rmtree(top, ignore_errors=True)
    return res.finish()


if __name__ == "__main__":
    sys.exit(main())
