#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""umbra-case alert against the real umbra-server and PostgreSQL (issue
16): a report that consents to an alert goes in through the API, is
pulled and imported; the caseworker drafts an alert in English, Thai and
Arabic, signs and pushes it; the server says 201 and the alert is on
/alerts?lang=th and ?lang=ar, in the Atom feed and in the JSON feed, whose
file `alert verify` calls valid; pushing again is 200 (idempotent); an
alert file with the same id and other bytes is refused 409 and said so
per alert; a feed whose shown title differs from the signed one is
invalid; the withdrawal, pushed, removes the alert from the page and
both feeds; an alert of another organisation is refused 403; at the
organisation's quota of alerts (org set --max-alerts) a push is refused
507 alert_quota, said with what it means and whom to ask, exit 1.

Run by with_server.sh (organisations 'alpha' and 'beta', their homes and
sync tokens, server_env.sh). Ends with "N passed, N failed".
"""
import datetime
import json
import os
import secrets
import stat
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import spool  # noqa: E402
import umbra  # noqa: E402
from umbra_env import CASE, CONF, D, PASS, SERVER  # noqa: E402

R = umbra.Results()
check = R.check
SRV = umbra.Server()
HOME = os.path.join(D, "alpha")
TOKEN = os.path.join(D, "alpha.token")
TODAY = datetime.date.today()
TH_TITLE = "ระวังชายขับรถสีเทา"
AR_TITLE = "احذروا رجلًا يقود سيارة رمادية"


def case(*args, home=HOME, env=None, passphrase=True):
    cmd = [CASE, "--home", home]
    if passphrase:
        cmd += ["--passphrase-file", PASS]
    e = {k: v for k, v in os.environ.items()
         if k not in ("UMBRA_PASSPHRASE_FILE", "ALL_PROXY", "HTTP_PROXY",
                      "http_proxy", "all_proxy")}
    e.update(env or {})
    return subprocess.run(cmd + list(args), capture_output=True, timeout=300,
                          env=e, stdin=subprocess.DEVNULL,
                          start_new_session=True)


def out(r):
    return (r.stdout + r.stderr).decode(errors="replace")


def admin(*args):
    p = subprocess.run([SERVER, "--config", CONF, *args],
                       capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def url():
    return "http://127.0.0.1:%d" % SRV.port


def get(path):
    st, _, data = umbra.request(SRV.port, "GET", path, timeout=30)
    return st, data.decode(errors="replace")


def alerts():
    r = case("alert", "list", "--json")
    assert r.returncode == 0, out(r)
    return json.loads(r.stdout)


def main():
    SRV.start()
    doc = {"schema": "umbra.report/1", "lang": "th", "via": "cli",
           "categories": ["robbery"], "narrative": "he took my money",
           "incident": {"date": (TODAY - datetime.timedelta(days=8))
                        .isoformat(), "country": "TH", "region": "Bangkok"},
           "perpetrator": {"types": ["client"], "description": "grey car",
                           "identifiers": [{"kind": "phone",
                                            "value": "+66812345678"}]},
           "consent": {"statistics": True, "alert": True}}
    env = subprocess.run([CASE, "seal", "--to",
                          os.path.join(HOME, "public.json")],
                         input=json.dumps(doc).encode(), capture_output=True,
                         check=True).stdout
    st, _, _ = umbra.request(SRV.port, "POST", "/api/v1/orgs/alpha/reports",
                             env, {"Content-Type":
                                   "application/octet-stream"}, timeout=30)
    spool.wait_moved()
    r1 = case("pull", "--server", url(), "--token-file", TOKEN,
              passphrase=False)
    r2 = case("import")
    n = max(c["id"] for c in (json.loads(x) for x in case(
        "list", "--json").stdout.decode().splitlines()))
    check("a consented report in through the API, pulled and imported",
          st == 201 and r1.returncode == 0 and r2.returncode == 0, out(r2))

    d = os.environ["UMBRA_TEST_DIR"]
    ed = os.path.join(d, "translate.py")
    with open(ed, "w") as f:
        f.write("import re, sys\np = sys.argv[1]\n"
                "t = open(p, encoding='utf-8').read()\n"
                "t = re.sub(r'(?s)\\[th\\].*?(?=\\n\\[ar\\])', '[th]\\ntitle: "
                + TH_TITLE + "\\nbody:\\nเขาปล้นพนักงานสองคน\\n', t)\n"
                "t = re.sub(r'(?s)\\[ar\\].*', '[ar]\\ntitle: " + AR_TITLE +
                "\\nbody:\\nسرق عاملتين\\n', t)\n"
                "open(p, 'w', encoding='utf-8').write(t)\n")
    os.chmod(ed, stat.S_IRWXU)
    r = case("alert", "new", "--case", str(n), "--lang", "en", "--lang", "th",
             "--lang", "ar", "--identifier", "1", "--edit",
             env={"EDITOR": "%s %s" % (sys.executable, ed), "VISUAL": ""})
    a = alerts()[-1]
    check("drafted in English, Thai and Arabic", r.returncode == 0 and
          [t["title"] for t in a["alert"]["texts"]][1:] ==
          [TH_TITLE, AR_TITLE], (out(r), a))
    r = case("alert", "sign", str(a["number"]))
    check("signed", r.returncode == 0, out(r))
    r = case("alert", "push", "--server", url(), "--token-file", TOKEN)
    check("pushed: the server answered 201, said per alert",
          r.returncode == 0 and "published by the server (201)" in out(r),
          out(r))
    aid = a["id"]
    st, th = get("/alerts?lang=th&org=alpha")
    st2, ar = get("/alerts?lang=ar&org=alpha")
    check("on /alerts in Thai and in Arabic", st == 200 and TH_TITLE in th
          and st2 == 200 and AR_TITLE in ar and 'dir="rtl"' in ar,
          (st, st2))
    st, atom = get("/alerts/alpha.atom?lang=th")
    check("in the Atom feed", st == 200 and TH_TITLE in atom, st)
    st, feed = get("/alerts/alpha.json?lang=en")
    fp = os.path.join(d, "feed.json")
    with open(fp, "w", encoding="utf-8") as f:
        f.write(feed)
    r = case("alert", "verify", fp, "--bundle",
             os.path.join(HOME, "public.json"), passphrase=False)
    check("the JSON feed, checked by alert verify: valid", st == 200 and
          r.returncode == 0 and aid in out(r) and "0 invalid" in out(r),
          out(r))

    f = json.loads(feed)
    f["items"][0]["title"] = "Safe client, book him"
    with open(fp, "w", encoding="utf-8") as fh:
        json.dump(f, fh)
    r = case("alert", "verify", fp, "--bundle",
             os.path.join(HOME, "public.json"), passphrase=False)
    check("a feed whose title was changed beside the signed file: invalid",
          r.returncode == 1 and "title the signed alert does not have" in
          out(r), out(r))

    # the same file again: idempotent; the same id with other bytes: 409
    fa = os.path.join(d, "a.json")
    with open(fa, "wb") as f:
        f.write(case("alert", "show", str(a["number"]), "--file").stdout)
    r = case("alert", "push", "--server", url(), "--token-file", TOKEN, fa,
             passphrase=False)
    check("the same file again: 200, already held", r.returncode == 0 and
          "already held by the server (200)" in out(r), out(r))
    other = json.loads(a["alert"] and json.dumps(a["alert"]))
    other["level"] = "info"
    fo = os.path.join(d, "other.json")
    with open(fo, "wb") as f:
        f.write(umbra.tool("alert-sign", os.path.join(HOME, "keys.umbra"),
                           PASS, data=json.dumps(other).encode()))
    r = case("alert", "push", "--server", url(), "--token-file", TOKEN, fo,
             passphrase=False)
    check("the same id with other bytes: refused 409 alert_conflict, said",
          r.returncode == 1 and "refused: 409 alert_conflict" in out(r),
          out(r))
    r = case("alert", "push", "--server", url(), "--token-file",
             os.path.join(D, "beta.token"), fa, passphrase=False)
    check("alpha's alert pushed with beta's token: refused 403",
          r.returncode == 1 and "refused: 403" in out(r), out(r))

    r = case("alert", "withdraw", str(a["number"]))
    r2 = case("alert", "push", "--server", url(), "--token-file", TOKEN)
    check("withdrawn and the withdrawal pushed", r.returncode == 0 and
          r2.returncode == 0 and "withdrawal" in out(r2) and
          "published" in out(r2), out(r) + out(r2))
    st, th = get("/alerts?lang=th&org=alpha")
    st2, atom = get("/alerts/alpha.atom?lang=th")
    st3, feed = get("/alerts/alpha.json?lang=en")
    check("gone from the page, the Atom feed and the JSON feed",
          TH_TITLE not in th and TH_TITLE not in atom and aid not in feed,
          (st, st2, st3))
    rows = alerts()
    check("the store says withdrawn and pushed",
          rows[-2]["status"] == "withdrawn" and
          rows[-1]["status"] == "pushed", rows[-2:])

    # at the organisation's quota of alerts: 507, said, exit 1
    rc, lst, err = admin("org", "list")
    held = [ln.split()[7] for ln in lst.splitlines()
            if ln.split()[:1] == ["alpha"]]
    rc2, o2, err2 = admin("org", "set", "alpha", "--max-alerts", held[0])
    check("alpha's quota of alerts set to what it holds (%s)" % held,
          rc == 0 and rc2 == 0 and "max-alerts " + held[0] in o2,
          (lst, err, o2, err2))
    new = dict(other, id=secrets.token_hex(16))
    fn = os.path.join(d, "new.json")
    with open(fn, "wb") as f:
        f.write(umbra.tool("alert-sign", os.path.join(HOME, "keys.umbra"),
                           PASS, data=json.dumps(new).encode()))
    r = case("alert", "push", "--server", url(), "--token-file", TOKEN, fn,
             passphrase=False)
    check("a new alert at the quota: refused 507 alert_quota, what it means "
          "and whom to ask said, exit 1", r.returncode == 1 and
          "refused: 507 alert_quota" in out(r) and
          "Ask the host's operator" in out(r) and
          "nothing was stored" in out(r), out(r))
    rc, o2, err2 = admin("org", "set", "alpha", "--max-alerts", "default")
    r = case("alert", "push", "--server", url(), "--token-file", TOKEN, fn,
             passphrase=False)
    check("the server's quota again: the same file published", rc == 0 and
          r.returncode == 0 and "published by the server (201)" in out(r),
          (err2, out(r)))


try:
    R.run(main)
finally:
    SRV.stop()
