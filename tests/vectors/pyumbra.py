#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""pyumbra: an independent implementation of the Umbra protocol, version 1.

Written from docs/protocol.md alone (not from the C code), with PyNaCl for
the libsodium primitives and Python's hashlib for BLAKE2b. It exists to
prove that the document is precise enough to implement from, and that the
C library (client-crypto/) follows it:

    /usr/bin/python3 tests/vectors/pyumbra.py --test build/umbra-vec tests/vectors

checks every known-answer vector in tests/vectors/, then drives the C
library through the umbra-vec CLI: C seals -> Python opens, Python seals ->
C opens, tampered envelopes refused on both sides, the same mailbox derived
from a receipt typed in another script, and a bundle signed in Python
verified in C. Ends with "N passed, N failed".

Limitation: PyNaCl's Argon2id (libsodium crypto_pwhash) only computes one
lane, so key files with p > 1 are checked for layout only.
"""

import base64
import hashlib
import json
import os
import subprocess
import sys

import nacl.bindings as nb
import nacl.exceptions
import nacl.pwhash.argon2id
import nacl.signing

# ---- errors (the names mirror umbra.h's UMBRA_ERR_*) ---------------------


class UmbraError(Exception):
    def __init__(self, code, why=""):
        super().__init__(code + (": " + why if why else ""))
        self.code = code


def fail(code, why=""):
    raise UmbraError(code, why)


def blake2b(data, size=32):
    return hashlib.blake2b(data, digest_size=size).digest()


def le32(b):
    return int.from_bytes(b, "little")


# ---- section 1: key ids ---------------------------------------------------


def key_id(pk):
    return blake2b(b"umbra/keyid/v1" + pk)[:8]


# ---- section 2.1: padding -------------------------------------------------

MAX_PADDED = 16 * 1024 * 1024
CHUNK = 65536
A = 17  # secretstream overhead per chunk
TAG_MESSAGE = nb.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE
TAG_FINAL = nb.crypto_secretstream_xchacha20poly1305_TAG_FINAL


def padme(length):
    e = length.bit_length() - 1  # floor(log2 L)
    s = e.bit_length()  # floor(log2 E) + 1
    z = e - s
    mask = (1 << z) - 1
    return (length + mask) & ~mask


def pad_size(u):
    """The padded content size P of a content of u bytes (0: too long)."""
    for bucket in (4096, 16384, 65536):
        if u <= bucket:
            return bucket
    if u > MAX_PADDED:
        return 0
    p = padme(u)
    return p if p <= MAX_PADDED else 0


def pad_is_valid(p):
    if p in (4096, 16384, 65536):
        return True
    return 65536 < p <= MAX_PADDED and padme(p) == p


def chunks(i):
    return (i + CHUNK - 1) // CHUNK


def inner_header_len(n):
    return 6 + 8 * n  # version, n, key ids, len


def envelope_size(n, content_len):
    if not 1 <= n <= 16 or content_len > MAX_PADDED:
        return 0
    p = pad_size(content_len)
    if p == 0:
        return 0
    i = inner_header_len(n) + p  # I = 6 + 8n + P
    return 8 + 88 * n + 24 + i + A * chunks(i)


# ---- section 2.2, spelled out: libsodium's secretstream push --------------
# Pure Python from the steps in docs/protocol.md section 2.2 (no libsodium),
# so that the vectors prove those steps, padding quirk included.

def _rotl(v, n):
    return ((v << n) & 0xffffffff) | (v >> (32 - n))


def _rounds(x):
    x = list(x)
    for _ in range(10):
        for a, b, c, d in ((0, 4, 8, 12), (1, 5, 9, 13), (2, 6, 10, 14),
                           (3, 7, 11, 15), (0, 5, 10, 15), (1, 6, 11, 12),
                           (2, 7, 8, 13), (3, 4, 9, 14)):
            x[a] = (x[a] + x[b]) & 0xffffffff
            x[d] = _rotl(x[d] ^ x[a], 16)
            x[c] = (x[c] + x[d]) & 0xffffffff
            x[b] = _rotl(x[b] ^ x[c], 12)
            x[a] = (x[a] + x[b]) & 0xffffffff
            x[d] = _rotl(x[d] ^ x[a], 8)
            x[c] = (x[c] + x[d]) & 0xffffffff
            x[b] = _rotl(x[b] ^ x[c], 7)
    return x


_SIGMA = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]


def _words(b):
    return [int.from_bytes(b[i:i + 4], "little") for i in range(0, len(b), 4)]


def hchacha20(key, n16):
    x = _rounds(_SIGMA + _words(key) + _words(n16))
    return b"".join(w.to_bytes(4, "little") for w in x[0:4] + x[12:16])


def chacha20_ietf_xor(key, nonce12, ic, data):
    out = bytearray()
    for blk in range((len(data) + 63) // 64):
        st = _SIGMA + _words(key) + [(ic + blk) & 0xffffffff] + _words(nonce12)
        ks = b"".join(((a + b) & 0xffffffff).to_bytes(4, "little")
                      for a, b in zip(_rounds(st), st))
        part = data[64 * blk:64 * blk + 64]
        out += bytes(p ^ k for p, k in zip(part, ks))
    return bytes(out)


def poly1305(key, msg):
    r = int.from_bytes(key[0:16], "little") & \
        0x0ffffffc0ffffffc0ffffffc0fffffff
    acc, p = 0, (1 << 130) - 5
    for i in range(0, len(msg), 16):
        acc = (acc + int.from_bytes(msg[i:i + 16] + b"\x01", "little")) \
            * r % p
    acc = (acc + int.from_bytes(key[16:32], "little")) % (1 << 128)
    return acc.to_bytes(16, "little")


class SpecStream:
    """The push state of section 2.2: k, a 32-bit counter, an 8-byte
    inonce; init from (file_key, ss_header)."""

    def __init__(self, file_key, ss_header):
        self.k = hchacha20(file_key, ss_header[0:16])
        self.counter = 1
        self.inonce = ss_header[16:24]

    def push(self, m, ad, tag):
        nonce = self.counter.to_bytes(4, "little") + self.inonce
        poly_key = chacha20_ietf_xor(self.k, nonce, 0, bytes(64))[0:32]
        block = chacha20_ietf_xor(self.k, nonce, 1, bytes([tag]) + bytes(63))
        c = chacha20_ietf_xor(self.k, nonce, 2, m)
        ad = ad or b""
        mac = poly1305(poly_key,
                       ad + bytes((16 - len(ad)) % 16) + block + c +
                       bytes(len(m) % 16) +  # libsodium: (16 - 64 + mlen) & 15
                       len(ad).to_bytes(8, "little") +
                       (64 + len(m)).to_bytes(8, "little"))
        self.inonce = bytes(a ^ b for a, b in zip(self.inonce, mac[0:8]))
        self.counter = (self.counter + 1) & 0xffffffff
        assert self.counter != 0  # a rekey: never within 257 chunks
        return block[0:1] + c + mac


# ---- section 2: envelope --------------------------------------------------


def seal(pks, content, rand=os.urandom, spec_stream=False):
    """Seals content to the X25519 public keys pks (section 2.3)."""
    n = len(pks)
    if not 1 <= n <= 16:
        fail("arg", "1 to 16 recipients")
    if len({key_id(pk) for pk in pks}) != n:
        fail("arg", "equal key ids")
    if len(content) > MAX_PADDED:
        fail("too_long")
    file_key = rand(32)
    ss_header = rand(24)
    outer = bytearray(b"UMBR" + bytes([1, n, 0, 0]))
    for pk in pks:
        eseed = rand(32)
        epk, esk = nb.crypto_box_seed_keypair(eseed)
        nonce = blake2b(epk + pk, 24)
        sealed = epk + nb.crypto_box(file_key, nonce, pk, esk)
        assert len(sealed) == 80
        outer += key_id(pk) + sealed
    outer = bytes(outer)
    inner = bytes([1, n]) + b"".join(key_id(pk) for pk in pks)
    inner += len(content).to_bytes(4, "little")
    p = pad_size(len(content))
    inner += content + bytes(p - len(content))
    assert len(inner) == inner_header_len(n) + p
    if spec_stream:
        spec = SpecStream(file_key, ss_header)
    else:
        st = nb.crypto_secretstream_xchacha20poly1305_state()
        nb.crypto_secretstream_xchacha20poly1305_init_pull(st, ss_header,
                                                           file_key)
    body = []
    c = chunks(len(inner))
    for i in range(c):
        last = i == c - 1
        args = (inner[i * CHUNK:(i + 1) * CHUNK], outer if i == 0 else None,
                TAG_FINAL if last else TAG_MESSAGE)
        body.append(spec.push(*args) if spec_stream else
                    nb.crypto_secretstream_xchacha20poly1305_push(st, *args))
    return outer + ss_header + b"".join(body)


def check(env):
    """Section 2.4 step 1; returns (n, I), I the inner plaintext's size."""
    if len(env) < 8:
        fail("truncated")
    if env[0:4] != b"UMBR":
        fail("format", "magic")
    if env[4] != 1:
        fail("version")
    n = env[5]
    if env[6:8] != b"\0\0" or not 1 <= n <= 16:
        fail("format", "reserved or n")
    h = 8 + 88 * n
    if len(env) < h + 24 + A:
        fail("truncated")
    body = len(env) - h - 24
    # Find I with I + 17 * ceil(I / 65536) == body, if any (section 2.2);
    # then P = I - 6 - 8n must be a valid padded size.
    c = (body - 18) // (CHUNK + A) + 1 if body >= 18 else 0
    i = body - A * c
    if (c == 0 or chunks(i) != c or i < inner_header_len(n) or
            not pad_is_valid(i - inner_header_len(n))):
        fail("size")
    ids = [env[8 + 88 * i:16 + 88 * i] for i in range(n)]
    if len(set(ids)) != n:
        fail("format", "duplicate key ids")
    return n, i


