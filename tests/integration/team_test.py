#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Team sync on the real server and PostgreSQL (issue 15; docs/api.md
"Team sync"): keys publish, claims, per-member ack, waiting, force,
member_removed, the case-event log, and a canary scan of what the server
keeps of a team's events.

Run by with_server.sh (make test-team-server), which registers 'alpha'
and 'beta'; this test makes its own organisation 'gamma' with four tokens
(holder, ana, ben, chloe) and members whose Ed25519 keys are made here.
Each test asserts what a member, the operator or an adversary would see.
Ends with "N passed, N failed".
"""
import base64
import hashlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import traceback

import nacl.signing

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import spool  # noqa: E402
import umbra  # noqa: E402
from umbra_env import CASE, CONF, D, PASS, PG_DATA, PG_LOG, SERVER, TOOL  # noqa: E402,E501

SRV = umbra.Server()
ORG = "gamma"
HOME = os.path.join(D, ORG)
KEYFILE = os.path.join(HOME, "keys.umbra")
CANARY = "TEAMCANARY-" + secrets.token_hex(8)
TOKEN = {}
MEMBER = {n: nacl.signing.SigningKey.generate()
          for n in ("ana", "ben", "chloe", "dan")}
SERIAL = [1]


def b64(b):
    return base64.b64encode(bytes(b)).decode()


def request(method, path, body=None, token=None, ctype=None):
    h = {}
    if token is not None:
        h["Authorization"] = "Bearer " + token
    if ctype:
        h["Content-Type"] = ctype
    st, _, data = umbra.request(SRV.port, method, path, body, h)
    try:
        return st, json.loads(data) if data else None
    except ValueError:
        return st, data


def post_json(path, obj, who):
    return request("POST", path, json.dumps(obj).encode(), TOKEN[who],
                   "application/json")


def psql(sql, user=None):
    env = dict(os.environ)
    if user:
        env["PGUSER"] = user
    p = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1",
                        "-d", "umbra", "-c", sql],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def server_cmd(*args):
    p = subprocess.run([SERVER, "--config", CONF, *args],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout.strip()


def bundle(serial, *signers):
    """gamma's bundle signed with its key, with signers ("name", key,
    "may") where key is a nacl SigningKey or raw 32 bytes."""
    args = []
    for name, key, may in signers:
        pk = bytes(key.verify_key) if hasattr(key, "verify_key") else key
        args.append("%s,%s,%s" % (name, b64(pk), may))
    p = subprocess.run([TOOL, "bundle", KEYFILE, PASS, str(serial), *args],
                       capture_output=True)
    assert p.returncode == 0, p.stderr
    return p.stdout


def publish(text, who="holder"):
    return request("POST", "/api/v1/sync/bundle", text, TOKEN[who],
                   "application/json")


def claim_text(token):
    return ("umbra.claim/1\norg %s\ntoken %s\n" % (
        ORG, hashlib.sha256(token.encode()).hexdigest())).encode()


def claim(who, key=None, token_of=None):
    """who's token claimed by key (default: who's member key; 'holder':
    the organisation's signing key through server_tool)."""
    tok = TOKEN[token_of or who]
    if key == "holder":
        p = subprocess.run([TOOL, "sign", KEYFILE, PASS],
                           input=claim_text(tok), capture_output=True)
        assert p.returncode == 0, p.stderr
        pk, sig = p.stdout.decode().split()
    else:
        key = key or MEMBER[who]
        pk = b64(key.verify_key)
        sig = b64(key.sign(claim_text(tok)).signature)
    return request("POST", "/api/v1/sync/claim",
                   json.dumps({"signing_key": pk, "signature": sig}).encode(),
                   tok, "application/json")


def seal(data):
    p = subprocess.run([CASE, "seal", "--to",
                        os.path.join(HOME, "public.json")],
                       input=data, capture_output=True)
    assert p.returncode == 0, p.stderr
    return p.stdout


def post_report(text):
    st, body = request("POST", "/api/v1/orgs/%s/reports" % ORG,
                       seal(json.dumps({"schema": "umbra.report/1",
                                        "narrative": text}).encode()),
                       None, "application/octet-stream")
    assert st == 201, (st, str(body)[:300])


