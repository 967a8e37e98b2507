#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes the seed corpus of the fuzz_http harness into
tests/fuzz/corpus/http/ (run from the repository root; the output is
checked in, so rerun only when a route or a format changes).

One raw HTTP request per file: every route, with and without keep-alive,
chunked and Content-Length bodies, urlencoded and multipart forms (with an
image attachment), a JSON body per API route, a sync request per route
with a bearer token, envelopes sealed to the harness's fixed key
(fuzz_common.h) so they pass the structural and key-id checks, receipts
for /check (valid and not), and a few malformed ones.
"""
import hashlib
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "vectors"))
import pyumbra  # noqa: E402
import nacl.bindings as nb  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "corpus", "http")
N = [0]


def req(name, method, path, body=b"", headers=(), chunked=False, close=True):
    h = ["%s %s HTTP/1.1" % (method, path), "Host: umbra.onion"]
    h += list(headers)
    if close:
        h.append("Connection: close")
    if chunked:
        h.append("Transfer-Encoding: chunked")
        mid = len(body) // 2
        parts = [body[:mid], body[mid:]]
        body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts if p)
        body += b"0\r\n\r\n"
    elif body or method == "POST":
        h.append("Content-Length: %d" % len(body))
    data = ("\r\n".join(h) + "\r\n\r\n").encode() + body
    N[0] += 1
    with open(os.path.join(OUT, "%02d-%s" % (N[0], name)), "wb") as f:
        f.write(data)


def multipart(fields, files=()):
    b = "umbraFuzzBoundary7"
    out = b""
    for k, v in fields:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n"
                "%s\r\n" % (b, k, v)).encode()
    for k, fname, ctype, data in files:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"; "
                "filename=\"%s\"\r\nContent-Type: %s\r\n\r\n" % (
                    b, k, fname, ctype)).encode() + data + b"\r\n"
    out += ("--%s--\r\n" % b).encode()
    return out, "Content-Type: multipart/form-data; boundary=" + b


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.unlink(os.path.join(OUT, f))
    seed = hashlib.blake2b(b"umbra fuzz key", digest_size=32).digest()
    pk, _ = nb.crypto_box_seed_keypair(seed)
    doc = json.dumps({"schema": "umbra.report/1", "narrative": "seed",
                      "categories": ["robbery"]}).encode()
    env = pyumbra.seal([pk], doc)
    other = pyumbra.seal([nb.crypto_box_keypair()[0]], doc)
    receipt = pyumbra.receipt_from_random(bytes(range(40)))
    m = pyumbra.mailbox_derive(receipt.replace(" ", ""))
    token = "ust_" + "ab" * 32
    octet = "Content-Type: application/octet-stream"
    js = "Content-Type: application/json"
    form = "Content-Type: application/x-www-form-urlencoded"
    auth = "Authorization: Bearer " + token

    for p in ("/", "/report", "/check", "/healthz", "/metrics",
              "/api/v1/orgs", "/api/v1/orgs/alpha", "/api/v1/orgs/nope",
              "/info/rights", "/static/style.css", "/static/../x",
              "/report?lang=ar", "/check?lang=pt-BR", "/nowhere"):
        req("get" + p.replace("/", "_").replace("?", "_"), "GET", p)
    req("head", "HEAD", "/report")
    req("options", "OPTIONS", "/api/v1/orgs")
    req("put", "PUT", "/report", b"x")
    req("report-env", "POST", "/api/v1/orgs/alpha/reports", env, [octet])
    req("report-env-chunked", "POST", "/api/v1/orgs/alpha/reports", env,
        [octet], chunked=True)
    req("report-env-otherkey", "POST", "/api/v1/orgs/alpha/reports", other,
        [octet])
    req("report-env-unknownorg", "POST", "/api/v1/orgs/beta/reports", env,
        [octet])
    req("report-truncated", "POST", "/api/v1/orgs/alpha/reports", env[:100],
        [octet])
    req("report-toolarge", "POST", "/api/v1/orgs/alpha/reports", b"",
        [octet, "Content-Length: 99999999999"], close=True)
    req("mailbox-new", "POST", "/api/v1/mailboxes",
        json.dumps({"id": m["mailbox_id"]}).encode(), [js])
    req("mailbox-bad", "POST", "/api/v1/mailboxes", b'{"id": "zz"}', [js])
    req("json-deep", "POST", "/api/v1/mailboxes", b"[" * 40 + b"]" * 40, [js])
    req("json-dup", "POST", "/api/v1/mailboxes", b'{"id":"a","id":"b"}',
        [js])
    req("mailbox-replies", "GET",
        "/api/v1/mailboxes/%s/replies" % m["lookup_id"])
    req("sync-list", "GET", "/api/v1/sync/reports?after=0&limit=10", b"",
        [auth])
    req("sync-list-noauth", "GET", "/api/v1/sync/reports")
    req("sync-ack", "POST", "/api/v1/sync/ack",
        json.dumps({"ids": ["1", "2", "3"]}).encode(), [js, auth])
    req("sync-replies", "POST", "/api/v1/sync/replies", json.dumps(
        {"replies": [{"mailbox": m["mailbox_id"],
                      "envelope": __import__("base64").b64encode(
                          pyumbra.seal([bytes.fromhex(m["mailbox_pk"])],
                                       b'{"schema":"umbra.reply/1"}')
                      ).decode()}]}).encode(), [js, auth])
    fields = [("org", "alpha"), ("lang", "en"), ("incident.date", "2026-11"),
              ("incident.country", "th"), ("incident.region", "Bangkok"),
              ("incident.place", "bus station"), ("categories", "robbery"),
              ("categories", "police-extortion"),
              ("perpetrator.type", "police"),
              ("perpetrator.description", "tall"),
              ("perpetrator.identifiers.kind", "plate"),
              ("perpetrator.identifiers.value", "AB 1234"),
              ("narrative", "they took my money"), ("needs", "legal"),
              ("consent.statistics", "yes"), ("consent.alert", "yes")]
    req("form-urlencoded", "POST", "/report",
        urllib.parse.urlencode(fields).encode(), [form])
    req("form-urlencoded-chunked", "POST", "/report",
        urllib.parse.urlencode(fields).encode(), [form], chunked=True)
    req("form-reply", "POST", "/report", urllib.parse.urlencode(
        fields + [("reply", "yes")]).encode(), [form])
    req("form-bad-fields", "POST", "/report", urllib.parse.urlencode(
        [("org", "alpha"), ("incident.date", "2026-13-40"),
         ("categories", "nope"), ("narrative", "x" * 40)]).encode(), [form])
    body, ct = multipart(fields, [("attachment", "a.jpg", "image/jpeg",
                                   b"\xff\xd8\xff\xe0" + bytes(60))])
    req("form-multipart", "POST", "/report", body, [ct])
    body, ct = multipart(fields, [("attachment", "a.txt", "text/plain",
                                   b"not an image")])
    req("form-multipart-badfile", "POST", "/report", body, [ct])
    req("form-wrongtype", "POST", "/report", b"narrative=x",
        ["Content-Type: text/plain"])
    req("check-valid", "POST", "/check", urllib.parse.urlencode(
        {"receipt": receipt, "lang": "en"}).encode(), [form])
    bad = receipt[:-1] + str((int(receipt[-1]) + 1) % 10)
    req("check-badcheck", "POST", "/check", urllib.parse.urlencode(
        {"receipt": bad}).encode(), [form])
    req("check-arabic-digits", "POST", "/check", urllib.parse.urlencode(
        {"receipt": "".join(chr(0x660 + int(c)) if c.isdigit() else c
                            for c in receipt)}).encode(), [form])
    # Pipelined keep-alive requests, and malformed ones.
    with open(os.path.join(OUT, "%02d-pipelined" % (N[0] + 1)), "wb") as f:
        f.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
                b"GET /api/v1/orgs HTTP/1.1\r\nHost: x\r\n\r\n"
                b"POST /check HTTP/1.1\r\nHost: x\r\nContent-Type: "
                b"application/x-www-form-urlencoded\r\nContent-Length: 9\r\n"
                b"Connection: close\r\n\r\nreceipt=1")
    with open(os.path.join(OUT, "%02d-http10" % (N[0] + 2)), "wb") as f:
        f.write(b"GET /report HTTP/1.0\r\n\r\n")
    with open(os.path.join(OUT, "%02d-garbage" % (N[0] + 3)), "wb") as f:
        f.write(b"\x00\xffGET\t/ HTTP/9.9\n\n")
    with open(os.path.join(OUT, "%02d-longurl" % (N[0] + 4)), "wb") as f:
        f.write(b"GET /" + b"a" * 3000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    # Ambiguous framing (refused in JSON by the first call): numbered after
    # the saved crash input 47-multipart-no-name.
    mb = b'{"id":"' + b"ab" * 32 + b'"}'
    head = b"POST /api/v1/mailboxes HTTP/1.1\r\nHost: x\r\n"
    chunk = b"%x\r\n" % len(mb) + mb + b"\r\n0\r\n\r\n"
    framing = [
        ("two-content-lengths", head + b"Content-Length: %d\r\n"
         b"Content-Length: 7\r\n\r\n" % len(mb) + mb),
        ("content-length-and-chunked", head + b"Content-Length: %d\r\n"
         b"Transfer-Encoding: chunked\r\n\r\n" % len(mb) + chunk),
        ("gzip-chunked", head + b"Transfer-Encoding: gzip, chunked\r\n\r\n"
         + chunk),
        ("chunk-extension", head + b"Transfer-Encoding: chunked\r\n\r\n" +
         b"%x;e=" % len(mb) + b"a" * 3000 + b"\r\n" + mb +
         b"\r\n0\r\n\r\n"),
        ("report-bad-length", b"POST /api/v1/orgs/alpha/reports HTTP/1.1\r\n"
         b"Host: x\r\nContent-Length: 5000\r\n\r\n" + b"\0" * 5000),
    ]
    for i, (name, data) in enumerate(framing):
        with open(os.path.join(OUT, "%02d-%s" % (N[0] + 6 + i, name)),
                  "wb") as f:
            f.write(data)
    # after the others, so that their numbers stay: a mailbox registered
    # for an organisation (schema 013)
    N[0] += 6 + len(framing)
    req("mailbox-new-org", "POST", "/api/v1/mailboxes",
        json.dumps({"id": m["mailbox_id"], "org": "alpha"}).encode(), [js])


if __name__ == "__main__":
    main()