def open_envelope(env, keypairs):
    """Opens env with a list of (sk, pk); returns (content, index)."""
    n, isz = check(env)
    h = 8 + 88 * n
    outer = env[:h]
    ours = [(key_id(pk), sk, pk) for sk, pk in keypairs]
    file_key = None
    found = False
    which = None
    for i in range(n):
        stanza = env[8 + 88 * i:8 + 88 * (i + 1)]
        for j, (kid, sk, pk) in enumerate(ours):
            if stanza[:8] != kid:
                continue
            found = True
            try:
                file_key = nb.crypto_box_seal_open(stanza[8:], pk, sk)
                which = j
                break
            except nacl.exceptions.CryptoError:
                pass
        if file_key is not None:
            break
    if not found:
        fail("no_key")
    if file_key is None:
        fail("decrypt", "no stanza opens")
    st = nb.crypto_secretstream_xchacha20poly1305_state()
    nb.crypto_secretstream_xchacha20poly1305_init_pull(
        st, env[h:h + 24], file_key)
    pos = h + 24
    inner = []
    for i in range(chunks(isz)):
        clen = min(CHUNK, isz - i * CHUNK)
        try:
            m, tag = nb.crypto_secretstream_xchacha20poly1305_pull(
                st, env[pos:pos + clen + A], outer if i == 0 else None)
        except nacl.exceptions.CryptoError:
            fail("decrypt", "chunk %d" % i)
        want = TAG_FINAL if i == chunks(isz) - 1 else TAG_MESSAGE
        if tag != want:
            fail("decrypt", "tag of chunk %d" % i)
        inner.append(m)
        pos += clen + A
    inner = b"".join(inner)
    plen = inner_header_len(n)
    if inner[0] != 1 or inner[1] != n:
        fail("inner", "version or n")
    for i in range(n):
        if inner[2 + 8 * i:10 + 8 * i] != env[8 + 88 * i:16 + 88 * i]:
            fail("inner", "key id %d" % i)
    length = le32(inner[plen - 4:plen])
    if length > isz - plen:  # len > P
        fail("inner", "length")
    if any(inner[plen + length:]):
        fail("inner", "padding")
    return inner[plen:plen + length], which