def reports(who):
    spool.wait_moved()
    st, body = request("GET", "/api/v1/sync/reports?limit=1000",
                       token=TOKEN[who])
    assert st == 200, (st, str(body)[:300])
    return body


def held_ids():
    return [r["id"] for r in reports("holder")["reports"]]


def ack(who, ids, force=None):
    obj = {"ids": ids}
    if force is not None:
        obj["force"] = force
    return post_json("/api/v1/sync/ack", obj, who)


def waiting(who="holder"):
    return {w["name"]: w["count"] for w in reports(who)["waiting"]}


def drain():
    ids = held_ids()
    if ids:
        st, body = ack("holder", ids, True)
        assert st == 200, str(body)[:300]
    assert held_ids() == []


# ---- set-up --------------------------------------------------------------

def setup():
    if not os.path.exists(os.path.join(HOME, "public.json")):
        subprocess.run([CASE, "--home", HOME, "--passphrase-file", PASS,
                        "init", "--org", ORG, "--kdf-memory", "8192",
                        "--kdf-passes", "1", "--kdf-lanes", "1"],
                       check=True, capture_output=True)
    server_cmd("org", "add", ORG, "--name", "Org gamma", "--public-key",
               os.path.join(HOME, "public.json"))
    for name in ("holder", "ana", "ben", "chloe"):
        TOKEN[name] = server_cmd("token", "add", ORG, name)
    TOKEN["beta"] = open(os.path.join(D, "beta.token")).read().strip()


# ---- tests ---------------------------------------------------------------

def test_keys_publish():
    """POST /api/v1/sync/bundle: served at once; lower, equal, another
    key, another organisation, forged, too large: refused, nothing
    changed."""
    first = open(os.path.join(HOME, "public.json"), "rb").read()
    assert json.loads(first)["serial"] == 1
    b2 = bundle(2, ("Gamma desk", MEMBER["ana"], "events"))
    st, body = publish(b2)
    assert st == 200 and body["serial"] == 2 and body["signers"] == 1, str(body)[:300]
    # served at once: the list of organisations, the form's keys
    st, body = request("GET", "/api/v1/orgs/%s" % ORG)
    assert st == 200 and body["bundle"]["serial"] == 2, str(body)[:300]
    assert psql("SELECT bundle_serial FROM orgs WHERE slug = 'gamma'") == "2"
    stored = psql("SELECT bundle FROM orgs WHERE slug = 'gamma'")
    assert stored == b2.decode().strip(), "kept byte for byte"

    def refused(text, status, code, label):
        st, body = publish(text)
        assert st == status and body["error"] == code, (label, st, str(body)[:300])
        assert psql("SELECT bundle FROM orgs WHERE slug = 'gamma'") == \
            stored, label
    refused(first, 409, "bundle_rollback", "serial 1 after 2")
    refused(b2, 409, "bundle_rollback", "the same serial 2 again")
    refused(bundle(2, ("Other", MEMBER["ben"], "events")), 409,
            "bundle_rollback", "other content under serial 2")
    # another key for the same slug
    fake = os.path.join(D, "gamma-fake")
    subprocess.run([CASE, "--home", fake, "--passphrase-file", PASS, "init",
                    "--org", ORG, "--kdf-memory", "8192", "--kdf-passes", "1",
                    "--kdf-lanes", "1"], check=True, capture_output=True)
    p = subprocess.run([TOOL, "bundle", os.path.join(fake, "keys.umbra"),
                        PASS, "9"], capture_output=True, check=True)
    refused(p.stdout, 403, "wrong_signing_key", "another signing key")
    refused(open(os.path.join(D, "beta", "public.json"), "rb").read(), 400,
            "bad_bundle", "another organisation's bundle")
    b3 = bundle(3, ("Gamma desk", MEMBER["ana"], "events"))
    forged = b3.replace(b"Gamma desk", b"Gamma dusk")
    refused(forged, 400, "bad_bundle", "a signer's name changed")
    refused(b"{" + b" " * 70000 + b"}", 413, "body_too_large", "70 KB")
    refused(b"not json", 400, "bad_bundle", "not JSON")
    st, body = request("POST", "/api/v1/sync/bundle", b3, None,
                       "application/json")
    assert st == 401 and body["error"] == "unauthorized", str(body)[:300]
    SERIAL[0] = 2


