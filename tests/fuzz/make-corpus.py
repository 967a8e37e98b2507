#!/usr/bin/python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Writes the seed corpora of the libumbra fuzz harnesses into
tests/fuzz/corpus/ (run from the repository root; the output is checked
in, so rerun only when a format or a harness changes).

Envelopes are sealed to the harnesses' fixed key (seed = BLAKE2b-256 of
"umbra fuzz key"), the key file uses the passphrase "fuzz" and the
smallest parameters, so that the fuzzer starts past the MACs."""

import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "vectors"))
import pyumbra  # noqa: E402
import nacl.bindings as nb  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "corpus")


def write(harness, name, data):
    d = os.path.join(OUT, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    seed = hashlib.blake2b(b"umbra fuzz key", digest_size=32).digest()
    pk, sk = nb.crypto_box_seed_keypair(seed)
    other = [nb.crypto_box_keypair()[0] for _ in range(2)]
    doc = b'{"schema":"umbra.report/1","narrative":"seed"}'
    write("envelope_open", "one", b"\0" + pyumbra.seal([pk], doc))
    write("envelope_open", "three", b"\0" + pyumbra.seal(other + [pk], b""))
    write("envelope_open", "other", b"\0" + pyumbra.seal(other, doc))
    write("envelope_open", "twochunks",
          b"\0" + pyumbra.seal([pk], bytes(66000)))
    inner = bytes([1, 1]) + pyumbra.key_id(pk) + len(doc).to_bytes(4,
                                                                   "little")
    write("envelope_open", "inner", b"\1" + inner + doc)

    vec = json.load(open(os.path.join(os.path.dirname(__file__), "..",
                                      "vectors", "keyfile.json")))
    kf = pyumbra.keyfile_encode(vec["keys"], b"fuzz", 8192, 1, 1)
    write("keyfile_decode", "small", b"\0" + kf)
    pl = nb.crypto_aead_xchacha20poly1305_ietf_decrypt(
        kf[64:], kf[:64], kf[40:64],
        pyumbra.argon2id_p1(b"fuzz", kf[24:40], 1, 8192, 32))
    write("keyfile_decode", "payload", b"\1" + pl)

    b = json.load(open(os.path.join(os.path.dirname(__file__), "..",
                                    "vectors", "bundle.json")))
    write("bundle_parse", "bundle", b["bundle"].encode())
    write("bundle_parse", "compact",
          json.dumps(json.loads(b["bundle"])).encode())

    n = json.load(open(os.path.join(os.path.dirname(__file__), "..",
                                    "vectors", "normalise.json")))
    for i, c in enumerate(n["cases"]):
        write("receipt_normalise", "case%02d" % i,
              bytes.fromhex(c["input_hex"]))
    report_check_seeds()


def report_check_seeds():
    """Report documents for fuzz_report_check: what the forms and the CLI
    write, each reader cap's edge, and the hostile shapes the reader
    refuses (so the fuzzer starts on both sides of every check)."""
    full = {"schema": "umbra.report/1", "via": "web", "lang": "pt-BR",
            "incident": {"date": "2024-02-29", "country": "br",
                         "region": "S\u00e3o Paulo", "place": "rua"},
            "categories": ["robbery", "police-extortion", "zzz"],
            "perpetrator": {"type": "police", "description": "tall",
                            "identifiers": [{"kind": "phone",
                                             "value": "+55 11"}]},
            "narrative": "he took my money \u00e9 \U0001f600 \"q\"\n",
            "needs": ["legal", "safety"],
            "consent": {"statistics": True, "alert": False,
                        "share_with_authorities": False},
            "mailbox": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "mailbox_id": "ab" * 32}
    seeds = {
        "minimal": b'{"schema":"umbra.report/1","narrative":"x"}',
        "categories": b'{"schema":"umbra.report/1","categories":["other"]}',
        "full": json.dumps(full, ensure_ascii=False).encode(),
        "full-ascii": json.dumps(full, ensure_ascii=True).encode(),
        "escapes": (b'{"schema":"umbra.report/1","narr\\u0061tive":'
                    b'"\\ud83d\\ude00\\t\\/\\\\"}'),
        "region-cap": json.dumps({"schema": "umbra.report/1",
                                  "narrative": "x", "incident": {
                                      "region": "r" * 1024}}).encode(),
        "list-cap": json.dumps({"schema": "umbra.report/1",
                                "categories": ["other"] * 64}).encode(),
        "depth-16": (b'{"schema":"umbra.report/1","narrative":"x","a":' +
                     b"[" * 15 + b"]" * 15 + b"}"),
        "depth-17": (b'{"schema":"umbra.report/1","narrative":"x","a":' +
                     b"[" * 16 + b"]" * 16 + b"}"),
        "duplicate": (b'{"schema":"umbra.report/1","narrative":"a",'
                      b'"narrative":"b"}'),
        "overlong": b'{"schema":"umbra.report/1","narrative":"\xc0\x80"}',
        "surrogate": b'{"schema":"umbra.report/1","narrative":"\\udc00"}',
        "nul": b'{"schema":"umbra.report/1","narrative":"a\\u0000"}',
        "wrong-types": (b'{"schema":"umbra.report/1","narrative":"x",'
                        b'"consent":{"statistics":null},"perpetrator":[]}'),
        "not-object": b'["umbra.report/1"]',
        # a follow-up from /check (protocol 6.1) and a malformed proof
        "follow-up": json.dumps({
            "schema": "umbra.report/1", "via": "web", "narrative": "again",
            "mailbox": full["mailbox"], "mailbox_id": full["mailbox_id"],
            "follow_up": {"proof": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd"
                                   "Hh8="}}).encode(),
        "follow-up-bad": (b'{"schema":"umbra.report/1","narrative":"x",'
                          b'"follow_up":{"proof":"AAAA"}}'),
    }
    for name, data in seeds.items():
        write("report_check", name, data)


if __name__ == "__main__":
    main()