# ---- section 3: bundle and fingerprint ----------------------------------


def _no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            fail("format", "duplicate member " + k)
        d[k] = v
    return d


def _slug_ok(s):
    return (isinstance(s, str) and 1 <= len(s) <= 63 and s[0] != "-" and
            all(c in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in s))


def _date_ok(s):
    import datetime
    if not isinstance(s, str) or len(s) != 10 or s[4] != "-" or s[7] != "-":
        return False
    try:
        datetime.date(int(s[0:4]), int(s[5:7]), int(s[8:10]))
    except ValueError:
        return False
    return s[0:4].isdigit() and s[5:7].isdigit() and s[8:10].isdigit()


def _b64(s, size):
    if not isinstance(s, str):
        fail("format", "base64 not a string")
    try:
        raw = base64.b64decode(s, validate=True)
    except ValueError:
        fail("format", "bad base64")
    if len(raw) != size or base64.b64encode(raw).decode() != s:
        fail("format", "base64 of the wrong size or not canonical")
    return raw


SERIAL_MAX = 2 ** 53 - 1


MAY_ORDER = ["events", "alerts"]


def signed_text(org, created, signing_key_b64, keys, serial=0, signers=()):
    lines = ["umbra.keys/1", "org " + org, "created " + created]
    if serial > 0:
        lines.append("serial %d" % serial)
    lines.append("signing_key " + signing_key_b64)
    for k in keys:
        lines.append("key %s %s %s" % (k["id"], k["x25519"], k["created"]))
    # one line per signer: signing key, key id or -, may, name (UTF-8)
    for g in signers:
        lines.append("signer %s %s %s %s" % (g["signing_key"],
                                             g.get("key", "-"),
                                             ",".join(g["may"]), g["name"]))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _name_ok(s):
    """A member's name: 1..64 bytes of UTF-8, no control character."""
    return (isinstance(s, str) and 1 <= len(s.encode("utf-8")) <= 64 and
            all(ord(c) >= 0x20 and ord(c) != 0x7f for c in s))


def _signers_check(b, ids):
    """The optional "signers" of parsed bundle b (its key ids in ids)."""
    if "signers" not in b:
        return []
    sg = b["signers"]
    if not isinstance(sg, list) or not 1 <= len(sg) <= 16:
        fail("format", "signers")
    seen = set()
    for g in sg:
        if not isinstance(g, dict) or not _name_ok(g.get("name")):
            fail("format", "signer name")
        spk = _b64(g.get("signing_key"), 32)
        if "key" in g and g["key"] not in ids:
            fail("format", "signer key not one of the keys")
        may = g.get("may")
        if (not isinstance(may, list) or not may or
                any(not isinstance(m, str) or m not in MAY_ORDER
                    for m in may) or
                may != [m for m in MAY_ORDER if m in may]):
            fail("format", "signer may")
        if spk in seen:
            fail("format", "two signers alike")
        seen.add(spk)
    return sg


def bundle_signer(b, sign_pk, may):
    """The name of whoever b lets sign with sign_pk every right in may, or
    None; the key holder may always sign both (its entry's name, else the
    org slug)."""
    key = base64.b64encode(sign_pk).decode()
    entry = next((g for g in b.get("signers", []) if g["signing_key"] == key),
                 None)
    if key == b["signing_key"]:
        return entry["name"] if entry else b["org"]
    if entry is None or any(m not in entry["may"] for m in may):
        return None
    return entry["name"]


