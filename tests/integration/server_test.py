#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Integration tests of umbra-server against a real PostgreSQL.

Run by with_server.sh, which starts the cluster, migrates and registers the
organisations 'alpha' and 'beta' and exports their paths (env.sh). Each
test asserts what a user, an operator or an adversary would notice.
Ends with "N passed, N failed".
"""
import base64
import gzip
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import traceback
import urllib.parse
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "lib"))
import spool  # noqa: E402
import umbra  # noqa: E402
from umbra import free_port, tool  # noqa: E402
from umbra_env import (CASE, CONF, D, PASS, PG_DATA, PG_LOG,  # noqa: E402
                       SERVER, TOP)

TOKEN = {o: open(os.path.join(D, o + ".token")).read().strip()
         for o in ("alpha", "beta")}
CLIENT_ADDR = "127.0.0.77"  # the tests' source address, grepped for later
UA = "UmbraCanaryAgent/7.3-" + secrets.token_hex(4)
CANARY = "CANARY-" + secrets.token_hex(8)
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
}


class Server(umbra.Server):
    """The server under test: tests/lib/umbra.py's, with a 10 s request
    deadline and a metrics listener on a port of its own."""

    def __init__(self):
        metrics_port = free_port()
        super().__init__(extra=["--request_deadline", "10", "--metrics_listen",
                                "127.0.0.1:%d" % metrics_port])
        self.metrics_port = metrics_port

    def alive(self):
        if self.proc.poll() is not None:
            return False
        st, _, _ = request("GET", "/healthz")
        return st == 200


SRV = Server()


def request(method, path, body=None, headers=None, timeout=20):
    h = {"User-Agent": UA}
    h.update(headers or {})
    return umbra.request(SRV.port, method, path, body, h, timeout=timeout,
                         source=CLIENT_ADDR)


def raw(data, read_timeout=10, send_all=True, gap=0.0):
    """Sends raw bytes (or, send_all false, each of a list of byte strings
    in turn, gap seconds apart); returns the status code of the answer (or
    None) and the answer."""
    s = socket.create_connection(("127.0.0.1", SRV.port), timeout=read_timeout,
                                 source_address=(CLIENT_ADDR, 0))
    try:
        try:
            if send_all:
                s.sendall(data)
            else:
                for part in data:
                    s.sendall(part)
                    time.sleep(gap)
        except OSError:
            pass  # the server may close early; read what it said
        buf = b""
        try:
            while b"\r\n\r\n" not in buf:
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
            head = buf.split(b"\r\n\r\n", 1)[0].lower()
            want = 0
            for line in head.split(b"\r\n"):
                if line.startswith(b"content-length:"):
                    want = int(line.split(b":")[1])
            while len(buf) - len(head) - 4 < want:
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
        except OSError:
            pass
        if not buf.startswith(b"HTTP/1."):
            return None, buf
        return int(buf.split(b" ", 2)[1]), buf
    finally:
        s.close()


def psql(sql, user=None, db="umbra"):
    env = dict(os.environ)
    if user:
        env["PGUSER"] = user
    p = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1",
                        "-d", db, "-c", sql],
                       capture_output=True, text=True, env=env)
    return p.returncode, p.stdout.strip(), p.stderr.strip()


def count(table="envelopes"):
    """Rows in table once the spool has been moved (so that whatever a
    request stored is counted, in the spool or not)."""
    spool.wait_moved()
    rc, out, err = psql("SELECT count(*) FROM %s" % table)
    assert rc == 0, err
    return int(out)


def seal(org_dir, data):
    p = subprocess.run([CASE, "seal", "--to",
                        os.path.join(D, org_dir, "public.json")],
                       input=data, capture_output=True, check=True)
    return p.stdout


def case_open(org, env):
    p = subprocess.run([CASE, "--home", os.path.join(D, org),
                        "--passphrase-file", PASS, "open"],
                       input=env, capture_output=True)
    assert p.returncode == 0, p.stderr
    return p.stdout


def post_envelope(org, env):
    return request("POST", "/api/v1/orgs/%s/reports" % org, env,
                   {"Content-Type": "application/octet-stream"})


def sync_get(org, query=""):
    spool.wait_moved()  # what caseworkers see is what has been moved
    st, h, body = request("GET", "/api/v1/sync/reports" + query,
                          headers={"Authorization": "Bearer " + TOKEN[org]})
    assert st == 200, (st, body)
    return json.loads(body)


def sync_post(org, path, obj, token=None):
    return request("POST", path, json.dumps(obj).encode(), {
        "Authorization": "Bearer " + (token or TOKEN[org]),
        "Content-Type": "application/json"})


def form_post(path, fields, extra_headers=None, timeout=20):
    body = urllib.parse.urlencode(fields, doseq=True).encode()
    h = {"Content-Type": "application/x-www-form-urlencoded"}
    h.update(extra_headers or {})
    return request("POST", path, body, h, timeout=timeout)


def replies_post(lookup, obj=None):
    """POST /api/v1/mailboxes/replies with the lookup id in the body."""
    body = json.dumps(obj if obj is not None else {"id": lookup}).encode()
    return request("POST", "/api/v1/mailboxes/replies", body,
                   {"Content-Type": "application/json"})


def error_code(body):
    return json.loads(body)["error"]


def receipt_of(page):
    import re
    m = re.search(rb"(\d{4} \d{4} \d{4} \d{4} \d{4} \d{4})", page)
    assert m, "no receipt on the page"
    return m.group(1).decode()


def drain_alpha(org="alpha"):
    """Acks everything org has, so tests start from an empty queue."""
    while True:
        page = sync_get(org, "?limit=1000")
        ids = [r["id"] for r in page["reports"]]
        if not ids:
            return
        st, _, _ = sync_post(org, "/api/v1/sync/ack", {"ids": ids})
        assert st == 200


# ---- tests ---------------------------------------------------------------

def test_health_orgs_and_headers():
    st, h, body = request("GET", "/healthz")
    assert st == 200 and json.loads(body)["status"] == "ok"
    for k, v in SECURITY_HEADERS.items():
        assert v in h.get(k, ""), (k, h.get(k))
    assert "set-cookie" not in h
    st, h, body = request("GET", "/api/v1/orgs")
    orgs = {o["slug"]: o for o in json.loads(body)["orgs"]}
    assert set(orgs) >= {"alpha", "beta"}
    fp = subprocess.run([CASE, "fingerprint",
                         os.path.join(D, "alpha", "public.json")],
                        capture_output=True, text=True).stdout
    assert orgs["alpha"]["fingerprint"] in fp, (fp, orgs["alpha"])
    st, _, body = request("GET", "/api/v1/orgs/alpha")
    assert st == 200 and json.loads(body)["bundle"]["org"] == "alpha"
    st, _, body = request("GET", "/api/v1/orgs/nosuch")
    assert st == 404 and error_code(body) == "unknown_org"
    for path in ("/", "/report", "/check"):
        st, h, body = request("GET", path)
        assert st == 200 and b"<form" in body or path == "/", (path, st)
        assert "text/html" in h["content-type"]
        for k, v in SECURITY_HEADERS.items():
            assert v in h.get(k, ""), (path, k)


def test_api_intake_sync_and_ack():
    drain_alpha()
    before = count()
    docs = [json.dumps({"schema": "umbra.report/1", "via": "cli",
                        "narrative": "report %d" % i}).encode()
            for i in range(3)]
    for d in docs:
        st, h, body = post_envelope("alpha", seal("alpha", d))
        assert st == 201 and json.loads(body) == {"status": "stored"}, body
        assert "no-store" in h["cache-control"]
    assert count() == before + 3
    page = sync_get("alpha", "?limit=2")
    assert page["org"] == "alpha" and len(page["reports"]) == 2
    assert page["more"] is True
    page2 = sync_get("alpha", "?after=%s" % page["next"])
    assert len(page2["reports"]) == 1 and page2["more"] is False
    got = page["reports"] + page2["reports"]
    opened = [case_open("alpha", base64.b64decode(r["envelope"]))
              for r in got]
    assert sorted(opened) == sorted(docs)
    assert all(len(r["day"]) == 10 for r in got)
    # beta's token cannot delete alpha's reports
    ids = [r["id"] for r in got]
    st, _, body = sync_post("beta", "/api/v1/sync/ack", {"ids": ids})
    assert st == 200 and json.loads(body)["deleted"] == 0
    assert count() == before + 3
    st, _, body = sync_post("alpha", "/api/v1/sync/ack", {"ids": ids})
    assert st == 200 and json.loads(body)["deleted"] == 3, body
    assert count() == before
    assert sync_get("alpha")["reports"] == []


def test_sync_tokens_refused():
    st, h, body = request("GET", "/api/v1/sync/reports")
    assert st == 401 and error_code(body) == "unauthorized"
    assert h.get("www-authenticate") == "Bearer"
    st, _, body = request("GET", "/api/v1/sync/reports", headers={
        "Authorization": "Bearer ust_" + "0" * 64})
    assert st == 401
    p = subprocess.run([SERVER, "--config", CONF, "token", "add", "alpha",
                        "temp"], capture_output=True, text=True)
    assert p.returncode == 0
    tok = p.stdout.strip()
    st, _, _ = request("GET", "/api/v1/sync/reports",
                       headers={"Authorization": "Bearer " + tok})
    assert st == 200
    # only the hash is stored
    rc, out, _ = psql("SELECT count(*) FROM sync_tokens WHERE "
                      "encode(hash, 'hex') = '%s'"
                      % hashlib.blake2b(tok.encode(),
                                        digest_size=32).hexdigest())
    assert out == "1"
    rc, out, _ = psql("SELECT count(*) FROM sync_tokens t, orgs o WHERE "
                      "position('%s' in t.name || o.bundle) > 0" % tok[4:20])
    assert out == "0"
    p = subprocess.run([SERVER, "--config", CONF, "token", "revoke", "alpha",
                        "temp"], capture_output=True, text=True)
    assert p.returncode == 0
    st, _, body = request("GET", "/api/v1/sync/reports",
                          headers={"Authorization": "Bearer " + tok})
    assert st == 401 and error_code(body) == "unauthorized"
    p = subprocess.run([SERVER, "--config", CONF, "token", "list"],
                       capture_output=True, text=True)
    assert p.returncode == 0 and "alpha" in p.stdout and "temp" not in p.stdout


NOJS_FIELDS = {
    "org": "alpha", "lang": "en", "incident.date": "2026-11",
    "incident.country": "th", "incident.place": "near the market",
    "categories": ["robbery", "police-extortion"],
    "perpetrator.type": "police",
    "perpetrator.identifiers.kind": "plate",
    "perpetrator.identifiers.value": "AB-1234",
    "needs": ["legal"], "consent.statistics": "yes", "reply": "yes",
}


def test_nojs_form_and_replies():
    drain_alpha()
    before, mb_before = count(), count("mailboxes")
    fields = dict(NOJS_FIELDS, narrative="they took my money " + CANARY)
    st, h, page = form_post("/report", fields)
    assert st == 201, (st, page[:300])
    assert "text/html" in h["content-type"]
    receipt = receipt_of(page)
    assert count() == before + 1 and count("mailboxes") == mb_before + 1
    rep = sync_get("alpha")["reports"]
    assert len(rep) == 1
    doc = json.loads(case_open("alpha", base64.b64decode(rep[0]["envelope"])))
    assert doc["schema"] == "umbra.report/1" and doc["via"] == "web-nojs"
    assert doc["narrative"] == fields["narrative"]
    assert doc["incident"] == {"date": "2026-11", "country": "TH",
                               "place": "near the market"}
    assert doc["categories"] == ["robbery", "police-extortion"]
    assert doc["perpetrator"]["identifiers"] == [
        {"kind": "plate", "value": "AB-1234"}]
    assert doc["consent"] == {"statistics": True, "alert": False,
                              "share_with_authorities": False}
    pk, lookup, mailbox_id = tool("derive", receipt).decode().split()
    assert doc["mailbox"] == pk and doc["mailbox_id"] == mailbox_id
    # no reply yet, by both spellings of the route
    st, _, body = request("GET", "/api/v1/mailboxes/%s/replies" % lookup)
    assert st == 200 and json.loads(body)["replies"] == []
    st, _, body = replies_post(lookup)
    assert st == 200 and json.loads(body) == {"replies": [], "known": True}, \
        (st, body)
    st, _, page = form_post("/check", {"receipt": receipt})
    assert st == 200 and b"No answer yet" in page or b"replies" in page
    # the caseworker answers
    message = "We can help. Call us - " + secrets.token_hex(4)
    reply = json.dumps({"schema": "umbra.reply/1", "message": message,
                        "lang": "en", "date": "2026-11-29"}).encode()
    env = tool("seal", pk, data=reply)
    st, _, body = sync_post("alpha", "/api/v1/sync/replies", {
        "replies": [{"mailbox": mailbox_id,
                     "envelope": base64.b64encode(env).decode()}]})
    assert st == 201 and json.loads(body)["stored"] == 1, body
    st, _, body = request("GET", "/api/v1/mailboxes/%s/replies" % lookup)
    replies = json.loads(body)["replies"]
    assert st == 200 and len(replies) == 1
    # the lookup id in the body (the route browsers use): the same answer
    st, h, body_post = replies_post(lookup)
    assert st == 200 and "application/json" in h["content-type"]
    assert json.loads(body_post) == json.loads(body), (body_post, body)
    for bad in ({"id": lookup[:-2]}, {"id": lookup + "00"}, {"id": 5},
                {"id": "zz" * 32}, {}, {"lookup": lookup}):
        st, _, b = replies_post(None, bad)
        assert st == 400 and error_code(b) == "bad_mailbox", (bad, st, b)
    for b in (b"[]", b"{", b""):
        st, _, b = request("POST", "/api/v1/mailboxes/replies", b,
                           {"Content-Type": "application/json"})
        assert st == 400 and error_code(b) == "bad_json", (st, b)
    # an unknown mailbox answers like an empty one, saying it is unknown
    st, _, b = replies_post(secrets.token_hex(32))
    assert st == 200 and json.loads(b) == {"replies": [], "known": False}, b
    assert json.loads(body)["known"] is True, body
    opened = tool("open", receipt,
                  data=base64.b64decode(replies[0]["envelope"]))
    assert json.loads(opened)["message"] == message
    # the no-JS check page opens it server-side (receipt typed with dashes)
    st, h, page = form_post("/check", {"receipt": receipt.replace(" ", "-")})
    assert st == 200 and message.encode() in page, page[-800:]
    # a wrong receipt shows an error, not someone else's replies
    bad = receipt[:-1] + str((int(receipt[-1]) + 1) % 10)
    st, _, page = form_post("/check", {"receipt": bad})
    assert st == 400 and message.encode() not in page
    # replies to an unknown mailbox are refused whole
    n_rep = count("replies")
    st, _, body = sync_post("alpha", "/api/v1/sync/replies", {
        "replies": [{"mailbox": mailbox_id,
                     "envelope": base64.b64encode(env).decode()},
                    {"mailbox": "ab" * 32,
                     "envelope": base64.b64encode(env).decode()}]})
    assert st == 404 and error_code(body) == "unknown_mailbox"
    assert count("replies") == n_rep
    # the API mailbox registration
    new_id = secrets.token_hex(32)
    st, _, body = sync_post("alpha", "/api/v1/mailboxes", {"id": new_id})
    assert st == 201 and json.loads(body)["status"] == "created"
    # again: the same answer (the server cannot know, before its next
    # move, whether the id is already there, and need not)
    st, _, body = sync_post("alpha", "/api/v1/mailboxes", {"id": new_id})
    assert st == 201 and json.loads(body)["status"] == "created"
    mb = count("mailboxes")
    rc, out, _ = psql("SELECT count(*) FROM mailboxes WHERE mailbox_id = "
                      "'\\x%s'" % new_id)
    assert rc == 0 and out.strip() == "1", out
    drain_alpha()


DAMM = ["0317598642", "7092154863", "4206871359", "1750983426",
        "6123045978", "3674209581", "5869720134", "8945362017",
        "9438617205", "2581436790"]


def receipt_new():
    """A receipt with a valid check digit that no server gave out."""
    d = [str(secrets.randbelow(10)) for _ in range(23)]
    i = 0
    for c in d:
        i = int(DAMM[i][int(c)])
    d.append(str(i))
    return " ".join("".join(d[k:k + 4]) for k in range(0, 24, 4))


def test_nojs_writeback():
    """The write-back from /check without JavaScript (protocol 6.1): posted
    to /report with the receipt, sealed with a follow-up proof, queued
    without registering the mailbox again; a mistyped or unknown receipt
    and an empty message are refused and nothing is stored."""
    drain_alpha()
    st, _, page = form_post("/report", dict(NOJS_FIELDS,
                                            narrative="first " + CANARY))
    assert st == 201, page[:300]
    receipt = receipt_of(page)
    drain_alpha()
    mb_before = count("mailboxes")
    text = "writing back " + secrets.token_hex(4)
    wb = {"org": "alpha", "lang": "en", "narrative": text,
          "receipt": receipt.replace(" ", "-")}
    st, h, page = form_post("/report", wb)
    assert st == 201 and b"Your message was sent" in page, (st, page[-600:])
    assert receipt.encode() not in page and text.encode() not in page
    rep = sync_get("alpha")["reports"]
    assert len(rep) == 1 and count("mailboxes") == mb_before
    doc = json.loads(case_open("alpha", base64.b64decode(rep[0]["envelope"])))
    pk, _, mailbox_id = tool("derive", receipt).decode().split()
    assert sorted(doc) == ["follow_up", "lang", "mailbox", "mailbox_id",
                           "narrative", "schema", "via"], doc
    assert doc["via"] == "web-nojs" and doc["narrative"] == text
    assert doc["mailbox"] == pk and doc["mailbox_id"] == mailbox_id
    assert len(base64.b64decode(doc["follow_up"]["proof"])) == 32
    drain_alpha()
    bad = receipt[:-1] + str((int(receipt[-1]) + 1) % 10)
    for fields, needle in ((dict(wb, receipt=bad), b"is not right"),
                           (dict(wb, receipt=receipt_new()), b"not known"),
                           (dict(wb, narrative=""), b"write a message")):
        st, _, page = form_post("/report", fields)
        assert st == 400 and needle in page, (fields, st, page[-600:])
    assert sync_get("alpha")["reports"] == []


def multipart(fields, files):
    b = "----umbra" + secrets.token_hex(8)
    out = b""
    for k, v in fields:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n"
                % (b, k)).encode() + v.encode() + b"\r\n"
    for k, name, ctype, data in files:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"; "
                "filename=\"%s\"\r\nContent-Type: %s\r\n\r\n"
                % (b, k, name, ctype)).encode() + data + b"\r\n"
    out += ("--%s--\r\n" % b).encode()
    return out, "multipart/form-data; boundary=" + b


def png_chunk(t, data):
    return (struct.pack(">I", len(data)) + t + data +
            struct.pack(">I", zlib.crc32(t + data) & 0xffffffff))


def jpeg_seg(m, data):
    return b"\xff" + bytes([m]) + struct.pack(">H", len(data) + 2) + data


def post_attachment(narrative, name, ctype, data, categories=True):
    """The no-JS form with one attachment: (status, page)."""
    fields = [("org", "alpha"), ("narrative", narrative)]
    if categories:
        fields.append(("categories", "robbery"))
    body, ctype = multipart(fields, [("attachment", name, ctype, data)])
    st, _, page = request("POST", "/report", body, {"Content-Type": ctype})
    return st, page


def attachment_stored(narrative, name, ctype, data):
    """Posts it, asserts 201; the document the organisation opens."""
    st, page = post_attachment(narrative, name, ctype, data)
    assert st == 201, (st, page[:300])
    rep = sync_get("alpha")["reports"]
    return json.loads(case_open("alpha", base64.b64decode(rep[0]["envelope"])))


def test_multipart_attachment():
    drain_alpha()
    before = count()
    # A PNG whose text and EXIF chunks say where and when it was taken.
    ihdr = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    idat = png_chunk(b"IDAT", zlib.compress(b"\0\xff\0\0" + os.urandom(500)))
    png = (b"\x89PNG\r\n\x1a\n" + ihdr +
           png_chunk(b"tEXt", b"Comment\0PNG-TEXT-CANARY") +
           png_chunk(b"eXIf", b"MM\0*\0\0\0\x08GPS-PNG-CANARY") + idat +
           png_chunk(b"IEND", b""))
    clean_png = b"\x89PNG\r\n\x1a\n" + ihdr + idat + png_chunk(b"IEND", b"")
    doc = attachment_stored("see photo", "me.png", "image/png", png)
    att = doc["attachments"][0]
    got = base64.b64decode(att["data"])
    assert att["type"] == "image/png" and got == clean_png, got[:80]
    assert b"CANARY" not in got
    assert "mailbox" not in doc  # no reply asked for
    drain_alpha()
    # A camera JPEG: EXIF with GPS, XMP, a comment and a vendor trailer go;
    # the image data, including stuffed 0xff00 and restart markers, stays.
    app0 = jpeg_seg(0xe0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0")
    rest = (jpeg_seg(0xdb, bytes(65)) +
            jpeg_seg(0xc0, b"\x08\0\x01\0\x01\x01\x01\x11\0") +
            jpeg_seg(0xda, b"\x01\x01\0\0\x3f\0") +
            b"\x12\xff\x00\x34\xff\xd0\x56" + b"\xff\xd9")
    jpg = (b"\xff\xd8" + app0 +
           jpeg_seg(0xe1, b"Exif\0\0GPS 47.3769N 8.5417E JPEG-CANARY") +
           jpeg_seg(0xe1, b"http://ns.adobe.com/xap/1.0/\0XMP-CANARY") +
           jpeg_seg(0xfe, b"COMMENT-CANARY") + rest + b"TRAILER-CANARY")
    doc = attachment_stored("photo 2", "p.jpg", "image/jpeg", jpg)
    got = base64.b64decode(doc["attachments"][0]["data"])
    assert got == b"\xff\xd8" + app0 + rest, got[:80]
    assert b"CANARY" not in got
    # A JPEG whose segments run past its end is refused, nothing stored.
    st, _ = post_attachment("x", "t.jpg", "image/jpeg", jpg[:30],
                            categories=False)
    assert st == 400, st
    # not an image: refused, nothing stored
    st, _ = post_attachment("x", "a.exe", "image/png",
                            b"MZ" + os.urandom(100), categories=False)
    assert st == 400 and count() == before + 1
    # past the attachment cap: refused
    body, ctype = multipart([("org", "alpha"), ("narrative", "x")],
                            [("attachment", "big.png", "image/png",
                              b"\x89PNG\r\n\x1a\n" + bytes(6 << 20))])
    st, _, page = request("POST", "/report", body, {"Content-Type": ctype})
    assert st == 413, st
    # the form comes back filled, the photo asked for again
    assert b'name="narrative"' in page and b"choose it again" in page, st
    assert count() == before + 1
    drain_alpha()


# Real pictures of 4 x 4 pixels (four colours), made with Pillow: the
# allowlist test wraps canaries around them and expects them back.
PHOTO_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAHklEQVR42l3JsREAIAADIeL+"
    "O7+tJy0LLDgeI9T+uZuNBQQo7cMvAAAAAElFTkSuQmCC")
PHOTO_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAMCAgMCAgMDAwMEAwMEBQgFBQQEBQoHBwYIDAoM"
    "DAsKCwsNDhIQDQ4RDgsLEBYQERMUFRUVDA8XGBYUGBIUFRT/2wBDAQMEBAUEBQkFBQkUDQsN"
    "FBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBT/wAAR"
    "CAAEAAQDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAA"
    "AgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkK"
    "FhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWG"
    "h4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl"
    "5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREA"
    "AgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYk"
    "NOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOE"
    "hYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk"
    "5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwD2T9irwLofjP8AZl8G6xrFj9s1K5+2+bN5"
    "rpu23s6L8qsAPlUDgdqKKK/gTxPrVcFx5n2FwsnCnDF4mMYxdoxiq00oxSskklZJaJaI64cP"
    "5PmMVjcbg6VSrU96c5U4SlKUtZSlJpuUpNtttttu71P/2Q==")
PHOTO_WEBP = base64.b64decode(  # simple format, lossy (VP8)
    "UklGRn4AAABXRUJQVlA4IHIAAABQAgCdASoEAAQAAUAmJbACdDXANwABr/g1FAAA/cf/ht7/"
    "9a//1mHm+sxPUr/7IP/zPzx/yd8THpFPF1E8AH//nbS4/wcbr/+vx/9IvX8uT1kv/psjn6//"
    "enPGA/w8awHIDWYbf+//sQ1P7N9HPS5lOAA=")
PHOTO_WEBP_ALPHA = base64.b64decode(  # VP8X, ALPH, VP8
    "UklGRqoAAABXRUJQVlA4WAoAAAAQAAAAAwAAAwAAQUxQSA0AAAABDzD/ERHiDg8R/Q8HAFZQ"
    "OCB2AAAAUAIAnQEqBAAEAAFAJiWwAnQ1wDcAAbAAsw4AAPw/8Oy/tYf/zin76PKh/j2eNR3/"
    "sg//M/PH/J3xMekU8XUTwAf/+dtLj/Bxuv/6/H/0i9fy5PWS/+myOfr/96c8YD/DxrAcgNZh"
    "t/7/+xDU/s30c9LmU4AAAA==")
PHOTO_WEBP_ANIM = base64.b64decode(  # VP8X, ANIM, two ANMF of VP8L
    "UklGRpwAAABXRUJQVlA4WAoAAAASAAAAAwAAAwAAQU5JTQYAAAAAAAAAAABBTk1GOAAAAAAA"
    "AAAAAAMAAAMAAGQAAAJWUDhMHwAAAC8DwAAAHyAQSN4fOo35FxAU+T/a/EdODuBa8BH9DwYA"
    "QU5NRjAAAAAAAAAAAAADAAADAABkAAAAVlA4TBcAAAAvA8AAEA8QMf/zHwyFAAKgSKCJ6H88"
    "AAA=")
PHOTO_GIF = base64.b64decode(
    "R0lGODdhBAAEAIEAAP8AAAD/AP//AAAA/ywAAAAABAAEAAAIEAABAAgQQCDBAQMECECoMCAA"
    "Ow==")


def post_in_pieces(path, body, ctype, cuts):
    """POSTs body to path in pieces cut at the given offsets of the body,
    each sent 50 ms after the one before, as a slow link (Tor's cells, a
    phone on a weak signal) hands a body over; (status, page)."""
    head = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: %s\r\n"
            "Content-Length: %d\r\nConnection: close\r\n\r\n"
            % (path, ctype, len(body))).encode()
    ends = sorted(cuts) + [len(body)]
    parts = [body[a:b] for a, b in zip([0] + ends[:-1], ends)]
    parts[0] = head + parts[0]
    st, answer = raw(parts, read_timeout=20, send_all=False, gap=0.05)
    return st, answer.split(b"\r\n\r\n", 1)[1]


def value_starts(body):
    """Where each value of a multipart body begins."""
    return [i + 4 for i in range(len(body))
            if body.startswith(b"\r\n\r\n", i)]


def test_multipart_cut_anywhere():
    """A no-JS report whose body the network cuts within the first bytes of
    any value arrives whole. libmicrohttpd announces such a value with an
    empty call and then delivers it again from offset 0; taken for two
    values, the field read as empty: the organisation, the date, the
    place, the photo or the wish for a reply were lost or the report was
    refused (a typed report in w3m lost them on an idle machine)."""
    ihdr = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    png = (b"\x89PNG\r\n\x1a\n" + ihdr +
           png_chunk(b"IDAT", zlib.compress(b"\0\xff\0\0")) +
           png_chunk(b"IEND", b""))

    def fields(n):
        return [("org", "alpha"), ("lang", "en"), ("categories", "robbery"),
                ("categories", "police-extortion"),
                ("narrative", "cut %03d \u0e01 <b> & %s" % (n, CANARY)),
                ("incident.day", "7"), ("incident.month", "3"),
                ("incident.year", "2025"), ("incident.country", "th"),
                ("incident.region", "Bangkok"),
                ("incident.place", "by the river \u0e01"),
                ("perpetrator.type", "client"),
                ("perpetrator.type", "police"),
                ("perpetrator.description", "tall, red cap"),
                ("perpetrator.identifiers.kind", "phone"),
                ("perpetrator.identifiers.value", "+66 555"),
                ("consent.statistics", "yes"), ("reply", "yes")]

    def form(n):
        return multipart(fields(n), [("attachment", "p.png", "image/png",
                                      png)])
    body, _ = form(0)
    starts = value_starts(body)
    assert len(starts) == len(fields(0)) + 1, len(starts)
    # whole; two pieces, cut 1 to 4 bytes into each value; three, cut
    # after its first and second byte
    cuts = [[]] + [[v + k] for v in starts for k in (1, 2, 3, 4)]
    cuts += [[v + 1, v + 2] for v in starts]
    drain_alpha()
    receipts = []
    for n, c in enumerate(cuts):
        body, ctype = form(n)  # the same length: the same offsets
        st, page = post_in_pieces("/report?lang=en", body, ctype, c)
        assert st == 201, (c, st, page[-400:])
        receipts.append(receipt_of(page))
    rep = sync_get("alpha", "?limit=1000")["reports"]
    assert len(rep) == len(cuts), (len(rep), len(cuts))
    docs = {}
    for r in rep:
        doc = json.loads(case_open("alpha", base64.b64decode(r["envelope"])))
        for k in ("mailbox", "mailbox_id"):  # new for each report
            assert doc.pop(k, None), (k, doc)
        n = int(doc["narrative"].split()[1])
        doc["narrative"] = doc["narrative"].replace("cut %03d" % n, "cut")
        docs[n] = doc
    whole = docs[0]
    assert whole["incident"] == {"date": "2025-03-07", "country": "TH",
                                 "region": "Bangkok",
                                 "place": "by the river \u0e01"}, whole
    assert whole["categories"] == ["robbery", "police-extortion"]
    assert whole["perpetrator"]["types"] == ["client", "police"]
    assert len(whole["attachments"]) == 1
    for n, c in enumerate(cuts):
        assert docs.get(n) == whole, (c, body[c[0] - 40:c[0] + 8],
                                      docs.get(n), whole)
    drain_alpha()
    # The write-back from /check is multipart too: its receipt and its
    # message cut 1 to 4 bytes in.
    _, _, mailbox_id = tool("derive", receipts[0]).decode().split()

    def writeback(n):
        return multipart([("org", "alpha"), ("lang", "en"),
                          ("receipt", receipts[0]),
                          ("narrative", "writing back %03d" % n)], [])
    body, _ = writeback(0)
    wstarts = value_starts(body)
    wcuts = [[wstarts[f] + k] for f in (2, 3) for k in (1, 2, 3, 4)]
    for n, c in enumerate(wcuts):
        body, ctype = writeback(n)
        st, page = post_in_pieces("/report?lang=en", body, ctype, c)
        assert st == 201 and b"Your message was sent" in page, \
            (c, st, page[-400:])
    rep = sync_get("alpha", "?limit=1000")["reports"]
    got = sorted(
        (d["narrative"], d["mailbox_id"]) for d in
        (json.loads(case_open("alpha", base64.b64decode(r["envelope"])))
         for r in rep))
    assert got == [("writing back %03d" % n, mailbox_id)
                   for n in range(len(wcuts))], got
    drain_alpha()


def riff_chunk(t, data):
    return t + struct.pack("<I", len(data)) + data + b"\0" * (len(data) & 1)


def riff_chunks(data):
    out, i = [], 0
    while i + 8 <= len(data):
        n = struct.unpack("<I", data[i + 4:i + 8])[0]
        out.append((data[i:i + 4], data[i + 8:i + 8 + n]))
        i += 8 + n + (n & 1)
    return out


def webp(chunks):
    body = b"WEBP" + b"".join(riff_chunk(t, d) for t, d in chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def gif_ext(label, *blocks):
    return (b"\x21" + bytes([label]) +
            b"".join(bytes([len(b)]) + b for b in blocks) + b"\0")


def decoded(data):
    """Every frame's pixels, as a decoder shows them (Pillow)."""
    from PIL import Image, ImageSequence
    import io
    im = Image.open(io.BytesIO(data))
    return [f.convert("RGBA").tobytes() for f in ImageSequence.Iterator(im)]