def test_claims():
    """POST /api/v1/sync/claim: only the signing key or a signer who may
    sign events; idempotent; one key per token."""
    SERIAL[0] += 1
    st, body = publish(bundle(SERIAL[0],
                              ("Ana", MEMBER["ana"], "events"),
                              ("Ben", MEMBER["ben"], "events+alerts"),
                              ("Chloe", MEMBER["chloe"], "events"),
                              ("Dan", MEMBER["dan"], "alerts")))
    assert st == 200, str(body)[:300]
    stranger = nacl.signing.SigningKey.generate()
    st, body = claim("ana", stranger)
    assert st == 403 and body["error"] == "not_a_member", str(body)[:300]
    st, body = claim("ana", MEMBER["dan"])
    assert st == 403 and body["error"] == "not_a_member", \
        ("alerts only", str(body)[:300])
    # a signature over another token's hash
    tok = TOKEN["ana"]
    sig = MEMBER["ana"].sign(claim_text(TOKEN["ben"])).signature
    st, body = request("POST", "/api/v1/sync/claim", json.dumps({
        "signing_key": b64(MEMBER["ana"].verify_key),
        "signature": b64(sig)}).encode(), tok, "application/json")
    assert st == 403 and body["error"] == "bad_signature", str(body)[:300]
    for bad in ({}, {"signing_key": "x", "signature": "y"},
                {"signing_key": b64(MEMBER["ana"].verify_key)},
                {"signing_key": b64(bytes(31)), "signature": b64(sig)},
                {"signing_key": b64(MEMBER["ana"].verify_key),
                 "signature": b64(sig)[:-4] + "AAA="}):
        st, body = request("POST", "/api/v1/sync/claim",
                           json.dumps(bad).encode(), tok, "application/json")
        assert st == 400 and body["error"] == "bad_claim", (bad, str(body)[:300])
    assert psql("SELECT count(*) FROM sync_tokens WHERE claim_pk IS NOT "
                "NULL") == "0"
    st, body = claim("ana")
    assert st == 200 and body == {"claimed": True, "token": "ana",
                                  "member": "Ana", "holder": False}, str(body)[:300]
    st, body = claim("ana")
    assert st == 200, ("idempotent", str(body)[:300])
    st, body = claim("ana", MEMBER["ben"])
    assert st == 409 and body["error"] == "token_claimed", str(body)[:300]
    st, body = claim("ben")
    assert st == 200 and body["member"] == "Ben", str(body)[:300]
    st, body = claim("holder", "holder")
    assert st == 200 and body["holder"] is True and \
        body["member"] == ORG, str(body)[:300]
    # the day only, and the key: nothing else about the claim
    day = psql("SELECT claimed FROM sync_tokens WHERE name = 'ana'")
    assert len(day) == 10, day


def test_ack_by_members():
    """Ack by 1 of 3 members leaves the envelope, the 3rd deletes it; the
    waiting counts say who has not acked; an unclaimed token of a team
    may not ack."""
    drain()
    post_report("r1")
    post_report("r2")
    ids = held_ids()
    assert len(ids) == 2
    assert waiting() == {"holder": 2, "ana": 2, "ben": 2}, waiting()
    st, body = ack("ana", ids)
    assert st == 200 and body == {"deleted": 0, "acked": 2}, str(body)[:300]
    assert held_ids() == ids
    assert waiting("ben") == {"holder": 2, "ana": 0, "ben": 2}
    st, body = ack("ana", ids)
    assert st == 200 and body == {"deleted": 0, "acked": 0}, \
        ("acking twice counts once", str(body)[:300])
    st, body = ack("ben", ids)
    assert st == 200 and body["deleted"] == 0, str(body)[:300]
    st, body = ack("chloe", ids)
    assert st == 403 and body["error"] == "not_claimed", str(body)[:300]
    st, body = ack("holder", ids)
    assert st == 200 and body == {"deleted": 2, "acked": 2}, str(body)[:300]
    assert held_ids() == []
    assert psql("SELECT count(*) FROM acks") == "0", "acks go with them"