def bundle_verify(text):
    """Parses and verifies a bundle (bytes); returns the parsed dict."""
    if len(text) > 65536:
        fail("too_long")
    try:
        b = json.loads(text.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (ValueError, UnicodeDecodeError):
        fail("format", "not JSON")
    if not isinstance(b, dict) or not isinstance(b.get("format"), str):
        fail("format")
    if b["format"] != "umbra.keys/1":
        fail("version")
    if not _slug_ok(b.get("org")) or not _date_ok(b.get("created")):
        fail("format", "org or created")
    serial = 0
    if "serial" in b:
        # a JSON integer 1 .. 2^53 - 1 (not 7.0, not "7", not 0: absent
        # is the one spelling of 0); bool is an int in Python, not in JSON
        v = b["serial"]
        if (not isinstance(v, int) or isinstance(v, bool) or
                not 1 <= v <= SERIAL_MAX):
            fail("format", "serial")
        serial = v
    sign_pk = _b64(b.get("signing_key"), 32)
    keys = b.get("keys")
    if not isinstance(keys, list) or not 1 <= len(keys) <= 16:
        fail("format", "keys")
    ids = set()
    for k in keys:
        if not isinstance(k, dict):
            fail("format", "key entry")
        pk = _b64(k.get("x25519"), 32)
        if k.get("id") != key_id(pk).hex() or not _date_ok(k.get("created")):
            fail("format", "key id or date")
        if k["id"] in ids:
            fail("format", "same key twice")
        ids.add(k["id"])
    signers = _signers_check(b, ids)
    sig = _b64(b.get("signature"), 64)
    text = signed_text(b["org"], b["created"], b["signing_key"], keys,
                       serial, signers)
    try:
        nacl.signing.VerifyKey(sign_pk).verify(text, sig)
    except nacl.exceptions.BadSignatureError:
        fail("signature")
    b["serial"] = serial
    return b


def bundle_may_replace(cur, new):
    """Whether parsed bundle new may replace cur (same signing key): a
    higher serial, or the same serial with the same signed content."""
    if cur["signing_key"] != new["signing_key"]:
        fail("arg", "another signing key")
    if new["serial"] != cur["serial"]:
        if new["serial"] < cur["serial"]:
            fail("rollback")
        return
    def text(b):
        return signed_text(b["org"], b["created"], b["signing_key"],
                           b["keys"], b["serial"], b.get("signers", []))
    if text(cur) != text(new):
        fail("rollback", "other content under the same serial")


def bundle_make(org, created, sign_seed, keys, serial=0, signers=()):
    """A signed bundle; keys: list of (pk, created); signers: list of
    dicts as the JSON has them (name, signing_key, key?, may)."""
    sk = nacl.signing.SigningKey(sign_seed)
    skb = base64.b64encode(bytes(sk.verify_key)).decode()
    entries = [{"id": key_id(pk).hex(), "x25519": base64.b64encode(pk).decode(),
                "created": c} for pk, c in keys]
    sig = sk.sign(signed_text(org, created, skb, entries, serial,
                              signers)).signature
    doc = {"format": "umbra.keys/1", "org": org, "created": created}
    if serial > 0:
        doc["serial"] = serial
    doc.update({"signing_key": skb, "keys": entries})
    if signers:
        doc["signers"] = list(signers)
    doc["signature"] = base64.b64encode(sig).decode()
    return json.dumps(doc)


def fingerprint(sign_pk):
    f = blake2b(b"umbra/fingerprint/v1" + sign_pk)
    groups = []
    for i in range(6):
        v = int.from_bytes(f[5 * i:5 * i + 5], "big") % 100000
        groups.append("%05d" % v)
    return " ".join(groups)


# ---- section 4: key file --------------------------------------------------


def keyfile_params_ok(m, t, p):
    return (8192 <= m <= 1048576 and 1 <= t <= 16 and 1 <= p <= 16 and
            m >= 8 * p and m * t <= 1048576)


def keyfile_header(buf):
    if len(buf) < 64:
        fail("truncated")
    if buf[0:8] != b"UMBRAKEY":
        fail("format")
    if buf[8] != 1:
        fail("version")
    if buf[9] != 1 or buf[10:12] != b"\0\0":
        fail("format")
    m, t, p = le32(buf[12:16]), le32(buf[16:20]), le32(buf[20:24])
    if not keyfile_params_ok(m, t, p):
        fail("params")
    min_payload = 8 + 1 + 1 + 10 + 32 + 64 + 1 + 42
    if len(buf) < 64 + 16 + min_payload:
        fail("truncated")
    if len(buf) > 65536:
        fail("too_long")
    return m, t, p


def argon2id_p1(password, salt, t, m_kib, size):
    return nacl.pwhash.argon2id.kdf(size, password, salt, opslimit=t,
                                    memlimit=m_kib * 1024)


def keyfile_decode(buf, passphrase):
    m, t, p = keyfile_header(buf)
    if p != 1:
        fail("arg", "PyNaCl computes Argon2id with one lane only")
    key = argon2id_p1(passphrase, buf[24:40], t, m, 32)
    try:
        pl = nb.crypto_aead_xchacha20poly1305_ietf_decrypt(
            buf[64:], buf[:64], buf[40:64], key)
    except nacl.exceptions.CryptoError:
        fail("decrypt")
    if pl[:8] != b"UMBRASEC":
        fail("format")
    s = pl[8]
    pos = 9
    slug = pl[pos:pos + s].decode("ascii")
    pos += s
    created = pl[pos:pos + 10].decode("ascii")
    pos += 10
    store_key = pl[pos:pos + 32]
    pos += 32
    sign_sk = pl[pos:pos + 64]
    pos += 64
    k = pl[pos]
    pos += 1
    if len(pl) != pos + 42 * k or not 1 <= k <= 16:
        fail("format")
    xs = []
    for _ in range(k):
        sk = pl[pos:pos + 32]
        xs.append({"sk": sk.hex(),
                   "pk": nb.crypto_scalarmult_base(sk).hex(),
                   "created": pl[pos + 32:pos + 42].decode("ascii")})
        pos += 42
    return {"slug": slug, "created": created, "store_key": store_key.hex(),
            "sign_seed": sign_sk[:32].hex(), "sign_pk": sign_sk[32:].hex(),
            "x25519": xs}


def keyfile_encode(keys, passphrase, m, t, p, rand=os.urandom):
    header = b"UMBRAKEY" + bytes([1, 1, 0, 0]) + m.to_bytes(4, "little")
    header += t.to_bytes(4, "little") + p.to_bytes(4, "little")
    salt, nonce = rand(16), rand(24)
    header += salt + nonce
    seed = bytes.fromhex(keys["sign_seed"])
    sign_pk = bytes(nacl.signing.SigningKey(seed).verify_key)
    pl = b"UMBRASEC" + bytes([len(keys["slug"])]) + keys["slug"].encode()
    pl += keys["created"].encode() + bytes.fromhex(keys["store_key"])
    pl += seed + sign_pk + bytes([len(keys["x25519"])])
    for x in keys["x25519"]:
        pl += bytes.fromhex(x["sk"]) + x["created"].encode()
    key = argon2id_p1(passphrase, salt, t, m, 32)
    return header + nb.crypto_aead_xchacha20poly1305_ietf_encrypt(
        pl, header, nonce, key)


# ---- section 5: receipts and mailboxes ----------------------------------

DAMM = [
    [0, 3, 1, 7, 5, 9, 8, 6, 4, 2], [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
    [4, 2, 0, 6, 8, 7, 1, 3, 5, 9], [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
    [6, 1, 2, 3, 0, 4, 5, 9, 7, 8], [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
    [5, 8, 6, 9, 7, 2, 0, 1, 3, 4], [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
    [9, 4, 3, 8, 6, 1, 7, 2, 0, 5], [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
]

DIGIT_ZEROS = [0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0x0ED0, 0x1040,
               0x17E0, 0xFF10]
SEPARATORS = {0x20, 0x09, 0xA0, 0x2007, 0x202F, 0x3000, 0x2D, 0x2010,
              0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFF0D, 0x2E}


def damm(digits):
    interim = 0
    for d in digits:
        interim = DAMM[interim][int(d)]
    return interim


def receipt_from_random(rand_bytes):
    """Receipt from a byte stream: one byte per draw, bytes >= 250
    rejected (256 - 256 % 10), digit = byte % 10."""
    digits = []
    it = iter(rand_bytes)
    while len(digits) < 23:
        b = next(it)
        if b < 250:
            digits.append(str(b % 10))
    digits.append(str(damm(digits)))
    s = "".join(digits)
    return " ".join(s[i:i + 4] for i in range(0, 24, 4))


def normalise(raw):
    if len(raw) > 256:
        fail("too_long")
    try:
        text = raw.decode("utf-8", "strict")
    except UnicodeDecodeError:
        fail("format", "invalid UTF-8")
    out = []
    for ch in text:
        cp = ord(ch)
        if 0x30 <= cp <= 0x39:
            out.append(ch)
            continue
        zero = next((z for z in DIGIT_ZEROS if z <= cp <= z + 9), None)
        if zero is not None:
            out.append(str(cp - zero))
        elif cp in SEPARATORS:
            continue
        else:
            fail("format", "character U+%04X" % cp)
    if len(out) != 24:
        fail("format", "%d digits" % len(out))
    if damm(out) != 0:
        fail("checksum")
    return "".join(out)


def mailbox_derive(digits):
    out = argon2id_p1(digits.encode("ascii"), b"umbra.receipt.v1", 2, 19456,
                      64)
    pk, sk = nb.crypto_box_seed_keypair(out[:32])
    lookup = out[32:]
    return {"argon2id_out": out.hex(), "mailbox_pk": pk.hex(),
            "mailbox_sk": sk.hex(), "lookup_id": lookup.hex(),
            "mailbox_id": blake2b(b"umbra/mailbox/v1" + lookup).hex()}


# ---- section 6.1: follow-up proofs -----------------------------------------


def followup_proof(pk, sk, mailbox_id, narrative):
    """BLAKE2b-256 keyed with crypto_box_beforenm(pk, sk) over the label,
    mailbox_id and SHA-512(narrative): the reporter passes (org_pk,
    mailbox_sk), the organisation (mailbox_pk, org_sk)."""
    key = nb.crypto_box_beforenm(pk, sk)
    return hashlib.blake2b(b"umbra/follow-up/v1" + mailbox_id +
                           hashlib.sha512(narrative).digest(), key=key,
                           digest_size=32).digest()


# ---- the test ------------------------------------------------------------


class Stream:
    """Hands out the recorded "random" bytes of a vector, in order."""

    def __init__(self, data):
        self.data, self.pos = data, 0

    def __call__(self, n):
        out = self.data[self.pos:self.pos + n]
        assert len(out) == n, "vector randomness exhausted"
        self.pos += n
        return out


class Runner:
    def __init__(self, vec, vdir):
        self.vec, self.vdir = vec, vdir
        self.passed = self.failed = 0

    def ok(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL " + what)

    def raises(self, code, fn, what):
        try:
            fn()
        except UmbraError as e:
            self.ok(e.code == code, "%s: got %s, want %s" % (what, e.code, code))
            return
        self.ok(False, what + ": no error")

    def load(self, name):
        with open(os.path.join(self.vdir, name), "rb") as f:
            return json.loads(f.read())

    def c(self, args, data=b""):
        r = subprocess.run([self.vec] + args, input=data, capture_output=True,
                           timeout=120)
        return r.returncode, r.stdout, r.stderr.decode(errors="replace")

    # vectors ------------------------------------------------------------
    def vectors(self):
        for c in self.load("keyid.json")["cases"]:
            self.ok(key_id(bytes.fromhex(c["pk"])).hex() == c["key_id"],
                    "key id of " + c["pk"])
        pad = self.load("padding.json")
        for c in pad["padded"]:
            self.ok(pad_size(c["u"]) == c["padded"], "pad_size(%d)" % c["u"])
            self.ok(pad_is_valid(c["u"]) == c["u_is_valid_padded"],
                    "pad_is_valid(%d)" % c["u"])
        for c in pad["envelope_len"]:
            self.ok(envelope_size(c["n"], c["content_len"]) ==
                    c["envelope_len"], "envelope_size %r" % c)
        # The worked sizes of protocol section 2.2 (padding on the content).
        for n, size, total in ((1, 0, 4247), (1, 4096, 4247),
                               (1, 16384, 16535), (1, 65536, 65704),
                               (1, 16777216, 16781719),
                               (1, 16777217, 0)):
            self.ok(envelope_size(n, size) == total,
                    "protocol 2.2: n=%d, %d bytes -> %d" % (n, size, total))
        self.raises("size", lambda: check(b"UMBR\x01\x01" +
                                          bytes(4233 - 6)),
                    "protocol 2.2: 4233 bytes (P = 4082) is off-size")
        for name in ("envelope-1.json", "envelope-3.json"):
            v = self.load(name)
            pks = [bytes.fromhex(r["pk"]) for r in v["recipients"]]
            content = bytes.fromhex(v["content"])
            env = seal(pks, content, Stream(bytes.fromhex(v["random"])))
            self.ok(env.hex() == v["envelope"], name + ": same bytes")
            env = seal(pks, content, Stream(bytes.fromhex(v["random"])),
                       spec_stream=True)
            self.ok(env.hex() == v["envelope"],
                    name + ": same bytes with the secretstream steps of "
                    "protocol 2.2 in pure Python")
            for i, r in enumerate(v["recipients"]):
                got, _ = open_envelope(bytes.fromhex(v["envelope"]),
                                       [(bytes.fromhex(r["sk"]), pks[i])])
                self.ok(got == content, "%s: recipient %d opens" % (name, i))
        v = self.load("keyfile.json")
        kf = bytes.fromhex(v["keyfile"])
        pw = v["passphrase"].encode()
        pp = v["params"]
        self.ok(argon2id_p1(pw, kf[24:40], pp["t"], pp["m_kib"], 32).hex() ==
                v["argon2id_key"], "keyfile: Argon2id key")
        keys = keyfile_decode(kf, pw)
        want = dict(v["keys"])
        want["x25519"] = [{"sk": x["sk"], "pk": x["pk"],
                           "created": x["created"]} for x in want["x25519"]]
        self.ok(keys == want, "keyfile: decoded keys")
        again = keyfile_encode(v["keys"], pw, pp["m_kib"], pp["t"], pp["p"],
                               Stream(bytes.fromhex(v["random"])))
        self.ok(again == kf, "keyfile: re-encoded bytes")
        self.raises("decrypt", lambda: keyfile_decode(kf, b"wrong"),
                    "keyfile: wrong passphrase")
        v2 = self.load("keyfile-p2.json")
        kf2 = bytes.fromhex(v2["keyfile"])
        self.ok(keyfile_header(kf2) == (8192, 1, 2) and
                len(kf2) == len(kf), "keyfile-p2: header layout")
        b = self.load("bundle.json")
        parsed = bundle_verify(b["bundle"].encode())
        self.ok(signed_text(parsed["org"], parsed["created"],
                            parsed["signing_key"], parsed["keys"]).decode() ==
                b["signed_text"], "bundle: signed text")
        self.ok(fingerprint(base64.b64decode(parsed["signing_key"])) ==
                b["fingerprint"], "bundle: fingerprint")
        self.ok(parsed["serial"] == 0, "bundle without serial: serial 0")
        v = self.load("bundle-serial.json")
        parsed = bundle_verify(v["bundle"].encode())
        self.ok(parsed["serial"] == v["serial"] and len(parsed["keys"]) == 2,
                "bundle-serial: verifies, serial 7, two keys")
        self.ok(signed_text(parsed["org"], parsed["created"],
                            parsed["signing_key"], parsed["keys"],
                            parsed["serial"]).decode() == v["signed_text"],
                "bundle-serial: signed text")
        older = bundle_verify(v["older"]["bundle"].encode())
        self.ok(older["serial"] == v["older"]["serial"],
                "bundle-serial: the older bundle verifies on its own")
        self.raises("rollback", lambda: bundle_may_replace(parsed, older),
                    "bundle-serial: the older may not replace serial 7")
        bundle_may_replace(older, parsed)
        bundle_may_replace(parsed, parsed)
        self.ok(True, "bundle-serial: 6 -> 7 and 7 -> 7 allowed")
        for c in v["invalid"]:
            self.raises(c["error"], lambda: bundle_verify(c["bundle"].encode()),
                        "bundle-serial invalid: " + c["what"])
        for lit in ("7.0", "7e0", "true"):
            t = v["bundle"].replace('"serial": 7,', '"serial": %s,' % lit)
            self.raises("format", lambda: bundle_verify(t.encode()),
                        "bundle-serial: serial %s refused" % lit)
        v = self.load("bundle-signers.json")
        parsed = bundle_verify(v["bundle"].encode())
        self.ok(len(parsed["signers"]) == 3 and
                parsed["signers"][1]["name"] == v["members"][0]["name"],
                "bundle-signers: verifies, three signers")
        self.ok(signed_text(parsed["org"], parsed["created"],
                            parsed["signing_key"], parsed["keys"],
                            parsed["serial"], parsed["signers"]) ==
                v["signed_text"].encode("utf-8"), "bundle-signers: signed text")
        for q in v["queries"]:
            got = bundle_signer(parsed, base64.b64decode(q["signing_key"]),
                                q["may"])
            self.ok(got == q["signer"], "bundle-signers: %s may %s: %r" %
                    (q["signing_key"][:8], ",".join(q["may"]), got))
        for c in v["invalid"]:
            self.raises(c["error"], lambda: bundle_verify(c["bundle"].encode()),
                        "bundle-signers invalid: " + c["what"])
        for c in self.load("fingerprint.json")["cases"]:
            self.ok(fingerprint(bytes.fromhex(c["signing_pk"])) ==
                    c["fingerprint"], "fingerprint " + c["fingerprint"])
        for c in self.load("receipt.json")["cases"]:
            self.ok(receipt_from_random(bytes.fromhex(c["random"])) ==
                    c["receipt"], "receipt " + c["receipt"])
            self.ok(normalise(c["receipt"].encode()) == c["digits"],
                    "receipt digits")
            self.ok(mailbox_derive(c["digits"]) == c["mailbox"],
                    "mailbox of " + c["receipt"])
        for i, c in enumerate(self.load("followup.json")["cases"]):
            b = {k: bytes.fromhex(c[k]) for k in
                 ("mailbox_pk", "mailbox_sk", "mailbox_id", "org_pk",
                  "org_sk", "proof")}
            text = c["narrative"].encode("utf-8")
            mb = mailbox_derive(c["digits"])
            self.ok(mb["mailbox_pk"] == c["mailbox_pk"] and
                    mb["mailbox_id"] == c["mailbox_id"],
                    "follow-up %d: the mailbox of its receipt" % i)
            self.ok(hashlib.sha512(text).hexdigest() == c["narrative_sha512"],
                    "follow-up %d: narrative SHA-512" % i)
            self.ok(followup_proof(b["org_pk"], b["mailbox_sk"],
                                   b["mailbox_id"], text) == b["proof"],
                    "follow-up %d: the reporter's proof" % i)
            self.ok(followup_proof(b["mailbox_pk"], b["org_sk"],
                                   b["mailbox_id"], text) == b["proof"],
                    "follow-up %d: the organisation's check" % i)
            self.ok(base64.b64encode(b["proof"]).decode() == c["proof_b64"],
                    "follow-up %d: proof in base64" % i)
            self.ok(followup_proof(b["mailbox_pk"], b["org_sk"],
                                   b["mailbox_id"], text + b"!") !=
                    b["proof"], "follow-up %d: another text, another proof"
                    % i)
        for c in self.load("normalise.json")["cases"]:
            raw = bytes.fromhex(c["input_hex"])
            try:
                got = ("digits", normalise(raw))
            except UmbraError as e:
                got = ("error", e.code)
            want = ("digits", c["digits"]) if "digits" in c else \
                ("error", c["error"])
            self.ok(got == want, "normalise %r: %r != %r" % (raw[:40], got,
                                                               want))

    # interop --------------------------------------------------------------
    def interop(self):
        kps = [nb.crypto_box_keypair() for _ in range(3)]  # (pk, sk)
        pks = [pk for pk, _ in kps]
        for size in (0, 1, 4096, 4097, 16384, 16385, 65536, 70000, 300000):
            content = os.urandom(size)
            rc, env, err = self.c(["seal"] + [pk.hex() for pk in pks],
                                  content)
            self.ok(rc == 0 and len(env) == envelope_size(3, size),
                    "C seals %d bytes: %s" % (size, err))
            if rc != 0:
                continue
            self.ok(check(env)[0] == 3, "Python checks the C envelope")
            got, which = open_envelope(env, [(kps[2][1], kps[2][0])])
            self.ok(got == content and which == 0,
                    "Python opens a C envelope of %d bytes" % size)
            penv = seal(pks, content)
            rc, out, err = self.c(["open", kps[1][1].hex()], penv)
            self.ok(rc == 0 and out == content,
                    "C opens a Python envelope of %d bytes: %s" % (size, err))
        content = b'{"schema":"umbra.report/1","narrative":"test"}'
        env = seal(pks[:1], content)
        for pos, code in ((0, "format"), (4, "version"), (9, "no_key"),
                          (50, "decrypt"), (100, "decrypt"),
                          (len(env) - 1, "decrypt")):
            bad = bytearray(env)
            bad[pos] ^= 0x01
            self.raises(code, lambda: open_envelope(bytes(bad),
                                                    [(kps[0][1], kps[0][0])]),
                        "Python: flipped byte %d" % pos)
            rc, _, err = self.c(["open", kps[0][1].hex()], bytes(bad))
            self.ok(rc == 1 and err.strip() != "",
                    "C refuses the flipped byte %d" % pos)
        self.raises("size", lambda: open_envelope(env[:-1], [kps[0][::-1]]),
                    "Python: one byte short")
        self.raises("no_key", lambda: open_envelope(env, [kps[1][::-1]]),
                    "Python: not our key")
        rc, _, err = self.c(["open", kps[1][1].hex()], env)
        self.ok(rc == 1 and "not addressed" in err, "C: not our key: " + err)
        # A receipt typed in Thai digits with dashes: same mailbox.
        v = self.load("receipt.json")["cases"][0]
        thai = "-".join("".join(chr(0x0E50 + int(d)) for d in
                                v["digits"][i:i + 4]) for i in range(0, 24, 4))
        rc, out, err = self.c(["mailbox", thai])
        got = json.loads(out) if rc == 0 else {}
        self.ok(rc == 0 and got.get("digits") == v["digits"] and
                got.get("mailbox_id") == v["mailbox"]["mailbox_id"] and
                got.get("mailbox_pk") == mailbox_derive(v["digits"])[
                    "mailbox_pk"], "C derives the same mailbox: " + err)
        # A bundle signed in Python, verified in C.
        seed = os.urandom(32)
        text = bundle_make("py-org", "2026-03-01", seed,
                           [(pks[0], "2026-03-01"), (pks[1], "2026-03-02")])
        path = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                            "pyumbra-bundle-%d.json" % os.getpid())
        with open(path, "w") as f:
            f.write(text)
        rc, out, err = self.c(["bundle", path])
        fp = fingerprint(bytes(nacl.signing.SigningKey(seed).verify_key))
        self.ok(rc == 0 and out.decode().strip() == "py-org 2 " + fp,
                "C verifies a Python bundle: %s%s" % (out, err))
        with open(path, "w") as f:
            f.write(text.replace("py-org", "py-orh"))
        rc, out, err = self.c(["bundle", path])
        self.ok(rc == 1 and "signature" in err, "C: altered bundle refused")
        # With a serial: signed in Python, verified in C; C refuses every
        # invalid serial of the vectors, and 7.0 / 7e0 / true, as Python does.
        text = bundle_make("py-org", "2026-03-01", seed,
                           [(pks[0], "2026-03-01")], serial=41)
        with open(path, "w") as f:
            f.write(text)
        rc, out, err = self.c(["bundle", path])
        self.ok(rc == 0 and out.decode().strip() ==
                "py-org 1 " + fp + " serial 41",
                "C verifies a Python bundle with serial 41: %s%s" % (out, err))
        # With signers: signed in Python, verified in C, and the vectors'
        # refused signers refused by C too.
        mseed = os.urandom(32)
        mpk = bytes(nacl.signing.SigningKey(mseed).verify_key)
        text = bundle_make("py-org", "2026-03-01", seed,
                           [(pks[0], "2026-03-01"), (pks[1], "2026-03-01")],
                           serial=42, signers=[
                               {"name": "Ana Mar\u00eda",
                                "signing_key": base64.b64encode(mpk).decode(),
                                "key": key_id(pks[1]).hex(),
                                "may": ["events", "alerts"]},
                               {"name": "Desk", "signing_key":
                                base64.b64encode(bytes(nacl.signing.SigningKey(
                                    seed).verify_key)).decode(),
                                "may": ["alerts"]}])
        with open(path, "w") as f:
            f.write(text)
        rc, out, err = self.c(["bundle", path])
        self.ok(rc == 0 and out.decode().strip() ==
                "py-org 2 " + fp + " serial 42 signers 2",
                "C verifies a Python bundle with signers: %s%s" % (out, err))
        with open(path, "w") as f:
            f.write(text.replace("Ana Mar", "Ana Mer"))
        rc, out, err = self.c(["bundle", path])
        self.ok(rc == 1 and "signature" in err,
                "C: a signer's name altered: refused")
        bad = [(c["what"], c["bundle"], c["error"])
               for c in self.load("bundle-signers.json")["invalid"]]
        v = self.load("bundle-serial.json")
        bad += [(c["what"], c["bundle"], c["error"]) for c in v["invalid"]]
        for lit in ("7.0", "7e0", "true"):
            bad.append(("serial " + lit, v["bundle"].replace(
                '"serial": 7,', '"serial": %s,' % lit), "format"))
        phrase = {"format": "malformed", "signature": "signature"}
        for what, text, code in bad:
            with open(path, "w") as f:
                f.write(text)
            rc, out, err = self.c(["bundle", path])
            self.ok(rc == 1 and phrase[code] in err,
                    "C refuses bundle-serial %s: %s" % (what, err.strip()))
        os.unlink(path)
        # A key file written in Python, read by C.
        kv = self.load("keyfile.json")
        kf = keyfile_encode(kv["keys"], b"py pass", 8192, 1, 1)
        path = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                            "pyumbra-key-%d" % os.getpid())
        with open(path, "wb") as f:
            f.write(kf)
        rc, out, err = self.c(["keyfile", path, "py pass"])
        self.ok(rc == 0 and json.loads(out) == kv["keys"],
                "C reads a Python key file: " + err)
        os.unlink(path)


def main():
    if len(sys.argv) != 4 or sys.argv[1] != "--test":
        print("usage: pyumbra.py --test UMBRA_VEC VECTOR_DIR", file=sys.stderr)
        return 2
    r = Runner(sys.argv[2], sys.argv[3])
    for part in (r.vectors, r.interop):
        try:
            part()
        except Exception as e:  # a crash counts as a failure, keep going
            import traceback
            traceback.print_exc()
            r.ok(False, "%s raised %r" % (part.__name__, e))
    print("%d passed, %d failed" % (r.passed, r.failed))
    return 0 if r.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
