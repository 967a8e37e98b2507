#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""umbra-case alert (issue 16), without a server (the push against a real
one is case_alerts_push.py).

Reports are sealed with `umbra-case seal`, put in bundle files (case_lib)
and imported; the checks are what a caseworker would notice: a case
without consent.alert is refused by number and nothing is kept; a draft
names the area no finer than `alert config` says, whole ISO weeks
covering the incidents, masked identifiers chosen by number; a text to
translate blocks signing; the editor ($EDITOR, a script here) changes a
draft, an invalid edit keeps nothing; a signed alert verifies against
public.json with Python's own Ed25519 check (PyNaCl, not libumbra), and
`alert verify` says invalid, with exit 1, for a changed byte, another
organisation's bundle, a removed signer, a file over 64 KiB, and in a
JSON feed names the bad item; push sends each signed file once with the
bearer token and says what the server answered (a recording stand-in
here: what the client sends and how it reports; the real server in
case_alerts_push.py); a withdrawal is signed and verifies; a member
whose key the bundle does not list for alerts (or lists for events only)
cannot sign; listed with "alerts" (a bundle made by pyumbra from the key
files), she signs with her own key, valid against that bundle and
invalid against one without her.
Ends with "N passed, N failed".
"""
import base64
import datetime
import http.server
import json
import os
import shutil
import stat
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "vectors"))
from case_lib import PASSPHRASE, Home, Results, tmpdir, write_bundle  # noqa
import nacl.signing  # noqa: E402
import pyumbra  # noqa: E402

R = Results()
check = R.check
TODAY = datetime.date.today()


def day(n):
    return (TODAY + datetime.timedelta(days=n)).isoformat()


def out(r):
    return (r.stdout + r.stderr).decode(errors="replace")


def report(narrative, consent, date, region="Bangkok", ids=None,
           desc="tall man, red car"):
    doc = {"schema": "umbra.report/1", "lang": "en", "via": "cli",
           "categories": ["robbery", "physical-violence"],
           "narrative": narrative,
           "incident": {"date": date, "country": "th", "region": region},
           "perpetrator": {"types": ["client"], "type": "client",
                           "description": desc,
                           "identifiers": ids or []},
           "consent": {"statistics": True, "alert": consent}}
    return json.dumps(doc).encode()


def editor(d, name, code):
    """An $EDITOR: a Python script editing the file it is given."""
    path = os.path.join(d, name + ".py")
    with open(path, "w") as f:
        f.write("import sys\np = sys.argv[1]\nt = open(p, encoding='utf-8')"
                ".read()\n" + code + "\nopen(p, 'w', encoding='utf-8')"
                ".write(t)\n")
    os.chmod(path, stat.S_IRWXU)
    return {"EDITOR": "%s %s" % (sys.executable, path), "VISUAL": ""}


class Recorder(http.server.BaseHTTPRequestHandler):
    """A stand-in for POST /api/v1/sync/alerts that records what arrives
    and answers what the test scripted (the real server is exercised by
    case_alerts_push.py); it checks only what the client sends."""
    got = []
    answers = []

    def do_POST(self):  # noqa: N802
        n = int(self.headers.get("Content-Length", "0"))
        Recorder.got.append((self.path, self.headers.get("Authorization"),
                             self.rfile.read(n)))
        status, body = Recorder.answers.pop(0)
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


def push_stub(home, d):
    srv = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d" % srv.server_address[1]
    tok = os.path.join(d, "token")
    with open(tok, "w") as fh:
        fh.write("s3cret-token\n")
    last = [a for a in alerts(home) if a["status"] == "draft" and
            all(t["lang"] == "en" for t in a["alert"]["texts"])][-1]
    r = home.run("alert", "sign", str(last["number"]))
    assert r.returncode == 0, out(r)
    rows = [a for a in alerts(home) if a["status"] == "signed"]
    assert len(rows) == 2, rows
    Recorder.answers = [(201, {"id": rows[0]["id"]}),
                        (409, {"error": "alert_conflict",
                               "hint": "another alert has this id"})]
    r = home.run("alert", "push", "--server", url, "--token-file", tok)
    o = out(r)
    files = {a["number"]: home.run("alert", "show", str(a["number"]),
                                   "--file").stdout for a in rows}
    check("push sends each signed row once, as its file, with the bearer "
          "token, to /api/v1/sync/alerts",
          [g[0] for g in Recorder.got] == ["/api/v1/sync/alerts"] * 2 and
          all(g[1] == "Bearer s3cret-token" for g in Recorder.got) and
          [json.loads(g[2]) for g in Recorder.got] ==
          [json.loads(files[a["number"]]) for a in rows], Recorder.got)
    check("push says what the server answered for each; exit 1 for the "
          "refusal", r.returncode == 1 and "published by the server (201)"
          in o and "refused: 409 alert_conflict: another alert" in o and
          "1 pushed, 1 refused." in o, o)
    after = {a["number"]: a for a in alerts(home)}
    check("the published one is marked pushed, the refused one is not",
          after[rows[0]["number"]]["status"] == "pushed" and
          after[rows[1]["number"]]["status"] == "signed", after)
    Recorder.got = []
    Recorder.answers = [(200, {})]
    r = home.run("alert", "push", "--server", url, "--token-file", tok)
    check("the next push sends only what was not taken",
          r.returncode == 0 and len(Recorder.got) == 1 and
          json.loads(Recorder.got[0][2]) ==
          json.loads(files[rows[1]["number"]]), out(r))
    Recorder.got = []
    Recorder.answers = [(201, {})]
    p = os.path.join(d, "carried.json")
    with open(p, "wb") as fh:
        fh.write(files[rows[0]["number"]])
    r = home.run("alert", "push", "--server", url, "--token-file", tok, p,
                 passphrase=False)
    check("push ALERT.json sends that file, without a passphrase",
          r.returncode == 0 and len(Recorder.got) == 1 and
          Recorder.got[0][2] == files[rows[0]["number"]], out(r))
    srv.shutdown()


def alerts(home):
    r = home.run("alert", "list", "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def main():
    d = tmpdir()
    home = Home(d)
    ids = [{"kind": "phone", "value": "+66812345678"},
           {"kind": "plate", "value": "1กข2345"},
           {"kind": "handle", "value": "badclient99"}]
    inc1 = day(-10)
    write_bundle(os.path.join(d, "in.bundle"), "demo", [
        ("1", day(-1), home.seal(report("he hit me", True, inc1, ids=ids))),
        ("2", day(-1), home.seal(report("same man", True, day(-3)[:7]
                                        if day(-3)[:7] == inc1[:7]
                                        else inc1))),
        ("3", day(-1), home.seal(report("no alert please", False, inc1))),
        ("4", day(-1), home.seal(report("elsewhere", True, inc1,
                                        region="Chiang Mai"))),
    ])
    r = home.run("import", os.path.join(d, "in.bundle"))
    check("four cases imported", r.returncode == 0, out(r))

    # ---- consent ----------------------------------------------------------
    r = home.run("alert", "new", "--case", "1", "--case", "3", "--no-edit")
    check("a case without consent.alert is refused, by number (exit 1)",
          r.returncode == 1 and "case 3" in out(r) and
          "consent.alert" in out(r), out(r))
    check("and nothing is kept", alerts(home) == [])
    r = home.run("alert", "new", "--case", "99", "--no-edit")
    check("a case that does not exist is named", r.returncode == 1 and
          "no case 99" in out(r), out(r))

    # ---- a draft ------------------------------------------------------------
    r = home.run("alert", "new", "--case", "1", "--case", "2", "--lang", "en",
                 "--lang", "th", "--identifier", "1", "--identifier", "3",
                 "--level", "danger", "--no-edit")
    check("alert new from two consented cases", r.returncode == 0 and
          "Draft alert 1 kept" in out(r) and "[translate]" in out(r), out(r))
    a = alerts(home)[0]
    body = a["alert"]
    check("status draft, cases 1,2", a["status"] == "draft" and
          a["cases"] == "1,2", a)
    check("area: country upper-cased and the region (default granularity)",
          body["area"] == {"country": "TH", "region": "Bangkok"}, body)
    frm = datetime.date.fromisoformat(body["period"]["from"])
    to = datetime.date.fromisoformat(body["period"]["to"])
    check("period: whole ISO weeks, Monday to Sunday, covering the incident",
          frm.weekday() == 0 and to.weekday() == 6 and
          frm <= datetime.date.fromisoformat(inc1) <= to and
          (to - frm).days + 1 <= 26 * 7, body["period"])
    check("expires 90 days after issued",
          (datetime.date.fromisoformat(body["expires"]) -
           datetime.date.fromisoformat(body["issued"])).days == 90, body)
    check("level as asked", body["level"] == "danger", body)
    check("identifiers 1 and 3, masked: phone keeps +66 and the last 2 "
          "digits, handle its first 2",
          body["identifiers"] == [
              {"kind": "phone", "value": "+66 *******78"},
              {"kind": "handle", "value": "ba***"}], body["identifiers"])
    check("no identifier in full anywhere in the draft",
          "12345678" not in json.dumps(body) and
          "badclient99" not in json.dumps(body), body)
    texts = {t["lang"]: t for t in body["texts"]}
    check("texts en and th; th marked [translate]",
          set(texts) == {"en", "th"} and
          texts["th"]["title"].startswith("[translate] ") and
          "robbery" in texts["en"]["title"], texts)
    check("the description comes from the perpetrator fields",
          "tall man, red car" in texts["en"]["body"], texts["en"])
    check("org and a 32-hex id", body["org"] == "demo" and
          len(body["id"]) == 32 and int(body["id"], 16) >= 0, body)

    r = home.run("alert", "new", "--case", "1", "--case", "4", "--no-edit")
    r2 = alerts(home)[-1]["alert"]["area"]
    check("two regions: the draft names only the country",
          r.returncode == 0 and r2 == {"country": "TH"}, (out(r), r2))

    r = home.run("alert", "new", "--case", "1", "--identifier", "2",
                 "--unmasked", "--no-edit")
    r2 = alerts(home)[-1]["alert"]["identifiers"]
    check("--unmasked keeps the chosen identifier in full",
          r.returncode == 0 and r2 == [{"kind": "plate",
                                        "value": "1กข2345"}], r2)
    r = home.run("alert", "new", "--case", "1", "--identifier", "2",
                 "--no-edit")
    r2 = alerts(home)[-1]["alert"]["identifiers"]
    check("a plate masked keeps its first and last character",
          r2 == [{"kind": "plate", "value": "1*****5"}], r2)
    r = home.run("alert", "new", "--case", "1", "--identifier", "4",
                 "--no-edit")
    check("--identifier past the cases' identifiers is refused",
          r.returncode == 1 and "identifiers 1 to 3" in out(r), out(r))

    r = home.run("alert", "config", "--area", "country")
    check("alert config --area country", r.returncode == 0, out(r))
    r = home.run("alert", "config")
    check("alert config says it", b"area: country" in r.stdout, out(r))
    r = home.run("alert", "new", "--case", "1", "--no-edit")
    r2 = alerts(home)[-1]["alert"]["area"]
    check("with --area country a draft names no region",
          r.returncode == 0 and r2 == {"country": "TH"}, r2)
    home.run("alert", "config", "--area", "region")

    # ---- signing waits for the translation; the editor -----------------------
    r = home.run("alert", "sign", "1")
    check("a draft with a text to translate cannot be signed",
          r.returncode == 1 and "[th] is not translated" in out(r), out(r))
    bad = editor(d, "bad", "t = t.replace('level: danger', 'level: loud')")
    r = home.run("alert", "edit", "1", env=bad)
    check("an invalid edit says why and keeps nothing (exit 1)",
          r.returncode == 1 and "level is info, warning or danger" in out(r)
          and alerts(home)[0]["alert"]["level"] == "danger", out(r))
    thai = editor(d, "thai", "import re\n"
                  "t = re.sub(r'(?s)\\[th\\].*', '[th]\\ntitle: "
                  "ระวังลูกค้าคนนี้\\nbody:\\nเขาทำร้ายและปล้น "
                  "<script>alert(1)</script>\\n', t)\n"
                  "t = t.replace('region: Bangkok', 'region: กรุงเทพฯ')")
    r = home.run("alert", "edit", "1", env=thai)
    a = alerts(home)[0]["alert"]
    texts = {t["lang"]: t for t in a["texts"]}
    check("alert edit through $EDITOR: Thai text and region kept",
          r.returncode == 0 and texts["th"]["title"] == "ระวังลูกค้าคนนี้" and
          a["area"]["region"] == "กรุงเทพฯ" and a["identifiers"] ==
          [{"kind": "phone", "value": "+66 *******78"},
           {"kind": "handle", "value": "ba***"}], (out(r), a))
    check("and the English text untouched", texts["en"]["body"] ==
          body["texts"][0]["body"], texts["en"])
    empty = editor(d, "empty", "t = ''")
    r = home.run("alert", "edit", "1", env=empty)
    check("emptying the file cancels", r.returncode == 0 and
          "nothing was kept" in out(r) and
          alerts(home)[0]["alert"] == a, out(r))
    r = home.run("alert", "new", "--case", "2", "--edit", env=thai)
    check("alert new --edit opens the editor",
          r.returncode == 0 and "Draft alert" in out(r), out(r))

    r = home.run("alert", "sign", "1")
    check("alert sign 1", r.returncode == 0 and "signed" in out(r), out(r))
    a = alerts(home)[0]
    check("now signed; issued today", a["status"] == "signed" and
          a["alert"]["issued"] == TODAY.isoformat(), a)
    r = home.run("alert", "edit", "1", env=thai)
    check("a signed alert cannot be edited", r.returncode == 1 and
          "can no longer change" in out(r), out(r))
    r = home.run("alert", "sign", "1")
    check("nor signed twice", r.returncode == 1, out(r))

    # ---- the file, checked independently -------------------------------------
    r = home.run("alert", "show", "1", "--file")
    f = json.loads(r.stdout)
    with open(home.public) as fh:
        pub = json.load(fh)
    vk = nacl.signing.VerifyKey(base64.b64decode(pub["signing_key"]))
    try:
        vk.verify(b"umbra.alert/1\n" + f["alert"].encode(),
                  base64.b64decode(f["signature"]))
        ok = True
    except Exception:  # noqa: BLE001
        ok = False
    check("the alert file's signature verifies in Python (PyNaCl) with "
          "public.json's signing key", ok and f["format"] == "umbra.alert/1"
          and f["signer"] == pub["signing_key"], f)
    check("the signed string is the alert", json.loads(f["alert"]) ==
          a["alert"], f["alert"])
    good = os.path.join(d, "good.json")
    with open(good, "wb") as fh:
        fh.write(r.stdout)
    r = home.run("alert", "verify", good, "--bundle", home.public,
                 passphrase=False)
    check("alert verify: valid (exit 0), signed by the key holder",
          r.returncode == 0 and "valid alert" in out(r) and
          "1 valid, 0 invalid" in out(r), out(r))

    def refused(name, text, want):
        p = os.path.join(d, name + ".json")
        with open(p, "wb") as fh:
            fh.write(text if isinstance(text, bytes) else text.encode())
        rr = home.run("alert", "verify", p, "--bundle", home.public,
                      passphrase=False)
        check("alert verify refuses %s (exit 1, says why)" % name,
              rr.returncode == 1 and "invalid" in out(rr) and
              want in out(rr), out(rr))

    t = dict(f)
    t["alert"] = f["alert"].replace("danger", "info")
    refused("a changed level", json.dumps(t), "does not verify")
    t = dict(f)
    t["alert"] = f["alert"].replace("*******78", "*******79")
    refused("one changed digit", json.dumps(t), "does not verify")
    t = dict(f)
    del t["signer"]
    refused("a removed signer", json.dumps(t), "no signer")
    other = Home(d, slug="other", name="other")
    rr = home.run("alert", "verify", good, "--bundle", other.public,
                  passphrase=False)
    check("alert verify against another organisation's bundle: invalid",
          rr.returncode == 1 and "does not list" in out(rr), out(rr))
    t = dict(f)
    t["pad"] = "x" * 70000
    refused("a file over 64 KiB", json.dumps(t), "over 64 KiB")
    sk = nacl.signing.SigningKey.generate()
    forged = {"format": "umbra.alert/1", "alert": f["alert"],
              "signer": base64.b64encode(bytes(sk.verify_key)).decode(),
              "signature": base64.b64encode(sk.sign(
                  b"umbra.alert/1\n" + f["alert"].encode()).signature)
              .decode()}
    refused("a well-signed alert by a key the bundle does not list",
            json.dumps(forged), "does not list")

    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "x",
            "items": [{"id": "1", "_umbra": f},
                      {"id": "2", "_umbra": forged},
                      {"id": "3", "_umbra": json.dumps(f)}]}
    p = os.path.join(d, "feed.json")
    with open(p, "w") as fh:
        json.dump(feed, fh)
    rr = home.run("alert", "verify", p, "--bundle", home.public,
                  passphrase=False)
    check("a JSON feed: each item valid or invalid, exit 1 for the forged "
          "one", rr.returncode == 1 and "item 1: valid" in out(rr) and
          "item 2: invalid" in out(rr) and "item 3: valid" in out(rr) and
          "3 alerts, 2 valid, 1 invalid" in out(rr), out(rr))

    # ---- push (the client side) ----------------------------------------------
    push_stub(home, d)

    # ---- withdraw ------------------------------------------------------------
    n_before = len(alerts(home))
    r = home.run("alert", "withdraw", "2")
    check("withdraw of a draft deletes it", r.returncode == 0 and
          "deleted" in out(r) and len(alerts(home)) == n_before - 1, out(r))
    r = home.run("alert", "withdraw", "1")
    rows = alerts(home)
    w = rows[-1]
    check("withdraw of a signed alert: a signed withdrawal", r.returncode ==
          0 and w["kind"] == "withdrawal" and w["status"] == "signed" and
          w["alert"]["withdraws"] == rows[0]["id"] and
          rows[0]["status"] == "withdrawn", (out(r), rows))
    r = home.run("alert", "show", str(w["number"]), "--file")
    p = os.path.join(d, "withdrawal.json")
    with open(p, "wb") as fh:
        fh.write(r.stdout)
    rr = home.run("alert", "verify", p, "--bundle", home.public,
                  passphrase=False)
    check("the withdrawal verifies", rr.returncode == 0 and
          "valid withdrawal" in out(rr), out(rr))
    r = home.run("alert", "withdraw", "1")
    check("an alert is withdrawn once", r.returncode == 1 and
          "withdrawn already" in out(r), out(r))

    # ---- list and show --------------------------------------------------------
    r = home.run("alert", "list")
    check("alert list: one line per row with its status",
          r.returncode == 0 and "withdrawn" in out(r) and
          "withdrawal of" in out(r), out(r))
    r = home.run("alert", "show", "1")
    check("alert show: the Thai text, escaped nothing lost",
          r.returncode == 0 and "ระวังลูกค้าคนนี้" in out(r) and
          "withdrawn by" in out(r), out(r))

    # ---- a hostile report cannot write lines of the editor's template ------
    evil = {"schema": "umbra.report/1", "lang": "en", "via": "cli",
            "categories": ["robbery"], "narrative": "x",
            "incident": {"date": inc1, "country": "th",
                         "region": "Bang\nidentifier: phone +15551234567"},
            "perpetrator": {"types": ["client"],
                            "description": "tall\n[ar]\ntitle: injected\n"
                                           "body:\nforged",
                            "identifiers": [{"kind": "handle", "value":
                                             "x\nidentifier: plate AB123"}]},
            "consent": {"alert": True}}
    write_bundle(os.path.join(d, "evil.bundle"), "demo", [
        ("20", day(-1), home.seal(json.dumps(evil).encode()))])
    home.run("import", os.path.join(d, "evil.bundle"))
    keep = editor(d, "keep", "pass")
    r = home.run("alert", "new", "--case", "5", "--identifier", "1",
                 "--unmasked", "--edit", env=keep)
    a = alerts(home)[-1]["alert"]
    check("newlines in a report's region, description and identifier do not "
          "become fields, languages or identifiers of the template",
          r.returncode == 0 and "region" not in a["area"] and
          [t["lang"] for t in a["texts"]] == ["en"] and
          a["identifiers"] == [{"kind": "handle",
                                "value": "x identifier: plate AB123"}],
          (out(r), a))

    # ---- identifiers in hostile shapes, masked all the same ----------------
    odd = [{"kind": "phone", "value": "+66 (0)81-abc-234 5678"},
           {"kind": "handle", "value": "ареx_" + "z" * 9000},
           {"kind": "plate", "value": "กข 1234 กทม"},
           {"kind": "phone", "value": "0812345678"}]
    write_bundle(os.path.join(d, "odd.bundle"), "demo", [
        ("21", day(-1), home.seal(report("odd", True, inc1, ids=odd)))])
    home.run("import", os.path.join(d, "odd.bundle"))
    r = home.run("alert", "new", "--case", "6", "--identifier", "1",
                 "--identifier", "2", "--identifier", "3", "--identifier",
                 "4", "--no-edit")
    got = alerts(home)[-1]["alert"]["identifiers"] if r.returncode == 0 \
        else out(r)
    check("letters in a phone number, a 9,000-character handle in mixed "
          "scripts, a Thai plate, a number without country code: masked",
          got == [{"kind": "phone", "value": "+66 ********78"},
                  {"kind": "handle", "value": "ар***"},
                  {"kind": "plate", "value": "ก" + "*" * 9 + "ม"},
                  {"kind": "phone", "value": "********78"}], got)

    # ---- a member whose key the bundle does not list for alerts --------------
    m = Home.__new__(Home)
    m.dir = os.path.join(d, "member")
    m.pwfile = os.path.join(d, "member.pw")
    with open(m.pwfile, "wb") as fh:
        fh.write(b"member passphrase quiet lantern orbit harbour\n")
    m.slug = "demo"
    r = m.run("init", "--org", "demo", "--member", "--name", "Ana",
              "--kdf-memory", "8192", "--kdf-passes", "1", "--kdf-lanes", "1")
    r2 = home.run("keys", "add-member", os.path.join(m.dir, "member.json"))
    r3 = m.run("keys", "join", home.public)
    m.public = os.path.join(m.dir, "public.json")
    check("a member home joins", r.returncode == 0 and r2.returncode == 0
          and r3.returncode == 0, out(r) + out(r2) + out(r3))
    write_bundle(os.path.join(d, "m.bundle"), "demo", [
        ("9", day(-1), m.seal(report("for the member", True, inc1)))])
    r = m.run("import", os.path.join(d, "m.bundle"))
    r = m.run("alert", "new", "--case", "1", "--no-edit")
    check("the member drafts an alert", r.returncode == 0, out(r))
    r = m.run("alert", "sign", "1")
    check("but cannot sign it: the bundle does not list the member's key "
          "for alerts (exit 1, says what to ask)", r.returncode == 1 and
          "may not sign alerts" in out(r) and
          alerts(m)[0]["status"] == "draft", out(r))

    # the key holder lists the member as a signer (bundle protocol section
    # 3, made here with pyumbra from the key files, independently of C)
    adm = pyumbra.keyfile_decode(open(os.path.join(home.dir, "keys.umbra"),
                                      "rb").read(), PASSPHRASE.strip())
    mk = pyumbra.keyfile_decode(open(os.path.join(m.dir, "keys.umbra"),
                                     "rb").read(),
                                b"member passphrase quiet lantern orbit "
                                b"harbour")
    pub = json.load(open(home.public))
    keys = [(base64.b64decode(k["x25519"]), k["created"])
            for k in pub["keys"]]

    def listed(may, serial):
        text = pyumbra.bundle_make(
            "demo", pub["created"], bytes.fromhex(adm["sign_seed"]), keys,
            serial=serial, signers=[{
                "name": "Ana", "signing_key": base64.b64encode(
                    bytes.fromhex(mk["sign_pk"])).decode(), "may": may}])
        with open(m.public, "w") as fh:
            fh.write(text)

    listed(["events"], pub.get("serial", 0) + 1)
    r = m.run("alert", "sign", "1")
    check("listed for events only: still refused", r.returncode == 1 and
          "may not sign alerts" in out(r), out(r))
    listed(["events", "alerts"], pub.get("serial", 0) + 2)
    r = m.run("alert", "sign", "1")
    check("listed for alerts: the member signs with their own key",
          r.returncode == 0 and alerts(m)[0]["status"] == "signed", out(r))
    p = os.path.join(d, "member-alert.json")
    with open(p, "wb") as fh:
        fh.write(m.run("alert", "show", "1", "--file").stdout)
    signer = json.load(open(p))["signer"]
    rr = m.run("alert", "verify", p, "--bundle", m.public, passphrase=False)
    check("it verifies against the bundle that lists her, signed by 'Ana'",
          rr.returncode == 0 and "signed by 'Ana'" in out(rr) and
          signer != pub["signing_key"], out(rr))
    rr = home.run("alert", "verify", p, "--bundle", home.public,
                  passphrase=False)
    check("and not against a bundle without her (a removed member)",
          rr.returncode == 1 and "does not list" in out(rr), out(rr))
    shutil.rmtree(d, ignore_errors=True)


R.run(main)
