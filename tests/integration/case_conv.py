#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""The conversation in umbra-case (issue 13, item 4), without a server.

Reports and follow-ups are built here from docs/protocol.md sections 5.3
and 6.1 (the proof computed in Python with PyNaCl by
tests/vectors/pyumbra.py, independently of libumbra), sealed with
`umbra-case seal`, put in bundle files and imported. Checks: a verified
follow-up joins its case (list marks it unread, show shows it and marks
it read, show --json "messages" in order: report, reply, follow-ups); a
replayed follow-up adds nothing; a forged one (the case's mailbox id,
a proof from another key) becomes a case of its own marked unverified and
cannot be replied to; a follow-up whose case is gone (deleted, or never
here) becomes a new case that can be replied to; a malformed follow_up is
quarantined. Ends with "N passed, N failed".
"""
import base64
import datetime
import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "vectors"))
from case_lib import Home, Results, tmpdir, write_bundle  # noqa: E402
import nacl.bindings as nb  # noqa: E402
import pyumbra  # noqa: E402

R = Results()
NOW = datetime.datetime.now(datetime.timezone.utc)
TODAY = NOW.strftime("%Y-%m-%d")
YESTERDAY = (NOW - datetime.timedelta(days=1)).strftime("%Y-%m-%d")
EARLIER = (NOW - datetime.timedelta(days=2)).strftime("%Y-%m-%d")
check = R.check


def out(r):
    return (r.stdout + r.stderr).decode(errors="replace")


class Reporter:
    """A mailbox as a receipt gives it (keys drawn at random here: the
    Argon2 step is checked by the vectors, not by this test)."""

    def __init__(self):
        self.pk, self.sk = nb.crypto_box_keypair()
        self.mailbox_id = os.urandom(32)

    def fields(self):
        return {"mailbox": base64.b64encode(self.pk).decode(),
                "mailbox_id": self.mailbox_id.hex()}

    def report(self, text):
        doc = {"schema": "umbra.report/1", "lang": "en", "via": "web",
               "categories": ["robbery"], "narrative": text,
               "consent": {"statistics": True}}
        doc.update(self.fields())
        return json.dumps(doc).encode()

    def follow_up(self, text, org_pk, sk=None):
        proof = pyumbra.followup_proof(org_pk, sk or self.sk,
                                       self.mailbox_id, text.encode())
        doc = {"schema": "umbra.report/1", "lang": "en", "via": "web",
               "narrative": text,
               "follow_up": {"proof": base64.b64encode(proof).decode()}}
        doc.update(self.fields())
        return json.dumps(doc).encode()


def org_pk(home):
    with open(home.public) as f:
        return base64.b64decode(json.load(f)["keys"][0]["x25519"])


def imp(home, d, name, records):
    path = os.path.join(d, name)
    write_bundle(path, home.slug, records)
    return home.run("import", path)


def show(home, case):
    r = home.run("show", str(case), "--json")
    return json.loads(r.stdout) if r.returncode == 0 else {"error": out(r)}


def listing(home):
    r = home.run("list", "--json")
    return [json.loads(x) for x in r.stdout.decode().splitlines() if x]


def main():
    d = tmpdir()
    try:
        home = Home(d)
        pk = org_pk(home)
        rep = Reporter()
        r = imp(home, d, "b1", [("1", EARLIER,
                                 home.seal(rep.report("the first report")))])
        check("the report imports as case 1",
              r.returncode == 0 and b"Imported 1 new case " in r.stdout,
              out(r))
        check("no unread message on a new case",
              [c["unread"] for c in listing(home)] == [0], listing(home))
        msg = os.path.join(d, "reply.txt")
        with open(msg, "w") as f:
            f.write("We read your report. Are you safe?\n")
        r = home.run("reply", "1", "--message-file", msg)
        check("reply queued", r.returncode == 0, out(r))

        fu1 = rep.follow_up("I am safe now. He came back on Friday.", pk)
        fu2 = rep.follow_up("Here is more: a second message.", pk)
        env_fu1 = home.seal(fu1)
        # received after the reply was written (a reply is dated the day
        # it is written, a follow-up the day the server received it)
        r = imp(home, d, "b2", [("2", TODAY, env_fu1),
                                ("3", TODAY, home.seal(fu2))])
        check("two follow-ups join their case, no new case",
              r.returncode == 0 and b"Imported 0 new cases" in r.stdout and
              b"2 follow-ups from reporters joined" in r.stdout, out(r))
        rows = listing(home)
        check("list --json: one case, 2 unread",
              len(rows) == 1 and rows[0]["unread"] == 2, rows)
        r = home.run("list")
        check("list marks the case with its new messages",
              b"(2 new messages)" in r.stdout, out(r))
        s = show(home, 1)
        want = [("reporter", EARLIER, "the first report"),
                ("org", None, "We read your report. Are you safe?"),
                ("reporter", TODAY,
                 "I am safe now. He came back on Friday."),
                ("reporter", TODAY, "Here is more: a second message.")]
        got = [(m["from"], m["day"], m["text"]) for m in s.get("messages", [])]
        check("show --json messages: report, reply, follow-up, follow-up",
              len(got) == 4 and all(
                  g[0] == w[0] and (w[1] is None or g[1] == w[1]) and
                  g[2] == w[2] for g, w in zip(got, want)), got)
        check("every message has exactly from, day, text",
              all(sorted(m) == ["day", "from", "text"]
                  for m in s.get("messages", [])) and
              all(len(m["day"]) == 10 for m in s.get("messages", [])), s)
        check("show marked them read",
              [c["unread"] for c in listing(home)] == [0], listing(home))
        r = home.run("show", "1")
        t = out(r)
        check("show prints the conversation in order",
              r.returncode == 0 and t.find("Conversation") <
              t.find("Are you safe?") < t.find("He came back on Friday") <
              t.find("a second message") and "(queued" in t, t)

        # one received before the day the reply was written comes first
        early = rep.follow_up("sent before your reply", pk)
        r = imp(home, d, "b2b", [("10", YESTERDAY, home.seal(early))])
        texts = [m["text"] for m in show(home, 1)["messages"]]
        check("messages are in order of their day, then of arrival",
              texts[:2] == ["the first report", "sent before your reply"] and
              len(texts) == 5 and texts[2].startswith("We read"), texts)
        # the same follow-up envelope again under another server id
        r = imp(home, d, "b3", [("4", "2026-12-02", home.seal(fu1))])
        check("a replayed follow-up adds no message",
              r.returncode == 0 and len(show(home, 1)["messages"]) == 5 and
              len(listing(home)) == 1, out(r))

        # forged: the case's mailbox id and key, a proof from another key
        forger = Reporter()
        bad = rep.follow_up("FORGED message", pk, sk=forger.sk)
        r = imp(home, d, "b4", [("5", "2026-12-02", home.seal(bad))])
        rows = listing(home)
        s1 = show(home, 1)
        check("a forged follow-up does not join the case",
              all("FORGED" not in m["text"] for m in s1["messages"]) and
              len(s1["messages"]) == 5, s1.get("messages"))
        s2 = show(home, 2) if len(rows) == 2 else {}
        check("it is a new case marked unverified, naming case 1, no reply",
              len(rows) == 2 and s2.get("origin") == "unverified" and
              s2.get("origin_case") == 1 and s2.get("can_reply") is False,
              (rows, s2))
        check("import says so", b"could not be verified" in r.stdout, out(r))
        r = home.run("show", "2")
        check("show warns it is unverified",
              b"UNVERIFIED follow-up" in r.stdout, out(r))
        r = home.run("reply", "2", "--message-file", msg)
        check("no reply to an unverified follow-up", r.returncode == 1,
              out(r))

        # a follow-up whose case is not here
        gone = Reporter()
        r = imp(home, d, "b5", [("6", "2026-12-02", home.seal(
            gone.follow_up("my case was deleted?", pk)))])
        rows = listing(home)
        s3 = show(home, 3) if len(rows) == 3 else {}
        check("a follow-up whose case is gone is a new case that can be "
              "answered",
              s3.get("origin") == "follow-up" and s3.get("can_reply") is True
              and s3["messages"][0]["text"] == "my case was deleted?",
              (rows, s3))
        r = home.run("show", "3")
        check("show says its case is not in this store",
              b"not in this store" in r.stdout, out(r))

        # malformed follow_up: quarantined
        doc = json.loads(rep.follow_up("x", pk))
        doc["follow_up"]["proof"] = "AAAA"
        r = imp(home, d, "b6", [("7", "2026-12-02",
                                 home.seal(json.dumps(doc).encode()))])
        q = home.run("quarantine")
        check("a malformed follow_up is quarantined with its reason",
              b"1 quarantined" in r.stdout and b"follow_up" in q.stdout,
              out(r) + out(q))
        # the caseworker deletes case 1; its reporter writes back
        r = home.run("delete", "1")
        check("delete without --yes is a usage error, nothing deleted",
              r.returncode == 2 and len(listing(home)) == 3, out(r))
        r = home.run("delete", "1", "--yes")
        check("delete --yes erases the case",
              r.returncode == 0 and [c["id"] for c in listing(home)] == [2, 3]
              and home.run("show", "1").returncode == 1, out(r))
        r = imp(home, d, "b7", [("8", "2026-12-03", home.seal(
            rep.follow_up("are you still there?", pk)))])
        rows = listing(home)
        new = [c for c in rows if c["id"] not in (2, 3)]
        s4 = show(home, new[0]["id"]) if len(new) == 1 else {}
        check("a follow-up after its case was deleted makes a new case",
              len(rows) == 3 and s4.get("origin") == "follow-up" and
              s4.get("can_reply") is True and
              [m["text"] for m in s4["messages"]] == ["are you still there?"],
              (rows, s4))
        fu3 = rep.follow_up("and one more", pk)
        r = imp(home, d, "b8", [("9", "2026-12-03", home.seal(fu3))])
        s4 = show(home, new[0]["id"]) if len(new) == 1 else {}
        check("the next follow-up joins that new case",
              len(listing(home)) == 3 and
              [m["text"] for m in s4.get("messages", [])] ==
              ["are you still there?", "and one more"], s4)
        r = imp(home, d, "b2again", [("2", TODAY, env_fu1)])
        check("importing a deleted case's bundle again brings nothing back",
              b"1 already imported" in r.stdout and len(listing(home)) == 3,
              out(r))
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return R.finish()


if __name__ == "__main__":
    sys.exit(main())