def photo_through_form(name, ctype, data):
    drain_alpha()
    body, ctype = multipart([("org", "alpha"), ("narrative", "photo"),
                             ("categories", "robbery")],
                            [("attachment", name, ctype, data)])
    st, _, page = request("POST", "/report", body, {"Content-Type": ctype})
    assert st == 201, (name, st, page[:300])
    rep = sync_get("alpha")["reports"]
    doc = json.loads(case_open("alpha", base64.b64decode(rep[0]["envelope"])))
    drain_alpha()
    return base64.b64decode(doc["attachments"][0]["data"])


def photo_cases():
    """[(what, file name, type, picture with canaries, the bytes expected
    back, the picture without them)]."""
    cases = []
    # PNG: caBX (C2PA), a private chunk, an unknown public one, iCCP and
    # text go; gAMA and sRGB (colour) stay.
    sig, ihdr = PHOTO_PNG[:8], PHOTO_PNG[8:33]
    idat_iend = PHOTO_PNG[33:]
    assert idat_iend[4:8] == b"IDAT"
    gama = png_chunk(b"gAMA", struct.pack(">I", 45455))
    srgb = png_chunk(b"sRGB", b"\0")
    png = (sig + ihdr +
           png_chunk(b"caBX", b"jumb\0c2pa GPS 47.3769N PNG-C2PA-CANARY") +
           png_chunk(b"prVt", b"PNG-PRIVATE-CANARY") + gama +
           png_chunk(b"unKn", b"PNG-UNKNOWN-CANARY") + srgb +
           png_chunk(b"iCCP", b"PNG-ICC-CANARY\0\0" + zlib.compress(b"x")) +
           png_chunk(b"tIME", b"\x07\xea\x0c\x02\x04\x37\x00") +
           idat_iend[:-12] + png_chunk(b"zTXt", b"Author\0\0" +
                                       zlib.compress(b"PNG-ZTXT-CANARY")) +
           idat_iend[-12:] + b"PNG-TRAILER-CANARY")
    cases.append(("png", "p.png", "image/png", png,
                  sig + ihdr + gama + srgb + idat_iend, PHOTO_PNG))
    # JPEG: a JFIF APP0 with an RGB thumbnail, a JFXX APP0 with a JPEG
    # thumbnail, another APP0, C2PA in APP11, ICC, MPF, an Adobe APP14
    # with bytes past its fields, a comment, a second image past EOI.
    jfif = PHOTO_JPEG[6:20]
    assert jfif[:5] == b"JFIF\0" and jfif[12:] == b"\0\0"
    rest = PHOTO_JPEG[20:]
    adobe = b"Adobe\0\x64\0\0\0\0\x01"
    jpg = (b"\xff\xd8" +
           jpeg_seg(0xe0, jfif[:12] + b"\x08\x01" +
                    b"JPEG-THUMBNAIL-CANARY".ljust(24, b".")) +
           jpeg_seg(0xe0, b"JFXX\0\x10\xff\xd8\xff\xfeJPEG-JFXX-CANARY\xff"
                          b"\xd9") +
           jpeg_seg(0xe0, b"AVI1\0JPEG-APP0-CANARY") +
           jpeg_seg(0xeb, b"JP\0\0\0\0\0\x01jumbc2pa JPEG-C2PA-CANARY") +
           jpeg_seg(0xe2, b"ICC_PROFILE\0\x01\x01JPEG-ICC-CANARY") +
           jpeg_seg(0xe2, b"MPF\0JPEG-MPF-CANARY") +
           jpeg_seg(0xee, adobe + b"JPEG-ADOBE-CANARY") +
           jpeg_seg(0xfe, b"JPEG-COM-CANARY") + rest +
           b"\xff\xd8" + jpeg_seg(0xfe, b"JPEG-SECOND-CANARY") + b"\xff\xd9")
    cases.append(("jpeg", "p.jpg", "image/jpeg", jpg,
                  b"\xff\xd8" + jpeg_seg(0xe0, jfif) +
                  jpeg_seg(0xee, adobe) + rest, PHOTO_JPEG))
    # WebP, simple: C2PA, EXIF and unknown chunks after the VP8 go.
    ch = riff_chunks(PHOTO_WEBP[12:])
    assert [t for t, _ in ch] == [b"VP8 "]
    w = webp(ch + [(b"C2PA", b"WEBP-C2PA-CANARY"),
                   (b"EXIF", b"MM\0*WEBP-EXIF-CANARY"),
                   (b"ZyXw", b"WEBP-UNKNOWN-CANARY")])
    cases.append(("webp", "p.webp", "image/webp", w, PHOTO_WEBP, PHOTO_WEBP))
    # WebP, extended with alpha: ICC, EXIF and XMP flags cleared, their
    # chunks, C2PA and an unknown chunk gone.
    ch = riff_chunks(PHOTO_WEBP_ALPHA[12:])
    assert [t for t, _ in ch] == [b"VP8X", b"ALPH", b"VP8 "]
    vp8x = bytes([ch[0][1][0] | 0x2c]) + ch[0][1][1:]
    w = webp([(b"VP8X", vp8x), (b"ICCP", b"WEBP-ICC-CANARY"), ch[1],
              (b"C2PA", b"WEBP-C2PA-CANARY"), ch[2],
              (b"EXIF", b"MM\0*WEBP-EXIF-CANARY"),
              (b"XMP ", b"<x>WEBP-XMP-CANARY</x>"),
              (b"ABCD", b"WEBP-UNKNOWN-CANARY")])
    cases.append(("webp alpha", "a.webp", "image/webp", w, PHOTO_WEBP_ALPHA,
                  PHOTO_WEBP_ALPHA))
    # WebP, animated: an unknown chunk inside a frame and C2PA at the end.
    ch = riff_chunks(PHOTO_WEBP_ANIM[12:])
    assert [t for t, _ in ch] == [b"VP8X", b"ANIM", b"ANMF", b"ANMF"]
    frame = ch[2][1][:16] + b"".join(
        riff_chunk(t, d) for t, d in riff_chunks(ch[2][1][16:]) +
        [(b"CNRY", b"WEBP-FRAME-CANARY")])
    w = webp([ch[0], ch[1], (b"ANMF", frame), ch[3],
              (b"C2PA", b"WEBP-C2PA-CANARY")])
    cases.append(("webp animated", "n.webp", "image/webp", w,
                  PHOTO_WEBP_ANIM, PHOTO_WEBP_ANIM))
    # GIF: comment, plain text, XMP and ICC application blocks go; the
    # loop count and the graphic control block stay, without the extra
    # sub-blocks hidden after them.
    head = b"GIF89a" + PHOTO_GIF[6:25]
    image = PHOTO_GIF[25:-1]
    loop = gif_ext(0xff, b"NETSCAPE2.0", b"\x01\0\0")
    gce = gif_ext(0xf9, b"\x01\x0a\0\x03")
    g = (head + gif_ext(0xfe, b"GIF-COMMENT-CANARY") +
         loop[:-1] + gif_ext(0, b"GIF-LOOP-CANARY")[2:] +
         gif_ext(0xff, b"XMP DataXMP", b"<x>GIF-XMP-CANARY</x>") +
         gif_ext(0xff, b"ICCRGBG1012", b"GIF-ICC-CANARY") +
         gif_ext(0x01, b"\0\0\0\0\x04\0\x04\0\x01\x01\0\x01",
                 b"GIF-TEXT-CANARY") +
         gce[:-1] + gif_ext(0, b"GIF-GCE-CANARY")[2:] + image + b"\x3b" +
         b"GIF-TRAILER-CANARY")
    cases.append(("gif", "p.gif", "image/gif", g,
                  head + loop + gce + image + b"\x3b",
                  head + loop + gce + image + b"\x3b"))
    return cases


