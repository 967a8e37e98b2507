# SPDX-License-Identifier: AGPL-3.0-or-later
"""The independent Python check of tests/vectors/event.json (protocol.md
"Case events"): each author's key from its seed, each event's signature
over "umbra.event/1\\n" || event, its inner document, the case uid, and the
merge of the events, written again here from the protocol text (ordered
by clock, author key bytes, id; registers; a register per label; a delete
that wins), in every order of the five events. Run by pyumbra.py."""
import base64
import hashlib
import itertools
import json

import nacl.exceptions
import nacl.signing

PREFIX = b"umbra.event/1\n"
REGISTERS = ("status", "priority", "assignee")


def case_uid(envelope):
    return hashlib.blake2b(b"umbra/case/v1" + envelope,
                           digest_size=32).digest()[:16].hex()


def merge(events):
    """events: [(author_pk bytes, event dict)] -> canonical state text."""
    seen, order = set(), []
    for pk, e in events:
        key = (e["clock"], pk, e["id"], json.dumps(e, sort_keys=True))
        if key not in seen:
            seen.add(key)
            order.append((key, pk, e))
    order.sort(key=lambda t: t[0][:3])
    st = {r: None for r in REGISTERS}
    labels, deleted, hist = {}, False, []
    for _, pk, e in order:
        hist.append({"author": base64.b64encode(pk).decode(),
                     "body": e["body"], "clock": e["clock"],
                     "day": e["day"], "id": e["id"], "type": e["type"]})
        if deleted:
            continue
        t, b = e["type"], e["body"]
        if t in REGISTERS and isinstance(b.get("value"), str):
            st[t] = b["value"]
        elif t == "label" and isinstance(b.get("label"), str) and \
                isinstance(b.get("on"), bool):
            labels[b["label"]] = b["on"]
        elif t == "delete":
            deleted = True
    st["labels"] = sorted(k for k, on in labels.items() if on)
    st["deleted"] = deleted
    st["history"] = hist
    return json.dumps(st, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


def check(r):
    v = r.load("event.json")
    pks = []
    for a in v["authors"]:
        sk = nacl.signing.SigningKey(base64.b64decode(a["seed"]))
        pk = bytes(sk.verify_key)
        pks.append(pk)
        r.ok(base64.b64encode(pk).decode() == a["signing_key"],
             "event author key from its seed")
    r.ok(case_uid(v["envelope_text"].encode()) == v["case_uid"],
         "case uid = BLAKE2b-256('umbra/case/v1' || envelope)[0:16]")
    evs = []
    for i, e in enumerate(v["events"]):
        pk = pks[e["author"]]
        sig = base64.b64decode(e["signature"])
        try:
            nacl.signing.VerifyKey(pk).verify(PREFIX + e["event"].encode(),
                                              sig)
            good = True
        except nacl.exceptions.BadSignatureError:
            good = False
        r.ok(good, "event %d: the signature verifies" % i)
        try:
            nacl.signing.VerifyKey(pk).verify(
                PREFIX + e["event"].encode().replace(b"1", b"2", 1), sig)
            altered = True
        except nacl.exceptions.BadSignatureError:
            altered = False
        r.ok(not altered, "event %d: an altered event does not verify" % i)
        doc = json.loads(e["document"])
        r.ok(doc == {"format": "umbra.event/1", "event": e["event"],
                     "author": base64.b64encode(pk).decode(),
                     "signature": e["signature"]},
             "event %d: the inner document" % i)
        ev = json.loads(e["event"])
        r.ok(set(ev) == {"org", "id", "seq", "clock", "day", "case", "type",
                         "body"} and ev["org"] == v["org"] and
             ev["case"] == v["case_uid"],
             "event %d: its members" % i)
        evs.append((pk, ev))
    bad = [p for p in itertools.permutations(evs)
           if merge(list(p)) != v["state"]]
    r.ok(not bad, "the merge of the five events in all 120 orders is the "
         "vector's state (%d differ)" % len(bad))
    r.ok(merge(evs + evs[:2]) == v["state"],
         "events given twice merge to the same state")
