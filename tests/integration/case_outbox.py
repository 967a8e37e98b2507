#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Files out of the air-gapped laptop (docs/protocol.md section 10).

Run by with_server.sh like case_loop.py (whose helpers it uses), against a
real umbra-server and PostgreSQL. The offline home imports a bundle that an
online home (public.json only) pulled, replies, and writes 'push --out'; the
online home sends it with 'push --from' (no passphrase, no key file); the
reporters read their replies with their receipts; the envelopes are gone
from the server; sending the file again changes nothing. Refused files
(not an outbox, cut short, another version, hostile values, too large,
another organisation) send nothing. Ends with "N passed, N failed".
"""
import base64
import json
import os
import shutil
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import case_loop as L  # noqa: E402
from case_loop import D, HOME, case, sync_args, tool  # noqa: E402

check = L.check


def replies_of(lookup):
    st, body = L.request("GET", "/api/v1/mailboxes/%s/replies" % lookup)
    assert st == 200, (st, body)
    return json.loads(body)["replies"]


def online_home(name):
    home = os.path.join(D, name)
    os.makedirs(home)
    shutil.copy(os.path.join(HOME, "public.json"), home)
    return home


def one_line(r):
    return r.returncode == 1 and r.stderr.count(b"\n") == 1


def test_outbox():
    reporters = []
    for i in range(2):
        receipt, pk, lookup, mailbox_id = L.new_mailbox()
        L.post_envelope(L.seal_report("%s outbox %d" % (L.CANARY, i),
                                      (pk, mailbox_id)))
        reporters.append((receipt, lookup))
    online = online_home("online")
    usb = os.path.join(D, "in.umbrabundle")
    r = case("pull", *sync_args(), "--out", usb, home=online,
             passphrase=False)
    check("files in: pull --out on the online home",
          r.returncode == 0 and b"Pulled 2 new" in r.stdout, r.stderr)
    r = case("import", usb)
    cases = L.list_cases()
    check("import on the offline home", r.returncode == 0 and
          len(cases) == 2, (r.stdout, r.stderr))
    msgs = {}
    for c in cases:
        msg = "Outbox reply to case %d, %s" % (c["id"], os.urandom(3).hex())
        path = os.path.join(D, "omsg%d.txt" % c["id"])
        with open(path, "w") as f:
            f.write(msg + "\n")
        r = case("reply", str(c["id"]), "--message-file", path)
        check("reply queued offline", r.returncode == 0, r.stderr)
        msgs[msg] = c["id"]

    out = os.path.join(D, "outbox.json")
    r = case("push", "--out", out)
    check("push --out writes 2 replies and 2 deletions",
          r.returncode == 0 and b"Wrote 2 replies and 2 deletions" in
          r.stdout, (r.stdout, r.stderr))
    check("the outbox is mode 0600",
          stat.S_IMODE(os.stat(out).st_mode) == 0o600)
    check("no temporary file left", not os.path.exists(out + ".tmp"))
    ob = json.load(open(out))
    check("the outbox is umbra.outbox/1 for alpha with 2 replies, 2 acks",
          ob["format"] == "umbra.outbox/1" and ob["org"] == "alpha" and
          len(ob["replies"]) == 2 and len(ob["acks"]) == 2, ob.keys())
    check("the outbox holds no reply text and no receipt",
          not any(m.encode() in open(out, "rb").read() for m in msgs) and
          not any(rc[0].encode() in open(out, "rb").read()
                  for rc in reporters))
    out2 = os.path.join(D, "outbox2.json")
    r = case("push", "--out", out2)
    check("a second push --out has nothing to carry (no duplicate)",
          r.returncode == 0 and b"Nothing to carry out" in r.stdout and
          not os.path.exists(out2), (r.stdout, r.stderr))
    again = os.path.join(D, "outbox-again.json")
    r = case("push", "--out", again, "--again")
    check("push --out --again writes the carried ones again",
          r.returncode == 0 and b"Wrote 2 replies and 2 deletions" in
          r.stdout, r.stdout)
    r = case("show", str(cases[0]["id"]))
    check("the case's history says the reply was written to an outbox",
          b"outbox file" in r.stdout, r.stdout)

    check("before push --from the mailboxes are empty",
          all(replies_of(lk) == [] for _, lk in reporters))
    check("before push --from alpha has 2 envelopes on the server",
          L.envelopes_of("alpha") == 2)
    r = case("push", "--from", out, *sync_args(), home=online,
             passphrase=False)
    check("push --from (no passphrase) sends 2 replies and deletes 2",
          r.returncode == 0 and b"Sent 2 replies" in r.stdout and
          b"deleted 2 reports" in r.stdout, (r.stdout, r.stderr))
    check("the online home holds no key and no store: public.json and "
          "the sent list only",
          sorted(os.listdir(online)) == ["outbox-sent", "public.json"],
          os.listdir(online))
    got = {}
    for receipt, lookup in reporters:
        reps = replies_of(lookup)
        ok = len(reps) == 1
        if ok:
            doc = json.loads(tool("open", receipt, data=base64.b64decode(
                reps[0]["envelope"])))
            ok = doc["message"] in msgs
            got[doc["message"]] = 1
        check("the reporter reads the carried reply with the receipt", ok,
              reps)
    check("each reporter got their own reply", len(got) == 2)
    check("the envelopes are gone from the server (acked)",
          L.envelopes_of("alpha") == 0)

    for f in (out, again):
        r = case("push", "--from", f, *sync_args(), home=online,
                 passphrase=False)
        check("sending %s again changes nothing" % os.path.basename(f),
              r.returncode == 0 and b"Sent 0 replies (2 sent before" in
              r.stdout and b"deleted 0 reports" in r.stdout and
              all(len(replies_of(lk)) == 1 for _, lk in reporters),
              (r.stdout, r.stderr))
    return ob, reporters


def test_refused(ob, reporters):
    home = online_home("online2")  # an empty sent list: would send

    def push_from(doc=None, raw=None):
        path = os.path.join(D, "bad.json")
        with open(path, "wb") as f:
            f.write(raw if raw is not None else
                    json.dumps(doc, indent=1).encode())
        return case("push", "--from", path, *sync_args(), home=home,
                    passphrase=False)

    def nothing_sent():
        return all(len(replies_of(lk)) == 1 for _, lk in reporters)

    r = push_from(raw=open(os.path.join(HOME, "public.json"), "rb").read())
    check("a key bundle is 'not an outbox file' in one line",
          one_line(r) and b"is not an outbox file" in r.stderr, r.stderr)
    text = json.dumps(ob, indent=1).encode()
    r = push_from(raw=text[:len(text) // 2])
    check("a cut file is refused in one line, nothing sent",
          one_line(r) and b"cut short" in r.stderr and nothing_sent(),
          r.stderr)
    r = push_from(dict(ob, format="umbra.outbox/2"))
    check("another version is refused in one line",
          one_line(r) and b"umbra.outbox/2" in r.stderr and nothing_sent(),
          r.stderr)
    bad = dict(ob, replies=[ob["replies"][0],
                            {"mailbox": "zz" * 32,
                             "envelope": ob["replies"][1]["envelope"]}])
    r = push_from(bad)
    check("a bad mailbox after a good reply: refused, nothing sent",
          one_line(r) and b"reply 2" in r.stderr and nothing_sent(),
          r.stderr)
    bad = dict(ob, replies=[ob["replies"][0], {
        "mailbox": ob["replies"][1]["mailbox"],
        "envelope": base64.b64encode(b"\x00" * (2 << 20)).decode()}])
    r = push_from(bad)
    check("an oversized envelope: refused, nothing sent",
          one_line(r) and b"over 1048576 bytes" in r.stderr and
          nothing_sent(), r.stderr)
    r = push_from(dict(ob, acks=ob["acks"] + ["01"]))
    check("a malformed ack id: refused, nothing sent",
          one_line(r) and b"not a server id" in r.stderr and nothing_sent(),
          r.stderr)
    r = push_from(dict(ob, org="beta"))
    check("an outbox of another organisation: refused",
          one_line(r) and b"organisation 'beta'" in r.stderr and
          nothing_sent(), r.stderr)
    r = push_from(dict(ob, extra=1))
    check("an unknown member: refused",
          one_line(r) and b"unknown member" in r.stderr, r.stderr)
    big = os.path.join(D, "big.json")
    with open(big, "wb") as f:
        f.truncate(64 * 1024 * 1024 + 1)
    r = case("push", "--from", big, *sync_args(), home=home,
             passphrase=False)
    check("a file over 64 MiB: refused in one line",
          one_line(r) and b"larger than 64 MiB" in r.stderr, r.stderr)
    # The documented limit (protocol section 10): the server does not
    # deduplicate replies; the sent list is per home. Another online home
    # sending the same outbox sends its replies again.
    r = push_from(ob)
    check("another home sending the same outbox sends the replies again "
          "(documented limit)", r.returncode == 0 and
          b"Sent 2 replies" in r.stdout and
          all(len(replies_of(lk)) == 2 for _, lk in reporters),
          (r.stdout, r.stderr))


def main():
    srv = L.Server(port=L.PORT)
    try:
        srv.start()
        ob, reporters = test_outbox()
        test_refused(ob, reporters)
    finally:
        srv.stop(15)
    return L.R.finish()


if __name__ == "__main__":
    sys.exit(main())