def test_photo_metadata_allowlist():
    """The no-JS stripper keeps only what shows the picture: C2PA content
    credentials, private and unknown PNG chunks, WebP C2PA and unknown
    chunks (also inside animation frames), a JFIF thumbnail, a JFXX
    thumbnail, GIF comments, plain text and application blocks all go,
    and every picture still decodes to the same pixels."""
    cases = photo_cases()
    import importlib.util
    have_decoder = importlib.util.find_spec("PIL") is not None
    if not have_decoder:
        print("  (no Pillow here: byte-for-byte structure checks only)")
    errors = []
    for what, name, ctype, data, want, original in cases:
        assert b"CANARY" in data
        got = photo_through_form(name, ctype, data)
        if b"CANARY" in got:
            errors.append("%s keeps %s" % (what, sorted(set(
                m.decode() for m in re.findall(rb"[A-Z0-9-]*CANARY", got)))))
        elif got != want:
            errors.append("%s: %r, want %r" % (what, got[:120], want[:120]))
        elif have_decoder:
            frames = decoded(got)
            if not frames or frames != decoded(original):
                errors.append("%s does not decode to its pixels" % what)
    assert not errors, "\n".join(errors)


def test_static_gzip():
    """The browser crypto library (sodium-lite, about 90 KB) goes gzipped
    to browsers that take gzip."""
    path = "/static/vendor/sodium-lite.js"
    st, h, plain = request("GET", path)
    assert st == 200 and "content-encoding" not in h and len(plain) > 50000
    st, h, gz = request("GET", path, headers={"Accept-Encoding":
                                              "gzip, deflate, br"})
    assert st == 200 and h.get("content-encoding") == "gzip", h
    assert "accept-encoding" in h.get("vary", "").lower()
    assert len(gz) < len(plain) // 2 and gzip.decompress(gz) == plain
    for refused in ("gzip;q=0", "deflate, gzip; q=0.000", "identity",
                    "xgzip"):
        st, h, body = request("GET", path,
                              headers={"Accept-Encoding": refused})
        assert st == 200 and "content-encoding" not in h, refused
        assert body == plain
    # The page's integrity hash is of the decoded file.
    st, _, page = request("GET", "/report?lang=en")
    sri = "sha512-" + base64.b64encode(hashlib.sha512(plain).digest()).decode()
    assert sri.encode() in page