def test_force():
    """Only the token claimed by the organisation's signing key forces;
    it deletes what it acks and what it acked before."""
    drain()
    post_report("f1")
    ids = held_ids()
    st, body = ack("ana", ids, True)
    assert st == 403 and body["error"] == "not_key_holder", str(body)[:300]
    st, body = ack("ana", ids, "yes")
    assert st == 400 and body["error"] == "bad_force", str(body)[:300]
    assert held_ids() == ids
    st, body = ack("holder", ids, True)
    assert st == 200 and body["deleted"] == 1, str(body)[:300]
    post_report("f2")
    ids = held_ids()
    st, body = ack("holder", ids)
    assert st == 200 and body["deleted"] == 0, str(body)[:300]
    st, body = ack("holder", [], True)
    assert st == 200 and body["deleted"] == 1, \
        ("force deletes what the holder acked before", str(body)[:300])
    assert held_ids() == []


def test_old_org_first_ack_deletes():
    """An organisation where no token is claimed keeps the behaviour
    before teams: the first ack deletes; no "waiting"."""
    env = subprocess.run([CASE, "seal", "--to",
                          os.path.join(D, "beta", "public.json")],
                         input=b'{"schema":"umbra.report/1"}',
                         capture_output=True, check=True).stdout
    st, _ = request("POST", "/api/v1/orgs/beta/reports", env, None,
                    "application/octet-stream")
    assert st == 201
    spool.wait_moved()
    st, body = request("GET", "/api/v1/sync/reports", token=TOKEN["beta"])
    assert st == 200 and body["waiting"] == [], str(body)[:300]
    ids = [r["id"] for r in body["reports"]]
    assert ids
    st, body = post_json("/api/v1/sync/ack", {"ids": ids}, "beta")
    assert st == 200 and body["deleted"] == len(ids), str(body)[:300]


def test_events():
    """The event log: append, read in pages, only the token's
    organisation, refusals; the writing token and the day recorded."""
    evs = [seal(("event %d %s" % (i, CANARY)).encode()) for i in range(3)]
    ids = []
    for e in evs:
        st, body = request("POST", "/api/v1/sync/events", e, TOKEN["ana"],
                           "application/octet-stream")
        assert st == 201 and set(body) == {"id", "day"}, str(body)[:300]
        assert len(body["day"]) == 10
        ids.append(body["id"])
    assert [int(i) for i in ids] == sorted(int(i) for i in ids)
    st, body = request("GET", "/api/v1/sync/events?after=0",
                       token=TOKEN["ben"])
    assert st == 200 and body["more"] is False, str(body)[:300]
    got = [e for e in body["events"] if e["id"] in ids]
    assert [base64.b64decode(e["envelope"]) for e in got] == evs
    st, body = request("GET", "/api/v1/sync/events?after=%s&limit=1" %
                       ids[0], token=TOKEN["holder"])
    assert st == 200 and [e["id"] for e in body["events"]] == [ids[1]] and \
        body["more"] is True, str(body)[:300]
    # another organisation's token sees none of them
    st, body = request("GET", "/api/v1/sync/events", token=TOKEN["beta"])
    assert st == 200 and not [e for e in body["events"]
                              if e["id"] in ids], str(body)[:300]
    # the writing token, the day; nothing else
    cols = psql("SELECT string_agg(column_name, ',' ORDER BY column_name) "
                "FROM information_schema.columns WHERE table_name = "
                "'events'")
    assert cols == "body,day,id,org_id,token_id", cols
    writer = psql("SELECT DISTINCT t.name FROM events e JOIN sync_tokens t "
                  "ON t.id = e.token_id WHERE e.id IN (%s)" % ",".join(ids))
    assert writer == "ana", writer
    for q in ("?limit=0", "?limit=501", "?after=-1", "?after=x"):
        st, body = request("GET", "/api/v1/sync/events" + q,
                           token=TOKEN["ana"])
        assert st == 400 and body["error"] == "bad_query", (q, str(body)[:300])
    for bad in (b"", b"not an envelope", evs[0][:-1]):
        st, body = request("POST", "/api/v1/sync/events", bad, TOKEN["ana"],
                           "application/octet-stream")
        assert st == 400 and body["error"] == "bad_envelope", str(body)[:300]
    # 1 MiB + 1 announced: refused from the headers, before any body byte
    s = socket.create_connection(("127.0.0.1", SRV.port), timeout=10)
    s.sendall(("POST /api/v1/sync/events HTTP/1.1\r\nHost: x\r\n"
               "Authorization: Bearer %s\r\nContent-Type: "
               "application/octet-stream\r\nContent-Length: 1048577\r\n"
               "\r\n" % TOKEN["ana"]).encode())
    head = s.recv(4096)
    s.close()
    assert head.startswith(b"HTTP/1.1 413") and b"body_too_large" in head, \
        head[:200]
    st, body = request("POST", "/api/v1/sync/events", evs[0], None,
                       "application/octet-stream")
    assert st == 401 and body["error"] == "unauthorized", str(body)[:300]
    n = psql("SELECT count(*) FROM events")
    # acks never delete events
    drain()
    assert psql("SELECT count(*) FROM events") == n


