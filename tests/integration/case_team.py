#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Three caseworkers share one case history through the real server
(issue 15; docs/protocol.md section 11; the guide's chapter 4).

Run by with_server.sh (make test-case-team). Organisation 'delta': the key
holder Kim and members Ana, Ben and Chloe, each in a home of their own with
a sync token of their own. Reports arrive; Ana triages (status, label,
assignee, note), Ben replies; Chloe sees both with their names. Two members
set the priority the same day without seeing each other. Chloe is removed
(keys remove-member, keys publish): her token answers member_removed, and
what is written after cannot be opened with her keys. Every remaining
member ends with the same team state in show --json. Ack deletes a report
only once every member has acknowledged it. Then a scan of the server's
database, its files and the logs for every note, label, assignee name and
reply text of the run. Ends with "N passed, N failed".
"""
import json
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import spool  # noqa: E402
import umbra  # noqa: E402
from umbra import Results, tool  # noqa: E402
from umbra_env import CASE, CONF, D, PASS, PG_DATA, PG_LOG, SERVER  # noqa: E402,E501

R = Results()
check = R.check
SRV = umbra.Server()
ORG = "delta"
CAN = "TEAMCLI-" + os.urandom(5).hex()
# every text of the run the server must never see
NOTE = CAN + "-note called the clinic"
LABEL = CAN.lower() + "-label"
ASSIGNEE = CAN + "-assignee"
REPLY = CAN + "-reply we can meet on Thursday"
LATE = CAN + "-late note after Chloe left"
AIRGAP = CAN + "-offline note carried on a stick"
CANARIES = [NOTE, LABEL, ASSIGNEE, REPLY, LATE, AIRGAP]
MONTH = time.strftime("%Y-%m", time.gmtime())
LOW = ["--kdf-memory", "8192", "--kdf-passes", "1", "--kdf-lanes", "1"]
PEOPLE = ("kim", "ana", "ben", "chloe")  # dan joins late


def home(who):
    return os.path.join(D, "team-" + who)


def token_file(who):
    return os.path.join(D, "team-%s.token" % who)


def case(who, *args, passphrase=True):
    if args and args[0] == "pull":
        spool.wait_moved()
    cmd = [CASE, "--home", home(who)]
    if passphrase:
        cmd += ["--passphrase-file", PASS]
    env = {k: v for k, v in os.environ.items()
           if k not in ("UMBRA_PASSPHRASE_FILE", "ALL_PROXY", "all_proxy")}
    return subprocess.run(cmd + list(args), capture_output=True, timeout=300,
                          env=env, stdin=subprocess.DEVNULL,
                          start_new_session=True)


def out(r):
    return (r.stdout + r.stderr).decode(errors="replace")


def sync(who):
    return ["--server", SRV.url(), "--token-file", token_file(who)]


def server_cmd(*args):
    p = subprocess.run([SERVER, "--config", CONF, *args],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def request(method, path, body=None, headers=None):
    st, _, data = umbra.request(SRV.port, method, path, body, headers or {},
                                timeout=30)
    return st, data


def post_report(text):
    receipt = tool("receipt").decode().strip()
    pk, _lookup, mailbox_id = tool("derive", receipt).decode().split()
    st, _ = request("POST", "/api/v1/mailboxes",
                    json.dumps({"id": mailbox_id}).encode(),
                    {"Content-Type": "application/json"})
    assert st in (200, 201), st
    doc = {"schema": "umbra.report/1", "lang": "en", "via": "cli",
           "categories": ["robbery"], "narrative": text,
           "incident": {"date": "2026-11", "country": "TH"},
           "consent": {"statistics": True},
           "mailbox": pk, "mailbox_id": mailbox_id}
    env = subprocess.run([CASE, "seal", "--to",
                          os.path.join(home("kim"), "public.json")],
                         input=json.dumps(doc).encode(), capture_output=True,
                         check=True).stdout
    st, body = request("POST", "/api/v1/orgs/%s/reports" % ORG, env,
                       {"Content-Type": "application/octet-stream"})
    assert st == 201, (st, body)


def round_trip(who):
    """push then pull then import: this member's changes out, the team's
    in."""
    rs = [case(who, "push", *sync(who)), case(who, "pull", *sync(who)),
          case(who, "import")]
    return rs


def case_id(who, marker):
    r = case(who, "list", "--json")
    assert r.returncode == 0, out(r)
    for line in r.stdout.decode().splitlines():
        c = json.loads(line)
        if marker in c.get("summary", ""):
            return c["id"]
    return None


def show(who, cid):
    r = case(who, "show", str(cid), "--json")
    return json.loads(r.stdout) if r.returncode == 0 else {"error": out(r)}


def setup():
    for who in PEOPLE:
        shutil.rmtree(home(who), ignore_errors=True)
    r = case("kim", "init", "--org", ORG, "--name", "Kim", *LOW)
    check("the key holder's home, named Kim", r.returncode == 0, out(r))
    for who in PEOPLE[1:]:
        r = case(who, "init", "--org", ORG, "--member", "--name",
                 who.capitalize(), *LOW)
        check("member home %s" % who, r.returncode == 0, out(r))
        r = case("kim", "keys", "add-member",
                 os.path.join(home(who), "member.json"))
        check("Kim adds %s" % who, r.returncode == 0, out(r))
    pub = json.load(open(os.path.join(home("kim"), "public.json")))
    check("public.json names Kim, Ana, Ben and Chloe as signers of events",
          [s["name"] for s in pub.get("signers", [])] ==
          ["Kim", "Ana", "Ben", "Chloe"] and
          all("events" in s["may"] for s in pub["signers"]), pub)
    server_cmd("org", "add", ORG, "--name", "Org delta", "--public-key",
               os.path.join(home("kim"), "public.json"))
    for who in PEOPLE:
        with open(token_file(who), "w") as f:
            f.write(server_cmd("token", "add", ORG, who) + "\n")
        if who != "kim":
            r = case(who, "keys", "join",
                     os.path.join(home("kim"), "public.json"))
            check("%s joins" % who, r.returncode == 0, out(r))


def test_share_history():
    post_report(CAN + " report one: a client took my money")
    post_report(CAN + " report two: the police took my phone")
    for who in PEOPLE:
        r = case(who, "pull", *sync(who))
        check("%s pulls" % who, r.returncode == 0, out(r))
        r = case(who, "import")
        check("%s imports 2 cases" % who, r.returncode == 0 and
              "Imported 2 new cases" in out(r), out(r))
    a = case_id("ana", "report one")
    r = case("ana", "triage", str(a), "--status", "in-progress", "--label",
             LABEL, "--assign", ASSIGNEE, "--note", NOTE)
    check("Ana triages", r.returncode == 0, out(r))
    r = case("ana", "push", *sync("ana"))
    check("Ana pushes 4 case events", r.returncode == 0 and
          "Sent 4 of 4 case events" in out(r), out(r))
    rs = round_trip("ben")
    check("Ben pulls and merges Ana's events", all(
        x.returncode == 0 for x in rs) and "Merged 4 new case events" in
        out(rs[2]), [out(x) for x in rs])
    b = case_id("ben", "report one")
    msg = os.path.join(D, "team-reply.txt")
    with open(msg, "w") as f:
        f.write(REPLY + "\n")
    r = case("ben", "reply", str(b), "--message-file", msg)
    check("Ben replies", r.returncode == 0, out(r))
    r = case("ben", "push", *sync("ben"))
    check("Ben's push sends the reply and its event", r.returncode == 0 and
          "Sent 1 reply" in out(r) and "case event" in out(r), out(r))
    rs = round_trip("chloe")
    c = case_id("chloe", "report one")
    j = show("chloe", c)
    hist = j.get("team", {}).get("history", [])
    whos = [(h["who"], h["type"]) for h in hist]
    check("Chloe sees Ana's triage and Ben's reply with their names",
          ("Ana", "status") in whos and ("Ana", "note") in whos and
          ("Ben", "reply") in whos, whos)
    check("Chloe's case has Ana's status, label and assignee",
          j.get("status") == "in-progress" and LABEL in j.get("labels", []) and
          j.get("assignee") == ASSIGNEE, {k: j.get(k) for k in
                                          ("status", "labels", "assignee")})
    r = case("chloe", "show", str(c))
    check("show prints 'Ana set status to in-progress' and Ben's reply",
          "Ana set status to in-progress" in out(r) and
          "Ben replied: " + REPLY in out(r), out(r)[-800:])
    r = case("chloe", "list")
    check("list shows the assignee", ASSIGNEE[:10] in out(r), out(r))


def test_concurrent():
    a = case_id("ana", "report two")
    b = case_id("ben", "report two")
    ra = case("ana", "triage", str(a), "--priority", "urgent")
    rb = case("ben", "triage", str(b), "--priority", "low")
    check("Ana and Ben set the priority the same day", ra.returncode == 0 and
          rb.returncode == 0, out(ra) + out(rb))
    for who in ("ana", "ben", "ana", "ben"):
        round_trip(who)
    pa = show("ana", a).get("priority")
    pb = show("ben", b).get("priority")
    check("both end with the same priority (%s, %s)" % (pa, pb),
          pa == pb and pa in ("urgent", "low"))


def test_remove_chloe():
    r = case("kim", "keys", "remove-member", "Chloe")
    check("Kim removes Chloe", r.returncode == 0, out(r))
    r = case("kim", "keys", "publish", *sync("kim"))
    check("Kim publishes the bundle without Chloe", r.returncode == 0, out(r))
    for who in ("ana", "ben"):
        r = case(who, "keys", "join", os.path.join(home("kim"), "public.json"))
        check("%s joins the new bundle" % who, r.returncode == 0, out(r))
    a = case_id("ana", "report one")
    r = case("ana", "triage", str(a), "--note", LATE)
    check("Ana notes after Chloe left", r.returncode == 0, out(r))
    r = case("ana", "push", *sync("ana"))
    check("Ana pushes it", r.returncode == 0, out(r))
    post_report(CAN + " report three: after Chloe left")
    r = case("chloe", "pull", *sync("chloe"))
    check("Chloe's pull fetches nothing (the server's bundle is not hers)",
          r.returncode != 0 and "REFUSING TO PULL" in out(r), out(r))
    tok = open(token_file("chloe")).read().strip()
    st, body = request("GET", "/api/v1/sync/events?after=0",
                       None, {"Authorization": "Bearer " + tok})
    check("Chloe's token answers 401 member_removed", st == 401 and
          b"member_removed" in body, (st, body[:200]))
    # even with the server's data in hand, Chloe opens nothing new
    r = case("ana", "pull", *sync("ana"))
    stolen = os.path.join(D, "team-stolen.umbrabundle")
    shutil.copy(os.path.join(home("ana"), "incoming.umbrabundle"), stolen)
    r = case("chloe", "import", stolen)
    j = show("chloe", case_id("chloe", "report one"))
    texts = json.dumps(j)
    check("Chloe cannot open the note or report written after her removal",
          LATE not in texts and case_id("chloe", "report three") is None and
          "refused" in out(r), out(r))


def test_air_gap():
    """Ben works offline: his events go out in the outbox file (push
    --out), an online home with public.json only sends them (push --from,
    no passphrase), and Ana merges them."""
    b = case_id("ben", "report two")
    r = case("ben", "triage", str(b), "--note", AIRGAP)
    check("Ben notes on the offline laptop", r.returncode == 0, out(r))
    usb = os.path.join(D, "team-ben.outbox")
    r = case("ben", "push", "--out", usb)
    check("push --out writes his case events", r.returncode == 0 and
          "case event" in out(r) and '"events"' in open(usb).read(), out(r))
    online = os.path.join(D, "team-online")
    os.makedirs(online, exist_ok=True)
    shutil.copy(os.path.join(home("kim"), "public.json"), online)
    p = subprocess.run([CASE, "--home", online, "push", "--from", usb,
                        *sync("ben")], capture_output=True, timeout=120,
                       stdin=subprocess.DEVNULL, start_new_session=True)
    check("push --from sends them without a passphrase",
          p.returncode == 0 and "case event" in out(p), out(p))
    round_trip("ana")
    j = show("ana", case_id("ana", "report two"))
    check("Ana has Ben's offline note with his name",
          any(h["who"] == "Ben" and AIRGAP in h["what"]
              for h in j.get("team", {}).get("history", [])), j.get("team"))


def test_same_state():
    for _ in range(2):
        for who in ("kim", "ana", "ben"):
            round_trip(who)
    states = {}
    for who in ("kim", "ana", "ben"):
        for marker in ("report one", "report two"):
            j = show(who, case_id(who, marker))
            states.setdefault(marker, {})[who] = json.dumps(
                {k: j.get(k) for k in ("status", "priority", "assignee",
                                       "labels", "team")}, sort_keys=True)
    for marker, by in states.items():
        check("every remaining member has the same state of %s" % marker,
              len(set(by.values())) == 1, by)
    j = show("kim", case_id("kim", "report one"))
    check("Kim's team history has Ana's late note",
          any(h["type"] == "note" and LATE in h["what"]
              for h in j.get("team", {}).get("history", [])), j.get("team"))


def stats_json(who, *extra):
    path = os.path.join(D, "stats-%s-%d.json" % (who, len(os.listdir(D))))
    r = case(who, "stats", "--by", "category", "--from", MONTH, "--to",
             MONTH, "--epsilon", "1", "--format", "json", "--out", path,
             *extra)
    if r.returncode != 0 or not os.path.exists(path):
        return r, None
    with open(path) as f:
        j = json.load(f)
    return r, j


def cells(j):
    """What a table shows: its rows, their figures and the total (its
    notes and status say draft or published)."""
    return json.dumps({k: j.get(k) for k in ("dims", "from", "to", "rows",
                                             "values", "total")},
                      sort_keys=True)


def test_stats_ledger():
    """One ledger for the organisation (issue 18): the key holder's
    publication and its month's noise seed travel to the members as
    stats.ledger events, so a member's draft of the same cut shows the
    same noisy figures, and a member cannot publish."""
    r = case("ana", "stats", "--by", "category", "--from", MONTH, "--to",
             MONTH, "--publish")
    check("a member's --publish is refused, with the reason",
          r.returncode != 0 and "key holder" in out(r), out(r))
    r, kim = stats_json("kim", "--publish")
    check("the key holder publishes the month with noise",
          r.returncode == 0 and kim is not None, out(r))
    r = case("kim", "push", *sync("kim"))
    check("the key holder pushes its ledger events", r.returncode == 0,
          out(r))
    for who in ("ana", "ben"):
        rs = [case(who, "pull", *sync(who)), case(who, "import")]
        check("%s pulls and imports the ledger events" % who,
              all(x.returncode == 0 for x in rs), [out(x) for x in rs])
        r, mine = stats_json(who)
        check("%s's draft of the published cut shows the key holder's "
              "figures, noise and all" % who,
              kim is not None and mine is not None and
              cells(mine) == cells(kim),
              (out(r), mine and cells(mine), kim and cells(kim)))


def held():
    spool.wait_moved()
    p = subprocess.run(["psql", "-X", "-At", "-d", "umbra", "-c",
                        "SELECT count(*) FROM envelopes e JOIN orgs o ON "
                        "o.id = e.org_id WHERE o.slug = '%s'" % ORG],
                       capture_output=True, text=True)
    return int(p.stdout.strip() or -1)


def test_ack_after_all():
    before = held()
    r = case("ana", "ack", *sync("ana"))
    check("Ana acks", r.returncode == 0, out(r))
    check("nothing deleted after one member's ack (%d held)" % held(),
          held() == before and before >= 3)
    r = case("ben", "ack", *sync("ben"))
    check("nothing deleted after two (%d held)" % held(), held() == before)
    r = case("kim", "ack", *sync("kim"))
    check("deleted once every current member acked (%d held)" % held(),
          r.returncode == 0 and held() == 0, out(r))


def test_late_member():
    """Dan joins after everything above: Kim shares the open cases' history
    (team share --member Dan) and Dan, who cannot open any report sealed
    before him, gets the cases, their state and history with names."""
    r = case("dan", "init", "--org", ORG, "--member", "--name", "Dan", *LOW)
    check("member home dan", r.returncode == 0, out(r))
    r = case("kim", "keys", "add-member",
             os.path.join(home("dan"), "member.json"))
    check("Kim adds Dan", r.returncode == 0, out(r))
    r = case("kim", "keys", "publish", *sync("kim"))
    check("Kim publishes the bundle with Dan", r.returncode == 0, out(r))
    with open(token_file("dan"), "w") as f:
        f.write(server_cmd("token", "add", ORG, "dan") + "\n")
    for who in ("ana", "ben", "dan"):
        r = case(who, "keys", "join", os.path.join(home("kim"), "public.json"))
        check("%s joins the bundle with Dan" % who, r.returncode == 0, out(r))
    r = case("kim", "team", "share", "--member", "Dan")
    print("   ", out(r).strip())
    check("Kim queues the shares of the open cases", r.returncode == 0 and
          "3 reports" in out(r), out(r))
    r = case("kim", "push", *sync("kim"))
    check("Kim pushes them", r.returncode == 0, out(r))
    rs = [case("dan", "pull", *sync("dan")), case("dan", "import")]
    check("Dan pulls and imports", all(x.returncode == 0 for x in rs),
          [out(x) for x in rs])
    d = case_id("dan", "report one")
    j = show("dan", d) if d else {}
    k = show("kim", case_id("kim", "report one"))
    check("Dan has case one, from the shared report", d is not None, out(rs[1]))
    check("Dan's case one has the team's state (status, labels, assignee)",
          all(j.get(f) == k.get(f) for f in ("status", "assignee", "labels")),
          (j.get("status"), k.get("status")))
    whos = [(h["who"], h["type"]) for h in j.get("team", {}).get("history",
                                                                 [])]
    check("Dan sees Ana's triage and Ben's reply with their names",
          ("Ana", "status") in whos and ("Ben", "reply") in whos,
          (whos, out(rs[1])))
    r = case("dan", "show", str(d))
    check("Dan reads the report's narrative", "report one" in out(r),
          out(r)[:300])


def test_canary_scan():
    dump = subprocess.run(["pg_dump", "-d", "umbra"], capture_output=True)
    check("pg_dump", dump.returncode == 0, dump.stderr[:200])
    for c in CANARIES:
        check("the database dump holds no %r" % c[-20:],
              c.encode() not in dump.stdout)
        check("the database files hold no %r" % c[-20:],
              umbra.grep_tree(PG_DATA, c.encode()) == [])
        for log in (SRV.log, PG_LOG):
            with open(log, "rb") as f:
                check("%s holds no %r" % (os.path.basename(log), c[-20:]),
                      c.encode() not in f.read())
    # the scan can fail: the canaries are in the homes' plaintext output
    r = case("kim", "show", str(case_id("kim", "report one")))
    check("the scan's needle is real (Kim's show has the note)",
          NOTE in out(r))


def main():
    setup()  # org add and tokens before the server starts (it reads them)
    SRV.start()
    try:
        for t in (test_share_history, test_concurrent, test_remove_chloe,
                  test_air_gap, test_same_state, test_stats_ledger,
                  test_ack_after_all,
                  test_late_member, test_canary_scan):
            try:
                t()
            except Exception as e:  # a crash is a failure; go on
                import traceback
                traceback.print_exc()
                check("%s ran to its end" % t.__name__, False, repr(e))
    finally:
        SRV.stop()
    return R.finish()


if __name__ == "__main__":
    sys.exit(main())