def expect_refused(status, codes, fn, table="envelopes"):
    before = count(table)
    st, body = fn()
    assert st == status, (st, body[:300] if body else body)
    if codes:
        assert error_code(body) in codes, body
    assert count(table) == before, "something was stored"
    assert SRV.alive(), "server died"


def test_bad_envelopes():
    good = seal("alpha", b"ok")
    other = seal("beta", b"beta's")
    gamma = os.path.join(D, "gamma")
    if not os.path.exists(os.path.join(gamma, "public.json")):
        subprocess.run([CASE, "--home", gamma, "--passphrase-file", PASS,
                        "init", "--org", "gamma", "--kdf-memory", "8192",
                        "--kdf-passes", "1", "--kdf-lanes", "1"],
                       check=True, capture_output=True)
    unknown = seal("gamma", b"to nobody here")

    def post(data, org="alpha"):
        st, _, body = post_envelope(org, data)
        return st, body
    expect_refused(400, {"bad_envelope"}, lambda: post(b""))
    expect_refused(400, {"bad_envelope"}, lambda: post(os.urandom(47)))
    expect_refused(400, {"bad_envelope"}, lambda: post(os.urandom(len(good))))
    expect_refused(400, {"bad_envelope"}, lambda: post(good + b"\0"))
    expect_refused(400, {"bad_envelope"}, lambda: post(good[:-1]))
    expect_refused(400, {"unknown_key"}, lambda: post(unknown))
    expect_refused(400, {"unknown_key"}, lambda: post(other))
    expect_refused(404, {"unknown_org"}, lambda: post(good, "nosuch"))
    st, _, _ = post_envelope("alpha", good)
    assert st == 201


