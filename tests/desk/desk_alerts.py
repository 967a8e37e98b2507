#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""The desk's Alerts screen (issue 16), over plain HTTP like a browser
without JavaScript: a case without consent.alert is refused by number and
nothing is kept; a draft from a consented case is made, its fields edited
in the form (a Thai text added and written, an identifier, a hostile
region), an invalid edit keeps nothing, a text to translate blocks
signing, the alert is signed (then read-only, and the CLI's `alert verify`
says valid), withdrawn (a signed withdrawal), and a draft deleted. Every
page carries no script and escapes what was typed. Ends with "N passed, N
failed".

    desk_alerts.py prepare DIR   makes the home in DIR and prints its facts
                                 as JSON (desk_alerts_test.js uses it)"""
import datetime
import json
import os
import re
import shutil
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from desk_lib import Desk  # noqa: E402
from case_lib import CASE, Home, Results, tmpdir, write_bundle  # noqa

R = Results()
check = R.check
TODAY = datetime.date.today()


def report(text, consent):
    return json.dumps({
        "schema": "umbra.report/1", "lang": "en", "via": "cli",
        "categories": ["robbery"], "narrative": text,
        "incident": {"date": (TODAY - datetime.timedelta(days=9))
                     .isoformat(), "country": "th", "region": "Bangkok"},
        "perpetrator": {"types": ["client"], "description": "grey car",
                        "identifiers": [{"kind": "phone",
                                         "value": "+66812345678"}]},
        "consent": {"statistics": True, "alert": consent}}).encode()


def prepare(d):
    """A home in d with case 1 (consents to an alert) and case 2 (does
    not); the home."""
    h = Home(d)
    write_bundle(os.path.join(d, "b"), "demo", [
        ("1", TODAY.isoformat(), h.seal(report("he robbed me", True))),
        ("2", TODAY.isoformat(), h.seal(report("keep it private", False)))])
    r = h.run("import", os.path.join(d, "b"))
    assert r.returncode == 0, r.stderr
    return h


def main():
    d = tmpdir()
    h = prepare(d)
    desk = Desk(h.dir, args=("--no-browser", "--passphrase-file", h.pwfile))
    check("the desk starts", desk.ok, desk.url)
    desk.login()
    csrf = desk.csrf()

    def get(path):
        s, _, page = desk.request("GET", path, cookie=desk.cookie)
        return s, page.decode()

    def post(path, fields):
        body = urllib.parse.urlencode([("csrf", csrf)] + fields)
        s, hd, _ = desk.request("POST", path, cookie=desk.cookie, body=body,
                                headers={"Origin": desk.base})
        return s, hd.get("location", "")

    s, page = get("/")
    check("the navigation links the Alerts screen",
          'href="/alerts"' in page, page[:400])
    s, page = get("/alerts")
    check("GET /alerts: the list and the new-alert form", s == 200 and
          'action="/alerts/new"' in page and "<script" not in page, s)

    s, loc = post("/alerts/new", [("cases", "2"), ("lang", "en")])
    s2, page = get("/alerts")
    check("a case without consent is refused, by number",
          s == 303 and "case 2" in page and "consent.alert" in page and
          'href="/alert?n=' not in page, page[-1500:])

    s, loc = post("/alerts/new", [("cases", "1"), ("lang", "en")])
    check("a draft from the consented case: 303 to its page",
          s == 303 and loc.endswith("/alert?n=1"), (s, loc))
    s, page = get("/alert?n=1")
    check("the draft's form: level, region Bangkok, masked candidate",
          s == 200 and 'name="level"' in page and 'value="Bangkok"' in page
          and "+66 *******78" in page and "+66812345678" not in page,
          page[:3000])

    s, loc = post("/alert/save", [("n", "1"), ("level", "loud")])
    r = h.run("alert", "show", "1", "--json")
    check("an invalid level is refused and nothing changes",
          json.loads(r.stdout)["level"] == "warning", r.stdout)
    s, page = get("/alert?n=1")
    check("and the page says why", "level is info, warning or danger" in
          page, page[:2000])

    s, loc = post("/alert/save", [
        ("n", "1"), ("level", "danger"), ("country", "th"),
        ("region", "<b>Bang</b>kok"), ("identifiers", "phone +66 *******78"),
        ("addlang", "th")])
    r = h.run("alert", "show", "1", "--json")
    a = json.loads(r.stdout)
    check("saved: level, country upper-cased, region as typed, the "
          "identifier, a Thai text to translate",
          a["level"] == "danger" and a["area"] == {
              "country": "TH", "region": "<b>Bang</b>kok"} and
          a["identifiers"] == [{"kind": "phone", "value": "+66 *******78"}]
          and a["texts"][1]["lang"] == "th" and
          a["texts"][1]["title"].startswith("[translate]"), a)
    s, page = get("/alert?n=1")
    check("the region is shown escaped", "&lt;b&gt;Bang&lt;/b&gt;kok" in page
          and "<b>Bang" not in page, page[:3000])

    s, loc = post("/alert/sign", [("n", "1")])
    s, page = get("/alert?n=1")
    check("a text to translate blocks signing, and the page says so",
          "[th] is not translated" in page and
          json.loads(h.run("alert", "list", "--json").stdout)[0]["status"]
          == "draft", page[-2000:])

    s, loc = post("/alert/save", [
        ("n", "1"), ("title.th", "ระวังรถสีเทา"),
        ("body.th", "ชายคนนี้ปล้นพนักงาน ระวังตัวด้วย")])
    s, loc = post("/alert/sign", [("n", "1")])
    rows = json.loads(h.run("alert", "list", "--json").stdout)
    check("signed from the desk", rows[0]["status"] == "signed" and
          rows[0]["alert"]["texts"][1]["title"] == "ระวังรถสีเทา", rows)
    s, page = get("/alert?n=1")
    check("a signed alert is read-only: no save, a withdraw button",
          'action="/alert/save"' not in page and 'id="withdraw"' in page,
          page[-2000:])
    r = h.run("alert", "show", "1", "--file")
    f = os.path.join(d, "a.json")
    with open(f, "wb") as fh:
        fh.write(r.stdout)
    r = h.run("alert", "verify", f, "--bundle", h.public, passphrase=False)
    check("what the desk signed verifies", r.returncode == 0, r.stdout)
    s, loc = post("/alert/save", [("n", "1"), ("level", "info")])
    rows = json.loads(h.run("alert", "list", "--json").stdout)
    check("a save of a signed alert changes nothing",
          rows[0]["alert"]["level"] == "danger", rows[0])

    s, loc = post("/alert/withdraw", [("n", "1")])
    rows = json.loads(h.run("alert", "list", "--json").stdout)
    check("withdrawn from the desk: a signed withdrawal",
          rows[0]["status"] == "withdrawn" and rows[1]["kind"] ==
          "withdrawal" and rows[1]["alert"]["withdraws"] == rows[0]["id"],
          rows)

    s, loc = post("/alerts/new", [("cases", "1")])
    n = loc.rsplit("=", 1)[-1]
    s, loc = post("/alert/withdraw", [("n", n)])
    rows = json.loads(h.run("alert", "list", "--json").stdout)
    check("a draft is deleted", len(rows) == 2, rows)

    s, loc = post("/alerts/config", [("area", "country")])
    r = h.run("alert", "config")
    check("the area setting from the desk", b"area: country" in r.stdout,
          r.stdout)
    s, loc = post("/alerts/config", [("area", "street")])
    check("an unknown area is a 400", s == 400, s)
    s, _, _ = desk.request("POST", "/alert/sign", cookie=desk.cookie,
                           body="n=1", headers={"Origin": desk.base})
    check("a POST without the CSRF token is refused", s == 403, s)
    s, loc = post("/lang", [("lang", "th")])
    s, page = get("/alerts")
    check("the Alerts screen in Thai", s == 200 and
          "<h1>การแจ้งเตือน</h1>" in page and 'lang="th"' in page, page[:600])
    s, loc = post("/lang", [("lang", "ar")])
    s, page = get("/alerts")
    check("and in Arabic, right to left", s == 200 and
          "<h1>التنبيهات</h1>" in page and 'dir="rtl"' in page, page[:600])
    s, loc = post("/lang", [("lang", "en")])
    s, page = get("/alert?n=99")
    check("an alert that does not exist is a 404", s == 404, s)
    desk.stop()
    shutil.rmtree(d, ignore_errors=True)


if sys.argv[1:2] == ["prepare"]:
    # for desk_alerts_test.js (Chromium): the home's facts as JSON
    home = prepare(sys.argv[2])
    print(json.dumps({"home": home.dir, "pwfile": home.pwfile,
                      "passphrase": open(home.pwfile).read().rstrip("\n"),
                      "public": home.public, "case": CASE}))
else:
    R.run(main)
