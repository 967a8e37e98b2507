#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Repeat offenders across an organisation's cases (issue 16, item 3),
without a server.

Reports carrying perpetrator identifiers are built here, sealed with
`umbra-case seal`, put in bundle files and imported. Checks: one phone
number typed three ways (`081-234-5678` with country TH, `+66 81 234
5678` from a report placed in Germany, Thai digits `๐๘๑ ๒๓๔ ๕๖๗๘`) in
three reports is one link; `show` says "this phone number is also in
cases ..."; `links --min`, `--json`; a plate in Latin and one with
Cyrillic look-alike letters are never merged but listed as look-alikes;
hostile identifiers (letters in a phone number, a 10,000-character
handle, 100 identifiers in one report, identifiers of the wrong shape,
markup) are stored capped or skipped and never break import; a deleted
case leaves the links; `links --rebuild` gives the same answer; nothing
of it is in the store's file in clear. Ends with "N passed, N failed".
"""
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from case_lib import Home, Results, tmpdir, write_bundle  # noqa: E402

R = Results()


def check(cond, what):
    """R.check with the condition first; the name is what, cut short."""
    return R.check(what[:160], cond, what)

DAY = "2026-11-20"
PHONE = "+66812345678"
THAI_DIGITS = "๐๘๑ ๒๓๔ ๕๖๗๘"


def out(r):
    return (r.stdout + r.stderr).decode(errors="replace")


def doc(country, ids, narrative="it happened"):
    d = {"schema": "umbra.report/1", "lang": "th", "via": "cli",
         "categories": ["robbery"], "narrative": narrative,
         "perpetrator": {"type": "client", "identifiers": ids},
         "consent": {"statistics": True}}
    if country:
        d["incident"] = {"date": "2026-11", "country": country}
    return json.dumps(d).encode()


def ident(kind, value):
    return {"kind": kind, "value": value}


def links_json(home, *args):
    r = home.run("links", "--json", *args)
    assert r.returncode == 0, out(r)
    return json.loads(r.stdout)


def find(links, kind, value):
    for entry in links:
        if entry["kind"] == kind and entry["value"] == value:
            return entry
    return None


def main():
    d = tmpdir()
    try:
        home = Home(d)
        long_handle = "H" * 10000
        docs = [
            # 1..3: the same number three ways, and more
            doc("th", [ident("phone", "081-234-5678"),
                       ident("plate", "ab-123 cd"),
                       ident("place", "  Hotel   Sunrise, Soi 4 ")]),
            doc("de", [ident("phone", "+66 81 234 5678"),
                       ident("handle",
                             "https://www.instagram.com/BigJohn/?hl=th")]),
            doc("TH", [ident("phone", THAI_DIGITS),
                       ident("handle", "@bigjohn"),
                       ident("place", "hotel sunrise, soi 4")]),
            # 4: the plate of case 1 typed otherwise
            doc("th", [ident("plate", "AB 123-CD")]),
            # 5: Cyrillic А, В, С look like the Latin plate: not merged
            doc("th", [ident("plate", "АВ 123 СD")]),
            # 6, 7: hostile values
            doc("th", [ident("phone", "081 CALL ME"),
                       ident("handle", long_handle),
                       ident("place", "<script>alert(1)</script>")]),
            doc("th", [ident("handle", long_handle),
                       ident("phone", "081 call me")]),
            # 8: 100 identifiers; 9: identifiers of the wrong shape
            doc("th", [ident("handle", "flood%d" % i) for i in range(100)]),
            doc("th", [1, "x", {"kind": 5, "value": "y"},
                       {"kind": "email", "value": "a@b"},
                       {"kind": "phone"}, ident("handle", "@@ ")]),
            # 10: no country: digits as typed, not linked to case 1
            doc(None, [ident("phone", "081 234 5678")]),
        ]
        bundle = os.path.join(d, "b1")
        write_bundle(bundle, home.slug,
                     [(str(i + 1), DAY, home.seal(x))
                      for i, x in enumerate(docs)])
        r = home.run("import", bundle)
        check(r.returncode == 0, "import: " + out(r))
        r = home.run("list", "--json")
        check(r.returncode == 0, "list: " + out(r))
        cases = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
        check(len(cases) == len(docs),
              "every report is a case, hostile ones too: %d" % len(cases))

        j = links_json(home)
        links = j["links"]
        ph = find(links, "phone", PHONE)
        check(ph is not None and ph["cases"] == [1, 2, 3],
              "one phone number typed three ways in three reports is one "
              "link: %r" % (ph,))
        check(links and links[0] == ph,
              "the link with the most cases comes first")
        pl = find(links, "plate", "AB123CD")
        check(pl is not None and pl["cases"] == [1, 4],
              "a plate typed two ways: one link %r" % (pl,))
        hd = find(links, "handle", "bigjohn")
        check(hd is not None and hd["cases"] == [2, 3],
              "a profile address and an @handle: one link %r" % (hd,))
        pc = find(links, "place", "hotel sunrise, soi 4")
        check(pc is not None and pc["cases"] == [1, 3],
              "a place with other case and spaces: one link %r" % (pc,))
        lh = find(links, "handle", "h" * 200)
        check(lh is not None and lh["cases"] == [6, 7] and
              "cut" in lh["flags"],
              "a 10,000-character handle is stored cut at 200, flagged")
        check(not any(e["kind"] == "phone" and e["value"] == "0812345678"
                      and 1 in e["cases"] for e in links),
              "a number without a country is not linked to +66 ones")
        check(all(len(e["cases"]) >= 2 for e in links),
              "--min 2 by default: every link has two cases or more")
        check(not any(e["value"].startswith("flood") for e in links),
              "identifiers seen once are not links")

        alikes = j["look_alikes"]
        grp = [g for g in alikes if g["kind"] == "plate" and
               g["skeleton"] == "AB123CD"]
        vals = {v["value"]: v for v in grp[0]["values"]} if grp else {}
        check(len(grp) == 1 and "AB123CD" in vals and
              "АВ123СD" in vals and vals["АВ123СD"]["cases"] == [5] and
              "mixed_scripts" in vals["АВ123СD"]["flags"],
              "Latin and Cyrillic look-alike plates: listed apart, the "
              "mixed one flagged: %r" % (grp,))
        check(not pl or 5 not in pl["cases"],
              "the look-alike is never merged into the link")

        j3 = links_json(home, "--min", "3")
        check([(e["kind"], e["value"]) for e in j3["links"]] ==
              [("phone", PHONE)], "--min 3: only the phone number")
        j1 = links_json(home, "--min", "1")
        check(sum(1 for e in j1["links"] if e["value"].startswith("flood"))
              == 16,
              "at most 16 identifiers are taken from one report")
        np = find(j1["links"], "phone", "081 CALL ME")
        check(np is not None and np["cases"] == [6] and
              np["flags"] == ["not_a_phone_number"],
              "letters in a phone number: kept as typed, flagged: %r" % (np,))
        nc = find(j1["links"], "phone", "0812345678")
        check(nc is not None and nc["cases"] == [10] and
              nc["flags"] == ["no_country"],
              "no country: digits as typed, flagged: %r" % (nc,))
        check(not any(e["value"] in ("x", "y", "a@b", "@@ ", "")
                      for e in j1["links"]),
              "identifiers of the wrong shape are skipped")

        r = home.run("links")
        t = out(r)
        check(r.returncode == 0 and PHONE in t and
              "in cases 1, 2 and 3" in t and "not proof" in t,
              "links in text: " + t[:600])
        check("Look-alikes" in t and "mixed scripts" in t,
              "links in text names the look-alikes")

        r = home.run("show", "1")
        t = out(r)
        check(r.returncode == 0 and
              "this phone number is also in cases 2 and 3" in t,
              "show says where else the phone number is: " + t[-800:])
        check("this plate is also in case 4" in t and
              "a look-alike (not the same) is in case 5" in t,
              "show names the look-alike apart")
        r = home.run("show", "1", "--json")
        sj = json.loads(r.stdout)
        sph = [x for x in sj.get("links", []) if x["kind"] == "phone"]
        check(sph and sph[0]["value"] == PHONE and
              sph[0]["also_in"] == [2, 3],
              "show --json links: %r" % (sj.get("links"),))
        check(sj["report"]["perpetrator"]["identifiers"][0]["value"] ==
              "081-234-5678", "the report keeps the value as typed")
        r = home.run("show", "6")
        t = out(r)
        check(r.returncode == 0 and "<script>" in t and "\x1b" not in t,
              "markup is shown as text")

        r = home.run("delete", "3", "--yes")
        check(r.returncode == 0, "delete: " + out(r))
        ph = find(links_json(home)["links"], "phone", PHONE)
        check(ph is not None and ph["cases"] == [1, 2],
              "a deleted case leaves the links: %r" % (ph,))
        before = links_json(home)
        r = home.run("links", "--rebuild", "--json")
        check(r.returncode == 0 and json.loads(r.stdout) == before,
              "--rebuild reads the cases again to the same links")

        raw = b""
        for name in os.listdir(home.dir):
            p = os.path.join(home.dir, name)
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    raw += f.read()
        check(PHONE.encode() not in raw and b"bigjohn" not in raw and
              b"AB123CD" not in raw,
              "the identifiers are not in the home's files in clear")
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    R.run(main)