def test_member_removed():
    """A new bundle without Ben: his token answers 401 member_removed on
    every sync route at once; what the others all acked goes."""
    drain()
    post_report("m1")
    ids = held_ids()
    for who in ("holder", "ana"):
        st, body = ack(who, ids)
        assert st == 200 and body["deleted"] == 0, str(body)[:300]
    SERIAL[0] += 1
    st, body = publish(bundle(SERIAL[0], ("Ana", MEMBER["ana"], "events"),
                              ("Chloe", MEMBER["chloe"], "events")))
    assert st == 200, str(body)[:300]
    assert held_ids() == [], "Ben's part no longer awaited"
    calls = [("GET", "/api/v1/sync/reports", None),
             ("GET", "/api/v1/sync/events", None),
             ("POST", "/api/v1/sync/events", seal(b"x")),
             ("POST", "/api/v1/sync/ack", b'{"ids": []}'),
             ("POST", "/api/v1/sync/replies", b'{"replies": []}'),
             ("POST", "/api/v1/sync/claim", b'{}'),
             ("POST", "/api/v1/sync/bundle",
              bundle(SERIAL[0] + 1, ("Ben", MEMBER["ben"], "events")))]
    for method, path, data in calls:
        st, body = request(method, path, data, TOKEN["ben"],
                           "application/json" if data else None)
        if path.endswith("/claim") or path.endswith("/replies"):
            # a malformed body is refused before the token is looked at
            assert st in (400, 401), (path, st, str(body)[:300])
            continue
        assert st == 401 and body["error"] == "member_removed", \
            (path, st, str(body)[:300])
    assert psql("SELECT serial FROM (SELECT bundle_serial AS serial FROM "
                "orgs WHERE slug = 'gamma') s") == str(SERIAL[0])
    # a member who was never claimed is no member: Chloe claims now
    st, body = claim("chloe")
    assert st == 200, str(body)[:300]
    assert "ben" not in waiting()


def test_org_add_removes_too():
    """The operator's org add with a bundle without a member has the same
    effect as keys publish."""
    SERIAL[0] += 1
    path = os.path.join(D, "gamma-serial%d.json" % SERIAL[0])
    with open(path, "wb") as f:
        f.write(bundle(SERIAL[0], ("Ana", MEMBER["ana"], "events")))
    server_cmd("org", "add", ORG, "--name", "Org gamma", "--public-key",
               path)
    st, body = request("GET", "/api/v1/sync/reports", token=TOKEN["chloe"])
    assert st == 401 and body["error"] == "member_removed", str(body)[:300]
    st, body = request("GET", "/api/v1/sync/reports", token=TOKEN["ana"])
    assert st == 200, str(body)[:300]


def test_canary_scan():
    """The events' canary is nowhere in the database (a full dump), its
    files, the server's log or PostgreSQL's log: the log holds opaque
    blobs only."""
    dump = subprocess.run(["pg_dump", "-d", "umbra"], capture_output=True)
    assert dump.returncode == 0, dump.stderr
    assert b"COPY public.events" in dump.stdout
    assert CANARY.encode() not in dump.stdout
    assert umbra.grep_tree(PG_DATA, CANARY.encode()) == []
    for log in (SRV.log, PG_LOG):
        with open(log, "rb") as f:
            assert CANARY.encode() not in f.read(), log
    # and the scan can fail: the canary is found where it is in the clear
    with open(os.path.join(D, "canary-probe"), "w") as f:
        f.write(CANARY)
    assert umbra.grep_tree(D, CANARY.encode()) != []
    os.unlink(os.path.join(D, "canary-probe"))