def test_oversized_requests():
    # Content-Length of 2 GiB with a short body: refused at once
    t0 = time.time()
    st, _ = raw(b"POST /api/v1/orgs/alpha/reports HTTP/1.1\r\nHost: x\r\n"
                b"Content-Length: 2147483648\r\n\r\nshort")
    assert st == 413 and time.time() - t0 < 3, st
    # chunked past the cap: refused (no chunked body is read), not stored
    before = count()
    chunk = os.urandom(1 << 20)
    parts = [b"POST /api/v1/orgs/alpha/reports HTTP/1.1\r\nHost: x\r\n"
             b"Transfer-Encoding: chunked\r\n\r\n"]
    parts += [b"%x\r\n" % len(chunk) + chunk + b"\r\n"] * 18
    parts += [b"0\r\n\r\n"]
    st, _ = raw(parts, send_all=False)
    assert st == 411, st
    assert count() == before and SRV.alive()
    # a 1 MiB header
    st, _ = raw(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                b"a" * (1 << 20) + b"\r\n\r\n")
    assert st is not None and 400 <= st < 500, st
    assert SRV.alive()
    # a 64 KiB URL
    st, _ = raw(b"GET /api/v1/orgs/" + b"a" * 65536 +
                b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert st in (414, 431, 413, 400), st
    st, _ = raw(b"GET /api/v1/orgs/" + b"a" * 3000 +
                b" HTTP/1.1\r\nHost: x\r\n\r\n")
    assert st == 414, st
    assert SRV.alive()
    # a receipt of 10 MB
    body = b"receipt=" + b"1" * 10_000_000

    def big_receipt():
        st, resp = raw([b"POST /check HTTP/1.1\r\nHost: x\r\nContent-Type: "
                        b"application/x-www-form-urlencoded\r\n"
                        b"Content-Length: %d\r\n\r\n" % len(body), body],
                       send_all=False)
        return st, resp.split(b"\r\n\r\n", 1)[-1]
    # a form route answers with its page (here in English: no ?lang=),
    # not the API's JSON
    st, page = big_receipt()
    assert st == 413 and b'id="check"' in page and b'lang="en"' in page, st


def test_bad_forms():
    def nojs(narrative_raw):
        body = (b"org=alpha&categories=robbery&narrative=" + narrative_raw)
        st, _, page = request("POST", "/report", body, {
            "Content-Type": "application/x-www-form-urlencoded"})
        return st, None
    expect_refused(400, None, lambda: nojs(b"%FF%FEbad"))
    expect_refused(400, None, lambda: nojs(b"a%00b"))
    expect_refused(400, None, lambda: nojs(b"%C0%AF"))
    st, _, page = form_post("/report", {"org": "alpha", "narrative": ""})
    assert st == 400
    st, _, page = form_post("/report", {"org": "nosuch", "narrative": "x"})
    assert st == 400
    st, _, page = form_post("/report", {"org": "alpha", "narrative": "x",
                                        "categories": "not-a-category"})
    assert st == 400
    st, _, _ = request("POST", "/report", b"{}",
                       {"Content-Type": "application/json"})
    assert st == 415
    # incident.date: a real calendar date (leap years), not after tomorrow
    day = 24 * 3600
    if day - time.time() % day < 90:  # not across midnight UTC
        time.sleep(day - time.time() % day + 1)
    today, tomorrow, after = (time.strftime("%Y-%m-%d",
                                            time.gmtime(time.time() + k * day))
                              for k in (0, 1, 2))
    next_month = time.strftime("%Y-%m", time.gmtime(time.time() + 40 * day))

    def dated(date):
        st, _, page = form_post("/report", {"org": "alpha", "narrative": "x",
                                            "incident.date": date})
        return st, page
    for bad in ("2026-02-31", "2026-02-29", "1900-02-29", "2026-04-31",
                "2026-13", "2026-00-10", after, next_month, "9999-12-31",
                "5/3/2024", "29-02-2024", "2024-5-3-1", "2024-May-03",
                "24-05-03"):
        expect_refused(400, None, lambda: (dated(bad)[0], bad))
    for good in ("2024-02-29", "2000-02-29", "2026-04-30", "2025-12",
                 today, tomorrow, "2026-1-05", "2024/2/29", "2024.02.29",
                 "\u0662\u0660\u0662\u0664-\u0660\u0662-\u0662\u0669",
                 "\u0e52\u0e50\u0e52\u0e54-\u0e52-\u0e52\u0e59"):
        st, page = dated(good)
        assert st == 201, (good, st, page[-400:])


def test_bad_json():
    deep = b"[" * 100000 + b"]" * 100000
    auth = {"Authorization": "Bearer " + TOKEN["alpha"],
            "Content-Type": "application/json"}

    def post(path, body, table):
        st, _, b = request("POST", path, body, auth)
        return st, b
    expect_refused(400, {"json_too_deep"},
                   lambda: post("/api/v1/sync/ack", deep, "envelopes"))
    expect_refused(400, {"json_too_deep"},
                   lambda: post("/api/v1/mailboxes", b'{"id":' + deep + b"}",
                                "mailboxes"), "mailboxes")
    dup = ('{"id": "%s", "id": "%s"}' % (secrets.token_hex(32),
                                         secrets.token_hex(32))).encode()
    expect_refused(400, {"duplicate_key"},
                   lambda: post("/api/v1/mailboxes", dup, "mailboxes"),
                   "mailboxes")
    expect_refused(400, {"bad_json"},
                   lambda: post("/api/v1/mailboxes", b'{"id": ', "mailboxes"),
                   "mailboxes")
    expect_refused(400, {"bad_encoding"},
                   lambda: post("/api/v1/mailboxes", b'{"id": "\xff"}',
                                "mailboxes"), "mailboxes")


def test_roles():
    for stmt in ("SELECT count(*) FROM envelopes",
                 "UPDATE envelopes SET size = 0",
                 "DELETE FROM envelopes",
                 "TRUNCATE envelopes",
                 "SELECT * FROM sync_tokens",
                 "SELECT * FROM replies"):
        rc, _, err = psql(stmt, user="umbra_intake")
        assert rc != 0 and "permission denied" in err, (stmt, err)
    for stmt in ("SELECT count(*) FROM envelopes", "DELETE FROM envelopes",
                 "SELECT * FROM sync_tokens"):
        rc, _, err = psql(stmt, user="umbra_sync")
        assert rc != 0 and "permission denied" in err, (stmt, err)
    # beta has a report; alpha's token never sees it, through SQL or HTTP
    st, _, _ = post_envelope("beta", seal("beta", b"beta only"))
    assert st == 201
    spool.wait_moved()
    rc, beta_ids, _ = psql("SELECT string_agg(id::text, ',') FROM envelopes "
                           "WHERE org_id = (SELECT id FROM orgs "
                           "WHERE slug = 'beta')")
    beta_ids = set(beta_ids.split(","))
    assert beta_ids
    h = hashlib.blake2b(TOKEN["alpha"].encode(), digest_size=32).hexdigest()
    rc, out, err = psql("SELECT id FROM sync_list('\\x%s', 0, 1000)" % h,
                        user="umbra_sync")
    assert rc == 0, err
    assert not (set(out.split()) & beta_ids)
    rc, out, err = psql("SELECT id FROM sync_list('\\x%s', 0, 1000)"
                        % ("00" * 32), user="umbra_sync")
    assert rc == 0 and out == ""
    rc, out, _ = psql("SELECT sync_ack('\\x%s', ARRAY[%s]::bigint[])"
                      % (h, ",".join(beta_ids)), user="umbra_sync")
    assert out == "0"
    ids = {r["id"] for r in sync_get("alpha", "?limit=1000")["reports"]}
    assert not (ids & beta_ids)
    assert beta_ids <= {r["id"] for r in
                        sync_get("beta", "?limit=1000")["reports"]}


def test_database_down_and_back():
    """Reports are taken while PostgreSQL is down (the spool holds them)
    and reach it at the first move after it is back; healthz says 503."""
    before = count()
    env = seal("alpha", b"while the database is down")
    pg = ". tests/lib/pg.sh; PGPORT=%s pg_%s '%s'" % (
        os.environ["PGPORT"], "%s", os.path.dirname(PG_DATA))
    subprocess.run(["sh", "-c", pg % "stop"], cwd=TOP, check=True)
    try:
        st, h, body = post_envelope("alpha", env)
        assert st == 201, (st, body)
        st, h, _ = request("GET", "/healthz")
        assert st == 503 and h.get("retry-after")
        st, h, _ = form_post("/report", {"org": "alpha", "narrative": "x"})
        assert st == 201
        time.sleep(2.5)  # at least one move fails meanwhile
        assert sum(spool.sizes(os.environ["UMBRA_SPOOL"])) > 0
    finally:
        subprocess.run(["sh", "-c", pg % "start"], cwd=TOP, check=True)
    assert count() == before + 2
    st, _, _ = request("GET", "/healthz")
    assert st == 200


def test_direct_intake_without_window():
    """intake_window = 0: each batch committed to PostgreSQL as it comes
    (no spool), 503 while PostgreSQL is down."""
    before = count()
    SRV.stop()
    nospool = os.path.join(D, "no-spool")
    SRV.start("--intake_window", "0", "--spool_dir", nospool)
    try:
        env = seal("alpha", b"direct")
        st, _, body = post_envelope("alpha", env)
        assert st == 201, body
        rc, out, _ = psql("SELECT count(*) FROM envelopes")
        assert rc == 0 and int(out.strip()) == before + 1
        assert not os.path.exists(nospool)
    finally:
        SRV.stop()
        SRV.start()


def test_quota():
    """An organisation with too much waiting (PostgreSQL and spool
    together) gets 507 org_full, through the API and the form, and
    nothing is stored."""
    drain_alpha()
    drain_alpha("beta")
    SRV.stop()
    SRV.start("--quota_reports", "2")
    try:
        env = seal("alpha", b"quota")
        for _ in range(2):
            st, _, body = post_envelope("alpha", env)
            assert st == 201, body
        before = count()
        st, _, body = post_envelope("alpha", env)
        assert st == 507 and error_code(body) == "org_full", (st, body)
        st, _, page = form_post("/report", {"org": "alpha",
                                            "narrative": "quota"})
        assert st == 507 and b"cannot take more reports" in page, st
        st, _, body = post_envelope("beta", seal("beta", b"other org"))
        assert st == 201, body  # the quota is per organisation
        assert count() == before + 1
        drain_alpha()
    finally:
        SRV.stop()
    SRV.start("--quota_bytes", str(len(env) + 100))
    try:
        st, _, body = post_envelope("alpha", env)
        assert st == 201, body
        st, _, body = post_envelope("alpha", env)
        assert st == 507 and error_code(body) == "org_full", (st, body)
        drain_alpha()
    finally:
        SRV.stop()
        SRV.start()


def test_spool_torn_tail():
    """A record cut short by a crash is ignored; the whole records before
    it are moved, and the server appends after them."""
    before = count()
    SRV.stop()
    env = seal("alpha", b"from the spool")
    rc, out, _ = psql("SELECT id FROM orgs WHERE slug = 'alpha'")
    org = int(out.strip())
    head = (b"USP1" + bytes([1, 0, 0, 0]) +
            struct.pack("<II", org, int(time.time()) // 86400) +
            secrets.token_bytes(16) + struct.pack("<I", len(env)))
    rec = head + env
    rec += hashlib.blake2b(rec, digest_size=16).digest()
    path = os.path.join(os.environ["UMBRA_SPOOL"], "spool-a")
    # after its records (the file is preallocated with zeros: spool.h)
    at = spool.used(path)
    with open(path, "r+b" if os.path.exists(path) else "wb") as f:
        f.seek(at)
        f.write(rec + rec[:100])  # a whole record, then a torn one
    SRV.start()
    assert count() == before + 1
    st, _, body = post_envelope("alpha", env)
    assert st == 201, body
    assert count() == before + 2


def spool_record(org, day, ref, body, kind=1):
    """One spool record (server/spool.h), check included."""
    rec = (b"USP1" + bytes([kind, 0, 0, 0]) + struct.pack("<II", org, day) +
           ref + struct.pack("<I", len(body)) + body)
    return rec + hashlib.blake2b(rec, digest_size=16).digest()


def test_move_twice_shuffled():
    """The mover stores a spool's envelopes a chunk at a time
    (intake_move_batch, schema/014): each once with its organisation,
    size, day and bytes, over several chunks; and the same records moved
    again (a crash between the commit and the wipe), in another order,
    store nothing twice."""
    rc, out, _ = psql("SELECT id FROM orgs WHERE slug = 'alpha'")
    alpha = int(out.strip())
    rc, out, _ = psql("SELECT id FROM orgs WHERE slug = 'beta'")
    beta = int(out.strip())
    day = 19000 + secrets.randbelow(1000)  # a day no other test uses
    # 1,100 rows: three chunks of at most 500; a few bodies of 1 MiB so
    # that a chunk passes the 16 MiB cap of one call.
    recs = []
    for i in range(1100):
        n = (1 << 20) if i % 50 == 7 else 64 + secrets.randbelow(4096)
        recs.append(((alpha, beta)[i % 2], secrets.token_bytes(16),
                     secrets.token_bytes(n)))
    path = os.path.join(os.environ["UMBRA_SPOOL"], "spool-a")

    def move(order):
        spool.wait_moved()
        SRV.stop()
        at = spool.used(path)
        with open(path, "r+b" if os.path.exists(path) else "wb") as f:
            f.seek(at)
            for org, ref, body in order:
                f.write(spool_record(org, day, ref, body))
        SRV.start()
        spool.wait_moved()

    def stored():
        rc, out, err = psql(
            "SELECT count(*), count(DISTINCT ref), "
            "coalesce(sum(size), 0), coalesce(sum(length(body)), 0), "
            "count(*) FILTER (WHERE org_id = %d), "
            "coalesce(string_agg(md5(ref || body), ',' ORDER BY ref), '') "
            "FROM envelopes WHERE day = DATE '1970-01-01' + %d"
            % (alpha, day))
        assert rc == 0, err
        return out.split("|")

    try:
        move(recs)
        first = stored()
        want_digest = ",".join(hashlib.md5(ref + body).hexdigest()
                               for _, ref, body in sorted(
                                   recs, key=lambda r: r[1]))
        total = sum(len(b) for _, _, b in recs)
        assert first[:5] == ["1100", "1100", str(total), str(total), "550"], \
            first[:5]
        assert first[5] == want_digest
        shuffled = recs[:]
        secrets.SystemRandom().shuffle(shuffled)
        move(shuffled + shuffled[:10])  # and repeated within one move
        assert stored() == first
    finally:
        psql("DELETE FROM envelopes WHERE day = DATE '1970-01-01' + %d"
             % day)


def test_phases_opt_in():
    """UMBRA_PHASES=1 makes the server print, when it stops, one histogram
    line per intake phase, counts and milliseconds only: three reports are
    counted as three, and nothing of the requests (organisation, address,
    User-Agent) is in the log. Without it, no such line."""
    def run(phases):
        SRV.stop()
        with open(SRV.log, "rb") as f:
            at = len(f.read())
        if phases:
            os.environ["UMBRA_PHASES"] = "1"
        try:
            SRV.start()
        finally:
            os.environ.pop("UMBRA_PHASES", None)
        env = seal("alpha", b"timed")
        for _ in range(3):
            st, _, body = post_envelope("alpha", env)
            assert st == 201, body
        spool.wait_moved()
        SRV.stop()
        with open(SRV.log, "rb") as f:
            return f.read()[at:].decode("utf-8", "replace")

    try:
        log = run(True)
        lines = [ln.split() for ln in log.splitlines()
                 if ln.startswith("umbra-server: phase ")]
        got = {ln[2]: ln for ln in lines}
        for name in ("receive", "check", "queue", "append", "fsync",
                     "answer", "total"):
            assert name in got, (name, log)
        assert got["total"][3:5] == ["n", "3"], got["total"]
        assert got["check"][3:5] == ["n", "3"], got["check"]
        for secret in ("alpha", CLIENT_ADDR, UA):
            assert secret not in log, secret
        log = run(False)
        assert "phase" not in log, log
    finally:
        SRV.start()


def test_kill_with_reports_in_flight():
    before = count()
    env = seal("alpha", b"in flight")
    acked = [0]
    lock = threading.Lock()
    stop = time.time() + 1.5

    def client():
        while time.time() < stop:
            try:
                st, _, _ = post_envelope("alpha", env)
            except OSError:
                return
            if st == 201:
                with lock:
                    acked[0] += 1
    threads = [threading.Thread(target=client) for _ in range(16)]
    for t in threads:
        t.start()
    time.sleep(0.8)
    SRV.kill()
    for t in threads:
        t.join()
    # What was acknowledged is in the spool; the restarted server moves it.
    SRV.start()
    stored = count() - before
    assert acked[0] > 0, "nothing was answered before the kill"
    assert stored >= acked[0], (stored, acked[0])


def recv_until(s, done=None):
    """What s receives until the peer closes or done(what came) is true."""
    buf = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return buf
        buf += chunk
        if done is not None and done(buf):
            return buf


def whole_answer(buf):
    """buf holds an answer's head and its Content-Length of body."""
    head, sep, body = buf.partition(b"\r\n\r\n")
    m = re.search(rb"(?i)content-length: *(\d+)", head)
    return bool(sep and m and len(body) >= int(m.group(1)))


def get_metrics(addr):
    """GET /metrics from a metrics listener: (host, port) or a Unix path."""
    if isinstance(addr, str):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(10)
        s.connect(addr)
    else:
        s = socket.create_connection(addr, timeout=10)
    try:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n"
                  b"Connection: close\r\n\r\n")
        buf = recv_until(s)
    finally:
        s.close()
    head, _, body = buf.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def test_metrics_listener():
    """/metrics is not on the public listener; the metrics listener on
    loopback or a Unix socket has the counters; any other address is
    refused when the configuration is read."""
    st, h, body = request("GET", "/metrics")
    assert st == 404 and error_code(body) == "not_found", (st, body)
    st, body = get_metrics(("127.0.0.1", SRV.metrics_port))
    assert st == 200 and b"umbra_requests_total" in body, (st, body[:200])
    # the public route's 404 above is counted, the scrape is not a route
    assert b'route="metrics"' not in body, body[:400]
    # a Unix socket, owner and group only, removed at exit
    port = free_port()
    path = os.path.join(D, "metrics.sock")
    logf = open(os.path.join(D, "server-metrics.log"), "ab")
    proc = subprocess.Popen([SERVER, "--config", CONF, "--port", str(port),
                             "--metrics_listen", "unix:" + path],
                            stdout=logf, stderr=logf, cwd=TOP)
    logf.close()
    try:
        for _ in range(200):
            if os.path.exists(path):
                break
            time.sleep(0.05)
        assert oct(os.stat(path).st_mode & 0o777) == oct(0o660), \
            oct(os.stat(path).st_mode)
        st, body = get_metrics(path)
        assert st == 200 and b"umbra_requests_total" in body, st
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
    assert proc.returncode == 0 and not os.path.exists(path)
    for bad in ("0.0.0.0:9101", "192.168.1.10:9101", "[::]:9101",
                "localhost:9101", "10.0.0.1:9101", "unix:relative.sock"):
        p = subprocess.run([SERVER, "--config", CONF, "--port",
                            str(free_port()), "--metrics_listen", bad],
                           capture_output=True, text=True, timeout=20)
        assert p.returncode == 1 and "metrics_listen" in p.stderr, \
            (bad, p.returncode, p.stderr)
        if bad in ("0.0.0.0:9101", "192.168.1.10:9101", "[::]:9101"):
            assert "not a loopback address" in p.stderr, p.stderr


def test_metrics_and_privacy():
    st, body = get_metrics(("127.0.0.1", SRV.metrics_port))
    text = body.decode()
    assert st == 200 and "umbra_requests_total" in text
    assert "umbra_request_seconds_bucket" in text
    assert CLIENT_ADDR not in text and UA not in text
    # a canary report through the form, then look everywhere
    fields = dict(NOJS_FIELDS, narrative="privacy " + CANARY)
    st, _, page = form_post("/report", fields, {"Referer": "http://" + UA})
    assert st == 201
    receipt = receipt_of(page)
    digits = receipt.replace(" ", "")
    st, _, _ = form_post("/check", {"receipt": receipt})
    assert st == 200
    SRV.stop()
    rc, _, err = psql("CHECKPOINT")
    assert rc == 0, err
    needles = [CANARY.encode(), UA.encode(), CLIENT_ADDR.encode(),
               digits.encode(), receipt.encode()]
    paths = [SRV.log, PG_LOG]
    for root, _, files in os.walk(PG_DATA):
        paths += [os.path.join(root, f) for f in files]
    scanned = 0
    for p in paths:
        try:
            data = open(p, "rb").read()
        except OSError:
            continue
        scanned += len(data)
        for n in needles:
            assert n not in data, "%r found in %s" % (n, p)
    assert scanned > 1 << 20, "the data directory was not read"
    SRV.start()


def test_cli():
    def run(*args):
        return subprocess.run([SERVER, *args], capture_output=True, text=True)
    for args in (["--help"], ["migrate", "--help"], ["org", "--help"],
                 ["token", "--help"]):
        p = run(*args)
        assert p.returncode == 0 and "usage" in p.stdout, args
    assert run("frobnicate").returncode == 2
    assert run("token", "add").returncode == 2
    assert run("org", "add", "x").returncode == 2
    assert run("--config", CONF, "token", "revoke", "alpha",
               "nope").returncode == 1
    p = run("--config", CONF, "org", "add", "wrong", "--name", "W",
            "--public-key", os.path.join(D, "alpha", "public.json"))
    assert p.returncode == 1 and "alpha" in p.stderr
    p = run("--config", CONF, "org", "add", "alpha", "--name", "Org alpha",
            "--public-key", os.path.join(D, "alpha", "public.json"))
    assert p.returncode == 0, p.stderr
    p = run("--config", CONF, "migrate")
    assert p.returncode == 0 and "0 applied" in p.stdout, p.stdout


# The command line as docs/operations.md documents it (umbra-server's
# options are parsed with getopt_long): --KEY VALUE and --KEY=VALUE for
# every config key, overriding the file whatever their order; options
# before or after the words; no prefix of an option is taken for it; each
# error with its message and exit code.
CLI_CASES = [
    # (args, exit code, in stderr, in stdout)
    (["-h"], 0, "", "usage: umbra-server"),
    (["serve", "--help"], 0, "", "usage: umbra-server"),
    (["token", "revoke", "a", "b", "--help"], 0, "", "token revoke ORG"),
    (["frob", "--help"], 0, "", "usage: umbra-server"),
    (["frob"], 2, "unknown command 'frob'", ""),
    (["-x"], 2, "unknown command '-x'", ""),
    (["serve", "extra"], 2, "usage: umbra-server", ""),
    (["migrate", "extra"], 2, "usage: umbra-server migrate", ""),
    (["org", "frob"], 2, "usage: umbra-server org add", ""),
    (["token", "add", "a", "b", "c"], 2, "usage: umbra-server token", ""),
    (["a", "b", "c", "d", "e", "f", "g", "h", "i"], 2, "usage:", ""),
    (["--port"], 2, "option '--port' needs a value", ""),
    (["--port", "abc"], 2, "bad option '--port'", ""),
    (["--port=abc"], 2, "bad option '--port'", ""),
    (["--por", "80"], 2, "bad option '--por'", ""),
    (["--conf", CONF], 2, "bad option '--conf'", ""),
    (["--nosuch", "1"], 2, "bad option '--nosuch'", ""),
    (["--nosuch=1"], 2, "bad option '--nosuch'", ""),
    (["--nosuch"], 2, "option '--nosuch' needs a value", ""),
    (["--help=1"], 2, "bad option '--help'", ""),
    (["--"], 2, "bad option '--'", ""),
    (["--=x"], 2, "bad option '--=x'", ""),
    (["org", "add", "a", "--public-key", "x", "--name"], 2,
     "option '--name' needs a value", ""),
    (["--config", "/nonexistent/umbra.conf"], 1,
     "cannot open config '/nonexistent/umbra.conf'", ""),
    (["--config=/nonexistent/umbra.conf"], 1,
     "cannot open config '/nonexistent/umbra.conf'", ""),
    (["--name=x", "--public-key=/nonexistent/p.json", "org", "add", "a"], 1,
     "cannot read public key '/nonexistent/p.json'", ""),
    (["token", "list", "--db_owner=host=/nonexistent", "--config", CONF], 1,
     "cannot connect to the database", ""),
    (["--db_owner", "host=/nonexistent", "--config=" + CONF, "migrate"], 1,
     "cannot connect to the database", ""),
    (["--config", CONF, "token", "list"], 0, "", "ORG"),
]


def test_cli_options():
    for args, code, err, out in CLI_CASES:
        p = subprocess.run([SERVER, *args], capture_output=True, text=True,
                           timeout=30)
        assert p.returncode == code, (args, p.returncode, p.stderr)
        assert err in p.stderr and out in p.stdout, (args, p.stderr, p.stdout)


def test_migrate_makes_its_table():
    """schema_migrations is made by the first migration: migrate works on an
    empty database, and on one where the table was made beforehand (as
    umbra-server did before the first migration made it); a second run
    applies nothing."""
    files = sorted(f for f in os.listdir(os.path.join(TOP, "schema"))
                   if f[0].isdigit() and f.endswith(".sql"))
    conf = open(CONF).read()
    for db, pre in (("umbra_mig_empty", None),
                    ("umbra_mig_old", "CREATE TABLE schema_migrations ("
                     "version integer PRIMARY KEY, name text NOT NULL, "
                     "applied date NOT NULL DEFAULT current_date)")):
        psql("DROP DATABASE IF EXISTS %s" % db)
        rc, _, err = psql("CREATE DATABASE %s" % db)
        assert rc == 0, err
        if pre:
            rc, _, err = psql(pre, db=db)
            assert rc == 0, err
        path = os.path.join(D, db + ".conf")
        with open(path, "w") as f:
            f.write(re.sub(r"(?m)^db_owner *=.*dbname=umbra$",
                           lambda m: m.group(0) + "_" + db[len("umbra_"):],
                           conf))
        assert ("dbname=" + db) in open(path).read()
        p = subprocess.run([SERVER, "--config", path, "migrate"],
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0 and \
            "%d applied" % len(files) in p.stdout, p.stdout + p.stderr
        rc, out, _ = psql("SELECT string_agg(name, ',' ORDER BY version) "
                          "FROM schema_migrations", db=db)
        assert out == ",".join(files), out
        p = subprocess.run([SERVER, "--config", path, "migrate"],
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0 and "0 applied" in p.stdout, p.stdout
        psql("DROP DATABASE %s" % db)


def init_home(name, org):
    home = os.path.join(D, name)
    if not os.path.exists(os.path.join(home, "public.json")):
        subprocess.run([CASE, "--home", home, "--passphrase-file", PASS,
                        "init", "--org", org, "--kdf-memory", "8192",
                        "--kdf-passes", "1", "--kdf-lanes", "1"],
                       check=True, capture_output=True)
    return home


def test_key_rotation():
    home = init_home("delta", "delta")
    pub = os.path.join(home, "public.json")
    add = [SERVER, "--config", CONF, "org", "add", "delta", "--name", "D",
           "--public-key", pub]
    assert subprocess.run(add, capture_output=True).returncode == 0

    def post_when(env, want):
        for _ in range(50):  # the server reloads organisations every 2 s
            st, _, body = post_envelope("delta", env)
            if st == want:
                return st, body
            time.sleep(0.1)
        return st, body
    st, _ = post_when(seal("delta", b"before rotation"), 201)
    assert st == 201
    p = subprocess.run([CASE, "--home", home, "--passphrase-file", PASS,
                        "keys", "add"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    rotated = seal("delta", b"after rotation")
    st, _, body = post_envelope("delta", rotated)
    assert st == 400 and error_code(body) == "unknown_key"
    assert subprocess.run(add, capture_output=True).returncode == 0
    st, body = post_when(rotated, 201)
    assert st == 201, body
    # the same slug with another signing key is refused
    other = init_home("delta-impostor", "delta")
    p = subprocess.run([SERVER, "--config", CONF, "org", "add", "delta",
                        "--name", "D", "--public-key",
                        os.path.join(other, "public.json")],
                       capture_output=True, text=True)
    assert p.returncode == 1 and "signing key" in p.stderr, p.stderr


def wait_status(path, want, seconds=15):
    """Polls path until it answers want (the organisations reload every
    2 s); returns the last status."""
    deadline = time.time() + seconds
    while True:
        st, _, _ = request("GET", path)
        if st == want or time.time() > deadline:
            return st
        time.sleep(0.1)


def test_tampered_org_row():
    """A row whose stored fingerprint is not its bundle's, or whose bundle
    is another organisation's, is not served, with one line on stderr naming
    it; the other organisations are served all along. Tampered with psql as
    the database owner, both while serving and before a start."""
    rc, orig_fp, err = psql("SELECT fingerprint FROM orgs WHERE slug = 'beta'")
    assert rc == 0 and orig_fp, err
    rc, alpha_fp, _ = psql("SELECT fingerprint FROM orgs WHERE slug = 'alpha'")
    assert rc == 0 and alpha_fp and alpha_fp != orig_fp
    beta_env = seal("beta", b"to beta")

    def restore():
        rc, _, err = psql("UPDATE orgs SET fingerprint = o.fingerprint, "
                          "bundle = o.bundle FROM orgs_saved o "
                          "WHERE orgs.slug = 'beta' AND o.slug = 'beta'")
        assert rc == 0, err
        assert wait_status("/api/v1/orgs/beta", 200) == 200

    def not_served(why):
        assert wait_status("/api/v1/orgs/beta", 404) == 404, why
        st, _, body = request("GET", "/api/v1/orgs")
        slugs = [o["slug"] for o in json.loads(body)["orgs"]]
        assert st == 200 and "alpha" in slugs and "beta" not in slugs, slugs
        st, _, body = post_envelope("beta", beta_env)
        assert st == 404 and error_code(body) == "unknown_org", (st, body)
        st, _, page = request("GET", "/?lang=en")
        assert st == 200 and b"Org alpha" in page and b"Org beta" not in page
        assert orig_fp.encode() not in page

    rc, _, err = psql("DROP TABLE IF EXISTS orgs_saved; CREATE TABLE "
                      "orgs_saved AS SELECT * FROM orgs WHERE slug = 'beta'")
    assert rc == 0, err
    cases = [
        ("fingerprint", "UPDATE orgs SET fingerprint = '%s' WHERE slug = "
         "'beta'" % alpha_fp),
        ("bundle", "UPDATE orgs SET bundle = (SELECT bundle FROM orgs WHERE "
         "slug = 'alpha') WHERE slug = 'beta'"),
        ("both", "UPDATE orgs SET (fingerprint, bundle) = (SELECT "
         "fingerprint, bundle FROM orgs WHERE slug = 'alpha') "
         "WHERE slug = 'beta'"),
    ]
    try:
        for name, sql in cases:
            off = os.path.getsize(SRV.log)
            rc, _, err = psql(sql)
            assert rc == 0, err
            not_served(name)
            time.sleep(4.5)  # two more reloads: still one line
            lines = [l for l in log_since(off).splitlines() if "'beta'" in l]
            assert len(lines) == 1, (name, lines)
            assert "not serving organisation 'beta'" in lines[0], lines
            st, _, _ = request("GET", "/api/v1/orgs/alpha")
            assert st == 200
            restore()
        # checked at start too: the server comes up and serves the others
        SRV.stop()
        rc, _, err = psql(cases[0][1])
        assert rc == 0, err
        off = os.path.getsize(SRV.log)
        SRV.start()
        st, _, _ = request("GET", "/api/v1/orgs/beta")
        assert st == 404, st
        not_served("at start")
        lines = [l for l in log_since(off).splitlines() if "'beta'" in l]
        assert len(lines) == 1, lines
        off = os.path.getsize(SRV.log)
        restore()
        st, _, body = post_envelope("beta", beta_env)
        assert st == 201, (st, body)
        assert "'beta'" not in log_since(off)
    finally:
        psql("UPDATE orgs SET fingerprint = o.fingerprint, bundle = o.bundle "
             "FROM orgs_saved o WHERE orgs.slug = 'beta' AND o.slug = 'beta'")
        psql("DROP TABLE IF EXISTS orgs_saved")
        if SRV.proc.poll() is not None:
            SRV.start()


def test_bundle_rollback():
    """protocol section 3: org add never goes back to an older bundle (a
    lower serial), nor takes other keys under the same serial; the serial
    lives in orgs.bundle_serial, which only the owner reads."""
    home = init_home("epsilon", "epsilon")
    pub = os.path.join(home, "public.json")

    def add(path):
        return subprocess.run([SERVER, "--config", CONF, "org", "add",
                               "epsilon", "--name", "E", "--public-key",
                               path], capture_output=True, text=True)

    def serial():
        rc, out, err = psql("SELECT bundle_serial FROM orgs "
                            "WHERE slug = 'epsilon'")
        assert rc == 0, err
        return int(out)
    p = add(pub)
    assert p.returncode == 0, p.stderr
    assert json.load(open(pub))["serial"] == 1 and serial() == 1
    old = os.path.join(D, "epsilon-serial1.json")
    shutil.copyfile(pub, old)
    fork = os.path.join(D, "epsilon-fork")
    shutil.copytree(home, fork)
    p = subprocess.run([CASE, "--home", home, "--passphrase-file", PASS,
                        "keys", "add"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert json.load(open(pub))["serial"] == 2
    p = add(pub)
    assert p.returncode == 0 and serial() == 2, p.stderr
    stored = psql("SELECT bundle FROM orgs WHERE slug = 'epsilon'")[1]
    # the serial-1 bundle still verifies, but is refused: a rollback
    p = add(old)
    assert p.returncode == 1 and p.stderr.count("\n") == 1 and \
        "serial 1, older than the registered bundle's 2" in p.stderr, p.stderr
    assert serial() == 2
    assert psql("SELECT bundle FROM orgs WHERE slug = 'epsilon'")[1] == stored
    # a copy of the home made before the rotation signs serial 2 with
    # another new key: the same serial with other keys is refused too
    p = subprocess.run([CASE, "--home", fork, "--passphrase-file", PASS,
                        "keys", "add"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    fpub = os.path.join(fork, "public.json")
    assert json.load(open(fpub))["serial"] == 2
    p = add(fpub)
    assert p.returncode == 1 and "other keys under" in p.stderr, p.stderr
    assert psql("SELECT bundle FROM orgs WHERE slug = 'epsilon'")[1] == stored
    # the same bundle again is fine (a new name, say); a higher one too
    assert add(pub).returncode == 0
    p = subprocess.run([CASE, "--home", home, "--passphrase-file", PASS,
                        "keys", "export"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert json.load(open(pub))["serial"] == 3
    assert add(pub).returncode == 0 and serial() == 3
    # only the owner sees the column
    for role in ("umbra_intake", "umbra_sync"):
        rc, _, err = psql("SELECT bundle_serial FROM orgs", user=role)
        assert rc != 0 and "permission denied" in err, (role, err)


def log_since(offset):
    with open(SRV.log, "rb") as f:
        f.seek(offset)
        return f.read().decode(errors="replace")


def test_kdf_cgroup():
    """kdf_cgroup = auto puts exactly the Argon2 pool's threads in an idle
    cgroup (where this machine lets root write the cpu controller), the
    no-JS path still works, and the cgroup is gone after shutdown. A bad
    value is a warning, never a refusal to serve."""
    SRV.stop()
    off = os.path.getsize(SRV.log)
    SRV.start("--kdf_cgroup", "relative/path")
    log = log_since(off)
    assert "kdf_cgroup must be 'auto' or an absolute path" in log, log
    assert SRV.alive()
    SRV.stop()
    off = os.path.getsize(SRV.log)
    SRV.start("--kdf_cgroup", "auto", "--kdf_threads", "3")
    log = log_since(off)
    m = re.search(r"Argon2 pool in idle cgroup (\S+)", log)
    cpu_writable = os.geteuid() == 0 and any(
        os.access(d, os.W_OK) for d in
        ("/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct",
         "/sys/fs/cgroup/cgroup.subtree_control"))
    if not m:
        # Only a machine that refuses us may fall back, and it must say so.
        assert not cpu_writable and "warning: kdf_cgroup" in log, log
        print("  (no writable cpu cgroup here: checked the warning only)")
    else:
        d = m.group(1)
        with open(os.path.join(d, "cpu.idle")) as f:
            assert f.read().strip() == "1"
        tf = os.path.join(d, "cgroup.threads")
        if not os.path.exists(tf):
            tf = os.path.join(d, "tasks")
        with open(tf) as f:
            tids = sorted(int(t) for t in f.read().split())
        mine = set(int(t) for t in os.listdir("/proc/%d/task" % SRV.proc.pid))
        # The cgroup is this server's own (umbra-kdf.PID): only its pool.
        assert os.path.basename(d) == "umbra-kdf.%d" % SRV.proc.pid, d
        ours = set(tids) & mine
        assert len(ours) == 3 and set(tids) == ours, (tids, sorted(mine))
        assert SRV.proc.pid not in ours  # the HTTP thread stays out
    drain_alpha()
    # An idle cgroup gets only the cycles nobody else wants: on a machine
    # busy with other work the derivation may wait long.
    st, _, page = form_post("/report", dict(NOJS_FIELDS, narrative="cg"),
                            timeout=240)
    assert st == 201, (st, page[:300])
    drain_alpha()
    assert SRV.stop() == 0
    if m:
        assert not os.path.exists(m.group(1)), "empty cgroup left behind"
    SRV.start()


def kdf_cgroup_of(log):
    m = re.search(r"Argon2 pool in idle cgroup (\S+)", log)
    return m.group(1) if m else None


def side_server(name, *extra):
    """Another umbra-server on its own port; (process, log path) once it
    answers /healthz."""
    srv = umbra.Server(log=os.path.join(D, name + ".log"), extra=extra)
    srv.start()
    return srv.proc, srv.log


def threads_in(cg):
    tf = os.path.join(cg, "cgroup.threads")
    if not os.path.exists(tf):
        tf = os.path.join(cg, "tasks")
    with open(tf) as f:
        return f.read().split()


def own_cpu_cgroup_v1():
    """This process's cgroup directory in a cgroup v1 cpu hierarchy, or
    None (cgroup v2, no cpu controller)."""
    mounts = [m for m in ("/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct",
                          "/sys/fs/cgroup/cpuacct,cpu") if os.path.isdir(m)]
    if not mounts or os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
        return None
    with open("/proc/self/cgroup") as f:
        for line in f:
            _, ctrl, path = line.rstrip("\n").split(":", 2)
            if "cpu" in ctrl.split(","):
                return mounts[0] + path.rstrip("/")
    return None


def move_to_cgroup(d, pid):
    with open(os.path.join(d, "cgroup.procs"), "w") as f:
        f.write(str(pid))


def test_kdf_cgroup_after_sigkill():
    """A server killed with SIGKILL leaves its empty cgroup; the next one
    removes it (and the empty one of a process that is gone, and the shared
    name of older versions), keeps the cgroups of servers that still run,
    even one whose threads have not joined yet, and leaves nothing behind
    at exit. Where it can (cgroup v1), the test runs its servers in a cpu
    cgroup of its own, so that other servers on this machine neither
    disturb it nor are disturbed."""
    SRV.stop()
    home, box = own_cpu_cgroup_v1(), None
    if home and os.geteuid() == 0:
        try:
            box = os.path.join(home, "umbra-test.%d" % os.getpid())
            os.mkdir(box)
            move_to_cgroup(box, os.getpid())
        except OSError:
            if os.path.isdir(box):
                os.rmdir(box)
            box = None
    sides, made = [], []
    try:
        off = os.path.getsize(SRV.log)
        SRV.start("--kdf_cgroup", "auto")
        dead = kdf_cgroup_of(log_since(off))
        if dead is None:
            assert "warning: kdf_cgroup" in log_since(off)
            print("  (no writable cpu cgroup here: nothing to leave behind)")
            return
        SRV.kill()
        assert os.path.isdir(dead) and not threads_in(dead), (
            "a killed server's cgroup is not its own", dead)
        parent = os.path.dirname(dead)
        assert box is None or parent == box, (parent, box)
        # A server that runs, its pool in its cgroup; another one, started
        # without kdf_cgroup, stands for a server between its mkdir and its
        # threads' joining (its empty cgroup made here by hand).
        sides.append(side_server("server-side1", "--kdf_cgroup", "auto",
                                 "--kdf_threads", "2"))
        live = kdf_cgroup_of(open(sides[0][1]).read())
        assert live and live != dead and len(threads_in(live)) == 2, (
            "two servers share one cgroup", live)
        sides.append(side_server("server-side2"))
        waiting = os.path.join(parent, "umbra-kdf.%d" % sides[1][0].pid)
        gone_proc = subprocess.Popen(["true"])
        gone_proc.wait()
        gone = os.path.join(parent, "umbra-kdf.%d" % gone_proc.pid)
        # The shared name of older versions, only in our own cgroup: an
        # older server elsewhere on this machine would adopt it.
        legacy = os.path.join(parent, "umbra-kdf")
        for d in (waiting, gone) + ((legacy,) if box else ()):
            if not os.path.exists(d):
                os.mkdir(d)
                made.append(d)
        off = os.path.getsize(SRV.log)
        SRV.start("--kdf_cgroup", "auto")
        mine = kdf_cgroup_of(log_since(off))
        assert not os.path.exists(dead), "empty cgroup left behind"
        assert mine and mine not in (dead, live, legacy), mine
        assert not os.path.exists(gone), "a gone process's cgroup was kept"
        assert not box or not os.path.exists(legacy), "empty legacy kept"
        assert os.path.isdir(waiting), "a running server's cgroup removed"
        assert len(threads_in(live)) == 2, "a running server's pool moved"
        assert len(threads_in(mine)) == 2  # kdf_threads' default
        assert SRV.stop() == 0
        assert not os.path.exists(mine), "empty cgroup left behind"
        for proc, _ in sides:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(15) == 0
        assert not os.path.exists(live), "empty cgroup left behind"
        if waiting in made:
            os.rmdir(waiting)
            made.remove(waiting)
        assert not box or not [c for c in os.listdir(box) if os.path.isdir(
            os.path.join(box, c))], ("cgroups left behind", os.listdir(box))
    finally:
        for proc, _ in sides:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        SRV.stop()
        for d in made:
            if os.path.exists(d):
                os.rmdir(d)
        if box:
            move_to_cgroup(home, os.getpid())
            for c in os.listdir(box):  # what a failed run left: ours
                if os.path.isdir(os.path.join(box, c)):
                    os.rmdir(os.path.join(box, c))
            os.rmdir(box)
        SRV.start()


def test_slow_headers_closed_by_deadline():
    """Headers dripped a byte every 0.4 s never trip the inactivity timeout;
    the whole-request deadline must close the connection."""
    srv = umbra.Server(log=os.path.join(D, "server-slow.log"),
                       extra=["--timeout", "5", "--request_deadline", "2"])
    port = srv.port
    try:
        srv.start()
        s = socket.create_connection(("127.0.0.1", port), timeout=0.05)
        head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 100
        t0 = time.time()
        closed = None
        for i in range(len(head)):
            try:
                s.send(head[i:i + 1])
                if s.recv(100) == b"":
                    closed = time.time() - t0
            except socket.timeout:
                pass
            except OSError:
                closed = time.time() - t0
            if closed is not None or time.time() - t0 > 8:
                break
            time.sleep(0.4)
        s.close()
        assert closed is not None and closed < 5, closed
        # an honest request on the same server still works
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/healthz")
        assert c.getresponse().status == 200
        c.close()
    finally:
        srv.stop(15)
    assert srv.proc.returncode == 0, srv.proc.returncode


def raw_error(buf):
    """The error code of a raw answer's JSON body (None if not JSON)."""
    try:
        return json.loads(buf.split(b"\r\n\r\n", 1)[1])["error"]
    except (IndexError, ValueError, KeyError, TypeError):
        return None


def env_size(n, p):
    """protocol.md 2.2: the length of an envelope with n stanzas and a
    padded content of p bytes."""
    i = 6 + 8 * n + p
    return 8 + 88 * n + 24 + i + 17 * ((i + 65535) // 65536)


def padme(x):
    e = x.bit_length() - 1
    z = e - e.bit_length()
    return (x + (1 << z) - 1) & ~((1 << z) - 1)


def test_framing():
    """Ambiguous framing is refused in JSON before any body is read, and
    the connection closed: libmicrohttpd alone takes the first of two
    Content-Lengths, lets Transfer-Encoding override Content-Length,
    closes 'gzip, chunked' without an answer and answers a long chunk
    extension with its own HTML 500."""
    mb = json.dumps({"id": "ab" * 32}).encode()
    head = b"POST /api/v1/mailboxes HTTP/1.1\r\nHost: x\r\n" \
           b"Content-Type: application/json\r\n"
    chunk = b"%x\r\n" % len(mb) + mb + b"\r\n0\r\n\r\n"
    cases = [
        ("two Content-Lengths", 400, "bad_framing",
         head + b"Content-Length: %d\r\nContent-Length: %d\r\n\r\n"
         % (len(mb), len(mb) + 7) + mb + b"GET / HTTP/1.1\r\n\r\n"),
        ("Content-Length and chunked", 400, "bad_framing",
         head + b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n"
         b"\r\n" % len(mb) + chunk),
        ("gzip, chunked", 400, "bad_framing",
         head + b"Transfer-Encoding: gzip, chunked\r\n\r\n" + chunk),
        ("two Transfer-Encodings", 400, "bad_framing",
         head + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: "
         b"chunked\r\n\r\n" + chunk),
        ("100 KB chunk extension", 411, "length_required",
         head + b"Transfer-Encoding: chunked\r\n\r\n" + b"%x;ext=" %
         len(mb) + b"a" * 100_000 + b"\r\n" + mb + b"\r\n0\r\n\r\n"),
        ("chunked", 411, "length_required",
         head + b"Transfer-Encoding: chunked\r\n\r\n" + chunk),
    ]
    for name, status, code, data in cases:
        before = count("mailboxes")
        st, buf = raw(data)
        assert st == status, (name, st, buf[:300])
        assert raw_error(buf) == code, (name, buf[:300])
        h = buf.split(b"\r\n\r\n", 1)[0].lower()
        assert b"connection: close" in h, (name, h)
        assert b"content-type: application/json" in h, (name, h)
        assert count("mailboxes") == before, name
    # the same over a report: nothing stored either
    env = seal("alpha", b"framing")
    before = count()
    st, buf = raw(b"POST /api/v1/orgs/alpha/reports HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Length: %d\r\nContent-Length: 10\r\n\r\n"
                  % len(env) + env)
    assert st == 400 and raw_error(buf) == "bad_framing", buf[:300]
    assert count() == before and SRV.alive()
    # one Content-Length stated twice the same way is still one too many
    st, buf = raw(head + b"Content-Length: %d\r\nContent-Length: %d\r\n"
                  b"\r\n" % (len(mb), len(mb)) + mb)
    assert st == 400 and raw_error(buf) == "bad_framing", buf[:300]
    # and a plain request still works
    st, _, _ = request("POST", "/api/v1/mailboxes", mb,
                       {"Content-Type": "application/json"})
    assert st in (200, 201), st


def server_rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def test_envelope_refused_early():
    """A report that cannot be stored is refused from its headers or its
    first bytes, never buffered: a Content-Length that is no envelope
    length for the organisation and an unknown organisation are answered
    before any body byte; an envelope sealed to keys the organisation does
    not have is not kept past its stanzas (RSS does not grow while its
    senders hold most of it)."""
    hdr = b"POST /api/v1/orgs/%s/reports HTTP/1.1\r\nHost: x\r\n" \
          b"Content-Type: application/octet-stream\r\n" \
          b"Content-Length: %d\r\n\r\n"
    for org, length, status, code in (
            ("alpha", 5000, 400, "bad_envelope"),
            ("alpha", env_size(1, 4096) + 1, 400, "bad_envelope"),
            ("alpha", env_size(2, 4096), 400, "unknown_key"),  # 1 key only
            ("nosuch", env_size(1, 4096), 404, "unknown_org")):
        t0 = time.time()
        st, buf = raw(hdr % (org.encode(), length), read_timeout=5)
        assert st == status and raw_error(buf) == code, (org, length, st,
                                                          buf[:300])
        assert time.time() - t0 < 3, time.time() - t0
    # a header that does not match its Content-Length: refused, nothing kept
    good = seal("alpha", b"early")
    big = env_size(1, padme(7 << 20))  # under the 8 MiB cap
    for head in (b"UMBX" + good[4:96], good[:5] + b"\x02" + good[6:96],
                 good[:4] + b"\x02" + good[5:96]):
        before = count()
        st, buf = raw([hdr % (b"alpha", big), head, b"\0" * (big - 96)],
                      send_all=False)
        assert st == 400 and raw_error(buf) == "bad_envelope", buf[:300]
        assert count() == before
    # sealed to gamma's key: unknown_key once the stanza is in
    gamma = init_home("gamma", "gamma")
    other = subprocess.run([CASE, "seal", "--to",
                            os.path.join(gamma, "public.json")],
                           input=b"x", capture_output=True,
                           check=True).stdout
    n_conns, sent = 8, 6 << 20
    rss0 = server_rss(SRV.proc.pid)
    socks = []
    before = count()
    try:
        for _ in range(n_conns):
            s = socket.create_connection(("127.0.0.1", SRV.port), timeout=20)
            s.sendall(hdr % (b"alpha", big) + other[:96])
            s.sendall(os.urandom(1 << 16) * (sent // (1 << 16)))
            socks.append(s)
        time.sleep(0.5)
        grown = server_rss(SRV.proc.pid) - rss0
        print("  %d connections holding %d MiB each of an envelope to an "
              "unknown key: server RSS grew %.1f MiB" % (
                  n_conns, sent >> 20, grown / 2**20))
        assert grown < 16 << 20, grown
        for s in socks:
            s.sendall(b"\0" * (big - 96 - sent))
        for s in socks:
            buf = b""
            while b"\r\n\r\n" not in buf or not buf.endswith(b"}"):
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
            assert buf.startswith(b"HTTP/1.1 400") and \
                raw_error(buf) == "unknown_key", buf[:300]
    finally:
        for s in socks:
            s.close()
    assert count() == before and SRV.alive()


def test_body_budget():
    """Past body_budget_bytes, a body is answered 503 busy (Retry-After,
    Connection: close) and nothing is stored; bodies of at most 1 MiB keep
    a quarter of the budget that large ones cannot take."""
    srv = umbra.Server(log=os.path.join(D, "server-budget.log"),
                       extra=["--body_budget_bytes", str(4 << 20)])
    port = srv.port

    def post(env):
        """(status, headers, body); a refusal may come before the body is
        sent, then the server closes and the rest is not sent."""
        s = socket.create_connection(("127.0.0.1", port), timeout=20)
        try:
            try:
                s.sendall(b"POST /api/v1/orgs/alpha/reports HTTP/1.1\r\n"
                          b"Host: x\r\nContent-Length: %d\r\n\r\n"
                          % len(env) + env)
            except OSError:
                pass
            buf = recv_until(s, whole_answer)
        finally:
            s.close()
        head, _, body = buf.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        h = {k.strip().lower(): v.strip() for k, _, v in
             (ln.partition(":") for ln in lines[1:])}
        return int(lines[0].split()[1]), h, body
    try:
        srv.start()
        drain_alpha()
        large = seal("alpha", os.urandom(2_500_000))  # padded past 2.5 MB
        small = seal("alpha", b"small report")
        before = count()
        # one client holds most of a large body: 2.5 of the 3 MiB that
        # large bodies may hold
        hold = socket.create_connection(("127.0.0.1", port), timeout=20)
        hold.sendall(b"POST /api/v1/orgs/alpha/reports HTTP/1.1\r\nHost: x\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(large) +
                     large[:len(large) - 1000])
        time.sleep(0.5)
        st, h, body = post(large)
        assert st == 503 and error_code(body) == "busy", (st, body[:200])
        assert h.get("retry-after") and h.get("connection") == "close", h
        st, _, body = post(small)
        assert st == 201, (st, body[:200])
        # the held body completes and is stored; then the large one fits
        hold.sendall(large[len(large) - 1000:])
        buf = hold.recv(4096)
        hold.close()
        assert buf.startswith(b"HTTP/1.1 201"), buf[:200]
        st, _, body = post(large)
        assert st == 201, (st, body[:200])
        assert count() == before + 3
        # a body that passes the budget on the way (here a no-JS form with
        # a 2 MiB attachment, once a 1.4 MB envelope holds its share) is
        # dropped and answered busy when it ends; the other is stored
        form, ctype = multipart([("org", "alpha"), ("narrative", "budget")],
                                [("attachment", "p.png", "image/png",
                                  os.urandom(2 << 20))])
        a = socket.create_connection(("127.0.0.1", port), timeout=20)
        a.sendall(b"POST /report HTTP/1.1\r\nHost: x\r\nContent-Type: %s"
                  b"\r\nContent-Length: %d\r\n\r\n" % (
                      ctype.encode(), len(form)) +
                  form[:1_500_000])
        mid = seal("alpha", os.urandom(1_300_000))
        b = socket.create_connection(("127.0.0.1", port), timeout=20)
        b.sendall(b"POST /api/v1/orgs/alpha/reports HTTP/1.1\r\nHost: x\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(mid) + mid[:-1000])
        time.sleep(0.5)
        a.sendall(form[1_500_000:])
        buf = a.recv(4096)
        a.close()
        assert buf.startswith(b"HTTP/1.1 503") and \
            raw_error(buf) == "busy", buf[:300]
        b.sendall(mid[-1000:])
        buf = b.recv(4096)
        b.close()
        assert buf.startswith(b"HTTP/1.1 201"), buf[:300]
        assert count() == before + 4
        drain_alpha()
    finally:
        srv.stop(15)
    assert srv.proc.returncode == 0, srv.proc.returncode


# ---- the no-JS form: refused reports come back filled -----------------

THAI = "\u0e01"  # one Thai letter: 3 bytes of UTF-8, 1 unit


def filled(page, *texts):
    """Every text (HTML-escaped as the page escapes it) is on the page."""
    import html as h
    return all(h.escape(t, quote=True).encode() in page for t in texts)


def test_nojs_refused_comes_back_filled():
    drain_alpha()
    tag = secrets.token_hex(4)
    base = dict(NOJS_FIELDS, narrative='<b>"story"</b> & ' + tag,
                **{"incident.place": "by the <river> " + tag,
                   "perpetrator.description": "tall " + tag,
                   "perpetrator.type": ["police", "client"],
                   "incident.date": "", "incident.day": "7",
                   "incident.month": "3", "incident.year": "2025"})
    cases = [
        ("bad_date", {"incident.day": "31", "incident.month": "2"}, "day"),
        ("year missing", {"incident.year": ""}, "year"),
        ("field_too_long", {"incident.place": THAI * 201}, "place"),
        ("bad_category", {"categories": ["robbery", "nope"]}, "what"),
        ("bad_perpetrator", {"perpetrator.type": ["police", "x"]}, "who"),
        ("bad_country", {"incident.country": "zzz"}, "country"),
        ("unknown_org", {"org": "nosuch"}, None),
        ("field_too_long", {"perpetrator.identifiers.value": "9" * 201},
         "id1"),
        ("10,000-character handle",
         {"perpetrator.identifiers.kind": "handle",
          "perpetrator.identifiers.value": "h" * 10000}, "id1"),
        ("bad_identifier", {"perpetrator.identifiers.kind": "email"},
         "id1"),
        ("missing_fields", {"narrative": "", "categories": []},
         "narrative"),
    ]
    for name, change, anchor in cases:
        before = count()
        fields = dict(base, **change)
        st, _, page = form_post("/report?lang=th", fields)
        assert st == 400, (name, st)
        assert count() == before, name + ": something was stored"
        assert b'lang="th"' in page, name
        keep = [fields[k] for k in ("perpetrator.description",)
                if fields[k]]
        if fields["narrative"]:
            keep.append(fields["narrative"])
        if "incident.place" not in change:
            keep.append(fields["incident.place"])
        assert filled(page, *keep), (name, page[-1500:])
        assert b'value="police" checked' in page, name
        if "incident.day" not in change:
            assert b'<option value="7" selected>' in page, name
        assert b'role="alert"' in page, name
        if anchor:
            assert ('<a href="#%s">' % anchor).encode() in page, name
            assert page.count(b'aria-invalid="true"') >= 1, name
        # the typed text never reaches the server's log
        with open(SRV.log, "rb") as f:
            assert tag.encode() not in f.read(), name
    # the over-long Thai place comes back whole, its field and cap named
    st, _, page = form_post("/report", dict(base, **{
        "incident.place": THAI * 201, "lang": "th"}))
    assert st == 400 and filled(page, THAI * 201)
    assert b'id="place-error"' in page and b" 200</p>" in page
    drain_alpha()


def test_nojs_limits_and_perpetrators():
    """Caps count what maxlength counts: 200 Thai letters in "Place" and
    20,000 in the narrative are kept; several perpetrators arrive as
    perpetrator.types, none chosen records nothing; the date menus."""
    drain_alpha()
    st, _, page = form_post("/report", dict(NOJS_FIELDS, **{
        "incident.place": THAI * 200, "narrative": THAI * 20000,
        "perpetrator.type": ["client", "police", "client"],
        "incident.date": "", "incident.day": "\u0e57",
        "incident.month": "3", "incident.year": "2025"}))
    assert st == 201, (st, page[-600:])
    rep = sync_get("alpha")["reports"]
    assert len(rep) == 1
    doc = json.loads(case_open("alpha", base64.b64decode(rep[0]["envelope"])))
    assert doc["incident"]["place"] == THAI * 200
    assert doc["narrative"] == THAI * 20000
    assert doc["incident"]["date"] == "2025-03-07", doc["incident"]
    assert doc["perpetrator"]["type"] == "client"
    assert doc["perpetrator"]["types"] == ["client", "police"]
    drain_alpha()
    fields = dict(NOJS_FIELDS, narrative="x")
    del fields["perpetrator.type"]
    del fields["perpetrator.identifiers.value"]
    st, _, _ = form_post("/report", fields)
    assert st == 201
    doc = json.loads(case_open("alpha", base64.b64decode(
        sync_get("alpha")["reports"][0]["envelope"])))
    assert "perpetrator" not in doc, doc
    drain_alpha()
    # over 8 MiB: the page, in the page's language (?lang=), not JSON
    st, resp = raw([b"POST /report?lang=ar HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\n"
                    b"Content-Length: 9000000\r\n\r\n", b"narrative=x"],
                   send_all=False)
    body = resp.split(b"\r\n\r\n", 1)[-1]
    assert st == 413 and b'lang="ar"' in body and b'id="report"' in body, st


def test_check_keeps_the_code():
    bad = "1234 5678 9012 3456 7890 123"
    st, _, page = form_post("/check?lang=vi", {"receipt": bad, "lang": "vi"})
    assert st == 400 and ('value="%s"' % bad).encode() in page
    assert b'aria-invalid="true"' in page and b'lang="vi"' in page
    assert b"not sent".lower() not in page.lower()


TESTS = [
    test_cli,
    test_cli_options,
    test_migrate_makes_its_table,
    test_health_orgs_and_headers,
    test_api_intake_sync_and_ack,
    test_sync_tokens_refused,
    test_nojs_form_and_replies,
    test_nojs_writeback,
    test_nojs_refused_comes_back_filled,
    test_nojs_limits_and_perpetrators,
    test_check_keeps_the_code,
    test_multipart_attachment,
    test_multipart_cut_anywhere,
    test_photo_metadata_allowlist,
    test_static_gzip,
    test_bad_envelopes,
    test_key_rotation,
    test_tampered_org_row,
    test_bundle_rollback,
    test_oversized_requests,
    test_slow_headers_closed_by_deadline,
    test_kdf_cgroup,
    test_kdf_cgroup_after_sigkill,
    test_bad_forms,
    test_bad_json,
    test_roles,
    test_database_down_and_back,
    test_direct_intake_without_window,
    test_quota,
    test_spool_torn_tail,
    test_move_twice_shuffled,
    test_phases_opt_in,
    test_kill_with_reports_in_flight,
    test_metrics_and_privacy,
    test_metrics_listener,
    test_framing,
    test_envelope_refused_early,
    test_body_budget,
]


def main():
    only = sys.argv[1:]
    passed = failed = 0
    SRV.start()
    try:
        for t in TESTS:
            if only and t.__name__ not in only:
                continue
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
                    print("server exited with %s; restarting"
                          % SRV.proc.returncode)
                    with open(SRV.log, "rb") as f:
                        sys.stdout.write(f.read()[-4000:].decode(
                            "utf-8", "replace"))
                    SRV.start()
            sys.stdout.flush()
    finally:
        rc = SRV.stop()
        if rc not in (0, None):
            print("FAIL server exit status %s" % rc)
            failed += 1
            with open(SRV.log, "rb") as f:
                sys.stdout.write(f.read()[-3000:].decode("utf-8", "replace"))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
