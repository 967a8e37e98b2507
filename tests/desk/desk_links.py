#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""The desk's identifier links (issue 16, item 3) over plain HTTP: a
home with one phone number typed three ways in three reports (TH digits
in Thai script among them), a Latin plate and a Cyrillic look-alike, and
markup in a handle found in two cases. The Links screen lists the phone
number with links to its three cases, the look-alikes apart, the markup
inert; ?min=3 keeps only the phone number; a bad min is a 400; a case's
page says which other cases have its identifiers; the Thai desk says it
in Thai; locked, /links sends to the unlock page. Ends with "N passed,
N failed"."""
import json
import os
import re
import shutil
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from desk_lib import Desk  # noqa: E402
from umbra import Results  # noqa: E402
from case_lib import Home, tmpdir, write_bundle  # noqa: E402

T = Results()
PHONE = "+66812345678"
MARKUP = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"


def doc(country, ids):
    d = {"schema": "umbra.report/1", "lang": "th", "via": "cli",
         "categories": ["robbery"], "narrative": "it happened",
         "perpetrator": {"type": "client", "identifiers": [
             {"kind": k, "value": v} for k, v in ids]}}
    if country:
        d["incident"] = {"date": "2026-11", "country": country}
    return json.dumps(d).encode()


def unlocked(home, pw, env=None):
    d = Desk(home, env=env)
    d.login()
    csrf = d.csrf()
    d.request("POST", "/unlock", cookie=d.cookie,
              body=urllib.parse.urlencode({"csrf": csrf, "passphrase": pw}))
    return d


def main():
    tmp = tmpdir()
    try:
        h = Home(tmp)
        docs = [doc("th", [("phone", "081-234-5678"), ("plate", "AB 123"),
                           ("handle", MARKUP)]),
                doc("de", [("phone", "+66 81 234 5678"),
                           ("handle", MARKUP)]),
                doc("th", [("phone", "๐๘๑ ๒๓๔ ๕๖๗๘"),
                           ("plate", "АВ 123")])]
        b = os.path.join(tmp, "b")
        write_bundle(b, h.slug, [(str(i + 1), "2026-11-20", h.seal(x))
                                 for i, x in enumerate(docs)])
        r = h.run("import", b)
        T.check("three reports imported", r.returncode == 0, r.stderr)
        pw = open(h.pwfile).read().rstrip("\n")

        d = Desk(h.dir)
        d.login()
        s, hd, _ = d.request("GET", "/links", cookie=d.cookie)
        T.check("locked: /links goes to the unlock page",
                s == 303 and hd.get("location") == "/", (s, hd))
        d.stop()

        d = unlocked(h.dir, pw)
        s, _, page = d.request("GET", "/links", cookie=d.cookie)
        text = page.decode(errors="replace")
        T.check("the Links screen answers 200", s == 200, s)
        T.check("the navigation links to it", 'href="/links"' in text)
        row = re.search(r"<tr><td>[^<]*</td><td><bdi class=\"ident\" "
                        r"dir=\"ltr\">" +
                        re.escape(PHONE) + r"</bdi></td>"
                        r"<td data-n=\"3\">(.*?)</td></tr>", text)
        T.check("one phone number typed three ways: one row, three cases",
                row is not None and row.group(1) ==
                '<a href="/case?id=1">1</a>, <a href="/case?id=2">2</a>, '
                '<a href="/case?id=3">3</a>', text[-3000:])
        T.check("a lead, not proof: the page says so",
                "not proof" in text)
        T.check("the markup of a handle is inert",
                "<script>document" not in text and "<img src=x" not in text
                and "&lt;script&gt;" in text)
        alikes = text.split('id="alikes"')[-1]
        T.check("the look-alike plates are listed apart, the mixed one "
                "never in a row of links",
                'id="alikes"' in text and "AB123" in alikes and
                "АВ123" in alikes and "АВ123" not in
                text.split('id="alikes"')[0].split("<table")[-1], text[-1500:])
        s, _, page = d.request("GET", "/links?min=3", cookie=d.cookie)
        rows = re.findall(r"<tr><td>", page.decode())
        T.check("?min=3: only the phone number", s == 200 and len(rows) == 1
                and PHONE.encode() in page, page[-1500:])
        for bad in ("0", "x", "-1", "99999999"):
            s, _, _ = d.request("GET", "/links?min=" + bad, cookie=d.cookie)
            T.check("?min=%s is refused (400)" % bad, s == 400, s)
        s, _, page = d.request("GET", "/case?id=1", cookie=d.cookie)
        text = page.decode(errors="replace")
        sec = text.split('<section id="links">')[-1].split("</section>")[0]
        T.check("the case page has the identifiers' section",
                s == 200 and '<section id="links">' in text, text[:500])
        T.check("case 1: its phone number also in cases 2 and 3, linked",
                PHONE in sec and 'also in cases <a href="/case?id=2">2</a>, '
                '<a href="/case?id=3">3</a>' in sec, sec[:1500])
        T.check("case 1: the look-alike plate in case 3, said apart",
                "a look-alike (not the same) is in cases "
                '<a href="/case?id=3">3</a>' in sec, sec[:1500])
        d.stop()

        d = unlocked(h.dir, pw, env={"LANG": "th_TH.UTF-8"})
        s, _, page = d.request("GET", "/links", cookie=d.cookie)
        text = page.decode(errors="replace")
        T.check("the Thai desk: the Links screen in Thai",
                s == 200 and 'lang="th"' in text and "ความเชื่อมโยง" in text
                and "เบอร์โทร" in text and PHONE in text, text[:800])
        d.stop()
        d = unlocked(h.dir, pw, env={"LANG": "ar_EG.UTF-8"})
        s, _, page = d.request("GET", "/case?id=3", cookie=d.cookie)
        text = page.decode(errors="replace")
        T.check("the Arabic desk: the case's identifiers in Arabic, right "
                "to left, the values isolated",
                s == 200 and 'dir="rtl"' in text and "المعرّفات" in text and
                '<bdi class="ident" dir="auto">' in text, text[:800])
        d.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


T.run(main)