def test_case_verbs():
    """umbra-case: pull claims (with the passphrase file) and says what is
    waiting for whom; ack acks for this member; ack --force for the key
    holder; keys publish sends DIR/public.json."""
    tokfile = os.path.join(D, "gamma-holder.token")
    with open(tokfile, "w") as f:
        f.write(TOKEN["holder"] + "\n")
    url = SRV.url()
    # keys publish: the home's public.json (serial 1) is older: refused
    p = subprocess.run([CASE, "--home", HOME, "keys", "publish", "--server",
                        url, "--token-file", tokfile],
                       capture_output=True, text=True)
    assert p.returncode == 1 and "bundle_rollback" in p.stderr, p.stderr
    # the home re-signs (keys export: the next serial above what it
    # signed, 2, is still below the server's) until it is higher
    for _ in range(SERIAL[0] + 1):
        subprocess.run([CASE, "--home", HOME, "--passphrase-file", PASS,
                        "keys", "export"], check=True, capture_output=True)
    serial = json.load(open(os.path.join(HOME, "public.json")))["serial"]
    assert serial > SERIAL[0], serial
    p = subprocess.run([CASE, "--home", HOME, "keys", "publish", "--server",
                        url, "--token-file", tokfile],
                       capture_output=True, text=True)
    assert p.returncode == 0 and "serial %d" % serial in p.stdout, \
        (p.stdout, p.stderr)
    st, body = request("GET", "/api/v1/orgs/%s" % ORG)
    assert body["bundle"]["serial"] == serial
    # now Ana is no signer: her token is removed; the holder's stays
    st, body = request("GET", "/api/v1/sync/reports", token=TOKEN["ana"])
    assert st == 401 and body["error"] == "member_removed", str(body)[:300]
    drain()
    post_report("c1")
    assert len(held_ids()) == 1  # moved from the spool
    p = subprocess.run([CASE, "--home", HOME, "--passphrase-file", PASS,
                        "pull", "--server", url, "--token-file", tokfile],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert os.path.exists(os.path.join(HOME, "claim.json"))
    assert "Waiting for: holder 1" in p.stdout, p.stdout
    # the kept claim is sent again without the passphrase
    p = subprocess.run([CASE, "--home", HOME, "pull", "--server", url,
                        "--token-file", tokfile],
                       capture_output=True, text=True)
    assert p.returncode == 0 and "not claimed" not in p.stdout, p.stdout
    p = subprocess.run([CASE, "--home", HOME, "--passphrase-file", PASS,
                        "import", os.path.join(HOME,
                                               "incoming.umbrabundle")],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    p = subprocess.run([CASE, "--home", HOME, "--passphrase-file", PASS,
                        "ack", "--server", url, "--token-file", tokfile],
                       capture_output=True, text=True)
    assert p.returncode == 0 and "deleted 1" in p.stdout, (p.stdout,
                                                           p.stderr)
    assert held_ids() == []
    p = subprocess.run([CASE, "--home", HOME, "--passphrase-file", PASS,
                        "ack", "--force", "--server", url, "--token-file",
                        tokfile], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    p = subprocess.run([CASE, "--home", HOME, "--passphrase-file", PASS,
                        "pull", "--force", "--server", url, "--token-file",
                        tokfile], capture_output=True, text=True)
    assert p.returncode == 2, ("--force is ack's only", p.stderr)


TESTS = [
    test_keys_publish,
    test_claims,
    test_ack_by_members,
    test_force,
    test_old_org_first_ack_deletes,
    test_events,
    test_member_removed,
    test_org_add_removes_too,
    test_canary_scan,
    test_case_verbs,
]


def main():
    passed = failed = 0
    setup()
    SRV.start()
    try:
        for t in TESTS:
            t0 = time.time()
            try:
                t()
                passed += 1
                print("ok   %s (%.1f s)" % (t.__name__, time.time() - t0))
            except Exception:
                failed += 1
                print("FAIL %s" % t.__name__)
                traceback.print_exc()
                if SRV.proc.poll() is not None:
                    print(umbra.tail(SRV.log))
                    SRV.start()
            sys.stdout.flush()
    finally:
        rc = SRV.stop()
        if rc not in (0, None):
            print("FAIL server exit status %s" % rc)
            failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
